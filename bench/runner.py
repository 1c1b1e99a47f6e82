"""Orchestrate one bench run: set up, join, drive the scenarios, tear everything down.

The orchestrator holds the moderator's connection (``control``); the attendees live in
generator processes (``loadgen``); the scenarios after the join are in ``scenarios``.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from .control import Generators, LoadWatch, Moderator, log
from .profiling import Profiler
from .scenarios import Scenarios
from .servers import (
    BenchError,
    Database,
    Server,
    check_redis,
    clear_redis_keys,
    companion_env,
    raise_open_files_limit,
    run_command,
)

SCENARIOS = ("join", "poll", "question", "upvote", "floor", "reconnect")
MODERATOR = ("moderateur@demo.companion", "demo-moderateur")


@dataclass
class Options:
    """What ``python -m companion bench`` was asked to run."""

    attendees: int = 200
    processes: int = 1
    database: str = "sqlite"
    async_mode: str = "eventlet"
    scenarios: tuple[str, ...] = SCENARIOS
    generators: int = 2
    redis: str = "redis://127.0.0.1:6379/14"
    question_share: float = 0.1
    handovers: int = 10
    burst_s: float = 1.0
    join_concurrency: int = 24  # per generator; 0: every attendee at once
    baseline: bool = True
    log_dir: Path | None = None
    profile_dir: Path | None = None
    # After the scenarios, repeat a realistic mix (poll, questions, handovers) this long.
    soak_minutes: float = 0.0


@dataclass
class Run:
    """What one run measured, and what went wrong."""

    options: Options
    figures: dict[str, Any] = field(default_factory=dict)
    lost: int = 0
    errors: list[str] = field(default_factory=list)
    workdir: Path | None = None


class Bench(Scenarios):
    """One run, start to end."""

    def __init__(self, options: Options):
        self.o = options
        self.run = Run(options)
        self.servers: list[Server] = []
        self.gens: Generators | None = None
        self.moderator: Moderator | None = None
        self.session_id: int | None = None
        self.joined = 0
        self.questions: dict[int, float] = {}
        self.relay_payload: dict | None = None
        self.relay_cpu_s = 0.0  # CPU of relay processes already stopped (for LoadWatch)
        self.channel = f"companion-bench-{uuid.uuid4().hex[:8]}"
        self.profiler = Profiler(options.profile_dir)

    def wait_timeout(self) -> float:
        return 20.0 + self.o.attendees / 50

    @property
    def f(self) -> dict:
        return self.run.figures

    def fail(self, where: str, exc: Exception) -> None:
        message = f"{where}: {exc}"
        log("ERROR " + message)
        self.run.errors.append(message)

    def cpu(self, servers: list[Server]) -> float:
        return sum(s.cpu_s() for s in servers)

    def group_commits(self) -> float:
        """Transactions the Companion servers' group commits have made so far (``/metrics``)."""
        return sum(s.metric("companion_group_commit_size_count") for s in self.servers)

    async def execute(self) -> Run:
        o = self.o
        raise_open_files_limit()
        workdir = Path(tempfile.mkdtemp(prefix="companion-bench-", dir=o.log_dir))
        self.run.workdir = workdir
        queue = o.redis if o.processes > 1 else None
        database = Database(o.database, workdir)
        started = time.time()
        try:
            if queue:
                check_redis(queue)
            database.create()
            env = companion_env(database.url, o.async_mode, queue, self.channel)
            log(f"database {database.kind}: init-demo")
            run_command(env, "init-demo")
            self.servers = [
                Server.companion(env, workdir / f"companion-{i}.log") for i in range(o.processes)
            ]
            for server in self.servers:
                server.start()
            log(
                f"{o.processes} Companion process(es) on ports "
                f"{[s.port for s in self.servers]} ({o.async_mode}); "
                f"{o.generators} load generators"
            )
            self.gens = Generators(o.generators, o.attendees)
            await self.prepare()
            watch = LoadWatch(self, using_daemons=bool(queue) or database.kind == "postgresql")
            with self.profiler.phase("join", self.pids()):
                await self.join()
            for name in o.scenarios:
                if name == "join":
                    continue
                try:
                    with self.profiler.phase(name, self.pids()):
                        await getattr(self, "scenario_" + name)()
                except (BenchError, OSError, TimeoutError, KeyError, TypeError) as exc:
                    self.fail(name, exc)
                self.check_servers()
            if o.soak_minutes > 0:
                await self.soak()
            if o.baseline and self.relay_payload is not None:
                try:
                    await self.baseline()
                except (BenchError, OSError, TimeoutError) as exc:
                    self.fail("baseline", exc)
            self.f["other_load_pct"] = watch.other_load_pct()
            self.f["server_wait_pct"], self.f["generator_wait_pct"] = watch.runqueue_pct()
        except (BenchError, OSError, requests.RequestException) as exc:
            self.fail("setup", exc)
        finally:
            if self.moderator is not None:
                await self.moderator.client.close()
            if self.gens is not None:
                self.gens.stop()
            for server in self.servers:
                server.stop()
            database.drop()
            if queue:
                clear_redis_keys(queue, self.channel)
        self.f["elapsed_s"] = round(time.time() - started, 1)
        self.f["lost"] = self.run.lost
        if self.run.errors or self.run.lost:
            for server in self.servers:
                log(f"--- end of {server.log_path.name} ---\n{server.tail(1500)}")
            log(f"logs kept in {workdir}")
        elif o.log_dir is None:
            shutil.rmtree(workdir, ignore_errors=True)
        return self.run

    def pids(self) -> list[int]:
        return [s.proc.pid for s in self.servers]

    def check_servers(self) -> None:
        for server in self.servers:
            if not server.alive():
                raise BenchError(f"{server.log_path.name} exited:\n{server.tail()}")

    # -- set-up ---------------------------------------------------------------------------

    async def prepare(self) -> None:
        """Log the moderator in, pick the session, register every attendee, start the session."""
        base = self.servers[0].url
        http = requests.Session()
        login = http.post(
            base + "/api/v1/auth/login",
            json={"email": MODERATOR[0], "password": MODERATOR[1]},
            timeout=30,
        )
        if login.status_code != 200:
            raise BenchError(f"moderator login: {login.status_code} {login.text[:200]}")
        token = login.json()["token"]
        slug = http.get(base + "/api/v1/events", timeout=30).json()["events"][0]["slug"]
        programme = http.get(f"{base}/api/v1/events/{slug}", timeout=30).json()
        self.session_id = programme["sessions"][0]["id"]
        http.close()

        t0 = time.time()
        answers = await self.gens.call(
            "register",
            timeout=120 + self.o.attendees * 0.2,
            base_urls=[s.url for s in self.servers],
            slug=slug,
            session_id=self.session_id,
            run_id=uuid.uuid4().hex[:8],
        )
        registered = sum(a["registered"] for a in answers)
        for answer in answers:
            for problem, count in answer["errors"].items():
                self.run.errors.append(f"registration ({count}×): {problem}")
        self.f["setup_s"] = round(time.time() - t0, 2)
        log(f"registered {registered}/{self.o.attendees} attendees in {self.f['setup_s']}s")
        if registered < self.o.attendees:
            raise BenchError("some attendees could not register")
        await self.mails_sent()

        self.moderator = Moderator(self.servers[0].port)
        await self.moderator.client.connect({"token": token})
        with contextlib.suppress(BenchError):  # already live when the demo says so
            await self.moderator.call("session.start", {"session_id": self.session_id})
        await self.moderator.call("session.join", {"session_id": self.session_id})

    async def mails_sent(self, timeout: float = 120.0) -> None:
        """Wait until the registrations' confirmations have left the outbox.

        They go out before a real session, not during it; sent during the scenarios they would
        be measured as the scenarios' CPU.
        """
        t0 = time.time()
        # The outbox is in the shared database: any one server tells.
        while self.servers[0].metric("companion_outbox_backlog"):
            if time.time() - t0 > timeout:
                raise BenchError(f"the registration mails were not sent within {timeout:.0f}s")
            await asyncio.sleep(0.5)
        self.f["mail_drain_s"] = round(time.time() - t0, 1)
        log(f"registration mails sent {self.f['mail_drain_s']}s after the last registration")

    async def join(self) -> None:
        """Scenario "join": every attendee connects and joins the session at once."""
        await asyncio.sleep(1.0)
        rss_before = sum(s.rss() for s in self.servers)
        cpu0 = self.cpu(self.servers)
        start_at = time.time() + 0.5
        answers = await self.gens.call(
            "connect",
            timeout=120 + self.o.attendees * 0.1,
            start_at=start_at,
            session_id=self.session_id,
            concurrency=self.o.join_concurrency,
        )
        self.joined = sum(a["joined"] for a in answers)
        if self.joined:
            self.f["join_cpu_ms_each"] = round(
                (self.cpu(self.servers) - cpu0) * 1e3 / self.joined, 2
            )
        last = max((a["last"] for a in answers if a["last"]), default=None)
        failed = self.o.attendees - self.joined
        for answer in answers:
            for problem, count in answer["errors"].items():
                self.run.errors.append(f"join ({count}×): {problem}")
        # A join that never completed is a snapshot that never arrived.
        self.run.lost += failed
        self.f["attendees"] = self.o.attendees
        self.f["joined"] = self.joined
        self.f["join_s"] = round(last - start_at, 2) if last else None
        await asyncio.sleep(2.0)  # presence flushes, buffers settle
        rss_after = sum(s.rss() for s in self.servers)
        if self.joined:
            self.f["rss_kb_per_connection"] = round(
                (rss_after - rss_before) / 1024 / self.joined, 1
            )
        self.f["rss_mb_after_join"] = round(rss_after / 2**20, 1)
        log(f"join: {self.joined} joined in {self.f['join_s']}s, {failed} failed")
        self.check_servers()


def run_bench(options: Options) -> Run:
    """Run the bench and return what it measured (never raises for a failed scenario).

    SIGTERM and Ctrl-C cancel the run; servers, generators and the database are still
    cleaned up before :class:`asyncio.CancelledError` comes out.
    """

    async def main() -> Run:
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, task.cancel)
        return await Bench(options).execute()

    return asyncio.run(main())

"""Orchestrate one bench run: set up, drive the scenarios, measure, tear everything down.

The orchestrator holds the moderator's connection; the attendees live in generator processes
(``loadgen``). All times are ``time.time()`` on the one machine, so arrivals measured in a
generator compare with sends measured in another.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import shutil
import signal
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import requests

from .loadgen import worker_main
from .profiling import Profiler
from .servers import (
    BenchError,
    Database,
    Server,
    check_redis,
    clear_redis_keys,
    companion_env,
    raise_open_files_limit,
    run_command,
    runqueue_wait_s,
)
from .wsclient import SioClient, SioError

SCENARIOS = ("join", "poll", "question", "upvote", "floor")
MODERATOR = ("moderateur@demo.companion", "demo-moderateur")
RELAY_ROOM = "bench"


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


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def split(total: int, workers: int) -> list[int]:
    """How many of the first ``total`` attendees (numbered round-robin) each generator holds."""
    return [len(range(i, total, workers)) for i in range(workers)]


class Generators:
    """The load-generator processes and their pipes."""

    def __init__(self, count: int, attendees: int):
        ctx = multiprocessing.get_context("spawn")
        self.conns = []
        self.procs = []
        for index in range(count):
            ours, theirs = ctx.Pipe()
            proc = ctx.Process(
                target=worker_main,
                args=(theirs, index, count, attendees),
                name=f"bench-generator-{index}",
                daemon=True,
            )
            proc.start()
            theirs.close()
            self.conns.append(ours)
            self.procs.append(proc)
        self.pool = ThreadPoolExecutor(max_workers=count)

    async def call(self, op: str, timeout: float, each=None, **common) -> list[dict]:
        """Send ``op`` to every generator (``each(i)`` adds per-generator arguments)."""
        for index, conn in enumerate(self.conns):
            conn.send({"op": op, **common, **(each(index) if each else {})})

        def receive(conn):
            if not conn.poll(timeout):
                raise BenchError(f"a load generator did not answer {op!r} within {timeout:.0f}s")
            return conn.recv()

        loop = asyncio.get_running_loop()
        try:
            answers = await asyncio.gather(
                *(loop.run_in_executor(self.pool, receive, conn) for conn in self.conns)
            )
        except (EOFError, OSError):
            raise BenchError(f"a load generator died during {op!r}") from None
        for answer in answers:
            if "error" in answer:
                raise BenchError(answer["error"])
        return answers

    def cpu_s(self) -> float:
        """User + system CPU seconds used so far by the generator processes."""
        total = 0.0
        for proc in self.procs:
            with contextlib.suppress(psutil.Error):
                times = psutil.Process(proc.pid).cpu_times()
                total += times.user + times.system
        return total

    def stop(self) -> None:
        for conn in self.conns:
            with contextlib.suppress(Exception):
                conn.send({"op": "exit"})
        for proc in self.procs:
            proc.join(15)
            if proc.is_alive():
                proc.terminate()
                proc.join(5)
        self.pool.shutdown(wait=False)


class LoadWatch:
    """How much of the machine other processes took during the run (a shared machine lies).

    Busy CPU of the whole machine minus the bench's own processes (servers, relay, generators,
    this one, and Redis and PostgreSQL when the run uses them), as a share of all cores.
    """

    DAEMONS = ("redis-server", "postgres")

    def __init__(self, bench: Bench, using_daemons: bool):
        self.bench = bench
        self.using_daemons = using_daemons
        self.daemons0 = self._daemons()
        self.start = (time.time(), self._busy(), self._ours())
        self.waits0 = self._waits()

    def _waits(self) -> tuple[float, float]:
        servers = sum(s.wait_s() for s in self.bench.servers)
        generators = sum(runqueue_wait_s(p.pid) for p in self.bench.gens.procs)
        return servers, generators

    def runqueue_pct(self) -> tuple[float, float]:
        """Share of the run the servers (and generators) were ready but waited for a core."""
        wall = time.time() - self.start[0]
        waits = self._waits()
        servers = 100 * (waits[0] - self.waits0[0]) / (wall * len(self.bench.servers))
        generators = 100 * (waits[1] - self.waits0[1]) / (wall * len(self.bench.gens.procs))
        return round(servers, 1), round(generators, 1)

    @staticmethod
    def _busy() -> float:
        times = psutil.cpu_times()
        return sum(times) - times.idle - getattr(times, "iowait", 0.0)

    def _daemons(self) -> dict[int, float]:
        """CPU so far of each Redis and PostgreSQL process (backends come and go)."""
        found = {}
        if self.using_daemons:
            for proc in psutil.process_iter(["name", "cpu_times"]):
                if proc.info["name"] in self.DAEMONS and proc.info["cpu_times"]:
                    found[proc.pid] = proc.info["cpu_times"].user + proc.info["cpu_times"].system
        return found

    def _ours(self) -> float:
        total = self.bench.cpu(self.bench.servers) + self.bench.relay_cpu_s
        total += self.bench.gens.cpu_s() if self.bench.gens else 0.0
        times = psutil.Process().cpu_times()
        return total + times.user + times.system

    def other_load_pct(self) -> float:
        wall0, busy0, ours0 = self.start
        wall = (time.time() - wall0) * (psutil.cpu_count() or 1)
        daemons = sum(cpu - self.daemons0.get(pid, 0.0) for pid, cpu in self._daemons().items())
        other = (self._busy() - busy0) - (self._ours() - ours0) - daemons
        return round(max(0.0, 100 * other / wall), 1) if wall > 0 else 0.0


class Moderator:
    """The demo moderator's connection: drives polls and the floor, and sees every broadcast."""

    def __init__(self, port: int):
        self.events: list[tuple[float, str, Any]] = []
        self.client = SioClient("127.0.0.1", port, self._record)

    def _record(self, _client, name: str, data: Any, arrival: float) -> None:
        self.events.append((arrival, name, data))

    async def call(self, event: str, payload: dict, timeout: float = 15.0) -> dict:
        try:
            answer = await self.client.call(event, payload, timeout=timeout)
        except TimeoutError:
            raise BenchError(f"{event} did not answer within {timeout:.0f}s") from None
        except SioError as exc:
            raise BenchError(f"{event}: {exc}") from None
        if not answer or not answer.get("ok"):
            raise BenchError(f"{event} refused: {(answer or {}).get('error')}")
        return answer.get("data") or {}


class Bench:
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

        self.moderator = Moderator(self.servers[0].port)
        await self.moderator.client.connect({"token": token})
        with contextlib.suppress(BenchError):  # already live when the demo says so
            await self.moderator.call("session.start", {"session_id": self.session_id})
        await self.moderator.call("session.join", {"session_id": self.session_id})

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

    # -- scenarios ------------------------------------------------------------------------

    async def scenario_poll(self) -> None:
        """Everyone votes in a single-choice poll within ``burst_s``; the tally reaches all."""
        created = await self.moderator.call(
            "poll.create",
            {
                "session_id": self.session_id,
                "kind": "single",
                "question": "Quel format pour la prochaine rencontre ?",
                "options": ["En présentiel", "En ligne", "Les deux"],
                "settings": {"results": "live"},
            },
        )
        poll = created["poll"]
        option_ids = [option["id"] for option in poll["options"]]
        await self.gens.call("track", 30, tracker="values", kind="poll_total", poll_id=poll["id"])
        await self.moderator.call("poll.open", {"poll_id": poll["id"]})
        start_at = time.time() + 0.3
        cpu0 = self.cpu(self.servers)
        answers = await self.gens.call(
            "vote",
            timeout=60 + self.o.attendees * 0.05,
            poll_id=poll["id"],
            option_ids=option_ids,
            start_at=start_at,
            spread=self.o.burst_s,
        )
        acked = sum(a["acks"] for a in answers)
        if acked:
            self.f["vote_cpu_ms_each"] = round((self.cpu(self.servers) - cpu0) * 1e3 / acked, 2)
        first_sent = min(a["first_sent"] for a in answers if a["first_sent"])
        last_ack = max((a["last_ack"] for a in answers if a["last_ack"]), default=None)
        self._errors("poll.vote", answers)
        waited = await self.gens.call(
            "wait", self.wait_timeout() + 10, within=self.wait_timeout(), expected=acked
        )
        missing = sum(w["missing"] for w in waited)
        times = [t for w in waited for t in w["times"]]
        self.run.lost += missing
        self.f["poll_votes_acked"] = acked
        self.f["poll_burst_acked_s"] = round(last_ack - first_sent, 2) if last_ack else None
        if times and last_ack:
            self.f["final_tally_s"] = round(max(0.0, max(times) - last_ack), 2)
        log(
            f"poll: {acked} votes acked in {self.f['poll_burst_acked_s']}s, tally everywhere "
            f"{self.f.get('final_tally_s')}s after the last ack, {missing} never saw it"
        )
        await self.moderator.call("poll.close", {"poll_id": poll["id"]})

    async def scenario_question(self) -> None:
        """A share of attendees ask at once; every question reaches everyone (the fan-out)."""
        count = max(1, round(self.o.attendees * self.o.question_share))
        shares = split(count, self.o.generators)
        mark = len(self.moderator.events)
        await self.gens.call("track", 30, tracker="keys", kind="questions")
        cpu0, gen0, wall0 = self.cpu(self.servers), self.gens.cpu_s(), time.time()
        answers = await self.gens.call(
            "ask",
            timeout=60 + count * 0.2,
            each=lambda i: {"count": shares[i]},
            session_id=self.session_id,
            start_at=time.time() + 0.3,
            spread=self.o.burst_s,
        )
        self._errors("question.submit", answers)
        # This burst's questions only: a soak repeats the scenario with the tracker reset.
        asked: dict[int, float] = {}
        for answer in answers:
            asked.update(answer["questions"])
        self.questions.update(asked)
        waited = await self.gens.call(
            "wait",
            self.wait_timeout() + 10,
            within=self.wait_timeout(),
            expected=list(asked),
        )
        cpu1, gen1, wall1 = self.cpu(self.servers), self.gens.cpu_s(), time.time()
        # Whether the generators kept up: their CPU next to the server's over the same wall time.
        self.f["question_wall_s"] = round(wall1 - wall0, 2)
        self.f["question_server_cpu_s"] = round(cpu1 - cpu0, 2)
        self.f["question_generators_cpu_s"] = round(gen1 - gen0, 2)
        deliveries = sum(w["received"] for w in waited)
        latencies = [
            (arrival - asked[qid]) * 1000
            for w in waited
            for qid, arrivals in w["arrivals"].items()
            for arrival in arrivals
        ]
        missing = sum(w["missing"] for w in waited)
        self.run.lost += missing
        self.f["questions"] = len(asked)
        self.f["deliveries"] = deliveries
        self.f["fanout_p50_ms"] = _ms(percentile(latencies, 0.5))
        self.f["fanout_p99_ms"] = _ms(percentile(latencies, 0.99))
        if deliveries:
            self.f["cpu_us_per_delivery"] = round((cpu1 - cpu0) * 1e6 / deliveries, 1)
        self.relay_payload = self._public_question(mark)
        log(
            f"question: {len(asked)} asked, {deliveries} deliveries, p50 "
            f"{self.f['fanout_p50_ms']} ms p99 {self.f['fanout_p99_ms']} ms, "
            f"{self.f.get('cpu_us_per_delivery')} µs CPU each, {missing} lost"
        )

    async def scenario_upvote(self) -> None:
        """Everyone upvotes one question within ``burst_s``; the exact count reaches everyone."""
        if not self.questions:
            answers = await self.gens.call(
                "ask",
                timeout=60,
                each=lambda i: {"count": 1 if i == 0 else 0},
                session_id=self.session_id,
                start_at=time.time(),
                spread=0.0,
            )
            self._errors("question.submit", answers)
            for answer in answers:
                self.questions.update(answer["questions"])
        question_id = min(self.questions)
        await self.gens.call("track", 30, tracker="values", kind="upvotes", question_id=question_id)
        answers = await self.gens.call(
            "upvote",
            timeout=60 + self.o.attendees * 0.05,
            question_id=question_id,
            start_at=time.time() + 0.3,
            spread=self.o.burst_s,
        )
        self._errors("question.upvote", answers)
        acked = sum(a["acks"] for a in answers)
        first_sent = min(a["first_sent"] for a in answers if a["first_sent"])
        last_ack = max((a["last_ack"] for a in answers if a["last_ack"]), default=None)
        waited = await self.gens.call(
            "wait", self.wait_timeout() + 10, within=self.wait_timeout(), expected=acked
        )
        missing = sum(w["missing"] for w in waited)
        times = [t for w in waited for t in w["times"]]
        self.run.lost += missing
        self.f["upvote_acked_s"] = round(last_ack - first_sent, 2) if last_ack else None
        if times and last_ack:
            self.f["upvote_final_s"] = round(max(0.0, max(times) - last_ack), 2)
        log(
            f"upvote: {acked} acked in {self.f['upvote_acked_s']}s, exact count everywhere "
            f"{self.f.get('upvote_final_s')}s after the last ack, {missing} never saw it"
        )

    async def scenario_floor(self) -> None:
        """Attendees raise hands, the moderator hands the floor over; everyone sees each change."""
        handovers = self.o.handovers
        mark = len(self.moderator.events)
        await self.gens.call("track", 30, tracker="keys", kind="floor")
        answers = await self.gens.call(
            "floor_request",
            timeout=60,
            each=lambda i: {"count": split(handovers, self.o.generators)[i]},
            session_id=self.session_id,
            start_at=time.time() + 0.2,
        )
        self._errors("floor.request", answers)
        await asyncio.sleep(0.5)
        sends: list[float] = []
        for _ in range(handovers):
            sends.append(time.time())
            await self.moderator.call("floor.next", {"session_id": self.session_id})
            await asyncio.sleep(0.3)
        sends.append(time.time())
        await self.moderator.call("floor.end", {"session_id": self.session_id})
        await asyncio.sleep(1.0)  # the moderator's own copy of the last change
        updates = [
            (t, data["seq"])
            for t, name, data in self.moderator.events[mark:]
            if name == "floor.updated" and isinstance(data, dict) and "seq" in data
        ]
        expected = sorted({seq for _, seq in updates})
        # The change a command caused: the first floor.updated the moderator sees after it.
        caused: dict[int, float] = {}
        for sent in sends:
            after = [seq for t, seq in updates if t >= sent and seq not in caused]
            if after:
                caused[after[0]] = sent
        waited = await self.gens.call(
            "wait", self.wait_timeout() + 10, within=self.wait_timeout(), expected=expected
        )
        missing = sum(w["missing"] for w in waited)
        latencies = [
            (arrival - caused[seq]) * 1000
            for w in waited
            for seq, arrivals in w["arrivals"].items()
            if seq in caused
            for arrival in arrivals
        ]
        self.run.lost += missing
        self.f["floor_updates"] = len(expected)
        self.f["floor_p50_ms"] = _ms(percentile(latencies, 0.5))
        self.f["floor_p99_ms"] = _ms(percentile(latencies, 0.99))
        log(
            f"floor: {handovers} handovers, {len(expected)} floor.updated each, p50 "
            f"{self.f['floor_p50_ms']} ms p99 {self.f['floor_p99_ms']} ms, {missing} lost"
        )

    async def soak(self) -> None:
        """Repeat votes, questions and handovers for ``soak_minutes``; sample memory each round.

        Memory must stay flat: ``soak_rss_growth_pct`` compares the servers' resident memory at
        the end with the first round's (the first round warms caches up).
        """
        deadline = time.time() + self.o.soak_minutes * 60
        started = time.time()
        samples: list[tuple[float, float]] = []
        rounds = 0
        while time.time() < deadline:
            for name in ("poll", "question", "floor"):
                try:
                    await getattr(self, "scenario_" + name)()
                except (BenchError, OSError, TimeoutError, KeyError, TypeError) as exc:
                    self.fail(f"soak round {rounds + 1} {name}", exc)
                self.check_servers()
            rounds += 1
            rss_mb = sum(server.rss() for server in self.servers) / 2**20
            samples.append((round((time.time() - started) / 60, 2), round(rss_mb, 1)))
            log(f"soak: round {rounds}, {samples[-1][0]} min, servers' RSS {rss_mb:.1f} MB")
        self.f["soak_rounds"] = rounds
        self.f["soak_rss_mb"] = samples
        if len(samples) >= 2:
            first, last = samples[0][1], samples[-1][1]
            self.f["soak_rss_growth_pct"] = round((last - first) * 100 / first, 1)

    async def baseline(self) -> None:
        """The same fan-out through the raw relay: same clients, payload, spread and processes."""
        await self.gens.call("disconnect", 120)
        queue = self.o.redis if self.o.processes > 1 else None
        relays = [
            Server.relay(self.o.async_mode, queue, self.channel, self.run.workdir, i)
            for i in range(self.o.processes)
        ]
        try:
            for relay in relays:
                relay.start()
            await self.gens.call(
                "connect",
                timeout=120 + self.o.attendees * 0.1,
                start_at=time.time() + 0.2,
                session_id=None,
                room=RELAY_ROOM,
                ports=[r.port for r in relays],
            )
            await asyncio.sleep(1.0)
            with self.profiler.phase("relay", [r.proc.pid for r in relays]):
                waited, messages, cpu = await self._relay_burst(relays)
        finally:
            for relay in relays:
                with contextlib.suppress(psutil.Error):
                    self.relay_cpu_s += relay.cpu_s()
                relay.stop()
        deliveries = sum(w["received"] for w in waited)
        latencies = [
            (arrival - messages[key]) * 1000
            for w in waited
            for key, arrivals in w["arrivals"].items()
            for arrival in arrivals
        ]
        self.f["baseline_lost"] = sum(w["missing"] for w in waited)
        self.f["baseline_fanout_p50_ms"] = _ms(percentile(latencies, 0.5))
        self.f["baseline_fanout_p99_ms"] = _ms(percentile(latencies, 0.99))
        if deliveries:
            baseline = cpu * 1e6 / deliveries
            self.f["baseline_cpu_us_per_delivery"] = round(baseline, 1)
            if self.f.get("cpu_us_per_delivery") and baseline > 0:
                self.f["cpu_ratio"] = round(self.f["cpu_us_per_delivery"] / baseline, 2)
        log(
            f"relay: {len(messages)} messages, {deliveries} deliveries, "
            f"{self.f.get('baseline_cpu_us_per_delivery')} µs CPU each, "
            f"p50 {self.f['baseline_fanout_p50_ms']} ms"
        )

    async def _relay_burst(self, relays: list[Server]):
        """As many relay messages as questions were asked, sent the same way; CPU it took."""
        count = max(1, len(self.questions))
        shares = split(count, self.o.generators)
        await self.gens.call("track", 30, tracker="keys", kind="relay")
        cpu0 = self.cpu(relays)
        answers = await self.gens.call(
            "relay",
            timeout=60 + count * 0.2,
            each=lambda i: {"count": shares[i]},
            room=RELAY_ROOM,
            payload=self.relay_payload,
            start_at=time.time() + 0.3,
            spread=self.o.burst_s,
        )
        messages: dict[str, float] = {}
        for answer in answers:
            messages.update(answer["messages"])
        waited = await self.gens.call(
            "wait",
            self.wait_timeout() + 10,
            within=self.wait_timeout(),
            expected=list(messages),
        )
        return waited, messages, self.cpu(relays) - cpu0

    # -- helpers --------------------------------------------------------------------------

    def _errors(self, event: str, answers: list[dict]) -> None:
        for answer in answers:
            for problem, count in answer["errors"].items():
                self.run.errors.append(f"{problem} ({count}×)")

    def _public_question(self, mark: int) -> dict:
        """A question.updated payload as attendees received it, for the relay to carry."""
        for _t, name, data in self.moderator.events[mark:]:
            if name == "question.updated" and isinstance(data, dict):
                question = data.get("question") or {}
                if question.get("state") == "approved" and "similar_ids" not in question:
                    return data
        return {"seq": 0, "question": {"text": "x" * 300}}


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


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

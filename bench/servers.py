"""Server processes on loopback, shared by the bench and ``tests/e2e``: a fresh database (SQLite
or PostgreSQL), ``python -m companion`` commands, servers started until ``/healthz`` answers,
stopped, their logs kept. The bench also measures them (CPU, memory, run-queue waits).

Outside the ``companion`` package on purpose: the application never needs it (nor psutil).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import psutil

from companion.config import ROOT, Config, normalise_database_url


class BenchError(RuntimeError):
    """A server or database could not be set up or run; the message says what and where to look."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raise_open_files_limit() -> None:
    """Allow thousands of sockets in this process and its children (soft limit up to hard)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


class Database:
    """A database for one run: a SQLite file in the work folder, or a fresh PostgreSQL database."""

    def __init__(self, spec: str, workdir: Path, name: str | None = None):
        """``spec`` is 'sqlite' or a PostgreSQL server's URL; ``name`` names the fresh PostgreSQL
        database (a unique one by default)."""
        self.admin_url: str | None = None
        self.name: str | None = None
        if spec == "sqlite":
            self.url = f"sqlite:///{workdir / 'bench.sqlite3'}"
        elif spec.startswith(("postgresql://", "postgres://", "postgresql+psycopg2://")):
            self.admin_url = normalise_database_url(spec)
            self.name = name or f"companion_bench_{uuid.uuid4().hex[:10]}"
            self.url = self.admin_url.rsplit("/", 1)[0] + "/" + self.name
        else:
            raise BenchError("--database takes 'sqlite' or a postgresql:// URL")

    @property
    def kind(self) -> str:
        return "sqlite" if self.admin_url is None else "postgresql"

    def create(self) -> None:
        if self.admin_url is not None:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if self.admin_url is not None:
            with contextlib.suppress(Exception):
                self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def _admin(self, statement: str) -> None:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(statement))
        except Exception as exc:
            raise BenchError(f"PostgreSQL at {self.admin_url}: {exc}") from None
        finally:
            engine.dispose()


def companion_env(database_url: str, async_mode: str, queue: str | None, channel: str) -> dict:
    """The environment of every Companion command of the run (nothing inherited from COMPANION_*)."""
    env = without_companion_settings()
    env.update(
        COMPANION_DATABASE_URL=database_url,
        COMPANION_SECRET_KEY=secrets.token_urlsafe(32),
        COMPANION_ASYNC_MODE=async_mode,
        COMPANION_ENV="development",
        # The bench measures throughput, not abuse protection: 1,000 votes from one address
        # in a second is exactly what the limits are there to refuse.
        COMPANION_RATE_LIMITS="off",
        PYTHONUNBUFFERED="1",
    )
    if queue:
        env.update(COMPANION_MESSAGE_QUEUE=queue, COMPANION_QUEUE_CHANNEL=channel)
    return env


def without_companion_settings() -> dict:
    """This process's environment less every COMPANION_* setting: a run sets its own."""
    return {k: v for k, v in os.environ.items() if not k.startswith("COMPANION_")}


def run_command(env: dict, *args: str, timeout: float = 180) -> str:
    """Run ``python -m companion ARGS``; raise BenchError with its output when it fails."""
    result = subprocess.run(
        [sys.executable, "-m", "companion", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise BenchError(f"companion {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


class Server:
    """One server subprocess on a free loopback port, its log, and its CPU and memory."""

    #: Have the kernel stop the server when this process dies, even killed. A ``preexec_fn``:
    #: unsafe in a process that runs threads when it starts servers (pytest's e2e tests do).
    die_with_parent = True

    def __init__(self, argv: list[str], env: dict, log_path: Path, port: int):
        self.argv = argv
        self.env = env
        self.log_path = log_path
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None
        self.ps: psutil.Process | None = None

    @classmethod
    def companion(cls, env: dict, log_path: Path) -> Server:
        """``python -m companion serve`` on a free port."""
        port = free_port()
        return cls(companion_argv(port), env, log_path, port)

    @classmethod
    def relay(
        cls, async_mode: str, queue: str | None, channel: str, workdir: Path, number: int
    ) -> Server:
        port = free_port()
        keepalive = Config()  # the relay keeps Companion's default keepalive
        argv = [sys.executable, "-m", "bench.relay_server", "--port", str(port)]
        argv += ["--async-mode", async_mode]
        argv += ["--ping-interval", str(keepalive.ping_interval_s)]
        argv += ["--ping-timeout", str(keepalive.ping_timeout_s)]
        if queue:
            argv += ["--message-queue", queue, "--channel", channel + "-relay"]
        env = without_companion_settings()
        env["PYTHONUNBUFFERED"] = "1"
        return cls(argv, env, workdir / f"relay-{number}.log", port)

    def start(self, timeout: float = 60.0) -> Server:
        # Kept open for the life of the process, closed in stop().
        self.log = open(self.log_path, "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            self.argv,
            env=self.env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent if self.die_with_parent else None,
        )
        self.ps = psutil.Process(self.proc.pid)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"server exited at start:\n{self.tail()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.1)
        raise BenchError(f"server did not answer /healthz within {timeout:.0f}s:\n{self.tail()}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def metric(self, name: str) -> float:
        """The sum of a sample's values across labels in the server's ``/metrics`` (loopback)."""
        with urllib.request.urlopen(self.url + "/metrics", timeout=10) as answer:
            text = answer.read().decode()
        return sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.split("{", 1)[0].split(" ", 1)[0] == name
        )

    def cpu_s(self) -> float:
        """User + system CPU seconds used so far by the server process."""
        times = self.ps.cpu_times()
        return times.user + times.system

    def wait_s(self) -> float:
        """Seconds the process was ready to run but waited for a core (Linux schedstat)."""
        return runqueue_wait_s(self.proc.pid)

    def rss(self) -> int:
        return self.ps.memory_info().rss

    def output(self) -> str:
        """Everything the process has written so far."""
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")
        return ""

    def tail(self, chars: int = 3000) -> str:
        return self.output()[-chars:]

    def kill(self) -> None:
        """Kill -9, as a crash would."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if getattr(self, "log", None):
            self.log.close()


def companion_argv(port: int) -> list[str]:
    return [sys.executable, "-m", "companion", "serve", "--port", str(port)]


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM if the bench dies, even killed (Linux only)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def runqueue_wait_s(pid: int) -> float:
    """Time a process (all its threads) spent runnable but not running; 0 where unknown."""
    total = 0
    with contextlib.suppress(OSError, ValueError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError, ValueError, IndexError):
                total += int((task / "schedstat").read_text().split()[1])
    return total / 1e9


def clear_redis_keys(url: str, prefix: str) -> None:
    """Remove the run's presence keys (the channel name prefixes them)."""
    with contextlib.suppress(Exception):
        import redis

        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
        if keys:
            client.delete(*keys)
        client.close()


def check_redis(url: str) -> None:
    try:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        client.ping()
        client.close()
    except Exception as exc:
        raise BenchError(
            f"Redis at {url} does not answer ({exc}); --processes > 1 needs it"
        ) from None

"""The orchestrator's handles: the load-generator processes, the moderator, the machine's load.

All times are ``time.time()`` on the one machine, so arrivals measured in a generator compare
with sends measured in another.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import psutil

from .loadgen import worker_main
from .servers import BenchError, runqueue_wait_s
from .wsclient import SioClient, SioError

if TYPE_CHECKING:
    from .runner import Bench


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

"""Sample the server processes with py-spy during each scenario, and say where the time went.

py-spy is a profiling tool, not a dependency: ``pip install py-spy`` into the virtualenv to use
``--profile DIR``. Greenlets run on one OS thread, so a sample is the greenlet running at that
moment; idle samples (the hub waiting in epoll) are left out.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from .servers import BenchError


def py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(found).exists():
        raise BenchError("--profile needs py-spy: .venv/bin/pip install py-spy")
    return found


class Profiler:
    """py-spy ``record`` attached to some processes for the length of a ``with`` block."""

    def __init__(self, out_dir: Path | None, rate: int = 200):
        self.out_dir = out_dir
        self.rate = rate
        self.procs: list[tuple[subprocess.Popen, Path]] = []

    @contextlib.contextmanager
    def phase(self, name: str, pids: list[int]):
        if self.out_dir is None:
            yield
            return
        started = []
        for number, pid in enumerate(pids):
            path = self.out_dir / f"{name}-{number}.txt"
            proc = subprocess.Popen(
                [
                    py_spy(),
                    "record",
                    "--pid",
                    str(pid),
                    "--rate",
                    str(self.rate),
                    "--format",
                    "raw",
                    "--output",
                    str(path),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            started.append((proc, path))
        try:
            yield
        finally:
            for proc, path in started:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)
                if path.exists():
                    summary = summarise(path.read_text(errors="replace"))
                    path.with_suffix(".summary").write_text(summary)


def summarise(raw: str, top: int = 40) -> str:
    """Self and inclusive share of samples per function, from py-spy's collapsed stacks."""
    own: Counter = Counter()
    inclusive: Counter = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [_short(frame) for frame in stack.split(";") if frame]
        if frames:
            own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    if not total:
        return "no samples\n"
    lines = [f"{total} samples (busy time only)", "", "self %  function"]
    lines += [f"{100 * n / total:6.1f}  {f}" for f, n in own.most_common(top)]
    lines += ["", "incl %  function"]
    lines += [f"{100 * n / total:6.1f}  {f}" for f, n in inclusive.most_common(top)]
    return "\n".join(lines) + "\n"


def _short(frame: str) -> str:
    """``fn (path/to/module.py:123)`` → ``fn (module.py)``: lines merged, paths shortened."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    parts = Path(path).parts
    tail = (
        "/".join(parts[parts.index("site-packages") + 1 :])
        if "site-packages" in parts
        else ("/".join(parts[-2:]))
    )
    return f"{name} ({tail})"

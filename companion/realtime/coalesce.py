"""Coalesced broadcasts: mark what changed, flush it a few times a second at most.

Votes and upvotes only mark their poll or question dirty; one background task per process
turns the marks into one broadcast per interval, so the cost follows the number of attendees,
never the number of votes times attendees.

A flush reads first and sends after: the refreshes its flushers publish wait in an outbox until
their reads' transaction has ended, because a refresh to a large room is delivered in slices
that let other green threads run (realtime/managers.py), and on SQLite the process has one
connection, which the votes then need.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

from flask import Flask
from sqlalchemy.exc import DBAPIError, OperationalError

from ..core import metrics
from ..extensions import db, socketio

log = logging.getLogger(__name__)

Flusher = Callable[[set], None]


def emit_counted(event: str, data: dict, room: str) -> None:
    """Emit one broadcast to ``room`` and count it; a failure is logged, never raised.

    What a broadcast tells is committed already: failing to send it must not undo anything.
    """
    try:
        socketio.emit(event, data, to=room)
        metrics.BROADCASTS.labels(event).inc()
    except Exception:
        log.exception("could not emit %s to %s", event, room)


class Coalescer:
    """Dirty marks per kind, flushed by registered callbacks on a timer."""

    def __init__(self) -> None:
        self._flushers: dict[str, Flusher] = {}
        self._periodic: list[tuple[float, Callable[[], None]]] = []
        self._dirty: dict[str, set] = {}
        self._outbox: list[tuple[str, dict, str]] = []
        # When the oldest change still waiting for its broadcast was marked (monotonic).
        self._oldest: float | None = None
        self._lock = threading.Lock()
        self._app: Flask | None = None
        self._started = False

    def register(self, kind: str, flusher: Flusher) -> None:
        """Call ``flusher(keys)`` with the keys marked dirty under ``kind`` since the last flush."""
        self._flushers[kind] = flusher

    def every(self, seconds: float, callback: Callable[[], None]) -> None:
        """Also call ``callback`` about every ``seconds`` (heartbeats, refreshes)."""
        self._periodic.append((seconds, callback))

    def mark(self, kind: str, key) -> None:
        """Note that ``key`` of ``kind`` changed and needs a broadcast soon."""
        with self._lock:
            self._dirty.setdefault(kind, set()).add(key)
            if self._oldest is None:
                self._oldest = time.monotonic()

    def mark_many(self, kind: str, keys: Iterable) -> None:
        with self._lock:
            self._dirty.setdefault(kind, set()).update(keys)
            if self._oldest is None:
                self._oldest = time.monotonic()

    def send(self, event: str, data: dict, room: str) -> None:
        """Queue a refresh for ``room``: sent at the end of the flush, once its reads are over."""
        with self._lock:
            self._outbox.append((event, data, room))

    def marked(self, kind: str) -> set:
        """The keys of ``kind`` waiting for the next flush."""
        with self._lock:
            return set(self._dirty.get(kind, ()))

    def lag(self) -> float:
        """Seconds the oldest unflushed change has waited (0 when nothing waits)."""
        oldest = self._oldest
        return 0.0 if oldest is None else max(0.0, time.monotonic() - oldest)

    def reset(self) -> None:
        """Forget every dirty mark (a new application starts with none)."""
        with self._lock:
            self._dirty = {}
            self._oldest = None
            self._outbox = []

    def start(self, app: Flask) -> None:
        """Start the flushing task once per process (idempotent)."""
        self._app = app
        if self._started or app.config["COMPANION"].testing:
            return
        self._started = True
        socketio.start_background_task(self._run, app)

    def flush(self) -> None:
        """Run every flusher now for what is dirty (tests call it directly)."""
        with self._lock:
            dirty, self._dirty = self._dirty, {}
            oldest, self._oldest = self._oldest, None
        if oldest is not None and any(dirty.values()):
            metrics.COALESCER_FLUSH_LAG.observe(time.monotonic() - oldest)
        for kind, keys in dirty.items():
            flusher = self._flushers.get(kind)
            if not flusher or not keys:
                continue
            try:
                flusher(keys)
                db.session.commit()  # the reads are over: the connection goes back to the pool
            except (OperationalError, DBAPIError) as exc:
                # The database is away (restart, failover): keep the marks, try next tick.
                log.warning("coalesced flush of %s postponed: %s", kind, exc.__class__.__name__)
                db.session.rollback()
                self.mark_many(kind, keys)
            except Exception:
                log.exception("coalesced flush of %s failed; will retry", kind)
                db.session.rollback()
                self.mark_many(kind, keys)
        self._send_outbox()

    def _send_outbox(self) -> None:
        with self._lock:
            outbox, self._outbox = self._outbox, []
        for event, data, room in outbox:
            emit_counted(event, data, room)  # a refresh lost is sent again at the next change

    def _run(self, app: Flask) -> None:
        interval = app.config["COMPANION"].coalesce_interval_s
        ticks = 0
        while True:  # for the life of the process
            socketio.sleep(interval)
            ticks += 1
            with app.app_context():
                for seconds, callback in self._periodic:
                    if ticks % max(1, round(seconds / interval)) == 0:
                        try:
                            callback()
                        except Exception:
                            log.exception("periodic task %s failed", callback)
                self.flush()


coalescer = Coalescer()
metrics.register_gauge(
    "companion_coalescer_lag_seconds",
    "How long the oldest change waiting for a coalesced broadcast has waited.",
    coalescer.lag,
)

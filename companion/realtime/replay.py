"""Replay (``session.join`` with ``since_seq``): the tail of a session's broadcast log, in memory.

After a restart every attendee rejoins at once with nearly the same ``since_seq``: reading the
same rows of ``session_broadcasts`` a thousand times is waste. Each process keeps, per session,
the tail of the log as it read it from the database, up to the committed seq the reading join
saw (every broadcast up to a committed seq is committed: the hub stamps seqs under the
session's row lock as the transaction commits). A join wanting more reads only the rows past
the tail. Broadcasts made by another process are found in the database like this process's
own: the tail holds what was read, never what was emitted, so every process replays the same
log.

A tail is trusted :data:`TAIL_TTL_S` seconds at most (a purge of old data moves no seq) and holds
at most ``replay_limit`` broadcasts: a client further behind gets a snapshot anyway.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from .models import SessionBroadcast

TAIL_SESSIONS = 64
TAIL_TTL_S = 30.0
_TAILS_KEY = "companion_replay_tails"


@dataclass(frozen=True)
class Logged:
    """One logged broadcast, as :func:`hub.visible_to` reads it."""

    seq: int
    event: str
    payload: dict[str, Any]
    audience: str
    participant_id: int | None


@dataclass(frozen=True)
class _Tail:
    """Every broadcast of a session with ``after < seq <= upto``, read at ``read_at``."""

    after: int
    upto: int
    rows: tuple[Logged, ...]
    read_at: float


class ReplayTails:
    """Per process: the tail of each session's broadcast log, filled from the database."""

    def __init__(self, sessions: int = TAIL_SESSIONS, ttl_s: float = TAIL_TTL_S):
        self._sessions = sessions
        self._ttl_s = ttl_s
        self._tails: OrderedDict[int, _Tail] = OrderedDict()
        self._lock = threading.Lock()

    def missed(self, session_id: int, since: int, seq: int, *, keep: int) -> list[Logged]:
        """Return the broadcasts ``since < seq' <= seq`` of the session, oldest first.

        ``seq`` must be the session's committed seq as this join read it; ``keep`` bounds the
        tail kept in memory.
        """
        now = time.monotonic()
        with self._lock:
            tail = self._tails.get(session_id)
        if tail is not None and now - tail.read_at > self._ttl_s:
            tail = None
        if tail is not None and tail.after <= since and seq <= tail.upto:
            return [row for row in tail.rows if since < row.seq <= seq]
        if tail is not None and tail.after <= since <= tail.upto:
            rows = tail.rows + _read(session_id, tail.upto, seq)
            after = tail.after
        else:
            rows = _read(session_id, since, seq)
            after = since
        missed = [row for row in rows if row.seq > since]
        if len(rows) == seq - after:  # dense, as the seq promises: safe to keep
            kept = rows[-keep:] if keep else ()
            first = kept[0].seq - 1 if kept else seq
            self._store(session_id, _Tail(first, seq, kept, now))
        return missed

    def _store(self, session_id: int, tail: _Tail) -> None:
        with self._lock:
            held = self._tails.get(session_id)
            if held is not None and held.upto > tail.upto:
                return  # a join that read an older seq: keep the longer tail
            self._tails[session_id] = tail
            self._tails.move_to_end(session_id)
            while len(self._tails) > self._sessions:
                self._tails.popitem(last=False)


def _read(session_id: int, after: int, upto: int) -> tuple[Logged, ...]:
    rows = db.session.execute(
        select(
            SessionBroadcast.seq,
            SessionBroadcast.event,
            SessionBroadcast.payload,
            SessionBroadcast.audience,
            SessionBroadcast.participant_id,
        )
        .where(
            SessionBroadcast.session_id == session_id,
            SessionBroadcast.seq > after,
            SessionBroadcast.seq <= upto,
        )
        .order_by(SessionBroadcast.seq)
    )
    return tuple(Logged(*row) for row in rows)


def replay_tails() -> ReplayTails:
    """This application's tails: one per app, as the app has one database."""
    found = current_app.extensions.get(_TAILS_KEY)
    if found is None:
        found = current_app.extensions[_TAILS_KEY] = ReplayTails()
    return found

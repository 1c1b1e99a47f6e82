"""The snapshot a client gets on join: each domain contributes its part.

Joins come in storms (a session's start, every attendee reconnecting after a restart), and most
of a snapshot is the same for everyone of one audience (attendees, staff, speakers). So a part is
built from three kinds of inputs:

- **shared**, through :meth:`Join.shared`: built once per process and reused by the following
  joins, keyed by the session's committed ``seq``. Every logged change of state raises the seq in
  the database (``hub.publish``), whichever process made it, so a join that reads a newer seq
  misses the cache and builds afresh: a shared value is never older than the seq its join
  answers with (a miss reads the session's row again first: the join loaded it before the
  seq). A value built at seq S may hold changes newer than S: the client gets them live as
  well, as it always could;
- **figures** (poll tallies, approved open answers, upvote counts, presence), which move
  without a seq (they are coalesced): parts re-read them at every join, one cheap query each,
  never from the cache. Keying them by something that follows them across processes would need
  a version bumped on every vote, the hot row the coalescer exists to avoid;
- **personal** (own ballots, own upvotes): each part declares the select of its rows
  (:func:`personal_columns`), and every part's rows come from one ``UNION ALL`` per join.

Shared values are held for one seq per session and at most :data:`SHARED_TTL_S` seconds (a purge
of old data moves no seq), for at most :data:`SHARED_SESSIONS` sessions. They are shared between
joins: parts copy what they change, and never change what :meth:`Join.shared` returns.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import JSON, Boolean, Integer, Select, String, literal, null, type_coerce, union_all
from sqlalchemy.engine import Row

from ..core.actors import Actor
from ..extensions import db

T = TypeVar("T")
SHARED_SESSIONS = 64
SHARED_TTL_S = 30.0
_SHARED_KEY = "companion_shared_parts"


class SharedParts:
    """Per process: the values every join of a session reuses, for the latest seq seen."""

    def __init__(self, sessions: int = SHARED_SESSIONS, ttl_s: float = SHARED_TTL_S):
        self._sessions = sessions
        self._ttl_s = ttl_s
        self._held: OrderedDict[int, tuple[int, float, dict[Hashable, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session_id: int, seq: int, key: Hashable, build: Callable[[], T]) -> T:
        """Return the value of ``key`` at ``seq``, built by ``build()`` on a miss."""
        now = time.monotonic()
        with self._lock:
            held = self._held.get(session_id)
            if held is not None and held[0] > seq:
                held = None  # this join read an older seq: it builds for itself alone
            elif held is None or held[0] < seq or now - held[1] > self._ttl_s:
                held = (seq, now, {})
                self._held[session_id] = held
                self._held.move_to_end(session_id)
                while len(self._held) > self._sessions:
                    self._held.popitem(last=False)
            if held is not None and key in held[2]:
                return held[2][key]
        # Built outside the lock (it queries): two joins missing at once both build, one stays.
        value = build()
        return value if held is None else held[2].setdefault(key, value)


def shared_parts() -> SharedParts:
    """This application's shared values: one cache per app, as the app has one database."""
    found = current_app.extensions.get(_SHARED_KEY)
    if found is None:
        found = current_app.extensions[_SHARED_KEY] = SharedParts()
    return found


@dataclass
class Join:
    """One join: the session, who joins, the committed seq it answers with, its personal rows."""

    session: Any  # programme's LiveSession (realtime sits below it)
    actor: Actor
    seq: int
    _personal: dict[str, list[Row]] = field(default_factory=dict)
    _session_read: bool = False

    def shared(self, key: Hashable, build: Callable[[], T]) -> T:
        """The value of ``key`` for this session at this seq: built once, reused by later joins.

        ``key`` names the audience too when the value differs by audience (staff, room).
        """
        return shared_parts().get(self.session.id, self.seq, key, lambda: self._built(build))

    def _built(self, build: Callable[[], T]) -> T:
        if not self._session_read:
            # Loaded before the seq was read: what is kept for this seq must be read after it.
            db.session.refresh(self.session)
            self._session_read = True
        return build()

    def personal(self, part: str) -> list[Row]:
        """The rows ``part``'s personal select returned for this actor (``ref_id, value, flag``)."""
        return self._personal.get(part, [])


#: ``part(join)``: the entry's value for this join.
Part = Callable[[Join], Any]
#: ``select(join)``: the part's personal rows as :func:`personal_columns`, or None for none.
PersonalSelect = Callable[[Join], Select | None]


@dataclass(frozen=True)
class _Registered:
    build: Part
    personal: PersonalSelect | None


_PARTS: dict[str, _Registered] = {}


def snapshot_part(name: str, *, personal: PersonalSelect | None = None):
    """Register ``fn(join)`` as the snapshot's ``name`` entry, with its personal select."""

    def decorator(fn: Part) -> Part:
        _PARTS[name] = _Registered(fn, personal)
        return fn

    return decorator


def personal_columns(part: str, ref_id, value=None, flag=None) -> tuple:
    """The columns every personal select returns, so that all of them go in one UNION ALL:
    the part's name, an id, a JSON value and a flag (NULL where the part has none)."""
    return (
        literal(part, String).label("part"),
        type_coerce(ref_id, Integer).label("ref_id"),
        type_coerce(null() if value is None else value, JSON).label("value"),
        type_coerce(null() if flag is None else flag, Boolean).label("flag"),
    )


def build_snapshot(session: Any, actor: Actor, seq: int) -> dict[str, Any]:
    """Return everything this actor may see of the session at ``seq``, as one dict."""
    join = Join(session, actor, seq)
    selects = [
        stmt
        for registered in _PARTS.values()
        if registered.personal is not None and (stmt := registered.personal(join)) is not None
    ]
    if selects:
        for row in db.session.execute(union_all(*selects) if len(selects) > 1 else selects[0]):
            join._personal.setdefault(row.part, []).append(row)
    return {name: registered.build(join) for name, registered in _PARTS.items()}

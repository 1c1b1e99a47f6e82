"""Fan-out after commit: stamp each change with the session's seq, log it, emit it.

Services call :func:`publish` inside their transaction. The seqs are taken and the broadcasts
logged as that transaction commits (one ``UPDATE … seq = seq + n`` per session, just before
the commit), so the session's row is locked for the commit only, not for the whole
transaction: processes on PostgreSQL queue on it for a moment, in commit order, and the seq
stays dense and ordered. The emit waits for the commit, so nothing is broadcast for a change
that was rolled back (Zulip's ``send_event_on_commit``).

Every other effect of a change that must wait for its commit goes through the same place:
:func:`after_commit` for a callback, :func:`mark_dirty` for a coalesced figure,
:func:`before_commit` for work folded into the transaction's last statements (counters).
Handlers never commit; the dispatcher does, and these run then, or are forgotten on rollback.
They are kept in per-transaction journals that :func:`checkpoint` and :func:`rewind` cut back
when one contribution of a group commit is refused (its savepoint rolled back, or, in an
optimistic batch, nothing written). Inside an optimistic batch (:func:`batched`), writes that
can wait for the commit (receipts, ballots) are noted in journals too and folded then.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session as OrmSession

from ..core.timeutil import utcnow
from ..extensions import db, socketio
from .coalesce import coalescer, emit_counted
from .models import AUDIENCE_ALL, AUDIENCE_STAFF, SessionBroadcast
from .rooms import participant_room, session_room, staff_room

log = logging.getLogger(__name__)
_PENDING = "companion_pending_emits"
_CALLBACKS = "companion_after_commit"
_DIRTY = "companion_dirty_marks"
_UNSTAMPED = "companion_unstamped_broadcasts"
_HELD = "companion_held_objects"
_BATCHING = "companion_batching"
#: The coalesced refreshes of figures: stamped with the current seq, never logged, applied by
#: clients in whatever order they come (delivered in slices: realtime/managers.py).
FIGURE_EVENTS = frozenset({"poll.results", "presence.updated", "question.votes"})
#: ``fold()`` callbacks run just before every top-level commit (see :func:`before_commit`).
_FOLDS: list[Callable[[], None]] = []


def sessions_table() -> Table:
    """The sessions' table, found by name: realtime sits below the programme, which owns it."""
    return db.metadata.tables["live_sessions"]


def _take_seqs(session_id: int, count: int) -> int:
    """Raise the session's seq by ``count`` in the current transaction; return the first one.

    The row lock this takes (PostgreSQL) orders concurrent changes of one session by commit.
    A table-level update: nothing in the identity map needs the new value now.
    """
    sessions = sessions_table()
    last = db.session.execute(
        update(sessions)
        .where(sessions.c.id == session_id)
        .values(seq=sessions.c.seq + count)
        .returning(sessions.c.seq)
    ).scalar_one()
    return last - count + 1


def current_seq(session_id: int) -> int:
    """Return the session's latest seq as committed."""
    sessions = sessions_table()
    return db.session.execute(
        select(sessions.c.seq).where(sessions.c.id == session_id)
    ).scalar_one()


def publish(
    session_id: int,
    event: str,
    payload: dict[str, Any],
    *,
    audience: str = AUDIENCE_ALL,
    participant_id: int | None = None,
) -> None:
    """Log a change of state and emit it to its rooms after commit.

    Its ``seq`` is stamped as the transaction commits (:func:`_stamp_broadcasts`).

    :param audience: ``"all"`` for the whole session, ``"staff"`` for moderators only, in
        which case ``participant_id`` may name one participant who sees it too.
    """
    data = {"seq": None, **payload}
    rooms = _rooms_for(session_id, audience, participant_id)
    _journal(_UNSTAMPED).append((session_id, event, data, audience, participant_id))
    _journal(_PENDING).append((event, data, rooms))


def publish_figures(session_id: int, event: str, payload: dict[str, Any], *, staff_only=False):
    """Send a coalesced refresh of figures, stamped with the current seq, not logged.

    For the coalescer's flushers: it is sent at the end of the flush under way, once the
    flush's reads are over (realtime/coalesce.py).
    """
    if event not in FIGURE_EVENTS:
        raise ValueError(f"{event!r} is not one of the figure events")
    data = {"seq": current_seq(session_id), **payload}
    coalescer.send(event, data, staff_room(session_id) if staff_only else session_room(session_id))


def notify_participant(session_id: int, participant_id: int, event: str, payload: dict[str, Any]):
    """Send a private message to one participant after commit, with the current seq, unlogged."""
    data = {"seq": current_seq(session_id), **payload}
    _journal(_PENDING).append((event, data, [participant_room(participant_id)]))


def after_commit(callback: Callable[[], None]) -> None:
    """Call ``callback()`` once the current transaction commits; never if it rolls back."""
    _journal(_CALLBACKS).append(callback)


def mark_dirty(kind: str, key: Hashable) -> None:
    """Mark ``key`` of ``kind`` for the coalesced broadcast once the transaction commits.

    Marking before the commit would let a flush in between broadcast the old figure and use
    the mark up, leaving the last change of a burst unseen until the next one.
    """
    _journal(_DIRTY).append((kind, key))


def before_commit(fold: Callable[[], None]) -> None:
    """Register ``fold()``, run in every transaction just before it commits (at import time).

    For work that gains from being done once per transaction rather than once per change:
    counters moved by the sum of a group commit's deltas, in one statement, with their rows
    locked for the commit only. A fold reads its own journal (:func:`journal`).
    """
    _FOLDS.append(fold)


def batching() -> bool:
    """Whether writes that can wait for the commit should wait (an optimistic group commit).

    Its contributions then write in one statement per kind just before the commit (receipts,
    ballots); outside one, each writes at once, inside its own savepoint if it has one.
    """
    return bool(db.session.info.get(_BATCHING))


@contextmanager
def batched() -> Iterator[None]:
    """Let the writes that can wait for the commit wait, for the length of the block."""
    db.session.info[_BATCHING] = True
    try:
        yield
    finally:
        db.session.info.pop(_BATCHING, None)


def hold(obj: object) -> None:
    """Keep ``obj`` referenced until the transaction ends.

    The ORM session holds objects weakly: one loaded by a contribution of a group commit would
    otherwise be collected before the next one asks for it again, and read again from its row.
    """
    _journal(_HELD).append(obj)


def journal(name: str) -> list:
    """The current transaction's list named ``name``: cut back by :func:`rewind`, dropped on
    rollback and after commit. Names start with ``companion_``."""
    if not name.startswith("companion_"):
        raise ValueError(f"journal names start with companion_: {name!r}")
    return _journal(name)


def _journal(name: str) -> list:
    return db.session.info.setdefault(name, [])


def checkpoint() -> dict[str, int]:
    """Where each journal of the current transaction stands (before a savepoint)."""
    return {
        name: len(entries)
        for name, entries in db.session.info.items()
        if name.startswith("companion_") and isinstance(entries, list)
    }


def rewind(mark: dict[str, int]) -> None:
    """Forget what the journals gained since ``mark`` (its savepoint was rolled back)."""
    for name, entries in db.session.info.items():
        if name.startswith("companion_") and isinstance(entries, list):
            del entries[mark.get(name, 0) :]


def _rooms_for(session_id: int, audience: str, participant_id: int | None) -> list[str]:
    if audience == AUDIENCE_ALL:
        return [session_room(session_id)]
    if audience != AUDIENCE_STAFF:
        raise ValueError(f"unknown audience {audience!r}")
    rooms = [staff_room(session_id)]
    if participant_id is not None:
        rooms.append(participant_room(participant_id))
    return rooms


def visible_to(broadcast: SessionBroadcast, *, is_staff: bool, participant_id: int | None) -> bool:
    """Tell whether a logged broadcast may be replayed to this client."""
    if broadcast.audience == AUDIENCE_ALL or is_staff:
        return True
    return participant_id is not None and broadcast.participant_id == participant_id


def _stamp_broadcasts(session: OrmSession) -> None:
    """Give the transaction's broadcasts their seqs, one update per session, and log them."""
    unstamped = session.info.pop(_UNSTAMPED, None)
    if not unstamped:
        return
    counts: dict[int, int] = {}
    for session_id, *_ in unstamped:
        counts[session_id] = counts.get(session_id, 0) + 1
    # Sessions in id order: two transactions touching the same two sessions never deadlock.
    following = {sid: _take_seqs(sid, counts[sid]) for sid in sorted(counts)}
    rows = []
    for session_id, event, data, audience, participant_id in unstamped:
        data["seq"] = following[session_id]
        following[session_id] += 1
        rows.append(
            {
                "session_id": session_id,
                "seq": data["seq"],
                "event": event,
                "payload": data,
                "audience": audience,
                "participant_id": participant_id,
                "created_at": utcnow(),
            }
        )
    session.execute(insert(SessionBroadcast.__table__), rows)


@sa_event.listens_for(OrmSession, "before_commit")
def _fold_before_commit(session: OrmSession) -> None:
    # Also called when a savepoint is released: only the outermost commit folds and stamps.
    if session.in_nested_transaction() or not session.info:
        return
    for fold in _FOLDS:
        fold()
    _stamp_broadcasts(session)


@sa_event.listens_for(OrmSession, "after_commit")
def _emit_after_commit(session: OrmSession) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: its changes wait for the outermost commit
    pending = session.info.pop(_PENDING, None) or []
    callbacks = session.info.pop(_CALLBACKS, None) or []
    dirty = dict.fromkeys(session.info.pop(_DIRTY, None) or ())
    _drop_journals(session)
    # One Redis round trip for the transaction's broadcasts, and one wake-up of each
    # socket's writer for all of them (realtime/managers.py).
    with socketio.server.manager.publishing_together():
        for event, data, rooms in pending:
            for room in rooms:
                emit_counted(event, data, room)
    for callback in callbacks:
        try:
            callback()
        except Exception:  # the change is committed; a failed side effect is logged
            log.exception("after-commit callback %r failed", callback)
    for kind, key in dirty:
        coalescer.mark(kind, key)


@sa_event.listens_for(OrmSession, "after_rollback")
def _drop_after_rollback(session: OrmSession) -> None:
    # A savepoint rolled back: the group commit rewinds the journals to its checkpoint.
    if not session.in_nested_transaction():
        _drop_journals(session)


def _drop_journals(session: OrmSession) -> None:
    for name in [name for name in session.info if name.startswith("companion_")]:
        del session.info[name]

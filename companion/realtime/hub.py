"""Fan-out after commit: stamp each change with the session's seq, log it, emit it.

Services call :func:`publish` inside their transaction. The seq is taken and the broadcast
logged in that same transaction; the emit waits for the commit, so nothing is broadcast for a
change that was rolled back (Zulip's ``send_event_on_commit``).

Every other effect of a change that must wait for its commit goes through the same place:
:func:`after_commit` for a callback, :func:`mark_dirty` for a coalesced figure. Handlers never
commit; the dispatcher does, and these run then, or are forgotten on rollback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session as OrmSession

from ..core import metrics
from ..extensions import db, socketio
from .coalesce import coalescer
from .models import AUDIENCE_ALL, AUDIENCE_STAFF, SessionBroadcast
from .rooms import participant_room, session_room, staff_room

log = logging.getLogger(__name__)
_PENDING = "companion_pending_emits"
_CALLBACKS = "companion_after_commit"
_DIRTY = "companion_dirty_marks"


def sessions_table() -> Table:
    """The sessions' table, found by name: realtime sits below the programme, which owns it."""
    return db.metadata.tables["live_sessions"]


def next_seq(session_id: int) -> int:
    """Raise the session's seq by one in the current transaction and return it.

    The row lock this takes (PostgreSQL) orders concurrent changes of one session by commit.
    A table-level update: nothing in the identity map needs the new value now.
    """
    sessions = sessions_table()
    return db.session.execute(
        update(sessions)
        .where(sessions.c.id == session_id)
        .values(seq=sessions.c.seq + 1)
        .returning(sessions.c.seq)
    ).scalar_one()


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
) -> int:
    """Log a change of state with a new seq and emit it to its rooms after commit.

    :param audience: ``"all"`` for the whole session, ``"staff"`` for moderators only, in
        which case ``participant_id`` may name one participant who sees it too.
    """
    seq = next_seq(session_id)
    data = {"seq": seq, **payload}
    db.session.add(
        SessionBroadcast(
            session_id=session_id,
            seq=seq,
            event=event,
            payload=data,
            audience=audience,
            participant_id=participant_id,
        )
    )
    rooms = _rooms_for(session_id, audience, participant_id)
    db.session.info.setdefault(_PENDING, []).append((event, data, rooms))
    return seq


def publish_figures(session_id: int, event: str, payload: dict[str, Any], *, staff_only=False):
    """Emit a coalesced refresh of figures now, stamped with the current seq, not logged."""
    data = {"seq": current_seq(session_id), **payload}
    rooms = [staff_room(session_id)] if staff_only else [session_room(session_id)]
    for room in rooms:
        socketio.emit(event, data, to=room)
        metrics.BROADCASTS.labels(event).inc()


def notify_participant(session_id: int, participant_id: int, event: str, payload: dict[str, Any]):
    """Send a private message to one participant after commit, with the current seq, unlogged."""
    data = {"seq": current_seq(session_id), **payload}
    db.session.info.setdefault(_PENDING, []).append(
        (event, data, [participant_room(participant_id)])
    )


def after_commit(callback: Callable[[], None]) -> None:
    """Call ``callback()`` once the current transaction commits; never if it rolls back."""
    db.session.info.setdefault(_CALLBACKS, []).append(callback)


def mark_dirty(kind: str, key: Hashable) -> None:
    """Mark ``key`` of ``kind`` for the coalesced broadcast once the transaction commits.

    Marking before the commit would let a flush in between broadcast the old figure and use
    the mark up, leaving the last change of a burst unseen until the next one.
    """
    db.session.info.setdefault(_DIRTY, set()).add((kind, key))


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


@sa_event.listens_for(OrmSession, "after_commit")
def _emit_after_commit(session: OrmSession) -> None:
    pending = session.info.pop(_PENDING, None) or []
    callbacks = session.info.pop(_CALLBACKS, None) or []
    dirty = session.info.pop(_DIRTY, None) or set()
    for event, data, rooms in pending:
        for room in rooms:
            try:
                socketio.emit(event, data, to=room)
                metrics.BROADCASTS.labels(event).inc()
            except Exception:  # a broadcast failure must not undo a committed change
                log.exception("could not emit %s to %s", event, room)
    for callback in callbacks:
        try:
            callback()
        except Exception:  # the change is committed; a failed side effect is logged
            log.exception("after-commit callback %r failed", callback)
    for kind, key in dirty:
        coalescer.mark(kind, key)


@sa_event.listens_for(OrmSession, "after_rollback")
def _drop_after_rollback(session: OrmSession) -> None:
    for name in (_PENDING, _CALLBACKS, _DIRTY):
        session.info.pop(name, None)

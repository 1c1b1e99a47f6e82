"""When each agenda item was actually under way (``AgendaRun``), and undoing a mistaken move.

A moderator who clicks the wrong agenda item and goes straight back (the console's "Undo")
should leave no trace: the mistaken item's brief run is dropped and the previous item's run goes
on from its real start, so its clock and the summary's planned-versus-actual stay right.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from ..extensions import db
from ..programme.models import AgendaItem, LiveSession
from .models import AgendaRun

#: A move back to the previous item within this long of leaving it is an undo.
UNDO_WINDOW = timedelta(seconds=60)


def close_runs(session: LiveSession, now: datetime) -> bool:
    """End the run under way, if any; tell whether one was."""
    runs = db.session.scalars(
        select(AgendaRun).where(AgendaRun.session_id == session.id, AgendaRun.ended_at.is_(None))
    ).all()
    for run in runs:
        run.ended_at = now
    return bool(runs)


def _undo(session: LiveSession, item: AgendaItem, now: datetime) -> bool:
    """Resume ``item``'s last run if the move away from it was just made; tell whether it was."""
    current = db.session.scalar(
        select(AgendaRun).where(AgendaRun.session_id == session.id, AgendaRun.ended_at.is_(None))
    )
    if current is None or now - current.started_at > UNDO_WINDOW:
        return False
    previous = db.session.scalar(
        select(AgendaRun)
        .where(AgendaRun.session_id == session.id, AgendaRun.id != current.id)
        .order_by(AgendaRun.started_at.desc(), AgendaRun.id.desc())
        .limit(1)
    )
    if (
        previous is None
        or previous.agenda_item_id != item.id
        or previous.ended_at is None
        or abs(previous.ended_at - current.started_at) > timedelta(seconds=1)
    ):
        return False
    db.session.delete(current)
    previous.ended_at = None
    return True


def begin_item(session: LiveSession, item: AgendaItem | None, now: datetime) -> None:
    """Time ``item`` from ``now`` (None: between items), or resume it after an undo."""
    if item is not None and _undo(session, item, now):
        return
    close_runs(session, now)
    if item is not None:
        db.session.add(AgendaRun(session_id=session.id, agenda_item_id=item.id, started_at=now))

"""The floor follows the session's life: agenda moves time the items, a start times the first
one, an end stops the speech under way, a removed participant's hand leaves the queue.

(What an end closes and a reopen puts back, the list and the raised hands, is ``closing.py``.)
"""

from __future__ import annotations

from sqlalchemy import select

from ..core.timeutil import utcnow
from ..extensions import db
from ..participants.service import participant_removed
from ..programme import service as programme
from ..programme.models import AgendaItem, LiveSession, SessionStatus
from .broadcasting import publish
from .models import AgendaRun
from .queries import current_request, first_waiting_id, lock, waiting_requests
from .runs import begin_item, close_runs
from .timers import finish


@programme.agenda_advanced.connect
def _on_agenda_advanced(session: LiveSession, item: AgendaItem | None = None, **_):
    """Start timing the new item; its programme speakers become the planned ones."""
    lock(session, reload=False)
    now = utcnow()
    begin_item(session, item, now)  # a quick move back is an undo (see runs.py)
    publish(session, first_waiting_id(session), now)


@programme.session_status_changed.connect
def _on_session_status_changed(session: LiveSession, **_):
    """On start, time the first item; on end, end the speech and the item under way."""
    lock(session, reload=False)
    now = utcnow()
    changed = False
    if session.status == SessionStatus.LIVE:
        item_id = session.current_agenda_item_id
        open_run = db.session.scalar(
            select(AgendaRun.id).where(
                AgendaRun.session_id == session.id, AgendaRun.ended_at.is_(None)
            )
        )
        if item_id is not None and open_run is None:
            db.session.add(AgendaRun(session_id=session.id, agenda_item_id=item_id, started_at=now))
            changed = True
    elif session.status == SessionStatus.ENDED:
        end = session.ended_at or now
        changed = close_runs(session, end)
        current = current_request(session)
        if current is not None:
            finish(current, end)
            changed = True
    if changed:
        publish(session, first_waiting_id(session), now)


@participant_removed.connect
def _on_participant_removed(participant, **_):
    """A removed participant's raised hand leaves the queue with them."""
    session = programme.get_session(participant.session_id)
    lock(session, reload=False)
    first_before = first_waiting_id(session)
    now = utcnow()
    waiting = [r for r in waiting_requests(session) if r.participant_id == participant.id]
    for request in waiting:
        request.removed_at = now
    if waiting:
        publish(session, first_before, now)

"""The floor at the end of a session: the list of speakers closes and the raised hands leave
the queue (the speech under way ends in floor.lifecycle); a reopen puts back exactly what the
end had closed and taken out."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..core.timeutil import utcnow
from ..extensions import db
from ..programme import service as programme
from ..programme.models import LiveSession, SessionStatus
from .broadcasting import publish
from .models import FloorRequest
from .queries import floor_settings, lock, store_settings, waiting_requests


def close_floor(session: LiveSession) -> dict[str, Any]:
    """Close the list and take every waiting hand out of the queue; answer what was done."""
    lock(session, reload=False)
    end = session.ended_at or utcnow()
    waiting = waiting_requests(session)
    for request in waiting:
        request.removed_at = end
    list_was_open = floor_settings(session)["list_open"]
    if list_was_open:
        store_settings(session, floor_list_open=False)
    if waiting or list_was_open:
        publish(session, None, end)
    return {"closed_list": list_was_open, "removed_requests": [r.id for r in waiting]}


def reopen_floor(session: LiveSession, undone: dict[str, Any]) -> dict[str, Any]:
    """Open the list again if the end closed it and put back the hands it took out."""
    lock(session, reload=False)
    now = utcnow()
    ids = undone.get("removed_requests") or []
    restored = []
    if ids:
        requests = db.session.scalars(
            select(FloorRequest).where(
                FloorRequest.session_id == session.id,
                FloorRequest.id.in_(ids),
                FloorRequest.began_at.is_(None),
                FloorRequest.withdrawn_at.is_(None),
            )
        ).all()
        for request in requests:
            request.removed_at = None
            restored.append(request.id)
    reopened_list = bool(undone.get("closed_list"))
    if reopened_list:
        store_settings(session, floor_list_open=True)
    if restored or reopened_list:
        publish(session, None, now)
    return {"reopened_list": reopened_list, "restored_requests": restored}


@programme.session_status_changed.connect
def _on_session_status_changed(
    session: LiveSession, reopened: dict | None = None, **_: Any
) -> dict[str, Any] | None:
    if session.status == SessionStatus.ENDED:
        return close_floor(session)
    if reopened is not None:
        return reopen_floor(session, reopened)
    return None

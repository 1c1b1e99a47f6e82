"""A session's life: start, end (which closes everything) and reopen (which undoes the end).

Ending a session is final for the room: the domains listening to ``session_status_changed``
close what is open (polls, the floor and its list) and answer what they closed, which the
session log keeps so that a reopen can undo exactly that and nothing more.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..core import permissions
from ..core.errors import Closed, Conflict
from ..core.i18n import N_
from ..core.permissions import MODERATE
from ..core.timeutil import iso, utcnow
from ..extensions import db
from ..realtime import hub
from .models import LiveSession, SessionLogEntry, SessionStatus
from .service import session_dict, session_status_changed

START, END, REOPEN = "start", "end", "reopen"


def check_live(session: LiveSession) -> None:
    """Refuse a contribution or an opening once the session has ended.

    :raises Closed: the session has ended.
    """
    if session.status == SessionStatus.ENDED:
        raise Closed(N_("This session has ended."))


def _changed(session: LiveSession, actor, **extra) -> dict[str, Any]:
    """Tell every domain, and gather what each did (receivers may answer a dict)."""
    details: dict[str, Any] = {}
    for _receiver, answer in session_status_changed.send(session, actor=actor, **extra):
        if isinstance(answer, dict):
            details.update(answer)
    return details


def _log(session: LiveSession, action: str, actor, details: dict[str, Any]) -> SessionLogEntry:
    entry = SessionLogEntry(
        session_id=session.id,
        action=action,
        staff_id=actor.id if actor is not None and actor.is_staff else None,
        actor_name=actor.name if actor is not None else "",
        at=utcnow(),
        details=details,
    )
    db.session.add(entry)
    return entry


def _announce(session: LiveSession) -> None:
    db.session.flush()
    hub.publish(session.id, "session.updated", {"session": session_dict(session)})


def start_session(session: LiveSession, *, actor) -> LiveSession:
    """Put a scheduled session live; an ended one is reopened."""
    permissions.check_moderate(actor, session.id)
    if session.status == SessionStatus.LIVE:
        raise Conflict(N_("This session is already live."))
    if session.status == SessionStatus.ENDED:
        return reopen_session(session, actor=actor)
    session.status = SessionStatus.LIVE
    session.started_at = session.started_at or utcnow()
    session.ended_at = None
    if session.current_agenda_item_id is None and session.agenda:
        session.current_agenda_item_id = session.agenda[0].id
    db.session.flush()
    _log(session, START, actor, _changed(session, actor))
    _announce(session)
    return session


def end_session(session: LiveSession, *, actor) -> LiveSession:
    """End a live session: polls close, the floor and its list end, contributions stop."""
    permissions.check_moderate(actor, session.id)
    if session.status != SessionStatus.LIVE:
        raise Conflict(N_("Only a live session can be ended."))
    session.status = SessionStatus.ENDED
    session.ended_at = utcnow()
    db.session.flush()
    _log(session, END, actor, _changed(session, actor))
    _announce(session)
    return session


def last_end(session: LiveSession) -> SessionLogEntry | None:
    return db.session.scalar(
        select(SessionLogEntry)
        .where(SessionLogEntry.session_id == session.id, SessionLogEntry.action == END)
        .order_by(SessionLogEntry.at.desc(), SessionLogEntry.id.desc())
        .limit(1)
    )


def reopen_session(session: LiveSession, *, actor) -> LiveSession:
    """Undo an end: live again, with the polls and the list of speakers the end had closed."""
    permissions.check_moderate(actor, session.id)
    if session.status != SessionStatus.ENDED:
        raise Conflict(N_("Only an ended session can be reopened."))
    ended = last_end(session)
    undone = dict(ended.details or {}) if ended is not None else {}
    session.status = SessionStatus.LIVE
    session.ended_at = None
    db.session.flush()
    details = _changed(session, actor, reopened=undone)
    details["ended_at"] = iso(ended.at, session.event.timezone) if ended is not None else None
    _log(session, REOPEN, actor, details)
    _announce(session)
    return session


def session_log(session: LiveSession) -> list[dict[str, Any]]:
    """The session's life, oldest first: who started, ended and reopened it, and when."""
    tz = session.event.timezone
    rows = db.session.scalars(
        select(SessionLogEntry)
        .where(SessionLogEntry.session_id == session.id)
        .order_by(SessionLogEntry.at, SessionLogEntry.id)
    )
    return [
        {
            "action": row.action,
            "at": iso(row.at, tz),
            "staff_id": row.staff_id,
            "actor_name": row.actor_name,
            "details": row.details or {},
        }
        for row in rows
    ]


# ---------------------------------------------------------------- HTTP


def _register_routes() -> None:
    """GET /api/v1/sessions/{id}/log: who started, ended and reopened the session (staff)."""
    from ..core.http import api_route

    @api_route(
        "/sessions/<int:session_id>/log",
        summary="A session's life: who started, ended and reopened it, and what each closed",
        tag="programme",
        permission=MODERATE,
        scope="session_id",
        description=(
            "entries: [{action: start|end|reopen, at, staff_id, actor_name, details}], oldest "
            "first. An end's details name the polls it closed (closed_polls), whether it closed "
            "the list of speakers (closed_list) and the raised hands it took out "
            "(removed_requests); a reopen's, what it put back."
        ),
    )
    def session_log_route(actor, payload, session_id: int, target):
        session = target
        return {"session_id": session.id, "entries": session_log(session)}


_register_routes()

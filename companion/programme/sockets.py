"""Socket events of the programme: start, end and reopen a session, advance its agenda."""

from __future__ import annotations

from ..core.actors import Actor
from ..realtime.dispatcher import STAFF, socket_event
from . import service
from .schemas import AgendaAdvanceIn, SessionIdIn


@socket_event("session.start", SessionIdIn, roles=STAFF)
def start(actor: Actor, payload: SessionIdIn) -> dict:
    session = service.start_session(service.get_session(payload.session_id), actor=actor)
    return {"session": service.session_dict(session)}


@socket_event("session.end", SessionIdIn, roles=STAFF)
def end(actor: Actor, payload: SessionIdIn) -> dict:
    session = service.end_session(service.get_session(payload.session_id), actor=actor)
    return {"session": service.session_dict(session)}


@socket_event("session.reopen", SessionIdIn, roles=STAFF)
def reopen(actor: Actor, payload: SessionIdIn) -> dict:
    """Undo the end of a session (logged): live again, with what the end had closed."""
    session = service.reopen_session(service.get_session(payload.session_id), actor=actor)
    return {"session": service.session_dict(session)}


@socket_event("agenda.advance", AgendaAdvanceIn, roles=STAFF)
def advance(actor: Actor, payload: AgendaAdvanceIn) -> dict:
    session = service.get_session(payload.session_id)
    item = (
        service.get_agenda_item(session, payload.agenda_item_id)
        if payload.agenda_item_id is not None
        else None
    )
    service.advance_agenda(session, item, actor=actor)
    return {"session": service.session_dict(session)}

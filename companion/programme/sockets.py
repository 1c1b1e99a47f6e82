"""Socket events of the programme: start, end and reopen a session, advance its agenda."""

from __future__ import annotations

from ..core.actors import Actor
from ..core.permissions import MODERATE
from ..realtime.dispatcher import socket_event
from ..realtime.snapshot import Join, snapshot_part
from . import service
from .models import LiveSession
from .schemas import AgendaAdvanceIn, SessionIdIn


@socket_event("session.start", SessionIdIn, permission=MODERATE, scope="session_id")
def start(actor: Actor, payload: SessionIdIn, target: LiveSession) -> dict:
    session = service.start_session(target, actor=actor)
    return {"session": service.session_dict(session)}


@socket_event("session.end", SessionIdIn, permission=MODERATE, scope="session_id")
def end(actor: Actor, payload: SessionIdIn, target: LiveSession) -> dict:
    session = service.end_session(target, actor=actor)
    return {"session": service.session_dict(session)}


@socket_event("session.reopen", SessionIdIn, permission=MODERATE, scope="session_id")
def reopen(actor: Actor, payload: SessionIdIn, target: LiveSession) -> dict:
    """Undo the end of a session (logged): live again, with what the end had closed."""
    session = service.reopen_session(target, actor=actor)
    return {"session": service.session_dict(session)}


@socket_event("agenda.advance", AgendaAdvanceIn, permission=MODERATE, scope="session_id")
def advance(actor: Actor, payload: AgendaAdvanceIn, target: LiveSession) -> dict:
    session = target
    item = (
        service.get_agenda_item(session, payload.agenda_item_id)
        if payload.agenda_item_id is not None
        else None
    )
    service.advance_agenda(session, item, actor=actor)
    return {"session": service.session_dict(session)}


@snapshot_part("session")
def _session_part(join: Join) -> dict:
    """The same for everyone: built once per seq."""
    return join.shared("session", lambda: service.session_dict(join.session))


@snapshot_part("agenda")
def _agenda_part(join: Join) -> list:
    """The same for everyone: built once per seq."""
    return join.shared(
        "agenda", lambda: [service.agenda_item_dict(item) for item in join.session.agenda]
    )

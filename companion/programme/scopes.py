"""What the programme's ids resolve to for a permission check: sessions, events, agenda, speakers."""

from __future__ import annotations

from ..core.scopes import Target, scope_resolver
from . import editing, service
from .models import LiveSession


def session_target(session: LiveSession) -> Target:
    """A session as a scope: its own id, its event, the speakers on its agenda (for WATCH)."""
    return Target(
        session,
        session_id=session.id,
        event_id=session.event_id,
        speaker_ids=lambda: {s.id for item in session.agenda for s in item.speakers},
    )


@scope_resolver("session_id")
def _session(session_id: int) -> Target:
    return session_target(service.get_session(session_id))


@scope_resolver("slug")
def _event(slug: str) -> Target:
    event = service.get_event(slug)
    return Target(event, event_id=event.id)


@scope_resolver("item_id")
def _agenda_item(item_id: int) -> Target:
    item = editing.get_item(item_id)
    return Target(item, session_id=item.session_id, event_id=item.session.event_id)


@scope_resolver("speaker_id")
def _speaker(speaker_id: int) -> Target:
    speaker = editing.get_speaker(speaker_id)
    return Target(speaker, event_id=speaker.event_id)

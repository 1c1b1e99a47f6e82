"""Editing the programme in the organiser's workspace: events, sessions, agenda, speakers.

Every verb takes validated data and an explicit actor; the caller commits. A change to a
session's fields or agenda is broadcast to its room (``session.updated`` / ``agenda.updated``
with the session's seq), so an open attendee page, console or projector follows at once.
Removing a row that others' contributions point to is refused with the reason, never cascaded.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select

from ..core import permissions
from ..core.errors import Conflict, Invalid, NotFound
from ..core.i18n import N_, NC_, translate_in
from ..core.timeutil import as_utc
from ..extensions import db
from ..realtime import hub, revocation
from .models import AgendaItem, AgendaItemSpeaker, Event, LiveSession, SessionStatus, Speaker
from .schemas import (
    AgendaItemIn,
    AgendaItemPatch,
    EventIn,
    EventPatch,
    SessionIn,
    SessionPatch,
    SpeakerIn,
    SpeakerPatch,
)
from .service import agenda_item_dict, new_join_code, session_dict

#: What a row held by these tables is called in a refusal ("it holds questions, polls").
_HOLDER_LABELS = {
    "questions": NC_("held by", "questions"),
    "polls": NC_("held by", "polls"),
    "participants": NC_("held by", "participants"),
    "registration_sessions": NC_("held by", "registrations"),
    "floor_requests": NC_("held by", "turns to speak"),
    "floor_agenda_runs": NC_("held by", "a record of its running"),
    "session_moderators": NC_("held by", "a moderation record"),
    "question_bans": NC_("held by", "moderation records"),
}
#: Tables that are part of the row itself (removed with it, nothing of anyone's is lost).
_OWN_PARTS = {
    "live_sessions": {"agenda_items", "session_broadcasts"},
    "agenda_items": {"agenda_item_speakers"},
    "speakers": {"agenda_item_speakers"},
}


# ---------------------------------------------------------------- reading


def get_speaker(speaker_id: int) -> Speaker:
    speaker = db.session.get(Speaker, speaker_id)
    if speaker is None:
        raise NotFound(N_("No such speaker."))
    return speaker


def get_item(item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None:
        raise NotFound(N_("No such agenda item."))
    return item


def editor_session_dict(session: LiveSession) -> dict[str, Any]:
    """A session as the editor sees it: private fields and the agenda with speaker ids."""
    return {
        **session_dict(session),
        "key": session.key,
        "join_code": session.join_code,
        "agenda": [agenda_item_dict(i) for i in session.agenda],
    }


def editor_event_dict(event: Event) -> dict[str, Any]:
    """The whole event as the editor loads it (facilitators only)."""
    from .service import EVENT_FIELDS, speaker_dict

    return {
        **{name: getattr(event, name) for name in EVENT_FIELDS},
        "retention_days": event.retention_days,
        # link_issued: asking for a link again replaces the one the speaker may already hold.
        "speakers": [
            {**speaker_dict(s), "link_issued": bool(s.token_version)}
            for s in sorted(event.speakers, key=lambda s: s.id)
        ],
        "sessions": [editor_session_dict(s) for s in event.sessions],
    }


# ---------------------------------------------------------------- events


def create_event(data: EventIn, *, actor) -> Event:
    """Create an empty event.

    :raises Conflict: the slug is taken.
    """
    permissions.check_facilitate(actor)
    _slug_free(data.slug)
    event = Event(**data.model_dump())
    db.session.add(event)
    db.session.flush()
    return event


def update_event(event: Event, data: EventPatch, *, actor) -> Event:
    """Change the fields given; every session hears of it (its ``event_slug`` or timezone may
    change): its seq moves, so no join is answered from a snapshot cached before the change."""
    permissions.check_facilitate(actor)
    changes = _given(data)
    for name in ("slug", "title", "timezone", "language"):
        if name in changes and changes[name] is None:
            raise _empty(name)
    for name in ("description", "contact", "follow_up", "registration_required"):
        if name in changes and changes[name] is None:
            raise _empty(name)
    if "slug" in changes and changes["slug"] != event.slug:
        _slug_free(changes["slug"])
    for name, value in changes.items():
        setattr(event, name, value)
    db.session.flush()
    for session in event.sessions:
        hub.publish(session.id, "session.updated", {"session": session_dict(session)})
    return event


def _slug_free(slug: str) -> None:
    if db.session.scalar(select(Event.id).where(Event.slug == slug)):
        raise Conflict(
            N_("An event with the address %(slug)s already exists."), params={"slug": slug}
        )


def _empty(name: str) -> Invalid:
    """The error for a field sent as null that must keep a value."""
    return Invalid(
        N_("This field cannot be empty: %(field)s."),
        params={"field": name},
        details=[{"field": name, "problem": N_("may not be null")}],
    )


def _given(data) -> dict[str, Any]:
    return {name: getattr(data, name) for name in data.model_fields_set}


# ---------------------------------------------------------------- sessions


def _localise(value: datetime, tz: str) -> datetime:
    """Read a time without offset as the event's local time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz))
    return as_utc(value)


def _key_for(model, event_id: int, title: str) -> str:
    """A stable key from ``title``, unique within the event (programme files use keys)."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60] or "item"
    taken = set(db.session.scalars(select(model.key).where(model.event_id == event_id)))
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def create_session(event: Event, data: SessionIn, *, actor) -> LiveSession:
    """Add a session to the event."""
    permissions.check_facilitate(actor)
    session = LiveSession(
        event=event,
        key=_key_for(LiveSession, event.id, data.title),
        title=data.title,
        description=data.description,
        starts_at=_localise(data.starts_at, event.timezone),
        ends_at=_localise(data.ends_at, event.timezone),
        webconference_url=data.webconference_url,
        join_code=new_join_code(),
        settings={},
    )
    db.session.add(session)
    db.session.flush()
    db.session.refresh(event)  # the event's sessions, in their order by start
    return session


def update_session(session: LiveSession, data: SessionPatch, *, actor) -> LiveSession:
    """Change a session's fields; its room hears ``session.updated`` at once."""
    permissions.check_facilitate(actor)
    changes = _given(data)
    for name in ("title", "starts_at", "ends_at", "description", "webconference_url"):
        if name in changes and changes[name] is None:
            raise _empty(name)
    tz = session.event.timezone
    for name in ("starts_at", "ends_at"):
        if name in changes:
            changes[name] = _localise(changes[name], tz)
    starts = changes.get("starts_at", session.starts_at)
    ends = changes.get("ends_at", session.ends_at)
    if ends <= starts:
        raise Invalid(
            N_("The session must end after it starts."),
            details=[{"field": "ends_at", "problem": "ends_at must come after starts_at"}],
        )
    for name, value in changes.items():
        setattr(session, name, value)
    db.session.flush()
    hub.publish(session.id, "session.updated", {"session": session_dict(session)})
    return session


def delete_session(session: LiveSession, *, actor) -> None:
    """Remove a session that has not run and holds nothing of anyone's.

    :raises Conflict: it is live or has run, or people's contributions or registrations
        point to it (the reason names them).
    """
    permissions.check_facilitate(actor)
    if session.status != SessionStatus.SCHEDULED or session.started_at is not None:
        raise Conflict(
            N_("This session has already run: it cannot be removed, its record is kept.")
        )
    _refuse_if_held(
        "live_sessions",
        session.id,
        N_("This session cannot be removed: it holds %(what)s. Remove those first."),
    )
    db.session.delete(session)
    db.session.flush()


def _holders(table_name: str, row_id: int) -> list[str]:
    """Name the other tables whose rows point to ``table_name`` row ``row_id``."""
    own = _OWN_PARTS.get(table_name, set())
    found = []
    for table in db.metadata.sorted_tables:
        if table.name in own:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name != table_name or fk.column.name != "id":
                continue
            count = db.session.scalar(
                select(func.count()).select_from(table).where(fk.parent == row_id)
            )
            if count and table.name not in found:
                found.append(table.name)
    return found


def _refuse_if_held(table_name: str, row_id: int, message: str) -> None:
    held = _holders(table_name, row_id)
    if held:
        what = ", ".join(
            translate_in(_HOLDER_LABELS[name]) if name in _HOLDER_LABELS else name for name in held
        )
        raise Conflict(message, params={"what": what}, details={"held_by": held})


# ---------------------------------------------------------------- agenda


def publish_agenda(session: LiveSession) -> None:
    """Tell the session's room the agenda changed: the whole list, in order."""
    db.session.flush()
    db.session.refresh(session, ["agenda"])
    hub.publish(
        session.id,
        "agenda.updated",
        {
            "agenda_item_id": session.current_agenda_item_id,
            "agenda": [agenda_item_dict(i) for i in session.agenda],
            "edited": True,
        },
    )


def _speaker_links(event_id: int, speaker_ids: list[int]) -> list[AgendaItemSpeaker]:
    if len(set(speaker_ids)) != len(speaker_ids):
        raise Invalid(
            N_("A speaker is listed twice."),
            details=[{"field": "speaker_ids", "problem": "duplicate speaker"}],
        )
    links = []
    for position, speaker_id in enumerate(speaker_ids):
        speaker = db.session.get(Speaker, speaker_id)
        if speaker is None or speaker.event_id != event_id:
            raise Invalid(
                N_("This speaker is not on this event's programme."),
                details=[
                    {
                        "field": f"speaker_ids.{position}",
                        "problem": N_("unknown speaker %(id)s"),
                        "params": {"id": speaker_id},
                    }
                ],
            )
        links.append(AgendaItemSpeaker(speaker=speaker, position=position))
    return links


def add_agenda_item(session: LiveSession, data: AgendaItemIn, *, actor) -> AgendaItem:
    """Append an item to the session's agenda."""
    permissions.check_facilitate(actor)
    if session.status == SessionStatus.ENDED:
        raise Conflict(N_("This session has ended."))
    item = AgendaItem(
        session=session,
        position=len(session.agenda),
        title=data.title,
        kind=data.kind,
        planned_minutes=data.planned_minutes,
        description=data.description,
        speaker_links=_speaker_links(session.event_id, data.speaker_ids),
    )
    db.session.add(item)
    publish_agenda(session)
    return item


def update_agenda_item(item: AgendaItem, data: AgendaItemPatch, *, actor) -> AgendaItem:
    permissions.check_facilitate(actor)
    changes = _given(data)
    for name in ("title", "kind", "planned_minutes", "description", "speaker_ids"):
        if name in changes and changes[name] is None:
            raise _empty(name)
    speaker_ids = changes.pop("speaker_ids", None)
    for name, value in changes.items():
        setattr(item, name, value)
    if speaker_ids is not None:
        links = _speaker_links(item.session.event_id, speaker_ids)
        item.speaker_links.clear()
        db.session.flush()
        item.speaker_links.extend(links)
    publish_agenda(item.session)
    return item


def delete_agenda_item(item: AgendaItem, *, actor) -> None:
    """Remove an item nobody's contribution points to, and close the gap in the order."""
    permissions.check_facilitate(actor)
    session = item.session
    if session.current_agenda_item_id == item.id:
        raise Conflict(N_("This item is under way: move the agenda on before removing it."))
    _refuse_if_held(
        "agenda_items",
        item.id,
        N_("This agenda item cannot be removed: %(what)s point to it."),
    )
    session.agenda.remove(item)
    db.session.delete(item)
    db.session.flush()
    for position, other in enumerate(session.agenda):
        other.position = position
    publish_agenda(session)


def reorder_agenda(session: LiveSession, item_ids: list[int], *, actor) -> LiveSession:
    """Put the session's agenda in the order given (every item once).

    :raises Invalid: the list is not exactly this session's items.
    """
    permissions.check_facilitate(actor)
    current = [i.id for i in session.agenda]
    if sorted(item_ids) != sorted(current) or len(set(item_ids)) != len(item_ids):
        raise Invalid(
            N_("Give every agenda item of this session exactly once."),
            details=[{"field": "agenda_item_ids", "problem": "not this session's items"}],
        )
    by_id = {i.id: i for i in session.agenda}
    # Two steps: positions are not unique, but keep them tidy and never equal mid-way.
    for position, item_id in enumerate(item_ids):
        by_id[item_id].position = position
    db.session.flush()
    publish_agenda(session)
    return session


# ---------------------------------------------------------------- speakers


def create_speaker(event: Event, data: SpeakerIn, *, actor) -> Speaker:
    permissions.check_facilitate(actor)
    speaker = Speaker(event=event, key=_key_for(Speaker, event.id, data.name), **data.model_dump())
    db.session.add(speaker)
    db.session.flush()
    return speaker


def _sessions_with(speaker: Speaker) -> list[LiveSession]:
    # Ids first: DISTINCT over whole rows fails on PostgreSQL's json column (settings).
    ids = (
        select(AgendaItem.session_id)
        .join(AgendaItemSpeaker, AgendaItemSpeaker.agenda_item_id == AgendaItem.id)
        .where(AgendaItemSpeaker.speaker_id == speaker.id)
    )
    return list(
        db.session.scalars(
            select(LiveSession).where(LiveSession.id.in_(ids)).order_by(LiveSession.starts_at)
        )
    )


def update_speaker(speaker: Speaker, data: SpeakerPatch, *, actor) -> Speaker:
    """Change a speaker; the agendas showing them are broadcast again."""
    permissions.check_facilitate(actor)
    changes = _given(data)
    for name, value in changes.items():
        if value is None:
            raise _empty(name)
        setattr(speaker, name, value)
    db.session.flush()
    # The speaker view shows their name: loaded afresh at their next event.
    revocation.revoke([("speaker", speaker.id)], disconnect=False)
    for session in _sessions_with(speaker):
        publish_agenda(session)
    return speaker


def delete_speaker(speaker: Speaker, *, actor) -> None:
    """Remove a speaker who never had the floor nor a question addressed to them."""
    permissions.check_facilitate(actor)
    _refuse_if_held(
        "speakers",
        speaker.id,
        N_("This speaker cannot be removed: %(what)s name them. Edit them instead."),
    )
    sessions = _sessions_with(speaker)
    db.session.execute(delete(AgendaItemSpeaker).where(AgendaItemSpeaker.speaker_id == speaker.id))
    db.session.delete(speaker)
    db.session.flush()
    revocation.revoke([("speaker", speaker.id)])
    for session in sessions:
        for item in session.agenda:
            db.session.expire(item, ["speaker_links"])
        publish_agenda(session)

"""Programme rules: reading, importing and exporting events; starting sessions; the agenda."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from blinker import Namespace
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core import permissions
from ..core.errors import Conflict, Invalid, NotFound
from ..core.i18n import N_
from ..core.schemas import problem_of
from ..core.timeutil import as_utc, iso, utcnow
from ..extensions import db
from ..realtime import hub
from .models import AgendaItem, AgendaItemSpeaker, Event, LiveSession, SessionStatus, Speaker
from .schemas import ProgrammeFile

signals = Namespace()
#: Sent inside the transaction when a moderator moves the agenda: (session, item, actor).
agenda_advanced = signals.signal("agenda-advanced")
#: Sent inside the transaction when a session starts or ends: (session, actor).
session_status_changed = signals.signal("session-status-changed")
#: Sent while importing a session's prepared polls: (session, polls list, item by index).
session_imported = signals.signal("session-imported")

#: Parts of a session's entry in the programme file that other domains write (as the snapshot
#: parts): ``fn(session) -> value``; an empty value is left out. Domains above the programme
#: register theirs at import, so the programme never imports them.
_FILE_PARTS: dict[str, Callable[[LiveSession], Any]] = {}


def programme_file_part(name: str):
    """Register ``fn(session)`` as the ``name`` entry of each session in the programme file."""

    def decorator(fn: Callable[[LiveSession], Any]) -> Callable[[LiveSession], Any]:
        _FILE_PARTS[name] = fn
        return fn

    return decorator


_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud in a call


# ---------------------------------------------------------------- reading


def get_event(slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise NotFound(N_("No event %(slug)r."), params={"slug": slug})
    return event


def get_session(session_id: int) -> LiveSession:
    session = db.session.get(LiveSession, session_id)
    if session is None:
        raise NotFound(N_("No session %(id)s."), params={"id": session_id})
    return session


def get_agenda_item(session: LiveSession, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.session_id != session.id:
        raise NotFound(N_("No agenda item %(id)s in this session."), params={"id": item_id})
    return item


def list_events() -> list[Event]:
    return list(db.session.scalars(select(Event).order_by(Event.created_at, Event.id)))


def speaker_dict(speaker: Speaker) -> dict[str, Any]:
    return {
        "id": speaker.id,
        "name": speaker.name,
        "role": speaker.role,
        "organisation": speaker.organisation,
        "bio": speaker.bio,
    }


def agenda_item_dict(item: AgendaItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "title": item.title,
        "kind": item.kind,
        "planned_minutes": item.planned_minutes,
        "description": item.description,
        "position": item.position,
        "speakers": [speaker_dict(s) for s in item.speakers],
    }


def session_dict(session: LiveSession) -> dict[str, Any]:
    """The contract's ``session`` shape, for its participants and staff.

    It carries the webconference link: send it only to people allowed into the session (the
    public programme, :func:`event_dict`, leaves it out).
    """
    tz = session.event.timezone
    return {
        "id": session.id,
        "event_slug": session.event.slug,
        "title": session.title,
        "description": session.description,
        "starts_at": iso(session.starts_at, tz),
        "ends_at": iso(session.ends_at, tz),
        "started_at": iso(session.started_at, tz),
        "ended_at": iso(session.ended_at, tz),
        "timezone": tz,
        "status": session.status.value,
        "current_agenda_item_id": session.current_agenda_item_id,
        "webconference_url": session.webconference_url or None,
    }


def public_session_dict(session: LiveSession) -> dict[str, Any]:
    """A session as anyone may see it: without the webconference link."""
    data = session_dict(session)
    del data["webconference_url"]
    return data


#: The event's public fields, as in GET /events/{slug} and in programme files.
EVENT_FIELDS = (
    "slug",
    "title",
    "description",
    "timezone",
    "language",
    "registration_required",
    "code_join_allowed",
    "contact",
    "follow_up",
)


def event_dict(event: Event, *, with_sessions: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(event, name) for name in EVENT_FIELDS}
    if with_sessions:
        data["sessions"] = [
            {**public_session_dict(s), "agenda": [agenda_item_dict(i) for i in s.agenda]}
            for s in event.sessions
        ]
    else:
        data["session_count"] = len(event.sessions)
        if event.sessions:
            data["starts_at"] = iso(event.sessions[0].starts_at, event.timezone)
            data["ends_at"] = iso(event.sessions[-1].ends_at, event.timezone)
    return data


# ---------------------------------------------------------------- import / export


def parse_programme(text: str) -> ProgrammeFile:
    """Parse a programme file, raising Invalid that names the line and the field at fault."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        # The parser's own words stay as they are (technical, and the line says where).
        problem = getattr(exc, "problem", None) or str(exc)
        if mark is None:
            raise Invalid(
                N_("The programme file is not valid YAML: %(problem)s"),
                params={"problem": problem},
            ) from None
        raise Invalid(
            N_(
                "The programme file is not valid YAML — line %(line)s, column %(column)s: %(problem)s"
            ),
            params={"line": mark.line + 1, "column": mark.column + 1, "problem": problem},
        ) from None
    if not isinstance(raw, dict):
        raise Invalid(N_("The programme file must be a mapping with event, speakers and sessions."))
    lines = _line_map(root)
    try:
        return ProgrammeFile.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False, include_input=False):
            path = tuple(err["loc"])
            line = _nearest_line(lines, path)
            field = ".".join(str(p) for p in path) or "(file)"
            problems.append({"field": field, "line": line, "problem": problem_of(err)})
        first = problems[0]
        params = {"line": first["line"], "field": first["field"], "problem": first["problem"]}
        if first["line"]:
            message = N_("The programme file is not valid — line %(line)s, %(field)s: %(problem)s")
        else:
            message = N_("The programme file is not valid — %(field)s: %(problem)s")
        raise Invalid(message, params=params, details=problems) from None


def _line_map(node, path=()) -> dict[tuple, int]:
    """Map each YAML path (keys and list indexes) to its 1-based line."""
    lines = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*path, key_node.value)
            lines.update(_line_map(value_node, child))
            lines[child] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.update(_line_map(item, (*path, index)))
    return lines


def _nearest_line(lines: dict[tuple, int], path: tuple) -> int | None:
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())


def _localise(value: datetime, tz: str) -> datetime:
    """Read a naive programme time as the event's local time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz))
    return as_utc(value)


def new_join_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))


def import_programme(text: str) -> Event:
    """Create an event from a programme file, all or nothing (the caller commits).

    :raises Invalid: the file is malformed (naming the line and field).
    :raises Conflict: an event with this slug already exists.
    """
    programme = parse_programme(text)
    spec = programme.event
    if db.session.scalar(select(Event.id).where(Event.slug == spec.slug)):
        raise Conflict(
            N_("An event with the address %(slug)s already exists."), params={"slug": spec.slug}
        )
    event = Event(**spec.model_dump())
    db.session.add(event)
    speakers = {}
    for s in programme.speakers:
        speakers[s.key] = Speaker(event=event, **s.model_dump())
        db.session.add(speakers[s.key])
    for s in programme.sessions:
        session = LiveSession(
            event=event,
            key=s.key,
            title=s.title,
            description=s.description,
            starts_at=_localise(s.starts_at, spec.timezone),
            ends_at=_localise(s.ends_at, spec.timezone),
            webconference_url=s.webconference_url,
            join_code=new_join_code(),
            settings=dict(s.settings),
        )
        db.session.add(session)
        items = []
        for position, item in enumerate(s.agenda):
            agenda_item = AgendaItem(
                session=session,
                position=position,
                title=item.title,
                kind=item.kind,
                planned_minutes=item.planned_minutes,
                description=item.description,
                speaker_links=[
                    AgendaItemSpeaker(speaker=speakers[key], position=i)
                    for i, key in enumerate(item.speakers)
                ],
            )
            db.session.add(agenda_item)
            items.append(agenda_item)
        db.session.flush()
        if s.polls:
            session_imported.send(session, polls=s.polls, items=items)
    db.session.flush()
    return event


def export_programme(event: Event) -> str:
    """Write an event back as a programme file that import_programme reads."""
    speakers = sorted(event.speakers, key=lambda s: s.id)
    tz = ZoneInfo(event.timezone)
    data = {
        "event": {
            **{name: getattr(event, name) for name in EVENT_FIELDS},
            "retention_days": event.retention_days,
        },
        "speakers": [
            {k: getattr(s, k) for k in ("key", "name", "role", "organisation", "bio")}
            for s in speakers
        ],
        "sessions": [],
    }
    for session in event.sessions:
        entry = {
            "key": session.key,
            "title": session.title,
            "description": session.description,
            "starts_at": session.starts_at.astimezone(tz).replace(tzinfo=None).isoformat(),
            "ends_at": session.ends_at.astimezone(tz).replace(tzinfo=None).isoformat(),
            **(
                {"webconference_url": session.webconference_url}
                if session.webconference_url
                else {}
            ),
            "agenda": [
                {
                    "title": item.title,
                    "kind": item.kind,
                    "planned_minutes": item.planned_minutes,
                    "description": item.description,
                    "speakers": [s.key for s in item.speakers],
                }
                for item in session.agenda
            ],
        }
        if session.settings:
            entry["settings"] = dict(session.settings)
        for name, part in _FILE_PARTS.items():
            value = part(session)
            if value:
                entry[name] = value
        data["sessions"].append(entry)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def load_event_tree(slug: str) -> Event:
    """Return the event with its sessions, agenda and speakers loaded in few queries."""
    event = db.session.scalar(
        select(Event)
        .where(Event.slug == slug)
        .options(
            selectinload(Event.sessions)
            .selectinload(LiveSession.agenda)
            .selectinload(AgendaItem.speaker_links)
        )
    )
    if event is None:
        raise NotFound(N_("No event %(slug)r."), params={"slug": slug})
    return event


# ---------------------------------------------------------------- live changes


def start_session(session: LiveSession, *, actor) -> LiveSession:
    """Put a scheduled session live (an ended one is reopened); see programme.lifecycle."""
    from .lifecycle import start_session as start

    return start(session, actor=actor)


def end_session(session: LiveSession, *, actor) -> LiveSession:
    """End a live session, closing everything; see programme.lifecycle."""
    from .lifecycle import end_session as end

    return end(session, actor=actor)


def reopen_session(session: LiveSession, *, actor) -> LiveSession:
    """Undo the end of a session; see programme.lifecycle."""
    from .lifecycle import reopen_session as reopen

    return reopen(session, actor=actor)


def advance_agenda(session: LiveSession, item: AgendaItem | None, *, actor) -> LiveSession:
    """Make ``item`` the agenda item under way (None: between items)."""
    permissions.check_moderate(actor, session.id)
    if session.status == SessionStatus.ENDED:
        raise Conflict(N_("This session has ended."))
    session.current_agenda_item_id = item.id if item else None
    db.session.flush()
    agenda_advanced.send(session, item=item, actor=actor)
    hub.publish(
        session.id,
        "agenda.updated",
        {
            "agenda_item_id": session.current_agenda_item_id,
            "agenda_item": agenda_item_dict(item) if item else None,
            "advanced_at": iso(utcnow(), session.event.timezone),
        },
    )
    return session

"""HTTP API of the organiser's workspace: edit events, sessions, agenda and speakers.

Every write is facilitator-only. Changes to a session reach its room at once (see editing).
"""

from __future__ import annotations

from flask import Response, request

from ..core.errors import Invalid, PayloadTooLarge
from ..core.http import api_route
from ..core.i18n import N_
from ..core.permissions import FACILITATE
from . import editing, service
from .schemas import (
    AgendaItemIn,
    AgendaItemPatch,
    AgendaOrderIn,
    EventIn,
    EventPatch,
    SessionIn,
    SessionPatch,
    SpeakerIn,
    SpeakerPatch,
)

TAG = "workspace"
#: A programme file larger than this is refused (the seed's is 12 kB).
MAX_PROGRAMME_BYTES = 1_000_000


# ---------------------------------------------------------------- events


@api_route(
    "/events",
    "POST",
    summary="Create an event (empty: add sessions and speakers next)",
    tag=TAG,
    body=EventIn,
    permission=FACILITATE,
    responses={"status": 201},
)
def create_event(actor, payload: EventIn):
    event = editing.create_event(payload, actor=actor)
    return editing.editor_event_dict(event), 201


@api_route(
    "/events/<slug>",
    "PATCH",
    summary="Change an event's fields (only those given)",
    tag=TAG,
    body=EventPatch,
    permission=FACILITATE,
    scope="slug",
)
def update_event(actor, payload: EventPatch, slug: str, target):
    event = editing.update_event(target, payload, actor=actor)
    return editing.editor_event_dict(event)


@api_route(
    "/events/<slug>/editor",
    summary="The whole event as the editor loads it: private fields, speakers, join codes",
    tag=TAG,
    permission=FACILITATE,
    scope="slug",
)
def event_for_editor(actor, payload, slug: str):
    return editing.editor_event_dict(service.load_event_tree(slug))


# ---------------------------------------------------------------- sessions


@api_route(
    "/events/<slug>/sessions",
    "POST",
    summary="Add a session to an event",
    tag=TAG,
    body=SessionIn,
    permission=FACILITATE,
    scope="slug",
    responses={"status": 201},
)
def create_session(actor, payload: SessionIn, slug: str, target):
    session = editing.create_session(target, payload, actor=actor)
    return editing.editor_session_dict(session), 201


@api_route(
    "/sessions/<int:session_id>",
    "PATCH",
    summary="Change a session (a live session's room hears it at once)",
    tag=TAG,
    body=SessionPatch,
    permission=FACILITATE,
    scope="session_id",
)
def update_session(actor, payload: SessionPatch, session_id: int, target):
    session = editing.update_session(target, payload, actor=actor)
    return editing.editor_session_dict(session)


@api_route(
    "/sessions/<int:session_id>",
    "DELETE",
    summary="Remove a session that has not run and holds no contribution or registration",
    tag=TAG,
    permission=FACILITATE,
    scope="session_id",
)
def delete_session(actor, payload, session_id: int, target):
    editing.delete_session(target, actor=actor)
    return {"deleted": True, "id": session_id}


# ---------------------------------------------------------------- agenda


@api_route(
    "/sessions/<int:session_id>/agenda",
    "POST",
    summary="Append an item to a session's agenda",
    tag=TAG,
    body=AgendaItemIn,
    permission=FACILITATE,
    scope="session_id",
    responses={"status": 201},
)
def add_agenda_item(actor, payload: AgendaItemIn, session_id: int, target):
    item = editing.add_agenda_item(target, payload, actor=actor)
    return service.agenda_item_dict(item), 201


@api_route(
    "/agenda-items/<int:item_id>",
    "PATCH",
    summary="Change an agenda item (title, kind, planned minutes, speakers)",
    tag=TAG,
    body=AgendaItemPatch,
    permission=FACILITATE,
    scope="item_id",
)
def update_agenda_item(actor, payload: AgendaItemPatch, item_id: int, target):
    item = editing.update_agenda_item(target, payload, actor=actor)
    return service.agenda_item_dict(item)


@api_route(
    "/agenda-items/<int:item_id>",
    "DELETE",
    summary="Remove an agenda item nobody's contribution points to",
    tag=TAG,
    permission=FACILITATE,
    scope="item_id",
)
def delete_agenda_item(actor, payload, item_id: int, target):
    editing.delete_agenda_item(target, actor=actor)
    return {"deleted": True, "id": item_id}


@api_route(
    "/sessions/<int:session_id>/agenda/order",
    "PUT",
    summary="Put a session's agenda items in a new order (every item once)",
    tag=TAG,
    body=AgendaOrderIn,
    permission=FACILITATE,
    scope="session_id",
)
def reorder_agenda(actor, payload: AgendaOrderIn, session_id: int):
    session = editing.reorder_agenda(
        service.get_session(session_id), payload.agenda_item_ids, actor=actor
    )
    return {"agenda": [service.agenda_item_dict(i) for i in session.agenda]}


# ---------------------------------------------------------------- speakers


@api_route(
    "/events/<slug>/speakers",
    "POST",
    summary="Add a speaker to an event's programme",
    tag=TAG,
    body=SpeakerIn,
    permission=FACILITATE,
    scope="slug",
    responses={"status": 201},
)
def create_speaker(actor, payload: SpeakerIn, slug: str, target):
    speaker = editing.create_speaker(target, payload, actor=actor)
    return service.speaker_dict(speaker), 201


@api_route(
    "/speakers/<int:speaker_id>",
    "PATCH",
    summary="Change a speaker (name, role, organisation, bio)",
    tag=TAG,
    body=SpeakerPatch,
    permission=FACILITATE,
    scope="speaker_id",
)
def update_speaker(actor, payload: SpeakerPatch, speaker_id: int, target):
    speaker = editing.update_speaker(target, payload, actor=actor)
    return service.speaker_dict(speaker)


@api_route(
    "/speakers/<int:speaker_id>",
    "DELETE",
    summary="Remove a speaker who never had the floor nor a question",
    tag=TAG,
    permission=FACILITATE,
    scope="speaker_id",
)
def delete_speaker(actor, payload, speaker_id: int, target):
    editing.delete_speaker(target, actor=actor)
    return {"deleted": True, "id": speaker_id}


# ---------------------------------------------------------------- programme files


@api_route(
    "/events/import",
    "POST",
    summary="Import a programme file (YAML body, as the CLI reads it)",
    description="Send the file as the body (Content-Type: application/yaml or text/plain). "
    "A bad file is refused with the line and the field at fault, as by import-programme.",
    tag=TAG,
    permission=FACILITATE,
    responses={"status": 201},
)
def import_programme(actor, payload):
    if (request.content_length or 0) > MAX_PROGRAMME_BYTES:
        raise PayloadTooLarge(N_("The programme file is too large."))
    raw = request.get_data(cache=False)
    if not raw.strip():
        raise Invalid(N_("Send the programme file (YAML) as the request body."))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(N_("The programme file must be UTF-8 text.")) from None
    event = service.import_programme(text)
    return editing.editor_event_dict(event), 201


@api_route(
    "/events/<slug>/programme.yaml",
    summary="The event as a programme file (YAML), as export-programme writes it",
    tag=TAG,
    permission=FACILITATE,
    scope="slug",
    produces=("application/yaml",),
)
def export_programme(actor, payload, slug: str):
    event = service.load_event_tree(slug)
    return Response(
        service.export_programme(event),
        mimetype="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{slug}.yaml"'},
    )

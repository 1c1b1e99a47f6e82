"""Socket events of the floor: raise hand, hand over, time, sort, open and close the list."""

from __future__ import annotations

from ..core.actors import Actor
from ..core.timeutil import utcnow
from ..programme import service as programme
from ..programme.models import LiveSession
from ..realtime.dispatcher import ANYONE, PARTICIPANT, STAFF, socket_event
from ..realtime.snapshot import snapshot_part
from . import service
from .schemas import FloorRequestIn, GiveIn, RequestIdIn, SessionIdIn, SettingsIn, SortIn


@snapshot_part("floor")
def _floor_part(session: LiveSession, actor: Actor) -> dict:
    return service.floor_dict(session)


def _speech(request) -> dict:
    return {
        "request_id": request.id,
        "began_at": service.stamp(request.began_at),
        "allotted_s": request.allotted_s,
        "paused": request.paused_at is not None,
    }


@socket_event(
    "floor.request",
    FloorRequestIn,
    roles=frozenset({PARTICIPANT}),
    idempotent=True,
    rate_limit="contribution",
)
def request_floor(actor: Actor, payload: FloorRequestIn) -> dict:
    session = programme.get_session(payload.session_id)
    request = service.request_floor(session, payload.kind, actor=actor, client_id=payload.client_id)
    position = [r.id for r in service.waiting_requests(session)].index(request.id) + 1
    return {"request_id": request.id, "kind": request.kind, "position": position}


@socket_event("floor.withdraw", RequestIdIn, roles=ANYONE)
def withdraw(actor: Actor, payload: RequestIdIn) -> dict:
    request = service.withdraw_request(service.get_request(payload.request_id), actor=actor)
    return {"request_id": request.id, "state": "removed" if request.removed_at else "withdrawn"}


@socket_event("floor.give", GiveIn, roles=STAFF)
def give(actor: Actor, payload: GiveIn) -> dict:
    session = programme.get_session(payload.session_id)
    if payload.request_id is not None:
        request = service.give_floor(
            session, request=service.get_request(payload.request_id), actor=actor
        )
    else:
        speaker = service.get_speaker(session, payload.speaker_id)
        request = service.give_floor(session, speaker=speaker, actor=actor)
    return _speech(request)


@socket_event("floor.next", SessionIdIn, roles=STAFF)
def next_speaker(actor: Actor, payload: SessionIdIn) -> dict:
    session = programme.get_session(payload.session_id)
    return _speech(service.next_speaker(session, actor=actor))


@socket_event("floor.end", SessionIdIn, roles=STAFF)
def end(actor: Actor, payload: SessionIdIn) -> dict:
    now = utcnow()
    request = service.end_speech(programme.get_session(payload.session_id), actor=actor, now=now)
    return {"request_id": request.id, "spoken_s": round(service.elapsed_s(request, now), 1)}


@socket_event("floor.pause", SessionIdIn, roles=STAFF)
def pause(actor: Actor, payload: SessionIdIn) -> dict:
    return _speech(service.pause_speech(programme.get_session(payload.session_id), actor=actor))


@socket_event("floor.resume", SessionIdIn, roles=STAFF)
def resume(actor: Actor, payload: SessionIdIn) -> dict:
    return _speech(service.resume_speech(programme.get_session(payload.session_id), actor=actor))


@socket_event("floor.sort", SortIn, roles=STAFF)
def sort(actor: Actor, payload: SortIn) -> dict:
    session = programme.get_session(payload.session_id)
    service.sort_queue(session, payload.request_ids, actor=actor)
    return {"request_ids": [r.id for r in service.waiting_requests(session)]}


@socket_event("floor.close_list", SessionIdIn, roles=STAFF)
def close_list(actor: Actor, payload: SessionIdIn) -> dict:
    service.set_list_open(programme.get_session(payload.session_id), False, actor=actor)
    return {"list_open": False}


@socket_event("floor.open_list", SessionIdIn, roles=STAFF)
def open_list(actor: Actor, payload: SessionIdIn) -> dict:
    service.set_list_open(programme.get_session(payload.session_id), True, actor=actor)
    return {"list_open": True}


@socket_event("floor.settings", SettingsIn, roles=STAFF)
def settings(actor: Actor, payload: SettingsIn) -> dict:
    session = programme.get_session(payload.session_id)
    times = payload.times.model_dump(exclude_none=True) if payload.times else None
    service.change_settings(
        session, actor=actor, fairness=payload.fairness, times=times, warning_s=payload.warning_s
    )
    current = service.floor_settings(session)
    return {k: current[k] for k in ("fairness", "times", "warning_s")}

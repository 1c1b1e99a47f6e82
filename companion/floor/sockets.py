"""Socket events of the floor: raise hand, hand over, time, sort, open and close the list."""

from __future__ import annotations

from ..core.actors import Actor
from ..core.timeutil import utcnow
from ..programme import service as programme
from ..programme.models import LiveSession
from ..realtime.dispatcher import ANYONE, PARTICIPANT, STAFF, socket_event
from ..realtime.snapshot import snapshot_part
from . import handover, presenters, queries, queue, timers
from .schemas import FloorRequestIn, GiveIn, RequestIdIn, SessionIdIn, SettingsIn, SortIn
from .settings import change_settings


@snapshot_part("floor")
def _floor_part(session: LiveSession, actor: Actor) -> dict:
    return presenters.floor_dict(session)


@socket_event(
    "floor.request",
    FloorRequestIn,
    roles=frozenset({PARTICIPANT}),
    idempotent=True,
    rate_limit="contribution",
)
def request_floor(actor: Actor, payload: FloorRequestIn) -> dict:
    session = programme.get_session(payload.session_id)
    request = queue.request_floor(session, payload.kind, actor=actor, client_id=payload.client_id)
    return presenters.request_dict(session, request)


@socket_event("floor.withdraw", RequestIdIn, roles=ANYONE)
def withdraw(actor: Actor, payload: RequestIdIn) -> dict:
    request = queue.withdraw_request(queries.get_request(payload.request_id), actor=actor)
    return presenters.withdrawal_dict(request)


@socket_event("floor.give", GiveIn, roles=STAFF)
def give(actor: Actor, payload: GiveIn) -> dict:
    session = programme.get_session(payload.session_id)
    if payload.request_id is not None:
        request = handover.give_floor(
            session, request=queries.get_request(payload.request_id), actor=actor
        )
    else:
        speaker = queries.get_speaker(session, payload.speaker_id)
        request = handover.give_floor(session, speaker=speaker, actor=actor)
    return presenters.speech_dict(request)


@socket_event("floor.next", SessionIdIn, roles=STAFF)
def next_speaker(actor: Actor, payload: SessionIdIn) -> dict:
    session = programme.get_session(payload.session_id)
    return presenters.speech_dict(handover.next_speaker(session, actor=actor))


@socket_event("floor.end", SessionIdIn, roles=STAFF)
def end(actor: Actor, payload: SessionIdIn) -> dict:
    now = utcnow()
    request = handover.end_speech(programme.get_session(payload.session_id), actor=actor, now=now)
    return presenters.ended_dict(request, now)


@socket_event("floor.pause", SessionIdIn, roles=STAFF)
def pause(actor: Actor, payload: SessionIdIn) -> dict:
    session = programme.get_session(payload.session_id)
    return presenters.speech_dict(timers.pause_speech(session, actor=actor))


@socket_event("floor.resume", SessionIdIn, roles=STAFF)
def resume(actor: Actor, payload: SessionIdIn) -> dict:
    session = programme.get_session(payload.session_id)
    return presenters.speech_dict(timers.resume_speech(session, actor=actor))


@socket_event("floor.sort", SortIn, roles=STAFF)
def sort(actor: Actor, payload: SortIn) -> dict:
    session = programme.get_session(payload.session_id)
    queue.sort_queue(session, payload.request_ids, actor=actor)
    return presenters.queue_ids(session)


@socket_event("floor.close_list", SessionIdIn, roles=STAFF)
def close_list(actor: Actor, payload: SessionIdIn) -> dict:
    queue.set_list_open(programme.get_session(payload.session_id), False, actor=actor)
    return {"list_open": False}


@socket_event("floor.open_list", SessionIdIn, roles=STAFF)
def open_list(actor: Actor, payload: SessionIdIn) -> dict:
    queue.set_list_open(programme.get_session(payload.session_id), True, actor=actor)
    return {"list_open": True}


@socket_event("floor.settings", SettingsIn, roles=STAFF)
def settings(actor: Actor, payload: SettingsIn) -> dict:
    session = programme.get_session(payload.session_id)
    times = payload.times.model_dump(exclude_none=True) if payload.times else None
    change_settings(
        session, actor=actor, fairness=payload.fairness, times=times, warning_s=payload.warning_s
    )
    return presenters.settings_dict(session)

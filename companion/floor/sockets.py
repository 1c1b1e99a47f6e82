"""Socket events of the floor: raise hand, hand over, time, sort, open and close the list."""

from __future__ import annotations

from ..core.actors import Actor
from ..core.permissions import ATTEND, CONTRIBUTE, MODERATE
from ..core.scopes import Target, scope_resolver
from ..core.timeutil import utcnow
from ..programme.models import LiveSession
from ..realtime.dispatcher import socket_event
from ..realtime.snapshot import Join, snapshot_part
from . import handover, presenters, queries, queue, timers
from .models import FloorRequest
from .schemas import FloorRequestIn, GiveIn, RequestIdIn, SessionIdIn, SettingsIn, SortIn
from .settings import change_settings


@scope_resolver("request_id")
def _request_scope(request_id: int) -> Target:
    request = queries.get_request(request_id)
    return Target(request, session_id=request.session_id)


@snapshot_part("floor")
def _floor_part(join: Join) -> dict:
    """The same for everyone: read once per seq, timed at each join."""
    state = join.shared("floor", lambda: presenters.floor_state(join.session))
    return presenters.timed_floor(state, utcnow())


@socket_event(
    "floor.request",
    FloorRequestIn,
    permission=CONTRIBUTE,
    scope="session_id",
    idempotent=True,
    rate_limit="contribution",
)
def request_floor(actor: Actor, payload: FloorRequestIn, target: LiveSession) -> dict:
    session = target
    request = queue.request_floor(session, payload.kind, actor=actor, client_id=payload.client_id)
    return presenters.request_dict(session, request)


@socket_event("floor.withdraw", RequestIdIn, permission=ATTEND, scope="request_id")
def withdraw(actor: Actor, payload: RequestIdIn, target: FloorRequest) -> dict:
    request = queue.withdraw_request(target, actor=actor)
    return presenters.withdrawal_dict(request)


@socket_event("floor.give", GiveIn, permission=MODERATE, scope="session_id")
def give(actor: Actor, payload: GiveIn, target: LiveSession) -> dict:
    session = target
    if payload.request_id is not None:
        request = handover.give_floor(
            session, request=queries.get_request(payload.request_id), actor=actor
        )
    else:
        speaker = queries.get_speaker(session, payload.speaker_id)
        request = handover.give_floor(session, speaker=speaker, actor=actor)
    return presenters.speech_dict(request)


@socket_event("floor.next", SessionIdIn, permission=MODERATE, scope="session_id")
def next_speaker(actor: Actor, payload: SessionIdIn, target: LiveSession) -> dict:
    return presenters.speech_dict(handover.next_speaker(target, actor=actor))


@socket_event("floor.end", SessionIdIn, permission=MODERATE, scope="session_id")
def end(actor: Actor, payload: SessionIdIn, target: LiveSession) -> dict:
    now = utcnow()
    request = handover.end_speech(target, actor=actor, now=now)
    return presenters.ended_dict(request, now)


@socket_event("floor.pause", SessionIdIn, permission=MODERATE, scope="session_id")
def pause(actor: Actor, payload: SessionIdIn, target: LiveSession) -> dict:
    return presenters.speech_dict(timers.pause_speech(target, actor=actor))


@socket_event("floor.resume", SessionIdIn, permission=MODERATE, scope="session_id")
def resume(actor: Actor, payload: SessionIdIn, target: LiveSession) -> dict:
    return presenters.speech_dict(timers.resume_speech(target, actor=actor))


@socket_event("floor.sort", SortIn, permission=MODERATE, scope="session_id")
def sort(actor: Actor, payload: SortIn, target: LiveSession) -> dict:
    session = target
    queue.sort_queue(session, payload.request_ids, actor=actor)
    return presenters.queue_ids(session)


@socket_event("floor.close_list", SessionIdIn, permission=MODERATE, scope="session_id")
def close_list(actor: Actor, payload: SessionIdIn, target: LiveSession) -> dict:
    queue.set_list_open(target, False, actor=actor)
    return {"list_open": False}


@socket_event("floor.open_list", SessionIdIn, permission=MODERATE, scope="session_id")
def open_list(actor: Actor, payload: SessionIdIn, target: LiveSession) -> dict:
    queue.set_list_open(target, True, actor=actor)
    return {"list_open": True}


@socket_event("floor.settings", SettingsIn, permission=MODERATE, scope="session_id")
def settings(actor: Actor, payload: SettingsIn, target: LiveSession) -> dict:
    session = target
    times = payload.times.model_dump(exclude_none=True) if payload.times else None
    change_settings(
        session, actor=actor, fairness=payload.fairness, times=times, warning_s=payload.warning_s
    )
    return presenters.settings_dict(session)

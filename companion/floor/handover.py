"""Handing the floor over: to a raised hand, to a programme speaker, to the next in line, or
to nobody (the speech ends).

Functions take an optional ``now`` so tests can control time without sleeping.
"""

from __future__ import annotations

from datetime import datetime

from ..core import permissions
from ..core.actors import Actor
from ..core.errors import Conflict, Invalid, NotFound
from ..core.i18n import N_
from ..core.timeutil import utcnow
from ..extensions import db
from ..programme.models import LiveSession, Speaker
from .broadcasting import publish
from .models import PLANNED, FloorRequest
from .queries import (
    allotted,
    check_open,
    current_request,
    first_waiting_id,
    lock,
    remaining_planned,
    speech_under_way,
    waiting_requests,
)
from .timers import finish


def give_floor(
    session: LiveSession,
    *,
    request: FloorRequest | None = None,
    speaker: Speaker | None = None,
    actor: Actor,
    now: datetime | None = None,
) -> FloorRequest:
    """Hand the floor to a waiting request or to a programme speaker.

    Whoever holds the floor hands it over: their speech ends at the same instant.

    :raises Forbidden: the actor does not moderate this session.
    :raises Conflict: the request already has the floor, or is no longer waiting.
    """
    now = now or utcnow()
    permissions.check_moderate(actor, session.id)
    if (request is None) == (speaker is None):
        raise Invalid(N_("Give the floor to one request or one speaker."))
    lock(session)
    check_open(session)
    if request is not None:
        db.session.refresh(request)
        if request.session_id != session.id:
            raise NotFound(N_("No such request to speak."))
    return _hand_over(session, request=request, speaker=speaker, now=now)


def _hand_over(
    session: LiveSession,
    *,
    request: FloorRequest | None,
    speaker: Speaker | None,
    now: datetime,
) -> FloorRequest:
    current = current_request(session)
    if request is not None:
        if request.is_speaking:
            raise Conflict(N_("This person already has the floor."))
        if not request.is_waiting:
            raise Conflict(N_("This request was withdrawn or has already had the floor."))
    elif current is not None and current.speaker_id == speaker.id:
        raise Conflict(N_("This person already has the floor."))
    first_before = first_waiting_id(session)
    if current is not None:
        finish(current, now)
        # Ended before anyone begins: the one-speaker index checks every statement.
        db.session.flush()
    if request is None:
        request = FloorRequest(
            session_id=session.id,
            speaker_id=speaker.id,
            kind=PLANNED,
            requested_at=now,
        )
        db.session.add(request)
    request.agenda_item_id = session.current_agenda_item_id
    request.began_at = now
    request.allotted_s = allotted(session, request)
    publish(session, first_before, now)
    return request


def next_speaker(
    session: LiveSession, *, actor: Actor, now: datetime | None = None
) -> FloorRequest:
    """Hand over to the first in the queue, or, with no hand raised, the next planned speaker.

    :raises Forbidden: the actor does not moderate this session.
    :raises Conflict: nobody waits and no planned speaker remains.
    """
    now = now or utcnow()
    permissions.check_moderate(actor, session.id)
    lock(session)
    check_open(session)
    waiting = waiting_requests(session)
    if waiting:
        return _hand_over(session, request=waiting[0], speaker=None, now=now)
    planned = remaining_planned(session)
    if planned:
        return _hand_over(session, request=None, speaker=planned[0], now=now)
    raise Conflict(N_("Nobody is waiting for the floor."))


def end_speech(session: LiveSession, *, actor: Actor, now: datetime | None = None) -> FloorRequest:
    """End the speech under way; nobody has the floor afterwards.

    :raises Forbidden: the actor does not moderate this session.
    :raises Conflict: nobody has the floor.
    """
    now = now or utcnow()
    permissions.check_moderate(actor, session.id)
    current = speech_under_way(session)
    first_before = first_waiting_id(session)
    finish(current, now)
    publish(session, first_before, now)
    return current

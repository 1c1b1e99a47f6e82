"""The speaker's clock: pause and resume a speech, and close it with its pauses.

Functions take an optional ``now`` so tests can control time without sleeping.
"""

from __future__ import annotations

from datetime import datetime

from ..core import permissions
from ..core.actors import Actor
from ..core.errors import Conflict
from ..core.i18n import N_
from ..core.timeutil import utcnow
from ..programme.models import LiveSession
from .broadcasting import publish
from .models import FloorPause, FloorRequest
from .queries import first_waiting_id, speech_under_way


def finish(request: FloorRequest, now: datetime) -> None:
    """End a speech, closing the pause under way."""
    if request.paused_at is not None:
        _close_pause(request, now)
    request.ended_at = now


def _close_pause(request: FloorRequest, now: datetime) -> None:
    request.paused_total_s = (request.paused_total_s or 0.0) + max(
        0.0, (now - request.paused_at).total_seconds()
    )
    request.paused_at = None
    for pause in request.pauses:
        if pause.resumed_at is None:
            pause.resumed_at = now


def pause_speech(
    session: LiveSession, *, actor: Actor, now: datetime | None = None
) -> FloorRequest:
    """Stop the speaker's clock until resumed.

    :raises Forbidden: the actor does not moderate this session.
    :raises Conflict: nobody has the floor, or the speech is already paused.
    """
    now = now or utcnow()
    permissions.check_moderate(actor, session.id)
    current = speech_under_way(session)
    if current.paused_at is not None:
        raise Conflict(N_("The speech is already paused."))
    current.paused_at = now
    current.pauses.append(FloorPause(paused_at=now))
    publish(session, first_waiting_id(session), now)
    return current


def resume_speech(
    session: LiveSession, *, actor: Actor, now: datetime | None = None
) -> FloorRequest:
    """Restart the speaker's clock; the pause is excluded from the time spoken.

    :raises Forbidden: the actor does not moderate this session.
    :raises Conflict: nobody has the floor, or the speech is not paused.
    """
    now = now or utcnow()
    permissions.check_moderate(actor, session.id)
    current = speech_under_way(session)
    if current.paused_at is None:
        raise Conflict(N_("The speech is not paused."))
    _close_pause(current, now)
    publish(session, first_waiting_id(session), now)
    return current

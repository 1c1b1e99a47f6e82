"""The queue of raised hands: raise, withdraw, sort, and open or close the list of speakers.

Functions take an optional ``now`` so tests can control time without sleeping.
"""

from __future__ import annotations

from datetime import datetime

from ..core import permissions
from ..core.actors import Actor
from ..core.errors import Closed, Conflict, Forbidden, Invalid
from ..core.i18n import N_
from ..core.timeutil import utcnow
from ..extensions import db
from ..programme import service as programme
from ..programme.models import LiveSession
from .broadcasting import publish
from .models import REQUEST_KINDS, FloorRequest
from .queries import (
    POINT_OF_ORDER,
    check_open,
    first_waiting_id,
    floor_settings,
    lock,
    participants_who_spoke,
    store_settings,
    waiting_requests,
)


def renumber(ordered: list[FloorRequest]) -> None:
    """Give the waiting requests the sort keys of this order."""
    for index, request in enumerate(ordered, start=1):
        if request.sort_key != float(index):
            request.sort_key = float(index)


def _insert_at(
    waiting: list[FloorRequest], new: FloorRequest, spoke: set[int], fairness: bool
) -> int:
    """Where a new request enters the queue: points of order first, then (fairness) newcomers."""
    head = 0
    while head < len(waiting) and waiting[head].kind == POINT_OF_ORDER:
        head += 1
    if new.kind == POINT_OF_ORDER:
        return head
    if fairness and new.participant_id not in spoke:
        fresh = [
            i
            for i, r in enumerate(waiting)
            if r.kind != POINT_OF_ORDER and r.participant_id not in spoke
        ]
        return max(head, fresh[-1] + 1) if fresh else head
    return len(waiting)


def request_floor(
    session: LiveSession,
    kind: str,
    *,
    actor: Actor,
    client_id: str | None = None,
    now: datetime | None = None,
) -> FloorRequest:
    """Raise a hand: queue the attendee's request in its place.

    :raises Closed: the list is closed (points of order stay possible) or the session ended.
    :raises Conflict: the attendee already waits in the queue.
    """
    now = now or utcnow()
    if actor.participant_id is None:
        raise Forbidden(N_("Only attendees raise a hand; moderators give the floor."))
    permissions.check_attend(actor, session.id)
    if kind not in REQUEST_KINDS:
        raise Invalid(N_("Unknown kind of request to speak."))
    lock(session)
    check_open(session)
    settings = floor_settings(session)
    # As in OpenSlides, closing the list leaves points of order possible.
    if not settings["list_open"] and kind != POINT_OF_ORDER:
        raise Closed(N_("The list of speakers is closed."))
    waiting = waiting_requests(session)
    if any(r.participant_id == actor.participant_id for r in waiting):
        raise Conflict(N_("You are already in the queue."))
    first_before = waiting[0].id if waiting else None
    request = FloorRequest(
        session_id=session.id,
        participant_id=actor.participant_id,
        agenda_item_id=session.current_agenda_item_id,
        kind=kind,
        client_id=client_id,
        requested_at=now,
    )
    db.session.add(request)
    spoke = participants_who_spoke(session)
    waiting.insert(_insert_at(waiting, request, spoke, settings["fairness"]), request)
    renumber(waiting)
    publish(session, first_before, now)
    return request


def withdraw_request(
    request: FloorRequest, *, actor: Actor, now: datetime | None = None
) -> FloorRequest:
    """Take a waiting request out of the queue: the attendee's own, or any (a moderator)."""
    now = now or utcnow()
    permissions.check_attend(actor, request.session_id)
    if not actor.is_staff and request.participant_id != actor.participant_id:
        raise Forbidden(N_("You can only withdraw your own request."))
    session = programme.get_session(request.session_id)
    lock(session)
    db.session.refresh(request)
    if request.is_speaking:
        raise Conflict(N_("This person has the floor: end the speech instead."))
    if not request.is_waiting:
        raise Conflict(N_("This request is no longer in the queue."))
    first_before = first_waiting_id(session)
    if actor.is_staff:
        request.removed_at = now
    else:
        request.withdrawn_at = now
    publish(session, first_before, now)
    return request


def sort_queue(
    session: LiveSession, request_ids: list[int], *, actor: Actor, now: datetime | None = None
) -> LiveSession:
    """Put the listed waiting requests in this order, in the places they hold together.

    Requests left out keep their place, so a hand raised meanwhile is not moved.

    :raises Forbidden: the actor does not moderate this session.
    :raises Conflict: a listed request is no longer waiting (the moderator's view is stale).
    """
    now = now or utcnow()
    permissions.check_moderate(actor, session.id)
    if len(set(request_ids)) != len(request_ids):
        raise Invalid(N_("Each request may appear only once."))
    lock(session)
    waiting = waiting_requests(session)
    by_id = {r.id: r for r in waiting}
    if any(rid not in by_id for rid in request_ids):
        raise Conflict(N_("Some of these requests are no longer waiting; the queue has changed."))
    first_before = waiting[0].id if waiting else None
    wanted = set(request_ids)
    slots = [i for i, r in enumerate(waiting) if r.id in wanted]
    ordered = list(waiting)
    for slot, rid in zip(slots, request_ids, strict=True):
        ordered[slot] = by_id[rid]
    if ordered == waiting:
        return session
    renumber(ordered)
    publish(session, first_before, now)
    return session


def set_list_open(
    session: LiveSession, is_open: bool, *, actor: Actor, now: datetime | None = None
) -> LiveSession:
    """Open or close the list of speakers (a no-op when it already is).

    :raises Forbidden: the actor does not moderate this session.
    """
    now = now or utcnow()
    permissions.check_moderate(actor, session.id)
    lock(session)
    if floor_settings(session)["list_open"] == is_open:
        return session
    store_settings(session, floor_list_open=is_open)
    publish(session, first_waiting_id(session), now)
    return session

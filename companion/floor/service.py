"""Floor rules: raise hand, hand over, time the speech, keep the handover log.

Every change locks the session's row first (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite
writes one at a time), then reads the queue afresh, so two moderators clicking at once are
served one after the other. A partial unique index backs the rule "one speaker at a time".
Functions take an optional ``now`` so tests can control time without sleeping.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..core import permissions
from ..core.actors import Actor
from ..core.errors import Closed, Conflict, Forbidden, Invalid, NotFound
from ..core.i18n import N_
from ..core.timeutil import as_utc, utcnow
from ..extensions import db
from ..participants.models import Participant
from ..participants.service import participant_removed
from ..programme import service as programme
from ..programme.models import AgendaItem, LiveSession, SessionStatus, Speaker
from ..realtime import hub
from .models import PLANNED, REQUEST_KINDS, AgendaRun, FloorPause, FloorRequest
from .runs import begin_item, close_runs

POINT_OF_ORDER = "point_of_order"
DEFAULT_TIMES = {"contribution": 180, "question": 90, "point_of_order": 60}
DEFAULT_WARNING_S = 60
# A session run far from its scheduled slot (a rehearsal, the demo) is timed from its start.
SLOT_GRACE = timedelta(hours=1)


# ---------------------------------------------------------------- settings and reading


def floor_settings(session: LiveSession) -> dict[str, Any]:
    """Return the session's floor settings with their defaults filled in."""
    times = dict(DEFAULT_TIMES)
    times.update(session.setting("floor_times") or {})
    return {
        "fairness": bool(session.setting("floor_fairness", False)),
        "list_open": bool(session.setting("floor_list_open", True)),
        "times": times,
        "warning_s": int(session.setting("floor_warning_s", DEFAULT_WARNING_S)),
    }


def _set(session: LiveSession, **values: Any) -> None:
    # A new dict, so SQLAlchemy sees the JSON column change.
    session.settings = {**(session.settings or {}), **values}


def get_request(request_id: int) -> FloorRequest:
    request = db.session.get(FloorRequest, request_id)
    if request is None:
        raise NotFound(N_("No such request to speak."))
    return request


def get_speaker(session: LiveSession, speaker_id: int) -> Speaker:
    speaker = db.session.get(Speaker, speaker_id)
    if speaker is None or speaker.event_id != session.event_id:
        raise NotFound(N_("No such speaker in this event's programme."))
    return speaker


def _fresh(stmt):
    # After the lock, rows already in the identity map must be read again, not reused.
    return db.session.scalars(stmt.execution_options(populate_existing=True))


def current_request(session: LiveSession) -> FloorRequest | None:
    """Return the request holding the floor, if any."""
    return _fresh(
        select(FloorRequest).where(
            FloorRequest.session_id == session.id,
            FloorRequest.began_at.is_not(None),
            FloorRequest.ended_at.is_(None),
        )
    ).first()


def waiting_requests(session: LiveSession) -> list[FloorRequest]:
    """Return the queue of raised hands, first in line first."""
    return list(
        _fresh(
            select(FloorRequest)
            .where(
                FloorRequest.session_id == session.id,
                FloorRequest.participant_id.is_not(None),
                FloorRequest.began_at.is_(None),
                FloorRequest.withdrawn_at.is_(None),
                FloorRequest.removed_at.is_(None),
            )
            .order_by(FloorRequest.sort_key, FloorRequest.requested_at, FloorRequest.id)
        )
    )


def _participants_who_spoke(session: LiveSession) -> set[int]:
    return set(
        db.session.scalars(
            select(FloorRequest.participant_id).where(
                FloorRequest.session_id == session.id,
                FloorRequest.participant_id.is_not(None),
                FloorRequest.began_at.is_not(None),
            )
        )
    )


def _current_item(session: LiveSession) -> AgendaItem | None:
    if session.current_agenda_item_id is None:
        return None
    return db.session.get(AgendaItem, session.current_agenda_item_id)


def remaining_planned(session: LiveSession) -> list[Speaker]:
    """Return the current item's programme speakers who have not yet had the floor for it."""
    item = _current_item(session)
    if item is None:
        return []
    spoken = set(
        db.session.scalars(
            select(FloorRequest.speaker_id).where(
                FloorRequest.agenda_item_id == item.id,
                FloorRequest.speaker_id.is_not(None),
                FloorRequest.began_at.is_not(None),
            )
        )
    )
    return [s for s in item.speakers if s.id not in spoken]


def _planned_share(item: AgendaItem) -> int:
    """A programme speaker's time: the item's planned minutes shared by its speakers."""
    return round(item.planned_minutes * 60 / max(1, len(item.speakers)))


def _allotted(session: LiveSession, request: FloorRequest) -> int:
    times = floor_settings(session)["times"]
    if request.speaker_id is not None:
        item = _current_item(session)
        if item is not None and request.speaker_id in {s.id for s in item.speakers}:
            return _planned_share(item)
        return int(times["contribution"])
    return int(times.get(request.kind, times["contribution"]))


# ---------------------------------------------------------------- time arithmetic


def paused_s(request: FloorRequest, now: datetime) -> float:
    """Return the seconds this speech has been paused so far (the pause under way included)."""
    total = request.paused_total_s or 0.0
    if request.paused_at is not None and request.ended_at is None:
        total += max(0.0, (now - request.paused_at).total_seconds())
    return total


def elapsed_s(request: FloorRequest, now: datetime) -> float:
    """Return the seconds spoken, pauses excluded (until ``ended_at`` once over)."""
    if request.began_at is None:
        return 0.0
    end = request.ended_at or now
    return max(0.0, (end - request.began_at).total_seconds() - paused_s(request, end))


def stamp(value: datetime | None) -> str | None:
    """ISO 8601 in UTC to the millisecond: timers need better than a second."""
    value = as_utc(value)
    return value.isoformat(timespec="milliseconds") if value else None


# ---------------------------------------------------------------- the floor shape


def _name(request: FloorRequest) -> str:
    if request.speaker is not None:
        return request.speaker.name
    if request.participant is not None:
        return request.participant.display_name
    return "—"


def _organisation(request: FloorRequest) -> str:
    if request.speaker is not None:
        return request.speaker.organisation
    if request.participant is not None and request.participant.registration is not None:
        return request.participant.registration.organisation
    return ""


def _current_dict(request: FloorRequest, warning_s: int, now: datetime) -> dict[str, Any]:
    elapsed = elapsed_s(request, now)
    allotted = request.allotted_s or 0
    return {
        "request_id": request.id,
        "speaker_id": request.speaker_id,
        "participant_id": request.participant_id,
        "name": _name(request),
        "organisation": _organisation(request),
        "kind": request.kind,
        "agenda_item_id": request.agenda_item_id,
        "began_at": stamp(request.began_at),
        "allotted_s": allotted,
        "paused": request.paused_at is not None,
        "paused_at": stamp(request.paused_at),
        "paused_total_s": round(request.paused_total_s or 0.0, 3),
        "elapsed_s": round(elapsed, 3),
        "remaining_s": round(allotted - elapsed, 3),
        # The warning never covers more than the second half of a short speech.
        "warning_s": min(warning_s, allotted // 2),
    }


def _clock(session: LiveSession, now: datetime) -> dict[str, Any]:
    """The session clock: the two-hour slot and where the agenda stands against its plan."""
    length = session.ends_at - session.starts_at
    reference = session.started_at or now
    if session.starts_at - SLOT_GRACE <= reference <= session.ends_at:
        base = session.starts_at
    else:
        base = session.started_at
    clock: dict[str, Any] = {
        "slot_starts_at": stamp(base),
        "slot_ends_at": stamp(base + length) if base else None,
        "rebased": base is not None and base != session.starts_at,
        "running": session.status == SessionStatus.LIVE,
        "item_planned_start": None,
        "item_planned_s": None,
        "item_started_at": None,
        "behind_s": None,
    }
    item = _current_item(session)
    if item is None or base is None:
        return clock
    before = sum(i.planned_minutes for i in session.agenda if i.position < item.position)
    planned_start = base + timedelta(minutes=before)
    planned_s = item.planned_minutes * 60
    run = db.session.scalar(
        select(AgendaRun)
        .where(AgendaRun.session_id == session.id, AgendaRun.agenda_item_id == item.id)
        .order_by(AgendaRun.started_at.desc(), AgendaRun.id.desc())
        .limit(1)
    )
    started = run.started_at if run else None
    clock.update(
        item_planned_start=stamp(planned_start),
        item_planned_s=planned_s,
        item_started_at=stamp(started),
    )
    if started is not None:
        # Positive: the current item will end after its planned end (behind the plan).
        expected_end = max(started + timedelta(seconds=planned_s), now)
        planned_end = planned_start + timedelta(seconds=planned_s)
        clock["behind_s"] = round((expected_end - planned_end).total_seconds(), 3)
    return clock


def floor_dict(session: LiveSession, *, now: datetime | None = None) -> dict[str, Any]:
    """The contract's ``floor`` shape, timed at ``now`` (``server_time``)."""
    now = now or utcnow()
    settings = floor_settings(session)
    current = current_request(session)
    spoke = _participants_who_spoke(session)
    queue = [
        {
            "request_id": r.id,
            "participant_id": r.participant_id,
            "name": _name(r),
            "kind": r.kind,
            "requested_at": stamp(r.requested_at),
            "position": position,
            "has_spoken": r.participant_id in spoke,
        }
        for position, r in enumerate(waiting_requests(session), start=1)
    ]
    item = _current_item(session)
    planned = [
        {
            "speaker_id": s.id,
            "name": s.name,
            "organisation": s.organisation,
            "allotted_s": _planned_share(item),
        }
        for s in remaining_planned(session)
    ]
    return {
        "current": _current_dict(current, settings["warning_s"], now) if current else None,
        "queue": queue,
        "planned": planned,
        "list_open": settings["list_open"],
        "agenda_item_id": session.current_agenda_item_id,
        "fairness": settings["fairness"],
        "times": settings["times"],
        "warning_s": settings["warning_s"],
        "clock": _clock(session, now),
        "server_time": stamp(now),
    }


# ---------------------------------------------------------------- changes


def _lock(session: LiveSession, *, reload: bool = True) -> None:
    """Take the session's row lock: changes of one session go one at a time.

    ``reload`` reads the row again (settings another change may have committed meanwhile);
    signal receivers pass False, the sender's changes being flushed but not committed.
    """
    if reload:
        db.session.refresh(session, with_for_update=True)
    else:
        db.session.execute(
            select(LiveSession.id).where(LiveSession.id == session.id).with_for_update()
        )


def _check_open(session: LiveSession) -> None:
    if session.status == SessionStatus.ENDED:
        raise Closed(N_("This session has ended."))


def _first_waiting_id(session: LiveSession) -> int | None:
    waiting = waiting_requests(session)
    return waiting[0].id if waiting else None


def _publish(session: LiveSession, first_before: int | None, now: datetime) -> dict[str, Any]:
    """Broadcast the new floor; tell the attendee now first in line, if that changed."""
    db.session.flush()
    floor = floor_dict(session, now=now)
    hub.publish(session.id, "floor.updated", {"floor": floor})
    first = floor["queue"][0] if floor["queue"] else None
    if first is not None and first["request_id"] != first_before:
        hub.notify_participant(
            session.id,
            first["participant_id"],
            "floor.next_up",
            {"request_id": first["request_id"]},
        )
    return floor


def _renumber(ordered: list[FloorRequest]) -> None:
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
    _lock(session)
    _check_open(session)
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
    spoke = _participants_who_spoke(session)
    waiting.insert(_insert_at(waiting, request, spoke, settings["fairness"]), request)
    _renumber(waiting)
    _publish(session, first_before, now)
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
    _lock(session)
    db.session.refresh(request)
    if request.is_speaking:
        raise Conflict(N_("This person has the floor: end the speech instead."))
    if not request.is_waiting:
        raise Conflict(N_("This request is no longer in the queue."))
    first_before = _first_waiting_id(session)
    if actor.is_staff:
        request.removed_at = now
    else:
        request.withdrawn_at = now
    _publish(session, first_before, now)
    return request


def _finish(request: FloorRequest, now: datetime) -> None:
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

    :raises Conflict: the request already has the floor, or is no longer waiting.
    """
    now = now or utcnow()
    if (request is None) == (speaker is None):
        raise Invalid(N_("Give the floor to one request or one speaker."))
    _lock(session)
    _check_open(session)
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
    first_before = _first_waiting_id(session)
    if current is not None:
        _finish(current, now)
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
    request.allotted_s = _allotted(session, request)
    _publish(session, first_before, now)
    return request


def next_speaker(session: LiveSession, *, actor: Actor, now: datetime | None = None):
    """Hand over to the first in the queue, or, with no hand raised, the next planned speaker.

    :raises Conflict: nobody waits and no planned speaker remains.
    """
    now = now or utcnow()
    _lock(session)
    _check_open(session)
    waiting = waiting_requests(session)
    if waiting:
        return _hand_over(session, request=waiting[0], speaker=None, now=now)
    planned = remaining_planned(session)
    if planned:
        return _hand_over(session, request=None, speaker=planned[0], now=now)
    raise Conflict(N_("Nobody is waiting for the floor."))


def end_speech(session: LiveSession, *, actor: Actor, now: datetime | None = None):
    """End the speech under way; nobody has the floor afterwards.

    :raises Conflict: nobody has the floor.
    """
    now = now or utcnow()
    _lock(session)
    current = current_request(session)
    if current is None:
        raise Conflict(N_("Nobody has the floor."))
    first_before = _first_waiting_id(session)
    _finish(current, now)
    _publish(session, first_before, now)
    return current


def pause_speech(session: LiveSession, *, actor: Actor, now: datetime | None = None):
    """Stop the speaker's clock until resumed.

    :raises Conflict: nobody has the floor, or the speech is already paused.
    """
    now = now or utcnow()
    _lock(session)
    current = current_request(session)
    if current is None:
        raise Conflict(N_("Nobody has the floor."))
    if current.paused_at is not None:
        raise Conflict(N_("The speech is already paused."))
    current.paused_at = now
    current.pauses.append(FloorPause(paused_at=now))
    _publish(session, _first_waiting_id(session), now)
    return current


def resume_speech(session: LiveSession, *, actor: Actor, now: datetime | None = None):
    """Restart the speaker's clock; the pause is excluded from the time spoken.

    :raises Conflict: nobody has the floor, or the speech is not paused.
    """
    now = now or utcnow()
    _lock(session)
    current = current_request(session)
    if current is None:
        raise Conflict(N_("Nobody has the floor."))
    if current.paused_at is None:
        raise Conflict(N_("The speech is not paused."))
    _close_pause(current, now)
    _publish(session, _first_waiting_id(session), now)
    return current


def sort_queue(
    session: LiveSession, request_ids: list[int], *, actor: Actor, now: datetime | None = None
) -> None:
    """Put the listed waiting requests in this order, in the places they hold together.

    Requests left out keep their place, so a hand raised meanwhile is not moved.

    :raises Conflict: a listed request is no longer waiting (the moderator's view is stale).
    """
    now = now or utcnow()
    if len(set(request_ids)) != len(request_ids):
        raise Invalid(N_("Each request may appear only once."))
    _lock(session)
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
        return
    _renumber(ordered)
    _publish(session, first_before, now)


def set_list_open(
    session: LiveSession, is_open: bool, *, actor: Actor, now: datetime | None = None
) -> None:
    """Open or close the list of speakers (a no-op when it already is)."""
    now = now or utcnow()
    _lock(session)
    if floor_settings(session)["list_open"] == is_open:
        return
    _set(session, floor_list_open=is_open)
    _publish(session, _first_waiting_id(session), now)


def change_settings(
    session: LiveSession,
    *,
    actor: Actor,
    fairness: bool | None = None,
    times: dict[str, int] | None = None,
    warning_s: int | None = None,
    now: datetime | None = None,
) -> None:
    """Change fairness, speaking times per kind, or the warning before the end.

    Turning fairness on re-sorts the queue: those who have not spoken go first (after points
    of order), each group keeping its order. New times apply from the next speech on.
    """
    now = now or utcnow()
    _lock(session)
    before = floor_settings(session)
    changes: dict[str, Any] = {}
    if fairness is not None and fairness != before["fairness"]:
        changes["floor_fairness"] = fairness
    if times:
        merged = {**before["times"], **{k: int(v) for k, v in times.items()}}
        if merged != before["times"]:
            changes["floor_times"] = merged
    if warning_s is not None and warning_s != before["warning_s"]:
        changes["floor_warning_s"] = int(warning_s)
    if not changes:
        return
    waiting = waiting_requests(session)
    first_before = waiting[0].id if waiting else None
    _set(session, **changes)
    if changes.get("floor_fairness"):
        spoke = _participants_who_spoke(session)
        _renumber(
            sorted(
                waiting,
                key=lambda r: (r.kind != POINT_OF_ORDER, r.participant_id in spoke),
            )
        )
    _publish(session, first_before, now)


# ---------------------------------------------------------------- agenda and session life


@programme.agenda_advanced.connect
def _on_agenda_advanced(session: LiveSession, item: AgendaItem | None = None, **_):
    """Start timing the new item; its programme speakers become the planned ones."""
    _lock(session, reload=False)
    now = utcnow()
    begin_item(session, item, now)  # a quick move back is an undo (see runs.py)
    _publish(session, _first_waiting_id(session), now)


@programme.session_status_changed.connect
def _on_session_status_changed(session: LiveSession, **_):
    """On start, time the first item; on end, end the speech and the item under way."""
    _lock(session, reload=False)
    now = utcnow()
    changed = False
    if session.status == SessionStatus.LIVE:
        item_id = session.current_agenda_item_id
        open_run = db.session.scalar(
            select(AgendaRun.id).where(
                AgendaRun.session_id == session.id, AgendaRun.ended_at.is_(None)
            )
        )
        if item_id is not None and open_run is None:
            db.session.add(AgendaRun(session_id=session.id, agenda_item_id=item_id, started_at=now))
            changed = True
    elif session.status == SessionStatus.ENDED:
        end = session.ended_at or now
        changed = close_runs(session, end)
        current = current_request(session)
        if current is not None:
            _finish(current, end)
            changed = True
    if changed:
        _publish(session, _first_waiting_id(session), now)


@participant_removed.connect
def _on_participant_removed(participant, **_):
    """A removed participant's raised hand leaves the queue with them."""
    session = programme.get_session(participant.session_id)
    _lock(session, reload=False)
    first_before = _first_waiting_id(session)
    now = utcnow()
    waiting = [r for r in waiting_requests(session) if r.participant_id == participant.id]
    for request in waiting:
        request.removed_at = now
    if waiting:
        _publish(session, first_before, now)


# ---------------------------------------------------------------- the handover log


def handover_log(session: LiveSession, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every change of floor in order, with planned and actual times (for summaries).

    Datetimes are aware (UTC); a speech under way is counted up to ``now``.
    """
    now = now or utcnow()
    items = {item.id: item for item in session.agenda}
    rows = db.session.scalars(
        select(FloorRequest)
        .where(FloorRequest.session_id == session.id, FloorRequest.began_at.is_not(None))
        .order_by(FloorRequest.began_at, FloorRequest.id)
        .options(
            selectinload(FloorRequest.pauses),
            joinedload(FloorRequest.participant).selectinload(Participant.registration),
        )
    )
    log = []
    for r in rows:
        item = items.get(r.agenda_item_id)
        spoken = elapsed_s(r, now)
        planned = r.allotted_s or 0
        log.append(
            {
                "request_id": r.id,
                "agenda_item_id": r.agenda_item_id,
                "agenda_item_title": item.title if item else None,
                "speaker_id": r.speaker_id,
                "participant_id": r.participant_id,
                "name": _name(r),
                "organisation": _organisation(r),
                "kind": r.kind,
                "planned_s": planned,
                "requested_at": r.requested_at,
                "began_at": r.began_at,
                "ended_at": r.ended_at,
                "spoken_s": round(spoken, 1),
                "paused_s": round(paused_s(r, r.ended_at or now), 1),
                "overrun_s": round(max(0.0, spoken - planned), 1),
                "pauses": [
                    {"paused_at": p.paused_at, "resumed_at": p.resumed_at} for p in r.pauses
                ],
            }
        )
    return log


def agenda_timing(session: LiveSession, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """Planned versus actual per agenda item: when it ran and how long was spoken in it."""
    now = now or utcnow()
    runs: dict[int, list[AgendaRun]] = {}
    for run in db.session.scalars(
        select(AgendaRun).where(AgendaRun.session_id == session.id).order_by(AgendaRun.started_at)
    ):
        runs.setdefault(run.agenda_item_id, []).append(run)
    spoken: dict[int, float] = {}
    turns: dict[int, int] = {}
    for row in handover_log(session, now=now):
        if row["agenda_item_id"] is not None:
            spoken[row["agenda_item_id"]] = spoken.get(row["agenda_item_id"], 0.0) + row["spoken_s"]
            turns[row["agenda_item_id"]] = turns.get(row["agenda_item_id"], 0) + 1
    timing = []
    for item in session.agenda:
        item_runs = runs.get(item.id, [])
        actual = sum(((r.ended_at or now) - r.started_at).total_seconds() for r in item_runs)
        timing.append(
            {
                "agenda_item_id": item.id,
                "title": item.title,
                "kind": item.kind,
                "planned_s": item.planned_minutes * 60,
                "started_at": item_runs[0].started_at if item_runs else None,
                "ended_at": item_runs[-1].ended_at if item_runs else None,
                "actual_s": round(actual, 1) if item_runs else None,
                "spoken_s": round(spoken.get(item.id, 0.0), 1),
                "turns": turns.get(item.id, 0),
            }
        )
    return timing


def speaking_times(session: LiveSession, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """Speaking time per speaker (programme speaker or attendee), most first."""
    totals: dict[tuple, dict[str, Any]] = {}
    for row in handover_log(session, now=now):
        key = ("s", row["speaker_id"]) if row["speaker_id"] else ("p", row["participant_id"])
        entry = totals.setdefault(
            key,
            {
                "speaker_id": row["speaker_id"],
                "participant_id": row["participant_id"],
                "name": row["name"],
                "organisation": row["organisation"],
                "turns": 0,
                "spoken_s": 0.0,
            },
        )
        entry["turns"] += 1
        entry["spoken_s"] = round(entry["spoken_s"] + row["spoken_s"], 1)
    return sorted(totals.values(), key=lambda e: -e["spoken_s"])

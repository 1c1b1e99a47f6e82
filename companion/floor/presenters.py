"""The floor on the wire: the contract's ``floor`` shape and the acks' speech summaries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from ..core.timeutil import as_utc, utcnow
from ..extensions import db
from ..programme.models import LiveSession, SessionStatus
from .models import AgendaRun, FloorRequest
from .queries import (
    Speech,
    current_item,
    current_request,
    elapsed_s,
    floor_settings,
    participants_who_spoke,
    planned_share,
    remaining_planned,
    waiting_requests,
)

# A session run far from its scheduled slot (a rehearsal, the demo) is timed from its start.
SLOT_GRACE = timedelta(hours=1)


def stamp(value: datetime | None) -> str | None:
    """ISO 8601 in UTC to the millisecond: timers need better than a second."""
    value = as_utc(value)
    return value.isoformat(timespec="milliseconds") if value else None


def name(request: FloorRequest) -> str:
    """Who the request is for: the programme speaker or the attendee."""
    if request.speaker is not None:
        return request.speaker.name
    if request.participant is not None:
        return request.participant.display_name
    return "—"


def organisation(request: FloorRequest) -> str:
    if request.speaker is not None:
        return request.speaker.organisation
    if request.participant is not None and request.participant.registration is not None:
        return request.participant.registration.organisation
    return ""


@dataclass(frozen=True)
class _Current:
    fields: dict[str, Any]  # the current speech's entry up to ``paused_total_s``
    speech: Speech
    allotted_s: int


@dataclass(frozen=True)
class _ClockPlan:
    """What the session clock reads from the database; the arithmetic waits for ``now``."""

    starts_at: datetime
    ends_at: datetime
    started_at: datetime | None
    running: bool
    # The current item's: minutes planned before it, its planned seconds, its run's start.
    item: tuple[int, int, datetime | None] | None


@dataclass(frozen=True)
class FloorState:
    """The floor as read from the database, without its timing: shared by the joins of one seq.

    :func:`timed_floor` makes the contract's ``floor`` of it at a given time.
    """

    current: _Current | None
    fields: dict[str, Any]  # from ``queue`` to ``warning_s``
    clock: _ClockPlan


def _current(request: FloorRequest) -> _Current:
    allotted = request.allotted_s or 0
    return _Current(
        fields={
            "request_id": request.id,
            "speaker_id": request.speaker_id,
            "participant_id": request.participant_id,
            "name": name(request),
            "organisation": organisation(request),
            "kind": request.kind,
            "agenda_item_id": request.agenda_item_id,
            "began_at": stamp(request.began_at),
            "allotted_s": allotted,
            "paused": request.paused_at is not None,
            "paused_at": stamp(request.paused_at),
            "paused_total_s": round(request.paused_total_s or 0.0, 3),
        },
        speech=Speech(
            request.began_at, request.ended_at, request.paused_at, request.paused_total_s
        ),
        allotted_s=allotted,
    )


def _current_dict(current: _Current, warning_s: int, now: datetime) -> dict[str, Any]:
    elapsed = elapsed_s(current.speech, now)
    return {
        **current.fields,
        "elapsed_s": round(elapsed, 3),
        "remaining_s": round(current.allotted_s - elapsed, 3),
        # The warning never covers more than the second half of a short speech.
        "warning_s": min(warning_s, current.allotted_s // 2),
    }


def _clock_plan(session: LiveSession) -> _ClockPlan:
    item = current_item(session)
    planned = None
    if item is not None:
        before = sum(i.planned_minutes for i in session.agenda if i.position < item.position)
        run = db.session.scalar(
            select(AgendaRun)
            .where(AgendaRun.session_id == session.id, AgendaRun.agenda_item_id == item.id)
            .order_by(AgendaRun.started_at.desc(), AgendaRun.id.desc())
            .limit(1)
        )
        planned = (before, item.planned_minutes * 60, run.started_at if run else None)
    return _ClockPlan(
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        started_at=session.started_at,
        running=session.status == SessionStatus.LIVE,
        item=planned,
    )


def _clock(plan: _ClockPlan, now: datetime) -> dict[str, Any]:
    """The session clock: the two-hour slot and where the agenda stands against its plan."""
    length = plan.ends_at - plan.starts_at
    reference = plan.started_at or now
    if plan.starts_at - SLOT_GRACE <= reference <= plan.ends_at:
        base = plan.starts_at
    else:
        base = plan.started_at
    clock: dict[str, Any] = {
        "slot_starts_at": stamp(base),
        "slot_ends_at": stamp(base + length) if base else None,
        "rebased": base is not None and base != plan.starts_at,
        "running": plan.running,
        "item_planned_start": None,
        "item_planned_s": None,
        "item_started_at": None,
        "behind_s": None,
    }
    if plan.item is None or base is None:
        return clock
    before, planned_s, started = plan.item
    planned_start = base + timedelta(minutes=before)
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


def floor_state(session: LiveSession) -> FloorState:
    """Read the floor of ``session``: who speaks, the queue, the plan, the settings."""
    settings = floor_settings(session)
    current = current_request(session)
    spoke = participants_who_spoke(session)
    queue = [
        {
            "request_id": r.id,
            "participant_id": r.participant_id,
            "name": name(r),
            "kind": r.kind,
            "requested_at": stamp(r.requested_at),
            "position": position,
            "has_spoken": r.participant_id in spoke,
        }
        for position, r in enumerate(waiting_requests(session), start=1)
    ]
    item = current_item(session)
    planned = [
        {
            "speaker_id": s.id,
            "name": s.name,
            "organisation": s.organisation,
            "allotted_s": planned_share(item),
        }
        for s in remaining_planned(session)
    ]
    return FloorState(
        current=_current(current) if current else None,
        fields={
            "queue": queue,
            "planned": planned,
            "list_open": settings["list_open"],
            "agenda_item_id": session.current_agenda_item_id,
            "fairness": settings["fairness"],
            "times": settings["times"],
            "warning_s": settings["warning_s"],
        },
        clock=_clock_plan(session),
    )


def timed_floor(state: FloorState, now: datetime) -> dict[str, Any]:
    """The contract's ``floor`` shape of ``state``, timed at ``now`` (``server_time``)."""
    warning_s = state.fields["warning_s"]
    return {
        "current": _current_dict(state.current, warning_s, now) if state.current else None,
        **state.fields,
        "clock": _clock(state.clock, now),
        "server_time": stamp(now),
    }


def floor_dict(session: LiveSession, *, now: datetime | None = None) -> dict[str, Any]:
    """The contract's ``floor`` shape, timed at ``now`` (``server_time``)."""
    return timed_floor(floor_state(session), now or utcnow())


def speech_dict(request: FloorRequest) -> dict[str, Any]:
    """A speech in a moderator's ack: who has the floor, since when, for how long."""
    return {
        "request_id": request.id,
        "began_at": stamp(request.began_at),
        "allotted_s": request.allotted_s,
        "paused": request.paused_at is not None,
    }


def request_dict(session: LiveSession, request: FloorRequest) -> dict[str, Any]:
    """A raised hand in its author's ack: its place in the queue."""
    position = [r.id for r in waiting_requests(session)].index(request.id) + 1
    return {"request_id": request.id, "kind": request.kind, "position": position}


def withdrawal_dict(request: FloorRequest) -> dict[str, Any]:
    return {"request_id": request.id, "state": "removed" if request.removed_at else "withdrawn"}


def ended_dict(request: FloorRequest, now: datetime) -> dict[str, Any]:
    return {"request_id": request.id, "spoken_s": round(elapsed_s(request, now), 1)}


def settings_dict(session: LiveSession) -> dict[str, Any]:
    current = floor_settings(session)
    return {k: current[k] for k in ("fairness", "times", "warning_s")}


def queue_ids(session: LiveSession) -> dict[str, Any]:
    return {"request_ids": [r.id for r in waiting_requests(session)]}

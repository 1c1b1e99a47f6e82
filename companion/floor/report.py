"""What the floor did, for summaries and exports: the handover log, time per agenda item and
per speaker, each request's outcome, and the floor's figures.

The floor's rules (what a turn is, a programme speaker's planned share, the time spoken with
pauses excluded) are read here, so summaries never re-derive them from raw rows.
Datetimes are aware (UTC); a speech under way is counted up to ``now``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ..core.timeutil import utcnow
from ..extensions import db
from ..participants.models import Participant
from ..programme.models import LiveSession
from .models import AgendaRun, FloorRequest
from .presenters import name, organisation
from .queries import elapsed_s, paused_s


def handover_log(session: LiveSession, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every change of floor in order, with planned and actual times (for summaries)."""
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
                "name": name(r),
                "organisation": organisation(r),
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


def agenda_runs(session: LiveSession) -> list[AgendaRun]:
    """When each agenda item was under way, in the order the runs began (see runs.py)."""
    return list(
        db.session.scalars(
            select(AgendaRun).where(AgendaRun.session_id == session.id).order_by(AgendaRun.id)
        )
    )


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


def speaking_times(
    session: LiveSession,
    *,
    now: datetime | None = None,
    log: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Speaking time per speaker (programme speaker or attendee), most first.

    ``log`` is the session's :func:`handover_log` when the caller already has it.
    """
    totals: dict[tuple, dict[str, Any]] = {}
    for row in handover_log(session, now=now) if log is None else log:
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


def planned_seconds(session: LiveSession) -> dict[int, float]:
    """Each programme speaker's planned time: their items' time, shared among co-speakers."""
    planned: dict[int, float] = {}
    for item in session.agenda:
        if not item.speakers:
            continue
        share = item.planned_minutes * 60 / len(item.speakers)
        for speaker in item.speakers:
            planned[speaker.id] = round(planned.get(speaker.id, 0.0) + share, 1)
    return planned


# ---------------------------------------------------------------- one request, for export rows


def request_state(request: FloorRequest) -> str:
    """What became of a request: ``spoke``, ``speaking``, ``withdrawn``, ``removed``, ``waiting``."""
    if request.began_at is not None:
        return "spoke" if request.ended_at else "speaking"
    if request.withdrawn_at is not None:
        return "withdrawn"
    if request.removed_at is not None:
        return "removed"
    return "waiting"


def public_name(request: FloorRequest) -> str:
    """The name an export may show: a raised hand that never got the floor stays unnamed."""
    if request.speaker is not None:
        return request.speaker.name
    if request.began_at is not None and request.participant is not None:
        return request.participant.display_name
    return ""


def spoken_s(request: FloorRequest, now: datetime) -> float | None:
    """Seconds spoken, pauses excluded, to the tenth (None: never had the floor)."""
    return round(elapsed_s(request, now), 1) if request.began_at else None


# ---------------------------------------------------------------- figures


def hand_raisers(session_id: int):
    """A select of the participants who raised a hand in the session (contributors)."""
    return select(FloorRequest.participant_id).where(
        FloorRequest.session_id == session_id, FloorRequest.participant_id.is_not(None)
    )


def figures(session_id: int) -> dict[str, int]:
    """Hands raised by attendees, and turns to speak (programme speakers included)."""
    raised = select(FloorRequest.id).where(
        FloorRequest.session_id == session_id, FloorRequest.participant_id.is_not(None)
    )
    turns = select(FloorRequest.id).where(
        FloorRequest.session_id == session_id, FloorRequest.began_at.is_not(None)
    )
    return {"floor_requests": _count(raised), "floor_turns": _count(turns)}


def _count(query) -> int:
    return int(db.session.scalar(select(func.count()).select_from(query.subquery())) or 0)

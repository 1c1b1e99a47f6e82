"""Reading the floor: settings, the queue, who holds the floor, times, and the session lock.

Every change locks the session's row first (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite
writes one at a time), then reads the queue afresh, so two moderators clicking at once are
served one after the other. A partial unique index backs the rule "one speaker at a time".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..core.errors import Closed, Conflict, NotFound
from ..core.i18n import N_
from ..extensions import db
from ..programme.models import AgendaItem, LiveSession, SessionStatus, Speaker
from .models import FloorRequest

POINT_OF_ORDER = "point_of_order"
DEFAULT_TIMES = {"contribution": 180, "question": 90, "point_of_order": 60}
DEFAULT_WARNING_S = 60


# ---------------------------------------------------------------- settings


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


def store_settings(session: LiveSession, **values: Any) -> None:
    """Write floor settings (``floor_*`` keys) into the session's settings."""
    # A new dict, so SQLAlchemy sees the JSON column change.
    session.settings = {**(session.settings or {}), **values}


# ---------------------------------------------------------------- loading and locking


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


def lock(session: LiveSession, *, reload: bool = True) -> None:
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


def check_open(session: LiveSession) -> None:
    """:raises Closed: the session has ended."""
    if session.status == SessionStatus.ENDED:
        raise Closed(N_("This session has ended."))


def _fresh(stmt):
    # After the lock, rows already in the identity map must be read again, not reused.
    return db.session.scalars(stmt.execution_options(populate_existing=True))


# ---------------------------------------------------------------- the queue and the floor


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


def speech_under_way(session: LiveSession) -> FloorRequest:
    """Lock the session's floor and return the speech under way.

    :raises Conflict: nobody has the floor.
    """
    lock(session)
    current = current_request(session)
    if current is None:
        raise Conflict(N_("Nobody has the floor."))
    return current


def first_waiting_id(session: LiveSession) -> int | None:
    waiting = waiting_requests(session)
    return waiting[0].id if waiting else None


def participants_who_spoke(session: LiveSession) -> set[int]:
    return set(
        db.session.scalars(
            select(FloorRequest.participant_id).where(
                FloorRequest.session_id == session.id,
                FloorRequest.participant_id.is_not(None),
                FloorRequest.began_at.is_not(None),
            )
        )
    )


def current_item(session: LiveSession) -> AgendaItem | None:
    if session.current_agenda_item_id is None:
        return None
    return db.session.get(AgendaItem, session.current_agenda_item_id)


def remaining_planned(session: LiveSession) -> list[Speaker]:
    """Return the current item's programme speakers who have not yet had the floor for it."""
    item = current_item(session)
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


def planned_share(item: AgendaItem) -> int:
    """A programme speaker's time: the item's planned minutes shared by its speakers."""
    return round(item.planned_minutes * 60 / max(1, len(item.speakers)))


def allotted(session: LiveSession, request: FloorRequest) -> int:
    """The seconds a speech is given: its kind's time, or a planned speaker's share."""
    times = floor_settings(session)["times"]
    if request.speaker_id is not None:
        item = current_item(session)
        if item is not None and request.speaker_id in {s.id for s in item.speakers}:
            return planned_share(item)
        return int(times["contribution"])
    return int(times.get(request.kind, times["contribution"]))


# ---------------------------------------------------------------- time arithmetic


@dataclass(frozen=True)
class Speech:
    """What the time arithmetic reads of a request, kept outside any database session."""

    began_at: datetime | None
    ended_at: datetime | None
    paused_at: datetime | None
    paused_total_s: float | None


def paused_s(request: FloorRequest | Speech, now: datetime) -> float:
    """Return the seconds this speech has been paused so far (the pause under way included)."""
    total = request.paused_total_s or 0.0
    if request.paused_at is not None and request.ended_at is None:
        total += max(0.0, (now - request.paused_at).total_seconds())
    return total


def elapsed_s(request: FloorRequest | Speech, now: datetime) -> float:
    """Return the seconds spoken, pauses excluded (until ``ended_at`` once over)."""
    if request.began_at is None:
        return 0.0
    end = request.ended_at or now
    return max(0.0, (end - request.began_at).total_seconds() - paused_s(request, end))

"""What every summary document starts with: its schema version and the event's and session's
headers, and the small measures the parts share."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from ..core.timeutil import iso
from ..extensions import db
from ..programme.models import Event, LiveSession
from .retention import retention_status

SCHEMA_VERSION = 1


def count(query) -> int:
    """Count the rows a select would return."""
    return int(db.session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def seconds(start: datetime | None, end: datetime | None) -> float | None:
    """Seconds from ``start`` to ``end`` to the tenth (None when either is unknown)."""
    if start is None or end is None:
        return None
    return round(max(0.0, (end - start).total_seconds()), 1)


def event_header(event: Event) -> dict[str, Any]:
    """The document's ``event`` part."""
    return {
        "slug": event.slug,
        "title": event.title,
        "timezone": event.timezone,
        "language": event.language,
        "follow_up": event.follow_up,
        "retention": retention_status(event),
    }


def session_header(session: LiveSession, now: datetime) -> dict[str, Any]:
    """The summary's ``session`` part: planned and actual times."""
    tz = session.event.timezone
    end = session.ended_at or (now if session.started_at else None)
    return {
        "id": session.id,
        "key": session.key,
        "title": session.title,
        "description": session.description,
        "status": session.status.value,
        "starts_at": iso(session.starts_at, tz),
        "ends_at": iso(session.ends_at, tz),
        "started_at": iso(session.started_at, tz),
        "ended_at": iso(session.ended_at, tz),
        "planned_s": seconds(session.starts_at, session.ends_at),
        "actual_s": seconds(session.started_at, end),
    }

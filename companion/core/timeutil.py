"""Timezone-aware time: stored in UTC, shown in the event's timezone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """Return ``value`` as aware UTC; naive values (SQLite reads) are taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def iso(value: datetime | None, tz: str | None = None) -> str | None:
    """Format ``value`` as ISO 8601 with its offset, in ``tz`` when given."""
    value = as_utc(value)
    if value is None:
        return None
    if tz:
        value = value.astimezone(ZoneInfo(tz))
    return value.isoformat(timespec="seconds")

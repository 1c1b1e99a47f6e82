"""Column helpers shared by the domain models."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, TypeDecorator

from .timeutil import as_utc


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime stored as UTC (SQLite drops offsets; this restores them)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return as_utc(value)

    def process_result_value(self, value: datetime | None, dialect):
        return as_utc(value)


def render_migration_item(type_, obj, autogen_context):
    """Write UTCDateTime into migrations as a plain timezone-aware DateTime."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False

"""What every part of the summary documents builds on: the strict base model, times, and
the event's header."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

Time = str  # ISO 8601 with the event's offset, e.g. 2020-06-30T10:00:00+02:00


Seconds = float


class Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Retention(Doc):
    """The event's retention setting and purges of personal data."""

    retention_days: int | None = Field(
        description="Days after the last session before personal data may be purged; null: kept."
    )
    purge_due_at: Time | None = Field(description="When a purge becomes due (null: never).")
    due: bool = Field(description="Whether the retention delay has passed.")
    purged_at: Time | None = Field(description="The last purge, if any.")


class EventInfo(Doc):
    """The event the document belongs to."""

    slug: str
    title: str
    timezone: str = Field(description="IANA timezone every time in the document is shown in.")
    language: str
    follow_up: str = Field(description="What the organisers announced as the follow-up.")
    retention: Retention


class SessionRef(Doc):
    session_id: int
    session_title: str | None

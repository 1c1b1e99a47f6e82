"""Programme tables: Event → LiveSession → AgendaItem ↔ Speaker."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import UTCDateTime
from ..core.timeutil import utcnow
from ..extensions import db


class SessionStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    ENDED = "ended"


AGENDA_KINDS = ("topic", "talk", "testimony", "discussion", "break", "contribution")


class Event(db.Model):
    """A programme of several webconferences (the seed's four sessions are one event)."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    language: Mapped[str] = mapped_column(String(8), default="fr")
    registration_required: Mapped[bool] = mapped_column(default=True)
    code_join_allowed: Mapped[bool] = mapped_column(default=False)
    contact: Mapped[str] = mapped_column(Text, default="")
    follow_up: Mapped[str] = mapped_column(Text, default="")
    # Days after the last session before personal data may be purged (None: keep).
    retention_days: Mapped[int | None] = mapped_column(Integer, default=90)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sessions: Mapped[list[LiveSession]] = relationship(
        back_populates="event", order_by="LiveSession.starts_at", cascade="all, delete-orphan"
    )
    speakers: Mapped[list[Speaker]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )


class LiveSession(db.Model):
    """One two-hour webconference; named so as not to collide with SQLAlchemy's Session."""

    __tablename__ = "live_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(80))  # stable name within the event, for import
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The Zoom/BigBlueButton/Jitsi/Teams link; shown only to people allowed into the session.
    webconference_url: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[SessionStatus] = mapped_column(
        Enum(
            SessionStatus,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=SessionStatus.SCHEDULED,
    )
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # No foreign key: agenda items belong to the session, and a cycle of keys between the two
    # tables would need an ALTER that SQLite cannot do.
    current_agenda_item_id: Mapped[int | None] = mapped_column(Integer)
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    # Grows by one with each broadcast of a change of state (see realtime.hub).
    seq: Mapped[int] = mapped_column(Integer, default=0)
    # Highest number of attendees online at once, kept up to date by realtime.presence.
    peak_online: Mapped[int] = mapped_column(Integer, default=0)
    # Per-session switches (pre-moderation, fairness, ...), owned by their domains.
    settings: Mapped[dict] = mapped_column(JSON, default=dict)

    event: Mapped[Event] = relationship(back_populates="sessions")
    agenda: Mapped[list[AgendaItem]] = relationship(
        back_populates="session",
        order_by="AgendaItem.position",
        cascade="all, delete-orphan",
        foreign_keys="AgendaItem.session_id",
    )

    __table_args__ = (UniqueConstraint("event_id", "key"),)

    def setting(self, name: str, default=None):
        """Return a per-session setting, or ``default``."""
        return (self.settings or {}).get(name, default)


class AgendaItem(db.Model):
    """A topic, talk, testimony, discussion or break within a session, in order."""

    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20), default="topic")
    planned_minutes: Mapped[int] = mapped_column(Integer, default=10)
    description: Mapped[str] = mapped_column(Text, default="")

    session: Mapped[LiveSession] = relationship(back_populates="agenda", foreign_keys=[session_id])
    # selectin: a session's whole agenda loads its speakers in one query, not one per item.
    speaker_links: Mapped[list[AgendaItemSpeaker]] = relationship(
        order_by="AgendaItemSpeaker.position", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def speakers(self) -> list[Speaker]:
        return [link.speaker for link in self.speaker_links]


class Speaker(db.Model):
    """A person on the programme: an intervenant or a testimony's local actor."""

    __tablename__ = "speakers"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(300), default="")
    organisation: Mapped[str] = mapped_column(String(300), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    # Raised when the speaker's personal link is replaced: older links stop working.
    token_version: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="speakers")

    __table_args__ = (UniqueConstraint("event_id", "key"),)


class AgendaItemSpeaker(db.Model):
    """A speaker's place in an agenda item's running order."""

    __tablename__ = "agenda_item_speakers"

    agenda_item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), primary_key=True
    )
    speaker_id: Mapped[int] = mapped_column(
        ForeignKey("speakers.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    speaker: Mapped[Speaker] = relationship(lazy="joined")


class SessionLogEntry(db.Model):
    """A change of a session's life (start, end, reopen), with who made it and when."""

    __tablename__ = "session_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(20))
    # The staff member's id and name as they were: the log outlives a revoked account.
    staff_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What the change did (the polls an end closed, whether it closed the list of speakers...).
    details: Mapped[dict] = mapped_column(JSON, default=dict)

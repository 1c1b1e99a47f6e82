"""Floor tables: requests to speak (the queue and the handover log), pauses, agenda runs.

State comes from timestamps (OpenSlides' speakers): a request with no ``began_at`` waits; one
with ``began_at`` and no ``ended_at`` holds the floor; ``withdrawn_at`` / ``removed_at`` take a
waiting request out of the queue for good.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import UTCDateTime
from ..core.timeutil import utcnow
from ..extensions import db
from ..participants.models import Participant
from ..programme.models import Speaker

#: What an attendee may ask for; ``planned`` is a programme speaker given the floor.
REQUEST_KINDS = ("contribution", "question", "point_of_order")
PLANNED = "planned"
KINDS = (*REQUEST_KINDS, PLANNED)

_SPEAKING = "began_at IS NOT NULL AND ended_at IS NULL"
_WAITING = (
    "began_at IS NULL AND withdrawn_at IS NULL AND removed_at IS NULL "
    "AND participant_id IS NOT NULL"
)


class FloorRequest(db.Model):
    """A raised hand or a programme speaker's turn: waiting, speaking, or over."""

    __tablename__ = "floor_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True
    )
    # The agenda item under way when the speech began (or when the hand was raised).
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL")
    )
    # Exactly one of the two: an attendee who raised a hand, or a programme speaker.
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True
    )
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("speakers.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    client_id: Mapped[str | None] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Place in the queue, smallest first; rewritten by insertions and floor.sort.
    sort_key: Mapped[float] = mapped_column(Float, default=0.0)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    began_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Start of the pause under way (None: not paused); finished pauses add to paused_total_s.
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_total_s: Mapped[float] = mapped_column(Float, default=0.0)
    allotted_s: Mapped[int | None] = mapped_column(Integer)

    participant: Mapped[Participant | None] = relationship(lazy="joined")
    speaker: Mapped[Speaker | None] = relationship(lazy="joined")
    pauses: Mapped[list[FloorPause]] = relationship(
        order_by="FloorPause.paused_at", cascade="all, delete-orphan", back_populates="request"
    )

    __table_args__ = (
        # The database itself refuses a second speaker in a session ...
        Index(
            "uq_floor_requests_one_speaking",
            "session_id",
            unique=True,
            sqlite_where=text(_SPEAKING),
            postgresql_where=text(_SPEAKING),
        ),
        # ... and a second raised hand from one attendee.
        Index(
            "uq_floor_requests_one_waiting",
            "session_id",
            "participant_id",
            unique=True,
            sqlite_where=text(_WAITING),
            postgresql_where=text(_WAITING),
        ),
        UniqueConstraint("participant_id", "client_id"),
    )

    @property
    def is_waiting(self) -> bool:
        return self.began_at is None and self.withdrawn_at is None and self.removed_at is None

    @property
    def is_speaking(self) -> bool:
        return self.began_at is not None and self.ended_at is None


class FloorPause(db.Model):
    """One pause of a speech, kept so summaries can list them."""

    __tablename__ = "floor_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("floor_requests.id", ondelete="CASCADE"), index=True
    )
    paused_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    request: Mapped[FloorRequest] = relationship(back_populates="pauses")


class AgendaRun(db.Model):
    """When an agenda item was actually under way: planned-versus-actual per item."""

    __tablename__ = "floor_agenda_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True
    )
    agenda_item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

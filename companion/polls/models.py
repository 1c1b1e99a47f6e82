"""Poll tables: Poll → PollOption, Ballot (one per participant), PollTally (running counters).

Anonymity: ``Ballot.participant_id`` exists only so the database itself enforces one ballot per
participant per poll (a unique constraint, not a read-then-write). For an anonymous poll — the
default — that link is dropped from every output: broadcasts, snapshots, acknowledgements,
logs and exports carry the answers without anyone's id or name.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import UTCDateTime
from ..core.timeutil import utcnow
from ..extensions import db

#: The kinds a poll may be; what each one does is in polls/kinds/ (one module per kind).
POLL_KINDS = ("single", "multiple", "wordcloud", "rating", "open", "ranking", "quiz")
RESULTS_MODES = ("live", "on_close", "on_reveal")


class PollState(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Poll(db.Model):
    """A question put to the room, prepared as a draft, then opened and closed."""

    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True
    )
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(16))
    question: Mapped[str] = mapped_column(String(500))
    # Normalised per kind by drafting (anonymous, results, max_choices, scale, ...).
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[PollState] = mapped_column(
        Enum(
            PollState,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=PollState.DRAFT,
    )
    # Results shown to the room before the mode would show them (see queries.results_public).
    revealed: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    options: Mapped[list[PollOption]] = relationship(
        order_by="PollOption.position", cascade="all, delete-orphan", passive_deletes=True
    )

    def setting(self, name: str, default=None):
        return (self.settings or {}).get(name, default)

    @property
    def anonymous(self) -> bool:
        return bool(self.setting("anonymous", True))


class PollOption(db.Model):
    """One choice of a single, multiple, ranking or quiz poll, in order."""

    __tablename__ = "poll_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(200))


class Ballot(db.Model):
    """A participant's current answer to a poll; changing it updates this row, never adds one.

    ``participant_id`` is here to enforce one ballot per participant (the unique constraint);
    for anonymous polls it never leaves the database.
    """

    __tablename__ = "ballots"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    answer: Mapped[dict] = mapped_column(JSON)
    # Quiz: whether the answer names the correct option (set when cast; a quiz is edited only
    # as a draft, before any ballot).
    correct: Mapped[bool | None] = mapped_column()
    # Open text: shown to the room only once a moderator approves it; a changed text waits again.
    approved: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("poll_id", "participant_id"),)


class PollTally(db.Model):
    """A running counter of a poll's results, changed by ``count = count + delta``.

    Keys: ``ballots`` (the total), ``option:<id>``, ``word:<folded word>``, ``value:<n>``
    (rating), ``score:<option id>`` (ranking, Borda points).
    """

    __tablename__ = "poll_tallies"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(120))
    count: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("poll_id", "key"),)

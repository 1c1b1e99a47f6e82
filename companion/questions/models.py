"""Q&A tables: questions, their upvotes, their edit history, and posting bans."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import UTCDateTime
from ..core.timeutil import utcnow
from ..extensions import db


class QuestionState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    ANSWERED = "answered"
    ARCHIVED = "archived"


#: States every attendee of the session sees; the others go to moderators and the author only.
PUBLIC_STATES = frozenset({QuestionState.APPROVED, QuestionState.ANSWERED})
#: States whose questions still wait for an answer (carried forward at the end of a session).
UNANSWERED_STATES = frozenset({QuestionState.PENDING, QuestionState.APPROVED})


class Question(db.Model):
    """A question asked in one session, stored exactly as typed (surrounding spaces aside)."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"))
    # The author, kept for "my questions" and bans; never shown when the question is anonymous.
    # None for a question carried from another session (participants belong to one session).
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    # The author's name when asked; None when anonymous.
    author_name: Mapped[str | None] = mapped_column(String(200))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text)
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL")
    )
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("speakers.id", ondelete="SET NULL"))
    state: Mapped[QuestionState] = mapped_column(
        Enum(
            QuestionState,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=QuestionState.PENDING,
    )
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    reply: Mapped[str | None] = mapped_column(Text)
    answered_live: Mapped[bool] = mapped_column(Boolean, default=False)
    # Vote rows of this session plus carried_votes; changed only by SQL arithmetic.
    upvotes: Mapped[int] = mapped_column(Integer, default=0)
    # Raised with every change of ``upvotes``: with several processes, coalesced counts may
    # reach a client out of order, and the higher version is the newer count.
    votes_version: Mapped[int] = mapped_column(Integer, default=0)
    # Upvotes received in the session this question was carried from (counted, not listed:
    # the voters were participants of that other session).
    carried_votes: Mapped[int] = mapped_column(Integer, default=0)
    # Why the question waits for a moderator although pre-moderation is off ("profanity").
    held_reason: Mapped[str | None] = mapped_column(String(40))
    # Likely duplicates found when the question arrived (ids of this session's questions).
    similar_ids: Mapped[list] = mapped_column(JSON, default=list)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id", ondelete="SET NULL")
    )
    carried_from_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="SET NULL")
    )
    carried_from_question_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id", ondelete="SET NULL")
    )
    carried_to_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="SET NULL")
    )
    # Last time a moderator changed the text (the history is in question_edits).
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        Index("ix_questions_session_id_state", "session_id", "state"),
        Index("ix_questions_participant_id_created_at", "participant_id", "created_at"),
    )


class QuestionVote(db.Model):
    """One participant's upvote of one question: the unique key makes it one per person."""

    __tablename__ = "question_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("question_id", "participant_id"),)


class QuestionEdit(db.Model):
    """A moderator's edit of a question's text; the first row keeps the original."""

    __tablename__ = "question_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    old_text: Mapped[str] = mapped_column(Text)
    new_text: Mapped[str] = mapped_column(Text)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QuestionBan(db.Model):
    """A participant a moderator stopped from posting questions for the rest of a session."""

    __tablename__ = "question_bans"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("session_id", "participant_id"),)

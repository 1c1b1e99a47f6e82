"""The Q&A in the documents: questions the room saw, counts by state, carried questions."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Doc, SessionRef, Time


class QuestionEntry(Doc):
    """A question the room saw. ``author`` is null for an anonymous question (and after a
    purge); no participant id or email is ever given."""

    id: int
    session_id: int
    text: str
    state: Literal["pending", "approved", "rejected", "answered", "archived"]
    upvotes: int = Field(description="Upvotes, those carried from an earlier session included.")
    anonymous: bool
    author: str | None = Field(description="The display name of a signed question only.")
    reply: str | None = Field(description="The moderators' written reply, if any.")
    answered_live: bool = Field(description="Answered aloud, without a written reply.")
    agenda_item_id: int | None
    agenda_item_title: str | None
    created_at: Time
    carried_from: SessionRef | None = Field(description="The session it was carried from.")
    carried_to: SessionRef | None = Field(description="The session it was carried to.")


class QuestionCounts(Doc):
    """The Q&A in figures; the states partition ``total``."""

    total: int = Field(description="Questions held by the session (asked + carried_in).")
    asked: int = Field(description="Asked in this session.")
    carried_in: int = Field(description="Carried from an earlier session.")
    answered: int
    answered_with_reply: int
    answered_live: int
    unanswered: int = Field(description="Approved and still waiting for an answer.")
    pending: int = Field(description="Still waiting for a moderator.")
    rejected: int
    merged: int = Field(description="Merged into another question as duplicates.")
    archived: int = Field(description="Archived by a moderator (not merged, not carried).")
    carried_forward: int = Field(description="Carried to a later session.")
    moderated_out: int = Field(description="rejected + archived.")
    edited: int = Field(description="Text changed by a moderator.")
    anonymous: int
    signed: int
    upvotes: int = Field(description="Upvotes cast in this session (one per person).")


class Questions(Doc):
    """Lists hold only what the room saw (approved or answered, or carried on as such)."""

    counts: QuestionCounts
    answered: list[QuestionEntry] = Field(description="Most upvoted first.")
    most_upvoted: list[QuestionEntry] = Field(description="The ten most upvoted.")
    unanswered: list[QuestionEntry]
    carried_forward: list[QuestionEntry]
    carried_in: list[QuestionEntry]


class TopQuestion(Doc):
    text: str
    upvotes: int
    author: str | None


class CarriedQuestion(Doc):
    text: str
    author: str | None
    from_session_id: int
    from_title: str | None
    to_session_id: int
    to_title: str | None
    state: Literal["pending", "approved", "rejected", "answered", "archived"] = Field(
        description="What became of it in the later session."
    )
    reply: str | None
    upvotes: int


class CarriedQuestions(Doc):
    count: int = Field(description="Every carried question (items: those the room saw).")
    items: list[CarriedQuestion]


class FollowUp(Doc):
    text: str
    count: int
    questions: list[QuestionEntry] = Field(
        description="Questions still unanswered when their (ended) session closed."
    )

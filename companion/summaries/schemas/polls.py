"""Polls in the documents: each opened poll with its results, and polls compared across sessions."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...polls.models import POLL_KINDS
from .base import Doc, Time


class OptionOut(Doc):
    id: int
    text: str


class ChoiceResult(Doc):
    """Single, multiple and quiz polls: ballots naming each option."""

    option_id: int
    text: str
    count: int
    correct: bool | None = Field(default=None, description="Quiz only: the correct option.")


class RankingResult(Doc):
    """Ranking polls: Borda score (n-1 points for first place ... 0 for last), best first."""

    option_id: int
    text: str
    score: int


class WordResult(Doc):
    """Word clouds: each (case- and Unicode-folded) word and how many ballots gave it."""

    word: str
    count: int


class RatingResult(Doc):
    histogram: dict[str, int] = Field(description="Ballots per value of the scale.")
    mean: float | None


class OpenResult(Doc):
    count: int = Field(description="Answers received.")
    approved: int = Field(description="Answers a moderator approved for the room.")


Results = list[ChoiceResult] | list[RankingResult] | list[WordResult] | RatingResult | OpenResult


class OpenAnswer(Doc):
    """An approved open answer; ``author`` only when the poll was named (not anonymous)."""

    text: str
    author: str | None


class PollEntry(Doc):
    """A poll that was opened (drafts are plans, not results), with its results."""

    id: int
    kind: Literal[POLL_KINDS]  # type: ignore[valid-type]
    question: str
    state: Literal["open", "closed"]
    anonymous: bool
    results_public: bool = Field(description="Whether the room could see the results.")
    agenda_item_id: int | None
    agenda_item_title: str | None
    opened_at: Time | None
    closed_at: Time | None
    options: list[OptionOut]
    correct_option_id: int | None
    scale: dict | None = Field(description="Rating only: {min, max, labels}.")
    total: int = Field(description="Ballots (one per participant, changes not counted).")
    results: Results
    answers: list[OpenAnswer] = Field(description="Open polls: the approved answers.")


class Evaluation(Doc):
    """The session's last rating poll (the seed's evaluation)."""

    poll_id: int
    question: str
    total: int
    mean: float | None


class ComparedSession(Doc):
    session_id: int
    session_title: str
    poll_id: int
    total: int
    results: Results
    mean: float | None


class ComparedPoll(Doc):
    """The same poll (same kind and question) asked in several sessions."""

    kind: str
    question: str
    scale: dict | None
    sessions: list[ComparedSession]

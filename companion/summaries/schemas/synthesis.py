"""The event synthesis: each session's essentials, attendance across sessions, the whole."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Doc, EventInfo, Time
from .polls import ComparedPoll, Evaluation
from .questions import CarriedQuestions, FollowUp, TopQuestion
from .themes import EventThemes, RecurringTheme


class Figures(Doc):
    registered: int
    joined: int
    peak_online: int
    contributors: int
    questions: int
    answered: int
    unanswered: int
    carried_forward: int
    moderated_out: int
    polls: int
    ballots: int
    floor_turns: int
    agenda_overruns: int


class SessionEssentials(Doc):
    """A session's essentials, to set side by side with the others."""

    id: int
    title: str
    status: Literal["scheduled", "live", "ended"]
    final: bool
    starts_at: Time
    ends_at: Time
    started_at: Time | None
    ended_at: Time | None
    speakers: list[str] = Field(description="Programme speakers who had the floor.")
    absent_speakers: list[str]
    moderators: list[str]
    figures: Figures
    top_questions: list[TopQuestion]
    themes: list[str]
    evaluation: Evaluation | None


class SessionAttendance(Doc):
    session_id: int
    title: str
    registered: int
    joined: int
    peak_online: int
    contributors: int


class Attendance(Doc):
    """Registrations are the only link between sessions: people who joined with a code are
    counted once per session, apart."""

    registrations: int
    sessions: int
    registered_for: dict[str, int] = Field(
        description="Registrations per number of sessions chosen."
    )
    came_to: dict[str, int] = Field(description="Registrations per number of sessions attended.")
    joined_without_registration: int
    registered_people: int = Field(description="Registrations who came at least once.")
    people: int = Field(description="Registrations who came at least once + code joins.")
    per_session: list[SessionAttendance]


class EventSynthesis(Doc):
    """The synthesis of an event across its sessions."""

    schema_version: Literal[1]
    kind: Literal["event"]
    generated_at: Time
    final: bool = Field(description="Every session has ended.")
    event: EventInfo
    sessions: list[SessionEssentials]
    themes: EventThemes
    recurring_themes: list[RecurringTheme]
    carried_questions: CarriedQuestions
    follow_up: FollowUp
    attendance: Attendance
    compared_polls: list[ComparedPoll]

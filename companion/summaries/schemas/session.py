"""The session summary: its header, who ran it, participation, the timeline, the whole."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Doc, EventInfo, Seconds, Time
from .floor import AbsentSpeaker, Agenda, Floor, SpeakerOut
from .polls import PollEntry
from .questions import Questions
from .themes import Themes


class SessionInfo(Doc):
    id: int
    key: str
    title: str
    description: str
    status: Literal["scheduled", "live", "ended"]
    starts_at: Time = Field(description="Planned start.")
    ends_at: Time = Field(description="Planned end.")
    started_at: Time | None = Field(description="Actual start.")
    ended_at: Time | None = Field(description="Actual end.")
    planned_s: Seconds | None
    actual_s: Seconds | None = Field(description="Held so far (until now while live).")


class Moderator(Doc):
    """A staff member who ran the session (started or ended it, moved its agenda, edited or
    banned in its Q&A)."""

    name: str
    role: Literal["moderator", "facilitator"]


class FunnelStep(Doc):
    step: Literal["registered", "present", "contributed"]
    count: int
    percent: int | None = Field(description="Share of the larger of registered and present.")


class Participation(Doc):
    """Aggregates only."""

    registered: int = Field(description="Registrations that chose this session.")
    joined: int = Field(description="Participants of the session.")
    joined_registered: int = Field(description="... of whom joined with a registration.")
    peak_online: int = Field(description="Most attendees online at once.")
    contributors: int = Field(
        description="Distinct participants with a ballot, a question or a request to speak."
    )
    questions: int
    ballots: int
    upvotes: int
    floor_requests: int = Field(description="Hands raised by attendees.")
    floor_turns: int = Field(description="Turns to speak, programme speakers included.")
    profiles: dict[str, int] = Field(description="Registered participants per profile.")
    funnel: list[FunnelStep] = Field(description="registered → present → contributed.")


class TimelineEntry(Doc):
    at: Time
    type: Literal[
        "session_started",
        "agenda_item",
        "poll_opened",
        "poll_closed",
        "floor_turn",
        "session_ended",
    ]
    title: str
    agenda_item_id: int | None
    poll_id: int | None
    duration_s: Seconds | None


class SessionSummary(Doc):
    """A session's summary: live (``final`` false) while it runs, final once ended."""

    schema_version: Literal[1]
    kind: Literal["session"]
    generated_at: Time
    final: bool
    event: EventInfo
    session: SessionInfo
    moderators: list[Moderator]
    speakers: list[SpeakerOut] = Field(description="Programme speakers who had the floor.")
    absent_speakers: list[AbsentSpeaker]
    agenda: Agenda
    floor: Floor
    polls: list[PollEntry]
    questions: Questions
    participation: Participation
    themes: Themes
    timeline: list[TimelineEntry]

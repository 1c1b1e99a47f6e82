"""The JSON summary's schema: pydantic models of what the builders return, field by field.

They document the JSON format (docs/summary.schema.json is generated from them, see
:func:`json_schema`) and the tests validate every summary they build against them, so the
documentation cannot drift from the code. ``extra="forbid"``: a field added to a builder must be
added (and described) here too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import models_json_schema

from ..config import ROOT
from ..polls.models import POLL_KINDS

SCHEMA_PATH = ROOT / "docs" / "summary.schema.json"

Time = str  # ISO 8601 with the event's offset, e.g. 2020-06-30T10:00:00+02:00
Seconds = float


class Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- shared parts


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


class Keyphrase(Doc):
    """A key theme: a phrase of one to three words that contributions keep coming back to."""

    phrase: str = Field(description="As people wrote it most often.")
    key: str = Field(description="Its words' stems, accents folded (same key: same theme).")
    count: int = Field(description="Contributions that carry it.")
    examples: list[str] = Field(description="One or two contributions quoted (most upvoted first).")
    lang: Literal["fr", "en"]


class ThemeInSession(Doc):
    session_id: int
    count: int


class FollowedTheme(Keyphrase):
    """A theme of the whole event, followed session by session."""

    sessions: list[int] = Field(description="Sessions whose contributions carry it, in order.")
    per_session: list[ThemeInSession] = Field(description="Contributions per session.")


class SessionRef(Doc):
    session_id: int
    session_title: str | None


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


# ---------------------------------------------------------------- the session summary


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


class AbsentSpeaker(Doc):
    """A programme speaker planned in the agenda who never had the floor."""

    id: int
    name: str
    role: str
    organisation: str
    planned_s: Seconds = Field(description="Their items' planned time, shared with co-speakers.")


class SpeakerOut(AbsentSpeaker):
    """A programme speaker who had the floor, against the time planned for them."""

    turns: int
    spoken_s: Seconds = Field(description="Pauses excluded.")


class AgendaEntry(Doc):
    """An agenda item as planned (cumulative from the session's start) and as it ran."""

    agenda_item_id: int
    position: int
    title: str
    kind: str
    speakers: list[str]
    planned_start: Time
    planned_s: int
    started_at: Time | None
    ended_at: Time | None
    actual_s: Seconds | None = Field(description="Time the item was under way (null: not run).")
    spoken_s: Seconds = Field(description="Speaking time recorded by the floor in the item.")
    turns: int
    overrun_s: Seconds | None = Field(description="Beyond the planned time (null: not run).")


class Agenda(Doc):
    items: list[AgendaEntry]
    planned_s: int
    actual_s: Seconds
    items_run: int
    overruns: int = Field(description="Items that ran longer than planned.")
    overrun_s: Seconds


class Turn(Doc):
    """One handover of the floor. Attendees who spoke are named (they spoke in front of
    everyone), without their organisation; programme speakers with theirs."""

    agenda_item_id: int | None
    agenda_item_title: str | None
    kind: Literal["planned", "contribution", "question", "point_of_order"]
    speaker_id: int | None = Field(description="The programme speaker, if one.")
    name: str
    organisation: str
    attendee: bool
    began_at: Time
    ended_at: Time | None
    planned_s: int
    spoken_s: Seconds = Field(description="Pauses excluded.")
    paused_s: Seconds
    overrun_s: Seconds
    pauses: int


class SpeakingTime(Doc):
    speaker_id: int | None
    name: str
    organisation: str
    attendee: bool
    turns: int
    spoken_s: Seconds


class Floor(Doc):
    turns: list[Turn]
    speaking_times: list[SpeakingTime]
    speaker_turns: int
    attendee_turns: int
    spoken_s: Seconds
    overruns: int


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


class ThemeSources(Doc):
    questions: int
    open_answers: int
    words: int = Field(description="Words given to word clouds (each once per person).")


class Themes(Doc):
    """Key themes of the questions, approved open answers and word-cloud words the room saw."""

    texts: dict[str, int] = Field(description="Texts per detected language.")
    keyphrases: list[Keyphrase] = Field(description="Top ten per language, best first.")
    sources: ThemeSources


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


# ---------------------------------------------------------------- the event synthesis


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


class Evaluation(Doc):
    """The session's last rating poll (the seed's evaluation)."""

    poll_id: int
    question: str
    total: int
    mean: float | None


class TopQuestion(Doc):
    text: str
    upvotes: int
    author: str | None


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


class EventThemes(Doc):
    texts: dict[str, int]
    keyphrases: list[FollowedTheme]


class RecurringTheme(FollowedTheme):
    """A theme of the whole event found in the texts of two sessions or more."""


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
    people: int = Field(description="Registrations who came at least once + code joins.")
    per_session: list[SessionAttendance]


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


def json_schema() -> dict:
    """The JSON Schema (2020-12) of both documents, as kept in docs/summary.schema.json."""
    _, definitions = models_json_schema(
        [(SessionSummary, "validation"), (EventSynthesis, "validation")],
        ref_template="#/$defs/{model}",
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://companion.invalid/schemas/summary.schema.json",
        "title": "Companion session summary or event synthesis",
        "description": "GET /api/v1/sessions/{id}/summary.json (kind: session) and "
        "GET /api/v1/events/{slug}/synthesis.json (kind: event). Anonymous contributions "
        "carry no name, email or participant id.",
        "oneOf": [{"$ref": "#/$defs/SessionSummary"}, {"$ref": "#/$defs/EventSynthesis"}],
        "$defs": definitions["$defs"],
    }


def write_json_schema(path: Path = SCHEMA_PATH) -> None:
    """Regenerate docs/summary.schema.json from the models."""
    path.write_text(json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n", "utf-8")

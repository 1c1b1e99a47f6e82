"""The programme file (YAML) and the socket payloads of the programme domain."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, StringConstraints, field_validator, model_validator

from ..core.i18n import N_
from ..core.schemas import Bool, Id, Line, Problem, Prose, Schema
from .models import AGENDA_KINDS

Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,79}$")]
Text = Prose(5000)
Title = Line(300, 1)


class SpeakerFile(Schema):
    key: Key
    name: Line(200, 1)
    role: Line(300) = ""
    organisation: Line(300) = ""
    bio: Text = ""


class AgendaItemFile(Schema):
    title: Line(500, 1)
    kind: Literal[AGENDA_KINDS] = "topic"  # type: ignore[valid-type]
    planned_minutes: int = Field(default=10, ge=0, le=600)
    description: Text = ""
    speakers: list[Key] = Field(default_factory=list, max_length=20)


class SessionFile(Schema):
    key: Key
    title: Title
    description: Text = ""
    starts_at: datetime
    ends_at: datetime
    webconference_url: Annotated[
        str, StringConstraints(max_length=1000, pattern=r"^(https?://[^\s<>\"]+)?$")
    ] = ""
    agenda: list[AgendaItemFile] = Field(default_factory=list, max_length=100)
    settings: dict[str, Any] = Field(default_factory=dict)
    # Polls prepared in advance; validated by the polls domain on import.
    polls: list[dict[str, Any]] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _ends_after_start(self):
        if self.ends_at <= self.starts_at:
            raise ValueError(N_("ends_at must come after starts_at"))
        return self


class EventFile(Schema):
    slug: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,79}$")]
    title: Title
    description: Text = ""
    timezone: str = "Europe/Paris"
    language: Literal["fr", "en"] = "fr"
    registration_required: Bool = True
    code_join_allowed: Bool = False
    contact: Text = ""
    follow_up: Text = ""
    retention_days: int | None = Field(default=90, ge=1, le=3650)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise Problem(N_("unknown timezone %(value)s"), value=repr(value)) from None
        return value


class ProgrammeFile(Schema):
    """A whole event as written in a programme file."""

    event: EventFile
    speakers: list[SpeakerFile] = Field(default_factory=list, max_length=500)
    sessions: list[SessionFile] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _references(self):
        speaker_keys = [s.key for s in self.speakers]
        if len(set(speaker_keys)) != len(speaker_keys):
            raise ValueError(N_("two speakers share a key"))
        session_keys = [s.key for s in self.sessions]
        if len(set(session_keys)) != len(session_keys):
            raise ValueError(N_("two sessions share a key"))
        known = set(speaker_keys)
        for s_index, session in enumerate(self.sessions):
            for a_index, item in enumerate(session.agenda):
                for key in item.speakers:
                    if key not in known:
                        raise Problem(
                            N_(
                                "sessions.%(session)s.agenda.%(item)s.speakers: unknown speaker %(key)s"
                            ),
                            session=s_index,
                            item=a_index,
                            key=repr(key),
                        )
        return self


class AgendaAdvanceIn(Schema):
    session_id: Id
    agenda_item_id: Id | None


class SessionIdIn(Schema):
    session_id: Id


# ---------------------------------------------------------------- the organiser's workspace

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,79}$")]
WebconferenceUrl = Annotated[
    str, StringConstraints(max_length=1000, pattern=r"^(https?://[^\s<>\"]+)?$")
]
PlannedMinutes = Annotated[int, Field(ge=0, le=600)]
AgendaKind = Literal[AGENDA_KINDS]  # type: ignore[valid-type]


def _check_timezone(value: str | None) -> str | None:
    if value is None:
        return value
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise Problem(N_("unknown timezone %(value)s"), value=repr(value)) from None
    return value


class EventIn(Schema):
    """``POST /events``: a new event."""

    slug: Slug
    title: Title
    description: Text = ""
    timezone: str = "Europe/Paris"
    language: Literal["fr", "en"] = "fr"
    registration_required: bool = True
    code_join_allowed: bool = False
    contact: Text = ""
    follow_up: Text = ""
    retention_days: int | None = Field(default=90, ge=1, le=3650)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value):
        return _check_timezone(value)


class EventPatch(Schema):
    """``PATCH /events/{slug}``: only the fields given change."""

    slug: Slug | None = None
    title: Title | None = None
    description: Text | None = None
    timezone: str | None = None
    language: Literal["fr", "en"] | None = None
    registration_required: bool | None = None
    code_join_allowed: bool | None = None
    contact: Text | None = None
    follow_up: Text | None = None
    retention_days: int | None = Field(default=None, ge=1, le=3650)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value):
        return _check_timezone(value)


class SessionIn(Schema):
    """``POST /events/{slug}/sessions``; times with an offset, or the event's local time."""

    title: Title
    description: Text = ""
    starts_at: datetime
    ends_at: datetime
    webconference_url: WebconferenceUrl = ""

    @model_validator(mode="after")
    def _ends_after_start(self):
        if _naive(self.starts_at) != _naive(self.ends_at):
            raise ValueError(N_("give starts_at and ends_at both with an offset, or both without"))
        if self.ends_at <= self.starts_at:
            raise ValueError(N_("ends_at must come after starts_at"))
        return self


class SessionPatch(Schema):
    title: Title | None = None
    description: Text | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    webconference_url: WebconferenceUrl | None = None


def _naive(value: datetime) -> bool:
    return value.tzinfo is None


class AgendaItemIn(Schema):
    title: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    kind: AgendaKind = "topic"
    planned_minutes: PlannedMinutes = 10
    description: Text = ""
    speaker_ids: list[Id] = Field(default_factory=list, max_length=20)


class AgendaItemPatch(Schema):
    title: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = None
    kind: AgendaKind | None = None
    planned_minutes: PlannedMinutes | None = None
    description: Text | None = None
    speaker_ids: list[Id] | None = Field(default=None, max_length=20)


class AgendaOrderIn(Schema):
    agenda_item_ids: list[Id] = Field(max_length=100)


class SpeakerIn(Schema):
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    role: Annotated[str, StringConstraints(max_length=300)] = ""
    organisation: Annotated[str, StringConstraints(max_length=300)] = ""
    bio: Text = ""


class SpeakerPatch(Schema):
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    role: Annotated[str, StringConstraints(max_length=300)] | None = None
    organisation: Annotated[str, StringConstraints(max_length=300)] | None = None
    bio: Text | None = None

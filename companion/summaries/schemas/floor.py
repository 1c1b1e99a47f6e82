"""Programme speakers, the agenda as planned and as it ran, and the floor's handovers."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Doc, Seconds, Time


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

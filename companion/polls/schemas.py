"""Payloads of the poll events, the poll definitions of a programme file, and answers by kind."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, StrictInt, model_validator

from ..core.i18n import N_
from ..core.schemas import Bool, ClientId, Id, Line, Problem, Prose, Schema
from .models import POLL_KINDS, RESULTS_MODES

QUESTION_MAX = 500
OPTION_MAX = 200
OPTIONS_MAX = 20
TEXT_MAX = 500
WORD_MAX = 40
WORDS_MAX = 3
SCALE_SPAN_MAX = 10  # at most 11 values on a rating scale

Question = Prose(QUESTION_MAX, 1)
OptionText = Line(OPTION_MAX, 1)
Kind = Literal[POLL_KINDS]  # type: ignore[valid-type]
ResultsMode = Literal[RESULTS_MODES]  # type: ignore[valid-type]


class ScaleIn(Schema):
    """A rating scale: whole values from ``min`` to ``max``, some of them labelled."""

    min: StrictInt = Field(default=1, ge=-10, le=100)
    max: StrictInt = Field(default=5, ge=-10, le=100)
    labels: dict[int, Line(80)] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _sensible(self):
        if self.max <= self.min:
            raise ValueError(N_("scale.max must be greater than scale.min"))
        if self.max - self.min > SCALE_SPAN_MAX:
            raise Problem(N_("a scale has at most %(count)s values"), count=SCALE_SPAN_MAX + 1)
        outside = [v for v in self.labels if not self.min <= v <= self.max]
        if outside:
            raise Problem(
                N_("labels for values outside the scale: %(values)s"), values=sorted(outside)
            )
        return self


class SettingsFile(Schema):
    """Poll settings as written in a programme file (the agenda item is named by index)."""

    anonymous: Bool = True
    results: ResultsMode = "live"
    max_choices: int | None = Field(default=None, ge=1, le=OPTIONS_MAX)
    max_words: int | None = Field(default=None, ge=1, le=WORDS_MAX)
    scale: ScaleIn | None = None
    correct_option: int | None = Field(default=None, ge=0, lt=OPTIONS_MAX)


class SettingsIn(SettingsFile):
    """Poll settings on ``poll.create`` and ``poll.update`` (contract: ``settings``)."""

    agenda_item_id: Id | None = None


class PollValues(Schema):
    """A new poll's definition: the values of ``drafting.create_poll``."""

    kind: Kind
    question: Question
    options: list[OptionText] = Field(default_factory=list, max_length=OPTIONS_MAX)
    settings: SettingsIn = Field(default_factory=SettingsIn)


class PollChanges(Schema):
    """Edit a draft: the fields given replace the current ones (settings as a whole)."""

    kind: Kind | None = None
    question: Question | None = None
    options: list[OptionText] | None = Field(default=None, max_length=OPTIONS_MAX)
    settings: SettingsIn | None = None


class PollCreateIn(PollValues):
    session_id: Id


class PollUpdateIn(PollChanges):
    poll_id: Id


class PollIdIn(Schema):
    poll_id: Id


class SessionIdIn(Schema):
    session_id: Id


class VoteIn(Schema):
    poll_id: Id
    client_id: ClientId
    # Checked against the poll's kind by voting.read_answer (each kind names its schema).
    answer: dict[str, Any]


class Moderation(Schema):
    """Approve an open-text answer for the room, or hide it again."""

    answer_id: Id
    action: Literal["approve", "hide"]


class ModerateAnswerIn(Moderation):
    poll_id: Id


class PollFile(Schema):
    """A poll prepared in a programme file's ``sessions[].polls`` list (imported as a draft)."""

    kind: Kind
    question: Question
    options: list[OptionText] = Field(default_factory=list, max_length=OPTIONS_MAX)
    settings: SettingsFile = Field(default_factory=SettingsFile)
    # Index of the session's agenda item the poll belongs to (0 = the first).
    agenda_item: int | None = Field(default=None, ge=0)


# ---------------------------------------------------------------- answers (each kind names its own)


class OptionAnswer(Schema):
    """single, quiz"""

    option_id: Id


class OptionsAnswer(Schema):
    """multiple, ranking"""

    option_ids: list[Id] = Field(min_length=1, max_length=OPTIONS_MAX)


class WordsAnswer(Schema):
    """wordcloud"""

    words: list[Line(WORD_MAX * 2)] = Field(min_length=1, max_length=WORDS_MAX)


class RatingAnswer(Schema):
    """rating"""

    value: StrictInt


class OpenAnswer(Schema):
    """open"""

    text: Prose(TEXT_MAX, 1)

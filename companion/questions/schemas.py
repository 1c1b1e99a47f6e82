"""Payloads of the question.* socket events."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ..core.i18n import N_
from ..core.schemas import Bool, ClientId, Id, Line, Prose, Schema

#: Hard ceiling of a question's length; each session may set a lower one (default 500).
MAX_TEXT = 2000
DEFAULT_MAX_LENGTH = 500
MAX_REPLY = 4000
MODERATION_ACTIONS = ("approve", "reject", "pin", "unpin", "answer", "reopen", "archive")

# Surrounding whitespace is stripped by Schema; what is inside is kept exactly as typed.
QuestionText = Prose(MAX_TEXT, 1)
Word = Line(60, 1)


class SubmitIn(Schema):
    session_id: Id
    client_id: ClientId
    text: QuestionText
    anonymous: Bool = False
    # Default: the agenda item under way when the question is asked.
    agenda_item_id: Id | None = None
    speaker_id: Id | None = None


class QuestionIdIn(Schema):
    question_id: Id


class ModerateIn(Schema):
    question_id: Id
    action: Literal[MODERATION_ACTIONS]  # type: ignore[valid-type]
    # With "answer": the written reply; none means the question was answered live.
    reply: Prose(MAX_REPLY) | None = None


class EditIn(Schema):
    question_id: Id
    text: QuestionText


class MergeIn(Schema):
    question_id: Id
    into_id: Id


class BanIn(Schema):
    """Name the participant by one of their questions (anonymous ones too) or by id."""

    question_id: Id | None = None
    session_id: Id | None = None
    participant_id: Id | None = None

    @model_validator(mode="after")
    def _one_way(self):
        by_question = self.question_id is not None
        by_participant = self.session_id is not None and self.participant_id is not None
        if by_question == by_participant or (
            by_question and (self.session_id or self.participant_id)
        ):
            raise ValueError(N_("give either question_id, or session_id and participant_id"))
        return self


class CarryForwardIn(Schema):
    session_id: Id
    target_session_id: Id


class SettingsIn(Schema):
    session_id: Id
    premoderation: Bool | None = None
    question_max_length: int | None = Field(default=None, ge=20, le=MAX_TEXT)
    # Questions a participant may ask per minute (0: no limit).
    rate_per_minute: int | None = Field(default=None, ge=0, le=100)
    # Extra words that hold a question for moderation, on top of the built-in lists.
    profanity_words: list[Word] | None = Field(default=None, max_length=500)
    # Whether the built-in French and English lists apply.
    profanity_builtin: Bool | None = None


class SessionIdIn(Schema):
    session_id: Id

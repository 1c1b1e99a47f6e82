"""Payloads of the floor's socket events."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from ..core.i18n import N_
from ..core.schemas import Bool, ClientId, Id, Schema

Seconds = Annotated[int, Field(strict=True, ge=10, le=3 * 3600)]


class SessionIdIn(Schema):
    session_id: Id


class FloorRequestIn(Schema):
    session_id: Id
    client_id: ClientId
    kind: Literal["contribution", "question", "point_of_order"] = "contribution"


class RequestIdIn(Schema):
    request_id: Id


class GiveIn(Schema):
    session_id: Id
    request_id: Id | None = None
    speaker_id: Id | None = None

    @model_validator(mode="after")
    def _one_target(self):
        if (self.request_id is None) == (self.speaker_id is None):
            raise ValueError(N_("give either request_id or speaker_id"))
        return self


class SortIn(Schema):
    session_id: Id
    request_ids: list[Id] = Field(min_length=1, max_length=500)


class TimesIn(Schema):
    contribution: Seconds | None = None
    question: Seconds | None = None
    point_of_order: Seconds | None = None


class SettingsIn(Schema):
    session_id: Id
    fairness: Bool | None = None
    times: TimesIn | None = None
    warning_s: Annotated[int, Field(strict=True, ge=0, le=600)] | None = None

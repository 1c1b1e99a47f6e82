"""Payloads of registration, join and login."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import EmailStr, Field, StringConstraints

from ..core.schemas import Id, Line, Schema
from .models import PROFILES

Name = Line(120, 1, strip_whitespace=True)


class RegistrationIn(Schema):
    name: Name
    email: EmailStr = Field(max_length=254)
    organisation: Line(200) = ""
    profile: Literal[PROFILES] = "autre"  # type: ignore[valid-type]
    session_ids: list[Id] = Field(min_length=1, max_length=50)


class JoinIn(Schema):
    name: Name | None = None
    code: Line(16, 4) | None = None
    registration_token: Line(512, 10) | None = None
    #: With a registration token that does not name this session: add it to the registration
    #: (the person chose to attend it too) instead of refusing.
    add_session: bool = False


class LoginIn(Schema):
    email: EmailStr = Field(max_length=254)
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]

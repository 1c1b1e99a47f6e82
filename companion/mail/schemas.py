"""Payloads of the mail-sending routes."""

from __future__ import annotations

from pydantic import EmailStr, Field

from ..core.schemas import Schema


class EmailIn(Schema):
    email: EmailStr = Field(max_length=254)

"""Base for every payload schema: unknown keys refused, errors made readable."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationError,
)

from .errors import Invalid

# Ids are opaque to clients; the server uses integers.
Id = Annotated[int, Field(strict=True, ge=1, le=2**53)]
#: Booleans are JSON true/false only: "yes", 1 or "true" are refused, never coerced.
Bool = StrictBool

# Control characters (C0, DEL, C1): NUL breaks PostgreSQL text, the others hide or garble text
# in exports and screens. Multi-line text keeps tabs and line breaks; one-line text does not.
_CONTROLS_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROLS_IN_PROSE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _refuse(pattern: re.Pattern, what: str):
    def check(value: str) -> str:
        if pattern.search(value):
            raise ValueError(f"control characters are not allowed in {what}")
        return value

    return check


_line_check = AfterValidator(_refuse(_CONTROLS_IN_LINE, "a one-line text"))
_prose_check = AfterValidator(_refuse(_CONTROLS_IN_PROSE, "a text"))
# The same rules in the OpenAPI document (the validators above give the readable message).
_line_doc = Field(json_schema_extra={"pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"})
_prose_doc = Field(
    json_schema_extra={
        "pattern": "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"
    }
)


def Line(max_length: int, min_length: int = 0, **constraints: Any) -> Any:
    """A one-line text field (names, titles, codes): no control character, no line break."""
    return Annotated[
        str,
        StringConstraints(min_length=min_length, max_length=max_length, **constraints),
        _line_check,
        _line_doc,
    ]


def Prose(max_length: int, min_length: int = 0) -> Any:
    """A text field that may span lines (questions, descriptions): no other control character."""
    return Annotated[
        str,
        StringConstraints(min_length=min_length, max_length=max_length),
        _prose_check,
        _prose_doc,
    ]


ClientId = Line(64, 1, strip_whitespace=True)


class Schema(BaseModel):
    """A request payload: strict types, unknown keys refused, strings stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, strict=False)


def parse(schema: type[Schema], data: Any) -> Schema:
    """Validate ``data`` against ``schema`` or raise Invalid naming each bad field."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise Invalid("The payload must be a JSON object.")
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        problems = [
            {
                "field": ".".join(str(part) for part in err["loc"]) or "(payload)",
                "problem": err["msg"],
            }
            for err in exc.errors(include_url=False, include_input=False)
        ]
        summary = "; ".join(f"{p['field']}: {p['problem']}" for p in problems[:5])
        raise Invalid(f"Invalid payload — {summary}", details=problems) from None

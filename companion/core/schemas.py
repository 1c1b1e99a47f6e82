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
from .i18n import N_, translate

# Ids are opaque to clients; the server uses integers.
Id = Annotated[int, Field(strict=True, ge=1, le=2**53)]
#: Booleans are JSON true/false only: "yes", 1 or "true" are refused, never coerced.
Bool = StrictBool

# Control characters (C0, DEL, C1): NUL breaks PostgreSQL text, the others hide or garble text
# in exports and screens. Multi-line text keeps tabs and line breaks; one-line text does not.
_CONTROLS_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROLS_IN_PROSE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class Problem(ValueError):
    """A validator's refusal: a catalogue msgid and the values of its ``%(name)s`` placeholders,
    so ``problem_of`` can say it in the request's language (an f-string cannot be translated)."""

    def __init__(self, msgid: str, **params: Any):
        super().__init__(msgid % params if params else msgid)
        self.msgid = msgid
        self.params = params


def _refuse(pattern: re.Pattern, problem: str):
    def check(value: str) -> str:
        if pattern.search(value):
            raise ValueError(problem)
        return value

    return check


_line_check = AfterValidator(
    _refuse(_CONTROLS_IN_LINE, N_("control characters are not allowed in a one-line text"))
)
_prose_check = AfterValidator(
    _refuse(_CONTROLS_IN_PROSE, N_("control characters are not allowed in a text"))
)
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


#: Pydantic's error types, as a person reads them (``%(name)s`` filled from the error's context).
PROBLEMS = {
    "missing": N_("This field is required."),
    "extra_forbidden": N_("This field is not expected here."),
    "string_too_short": N_("At least %(min_length)s characters."),
    "string_too_long": N_("At most %(max_length)s characters."),
    "string_pattern_mismatch": N_("This value does not have the expected form."),
    "string_type": N_("Text is expected here."),
    "int_type": N_("A whole number is expected here."),
    "int_parsing": N_("A whole number is expected here."),
    "int_from_float": N_("A whole number is expected here."),
    "float_type": N_("A number is expected here."),
    "float_parsing": N_("A number is expected here."),
    "bool_type": N_("Yes or no (true or false) is expected here."),
    "bool_parsing": N_("Yes or no (true or false) is expected here."),
    "list_type": N_("A list is expected here."),
    "dict_type": N_("An object is expected here."),
    "model_type": N_("An object is expected here."),
    "model_attributes_type": N_("An object is expected here."),
    "too_short": N_("At least %(min_length)s item(s)."),
    "too_long": N_("At most %(max_length)s item(s)."),
    "greater_than_equal": N_("At least %(ge)s."),
    "greater_than": N_("More than %(gt)s."),
    "less_than_equal": N_("At most %(le)s."),
    "less_than": N_("Less than %(lt)s."),
    "literal_error": N_("One of: %(expected)s."),
    "enum": N_("One of: %(expected)s."),
    "datetime_parsing": N_(
        "A date and time (ISO 8601, e.g. 2020-06-30T10:00:00+02:00) is expected."
    ),
    "datetime_type": N_("A date and time (ISO 8601, e.g. 2020-06-30T10:00:00+02:00) is expected."),
    "datetime_from_date_parsing": N_(
        "A date and time (ISO 8601, e.g. 2020-06-30T10:00:00+02:00) is expected."
    ),
    "date_parsing": N_("A date (e.g. 2020-06-30) is expected."),
    "date_from_datetime_parsing": N_("A date (e.g. 2020-06-30) is expected."),
    "url_parsing": N_("A web address (https://…) is expected here."),
    "url_scheme": N_("A web address (https://…) is expected here."),
    "json_invalid": N_("The payload is not valid JSON."),
}
EMAIL_PROBLEM = N_("This is not a valid email address.")
OTHER_PROBLEM = N_("This value is not valid.")


def problem_of(err: dict[str, Any]) -> str:
    """Say what is wrong with one field, in the request's language."""
    kind = err.get("type", "")
    ctx = {
        k: (v if isinstance(v, (int, float, str)) else str(v))
        for k, v in (err.get("ctx") or {}).items()
    }
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        kind = "missing"  # an empty required field: say so plainly
    message = PROBLEMS.get(kind)
    if message is None and "email" in str(err.get("msg", "")).lower():
        message = EMAIL_PROBLEM
    if message is None and kind in ("value_error", "assertion_error"):
        # A validator of ours said what is wrong: its words (a msgid where catalogued).
        error = (err.get("ctx") or {}).get("error")
        if isinstance(error, Problem):
            try:
                return translate(error.msgid) % error.params
            except (KeyError, TypeError, ValueError):  # a bad translation must not hide it
                return str(error)
        said = str(error or "")
        return translate(said) if said else translate(OTHER_PROBLEM)
    if message is None:
        return str(err.get("msg", "")) or translate(OTHER_PROBLEM)
    try:
        return translate(message) % ctx
    except (KeyError, TypeError, ValueError):
        return translate(message)


def parse(schema: type[Schema], data: Any) -> Schema:
    """Validate ``data`` against ``schema`` or raise Invalid naming each bad field.

    The message and each detail's ``problem`` are in the request's language; ``field`` is the
    path of the field at fault (``email``, ``options.2``), so a form can show it in place.
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise Invalid(N_("The payload must be a JSON object."))
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        problems = [
            {
                "field": ".".join(str(part) for part in err["loc"]) or "(payload)",
                "problem": problem_of(err),
                "type": err["type"],
            }
            for err in exc.errors(include_url=False, include_input=False)
        ]
        summary = "; ".join(f"{p['field']}: {p['problem']}" for p in problems[:5])
        raise Invalid(
            N_("Invalid payload — %(summary)s"), params={"summary": summary}, details=problems
        ) from None

"""Base for every payload schema: unknown keys refused, errors made readable."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from .errors import Invalid

# Ids are opaque to clients; the server uses integers.
Id = Annotated[int, Field(strict=True, ge=1, le=2**53)]
ClientId = Annotated[str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True)]


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

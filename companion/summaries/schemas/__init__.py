"""The JSON summary's schema: pydantic models of what the builders return, field by field,
one module per part (``session``, ``synthesis``, ``floor``, ``polls``, ``questions``, ``themes``).

They document the JSON format (docs/summary.schema.json is generated from them, see
:func:`json_schema`) and the tests validate every summary they build against them, so the
documentation cannot drift from the code. ``extra="forbid"``: a field added to a builder must be
added (and described) here too.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic.json_schema import models_json_schema

from ...config import ROOT
from .session import SessionSummary
from .synthesis import EventSynthesis

SCHEMA_PATH = ROOT / "docs" / "summary.schema.json"


def json_schema() -> dict:
    """The JSON Schema (2020-12) of both documents, as kept in docs/summary.schema.json."""
    _, definitions = models_json_schema(
        [(SessionSummary, "validation"), (EventSynthesis, "validation")],
        ref_template="#/$defs/{model}",
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://companion.invalid/schemas/summary.schema.json",
        "title": "Companion session summary or event synthesis",
        "description": "GET /api/v1/sessions/{id}/summary.json (kind: session) and "
        "GET /api/v1/events/{slug}/synthesis.json (kind: event). Anonymous contributions "
        "carry no name, email or participant id.",
        "oneOf": [{"$ref": "#/$defs/SessionSummary"}, {"$ref": "#/$defs/EventSynthesis"}],
        "$defs": definitions["$defs"],
    }


def write_json_schema(path: Path = SCHEMA_PATH) -> None:
    """Regenerate docs/summary.schema.json from the models."""
    path.write_text(json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n", "utf-8")

"""Polls in a programme file: a session's prepared polls imported as drafts, and exported back."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ..core.errors import Invalid
from ..programme import service as programme
from ..programme.models import AgendaItem, LiveSession
from .drafting import add_poll, build_definition
from .kinds import KINDS
from .queries import session_polls
from .schemas import PollFile


def import_prepared_polls(session: LiveSession, polls: list[dict], items: list[AgendaItem]):
    """Create a session's prepared polls (drafts) from its programme-file entries.

    Nothing is broadcast: the session is new. Raises Invalid naming ``sessions.N.polls.M``, so
    the whole import fails.
    """
    siblings = list(session.event.sessions) if session.event else [session]
    n = siblings.index(session) if session in siblings else 0
    for m, raw in enumerate(polls):
        where = f"sessions.{n}.polls.{m}"
        try:
            if not isinstance(raw, dict):
                raise Invalid("a poll must be a mapping with kind, question, options, settings")
            spec = PollFile.model_validate(raw)
            definition = build_definition(spec.kind, spec.question, spec.options, spec.settings)
            if spec.agenda_item is not None and spec.agenda_item >= len(items):
                raise Invalid(f"agenda_item {spec.agenda_item} is not an index of this agenda")
        except ValidationError as exc:
            err = exc.errors(include_url=False, include_input=False)[0]
            field = ".".join(str(p) for p in err["loc"])
            raise Invalid(
                f"The programme file is not valid — {where}.{field}: {err['msg']}",
                details=[{"field": f"{where}.{field}", "line": None, "problem": err["msg"]}],
            ) from None
        except Invalid as exc:
            raise Invalid(
                f"The programme file is not valid — {where}: {exc.message}",
                details=[{"field": where, "line": None, "problem": exc.message}],
            ) from None
        item = items[spec.agenda_item] if spec.agenda_item is not None else None
        add_poll(session, definition, item)


def _on_session_imported(session: LiveSession, polls=(), items=(), **_extra) -> None:
    import_prepared_polls(session, list(polls), list(items))


programme.session_imported.connect(_on_session_imported, weak=False)


@programme.programme_file_part("polls")
def export_prepared_polls(session: LiveSession) -> list[dict]:
    """Write a session's polls as programme-file entries (definitions only, no ballots)."""
    index = {item.id: i for i, item in enumerate(session.agenda)}
    entries = []
    for poll in session_polls(session.id, include_drafts=True):
        entry: dict[str, Any] = {"kind": poll.kind, "question": poll.question}
        if poll.options:
            entry["options"] = [o.text for o in poll.options]
        settings = {k: v for k, v in (poll.settings or {}).items() if k != "agenda_item_id"}
        entry["settings"] = KINDS[poll.kind].file_settings(settings)
        if poll.agenda_item_id in index:
            entry["agenda_item"] = index[poll.agenda_item_id]
        entries.append(entry)
    return entries

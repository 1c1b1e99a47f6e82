"""Polls in a programme file: a session's prepared polls imported as drafts, and exported back."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ..core.errors import Invalid
from ..core.i18n import N_
from ..core.schemas import problem_of
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
                raise Invalid(N_("A poll is a mapping with kind, question, options and settings."))
            spec = PollFile.model_validate(raw)
            definition = build_definition(spec.kind, spec.question, spec.options, spec.settings)
            if spec.agenda_item is not None and spec.agenda_item >= len(items):
                raise Invalid(
                    N_("agenda_item %(index)s is not an index of this session's agenda."),
                    params={"index": spec.agenda_item},
                )
        except ValidationError as exc:
            err = exc.errors(include_url=False, include_input=False)[0]
            field = ".".join(str(p) for p in err["loc"])
            _refuse(f"{where}.{field}", problem_of(err))
        except Invalid as exc:
            _refuse(where, _said(exc))
        item = items[spec.agenda_item] if spec.agenda_item is not None else None
        add_poll(session, definition, item)


def _said(error: Invalid) -> str:
    """An error's message in the request's language."""
    return error.to_dict()["message"]


def _refuse(field: str, problem: str):
    """Refuse the whole import, naming the poll's place in the file and what is wrong there."""
    raise Invalid(
        N_("The programme file is not valid — %(field)s: %(problem)s"),
        params={"field": field, "problem": problem},
        details=[{"field": field, "line": None, "problem": problem}],
    ) from None


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

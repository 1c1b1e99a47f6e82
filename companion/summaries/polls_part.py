"""The summary's polls: each opened poll with its results, as the room could read them."""

from __future__ import annotations

from typing import Any

from ..polls.kinds import KINDS
from ..polls.models import Poll
from ..polls.presenters import poll_dict
from ..polls.results import load_counts
from ..programme.models import AgendaItem, LiveSession


def _poll_entry(poll: Poll, data: dict[str, Any], items: dict[int, AgendaItem]) -> dict[str, Any]:
    options = {o["id"]: o["text"] for o in data["options"]}
    kind = KINDS[poll.kind]
    results, answers = kind.summary_results(data, options)
    item = items.get(poll.agenda_item_id)
    return {
        "id": poll.id,
        "kind": poll.kind,
        "question": poll.question,
        "state": poll.state.value,
        "anonymous": poll.anonymous,
        "results_public": data["results_public"],
        "agenda_item_id": poll.agenda_item_id,
        "agenda_item_title": item.title if item else None,
        "opened_at": data["opened_at"],
        "closed_at": data["closed_at"],
        "options": data["options"],
        "correct_option_id": data.get("correct_option_id"),
        "scale": poll.setting("scale") if "scale" in kind.settings else None,
        "total": data["total"],
        "results": results,
        "answers": answers,
    }


def poll_entries(
    session: LiveSession, found: list[Poll], items: dict[int, AgendaItem]
) -> list[dict[str, Any]]:
    """Every poll opened in the session (drafts are plans, not results), in order."""
    counts = load_counts(p.id for p in found)
    return [_poll_entry(p, poll_dict(p, staff=True, counts=counts[p.id]), items) for p in found]

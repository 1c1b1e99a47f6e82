"""The summary's polls: each opened poll with its results, as the room could read them."""

from __future__ import annotations

from typing import Any

from ..polls import service as polls
from ..polls.models import Poll
from ..programme.models import AgendaItem, LiveSession


def _poll_entry(poll: Poll, data: dict[str, Any], items: dict[int, AgendaItem]) -> dict[str, Any]:
    options = {o["id"]: o["text"] for o in data["options"]}
    results = data.get("results")
    correct_id = data.get("correct_option_id")
    answers: list[dict[str, Any]] = []
    if poll.kind in ("single", "multiple", "quiz"):
        results = [
            {
                "option_id": r["option_id"],
                "text": options.get(r["option_id"], ""),
                "count": r["count"],
                **({"correct": r["option_id"] == correct_id} if poll.kind == "quiz" else {}),
            }
            for r in results
        ]
    elif poll.kind == "ranking":
        results = [
            {
                "option_id": r["option_id"],
                "text": options.get(r["option_id"], ""),
                "score": r["score"],
            }
            for r in sorted(results, key=lambda r: -r["score"])
        ]
    elif poll.kind == "open":
        answers = [
            {"text": a["text"], "author": None if poll.anonymous else a.get("author")}
            for a in results.get("answers", [])
        ]
        results = {"count": data["total"], "approved": len(answers)}
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
        "correct_option_id": correct_id,
        "scale": poll.setting("scale") if poll.kind == "rating" else None,
        "total": data["total"],
        "results": results,
        "answers": answers,
    }


def poll_entries(
    session: LiveSession, found: list[Poll], items: dict[int, AgendaItem]
) -> list[dict[str, Any]]:
    """Every poll opened in the session (drafts are plans, not results), in order."""
    counts = polls.load_counts(p.id for p in found)
    return [
        _poll_entry(p, polls.poll_dict(p, staff=True, counts=counts[p.id]), items) for p in found
    ]

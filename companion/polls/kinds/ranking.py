"""Ranking: every option in order; results are Borda points."""

from __future__ import annotations

from collections import Counter

from ...core.errors import Invalid
from ...core.i18n import N_
from ..schemas import OptionsAnswer
from .base import PollKind, option_ids


class Ranking(PollKind):
    name = "ranking"
    label = N_("Ranking")
    answer_schema = OptionsAnswer
    has_options = True
    results_shape = "points"
    ballot = "order"

    def check(self, poll, answer):
        ids = option_ids(poll)
        ranked = answer.option_ids
        if len(ranked) != len(ids) or set(ranked) != set(ids):
            raise Invalid(N_("A ranking must list every option exactly once."))
        last = len(ranked) - 1
        keys: Counter = Counter()
        for place, oid in enumerate(ranked):
            keys[f"score:{oid}"] = last - place  # Borda: n-1 points for first ... 0 for last
        return {"option_ids": list(ranked)}, keys

    def readable(self, answer, options):
        return " > ".join(options.get(oid, "") for oid in answer.get("option_ids", []))

    def results(self, poll, counts, approved):
        return [{"option_id": o.id, "score": counts.get(f"score:{o.id}", 0)} for o in poll.options]

    def summary_results(self, data, options):
        return [
            {
                "option_id": r["option_id"],
                "text": options.get(r["option_id"], ""),
                "score": r["score"],
            }
            for r in sorted(data["results"], key=lambda r: -r["score"])
        ], []

"""Open text: one text per person, shown to the room once a moderator approves it."""

from __future__ import annotations

from collections import Counter

from ...core.errors import Invalid
from ...core.i18n import N_
from ..schemas import OpenAnswer
from .base import TOTAL_KEY, PollKind


class Open(PollKind):
    name = "open"
    label = N_("Open text")
    answer_schema = OpenAnswer
    results_shape = "texts"
    ballot = "text"
    moderated = True

    def check(self, poll, answer):
        text = answer.text.strip()
        if not text:
            raise Invalid(N_("The answer is empty."))
        return {"text": text}, Counter()

    def readable(self, answer, options):
        return answer.get("text", "")

    def results(self, poll, counts, approved):
        return {"count": counts.get(TOTAL_KEY, 0), "answers": approved or []}

    def summary_results(self, data, options):
        anonymous = data["anonymous"]
        answers = [
            {"text": a["text"], "author": None if anonymous else a.get("author")}
            for a in data["results"].get("answers", [])
        ]
        return {"count": data["total"], "approved": len(answers)}, answers

"""Single choice: one option per person."""

from __future__ import annotations

from collections import Counter

from ...core.i18n import N_
from ..schemas import OptionAnswer
from .base import OptionCounts, check_option


class Single(OptionCounts):
    name = "single"
    label = N_("Single choice")
    answer_schema = OptionAnswer
    ballot = "choice"

    def check(self, poll, answer):
        check_option(poll, answer.option_id)
        return {"option_id": answer.option_id}, Counter({f"option:{answer.option_id}": 1})

    def readable(self, answer, options):
        return options.get(answer.get("option_id"), "")

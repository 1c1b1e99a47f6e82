"""Multiple choice: up to ``max_choices`` options per person."""

from __future__ import annotations

from collections import Counter

from ...core.errors import Invalid
from ...core.i18n import N_
from ..schemas import OptionsAnswer
from .base import OptionCounts, option_ids


class Multiple(OptionCounts):
    name = "multiple"
    label = N_("Multiple choice")
    answer_schema = OptionsAnswer
    settings = ("max_choices",)
    ballot = "checkboxes"

    def settle(self, settings, options):
        max_choices = settings.max_choices or len(options)
        if max_choices > len(options):
            raise Invalid(N_("max_choices cannot exceed the number of options."))
        return {"max_choices": max_choices}

    def check(self, poll, answer):
        ids = option_ids(poll)
        chosen = answer.option_ids
        if len(set(chosen)) != len(chosen):
            raise Invalid(N_("An option is chosen twice."))
        if any(oid not in ids for oid in chosen):
            raise Invalid(N_("This option is not one of the poll's."))
        if len(chosen) > poll.setting("max_choices", len(ids)):
            raise Invalid(
                N_("Choose at most %(n)s options."),
                params={"n": poll.setting("max_choices")},
                details=[{"field": "answer.option_ids", "problem": "too many choices"}],
            )
        ordered = sorted(chosen, key=ids.index)
        return {"option_ids": ordered}, Counter(f"option:{oid}" for oid in ordered)

    def readable(self, answer, options):
        return " | ".join(options.get(oid, "") for oid in answer.get("option_ids", []))

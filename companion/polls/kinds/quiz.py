"""Quiz: a single choice with one correct option, scored per participant."""

from __future__ import annotations

from ...core.errors import Invalid
from ...core.i18n import N_
from .base import option_ids
from .single import Single


class Quiz(Single):
    name = "quiz"
    label = N_("Quiz")
    settings = ("correct_option",)
    scored = True

    def settle(self, settings, options):
        if settings.correct_option is None:
            raise Invalid(N_("A quiz needs its correct option (correct_option, an index)."))
        if settings.correct_option >= len(options):
            raise Invalid(N_("correct_option must be the index of one of the options."))
        return {"correct_option": settings.correct_option}

    def correct(self, poll, stored):
        return option_ids(poll).index(stored["option_id"]) == poll.setting("correct_option")

"""Words for the codes of the exports (types, states, kinds, details), in the export's language.

Marked with ``N_`` for the catalogue and translated where a spreadsheet is written, under the
export's ``force_locale``. The Jinja documents have the same words in templates/summaries/
_labels.html.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import pgettext

from ..core.i18n import N_

ROW_TYPES = {"question": N_("Question"), "answer": N_("Poll answer"), "floor": N_("Floor")}
STATES = {
    "pending": N_("awaiting moderation"),
    "approved": N_("unanswered"),
    "answered": N_("answered"),
    "rejected": N_("moderated out"),
    "archived": N_("archived"),
    "spoke": N_("spoke"),
    "speaking": N_("speaking"),
    "withdrawn": N_("withdrawn"),
    "removed": N_("removed from the list"),
    "waiting": N_("still waiting"),
    "scheduled": N_("Scheduled"),
    "live": N_("Live"),
    "ended": N_("Ended"),
}
KINDS = {
    "single": N_("Single choice"),
    "multiple": N_("Multiple choice"),
    "wordcloud": N_("Word cloud"),
    "rating": N_("Rating"),
    "open": N_("Open question"),
    "ranking": N_("Ranking"),
    "quiz": N_("Quiz"),
    "planned": N_("Programme speaker"),
    "contribution": N_("Contribution from the floor"),
    "question": N_("Question from the floor"),
    "point_of_order": N_("Point of order"),
    "topic": N_("Topic"),
    "talk": N_("Talk"),
    "testimony": N_("Testimony"),
    "discussion": N_("Discussion"),
    "break": N_("Break"),
}
DETAILS = {
    "carried_from": N_("carried from: %(value)s"),
    "carried_to": N_("carried to: %(value)s"),
    "merged_into": N_("merged into question %(value)s"),
    "correct": N_("correct answer"),
    "incorrect": N_("wrong answer"),
    "approved": N_("approved for the room"),
    "not_approved": N_("not approved"),
}


#: One contribution's state or detail: French agrees it in the singular ("répondue"), where the
#: same English words in the documents' figures count many ("répondues").
ROW = "one contribution"


def word(table: dict[str, str], code: Any) -> Any:
    """The translated word for ``code`` (unknown codes and non-strings stay as they are)."""
    if isinstance(code, str) and code in table:
        if table is STATES:
            return pgettext(ROW, table[code])
        return _(table[code])
    return code


def yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def detail_text(detail: list[tuple[str, Any]]) -> str:
    """A row's details as a phrase: "carried to: Session 2; merged into question 12"."""
    parts = []
    for code, value in detail:
        if isinstance(value, bool):
            code = code if value else {"correct": "incorrect", "approved": "not_approved"}[code]
            parts.append(pgettext(ROW, DETAILS[code]))
        else:
            parts.append(pgettext(ROW, DETAILS[code], value=value))
    return "; ".join(parts)

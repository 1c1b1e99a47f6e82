"""The poll kinds: ``KINDS`` maps each name to its kind object (see :mod:`.base`).

The poll verbs, the summaries and the pages read this one map; the pages get it as JSON
(:func:`pages_data`, rendered in templates/polls/_strings.html, read by static/js/poll-kinds.js).
"""

from __future__ import annotations

from typing import Any

from ...core.i18n import translate
from .base import TOTAL_KEY, PollKind
from .multiple import Multiple
from .open import Open
from .quiz import Quiz
from .ranking import Ranking
from .rating import Rating
from .single import Single
from .wordcloud import Wordcloud

KINDS: dict[str, PollKind] = {
    kind.name: kind
    for kind in (Single(), Multiple(), Wordcloud(), Rating(), Open(), Ranking(), Quiz())
}

#: Every kind-specific setting, in a fixed order (the first misplaced one is named).
KIND_SETTINGS: tuple[str, ...] = tuple(
    dict.fromkeys(name for kind in KINDS.values() for name in kind.settings)
)


def names_where(**flags: bool) -> tuple[str, ...]:
    """The names of the kinds whose attributes have these values (``scored=True``, ...)."""
    return tuple(
        name
        for name, kind in KINDS.items()
        if all(getattr(kind, flag) == value for flag, value in flags.items())
    )


def pages_data() -> dict[str, dict[str, Any]]:
    """The map as the pages get it: name → what the page needs (options, settings, forms)."""
    return {name: kind.page_data() for name, kind in KINDS.items()}


def labels(prefix: str = "") -> dict[str, str]:
    """Each kind's name in the current language, keyed ``prefix + name`` (pages' i18n keys)."""
    return {prefix + name: translate(kind.label) for name, kind in KINDS.items()}


def template_globals() -> dict[str, Any]:
    """What templates call: ``poll_kinds()`` (the map as JSON data) and ``poll_kind_labels()``."""
    return {"poll_kinds": pages_data, "poll_kind_labels": labels}


__all__ = [
    "KINDS",
    "KIND_SETTINGS",
    "TOTAL_KEY",
    "PollKind",
    "labels",
    "names_where",
    "pages_data",
    "template_globals",
]

"""Ready-made polls the seed's organisers use, offered in the console's composer.

Texts are English msgids translated at serving time (French in the polls catalogue), so the
console shows them in the moderator's language.
"""

from __future__ import annotations

from typing import Any

from ..core.i18n import N_, translate

TEMPLATES: list[dict[str, Any]] = [
    {
        "key": "where_do_you_stand",
        "title": N_("Where do you stand?"),
        "polls": [
            {
                "kind": "single",
                "question": N_("Where do you stand with experimentation?"),
                "options": [
                    N_("I am discovering the idea"),
                    N_("I am thinking about a project"),
                    N_("I am running one"),
                    N_("I have already run one"),
                ],
                "settings": {"results": "live"},
            }
        ],
    },
    {
        "key": "one_word",
        "title": N_("In one word"),
        "polls": [
            {
                "kind": "wordcloud",
                "question": N_("In one word, experimentation is…"),
                "settings": {"results": "live", "max_words": 1},
            }
        ],
    },
    {
        "key": "evaluation",
        "title": N_("End-of-session evaluation"),
        "polls": [
            {
                "kind": "rating",
                "question": N_("How useful was this session for you?"),
                "settings": {
                    "results": "on_close",
                    "scale": {
                        "min": 1,
                        "max": 5,
                        "labels": {1: N_("Not useful"), 5: N_("Very useful")},
                    },
                },
            },
            {
                "kind": "open",
                "question": N_("What will you take away? What was missing?"),
                "settings": {"results": "on_close"},
            },
        ],
    },
    {
        "key": "priorities",
        "title": N_("Points of attention"),
        "polls": [
            {
                "kind": "ranking",
                "question": N_("Which points of attention matter most in your project?"),
                "options": [
                    N_("Prerequisites"),
                    N_("Obstacles"),
                    N_("Difficulties"),
                    N_("Conditions for success"),
                ],
                "settings": {"results": "on_reveal"},
            }
        ],
    },
]


def _translated(value: Any) -> Any:
    if isinstance(value, str):
        return translate(value)
    if isinstance(value, list):
        return [_translated(v) for v in value]
    if isinstance(value, dict):
        return {
            k: (v if k in ("kind", "key", "results") else _translated(v)) for k, v in value.items()
        }
    return value


def poll_templates() -> list[dict[str, Any]]:
    """Return the ready-made polls in the current request's language."""
    return [_translated(t) for t in TEMPLATES]

"""Themes a facilitator can hand out: read on realistic contributions in French and English."""

from __future__ import annotations

from companion.summaries.facts import follow_themes
from companion.summaries.themes import detect_language, extract_themes

from .theme_texts import (
    ENGLISH_EXPECTED,
    ENGLISH_QUESTIONS,
    FRENCH_ANSWERS,
    FRENCH_EXPECTED,
    FRENCH_QUESTIONS,
)


def _themes(texts, lang, top=15):
    found = extract_themes(texts, default=lang, top=top)
    return {k["phrase"]: k for k in found["keyphrases"] if k["lang"] == lang}, found


def test_french_themes_are_the_phrases_people_keep_coming_back_to():
    assert len(FRENCH_QUESTIONS) >= 60
    themes, found = _themes(FRENCH_QUESTIONS + FRENCH_ANSWERS, "fr")
    assert found["texts"] == {"fr": len(FRENCH_QUESTIONS) + len(FRENCH_ANSWERS), "en": 0}
    for phrase, at_least in FRENCH_EXPECTED.items():
        assert phrase in themes, (phrase, list(themes))
        assert themes[phrase]["count"] >= at_least, themes[phrase]
    # No fragments of a longer phrase, no stop words, no stray words typed once.
    for fragment in ("locaux", "acteurs locaux", "entre acteurs", "projets", "appel", "keyboard"):
        assert fragment not in {p.casefold() for p in themes}, fragment
    assert not any(p.split()[0] in {"de", "la", "les", "comment", "quels"} for p in themes)
    # Singular and plural, with or without accents, count once.
    assert "expérimentations" not in themes
    experiment = themes["expérimentation"]
    both = [t for t in FRENCH_QUESTIONS if "expérimentations" in t.casefold()]
    assert both and experiment["count"] >= len(both) + 10
    # Each theme quotes one or two contributions that carry it.
    for theme in themes.values():
        assert 1 <= len(theme["examples"]) <= 2
        assert all(
            any(w[:5] in ex.casefold() for w in theme["phrase"].split()) for ex in theme["examples"]
        ), theme
    # Most carried first.
    counts = [k["count"] for k in found["keyphrases"]]
    assert counts[0] == max(counts)
    # Deterministic: the same texts give the same themes.
    assert extract_themes(FRENCH_QUESTIONS + FRENCH_ANSWERS, default="fr", top=15) == found


def test_english_themes_read_as_well():
    assert all(detect_language(t) == "en" for t in ENGLISH_QUESTIONS)
    themes, _ = _themes(ENGLISH_QUESTIONS, "en", top=12)
    for phrase, at_least in ENGLISH_EXPECTED.items():
        assert phrase in themes, (phrase, list(themes))
        assert themes[phrase]["count"] >= at_least, themes[phrase]
    for fragment in ("local", "local actors", "calls", "projects", "how"):
        assert fragment not in themes, fragment


def test_a_mixed_room_gets_themes_per_language_the_events_first():
    found = extract_themes(FRENCH_QUESTIONS[:30] + ENGLISH_QUESTIONS, default="fr")
    langs = [k["lang"] for k in found["keyphrases"]]
    assert set(langs) == {"fr", "en"} and langs[0] == "fr"
    assert langs == sorted(langs, key=lambda lang: lang != "fr")


def test_the_same_themes_are_followed_across_sessions():
    first, second = FRENCH_QUESTIONS[:32], FRENCH_QUESTIONS[32:]
    found = extract_themes(first + second, default="fr", top=12)
    followed = {
        t["phrase"]: t for t in follow_themes(found["keyphrases"], [(1, first), (2, second)])
    }
    tiers = followed["tiers-lieux"]
    assert tiers["sessions"] == [1, 2]
    assert [p["count"] for p in tiers["per_session"]] == [
        sum("tiers-lieu" in t for t in first),
        sum("tiers-lieu" in t for t in second),
    ]
    assert sum(p["count"] for p in tiers["per_session"]) == tiers["count"]

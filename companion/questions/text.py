"""Text helpers of the Q&A: normalising, the profanity filter, likely duplicates."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path

from rapidfuzz import fuzz

HERE = Path(__file__).resolve().parent
WORD_LISTS = ("profanity-fr.txt", "profanity-en.txt")
# Look-alike characters people use to slip a word past a filter.
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
_NON_WORD = re.compile(r"[\W_]+")
_REPEATS = re.compile(r"(.)\1{2,}")
# Scores (0-100) at or above which a question is suggested as a likely duplicate.
SIMILARITY_CUTOFF = 75.0


def normalize(text: str) -> str:
    """Casefold, strip accents and punctuation; keep words separated by one space."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in folded if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", bare).strip()


@lru_cache(maxsize=4096)
def _normalized(text: str) -> str:
    """:func:`normalize`, remembered: each new question is compared with the same latest ones."""
    return normalize(text)


def _variants(text: str) -> set[str]:
    """The normalised text, with look-alikes undone and stretched letters shortened."""
    plain = normalize(text)
    leet = normalize(text.casefold().translate(_LEET))
    found = {plain, leet}
    found |= {_REPEATS.sub(r"\1", v) for v in list(found)}
    return found


@cache
def builtin_words() -> frozenset[str]:
    """The French and English lists shipped with Companion (normalised entries)."""
    words = set()
    for name in WORD_LISTS:
        for line in (HERE / name).read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                words.add(normalize(line))
    return frozenset(words)


def find_profanity(text: str, extra: Iterable[str] = (), *, builtin: bool = True) -> str | None:
    """Return the first listed word or phrase found in ``text`` (whole words only), or None."""
    entries = set(builtin_words()) if builtin else set()
    entries |= {normalize(word) for word in extra if word and normalize(word)}
    words = {e for e in entries if " " not in e}
    phrases = entries - words
    for variant in _variants(text):
        for token in variant.split():
            for form in _singular_forms(token):
                if form in words:
                    return form
        padded = f" {variant} "
        for phrase in phrases:
            if f" {phrase} " in padded:
                return phrase
    return None


def _singular_forms(token: str) -> tuple[str, ...]:
    """The token and, for longer words, its forms without a plural ending (-s, -x, -es)."""
    if len(token) <= 3 or token[-1] not in "sx":
        return (token,)
    if token.endswith("es"):
        return (token, token[:-1], token[:-2])
    return (token, token[:-1])


def similarity(a: str, b: str) -> float:
    """Score (0-100) how likely two normalised questions ask the same thing.

    The mean of the token-set and token-sort ratios: the set ratio alone scores a short text
    100 against any longer one that contains its words ("merci" vs "merci, et comment…").
    """
    return (fuzz.token_set_ratio(a, b) + fuzz.token_sort_ratio(a, b)) / 2


def likely_duplicates(
    text: str, candidates: Iterable[tuple[int, str]], *, limit: int = 3
) -> list[int]:
    """Return the ids of up to ``limit`` candidates most similar to ``text``, best first."""
    probe = normalize(text)
    if len(probe.split()) < 2:
        return []
    scored = []
    for candidate_id, candidate_text in candidates:
        score = similarity(probe, _normalized(candidate_text))
        if score >= SIMILARITY_CUTOFF:
            scored.append((score, candidate_id))
    scored.sort(key=lambda pair: (-pair[0], -pair[1]))
    return [candidate_id for _, candidate_id in scored[:limit]]

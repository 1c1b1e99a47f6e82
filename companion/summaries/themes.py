"""Key themes of a set of texts: YAKE keyphrases, per language, with no network model.

Each text is put in French or English by its share of common words of each language (the
seed's texts are French; a few attendees write English). YAKE then runs once per language on
that language's texts. The output is deterministic: same texts in, same themes out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import yake

LANGUAGES = ("fr", "en")
TOP = 10
MAX_NGRAM = 3
# YAKE is linear in the words it reads, about a second per 50,000 characters; past this many
# characters per language more texts change the top phrases little but cost seconds (a
# 10,000-contribution session). Callers put the texts that matter most first.
MAX_CHARS = 60_000

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
_FR = """le la les un une des du de d l et ou mais donc car ni que qui quoi dont où ce cet
        cette ces son sa ses leur leurs notre nos votre vos mon ma mes ton ta tes je tu il elle
        on nous vous ils elles est sont être avoir a ont fait faire pour par avec sans sur sous
        dans en au aux plus moins très pas ne se comment quel quelle quels quelles pourquoi
        quand aussi comme si tout tous toute toutes peut peuvent faut y c qu n s j m t"""
_EN = """the a an and or but so of to in on at by for with without from into is are was were
        be been being have has had do does did this that these those it its they them their we
        our you your he she his her i my me how what which who whom why when where can could
        should would will not no as if all any more most very about than then there here"""
STOPWORDS = {"fr": frozenset(_FR.split()), "en": frozenset(_EN.split())}


def fold(text: str) -> str:
    """Fold case and Unicode form, keeping accents (French words differ by them)."""
    return unicodedata.normalize("NFC", text).casefold()


def words(text: str) -> list[str]:
    return [w.replace("’", "'") for w in _WORD.findall(fold(text))]


def detect_language(text: str, default: str = "fr") -> str:
    """Return ``fr`` or ``en``: the language whose common words the text uses most."""
    found = words(text)
    tokens: list[str] = []
    for word in found:
        # French elisions (l'évaluation, qu'est) count their article too.
        tokens.extend(word.split("'"))
    scores = {lang: sum(t in STOPWORDS[lang] for t in tokens) for lang in LANGUAGES}
    if scores["fr"] == scores["en"]:
        return default
    return max(scores, key=scores.get)


def split_by_language(texts: Iterable[str], default: str = "fr") -> dict[str, list[str]]:
    """Group non-empty texts by detected language."""
    groups: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}
    for text in texts:
        text = " ".join((text or "").split())
        if text:
            groups[detect_language(text, default)].append(text)
    return groups


def _joined(texts: list[str]) -> str:
    parts, size = [], 0
    for text in texts:
        if size + len(text) > MAX_CHARS:
            break
        # A full stop between texts: YAKE must not join the end of one to the next.
        parts.append(text if text[-1:] in ".?!" else text + ".")
        size += len(text) + 2
    return "\n".join(parts)


_ELISION = re.compile(r"^(?:[ldjmnstc]|qu)['’]", re.IGNORECASE)


def _weak(word: str, lang: str) -> bool:
    """A word no theme starts or ends with: an article, "d'une", "faut-il", "peut-on" ..."""
    pieces = [p for p in re.split(r"['’\-]", fold(word)) if p]
    return all(p in STOPWORDS[lang] or p in ("il", "elle", "on", "ce", "t") for p in pieces)


def _clean(phrase: str, lang: str) -> str | None:
    """Trim a keyphrase to its meaningful words (no leading "l'", no trailing "d'une")."""
    found = phrase.split()
    while found and _weak(found[0], lang):
        found.pop(0)
    while found and _weak(found[-1], lang):
        found.pop()
    if not found:
        return None
    found[0] = _ELISION.sub("", found[0])
    return " ".join(found)


def keyphrases(texts: list[str], lang: str, top: int = TOP) -> list[dict]:
    """Return the ``top`` keyphrases of ``texts`` (one language), most relevant first.

    YAKE scores: lower is more relevant; scores are rounded so the output is stable.
    """
    if not texts:
        return []
    extractor = yake.KeywordExtractor(lan=lang, n=MAX_NGRAM, dedupLim=0.8, top=top * 2)
    found = extractor.extract_keywords(_joined(texts))
    seen: set[str] = set()
    phrases = []
    for raw, score in sorted(found, key=lambda ps: (float(ps[1]), fold(ps[0]))):
        phrase = _clean(raw, lang)
        key = fold(phrase or "")
        if phrase is None or key in seen or len(key) < 3:
            continue
        seen.add(key)
        phrases.append({"phrase": phrase, "score": round(float(score), 5), "lang": lang})
        if len(phrases) == top:
            break
    return phrases


def extract_themes(texts: Iterable[str], default: str = "fr", top: int = TOP) -> dict:
    """Themes of ``texts`` per language: ``{"texts": {fr, en}, "keyphrases": [...]}``."""
    groups = split_by_language(texts, default)
    phrases = []
    for lang in LANGUAGES:
        phrases.extend(keyphrases(groups[lang], lang, top))
    return {"texts": {lang: len(groups[lang]) for lang in LANGUAGES}, "keyphrases": phrases}


def occurs_in(phrase: str, folded_texts: list[str]) -> bool:
    """Tell whether ``phrase`` occurs as whole words in one of the (folded) texts."""
    pattern = re.compile(r"(?<!\w)" + re.escape(fold(phrase)) + r"(?!\w)")
    return any(pattern.search(text) for text in folded_texts)

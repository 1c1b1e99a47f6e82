"""Word cloud: a few words per person, counted once each, folded for case and Unicode form."""

from __future__ import annotations

import unicodedata
from collections import Counter

from ...core.errors import Invalid
from ...core.i18n import N_
from ..schemas import WORD_MAX, WORDS_MAX, WordsAnswer
from .base import PollKind

WORDCLOUD_LIMIT = 100  # words sent in results; the long tail is not readable anyway


def fold_word(word: str) -> str:
    """Fold a word-cloud word for counting: case, Unicode form and surrounding spaces."""
    spaced = " ".join(unicodedata.normalize("NFC", word).split())
    return unicodedata.normalize("NFC", spaced.casefold())


class Wordcloud(PollKind):
    name = "wordcloud"
    label = N_("Word cloud")
    answer_schema = WordsAnswer
    settings = ("max_words",)
    results_shape = "words"
    ballot = "words"

    def settle(self, settings, options):
        return {"max_words": settings.max_words or WORDS_MAX}

    def check(self, poll, answer):
        words, seen = [], set()
        for raw in answer.words:
            shown = " ".join(raw.split())
            folded = fold_word(raw)
            if not any(ch.isalnum() for ch in folded):
                raise Invalid(N_("A word is empty."))
            if len(folded) > WORD_MAX:
                raise Invalid(N_("A word has at most %(n)s characters."), params={"n": WORD_MAX})
            if folded not in seen:  # the same word twice in one ballot counts once
                seen.add(folded)
                words.append(shown)
        if len(words) > poll.setting("max_words", WORDS_MAX):
            raise Invalid(N_("Give at most %(n)s words."), params={"n": poll.setting("max_words")})
        return {"words": words}, Counter(f"word:{w}" for w in seen)

    def readable(self, answer, options):
        return ", ".join(answer.get("words", []))

    def results(self, poll, counts, approved):
        words = [(k[5:], c) for k, c in counts.items() if k.startswith("word:") and c > 0]
        words.sort(key=lambda wc: (-wc[1], wc[0]))
        return [{"word": w, "count": c} for w, c in words[:WORDCLOUD_LIMIT]]

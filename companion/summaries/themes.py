"""Key themes of a set of texts: the phrases people keep coming back to, with no network model.

Each text (a question, an open answer, a word-cloud entry) is put in French or English by its
share of common words of each language. In each language, candidate phrases are runs of one to
three meaningful words between stop words and punctuation ("appel à projets", "tiers-lieux",
"évaluation d'impact": a short link word may sit inside a phrase, never at its ends). Words are
compared by their Snowball stem with accents folded, so "expérimentation" and
"expérimentations", "Evaluation" and "évaluation" count once; the phrase is shown as people
wrote it most often.

A theme is a phrase carried by at least two contributions, ranked by how many carry it (longer
phrases weigh a little more). A phrase that is only a fragment of a longer theme — nearly every
text that has it has the longer phrase too — is dropped for the longer one. Each theme comes
with its count and one or two contributions quoted as examples. The output is deterministic:
same texts in, same themes out.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import snowballstemmer

LANGUAGES = ("fr", "en")
TOP = 10
MAX_WORDS = 3
EXAMPLES = 2
EXAMPLE_CHARS = 180
#: A phrase is a fragment of a longer one when this share of its texts carry the longer one.
FRAGMENT_SHARE = 0.6
#: Texts read per language: past this many, more texts change the top phrases little.
MAX_TEXTS = 20_000

_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*|\d+", re.UNICODE)
_BREAK = re.compile(r"[.!?;:,()\[\]«»\"“”/…\n]+")

_FR_WORDS = """
    a à afin ai aie aient ainsi alors as au aucun aucune auprès auquel aura aurait aussi
    autre autres aux avaient avais avait avant avec avez aviez avoir avons ayant bah
    beaucoup bien bon bonjour bonne c ça car ce ceci cela celle celles celui cependant
    certain certaines certains ces cet cette ceux chacun chaque chez ci comme comment
    concernant d dans de depuis des desquelles desquels dessus deux devez devons devrait
    devraient doit doivent donc dont du duquel durant elle elles en encore entre es est est-ce et étaient était étant été être eu eux exemple faire fais fait faites faut fois font
    hors i ici il ils j je jusqu jusque l la là laquelle le lequel les lesquelles lesquels
    leur leurs lors lorsque lui m ma madame mais mal me même mêmes merci mes moi moins mon
    monsieur n ne ni non nos notre nous on ont ou où par parce parmi pas pendant peu peut
    peuvent peux plupart plus plusieurs pour pourquoi pourra pourrait pourraient pouvez
    pouvons pouvoir puis qu quand que quel quelle quelles quels question questions qui quoi
    s sa sans se selon ser sera serait seront ses si sien soit sommes son sont souvent suis
    sur t ta tant te tel telle telles tels tes toi ton tous tout toute toutes très tu un une
    unes uns va vers veut via voici voilà vont vos votre vous vu y svp chose choses cas
    façon manière point avis idée idées concrètement aujourd hui demain hier également
    notamment vraiment déjà toujours jamais rien quelque quelques oui ok peut-on faut-il
    est-il a-t-il petit petite petits petites grand grande grands grandes nouveau nouvelle
    nouveaux nouvelles meilleur meilleure associer impliquer mettre passer sortir choisir
    construire donner garder éviter intégrer valoriser partager rendre soutenir suivre
    porter aller venir prendre voir savoir vouloir devoir dire trouver aider créer
    travailler améliorer organiser permettre penser parler avez-vous pensez-vous
    recommandez-vous peut-il peut-elle peuvent-ils peuvent-elles sont-ils sont-elles est-elle doit-il doit-elle faudrait besoin combien porte porté portée portés portées portent
    passe passent faite mène mené menée menées menés existe existent reste restent
"""
_EN_WORDS = """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each else
    even ever every few for from further get gets had has have having he her here hers him
    his how however i if in into is it its itself just let like made make many may me might
    more most much must my no nor not now of off on once only or other our ours out over own
    please really same shall she should since so some such than thank thanks that the their
    theirs them then there these they this those through thus to too under until up upon us
    very was way we well were what when where whether which while who whom whose why will
    with within without would yes yet you your yours question questions example thing things
    anyone someone something anything hi hello already always never still today several
    small big new good best large great involve keep take give support follow look run
    between
"""
STOPWORDS = {"fr": frozenset(_FR_WORDS.split()), "en": frozenset(_EN_WORDS.split())}
_FR = STOPWORDS["fr"]
_EN = STOPWORDS["en"]
_GENERIC_FR = """
    projet projets action actions structure structures acteur acteurs personne personnes
    place rôle temps moyens public publique publics publiques social sociale sociaux
    sociales territoire territoires local locale locaux locales
"""
_GENERIC_EN = """
    project projects action actions actor actors people place role time public social local
    rural territory territories
"""
#: Words too general to be a theme on their own, yet part of one ("appel à projets").
GENERIC = {"fr": frozenset(_GENERIC_FR.split()), "en": frozenset(_GENERIC_EN.split())}
_LINKS_FR = "de du des d à au aux en et l la le les pour sur entre"
_LINKS_EN = "of and for in on to the between"
#: Short words that may link the words of a phrase ("appel à projets", "cost of living").
_LINKS = {"fr": frozenset(_LINKS_FR.split()), "en": frozenset(_LINKS_EN.split())}
#: Common words that tell the language of a text (stop words minus shared or rare ones).
_MARKERS = {
    "fr": frozenset(_FR) - {"a", "as", "on", "i", "ok", "va"},
    "en": frozenset(_EN) - {"a", "as", "on", "i", "ok", "me", "us", "but"},
}
_STEMMERS = {"fr": "french", "en": "english"}
_ELISION = re.compile(r"^(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)


def fold(text: str) -> str:
    """Fold case and Unicode form, keeping accents (French words differ by them)."""
    return unicodedata.normalize("NFC", text).casefold()


def strip_accents(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)
    ).replace("œ", "oe")


def words(text: str) -> list[str]:
    return [w.replace("’", "'") for w in _WORD.findall(fold(text))]


def detect_language(text: str, default: str = "fr") -> str:
    """Return ``fr`` or ``en``: the language whose common words the text uses most."""
    tokens: list[str] = []
    for word in words(text):
        # French elisions (l'évaluation, qu'est) count their article too.
        tokens.extend(re.split(r"['\-]", word))
    scores = {lang: sum(t in _MARKERS[lang] for t in tokens) for lang in LANGUAGES}
    if scores["fr"] == scores["en"]:
        return default
    return max(scores, key=scores.get)


def split_by_language(texts: Iterable[str], default: str = "fr") -> dict[str, list[str]]:
    """Group non-empty texts by detected language (each on one line)."""
    groups: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}
    for text in texts:
        text = " ".join((text or "").split())
        if text:
            groups[detect_language(text, default)].append(text)
    return groups


# ---------------------------------------------------------------- tokens and candidates


@dataclass(frozen=True)
class Token:
    surface: str  # as written, elision removed
    key: str  # stem, accents folded ("" for a stop word)
    stop: bool
    link: bool


class Analyser:
    """Tokens and candidate phrases of one language's texts."""

    def __init__(self, lang: str):
        self.lang = lang
        self.stemmer = snowballstemmer.stemmer(_STEMMERS[lang])
        self.stop = STOPWORDS[lang]
        self.links = _LINKS[lang]
        self._keys: dict[str, str] = {}

    def _key(self, word: str) -> str:
        key = self._keys.get(word)
        if key is None:
            parts = word.split("-")
            if self.lang == "fr":
                # Plurals in -eux the stemmer keeps: lieux, jeux.
                parts = [p[:-1] if p.endswith("eux") and len(p) > 4 else p for p in parts]
            key = "-".join(strip_accents(self.stemmer.stemWord(p)) for p in parts)
            self._keys[word] = key
        return key

    def tokens(self, chunk: str) -> list[Token]:
        found = []
        for raw in _WORD.findall(chunk):
            raw = raw.replace("’", "'")
            surface = _ELISION.sub("", raw)
            low = fold(surface)
            article = fold(raw) != low  # "l'évaluation": a link before the word
            if article:
                elided = fold(raw)[: len(fold(raw)) - len(low)]
                found.append(Token(elided, "", True, elided[:-1] in self.links))
            pieces = [p for p in re.split(r"['\-]", low) if p]
            stop = low in self.stop or all(p in self.stop for p in pieces)
            short = len(low) < 3 and not surface.isupper()
            numeric = low.isdigit()
            if stop or short or numeric:
                found.append(Token(surface, "", True, low in self.links))
            else:
                found.append(Token(surface, self._key(low), False, False))
        return found

    def candidates(self, text: str) -> dict[tuple[str, ...], tuple[str, ...]]:
        """The phrases of one text: {key of its words: the words as written}."""
        found: dict[tuple[str, ...], tuple[str, ...]] = {}
        for chunk in _BREAK.split(text):
            tokens = self.tokens(chunk)
            for start, first in enumerate(tokens):
                if first.stop:
                    continue
                content = 0
                for end in range(start, min(len(tokens), start + MAX_WORDS + 2)):
                    token = tokens[end]
                    if token.stop and not token.link:
                        break
                    if token.stop:
                        continue
                    content += 1
                    if content > MAX_WORDS:
                        break
                    span = tokens[start : end + 1]
                    key = tuple(t.key for t in span if not t.stop)
                    if len(set(key)) < len(key):
                        continue  # "local local": a repetition is no phrase
                    found.setdefault(key, _written(span))
        return found


def _written(span: list[Token]) -> tuple[str, ...]:
    out: list[str] = []
    for token in span:
        word = token.surface
        if not (word.isupper() and len(word) > 1):
            word = fold(word)  # acronyms (ESS, EPCI) keep their capitals
        if out and out[-1].endswith("'"):
            out[-1] += word  # an elided article sticks to its word: "d'impact"
        else:
            out.append(word)
    return tuple(out)


@dataclass
class Theme:
    key: tuple[str, ...]
    texts: list[int] = field(default_factory=list)
    forms: Counter = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return len(self.texts)

    def weight(self) -> float:
        return self.count * (1 + 0.25 * (len(self.key) - 1))


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


def _quote(text: str) -> str:
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1].rstrip() + "…"


def _phrase(forms: Counter) -> str:
    (written, _), *_ = sorted(forms.items(), key=lambda kv: (-kv[1], kv[0]))
    return " ".join(written)


def _examples(texts: list[str], indexes: list[int]) -> list[str]:
    """The first distinct texts carrying a theme (the callers' order: most upvoted first)."""
    found: list[str] = []
    for index in indexes:
        quote = _quote(texts[index])
        if fold(quote) not in {fold(f) for f in found}:
            found.append(quote)
            if len(found) == EXAMPLES:
                break
    return found


def keyphrases(texts: list[str], lang: str, top: int = TOP) -> list[dict]:
    """Return the ``top`` themes of ``texts`` (one language), most carried first."""
    texts = texts[:MAX_TEXTS]
    analyser = Analyser(lang)
    found: dict[tuple[str, ...], Theme] = {}
    for index, text in enumerate(texts):
        for key, written in analyser.candidates(text).items():
            theme = found.get(key)
            if theme is None:
                theme = found[key] = Theme(key)
            theme.texts.append(index)
            theme.forms[written] += 1
    generic = {analyser._key(w) for w in GENERIC[lang]}
    kept = [
        t for t in found.values() if t.count >= 2 and not (len(t.key) == 1 and t.key[0] in generic)
    ]
    by_len: dict[int, list[Theme]] = defaultdict(list)
    for theme in kept:
        by_len[len(theme.key)].append(theme)
    # A fragment of longer themes that carry most of its texts gives way to them:
    # "locaux" to "acteurs locaux" and "développement local".
    fragments = set()
    for theme in kept:
        covered: set[int] = set()
        for longer_n in range(len(theme.key) + 1, MAX_WORDS + 1):
            for longer in by_len[longer_n]:
                if _contains(longer.key, theme.key):
                    covered.update(longer.texts)
        if len(covered.intersection(theme.texts)) >= FRAGMENT_SHARE * theme.count:
            fragments.add(theme.key)
    ranked = sorted(
        (t for t in kept if t.key not in fragments),
        key=lambda t: (-t.weight(), -len(t.key), _phrase(t.forms)),
    )
    chosen: list[Theme] = []
    for theme in ranked:
        # A shorter theme whose texts all carry an already chosen longer one says nothing more.
        if any(_contains(c.key, theme.key) and set(theme.texts) <= set(c.texts) for c in chosen):
            continue
        chosen.append(theme)
        if len(chosen) == top:
            break
    return [
        {
            "phrase": _phrase(t.forms),
            "key": " ".join(t.key),
            "count": t.count,
            "examples": _examples(texts, t.texts),
            "lang": lang,
        }
        for t in chosen
    ]


def extract_themes(texts: Iterable[str], default: str = "fr", top: int = TOP) -> dict:
    """Themes of ``texts`` per language: ``{"texts": {fr, en}, "keyphrases": [...]}``.

    The event's language (``default``) comes first; callers put the texts that matter most
    (most upvoted) first, so examples are the ones the room cared about.
    """
    groups = split_by_language(texts, default)
    order = sorted(LANGUAGES, key=lambda lang: lang != default)
    phrases = []
    for lang in order:
        phrases.extend(keyphrases(groups[lang], lang, top))
    return {"texts": {lang: len(groups[lang]) for lang in LANGUAGES}, "keyphrases": phrases}

"""Messages shown to people are catalogue msgids with a French translation, never f-strings."""

from __future__ import annotations

import ast
import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask_babel import refresh

from companion.config import ROOT
from companion.core.errors import DomainError
from companion.core.schemas import parse
from companion.polls.schemas import ScaleIn
from companion.programme.schemas import EventIn

#: Errors whose message a person reads: the contract's errors.
SHOWN = {cls.__name__ for cls in (DomainError, *DomainError.__subclasses__())}


def french_catalogues() -> dict[tuple[str | None, str], dict[str, str]]:
    """(context, msgid) → the French of each catalogue (shared, domains') that translates it."""
    known: dict[tuple[str | None, str], dict[str, str]] = {}
    for po in ROOT.glob("companion/**/translations/fr/LC_MESSAGES/messages.po"):
        with po.open("rb") as handle:
            for message in read_po(handle):
                msgid = message.id if isinstance(message.id, str) else message.id[0]
                if msgid and message.string and not message.fuzzy:
                    known.setdefault((message.context, msgid), {})[str(po)] = str(message.string)
    return known


def test_every_catalogued_message_has_its_french():
    known = french_catalogues()
    method_map = [("**.py", "python"), ("**.html", "jinja2")]
    keywords = {
        "_": None,
        "N_": None,
        "gettext": None,
        "ngettext": (1, 2),
        "pgettext": ((1, "c"), 2),
        "NC_": ((1, "c"), 2),
    }
    missing = [
        f"{folder.name}/{path}:{line} {context or ''}|{message!r}"
        for folder in (ROOT / "companion", ROOT / "templates")
        for path, line, message, _comments, context in extract_from_dir(
            folder, method_map, keywords=keywords
        )
        if (context, message[0] if isinstance(message, tuple) else message) not in known
    ]
    assert missing == []


def test_a_message_reads_the_same_in_every_catalogue_that_has_it():
    """The catalogues are merged into one at run time, the last one read winning: a message
    worded two ways ("Answered": Répondue for a question, Répondues for a summary's section)
    gave every page one of them. Two uses that need two wordings take a context (pgettext)."""
    differing = {
        key: found for key, found in french_catalogues().items() if len(set(found.values())) > 1
    }
    assert differing == {}


def _formatted(node: ast.AST) -> bool:
    """An f-string, or a string built with + or %: text no catalogue can hold."""
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod))
    )


def _untranslatable(path, tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and _formatted(node.args[0]):
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            # A validator's ValueError in a schema module is shown too (core.schemas.problem_of).
            if name in SHOWN or (name == "ValueError" and path.name == "schemas.py"):
                found.append((path, node.lineno, node.args[0]))
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "problem" and _formatted(value):
                    found.append((path, node.lineno, value))
    return [f"{path.relative_to(ROOT)}:{line}" for path, line, _text in found]


def test_no_message_shown_to_people_is_an_f_string():
    offenders = []
    for path in sorted((ROOT / "companion").rglob("*.py")):
        offenders += _untranslatable(path, ast.parse(path.read_text(encoding="utf-8")))
    assert offenders == []


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "labels for values outside the scale: [9]"),
        ("fr", "libellés pour des valeurs hors de l’échelle\u00a0: [9]"),
    ],
)
def test_a_validators_problem_with_values_comes_in_the_asked_language(app, language, expected):
    with app.test_request_context(headers={"Accept-Language": language}):
        refresh()
        with pytest.raises(DomainError) as caught:
            parse(ScaleIn, {"min": 1, "max": 5, "labels": {"9": "loin"}})
        assert caught.value.details[0]["problem"] == expected
        with pytest.raises(DomainError) as caught:
            parse(EventIn, {"slug": "ab-cd", "title": "T", "timezone": "Mars/Olympus"})
        problem = caught.value.details[0]["problem"]
        assert problem.endswith("'Mars/Olympus'") and problem.startswith(
            "fuseau horaire inconnu" if language == "fr" else "unknown timezone"
        )


def _french_entries() -> list[tuple[str, str]]:
    """(msgid, msgstr) of every French translation, each plural form apart."""
    found = []
    for po in ROOT.glob("companion/**/translations/fr/LC_MESSAGES/messages.po"):
        with po.open("rb") as handle:
            for message in read_po(handle):
                if not message.id:
                    continue
                msgid = message.id if isinstance(message.id, str) else message.id[0]
                strings = message.string if isinstance(message.string, tuple) else [message.string]
                found += [(msgid, text) for text in strings if text]
    return found


def test_french_writes_its_apostrophes_one_way():
    """’ everywhere: "prêts à l’emploi" beside "prêts à l'emploi" read as two hands."""
    assert [text for _msgid, text in _french_entries() if "'" in text] == []


def test_french_binds_its_high_punctuation_to_the_word_before_it():
    """« Mot de passe oublié ? » must never wrap with the "?" alone at the start of a line: the
    space before : ; ! ? » and after « is a no-break space."""
    loose = re.compile(r"\S [:;!?»]|« ")
    assert [text for _msgid, text in _french_entries() if loose.search(text)] == []


def test_french_names_a_speaker_the_same_way_everywhere():
    """intervenant·e, intervenant·es: never "intervenant" on one page and "·e" on the next."""
    bare = re.compile(r"\b[Ii]ntervenants?\b(?!·)")
    assert [text for _msgid, text in _french_entries() if bare.search(text)] == []


def test_french_calls_a_session_summary_a_compte_rendu_and_the_event_synthesis_a_synthese():
    summary = re.compile(r"\bsummary\b", re.I)
    synthesis = re.compile(r"\bsynthesis\b", re.I)
    mixed = [
        (msgid, text)
        for msgid, text in _french_entries()
        if (summary.search(msgid) and "synthèse" in text.lower())
        or (synthesis.search(msgid) and "compte rendu" in text.lower())
        or (re.search(r"\bsummaries\b", msgid, re.I) and "synthèses" in text.lower())
    ]
    assert mixed == []


def test_each_catalogue_defines_each_message_once():
    """Babel keeps one of two entries of the same msgid without a word (gettext's msgfmt
    refuses the file): the other translation is silently lost."""
    for po in ROOT.glob("companion/**/translations/fr/LC_MESSAGES/messages.po"):
        seen: dict[tuple[str, str], int] = {}
        duplicates = []
        for entry in po.read_text(encoding="utf-8").split("\n\n"):
            lines = [line for line in entry.splitlines() if not line.startswith("#")]
            key, field = {"msgctxt": "", "msgid": ""}, None
            for line in lines:
                name = line.split(" ", 1)[0]
                if name in key:
                    field = name
                    line = line[len(name) + 1 :]
                elif not line.startswith('"'):
                    field = None
                    continue
                if field:
                    key[field] += line.strip().strip('"')
            if key["msgid"]:
                identity = (key["msgctxt"], key["msgid"])
                if identity in seen:
                    duplicates.append(f"{po.relative_to(ROOT)}: {key['msgid']!r}")
                seen[identity] = 1
        assert duplicates == []

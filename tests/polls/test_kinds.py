"""The poll kinds registry: every kind registered, the pages get the very same map, and each
kind's behaviours (settings, answers and the counters they move, results, readable text)."""

from __future__ import annotations

import json
import re
import typing
from collections import Counter

import pytest

from companion.core.errors import Invalid
from companion.polls import kinds
from companion.polls.kinds import KIND_SETTINGS, KINDS, TOTAL_KEY, names_where, pages_data
from companion.polls.models import POLL_KINDS, Poll, PollOption
from companion.polls.schemas import Kind, SettingsFile

OPTIONS = {"A": 11, "B": 12, "C": 13}
TEXTS = {oid: text for text, oid in OPTIONS.items()}


def transient_poll(kind: str, **settings) -> Poll:
    """A poll never stored: the kinds read only its options and settings."""
    normal = KINDS[kind].settle(SettingsFile.model_validate(settings), list(OPTIONS))
    options = [PollOption(id=i, position=n, text=t) for n, (t, i) in enumerate(OPTIONS.items())]
    return Poll(kind=kind, settings=normal, options=options if KINDS[kind].has_options else [])


# ---------------------------------------------------------------- the registry


def test_every_kind_of_the_models_is_registered_and_no_other():
    assert tuple(KINDS) == POLL_KINDS
    assert typing.get_args(Kind) == POLL_KINDS
    for name, kind in KINDS.items():
        assert kind.name == name
        assert kind.label  # a msgid the pages translate
        assert kind.results_shape in ("counts", "points", "histogram", "words", "texts")
        assert kind.ballot in ("choice", "checkboxes", "order", "words", "scale", "text")
        assert set(kind.settings) <= set(KIND_SETTINGS)


def test_kind_flags_say_what_used_to_be_spelled_by_name():
    assert names_where(has_options=True) == ("single", "multiple", "ranking", "quiz")
    assert names_where(scored=True) == ("quiz",)
    assert names_where(moderated=True) == ("open",)
    assert KIND_SETTINGS == ("max_choices", "max_words", "scale", "correct_option")


def _poll_kinds_block(html: str) -> dict:
    found = re.findall(
        r'<script type="application/json" id="poll-kinds">(.*?)</script>', html, re.DOTALL
    )
    assert len(found) == 1, "one poll-kinds block per page"
    return json.loads(found[0])


@pytest.mark.parametrize(
    "page", ["/sessions/{id}", "/console/{id}", "/projector/{id}", "/dashboard/{slug}"]
)
def test_the_pages_get_the_registry_itself(http, first_session, page):
    """Attendee, console, projector and dashboard read the kinds from the server's map."""
    url = page.format(id=first_session.id, slug=first_session.event.slug)
    html = http.get(url).get_data(as_text=True)
    assert _poll_kinds_block(html) == pages_data()
    assert json.loads(json.dumps(pages_data())) == {
        name: kind.page_data() for name, kind in KINDS.items()
    }


def test_the_composer_offers_every_kind_in_the_page_language(http, first_session):
    html = http.get(f"/console/{first_session.id}?lang=fr").get_data(as_text=True)
    offered = re.findall(
        r'<option value="(\w+)">', html.split('id="poll-kind"')[1].split("</select>")[0]
    )
    assert tuple(offered) == POLL_KINDS
    for needed in ("options", *KIND_SETTINGS):
        assert f'data-needs="{needed}"' in html


def test_the_javascript_holds_no_copy_of_the_kinds():
    from companion.config import ROOT

    pages = ("polls-common.js", "polls-console.js", "polls-attendee.js", "polls-projector.js")
    for name in (*pages, "dashboard.js"):
        text = (ROOT / "static" / "js" / name).read_text(encoding="utf-8")
        assert "OPTION_KINDS" not in text, name
        for kind in POLL_KINDS:
            assert f'kind === "{kind}"' not in text, (name, kind)
            assert f'"{kind}"].includes' not in text, (name, kind)
            assert f'case "{kind}":' not in text, (name, kind)


# ---------------------------------------------------------------- settings


def test_options_fit_the_kind():
    for name in names_where(has_options=True):
        with pytest.raises(Invalid):
            KINDS[name].check_options(["Seule"])
        with pytest.raises(Invalid):
            KINDS[name].check_options(["Oui", "oui"])
        KINDS[name].check_options(["Oui", "Non"])
    for name in names_where(has_options=False):
        with pytest.raises(Invalid):
            KINDS[name].check_options(["Oui", "Non"])
        KINDS[name].check_options([])


def test_each_kind_settles_its_own_settings():
    settle = {
        name: kind.settle(SettingsFile(), ["A", "B", "C"])
        for name, kind in KINDS.items()
        if name != "quiz"
    }
    assert settle == {
        "single": {},
        "multiple": {"max_choices": 3},
        "wordcloud": {"max_words": 3},
        "rating": {"scale": {"min": 1, "max": 5, "labels": {}}},
        "open": {},
        "ranking": {},
    }
    with pytest.raises(Invalid):
        KINDS["quiz"].settle(SettingsFile(), ["A", "B"])
    with pytest.raises(Invalid):
        KINDS["quiz"].settle(SettingsFile(correct_option=2), ["A", "B"])
    assert KINDS["quiz"].settle(SettingsFile(correct_option=1), ["A", "B"]) == {"correct_option": 1}
    with pytest.raises(Invalid):
        KINDS["multiple"].settle(SettingsFile(max_choices=4), ["A", "B", "C"])


def test_a_rating_scale_is_written_back_with_integer_labels():
    stored = {"anonymous": True, "scale": {"min": 1, "max": 5, "labels": {"1": "Bof"}}}
    assert KINDS["rating"].file_settings(stored)["scale"] == {
        "min": 1,
        "max": 5,
        "labels": {1: "Bof"},
    }
    bare = {"scale": {"min": 0, "max": 3, "labels": {}}}
    assert KINDS["rating"].file_settings(bare) == {"scale": {"min": 0, "max": 3}}
    assert KINDS["single"].file_settings({"results": "live"}) == {"results": "live"}


# ---------------------------------------------------------------- answers, counters, text

ANSWERS = [
    # kind, answer, stored, counters, correct, readable
    ("single", {"option_id": 12}, {"option_id": 12}, {"option:12": 1}, None, "B"),
    ("quiz", {"option_id": 12}, {"option_id": 12}, {"option:12": 1}, True, "B"),
    ("quiz", {"option_id": 11}, {"option_id": 11}, {"option:11": 1}, False, "A"),
    (
        "multiple",
        {"option_ids": [13, 11]},
        {"option_ids": [11, 13]},
        {"option:11": 1, "option:13": 1},
        None,
        "A | C",
    ),
    (
        "ranking",
        {"option_ids": [13, 11, 12]},
        {"option_ids": [13, 11, 12]},
        {"score:13": 2, "score:11": 1, "score:12": 0},
        None,
        "C > A > B",
    ),
    (
        "wordcloud",
        {"words": ["  Élan ", "élan", "Lien"]},
        {"words": ["Élan", "Lien"]},
        {"word:élan": 1, "word:lien": 1},
        None,
        "Élan, Lien",
    ),
    ("rating", {"value": 4}, {"value": 4}, {"value:4": 1}, None, "4"),
    ("open", {"text": "  Merci  "}, {"text": "Merci"}, {}, None, "Merci"),
]


@pytest.mark.parametrize(("kind", "answer", "stored", "keys", "correct", "text"), ANSWERS)
def test_each_kind_reads_an_answer(kind, answer, stored, keys, correct, text):
    poll = transient_poll(kind, **({"correct_option": 1} if kind == "quiz" else {}))
    got_stored, got_keys, got_correct = KINDS[kind].read(poll, answer)
    assert got_stored == stored
    assert got_keys == Counter(keys)
    assert got_correct is correct
    assert KINDS[kind].readable(got_stored, TEXTS) == text
    # A stored answer reads back to the same counters (a changed vote takes them back).
    assert KINDS[kind].read(poll, got_stored)[1] == got_keys


BAD_ANSWERS = [
    ("single", {"option_id": 99}),
    ("single", {"option_ids": [11]}),
    ("multiple", {"option_ids": [11, 11]}),
    ("multiple", {"option_ids": [11, 99]}),
    ("ranking", {"option_ids": [11, 12]}),
    ("wordcloud", {"words": ["!!"]}),
    ("wordcloud", {"words": ["x" * 41]}),
    ("rating", {"value": 6}),
    ("open", {"text": "   "}),
]


@pytest.mark.parametrize(("kind", "answer"), BAD_ANSWERS)
def test_each_kind_refuses_what_does_not_fit(kind, answer):
    with pytest.raises(Invalid):
        KINDS[kind].read(transient_poll(kind), answer)


def test_multiple_and_wordcloud_hold_to_their_limits():
    poll = transient_poll("multiple", max_choices=2)
    with pytest.raises(Invalid):
        KINDS["multiple"].read(poll, {"option_ids": [11, 12, 13]})
    poll = transient_poll("wordcloud", max_words=1)
    with pytest.raises(Invalid):
        KINDS["wordcloud"].read(poll, {"words": ["un", "deux"]})


# ---------------------------------------------------------------- results


def test_each_kind_shapes_its_results():
    counts = {
        TOTAL_KEY: 4,
        "option:11": 3,
        "option:13": 1,
        "score:11": 5,
        "score:12": 2,
        "word:élan": 2,
        "word:lien": 3,
        "word:zéro": 0,
        "value:2": 1,
        "value:5": 3,
    }
    shaped = {
        name: KINDS[name].results(
            transient_poll(name, **({"correct_option": 0} if name == "quiz" else {})), counts, None
        )
        for name in KINDS
    }
    choices = [
        {"option_id": 11, "count": 3},
        {"option_id": 12, "count": 0},
        {"option_id": 13, "count": 1},
    ]
    assert shaped["single"] == shaped["multiple"] == shaped["quiz"] == choices
    assert shaped["ranking"] == [
        {"option_id": 11, "score": 5},
        {"option_id": 12, "score": 2},
        {"option_id": 13, "score": 0},
    ]
    assert shaped["wordcloud"] == [{"word": "lien", "count": 3}, {"word": "élan", "count": 2}]
    assert shaped["rating"] == {
        "histogram": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 3},
        "mean": 4.25,
    }
    assert shaped["open"] == {"count": 4, "answers": []}


def test_summaries_get_option_texts_ranked_points_and_approved_texts():
    data = {
        "results": [{"option_id": 11, "count": 2}, {"option_id": 12, "count": 1}],
        "correct_option_id": 12,
    }
    assert KINDS["quiz"].summary_results(data, TEXTS) == (
        [
            {"option_id": 11, "text": "A", "count": 2, "correct": False},
            {"option_id": 12, "text": "B", "count": 1, "correct": True},
        ],
        [],
    )
    assert "correct" not in KINDS["single"].summary_results(data, TEXTS)[0][0]
    ranked = {"results": [{"option_id": 11, "score": 1}, {"option_id": 12, "score": 3}]}
    assert [r["text"] for r in KINDS["ranking"].summary_results(ranked, TEXTS)[0]] == ["B", "A"]
    texts = {
        "anonymous": False,
        "total": 3,
        "results": {"count": 3, "answers": [{"id": 1, "text": "Oui", "author": "Ada"}]},
    }
    assert KINDS["open"].summary_results(texts, {}) == (
        {"count": 3, "approved": 1},
        [{"text": "Oui", "author": "Ada"}],
    )
    assert KINDS["open"].summary_results({**texts, "anonymous": True}, {})[1] == [
        {"text": "Oui", "author": None}
    ]
    histogram = {"results": {"histogram": {"1": 2}, "mean": 1.0}}
    assert KINDS["rating"].summary_results(histogram, {}) == (histogram["results"], [])


def test_labels_are_translated_in_the_request_language(app):
    with app.test_request_context("/?lang=fr"):
        labels = kinds.labels("poll_kind_")
    assert set(labels) == {f"poll_kind_{name}" for name in POLL_KINDS}
    assert all(labels.values())
    assert labels["poll_kind_single"] == "Choix unique"

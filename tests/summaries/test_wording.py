"""The words of the summaries, the synthesis, their mail and the dashboard, as people read them:
a count agrees with its noun in both languages (French takes the singular for 0 and 1), and a
colon is part of its message (French puts a space before it)."""

from __future__ import annotations

import json
import re

import pypdfium2 as pdfium
import pytest

from .test_actions import mail_url
from .test_routes import auth, event_url, session_url


def _get(http, url, token, lang):
    response = http.get(f"{url}?lang={lang}", headers=auth(token))
    assert response.status_code == 200, response.data[:300]
    return response


def _pdf_text(data: bytes) -> str:
    pdf = pdfium.PdfDocument(data)
    return " ".join(" ".join(page.get_textpage().get_text_range() for page in pdf).split())


@pytest.mark.parametrize(
    ("lang", "agenda", "wrong"),
    [
        ("fr", "sur 1 point\u00a0; points en dépassement\u00a0: 0.", "1 points"),
        ("en", "over 1 item; items that overran: 0.", "1 items"),
    ],
)
def test_the_summary_counts_its_one_agenda_item_in_the_singular(
    http, one_item, facilitator_token, lang, agenda, wrong
):
    for fmt in ("html", "md", "pdf"):
        data = _get(http, session_url(one_item.id, fmt), facilitator_token, lang).data
        text = _pdf_text(data) if fmt == "pdf" else data.decode()
        # The PDF's text comes out with its spaces, no-break ones included, as plain spaces.
        expected = " ".join(agenda.split()) if fmt == "pdf" else agenda
        assert expected in text, (fmt, text[:2000])
        assert wrong not in text, fmt


def test_the_markdown_summary_keeps_each_colon_inside_its_label(http, one_item, facilitator_token):
    speaker = one_item.agenda[0].speakers[0].name
    french = _get(http, session_url(one_item.id, "md"), facilitator_token, "fr").data.decode()
    assert f"- **Intervenant·es\u00a0:** {speaker}" in french
    assert "- **Animation\u00a0:** " in french
    assert "**De l’inscription à la contribution\u00a0:** inscrit·es 1" in french
    assert "**:" not in french
    english = _get(http, session_url(one_item.id, "md"), facilitator_token, "en").data.decode()
    assert f"- **Speakers:** {speaker}" in english and "- **Moderation:** " in english
    assert "**From registration to contribution:** registered 1" in english


def test_the_summary_mail_names_its_speakers_with_the_colon_of_its_language(
    http, one_item, facilitator_token
):
    speaker = one_item.agenda[0].speakers[0].name
    french = http.get(mail_url(one_item.id), headers=auth(facilitator_token)).get_json()
    assert french["subject"] == f"Compte rendu de «\u00a0{one_item.title}\u00a0»"
    assert f"\nIntervenant·es\u00a0: {speaker}" in french["text"]
    assert "Voici le compte rendu de la session «\u00a0" in french["text"]
    assert "1 personne a participé" in french["text"]
    assert "0 question posée, 0 avec réponse" in french["text"]
    assert "Intervenant·es: " not in french["text"]
    english = http.get(mail_url(one_item.id) + "?lang=en", headers=auth(facilitator_token))
    english = english.get_json()
    assert f"\nSpeakers: {speaker}" in english["text"]
    assert "1 person took part" in english["text"]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "fr",
            "Participation\u00a0: 1 personne, soit 1 personne inscrite et 0 participation sans inscription",
        ),
        ("en", "1 person took part: 1 registered person and 0 joins without registration"),
    ],
)
def test_the_synthesis_counts_who_took_part_with_each_plural_right(
    http, one_item, facilitator_token, lang, expected
):
    slug = one_item.event.slug
    for fmt in ("html", "md"):
        text = _get(http, event_url(slug, fmt), facilitator_token, lang).data.decode()
        assert expected in text, fmt


def test_the_synthesis_counts_only_registrants_who_came_among_those_who_took_part(
    http, one_item, people, facilitator_token
):
    """Two more registered and never came: "1 personne, soit 3 inscriptions…" did not add up."""
    people.register([one_item.id], name="Absente Une")
    people.register([one_item.id], name="Absent Deux")
    text = _get(http, event_url(one_item.event.slug, "md"), facilitator_token, "fr").data.decode()
    assert (
        "Participation\u00a0: 1 personne, soit 1 personne inscrite et 0 participation sans inscription"
        in text
    )


def _page_strings(html: str) -> dict:
    found = {}
    for block in re.findall(
        r'<script type="application/json" class="i18n">(.*?)</script>', html, re.S
    ):
        found.update(json.loads(block))
    return found


def test_the_dashboard_preview_line_needs_no_plural(http, event, facilitator_token):
    """The preview's agenda line (dashboard.js fills it) names its figures with a colon."""
    french = _page_strings(http.get(f"/dashboard/{event.slug}?lang=fr").get_data(as_text=True))
    line = french["agenda_line"] % {"run": 1, "items": 9, "over": 0}
    assert line == "Points tenus\u00a0: 1 sur 9\u00a0; en dépassement\u00a0: 0."
    english = _page_strings(http.get(f"/dashboard/{event.slug}?lang=en").get_data(as_text=True))
    assert english["agenda_line"] % {"run": 1, "items": 9, "over": 0} == (
        "Items run: 1 of 9; overran: 0."
    )


def test_the_speaker_view_has_a_singular_and_a_plural_for_upvotes(http, first_session):
    french = _page_strings(http.get(f"/speaker/{first_session.id}?lang=fr").get_data(as_text=True))
    assert french["sp_votes"] == {"one": "%(n)s soutien", "other": "%(n)s soutiens"}
    assert "sp_votes_many" not in french
    english = _page_strings(http.get(f"/speaker/{first_session.id}?lang=en").get_data(as_text=True))
    assert english["sp_votes"] == {"one": "%(n)s upvote", "other": "%(n)s upvotes"}

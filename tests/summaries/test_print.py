"""The printed documents' page furniture and dates: the footer never alone on a page, the page
numbers in the document's font, and a session dated by the day it was held."""

from __future__ import annotations

import ctypes

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from flask_babel import force_locale

from companion.summaries.render import documents
from companion.summaries.synthesis import build_event_synthesis

from .test_actions import mail_url
from .test_routes import auth, event_url, session_url

FOOTER = "Produit par Companion"


def _fonts(page) -> set[str]:
    """The fonts of a page's characters, without their subset prefix (ABCDEF+)."""
    text = page.get_textpage()
    found = set()
    for index in range(text.count_chars()):
        name = ctypes.create_string_buffer(128)
        flags = ctypes.c_int()
        if pdfium_c.FPDFText_GetFontInfo(text.raw, index, name, len(name), flags):
            found.add(name.value.decode().split("+")[-1])
    return found


def test_no_page_holds_the_footer_alone_and_page_numbers_are_in_the_documents_font(one_item):
    """Follow-up questions, one more at a time, move the end of the synthesis down its last
    page: wherever it ends, the footer is not left alone on a page of its own."""
    doc = build_event_synthesis(one_item.event)
    doc["follow_up"]["count"] = 0
    counts = set()
    # Stepping by 3 questions (a line each) lands at least once in the footer's height (4 lines
    # and its margin) at the foot of a page, wherever the page breaks fall.
    for extra in range(0, 45, 3):
        doc["follow_up"]["questions"] = [
            {"text": f"Question de suivi numéro {n} ?", "upvotes": 0} for n in range(extra)
        ]
        with force_locale("fr"):
            pdf = pdfium.PdfDocument(documents.pdf("event", doc, "fr"))
        counts.add(len(pdf))
        for index in range(len(pdf)):
            text = " ".join(pdf[index].get_textpage().get_text_range().split())
            assert not text.startswith(FOOTER), (extra, index + 1, text[:200])
        fonts = _fonts(pdf[len(pdf) - 1])
        assert fonts and all(font.startswith("DejaVu-Sans") for font in fonts), fonts
    assert len(counts) > 1, "the questions never moved the end to another page"


def test_the_summary_of_a_session_held_on_another_day_says_both_days(
    http, scripted, facilitator_token
):
    """The seed plans the session on 30 June 2020; the script runs it today."""
    session = scripted.session
    doc = http.get(session_url(session.id, "json"), headers=auth(facilitator_token)).get_json()
    held = documents.when(
        doc["session"]["started_at"], "date", tz=doc["event"]["timezone"], lang="fr"
    )
    for fmt in ("html", "md"):
        url = f"{session_url(session.id, fmt)}?lang=fr"
        text = http.get(url, headers=auth(facilitator_token)).get_data(as_text=True)
        assert "Prévue le mardi 30 juin 2020, " in text and f" · tenue le {held} de " in text, fmt
        english = http.get(
            f"{session_url(session.id, fmt)}?lang=en", headers=auth(facilitator_token)
        )
        assert "Planned for Tuesday, 30 June 2020, " in english.get_data(as_text=True)
    synthesis = http.get(
        f"{event_url(session.event.slug, 'html')}?lang=fr", headers=auth(facilitator_token)
    )
    assert f"Tenue le {held} (prévue le mardi 30 juin 2020)" in synthesis.get_data(as_text=True)

    french = http.get(mail_url(session.id), headers=auth(facilitator_token)).get_json()["text"]
    event = session.event.title
    assert (
        f"«\u00a0{session.title}\u00a0», prévue le mardi 30 juin 2020 et tenue le {held} "
        f"dans le cadre de «\u00a0{event}\u00a0»." in french
    ), french
    assert f"L’équipe d’organisation de «\u00a0{event}\u00a0»" in french
    english = http.get(mail_url(session.id) + "?lang=en", headers=auth(facilitator_token))
    text = english.get_json()["text"]
    assert "planned for Tuesday, 30 June 2020 and held on " in text
    assert f" as part of “{event}”." in text and f"The organising team of “{event}”" in text


def test_a_session_held_on_its_planned_day_states_that_day_once(app):
    """The date line begins with a capital; the hours held follow the hours planned."""
    session = {
        "starts_at": "2020-06-30T12:00:00+00:00",
        "ends_at": "2020-06-30T14:00:00+00:00",
        "started_at": "2020-06-30T12:05:00+00:00",
        "ended_at": "2020-06-30T13:58:00+00:00",
    }
    with force_locale("fr"):
        line = documents.schedule_line(session, tz="Europe/Paris", lang="fr")
        day = documents.held_on(session, tz="Europe/Paris", lang="fr")
    assert line == "Mardi 30 juin 2020, 14:00–16:00 · tenue de 14:05 à 15:58"
    assert day == "Mardi 30 juin 2020"
    with force_locale("en"):
        line = documents.schedule_line(
            {**session, "started_at": None, "ended_at": None}, tz="Europe/Paris", lang="en"
        )
    assert line == "Tuesday, 30 June 2020, 14:00–16:00"


def test_the_synthesis_lines_of_planned_speakers_begin_with_a_capital(
    http, scripted, facilitator_token
):
    url = event_url(scripted.session.event.slug, "html")
    french = http.get(f"{url}?lang=fr", headers=auth(facilitator_token)).get_data(as_text=True)
    assert '<p class="muted">Prévu·es, sans prise de parole\u00a0: ' in french
    assert '<p class="muted">Intervenant·es prévu·es\u00a0: ' in french
    english = http.get(f"{url}?lang=en", headers=auth(facilitator_token)).get_data(as_text=True)
    assert '<p class="muted">Planned, did not take the floor: ' in english
    assert '<p class="muted">Planned speakers: ' in english

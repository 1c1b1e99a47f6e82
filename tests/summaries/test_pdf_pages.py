"""The PDF documents as a reader sees them: every page rendered to an image (pypdfium2), none
blank, the synthesis's themes and facts on them. With COMPANION_TEST_SCREENSHOTS set to a
folder, the pages are kept there as PNG for a reviewer to look at (docs/screenshots/synthesis.png
is one of them)."""

from __future__ import annotations

import os

import pypdfium2 as pdfium

from companion.extensions import db
from companion.realtime.coalesce import coalescer
from companion.summaries.render import export_event, export_session

from .theme_texts import FRENCH_QUESTIONS

SHOTS = os.environ.get("COMPANION_TEST_SCREENSHOTS")


def pages(data: bytes, name: str) -> tuple[int, str]:
    """Render every page; return how many and their text. Each page must show something."""
    pdf = pdfium.PdfDocument(data)
    texts = []
    for index in range(len(pdf)):
        page = pdf[index]
        image = page.render(scale=1.4).to_pil()
        low, high = image.convert("L").getextrema()
        assert high - low > 100, f"{name}: page {index + 1} is blank"
        if SHOTS:
            image.save(os.path.join(SHOTS, f"{name}-page-{index + 1}.png"))
        texts.append(page.get_textpage().get_text_range())
    return len(pdf), " ".join(" ".join(texts).split())


def test_the_synthesis_pdf_reads_as_a_document_to_hand_out(scripted, people, connect, app):
    """Two sessions' worth of contributions, then the synthesis and a summary as PDF pages."""
    second = scripted.next_session
    sid = second.id
    scripted.moderator.ok("session.join", {"session_id": sid})
    scripted.moderator.ok("session.start", {"session_id": sid})
    questions = FRENCH_QUESTIONS[30:62]
    for n in range(0, len(questions), 4):
        attendee = connect(people.join(sid, name=f"Participant·e {n}")["token"])
        attendee.ok("session.join", {"session_id": sid})
        for k, text in enumerate(questions[n : n + 4]):
            attendee.ok(
                "question.submit", {"session_id": sid, "client_id": f"t{n}-{k}", "text": text}
            )
    scripted.moderator.ok("session.end", {"session_id": sid})
    coalescer.flush()
    db.session.expire_all()

    event = scripted.session.event
    count, text = pages(export_event(event, "pdf", lang="fr").read(), "synthesis")
    assert count >= 2
    assert "Thèmes récurrents" in text or "Thèmes qui reviennent" in text, text[:400]
    assert "expérimentation" in text and "tiers-lieux" in text
    assert "De l’inscription à la contribution, session par session" in text
    assert "1 sessions" not in text and "1 réponses" not in text  # plurals by the catalogue

    count, text = pages(export_event(event, "pdf", lang="en").read(), "synthesis-en")
    assert count >= 2
    assert "Themes that recur across sessions" in text and "1 session" in text
    assert "From registration to contribution, session by session" in text
    assert "Thèmes" not in text

    count, text = pages(export_session(second, "pdf", lang="fr").read(), "session")
    assert count >= 1
    assert "Prévu·es, sans prise de parole" in text
    assert "contributions" in text and "Relevés dans" in text

"""Polls in a real browser: the moderator opens a poll in the console, an attendee votes on a
phone-sized page, and the projector view shows the result — in French, and in English too."""

from __future__ import annotations

import os
import time

import pytest

from tests.e2e.conftest import staff_login_in_browser

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
SHOTS = os.environ.get("COMPANION_TEST_SCREENSHOTS")  # a folder: keep screenshots to look at


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def registration_link(server, session_id: int, name: str) -> str:
    slug = server.programme()["slug"]
    reg = server.api(
        f"/events/{slug}/registrations",
        "POST",
        {
            "name": name,
            "email": f"{name.lower()}.{time.monotonic_ns()}@example.org",
            "session_ids": [session_id],
        },
    )
    assert reg.status_code == 201, reg.text
    return f"{server.url}/sessions/{session_id}?t={reg.json()['token']}"


def projector_of(console, server, session_id: int, query: str = ""):
    """Open the projector next to the console: same browser context, so same staff login."""
    page = console.context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.goto(f"{server.url}/projector/{session_id}{query}")
    return page


def poll_card(page, question: str):
    return page.locator("article.poll-card", has_text=question)


def test_moderator_opens_attendee_votes_projector_shows(server, new_page):
    session = server.programme()["sessions"][0]
    question = "Où en êtes-vous avec l’expérimentation ?"
    choice = "J’en mène une en ce moment"

    console = new_page(locale="fr-FR")
    staff_login_in_browser(console, server, next_path=f"/console/{session['id']}")
    draft = poll_card(console, question)
    draft.locator("[data-action='poll.open']").click()
    console.wait_for_selector(f"article.poll-card[data-state='open']:has-text(\"{question}\")")

    phone = new_page(locale="fr-FR", phone=True)
    phone.goto(registration_link(server, session["id"], "Lucie"))
    card = poll_card(phone, question)
    button = card.get_by_role("button", name=choice)
    button.wait_for()
    assert card.locator("[role=status]").inner_text() == ""
    button.click()
    card.locator("[role=status]", has_text="Votre réponse est enregistrée").wait_for()
    assert button.get_attribute("aria-pressed") == "true"
    # Results are live for this poll: the attendee sees them too.
    card.locator(".poll-bar", has_text=choice).locator(".poll-bar-value", has_text="1").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth <= 360")
    shot(phone, "attendee-fr")

    projector = projector_of(console, server, session["id"])
    stage = projector.locator(".poll-stage")
    stage.locator("[data-poll-question]", has_text=question).wait_for()
    bar = stage.locator(".poll-bar", has_text=choice)
    bar.locator(".poll-bar-value", has_text="1 · 100 %").wait_for()
    assert stage.locator("[data-poll-count]").inner_text() == "1 réponse"

    # An English page works the same; the projector follows a second vote live.
    english = new_page(locale="en-GB", phone=True)
    english.goto(registration_link(server, session["id"], "Oliver"))
    english.get_by_role("heading", name="Polls").wait_for()
    other = poll_card(english, question).get_by_role("button", name="Je découvre la notion")
    other.click()
    poll_card(english, question).locator(
        "[role=status]", has_text="Your answer is recorded"
    ).wait_for()
    assert english.evaluate("document.documentElement.scrollWidth <= 360")
    stage.locator("[data-poll-count]", has_text="2 réponses").wait_for()
    shot(projector, "projector-choice")

    # The moderator closes it; the word cloud comes next and the projector lays its words out.
    poll_card(console, question).locator("[data-action='poll.close']").click()
    cloud_question = "En un mot, l’expérimentation c’est…"
    poll_card(console, cloud_question).locator("[data-action='poll.open']").click()
    words = poll_card(phone, cloud_question)
    words.get_by_label("Mot 1").fill("Audace")
    words.get_by_label("Mot 2").fill("proximité")
    words.get_by_role("button", name="Envoyer ma réponse").click()
    words.locator("[role=status]", has_text="Votre réponse est enregistrée").wait_for()
    more = poll_card(english, cloud_question)
    more.get_by_label("Word 1").fill("  Proximité ")
    more.get_by_role("button", name="Send my answer").click()
    more.locator("[role=status]", has_text="Your answer is recorded").wait_for()
    stage.locator("[data-poll-question]", has_text=cloud_question).wait_for()
    stage.locator("li", has_text="proximité: 2").wait_for(state="attached")
    # Both words laid out, "proximité" (two people wrote it, folded together) the bigger.
    projector.wait_for_function(
        """() => {
          const words = [...document.querySelectorAll('.poll-stage .cloud-word')]
            .filter((w) => w.style.left);
          const size = (t) => parseFloat(words.find((w) => w.textContent === t)?.style.fontSize);
          return words.length === 2 && size('proximité') > size('audace');
        }"""
    )
    shot(projector, "projector-cloud")
    shot(console, "console")
    for page in (console, phone, projector, english):
        assert page.errors == []


def test_console_and_projector_render_in_english(server, new_page):
    session = server.programme()["sessions"][0]
    console = new_page(locale="en-GB")
    staff_login_in_browser(console, server, next_path=f"/console/{session['id']}")
    console.get_by_role("heading", name="Polls").wait_for()
    # Ready-made polls come from the server in the page's language (folded: one click away).
    console.locator(".poll-templates summary").click()
    console.get_by_role("button", name="End-of-session evaluation").click()
    console.locator("article.poll-card", has_text="How useful was this session for you?").wait_for()
    console.locator(
        "article.poll-card", has_text="What will you take away? What was missing?"
    ).wait_for()
    # The composer prepares a rating poll.
    console.locator("[data-composer-summary]").click()
    console.select_option("#poll-kind", "rating")
    console.fill("#poll-question", "How clear was the talk?")
    console.fill("#poll-scale-low", "Not clear")
    console.fill("#poll-scale-high", "Very clear")
    console.get_by_role("button", name="Create the draft").click()
    card = console.locator("article.poll-card", has_text="How clear was the talk?")
    card.locator("[data-action='poll.open']").click()
    console.wait_for_selector("article.poll-card[data-state='open']:has-text('How clear')")
    phone = new_page(locale="en-GB", phone=True)
    phone.goto(registration_link(server, session["id"], "Ada"))
    poll_card(phone, "How clear was the talk?").get_by_role("button", name="4").click()
    poll_card(phone, "How clear was the talk?").locator(
        "[role=status]", has_text="Your answer is recorded"
    ).wait_for()
    card.locator(".poll-mean", has_text="Mean: 4 / 5").wait_for()
    projector = projector_of(console, server, session["id"], "?lang=en")
    projector.locator(".poll-stage .poll-mean", has_text="Mean: 4 / 5").wait_for()
    # A ranking (ready-made): the attendee moves an option up and sends the order; the console
    # counts Borda points (3 for the first of four options).
    console.get_by_role("button", name="Points of attention").click()
    ranked = "Which points of attention matter most in your project?"
    console.locator("article.poll-card", has_text=ranked).locator(
        "[data-action='poll.open']"
    ).click()
    order = poll_card(phone, ranked)
    order.locator(".poll-rank-item", has_text="Obstacles").locator("button[data-dir='up']").click()
    order.get_by_role("button", name="Send my answer").click()
    order.locator("[role=status]", has_text="Your answer is recorded").wait_for()
    console.locator("article.poll-card", has_text=ranked).locator(
        ".poll-bar", has_text="Obstacles"
    ).locator(".poll-bar-value", has_text="3 pts").wait_for()
    shot(projector, "projector-rating")
    shot(phone, "attendee-en")
    for page in (console, phone, projector):
        assert page.errors == []

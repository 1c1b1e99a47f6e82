"""The attendee page on a phone (390×844), in a real browser: tabs with unread badges, the alert
of a newly opened poll, results after voting as shares of the total, a question form that
starts afresh after each question, and the ended state after session.end (gone on reopen)."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.e2e.test_polls_browser import poll_card, registration_link

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
CONNECTED = (
    "() => document.querySelector('#attendee [data-conn-status]').dataset.state === 'connected'"
)


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    yield page
    context.close()


def shot(page, name: str) -> None:
    """Keep a screenshot to look at when COMPANION_TEST_SCREENSHOTS names a folder."""
    folder = os.environ.get("COMPANION_TEST_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"))


def tab(page, name: str):
    return page.get_by_role("tab", name=name)


def test_tabs_poll_alert_results_after_voting_and_the_end(server, make_client, phone):
    session = server.programme()["sessions"][0]
    sid = session["id"]
    moderator = make_client(server, server.login())
    moderator.ok("session.start", {"session_id": sid})
    other = make_client(server, server.attendee(sid, "Hugo"))

    phone.goto(registration_link(server, sid, "Lucie"))
    phone.wait_for_function(CONNECTED)
    # Four tabs a thumb reaches, at the bottom of the screen; "Now" shows first.
    bar = phone.locator("[data-tabs]")
    box = bar.bounding_box()
    assert box["y"] + box["height"] >= 844 - 2 and box["height"] < 120
    assert [t.inner_text().strip() for t in phone.get_by_role("tab").all()] == [
        "Maintenant",
        "Sondages",
        "Questions",
        "Parole",
    ]
    assert tab(phone, "Maintenant").get_attribute("aria-selected") == "true"
    assert not phone.locator("#qa-text").is_visible()

    # A poll opens: an alert says so first, and the Polls tab counts one new thing.
    question = "Où en êtes-vous avec l'expérimentation ?"
    poll = moderator.ok(
        "poll.create",
        {
            "session_id": sid,
            "kind": "single",
            "question": question,
            "options": ["Je découvre", "J'en mène une"],
        },
    )["poll"]
    moderator.ok("poll.open", {"poll_id": poll["id"]})
    alert = phone.locator("[role=alert][data-poll-alert]")
    alert.get_by_text(question).wait_for()
    assert "Nouveau sondage" in alert.inner_text()
    alert_box = alert.bounding_box()
    assert alert_box["y"] < phone.locator("#live-panels").bounding_box()["y"]
    badge = tab(phone, "Sondages").locator("[data-tab-badge]")
    assert badge.locator("[aria-hidden=true]").inner_text() == "1"
    assert badge.text_content() == "1, 1 nouveau"
    shot(phone, "attendee-alert")

    # Hugo votes first: Lucie still sees no results before answering herself.
    other.ok(
        "poll.vote",
        {
            "poll_id": poll["id"],
            "client_id": "h1",
            "answer": {"option_id": poll["options"][0]["id"]},
        },
    )
    alert.get_by_role("button", name="Répondre").click()
    assert tab(phone, "Sondages").get_attribute("aria-selected") == "true"
    assert badge.is_hidden()
    card = poll_card(phone, question)
    card.get_by_text("Répondez pour voir les résultats.").wait_for()
    assert card.locator(".poll-bar").count() == 0
    assert phone.evaluate("document.activeElement.closest('article.poll-card') !== null")
    card.get_by_role("button", name="J'en mène une").click()
    card.locator("[role=status]", has_text="Votre réponse est enregistrée").wait_for()
    assert alert.locator("[data-poll-alert-box]").is_hidden()

    # Results after voting, each bar its share of the total: 1 of 2 each is two half bars.
    card.locator(".poll-bar-value", has_text="50 %").nth(1).wait_for()
    shares = card.locator(".poll-bar").evaluate_all("bars => bars.map(b => b.dataset.share)")
    assert shares == ["50.0", "50.0"]
    widths = card.locator(".poll-bar").evaluate_all(
        "bars => bars.map(b => b.querySelector('.poll-bar-fill').getBoundingClientRect().width"
        " / b.querySelector('.poll-bar-track').getBoundingClientRect().width)"
    )
    assert all(abs(w - 0.5) < 0.02 for w in widths), widths
    assert phone.evaluate("document.documentElement.scrollWidth <= 390")
    shot(phone, "attendee-phone")  # docs/screenshots/attendee-phone.png is this one

    # A question for a speaker: afterwards the form starts afresh and keeps the focus.
    tab(phone, "Questions").click()
    phone.fill("#qa-text", "Comment financer la suite ?")
    speaker = phone.locator("#qa-speaker option").nth(1).get_attribute("value")
    phone.select_option("#qa-speaker", speaker)
    phone.check("[data-qa-anonymous]")
    phone.click("[data-qa-submit]")
    phone.locator("[data-qa-list] .qa-text", has_text="Comment financer la suite ?").wait_for()
    assert phone.input_value("#qa-text") == ""
    assert phone.input_value("#qa-speaker") == ""
    assert not phone.is_checked("[data-qa-anonymous]")
    assert phone.evaluate("document.activeElement.matches('[data-qa-status]')")

    # The end: the page says so and offers no contribution any more; a reopen undoes it.
    moderator.ok("session.end", {"session_id": sid})
    ended = phone.locator("[data-ended]")
    ended.get_by_text("Cette session est terminée").wait_for()
    assert not phone.locator("[data-qa-form]").is_visible()
    tab(phone, "Parole").click()
    assert not phone.get_by_role("button", name="Lever la main").is_visible()
    tab(phone, "Sondages").click()
    card.locator(".status", has_text="Clos").wait_for()
    shot(phone, "attendee-ended")
    moderator.ok("session.reopen", {"session_id": sid})
    ended.wait_for(state="hidden")
    tab(phone, "Parole").click()
    phone.select_option("#floor-kind", "question")
    phone.get_by_role("button", name="Lever la main").click()
    lower = phone.get_by_role("button", name="Baisser la main")
    lower.wait_for()
    # The acknowledgement and the room's floor.updated come in either order: whichever is
    # second moves the focus to "Lower my hand" (the form that held it is now hidden).
    expect(lower).to_be_focused()
    assert phone.input_value("#floor-kind") == "contribution"
    lower.click()
    phone.get_by_role("button", name="Lever la main").wait_for()
    expect(phone.get_by_role("button", name="Lever la main")).to_be_focused()
    assert phone.errors == []


def test_on_a_laptop_every_part_shows_at_once(server, new_page):
    session = server.programme()["sessions"][0]
    page = new_page(locale="en-GB")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(registration_link(server, session["id"], "Ada"))
    page.wait_for_function(CONNECTED)
    assert not page.locator("[data-tabs]").is_visible()
    for heading in ("Now on the agenda", "Polls", "Questions", "Speaking"):
        assert page.get_by_role("heading", name=heading, exact=True).is_visible()
    shot(page, "attendee-laptop")
    assert page.errors == []


def test_registration_errors_show_at_their_field_in_french(server, phone):
    programme = server.programme()
    phone.goto(f"{server.url}/events/{programme['slug']}/register")
    phone.fill("#reg-name", "   ")
    phone.fill("#reg-email", "pas-une-adresse")
    phone.click("#register-form button[type=submit]")
    email_error = phone.locator("#err-email")
    email_error.wait_for()
    assert email_error.inner_text() == "Cette adresse électronique n’est pas valide."
    assert phone.locator("#err-name").inner_text() == "Ce champ est obligatoire."
    for field in ("#reg-name", "#reg-email"):
        assert phone.get_attribute(field, "aria-invalid") == "true"
    assert "err-email" in phone.get_attribute("#reg-email", "aria-describedby")
    assert phone.locator("#register-error").inner_text() == (
        "Veuillez corriger les champs signalés ci-dessus."
    )
    assert phone.evaluate("document.activeElement.id") == "reg-name"
    shot(phone, "register-errors")

    # Corrected, it registers; a second time with the same address, the email is at fault.
    phone.fill("#reg-name", "Élise Fournier")
    phone.fill("#reg-email", "elise.double@example.org")
    phone.click("#register-form button[type=submit]")
    phone.wait_for_selector("#register-done:not([hidden])")
    phone.goto(f"{server.url}/events/{programme['slug']}/register")
    phone.fill("#reg-name", "Élise Fournier")
    phone.fill("#reg-email", "Elise.Double@example.org")
    phone.click("#register-form button[type=submit]")
    phone.locator("#err-email", has_text="Déjà inscrite à cet événement.").wait_for()
    assert phone.get_attribute("#reg-email", "aria-invalid") == "true"
    assert phone.get_attribute("#reg-name", "aria-invalid") is None
    assert phone.errors == []


def test_without_a_link_the_page_asks_to_join_and_shows_no_part(server, phone):
    session = server.programme()["sessions"][0]
    phone.goto(f"{server.url}/sessions/{session['id']}")
    phone.wait_for_selector("#needs-join:not([hidden])")
    assert not phone.locator("#live-panels").is_visible()
    assert not phone.locator("[data-tabs]").is_visible()
    assert phone.errors == []

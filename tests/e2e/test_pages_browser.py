"""A person in a real browser: register, join a session, watch the agenda move live."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_FACILITATOR, staff_login_in_browser

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.mark.parametrize(
    ("locale", "texts"),
    [
        (
            "fr-FR",
            {
                "register": "S’inscrire",
                "sessions": "Vous pouvez assister aux 4 sessions ou à certaines seulement.",
                "done": "Vous êtes inscrit·e",
                "connected": "Connecté",
                "live": "En direct",
            },
        ),
        (
            "en-GB",
            {
                "register": "Register",
                "sessions": "You may attend all 4 sessions or only some of them.",
                "done": "You are registered",
                "connected": "Connected",
                "live": "Live",
            },
        ),
    ],
)
def test_register_join_and_see_the_agenda_advance_live(
    server, make_client, new_page, locale, texts
):
    programme = server.programme()
    session = programme["sessions"][0]
    page = new_page(locale=locale, phone=True)
    page.goto(f"{server.url}/events/{programme['slug']}/register")
    assert page.locator("h1").inner_text() == texts["register"]
    expect(page.locator("#register-form fieldset > p.hint")).to_have_text(texts["sessions"])
    page.fill("#reg-name", "Élise Fournier")
    page.fill("#reg-email", f"elise.{locale}@example.org")
    page.fill("#reg-organisation", "Commune de Saillans")
    page.select_option("#reg-profile", "elu")
    for box in page.locator("input[name=session_ids]").all()[1:]:
        box.uncheck()
    page.click("#register-form button[type=submit]")
    page.wait_for_selector("#register-done:not([hidden])")
    expect(page.locator("h1")).to_have_text(texts["done"])  # the page says where one now is
    links = page.locator("#register-links a")
    assert links.count() == 1
    links.first.click()
    page.wait_for_url(re.compile(rf"/sessions/{session['id']}$"))  # the token left the address bar
    status = page.locator("#attendee [data-conn-status]")
    status.wait_for()
    page.wait_for_function(
        "() => document.querySelector('#attendee [data-conn-status]').dataset.state === 'connected'"
    )
    assert status.inner_text() == texts["connected"]

    moderator = make_client(server, server.login())
    moderator.ok("session.start", {"session_id": session["id"]})
    testimony = next(i for i in session["agenda"] if i["kind"] == "testimony")
    moderator.ok("agenda.advance", {"session_id": session["id"], "agenda_item_id": testimony["id"]})
    current = page.locator(".now-card [data-current-item]")
    page.wait_for_function(
        "title => document.querySelector('.now-card [data-current-item]').textContent === title",
        arg=testimony["title"],
    )
    assert current.inner_text() == testimony["title"]
    assert page.locator("#attendee [data-session-status]").inner_text() == texts["live"]
    highlighted = page.locator(f"[data-agenda-item='{testimony['id']}']")
    assert highlighted.get_attribute("aria-current") == "step"
    # The phone-sized page does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= 360")
    assert page.errors == []


def test_attendee_of_another_session_is_told_why_and_adds_it_in_one_click(server, new_page):
    """Registered for the first session only, Paul opens the second with his personal link:
    the page says why he is not in, and offers to add it (the registration form would refuse
    his address, already registered). One click adds it to his registration and joins."""
    programme = server.programme()
    first, second = programme["sessions"][:2]
    page = new_page()
    reg = server.api(
        f"/events/{programme['slug']}/registrations",
        "POST",
        {"name": "Paul", "email": "paul@example.org", "session_ids": [first["id"]]},
    ).json()
    page.goto(f"{server.url}/sessions/{second['id']}?t={reg['token']}")
    page.wait_for_selector("#needs-join:not([hidden])")
    # Told kindly, with the way in: not the refusal's "register first" (the form would refuse).
    expect(page.locator("[data-join-add]")).to_contain_text(
        "Vous êtes inscrit·e à d’autres sessions de cet événement"
    )
    expect(page.locator("[data-join-message]")).to_be_hidden()
    add = page.get_by_role("button", name="Ajouter cette session à mon inscription")
    expect(add).to_be_visible()
    expect(page.locator("[data-join-register]")).to_be_hidden()
    add.click()
    page.wait_for_selector("[data-conn-status][data-state='connected']")
    expect(page.locator("#needs-join")).to_be_hidden()
    facilitator = server.login(DEMO_FACILITATOR)
    listed = server.api(
        f"/events/{programme['slug']}/registrations?q=paul@example.org", token=facilitator
    ).json()["registrations"]
    assert [r["session_ids"] for r in listed] == [[first["id"], second["id"]]]
    assert page.errors == []


def test_moderator_console_advances_the_agenda(server, new_page):
    session = server.programme()["sessions"][0]
    page = new_page(locale="fr-FR")
    staff_login_in_browser(page, server, next_path=f"/console/{session['id']}")
    page.wait_for_function(
        "() => document.querySelector('#console [data-conn-status]').dataset.state === 'connected'"
    )
    page.click('[data-action="session.start"]')
    page.wait_for_selector("#console .status-live")
    item = session["agenda"][2]
    page.click("#console-tab-agenda")
    page.click(f"[data-advance='{item['id']}']")
    page.wait_for_selector(f"#console [data-agenda-item='{item['id']}'].is-current")
    assert page.errors == []

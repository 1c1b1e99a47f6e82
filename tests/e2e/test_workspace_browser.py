"""The organiser's workspace in a real browser: an event from nothing to a live session."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from companion.config import ROOT
from tests.e2e.conftest import DEMO_FACILITATOR, DEMO_MODERATOR, staff_login_in_browser

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
# A folder to keep the screenshots in (docs/screenshots/editor.png comes from there).
SHOTS = os.environ.get("COMPANION_TEST_SCREENSHOTS")
WEBCONF = "https://meet.example.org/tiers-lieux-atelier-1"


def _shot(page, folder, name: str) -> None:
    """Save a screenshot of the viewport where they are kept (else in the test's tmp folder)."""
    page.screenshot(path=str(Path(SHOTS or folder) / f"{name}.png"))


def _axe_violations(page) -> list:
    """Run axe-core (WCAG 2.1 A and AA) on the page as it stands."""
    page.evaluate((ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text())
    return page.evaluate(
        """async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a',
        'wcag21aa']})).violations.map(v => [v.id, v.nodes.map(n => n.target.join(' '))])"""
    )


def _order(server, slug: str, index: int = 0) -> list[str]:
    programme = server.api(f"/events/{slug}").json()
    return [item["title"] for item in programme["sessions"][index]["agenda"]]


def _add_item(page, session_id: int, title: str, kind: str, minutes: int, speaker_id=None):
    prefix = f"#new-item-{session_id}"
    card = page.locator(f"[data-session-id='{session_id}']")
    details = card.locator("details.add-item")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    page.fill(f"{prefix}-title", title)
    page.select_option(f"{prefix}-kind", kind)
    page.fill(f"{prefix}-minutes", str(minutes))
    if speaker_id is not None:
        page.check(f"{prefix}-sp-{speaker_id}")
    count = card.locator("[data-item-id]").count()
    details.locator("button[type=submit]").click()
    page.wait_for_function(
        "([id, n]) => document.querySelectorAll(`[data-session-id='${id}'] [data-item-id]`).length === n",
        arg=[session_id, count + 1],
    )


def test_an_event_from_nothing_to_a_live_session(server, new_page, make_client, tmp_path):
    page = new_page(locale="fr-FR")
    page.set_viewport_size({"width": 1280, "height": 800})
    staff_login_in_browser(page, server, DEMO_FACILITATOR, next_path="/manage")
    page.wait_for_selector("[data-events] .manage-event")

    # A new event, from nothing.
    page.fill("#new-title", "Rencontres des tiers-lieux")
    assert page.input_value("#new-slug") == "rencontres-des-tiers-lieux"
    page.click("[data-new-event] button[type=submit]")
    page.wait_for_url(re.compile(r"/manage/events/rencontres-des-tiers-lieux$"))
    slug = "rencontres-des-tiers-lieux"
    page.wait_for_selector("[data-event-form] input[name=title]")
    assert page.locator("h1").inner_text() == "Rencontres des tiers-lieux"

    # Speakers.
    page.click("[data-new-speaker-box] summary")
    for name, organisation in (("Sophie Roy", "PNR de Chartreuse"), ("Joël Soler", "ECORAVIE")):
        page.fill("#new-speaker-name", name)
        page.fill("#new-speaker-org", organisation)
        page.click("[data-new-speaker] button[type=submit]")
        page.wait_for_selector(f"[data-speakers] li:has-text('{name}')")

    # Two sessions, the first with its webconference link.
    page.click("[data-new-session-box] summary")
    for title, day, url in (("Atelier 1", "10", WEBCONF), ("Atelier 2", "11", "")):
        page.fill("#new-session-title", title)
        page.fill("#new-session-starts", f"2026-03-{day}T10:00")
        page.fill("#new-session-ends", f"2026-03-{day}T12:00")
        page.fill("#new-session-url", url)
        page.click("[data-new-session] button[type=submit]")
        page.wait_for_selector(f".session-editor h3:has-text('{title}')")
    editor = server.api(f"/events/{slug}").json()
    assert [s["title"] for s in editor["sessions"]] == ["Atelier 1", "Atelier 2"]
    assert editor["sessions"][0]["starts_at"] == "2026-03-10T10:00:00+01:00"
    session_id = editor["sessions"][0]["id"]
    speakers = {
        s["name"]: s["id"]
        for s in server.api(f"/events/{slug}/editor", token=server.login(DEMO_FACILITATOR)).json()[
            "speakers"
        ]
    }

    # Agenda items, then a keyboard reorder: focus stays on the moved item, and it is announced.
    _add_item(page, session_id, "Accueil", "topic", 10)
    _add_item(page, session_id, "Témoignage du PNR", "testimony", 20, speakers["Sophie Roy"])
    _add_item(page, session_id, "Débat", "discussion", 30)
    assert _order(server, slug) == ["Accueil", "Témoignage du PNR", "Débat"]
    first = page.locator(f"[data-session-id='{session_id}'] [data-item-id]").first
    first.locator("[data-move=down]").focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "id => document.querySelector(`[data-session-id='${id}'] [data-item-id] .agenda-title`)"
        ".textContent === 'Témoignage du PNR'",
        arg=session_id,
    )
    page.keyboard.press("Enter")  # the focus is still on "move down" of "Accueil"
    page.wait_for_function(
        "id => [...document.querySelectorAll(`[data-session-id='${id}'] [data-item-id] .agenda-title`)]"
        ".map(n => n.textContent).join('|') === 'Témoignage du PNR|Débat|Accueil'",
        arg=session_id,
    )
    assert _order(server, slug) == ["Témoignage du PNR", "Débat", "Accueil"]
    focused = page.evaluate(
        "() => document.activeElement.closest('[data-item-id]')"
        ".querySelector('.agenda-title').textContent"
    )
    assert focused == "Accueil"
    page.wait_for_function(
        "() => document.getElementById('live-announcer').textContent.includes('position 3 sur 3')"
    )
    # And by drag and drop: "Accueil" dropped on the top half of the first item goes first.
    items = page.locator(f"[data-session-id='{session_id}'] [data-item-id]")
    items.nth(2).drag_to(items.nth(0), target_position={"x": 200, "y": 5})
    page.wait_for_function(
        "id => document.querySelector(`[data-session-id='${id}'] [data-item-id] .agenda-title`)"
        ".textContent === 'Accueil'",
        arg=session_id,
    )
    assert _order(server, slug) == ["Accueil", "Témoignage du PNR", "Débat"]
    _shot(page, tmp_path, "editor-new-event")

    # A moderator invited by email sets a password and logs in.
    page.goto(f"{server.url}/manage/staff")
    page.wait_for_selector("[data-rows] tr")  # the page's script is running
    page.fill("#invite-email", "claire.moderatrice@example.org")
    page.check("#invite-role-moderator")
    page.click("[data-invite] button[type=submit]")
    page.wait_for_selector("[data-invite-link]:not([hidden])")
    # No mail server in this run: the page says to pass the link on, and does not claim a mail.
    expect(page.locator("[data-invite-manual]")).to_be_visible()
    expect(page.locator("[data-invite-mailed]")).to_be_hidden()
    expect(page.locator("[data-invite-status]")).to_contain_text("claire.moderatrice@example.org")
    link = page.input_value("#invite-link")
    assert "/password?token=" in link
    invitee = new_page(locale="fr-FR")
    invitee.goto(link)
    invitee.fill("#new-password", "tiers-lieux 2026")
    invitee.fill("#confirm-password", "tiers-lieux 2026")
    invitee.click("[data-password-form] button[type=submit]")
    invitee.wait_for_url(re.compile(r"/console/\d+$"))  # a moderator starts at a console
    assert invitee.evaluate("JSON.parse(localStorage.getItem('companion:staff')).role") == (
        "moderator"
    )
    moderator_token = server.login(("claire.moderatrice@example.org", "tiers-lieux 2026"))
    assert invitee.errors == []

    # An attendee registers, sees the agenda in its new order and the webconference button.
    attendee = new_page(locale="fr-FR", phone=True)
    attendee.goto(f"{server.url}/events/{slug}/register")
    attendee.fill("#reg-name", "Élise Fournier")
    attendee.fill("#reg-email", "elise.fournier@example.org")
    attendee.select_option("#reg-profile", "agent_developpement")
    for box in attendee.locator("input[name=session_ids]").all()[1:]:
        box.uncheck()
    attendee.click("#register-form button[type=submit]")
    attendee.wait_for_selector("#register-done:not([hidden])")
    attendee.locator("#register-links a").first.click()
    attendee.wait_for_url(re.compile(rf"/sessions/{session_id}$"))
    attendee.wait_for_function(
        "() => document.querySelector('#attendee [data-conn-status]').dataset.state === 'connected'"
    )
    button = attendee.locator("[data-webconference-link]")
    button.wait_for(state="visible")
    assert button.inner_text().startswith("Rejoindre la webconférence")
    assert button.get_attribute("href") == WEBCONF
    assert button.get_attribute("target") == "_blank"
    titles = attendee.locator("[data-agenda] .agenda-title").all_inner_texts()
    assert titles == ["Accueil", "Témoignage du PNR", "Débat"]
    # The public programme does not show the link itself.
    assert WEBCONF not in server.api(f"/events/{slug}").text

    # Live: the moderator starts the session; the organiser's edits reach the open page.
    moderator = make_client(server, moderator_token)  # as the console does
    snapshot = moderator.ok("session.join", {"session_id": session_id})["snapshot"]
    assert snapshot["session"]["webconference_url"] == WEBCONF
    moderator.ok("session.start", {"session_id": session_id})
    page.goto(f"{server.url}/manage/events/{slug}")
    page.wait_for_selector(f"[data-session-id='{session_id}'] .live-note")
    _add_item(page, session_id, "Conclusion", "topic", 5)
    attendee.wait_for_function(
        "() => [...document.querySelectorAll('[data-agenda] .agenda-title')]"
        ".some(n => n.textContent === 'Conclusion')"
    )
    card = page.locator(f"[data-session-id='{session_id}']")
    card.locator("details:has(.session-form) summary").click()
    page.fill(f"#session-{session_id}-url", "https://bbb.example.org/b/atelier-1")
    card.locator(".session-form button[type=submit]").click()
    attendee.wait_for_function(
        "() => document.querySelector('[data-webconference-link]').href"
        " === 'https://bbb.example.org/b/atelier-1'"
    )
    assert moderator.wait_for(
        lambda events: [d for _, e, d in events if e == "agenda.updated" and d.get("agenda")]
    )
    assert page.errors == [] and attendee.errors == []
    _shot(attendee, tmp_path, "attendee-webconference")


def test_editor_screenshot_and_english(server, new_page, tmp_path):
    """The editor of the demo programme: the README's screenshot (French), and English."""
    slug = server.programme()["slug"]
    page = new_page(locale="fr-FR")
    page.set_viewport_size({"width": 1280, "height": 800})
    staff_login_in_browser(page, server, DEMO_FACILITATOR, next_path=f"/manage/events/{slug}")
    page.wait_for_selector("[data-sessions] .session-editor")
    assert page.locator("#sessions-title").inner_text() == "Sessions"
    assert page.locator("[data-export]").inner_text() == "Télécharger le programme (YAML)"
    # The demo lets people in by personal link only: no session shows a code that opens nothing.
    assert page.locator(".session-editor .join-code").count() == 0
    _shot(page, tmp_path, "editor")  # 1280×800, French: docs/screenshots/editor.png
    page.locator(".session-editor details").first.locator("summary").click()
    page.locator("[data-item-id] [data-edit]").first.click()
    assert _axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= 1280")

    english = new_page(locale="en-GB", phone=True)
    staff_login_in_browser(english, server, DEMO_FACILITATOR, next_path=f"/manage/events/{slug}")
    english.wait_for_selector("[data-sessions] .session-editor")
    assert english.locator("[data-export]").inner_text() == "Download the programme (YAML)"
    assert english.evaluate("document.documentElement.scrollWidth <= 360")
    english.goto(f"{server.url}/manage/events/{slug}/registrations")
    english.wait_for_selector("[data-count]:not(:empty)")
    assert english.locator("h1").inner_text() == "Registrations"
    # The table scrolls in its box; the page itself never scrolls sideways on a phone.
    assert english.evaluate("document.documentElement.scrollWidth <= 360")
    assert _axe_violations(english) == []

    # Logging in with no destination lands a facilitator on the workspace.
    home = new_page(locale="fr-FR")
    home.goto(f"{server.url}/login")
    home.fill("#login-email", DEMO_FACILITATOR[0])
    home.fill("#login-password", DEMO_FACILITATOR[1])
    home.click("#login-form button[type=submit]")
    home.wait_for_url(f"{server.url}/manage")
    home.wait_for_selector(f"[data-events] .manage-event[data-slug='{slug}']")
    assert home.locator("h1").inner_text() == "Vos événements"
    assert home.errors == []
    assert page.errors == [] and english.errors == []


def test_a_refused_form_shows_its_problems_in_words_never_the_apis_summary(server, new_page):
    """The API's message ("Données invalides — title: …; starts_at: … ISO 8601 …") is for
    programs: an organiser reads each problem at its field and one line saying so, an
    attendee the problem itself."""
    slug = server.programme()["slug"]
    page = new_page(locale="fr-FR")
    page.set_viewport_size({"width": 1280, "height": 800})
    staff_login_in_browser(page, server, DEMO_FACILITATOR, next_path=f"/manage/events/{slug}")
    page.wait_for_selector("[data-sessions] .session-editor")
    page.locator("[data-new-session-box] summary").click()
    page.locator("[data-new-session] button[type=submit]").click()
    status = page.locator("[data-new-session] [data-status]")
    expect(status).to_have_text("Veuillez corriger les champs signalés ci-dessus.")
    errors = page.locator("[data-new-session] .field-error").all_inner_texts()
    assert errors and all("—" not in e and "_at" not in e for e in errors), errors
    assert page.errors == []

    phone = new_page(locale="fr-FR", phone=True)
    phone.goto(f"{server.url}/events/{slug}#lost-link")
    phone.fill("#recover-email-main", "pas-une-adresse")
    phone.locator("#lost-link button[type=submit]").click()
    shown = phone.locator("#lost-link [data-recover-error]")
    expect(shown).to_have_text("Cette adresse électronique n’est pas valide.")
    assert phone.errors == []


def test_a_moderator_in_the_workspace_sees_no_form_and_the_way_to_their_console(server, new_page):
    """The workspace refuses a moderator's token: its forms would only answer "forbidden"."""
    page = new_page(locale="fr-FR")
    staff_login_in_browser(page, server, DEMO_MODERATOR, next_path="/manage")
    expect(page.locator("[data-page-error]")).to_contain_text(
        "Seule l’équipe d’animation a accès à l’espace de travail."
    )
    expect(page.locator("[data-new-event]")).to_be_hidden()
    link = page.locator("[data-page-error] a[data-own-home]")
    expect(link).to_have_attribute("href", re.compile(r"^/console/\d+$"))
    link.click()
    page.wait_for_url(re.compile(r"/console/\d+$"))
    assert page.errors == []


def test_a_registrants_link_is_copied_and_said_so_at_the_button(server, new_page):
    """The facilitator copies a registrant's personal link from the list: the button itself
    says it was copied (the status line is below the whole table), and the link works."""
    programme = server.programme()
    slug, first = programme["slug"], programme["sessions"][0]
    server.api(
        f"/events/{slug}/registrations",
        "POST",
        {"name": "Inès Girard", "email": "ines@example.org", "session_ids": [first["id"]]},
    )
    page = new_page(locale="fr-FR")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    staff_login_in_browser(
        page, server, DEMO_FACILITATOR, next_path=f"/manage/events/{slug}/registrations"
    )
    button = page.get_by_role("button", name="Copier le lien personnel de Inès Girard")
    button.click()
    expect(button).to_have_text("Lien copié.")
    link = page.evaluate("navigator.clipboard.readText()")
    assert link.startswith(f"{server.url}/sessions/{first['id']}?t=")
    expect(button).to_have_text("Copier le lien personnel", timeout=5_000)
    assert page.errors == []


def test_a_speaker_link_asked_again_is_confirmed_before_it_stops_the_old_one(server, new_page):
    """The first link comes at once; asking again says the old one will stop, and a "no" keeps it."""
    slug = server.programme()["slug"]
    page = new_page(locale="en-US")
    page.remove_listener("dialog", page.accept_dialogs)
    dialogs: list[str] = []

    def answer(dialog) -> None:
        dialogs.append(dialog.message)
        if len(dialogs) == 1:
            dialog.dismiss()
        else:
            dialog.accept()

    page.on("dialog", answer)
    staff_login_in_browser(page, server, DEMO_FACILITATOR, next_path=f"/manage/events/{slug}")
    button = page.get_by_role("button", name="Speaker link of Pascale Vincent")
    link = page.get_by_label("Personal link of Pascale Vincent to the speaker view")
    button.click()
    expect(link).to_have_value(re.compile(r"/speaker/\d+#t="))
    first = link.input_value()
    assert dialogs == []

    button.click()  # dismissed: the link the speaker holds still works
    viewer = new_page(locale="en-US")
    viewer.goto(first)
    expect(viewer.locator("[data-speaker-me]")).to_have_text("Speaking as Pascale Vincent")
    assert dialogs == [
        "Pascale Vincent already has a personal link. A new one stops the old one: "
        "send them the new one. Continue?"
    ]
    assert link.input_value() == first

    button.click()  # accepted: a new link, and the old one stops
    expect(link).not_to_have_value(first)
    assert len(dialogs) == 2
    viewer.reload()
    expect(viewer.locator("[data-speaker-needs-link]")).to_be_visible()
    assert page.errors == []

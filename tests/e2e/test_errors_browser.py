"""In a real Chromium: a page tells errors apart by their code and reason, never by their words.

The attendee's Q&A form locks when a moderator has banned its author. The page learns it from
the refusal's ``details.reason``: the French message ("… ne vous permet plus de poser de
questions …") says "banned" in none of the words a text match once looked for.
"""

from __future__ import annotations

import json

import pytest
import socketio

from .conftest import DEMO_FACILITATOR, open_attendee_page

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.timeout(180)]


def test_a_ban_made_while_away_locks_the_form_on_the_first_refusal(server, new_page, make_client):
    session_id = server.programme()["sessions"][0]["id"]
    token = server.attendee(session_id, "Noa")
    author = make_client(server, token)
    author.ok("session.join", {"session_id": session_id})
    question = author.ok(
        "question.submit",
        {"session_id": session_id, "client_id": "e-1", "text": "Une question déplacée ?"},
    )["question"]
    author.close()
    # The ban comes while the author's page is closed: no question.banned reaches it.
    moderator = make_client(server, server.login())
    moderator.ok("session.join", {"session_id": session_id})
    assert moderator.ok("question.ban", {"question_id": question["id"]})["banned"] is True

    page = new_page()  # French, the default language
    open_attendee_page(page, server, session_id, token)
    page.wait_for_selector("[data-qa-submit]:not([disabled])")
    assert page.locator("#qa-text").is_enabled()

    page.fill("#qa-text", "Et maintenant ?")
    page.click("[data-qa-submit]")
    page.wait_for_selector("#qa-text:disabled")
    error = page.locator("[data-qa-error]")
    assert error.is_visible()
    assert "ne vous permet plus de poser de questions" in error.inner_text()
    assert page.locator("[data-qa-submit]").is_disabled()
    assert page.errors == [], json.dumps(page.errors)


def test_a_page_whose_access_is_withdrawn_says_so_instead_of_reconnecting_for_ever(
    server, new_page
):
    """The organisers remove a registration while its page is open: the server closes the
    socket, the page reconnects, the connection is refused, and the page says why. The refusal
    used to reach the page without its code (python-socketio keeps only the text of a single
    argument): it took it for a network failure and showed "reconnecting…" for ever."""
    session_id = server.programme()["sessions"][0]["id"]
    token = server.attendee(session_id, "Sacha Retiré")
    page = new_page()  # French
    open_attendee_page(page, server, session_id, token)

    facilitator = server.login(DEMO_FACILITATOR)
    slug = server.programme()["slug"]
    listed = server.api(f"/events/{slug}/registrations?q=Sacha", token=facilitator).json()
    (registration,) = [r for r in listed["registrations"] if r["name"] == "Sacha Retiré"]
    removed = server.api(f"/registrations/{registration['id']}", "DELETE", token=facilitator)
    assert removed.status_code in (200, 204), removed.text

    box = page.locator("#needs-join")
    box.wait_for(state="visible", timeout=15000)
    assert page.locator("#live-panels").is_hidden()
    shown = box.inner_text()
    assert "reconnexion" not in shown.lower() and shown.strip(), shown
    status = page.locator("[data-conn-status]").first
    assert "reconnexion" not in status.inner_text().lower()
    assert page.errors == []


def test_a_refused_connection_carries_its_code_and_message_in_the_connections_language(server):
    """The contract's connect_error: ``data = {code, message}``, read by a real client."""
    seen = []
    client = socketio.Client(reconnection=False)
    client.on("connect_error", lambda data: seen.append(data))
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(
            f"{server.url}?lang=fr", auth={"token": "pas-un-jeton"}, transports=["websocket"]
        )
    assert seen and seen[0]["data"]["code"] == "unauthorized", seen
    assert seen[0]["message"] == seen[0]["data"]["message"]
    assert "jeton" in seen[0]["message"]  # French, as asked

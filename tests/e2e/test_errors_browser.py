"""In a real Chromium: a page tells errors apart by their code and reason, never by their words.

The attendee's Q&A form locks when a moderator has banned its author. The page learns it from
the refusal's ``details.reason``: the French message ("… ne vous permet plus de poser de
questions …") says "banned" in none of the words a text match once looked for.
"""

from __future__ import annotations

import json

import pytest

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
    page.goto(server.url + "/")
    page.evaluate(
        "([key, token]) => localStorage.setItem(key, JSON.stringify(token))",
        [f"companion:participant:{session_id}", token],
    )
    page.goto(f"{server.url}/sessions/{session_id}")
    page.wait_for_selector("[data-conn-status][data-state='connected']")
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

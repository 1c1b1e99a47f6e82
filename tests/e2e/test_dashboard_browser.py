"""The facilitator's dashboard in a real browser: figures, a preview, a download; refusals."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import DEMO_FACILITATOR, DEMO_MODERATOR, staff_login_in_browser

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_the_facilitator_sees_figures_previews_and_downloads(server, make_client, new_page):
    programme = server.programme()
    session = programme["sessions"][0]
    moderator = make_client(server, server.login())
    moderator.ok("session.start", {"session_id": session["id"]})
    attendee = make_client(server, server.attendee(session["id"], "Bruno"))
    attendee.ok("session.join", {"session_id": session["id"]})
    attendee.ok(
        "question.submit",
        {"session_id": session["id"], "client_id": "dash-1", "text": "Où trouver le guide ?"},
    )

    page = new_page(locale="en-GB")
    path = f"/dashboard/{programme['slug']}"
    staff_login_in_browser(page, server, who=DEMO_FACILITATOR, next_path=path)
    card = page.locator(f"[data-session-id='{session['id']}']")
    card.locator("[data-figures] .dash-figure").first.wait_for()
    figures = dict(
        zip(
            card.locator("[data-figures] dt").all_inner_texts(),
            card.locator("[data-figures] dd").all_inner_texts(),
            strict=True,
        )
    )
    assert figures["questions asked"] == "1" and figures["joined"] == "1"
    assert card.locator("[data-status]").inner_text() == "Live"
    status = page.locator("[data-event-status]").inner_text()
    assert status == "Provisional: 0 of 4 sessions have ended."

    card.locator("[data-preview]").click()
    card.locator(".dash-people").wait_for()
    assert card.locator("[data-preview]").get_attribute("aria-expanded") == "true"
    assert "Mylène Thou" in card.locator(".dash-people").inner_text()

    with page.expect_download() as info:
        card.locator("[data-download='session'][data-format='json']").click()
    download = info.value
    assert download.suggested_filename.endswith("-summary.json")
    with open(download.path(), encoding="utf-8") as handle:
        assert json.load(handle)["participation"]["questions"] == 1
    assert page.errors == []


def test_a_moderator_is_told_the_dashboard_is_for_facilitators(server, new_page):
    page = new_page(locale="fr-FR")
    path = f"/dashboard/{server.programme()['slug']}"
    staff_login_in_browser(page, server, who=DEMO_MODERATOR, next_path=path)
    error = page.locator("[data-dash-error]")
    error.wait_for()
    assert "Seule l'équipe d'animation" in error.inner_text()
    assert page.errors == []

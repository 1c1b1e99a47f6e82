"""The login page in Chromium: only a path of this site is followed after logging in."""

import pytest

from tests.e2e.conftest import DEMO_MODERATOR

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_login_never_leaves_the_site_even_with_a_tampered_next(server, new_page):
    page = new_page()
    for target in ("/\\evil.example", "/\t/evil.example", "//evil.example", "/events/x?y=1"):
        page.goto(f"{server.url}/login")
        # The server hands an empty next for the bad ones; the script must refuse them too.
        page.eval_on_selector(
            "#login-form", "(form, next) => { form.dataset.next = next; }", target
        )
        page.fill("#login-email", DEMO_MODERATOR[0])
        page.fill("#login-password", DEMO_MODERATOR[1])
        page.click("#login-form button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        assert page.url.startswith(server.url + "/"), (target, page.url)
        assert "evil.example" not in page.url
        if target.startswith("/events/"):
            assert page.url == f"{server.url}/events/x?y=1"
    assert page.errors == []


def test_a_moderator_with_no_destination_lands_on_the_console_of_the_session_to_run(
    server, new_page
):
    """Not on the public programme, with no sign of being logged in: the live session's
    console, else the first still to come."""
    sessions = server.programme()["sessions"]
    live = [s for s in sessions if s["status"] == "live"]
    expected = (live or [s for s in sessions if s["status"] == "scheduled"])[0]
    page = new_page()
    page.goto(f"{server.url}/login")
    page.fill("#login-email", DEMO_MODERATOR[0])
    page.fill("#login-password", DEMO_MODERATOR[1])
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{server.url}/console/{expected['id']}")
    page.wait_for_selector("[data-conn-status][data-state='connected']")
    assert page.errors == []


def test_a_forgotten_password_is_asked_for_from_the_login_page(server, new_page):
    """The set-password link by mail (POST /auth/password-reset) had no page asking for it."""
    page = new_page()  # French
    page.goto(f"{server.url}/login")
    page.get_by_text("Mot de passe oublié ?").click()
    page.fill("#forgot-email", DEMO_MODERATOR[0])
    with page.expect_response("**/api/v1/auth/password-reset") as answer:
        page.locator("#forgot-password button[type=submit]").click()
    assert answer.value.status == 202
    done = page.locator("#forgot-password [data-recover-done]")
    done.wait_for()
    assert done.inner_text().startswith("Si cette adresse")  # the same answer for any address
    assert page.errors == []

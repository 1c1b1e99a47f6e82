"""Getting in from a phone: a code typed on the home page, a name, and the attendee page; the
lost-link form; the QR code of the join address decodes (pyzbar, Debian's libzbar)."""

from __future__ import annotations

import base64
import html
import io
import os
import re

import pytest
import requests
from PIL import Image
from pyzbar.pyzbar import decode

from tests.conftest import DEMO_PROGRAMME
from tests.e2e.conftest import ServerProcess, base_env, run_command

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
SHOTS = os.environ.get("COMPANION_TEST_SCREENSHOTS")  # a folder: keep screenshots to look at
PUBLIC = "https://companion.example.org"
OPEN_SLUG = "rencontre-ouverte"


def shot(page, name: str, full_page: bool = True) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=full_page)


@pytest.fixture(scope="module")
def open_server(tmp_path_factory):
    """The demo, plus a second event that lets people in with a code (one server for all)."""
    tmp_path = tmp_path_factory.mktemp("join")
    env = base_env(f"sqlite:///{tmp_path / 'e2e.sqlite3'}", COMPANION_PUBLIC_URL=PUBLIC)
    run_command(env, "init-demo")
    text = DEMO_PROGRAMME.read_text(encoding="utf-8")
    text = text.replace("slug: innovation-sociale-territoriale-2020", f"slug: {OPEN_SLUG}", 1)
    text = text.replace("registration_required: true", "registration_required: false", 1)
    text = text.replace("code_join_allowed: false", "code_join_allowed: true", 1)
    programme = tmp_path / "open.yaml"
    programme.write_text(text, encoding="utf-8")
    run_command(env, "import-programme", str(programme))
    server = ServerProcess(env, tmp_path / "server.log").start()
    assert "Mail: no COMPANION_SMTP_URL, so mails are written as .eml files in" in server.output()
    yield server
    server.stop()


def _phone(browser, locale: str):
    context = browser.new_context(
        locale=locale, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return context, page


@pytest.mark.parametrize(
    ("locale", "texts"),
    [
        ("fr-FR", {"field": "Vous avez un code", "connected": "Connecté"}),
        ("en-GB", {"field": "Got a code", "connected": "Connected"}),
    ],
)
def test_join_by_code_on_a_phone(open_server, browser, locale, texts):
    server = open_server
    programme = server.api(f"/events/{OPEN_SLUG}").json()
    session = programme["sessions"][1]
    token = server.login()
    code = _title_of_qr(server, session["id"], token).rsplit("/", 1)[1]

    context, page = _phone(browser, locale)
    try:
        page.goto(server.url + "/")
        assert texts["field"] in page.locator(".join-code-form label").inner_text()
        shot(page, f"join-home-phone-{locale[:2]}")
        page.fill("#join-code-input", code.lower()[:3] + " " + code.lower()[3:])
        page.click(".join-code-form button[type=submit]")
        page.wait_for_url(f"{server.url}/join/{code}")
        assert page.locator(".join-card .lead").inner_text() == session["title"]
        page.click("#join-form button[type=submit]")  # no name yet: said at the field
        assert page.locator("#join-error").is_visible()
        page.fill("#join-name", "Zoé du Diois")
        shot(page, f"join-code-phone-{locale[:2]}")
        page.click("#join-form button[type=submit]")
        page.wait_for_url(re.compile(rf"/sessions/{session['id']}$"))
        page.wait_for_function(
            "() => document.querySelector('#attendee [data-conn-status]').dataset.state === 'connected'"
        )
        assert page.locator("#attendee [data-conn-status]").inner_text() == texts["connected"]
        assert page.evaluate("document.documentElement.scrollWidth <= 390")
        assert page.errors == []
    finally:
        context.close()


def test_an_unknown_code_and_a_lost_link_on_a_phone(open_server, browser):
    server = open_server
    context, page = _phone(browser, "fr-FR")
    try:
        page.goto(server.url + "/join/NOPE42")
        assert page.locator("h1").inner_text() == "Aucune session n’a ce code"
        shot(page, "join-unknown-phone-fr")
        demo = server.api("/events").json()["events"]
        slug = next(e["slug"] for e in demo if e["slug"] != OPEN_SLUG)
        page.goto(f"{server.url}/events/{slug}")
        page.click(".recover summary")
        page.fill(".recover-form input[name=email]", "personne@example.org")
        page.click(".recover-form button[type=submit]")
        done = page.locator("[data-recover-done]")
        done.wait_for()
        page.wait_for_function("() => document.querySelector('[data-recover-done]').textContent")
        assert done.inner_text().startswith("Si cette adresse est inscrite")
        shot(page, "recover-phone-fr", full_page=False)
        assert page.evaluate("document.documentElement.scrollWidth <= 390")
        # Reached without a link: the session page offers to mail it again, open at once.
        first = server.api(f"/events/{slug}").json()["sessions"][0]
        page.goto(f"{server.url}/sessions/{first['id']}")
        page.locator("#needs-join").wait_for()
        assert page.locator("#needs-join .recover-form").is_visible()
        shot(page, "session-needs-link-phone-fr", full_page=False)
        assert page.errors == []
    finally:
        context.close()
    laptop = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 800})
    try:
        page = laptop.new_page()
        page.goto(f"{server.url}/sessions/{first['id']}")
        page.locator("#needs-join").wait_for()
        assert page.locator("#needs-join .recover-title").inner_text() == "Lost your link?"
        shot(page, "session-needs-link-laptop-en", full_page=False)
    finally:
        laptop.close()


def _title_of_qr(server: ServerProcess, session_id: int, token: str) -> str:
    svg = server.api(f"/sessions/{session_id}/qr.svg", token=token).text
    return re.search(r"<title>([^<]*)</title>", svg).group(1)


def test_the_qr_code_decodes_to_the_join_address(open_server, browser):
    server = open_server
    session = server.api(f"/events/{OPEN_SLUG}").json()["sessions"][0]
    assert server.api(f"/sessions/{session['id']}/qr.svg").status_code == 401
    token = server.login()
    response = server.api(f"/sessions/{session['id']}/qr.svg", token=token)
    assert response.status_code == 200
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        data = base64.b64encode(response.content).decode()
        page.set_content(
            f'<img id="qr" src="data:image/svg+xml;base64,{data}" style="width:400px">'
        )
        page.wait_for_function("() => document.getElementById('qr').complete")
        png = page.locator("#qr").screenshot()
    finally:
        context.close()
    if SHOTS:
        Image.open(io.BytesIO(png)).save(os.path.join(SHOTS, "qr.png"))
    [found] = decode(Image.open(io.BytesIO(png)))
    code = found.data.decode()
    assert re.fullmatch(rf"{re.escape(PUBLIC)}/join/[A-Z0-9]{{4,16}}", code)
    # The address it holds is the session's join page.
    join_page = server.url + "/join/" + code.rsplit("/", 1)[1]
    answer = requests.get(join_page, timeout=10)
    assert answer.status_code == 200
    assert session["title"] in html.unescape(answer.text)

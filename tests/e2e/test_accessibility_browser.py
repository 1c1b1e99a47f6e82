"""Accessibility as a gate: axe-core finds no serious or critical violation on any page, in French
and English, on a phone and a laptop (RGAA 4 / WCAG 2.1 AA).

PAGES is the one table of pages: a new page is one line (its path, and who opens it).
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text

from companion.config import ROOT

from .conftest import DEMO_FACILITATOR, ServerProcess, base_env, run_command

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
AXE = (ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
GATED = {"serious", "critical"}
VIEWPORTS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "laptop": {"viewport": {"width": 1280, "height": 800}},
}
LOCALES = {"fr": "fr-FR", "en": "en-GB"}

# (name, path, who): path placeholders {slug} {sid} {code} {speaker_token}; who is the stored
# login the page needs ("staff", "attendee", "speaker" or None). "live" pages wait to connect.
PAGES = [
    ("home", "/", None),
    ("programme", "/events/{slug}", None),
    ("registration", "/events/{slug}/register", None),
    ("login", "/login", None),
    ("join by code", "/join/{code}", None),
    ("attendee", "/sessions/{sid}", "attendee"),
    ("console", "/console/{sid}", "staff"),
    ("projector", "/projector/{sid}", "staff"),
    ("speaker", "/speaker/{sid}#t={speaker_token}", "speaker"),
    ("dashboard", "/dashboard/{slug}", "staff"),
    ("workspace", "/manage", "staff"),
    ("event editor", "/manage/events/{slug}", "staff"),
    ("registrations list", "/manage/events/{slug}/registrations", "staff"),
    ("staff accounts", "/manage/staff", "staff"),
    ("set a password", "/password?token=expired", None),
]
LIVE = {"attendee", "console", "projector", "speaker"}
# Pages drawn from API answers after load: checked once those have arrived.
FETCHED = {"dashboard", "workspace", "event editor", "registrations list", "staff accounts"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One server for every page: the demo, code join on, a session live with some activity."""
    folder = tmp_path_factory.mktemp("a11y")
    url = f"sqlite:///{folder / 'a11y.sqlite3'}"
    run_command(base_env(url), "init-demo")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE events SET code_join_allowed = 1"))
    engine.dispose()
    server = ServerProcess(base_env(url), folder / "server.log").start()
    try:
        yield _populate(server)
    finally:
        server.stop()


def _populate(server: ServerProcess) -> dict:
    from .conftest import LiveClient

    programme = server.programme()
    session = programme["sessions"][0]
    sid = session["id"]
    item = next(i for i in session["agenda"] if i["speakers"])
    staff = server.login(DEMO_FACILITATOR)
    moderator = LiveClient(server.url, staff)
    attendee_token = server.attendee(sid, "Camille Roux")
    attendee = LiveClient(server.url, attendee_token)
    try:
        moderator.ok("session.start", {"session_id": sid})
        moderator.ok("agenda.advance", {"session_id": sid, "agenda_item_id": item["id"]})
        poll = moderator.ok(
            "poll.create",
            {
                "session_id": sid,
                "kind": "single",
                "question": "Votre collectivité expérimente-t-elle ?",
                "options": ["Oui", "Non"],
            },
        )["poll"]
        moderator.ok("poll.open", {"poll_id": poll["id"]})
        attendee.ok("session.join", {"session_id": sid})
        attendee.ok(
            "question.submit",
            {
                "session_id": sid,
                "client_id": "a11y-q1",
                "text": "Comment évaluer une expérimentation ?",
                "agenda_item_id": item["id"],
            },
        )
        attendee.ok("floor.request", {"session_id": sid, "client_id": "a11y-f1"})
    finally:
        moderator.close()
        attendee.close()
    speaker = item["speakers"][0]
    link = server.api(f"/speakers/{speaker['id']}/link", "POST", token=staff).json()
    join_code = _join_code(server, staff, sid)
    return {
        "server": server,
        "slug": programme["slug"],
        "sid": sid,
        "code": join_code,
        "tokens": {
            "staff": staff,
            "attendee": attendee_token,
            "speaker": link["token"],
        },
    }


def _join_code(server, staff, sid) -> str:
    from .conftest import LiveClient

    client = LiveClient(server.url, staff)
    try:
        snapshot = client.ok("session.join", {"session_id": sid})["snapshot"]
    finally:
        client.close()
    return snapshot["projector"]["join"]["code"]


def _storage_script(who: str | None, site: dict) -> str:
    if who == "staff":
        value = {"token": site["tokens"]["staff"], "role": "facilitator"}
        return f"localStorage.setItem('companion:staff', {json.dumps(json.dumps(value))});"
    if who == "attendee":
        key = f"companion:participant:{site['sid']}"
        token = site["tokens"]["attendee"]
        return f"localStorage.setItem({json.dumps(key)}, {json.dumps(json.dumps(token))});"
    return ""


def _violations(page) -> list[dict]:
    page.evaluate(AXE + "\n;true")
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, { resultTypes: ["violations"] });
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " — " + n.failureSummary),
            }));
        }"""
    )
    return [v for v in result if v["impact"] in GATED]


@pytest.mark.parametrize(("name", "path", "who"), PAGES, ids=[p[0] for p in PAGES])
def test_no_serious_or_critical_accessibility_violation(site, browser, name, path, who):
    server = site["server"]
    url = server.url + path.format(
        slug=site["slug"],
        sid=site["sid"],
        code=site["code"],
        speaker_token=site["tokens"]["speaker"],
    )
    found = {}
    for lang, locale in LOCALES.items():
        for device, options in VIEWPORTS.items():
            context = browser.new_context(locale=locale, **options)
            context.set_default_timeout(10_000)
            try:
                page = context.new_page()
                script = _storage_script(who, site)
                if script:
                    page.add_init_script(script)
                page.goto(url)
                assert page.evaluate("document.documentElement.lang") == lang
                if name in LIVE:
                    page.wait_for_selector(
                        '[data-conn-status][data-state="connected"]', state="attached"
                    )
                    page.wait_for_timeout(300)  # let the panels draw their snapshot
                if name in FETCHED:
                    page.wait_for_load_state("networkidle")
                bad = _violations(page)
                if bad:
                    found[f"{lang}/{device}"] = bad
            finally:
                context.close()
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)

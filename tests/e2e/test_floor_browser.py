"""A full handover sequence of the seed's first session, in a real browser, timers checked."""

from __future__ import annotations

import json
import time
from datetime import datetime

import pytest
from playwright.sync_api import expect

from .conftest import staff_login_in_browser

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CLOCK_SKEW_MS = 7 * 60 * 1000  # one attendee's computer is seven minutes fast
TOLERANCE_S = 2


def _remaining_shown(page) -> int:
    """The seconds left shown by the page's big timer ("+mm:ss": over time, negative)."""
    text = page.locator("[data-floor-timer]").inner_text().strip()
    sign = -1 if text.startswith("+") else 1
    parts = [int(p) for p in text.lstrip("+").split(":")]
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + part
    return sign * seconds


def _remaining_expected(moderator, session_id) -> float:
    """What is left now, from the server's floor state and our (correct) clock."""
    floor = moderator.ok("session.join", {"session_id": session_id})["snapshot"]["floor"]
    current = floor["current"]
    server_time = datetime.fromisoformat(floor["server_time"]).timestamp()
    running = 0 if current["paused"] else time.time() - server_time
    return current["allotted_s"] - current["elapsed_s"] - running


def _assert_timer(page, moderator, session_id) -> None:
    expected = _remaining_expected(moderator, session_id)
    shown = _remaining_shown(page)
    assert abs(shown - expected) <= TOLERANCE_S, (shown, expected)


def _attendee_page(new_page, server, session_id, name, *, skew_ms=0):
    page = new_page(locale="fr-FR", phone=True)
    token = server.attendee(session_id, name)
    script = f"localStorage.setItem('companion:participant:{session_id}', {json.dumps(json.dumps(token))});"
    if skew_ms:
        script += f"const realNow = Date.now.bind(Date); Date.now = () => realNow() + {skew_ms};"
    page.add_init_script(script)
    page.goto(f"{server.url}/sessions/{session_id}")
    expect(page.locator('[data-conn-status][data-state="connected"]').first).to_be_visible()
    page.get_by_role("tab", name="Parole").click()  # a phone shows one part at a time
    return page


def test_a_full_handover_sequence_with_timers(server, new_page, make_client):
    session = server.programme()["sessions"][0]
    sid = session["id"]
    testimony = session["agenda"][3]
    moderator = make_client(server, server.login())

    console = new_page(locale="en-US")
    staff_login_in_browser(console, server, next_path=f"/console/{sid}")
    expect(console.locator('[data-conn-status][data-state="connected"]')).to_be_visible()
    console.click('[data-action="session.start"]')
    console.click("#console-tab-agenda")  # the agenda is one tab away from the floor
    console.click(f'[data-advance="{testimony["id"]}"]')
    console.click("#console-tab-floor")
    planned = console.locator("[data-floor-planned] li")
    expect(planned).to_have_count(1)
    expect(planned).to_contain_text("Véronique Sybelin")
    expect(planned).to_contain_text("15 min")  # a planned length, not a time of day

    # The first testimony: Véronique Sybelin, fifteen minutes.
    planned.get_by_role("button", name="Give the floor").click()
    expect(console.locator("[data-floor-name]")).to_have_text("Véronique Sybelin")
    expect(console.locator("[data-floor-org]")).to_have_text("ARCHE Agglo")
    expect(console.locator("[data-floor-planned-empty]")).to_be_visible()
    _assert_timer(console, moderator, sid)
    assert 880 <= _remaining_shown(console) <= 900

    # Léa raises a hand; Marc, whose clock is wrong, raises a point of order that jumps ahead.
    lea = _attendee_page(new_page, server, sid, "Léa")
    expect(lea.locator("[data-floor-name]")).to_have_text("Véronique Sybelin")
    _assert_timer(lea, moderator, sid)
    lea.click("[data-floor-raise]")
    expect(lea.locator("[data-floor-place]")).to_have_text("Vous êtes n° 1 dans la file.")
    expect(lea.locator("[data-floor-nextup]")).to_be_visible()

    marc = _attendee_page(new_page, server, sid, "Marc", skew_ms=CLOCK_SKEW_MS)
    _assert_timer(marc, moderator, sid)
    marc.select_option("#floor-kind", "point_of_order")
    marc.click("[data-floor-raise]")
    expect(marc.locator("[data-floor-place]")).to_have_text("Vous êtes n° 1 dans la file.")
    expect(marc.locator("[data-floor-nextup]")).to_be_visible()
    expect(lea.locator("[data-floor-place]")).to_have_text("Vous êtes n° 2 dans la file.")
    expect(lea.locator("[data-floor-nextup]")).to_be_hidden()
    queue = console.locator("[data-floor-queue] li")
    expect(queue).to_have_count(2)
    expect(queue.nth(0)).to_contain_text("Marc")
    expect(queue.nth(0)).to_contain_text("Point of order")
    expect(queue.nth(1)).to_contain_text("Léa")

    # The moderator reorders with the keyboard, then puts it back by drag and drop.
    queue.nth(1).focus()
    console.keyboard.press("Alt+ArrowUp")
    expect(queue.nth(0)).to_contain_text("Léa")
    expect(lea.locator("[data-floor-place]")).to_have_text("Vous êtes n° 1 dans la file.")
    expect(console.locator("[data-floor-queue] li:focus")).to_contain_text("Léa")
    queue.nth(1).drag_to(queue.nth(0))
    expect(queue.nth(0)).to_contain_text("Marc")
    expect(lea.locator("[data-floor-place]")).to_have_text("Vous êtes n° 2 dans la file.")

    # Next: the point of order has the floor, one minute; Véronique's speech ends.
    console.click('[data-floor-action="floor.next"]')
    expect(console.locator("[data-floor-name]")).to_have_text("Marc")
    expect(marc.locator("[data-floor-place]")).to_have_text("Vous avez la parole.")
    expect(lea.locator("[data-floor-place]")).to_have_text("Vous êtes n° 1 dans la file.")
    for page in (console, lea, marc):
        _assert_timer(page, moderator, sid)
    assert 57 <= _remaining_shown(console) <= 60

    # Pause: the timers stand still; resume: the pause is not counted.
    console.click('[data-floor-action="floor.pause"]')
    for page in (console, lea, marc):
        expect(page.locator("[data-floor-timer]")).to_have_attribute("data-state", "paused")
    frozen = _remaining_shown(console)
    time.sleep(2.2)
    assert _remaining_shown(console) == frozen
    assert _remaining_shown(marc) == frozen
    console.click('[data-floor-action="floor.resume"]')
    expect(console.locator("[data-floor-timer]")).to_have_attribute("data-state", "running")
    for page in (console, lea, marc):
        _assert_timer(page, moderator, sid)
    snapshot = moderator.ok("session.join", {"session_id": sid})["snapshot"]
    assert snapshot["floor"]["current"]["paused_total_s"] >= 2

    # A late join (a reload) in the middle of the speech shows the right time too.
    lea.reload()
    lea.get_by_role("tab", name="Parole").click()
    expect(lea.locator("[data-floor-name]")).to_have_text("Marc")
    _assert_timer(lea, moderator, sid)

    console.click('[data-floor-action="floor.end"]')
    expect(console.locator("[data-floor-name]")).to_have_text("Nobody has the floor.")
    expect(lea.locator("[data-floor-name]")).to_have_text("Personne n’a la parole.")
    expect(lea.locator("[data-floor-nextup]")).to_be_visible()
    expect(console.locator("[data-floor-timer]")).to_have_text("--:--")

    for page in (console, lea, marc):
        assert page.errors == []

"""The moderator console in Chromium, as a reviewer looked at it: a French laptop (1366×768) and
a phone. The composer's scale, an ended session, the questions' first tab, the header, and the
way to the summaries (for facilitators only)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import DEMO_FACILITATOR, DEMO_MODERATOR, staff_login_in_browser

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

LAPTOP = {"width": 1366, "height": 768}


def _console(new_page, server, session_id, *, who=DEMO_MODERATOR, phone=False):
    page = new_page(locale="fr-FR", phone=phone, viewport=LAPTOP)
    staff_login_in_browser(page, server, who=who, next_path=f"/console/{session_id}")
    expect(page.locator('[data-conn-status][data-state="connected"]')).to_be_attached()
    return page


def _lines(locator) -> float:
    """How many lines of text the element takes."""
    height = locator.bounding_box()["height"]
    return height / float(locator.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))


def _selected_tab(page) -> str:
    return page.locator("[data-qa-tab][aria-selected='true']").get_attribute("data-qa-tab")


@pytest.mark.parametrize("phone", [False, True], ids=["laptop", "phone"])
def test_the_rating_scale_labels_get_inputs_wide_enough_to_read(server, new_page, phone):
    sid = server.programme()["sessions"][0]["id"]
    page = _console(new_page, server, sid, phone=phone)
    page.locator("[data-composer-summary]").click()
    page.select_option("#poll-kind", "rating")
    for field, text in (("low", "Pas du tout d'accord"), ("high", "Tout à fait d'accord")):
        label = page.locator(f"label[for='poll-scale-{field}']")
        box = page.locator(f"#poll-scale-{field}")
        box.fill(text)
        # The long French label sits above its input, which keeps the column's width.
        assert label.bounding_box()["y"] + label.bounding_box()["height"] <= box.bounding_box()["y"]
        assert (
            box.bounding_box()["width"]
            >= 0.8 * page.locator("[data-poll-composer]").bounding_box()["width"]
        )
        assert box.evaluate("e => e.scrollWidth <= e.clientWidth"), f"{text!r} does not fit"
    # The range stays short: "From [1] to [5]" on one line.
    low, high = page.locator("#poll-scale-min"), page.locator("#poll-scale-max")
    assert abs(low.bounding_box()["y"] - high.bounding_box()["y"]) < 2
    assert page.errors == []


def test_after_the_end_the_clocks_stop_and_what_would_fail_waits_for_a_reopen(
    server, new_page, make_client
):
    session = server.programme()["sessions"][0]
    sid = session["id"]
    moderator = make_client(server, server.login())
    moderator.ok("session.start", {"session_id": sid})
    draft = moderator.ok(
        "poll.create",
        {"session_id": sid, "kind": "rating", "question": "Utile ?", "settings": {}},
    )["poll"]
    opened = moderator.ok(
        "poll.create",
        {
            "session_id": sid,
            "kind": "single",
            "question": "Où en êtes-vous ?",
            "options": ["a", "b"],
        },
    )["poll"]
    moderator.ok("poll.open", {"poll_id": opened["id"]})
    moderator.ok("floor.next", {"session_id": sid})  # a planned speaker has the floor

    page = _console(new_page, server, sid)
    clock = page.locator("[data-floor-clock]")
    # A planned length in minutes ("10:00" read as ten o'clock), the running clock as one.
    expect(page.locator("[data-floor-allotted]")).to_have_text(
        re.compile(r"^Temps prévu\u00a0: \d+ min · écoulé\u00a0: \d\d:\d\d$")
    )
    page.click('[data-action="session.end"]')
    expect(page.locator("#console [data-session-status]")).to_have_text("Terminée")

    # The clocks stop: the session reads as ended, nothing counts an overrun.
    expect(page.locator("[data-floor-slot-left]")).to_have_text("Terminée")
    expect(page.locator("[data-floor-item-left]")).to_have_text("—")
    expect(page.locator("[data-floor-behind]")).to_have_text("—")
    expect(page.locator("[data-floor-allotted]")).to_have_text("")
    shown = clock.inner_text()
    page.wait_for_timeout(1500)
    assert clock.inner_text() == shown
    assert clock.locator('[data-state="overrun"], [data-state="warning"]').count() == 0

    # Opening a poll, giving the floor, moving the agenda: off, and the reason is shown.
    # The drafts' "Open" and the closed poll's "Reopen" (the end closed it).
    closed = page.locator(f'.poll-card[data-poll-id="{opened["id"]}"]')
    expect(closed).to_have_attribute("data-state", "closed")
    expect(closed.locator('[data-action="poll.open"]')).to_have_count(1)
    for button in page.locator('[data-action="poll.open"]').all():
        expect(button).to_be_disabled()
        expect(button).to_have_attribute("aria-describedby", "polls-ended")
    expect(page.locator("#polls-ended")).to_be_visible()
    expect(page.locator("#polls-ended")).to_contain_text("rouvrez-la")
    expect(page.locator('[data-floor-action="floor.next"]')).to_be_disabled()
    expect(page.locator("#floor-ended")).to_be_visible()
    for button in page.locator("[data-floor-planned] button").all():
        expect(button).to_be_disabled()
    page.click("#console-tab-agenda")
    expect(page.locator("#agenda-ended")).to_be_visible()
    for button in page.locator("[data-advance]").all():
        expect(button).to_be_disabled()
    page.click("#console-tab-floor")
    # The draft can still be edited; nothing failed on the way.
    card = page.locator(f'.poll-card[data-poll-id="{draft["id"]}"]')
    expect(card.locator('[data-action="edit"]')).to_be_enabled()
    expect(page.locator("[data-console-error]")).to_be_hidden()

    # A reopen brings them back, and the clocks run again.
    page.click('[data-action="session.reopen"]')
    expect(page.locator("#console [data-session-status]")).to_have_text("En direct")
    for button in page.locator('[data-action="poll.open"]').all():
        expect(button).to_be_enabled()
    for note in ("#polls-ended", "#floor-ended", "#agenda-ended"):
        expect(page.locator(note)).to_be_hidden()
    expect(page.locator("[data-floor-slot-left]")).not_to_have_text("Terminée")
    page.click("#console-tab-agenda")
    for button in page.locator("[data-advance]").all():
        expect(button).to_be_enabled()
    card.locator('[data-action="poll.open"]').click()
    expect(card).to_have_attribute("data-state", "open")
    assert page.errors == []


def test_the_questions_open_where_the_questions_are(server, new_page, make_client):
    sessions = server.programme()["sessions"]
    moderator = make_client(server, server.login())
    free, held = sessions[0]["id"], sessions[1]["id"]
    for sid in (free, held):
        moderator.ok("session.start", {"session_id": sid})
    moderator.ok("question.settings", {"session_id": held, "premoderation": True})

    # Pre-moderation off: the console, opened before any question, follows them to Live.
    page = _console(new_page, server, free)
    assert _selected_tab(page) == "live"
    attendee = make_client(server, server.attendee(free, "Camille Martin"))
    attendee.ok("session.join", {"session_id": free})
    for n, text in enumerate(["Comment évaluer ?", "Quel financement ?"]):
        attendee.ok("question.submit", {"session_id": free, "client_id": f"f{n}", "text": text})
    expect(page.locator("[data-qa-list] [data-question-id]")).to_have_count(2)
    assert _selected_tab(page) == "live"
    # A tab the moderator picks stays theirs, even empty.
    page.click("#qa-tab-archived")
    attendee.ok("question.submit", {"session_id": free, "client_id": "f3", "text": "Et après ?"})
    expect(page.locator("[data-qa-tab-count='live']")).to_have_text("3")
    assert _selected_tab(page) == "archived"

    # Pre-moderation on: it opens on what waits; once nothing waits, on what is live.
    attendee = make_client(server, server.attendee(held, "Louise"))
    attendee.ok("session.join", {"session_id": held})
    attendee.ok("question.submit", {"session_id": held, "client_id": "h1", "text": "Un point ?"})
    page = _console(new_page, server, held)
    expect(page.locator("[data-qa-list] [data-question-id]")).to_have_count(1)
    assert _selected_tab(page) == "pending"
    page.locator("[data-qa-list] .act-approve").click()
    expect(page.locator("[data-qa-tab-count='live']")).to_have_text("1")
    expect(page.locator("#qa-tab-live")).to_have_attribute("aria-selected", "true")
    expect(page.locator("[data-qa-list] [data-question-id]")).to_have_count(1)
    assert page.errors == []


def test_the_header_stays_compact_and_shows_the_item_under_way_whole(
    code_join_server, new_page, make_client
):
    session = code_join_server.programme()["sessions"][1]
    sid = session["id"]
    item = session["agenda"][0]
    moderator = make_client(code_join_server, code_join_server.login())
    moderator.ok("agenda.advance", {"session_id": sid, "agenda_item_id": item["id"]})
    # A facilitator has the most controls in the header.
    page = _console(new_page, code_join_server, sid, who=DEMO_FACILITATOR)
    now = page.locator("[data-current-item]")
    expect(now).to_have_text(item["title"])
    expect(page.locator(".console-code")).to_be_visible()
    header = page.locator(".console-head").bounding_box()
    assert header["height"] <= 160, header
    assert _lines(page.locator(".console-head h1")) <= 2.05
    # The item is not cut: all of it is drawn, on at most two lines.
    assert now.evaluate(
        "e => e.scrollHeight <= e.clientHeight + 1 && e.scrollWidth <= e.clientWidth + 1"
    )
    assert now.evaluate("e => getComputedStyle(e).webkitLineClamp") in ("none", "")
    assert _lines(now) <= 2.05
    # The three columns start high on the screen.
    assert page.locator("#floor-title").bounding_box()["y"] < 300
    assert page.errors == []


def test_the_summaries_link_is_for_facilitators_only(server, new_page):
    sid = server.programme()["sessions"][0]["id"]
    page = _console(new_page, server, sid)
    expect(page.locator("[data-dashboard-link]")).to_be_hidden()
    page = _console(new_page, server, sid, who=DEMO_FACILITATOR)
    link = page.locator("[data-dashboard-link]")
    expect(link).to_be_visible()
    link.click()
    expect(page.locator("[data-download='event'][data-format='pdf']")).to_be_visible()

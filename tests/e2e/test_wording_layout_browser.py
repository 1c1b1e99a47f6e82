"""What a reviewer saw on screenshots, checked in a real Chromium: the session summary at its
normal size on a phone, the home page's events without a stray bullet, the speaker view while
someone else speaks, counts and colons in both languages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import DEMO_FACILITATOR, staff_login_in_browser

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

#: The smallest text a person reads without zooming, in CSS pixels.
LEGIBLE_PX = 12
#: Figures drawn under a chart's bars (a rating scale's labels) may be a little smaller.
LEGIBLE_CHART_PX = 10


def _run_one_item(server, make_client) -> dict:
    """The first session with one agenda item run (its speaker spoke), a poll answered, ended."""
    session = server.programme()["sessions"][0]
    sid = session["id"]
    item = session["agenda"][0]
    moderator = make_client(server, server.login())
    moderator.ok("session.start", {"session_id": sid})
    moderator.ok("agenda.advance", {"session_id": sid, "agenda_item_id": item["id"]})
    moderator.ok("floor.give", {"session_id": sid, "speaker_id": item["speakers"][0]["id"]})
    moderator.ok("floor.end", {"session_id": sid})
    polls = moderator.ok("session.join", {"session_id": sid})["snapshot"]["polls"]
    single = next(p for p in polls if p["kind"] == "single")
    moderator.ok("poll.open", {"poll_id": single["id"]})
    attendee = make_client(server, server.attendee(sid, "Louise Martin"))
    attendee.ok("session.join", {"session_id": sid})
    attendee.ok(
        "poll.vote",
        {
            "poll_id": single["id"],
            "client_id": "v1",
            "answer": {"option_id": single["options"][0]["id"]},
        },
    )
    moderator.ok("session.end", {"session_id": sid})
    return session


def _summary_page(server, new_page, sid: int, lang: str, phone: bool):
    """The summary as downloaded (an attachment), then opened in the browser."""
    token = server.login(DEMO_FACILITATOR)
    response = server.api(f"/sessions/{sid}/summary.html?lang={lang}", token=token)
    assert response.status_code == 200, response.text
    page = new_page(locale="fr-FR" if lang == "fr" else "en-GB", phone=phone)
    page.set_content(response.text)
    return page


def test_the_session_summary_reads_at_its_normal_size_on_a_phone(server, make_client, new_page):
    session = _run_one_item(server, make_client)
    page = _summary_page(server, new_page, session["id"], "fr", phone=True)
    # Nothing wider than the screen: the page is not zoomed out to fit a wide table.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate("window.visualViewport.scale") == 1
    # The agenda's table scrolls sideways in its own box, which the keyboard can reach.
    agenda = page.get_by_role("region", name="Programme\u00a0: prévu et réalisé")
    assert agenda.evaluate("box => box.scrollWidth > box.clientWidth")
    assert agenda.get_attribute("tabindex") == "0"
    # Every text is at a legible size.
    smallest = page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('main p, main li, main td, main th, main dt, main dd, main span')]
             .filter(e => e.getClientRects().length && e.textContent.trim())
             .map(e => parseFloat(getComputedStyle(e).fontSize)))"""
    )
    assert smallest >= LEGIBLE_PX, smallest
    # Each chart shows its narrow drawing at its own size: labels as large as drawn.
    charts = page.evaluate(
        """() => [...document.querySelectorAll('svg.chart')].filter(s => s.getClientRects().length).map(s => ({
             label: s.getAttribute('aria-label'),
             right: s.getBoundingClientRect().right,
             sizes: [...s.querySelectorAll('text')].map(t => t.getBoundingClientRect().height
               ? parseFloat(t.getAttribute('font-size')) * s.getBoundingClientRect().width / s.viewBox.baseVal.width : 99)}))"""
    )
    assert {c["label"] for c in charts} >= {"De l’inscription à la contribution"}, charts
    assert page.locator("svg.chart-wide").first.is_hidden()
    for chart in charts:
        assert chart["right"] <= 360, chart
        assert min(chart["sizes"]) >= LEGIBLE_CHART_PX, chart
    funnel = next(c for c in charts if c["label"] == "De l’inscription à la contribution")
    assert min(funnel["sizes"]) >= LEGIBLE_PX, funnel
    text = page.locator("main").inner_text()
    assert "sur 1 point\u00a0;" in text and "1 points" not in text
    assert page.errors == []

    # On a laptop the wide drawings are back, and the English counts agree too.
    wide = _summary_page(server, new_page, session["id"], "en", phone=False)
    assert wide.locator("svg.chart-wide").first.is_visible()
    assert wide.locator("svg.chart-narrow").first.is_hidden()
    assert "over 1 item;" in wide.locator("main").inner_text()


@pytest.mark.parametrize(("locale", "phone"), [("fr-FR", True), ("en-GB", False)])
def test_the_home_page_lists_its_events_as_cards_without_bullets(server, new_page, locale, phone):
    facilitator = server.login(DEMO_FACILITATOR)
    slug = server.programme()["slug"]
    response = server.api(f"/events/{slug}", "PATCH", {"code_join_allowed": True}, facilitator)
    assert response.status_code == 200, response.text
    page = new_page(locale=locale, phone=phone)
    page.goto(server.url + "/")
    page.locator(".join-card").wait_for()
    card = page.locator("ul.event-list > li.card").first
    assert card.evaluate("li => getComputedStyle(li).listStyleType") == "none"
    heading = page.get_by_role("heading", name="Événements" if locale == "fr-FR" else "Events")
    # The card starts where its heading does: nothing hangs out to its left.
    assert abs(card.bounding_box()["x"] - heading.bounding_box()["x"]) <= 1


@pytest.mark.parametrize(
    ("locale", "phone", "words"),
    [
        (
            "en-GB",
            False,
            {
                "floor": "Mylène Thou has the floor",
                "wait": "Not your turn yet. Planned for you: {n} min.",
                "votes": ("0 upvotes", "1 upvote", "2 upvotes"),
            },
        ),
        (
            "fr-FR",
            True,
            {
                "floor": "Mylène Thou a la parole",
                "wait": "Pas encore à vous. Prévu pour vous : {n} min.",
                "votes": ("0 soutien", "1 soutien", "2 soutiens"),
            },
        ),
    ],
)
def test_the_speaker_view_shows_no_clock_while_someone_else_speaks(
    server, new_page, make_client, locale, phone, words
):
    session = server.programme()["sessions"][0]
    sid = session["id"]
    first = session["agenda"][0]  # Mylène Thou's opening
    item = next(i for i in session["agenda"] if i["speakers"] and i is not first)
    speaker = item["speakers"][0]
    link = server.api(
        f"/speakers/{speaker['id']}/link", "POST", token=server.login(DEMO_FACILITATOR)
    )
    url = next(s["url"] for s in link.json()["sessions"] if s["session_id"] == sid)
    moderator = make_client(server, server.login())
    moderator.ok("session.start", {"session_id": sid})
    moderator.ok("agenda.advance", {"session_id": sid, "agenda_item_id": first["id"]})
    moderator.ok("floor.give", {"session_id": sid, "speaker_id": first["speakers"][0]["id"]})
    asker = make_client(server, server.attendee(sid, "Louise Martin"))
    asker.ok("session.join", {"session_id": sid})
    question = asker.ok(
        "question.submit",
        {
            "session_id": sid,
            "client_id": "sp-1",
            "text": "Par où commencer ?",
            "agenda_item_id": item["id"],
        },
    )["question"]

    page = new_page(locale=locale, phone=phone)
    page.goto(url)
    expect(page.locator("[data-speaker-who]")).to_have_text(words["floor"])
    expect(page.locator("[data-speaker-timer]")).to_be_hidden()
    expect(page.locator("[data-speaker-timer-state]")).to_have_text(
        words["wait"].format(n=item["planned_minutes"])
    )
    assert "--:--" not in page.locator("[data-speaker-floor]").inner_text()
    votes = page.locator("[data-speaker-questions] .speaker-q-votes")
    expect(votes).to_have_text(words["votes"][0])
    for n in (1, 2):
        voter = make_client(server, server.attendee(sid, f"Votant {n}"))
        voter.ok("session.join", {"session_id": sid})
        voter.ok("question.upvote", {"question_id": question["id"]})
        expect(votes).to_have_text(words["votes"][n])

    # Once the floor is theirs, the clock comes back.
    moderator.ok("floor.give", {"session_id": sid, "speaker_id": speaker["id"]})
    expect(page.locator("[data-speaker-timer]")).to_have_text(re.compile(r"^\+?\d+(:\d\d)+$"))
    expect(page.locator("[data-speaker-timer-state]")).not_to_contain_text(words["wait"][:12])
    assert page.errors == []


def test_the_dashboard_previews_say_one_item_and_the_french_colon(server, make_client, new_page):
    session = _run_one_item(server, make_client)
    page = new_page(locale="fr-FR")
    path = f"/dashboard/{server.programme()['slug']}"
    staff_login_in_browser(page, server, who=DEMO_FACILITATOR, next_path=path)
    card = page.locator(f"[data-session-id='{session['id']}']")
    card.locator("[data-preview]").click()
    expect(card.locator("[data-preview-box]")).to_contain_text(
        f"Points tenus : 1 sur {len(session['agenda'])} ; en dépassement :"
    )
    card.locator("[data-mail-open]").click()
    mail = card.locator("[data-mail-box] pre")
    expect(mail).to_contain_text("Intervenant·es : Mylène Thou")
    expect(mail).to_contain_text("Voici le compte rendu de la session « ")
    assert "Intervenant·es:" not in mail.inner_text()
    expect(card.locator("[data-mail-open]")).to_have_text("Envoyer le compte rendu aux inscrit·es…")
    assert page.errors == []

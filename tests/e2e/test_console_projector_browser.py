"""The console on a laptop, the projector on a big screen and the speaker view, in Chromium."""

from __future__ import annotations

import io
import os
import re

import pytest
from PIL import Image
from playwright.sync_api import expect
from pyzbar.pyzbar import decode

from .conftest import DEMO_FACILITATOR, staff_login_in_browser

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
# A folder to keep the screenshots in (docs/screenshots/console.png, projector.png and
# speaker.png come from there): a run of the tests leaves the work tree as it found it.
SHOTS = os.environ.get("COMPANION_TEST_SCREENSHOTS")


def _shot_path(name: str) -> str | None:
    return os.path.join(SHOTS, f"{name}.png") if SHOTS else None


def _context(browser, width, height, locale="fr-FR", **extra):
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale=locale, **extra
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("dialog", lambda dialog: dialog.accept())
    return context, page


def _connected(page):
    expect(page.locator('[data-conn-status][data-state="connected"]').first).to_be_attached()


def _doc_height(page) -> int:
    return page.evaluate("document.documentElement.scrollHeight")


def test_the_console_fits_a_laptop_and_its_moves_are_confirmed_or_undoable(
    server, browser, make_client
):
    session = server.programme()["sessions"][0]
    sid = session["id"]
    moderator = make_client(server, server.login())
    moderator.ok("session.start", {"session_id": sid})
    first = moderator.ok(
        "poll.create",
        {"session_id": sid, "kind": "single", "question": "Brouillon ?", "options": ["a", "b"]},
    )["poll"]
    second = moderator.ok(
        "poll.create",
        {
            "session_id": sid,
            "kind": "single",
            "question": "Votre territoire expérimente-t-il ?",
            "options": ["Oui", "Non", "Je ne sais pas"],
        },
    )["poll"]
    moderator.ok("poll.open", {"poll_id": second["id"]})
    attendee = make_client(server, server.attendee(sid, "Louise Martin"))
    attendee.ok("session.join", {"session_id": sid})
    attendee.ok(
        "question.submit",
        {
            "session_id": sid,
            "client_id": "console-q1",
            "text": "Comment associer les habitants dès le départ ?",
        },
    )
    attendee.ok("floor.request", {"session_id": sid, "client_id": "console-f1"})
    attendee.ok(
        "poll.vote",
        {
            "poll_id": second["id"],
            "client_id": "console-v1",
            "answer": {"option_id": second["options"][0]["id"]},
        },
    )
    context, page = _context(browser, 1280, 800)
    try:
        staff_login_in_browser(page, server, next_path=f"/console/{sid}")
        _connected(page)
        expect(page.locator(f'.poll-card[data-poll-id="{second["id"]}"]')).to_be_visible()
        # What is live first: the open poll above the draft created before it.
        order = page.eval_on_selector_all(".poll-card", "cards => cards.map(c => c.dataset.pollId)")
        assert order.index(str(second["id"])) < order.index(str(first["id"]))
        # The page fits the laptop's screen; the floor, questions and polls start on it.
        assert _doc_height(page) <= 800
        for selector in ("#floor-title", "#qa-console-title", "#polls-console-title"):
            box = page.locator(selector).bounding_box()
            assert box and box["y"] + box["height"] <= 800, selector
        # Both clocks, labelled.
        clock = page.locator("[data-floor-clock]").inner_text()
        assert "Temps restant sur ce point" in clock and "Temps restant de la session" in clock
        page.screenshot(path=_shot_path("console"))

        # An agenda move shows a toast with "Annuler", which puts the agenda back.
        before = page.locator("[data-agenda-item][aria-current]").get_attribute("data-agenda-item")
        target = session["agenda"][2]
        page.click("#console-tab-agenda")
        page.click(f'[data-advance="{target["id"]}"]')
        toast = page.locator("[data-toast]")
        expect(toast).to_contain_text(target["title"])
        expect(page.locator(f'[data-agenda-item="{target["id"]}"]')).to_have_attribute(
            "aria-current", "step"
        )
        toast.get_by_role("button", name="Annuler").click()
        expect(page.locator(f'[data-agenda-item="{before}"]')).to_have_attribute(
            "aria-current", "step"
        )
        expect(toast).to_contain_text("Retour")
        snap = moderator.ok("session.join", {"session_id": sid})["snapshot"]
        assert str(snap["session"]["current_agenda_item_id"]) == before

        # Saving the Q&A settings is confirmed where one looks.
        page.locator(".qa-settings summary").click()
        page.locator("[data-qa-settings] button[type=submit]").click()
        expect(toast).not_to_be_empty()
        assert toast.is_visible()

        # Deleting a poll asks first (dialogs are accepted here): the draft goes.
        card = page.locator(f'.poll-card[data-poll-id="{first["id"]}"]')
        dialogs = []
        page.on("dialog", lambda d: dialogs.append(d.message))
        card.locator('[data-action="poll.delete"]').click()
        expect(card).to_have_count(0)
        assert dialogs and "Supprimer" in dialogs[0]

        # Ending asks first; an ended session can be reopened from the console.
        page.click('[data-action="session.end"]')
        expect(page.locator("#console [data-session-status]")).to_have_text("Terminée")
        assert any("Clore" in d or "Terminer" in d for d in dialogs[1:]), dialogs
        reopen = page.locator('[data-action="session.reopen"]')
        expect(reopen).to_be_visible()
        reopen.click()
        expect(page.locator("#console [data-session-status]")).to_have_text("En direct")
        expect(reopen).to_be_hidden()
        assert page.errors == []
    finally:
        context.close()


def test_the_projector_fits_the_screen_shows_what_the_moderator_chooses_and_its_qr_decodes(
    code_join_server, browser, make_client
):
    server = code_join_server
    session = server.programme()["sessions"][0]
    sid = session["id"]
    moderator = make_client(server, server.login())
    moderator.ok("session.start", {"session_id": sid})
    poll = moderator.ok(
        "poll.create",
        {
            "session_id": sid,
            "kind": "single",
            "question": "Quelle démarche vous parle le plus ?",
            "options": ["Expérimentation", "Essaimage", "Recherche-action"],
        },
    )["poll"]
    moderator.ok("poll.open", {"poll_id": poll["id"]})
    moderator.ok("poll.close", {"poll_id": poll["id"]})
    context, page = _context(browser, 1920, 1080)
    try:
        staff_login_in_browser(page, server, next_path=f"/projector/{sid}")
        _connected(page)
        projector = page.locator("#projector")
        data = moderator.ok("projector.show", {"session_id": sid, "mode": "join"})
        join = data["projector"]["join"]
        expect(projector).to_have_attribute("data-mode", "join")
        expect(page.locator("[data-join-qr]")).to_be_visible()
        page.wait_for_function(
            "() => { const i = document.querySelector('[data-join-qr]'); "
            "return i.complete && i.naturalWidth > 0; }"
        )
        assert page.locator("[data-join-code]").inner_text() == join["code"]
        shot = page.screenshot(path=_shot_path("projector"))
        found = [d.data.decode() for d in decode(Image.open(io.BytesIO(shot)))]
        assert found == [join["url"]], found
        assert join["url"] == f"{server.url}/join/{join['code']}"
        assert _doc_height(page) <= 1080

        # Every panel fits 1920×1080 and 1280×720; the moderator's choice is followed.
        modes = [
            ("poll", {"poll_id": poll["id"]}),
            ("question", {}),
            ("timer", {}),
            ("agenda", {}),
            ("join", {}),
            ("auto", {}),
        ]
        for width, height in ((1920, 1080), (1280, 720)):
            page.set_viewport_size({"width": width, "height": height})
            for mode, extra in modes:
                moderator.ok("projector.show", {"session_id": sid, "mode": mode, **extra})
                expect(projector).to_have_attribute("data-mode", mode)
                assert _doc_height(page) <= height, (mode, width, height)
        # The organisers edit the agenda during the session: the projector's list follows.
        moderator.ok("projector.show", {"session_id": sid, "mode": "agenda"})
        facilitator = server.login(DEMO_FACILITATOR)
        added = server.api(
            f"/sessions/{sid}/agenda",
            "POST",
            {"title": "Synthèse à chaud", "kind": "discussion", "planned_minutes": 10},
            token=facilitator,
        )
        assert added.status_code == 201, added.text
        agenda = page.locator('[data-panel="agenda"]')
        last = agenda.locator(".agenda-item").last
        expect(last.locator(".agenda-title")).to_have_text("Synthèse à chaud")
        expect(last.locator(".agenda-meta")).to_have_text("10 min")
        assert agenda.locator(".agenda-kind").count() == 0  # the projector's brief list
        first_id = session["agenda"][0]["id"]
        renamed = server.api(
            f"/agenda-items/{first_id}",
            "PATCH",
            {"title": "Accueil et tour de table"},
            token=facilitator,
        )
        assert renamed.status_code == 200, renamed.text
        expect(agenda.locator(f'[data-agenda-item="{first_id}"] .agenda-title')).to_have_text(
            "Accueil et tour de table"
        )
        assert _doc_height(page) <= 720
        # Any poll, also closed: its results, big.
        moderator.ok("projector.show", {"session_id": sid, "mode": "poll", "poll_id": poll["id"]})
        stage = page.locator(".poll-stage")
        expect(stage).to_have_attribute("data-poll-id", str(poll["id"]))
        expect(stage).to_be_visible()
        # The end: in automatic mode, the closing panel.
        moderator.ok("projector.show", {"session_id": sid, "mode": "auto"})
        moderator.ok("session.end", {"session_id": sid})
        expect(page.locator('[data-panel="ended"]')).to_be_visible()
        expect(projector).to_have_attribute("data-ended", "true")
        assert _doc_height(page) <= 720
        assert page.errors == []
    finally:
        context.close()


def test_the_console_chooses_the_projector_view(code_join_server, browser):
    server = code_join_server
    sid = server.programme()["sessions"][0]["id"]
    context, console = _context(browser, 1280, 800)
    try:
        staff_login_in_browser(console, server, next_path=f"/console/{sid}")
        _connected(console)
        projector = context.new_page()
        projector.goto(f"{server.url}/projector/{sid}")
        _connected(projector)
        console.click("#console-tab-projector")
        console.get_by_label("Comment rejoindre : code et QR code").check()
        expect(console.locator("[data-toast]")).to_contain_text("comment rejoindre")
        expect(projector.locator("#projector")).to_have_attribute("data-mode", "join")
        expect(projector.locator("[data-join-qr]")).to_be_visible()
        console.get_by_label("L’ordre du jour").check()
        expect(projector.locator("#projector")).to_have_attribute("data-mode", "agenda")
        expect(projector.locator('[data-panel="agenda"]')).to_be_visible()
        assert console.errors == []
    finally:
        context.close()


def test_the_speaker_view_shows_their_timer_what_comes_next_and_their_questions(
    server, browser, make_client
):
    programme = server.programme()
    session = programme["sessions"][0]
    sid = session["id"]
    item = next(i for i in session["agenda"] if i["speakers"])
    speaker = item["speakers"][0]
    facilitator = server.login(DEMO_FACILITATOR)
    link = server.api(f"/speakers/{speaker['id']}/link", "POST", token=facilitator)
    assert link.status_code == 200, link.text
    url = next(s["url"] for s in link.json()["sessions"] if s["session_id"] == sid)

    moderator = make_client(server, server.login())
    moderator.ok("session.start", {"session_id": sid})
    moderator.ok("agenda.advance", {"session_id": sid, "agenda_item_id": item["id"]})
    attendee = make_client(server, server.attendee(sid, "Louise Martin"))
    attendee.ok("session.join", {"session_id": sid})
    mine = attendee.ok(
        "question.submit",
        {
            "session_id": sid,
            "client_id": "q-speaker-1",
            "text": "Comment avez-vous associé les habitants dès le départ ?",
            "agenda_item_id": item["id"],
        },
    )["question"]
    other_item = next(
        i for i in session["agenda"] if speaker["id"] not in [s["id"] for s in i["speakers"]]
    )
    attendee.ok(
        "question.submit",
        {
            "session_id": sid,
            "client_id": "q-other-1",
            "text": "Une question pour un autre point",
            "agenda_item_id": other_item["id"],
        },
    )

    context, page = _context(browser, 390, 844, is_mobile=True, has_touch=True)
    try:
        page.goto(url)
        _connected(page)
        assert "#t=" not in page.url  # the token left the address bar
        questions = page.locator("[data-speaker-questions] li")
        expect(questions).to_have_count(1)
        expect(questions.first).to_contain_text("associé les habitants")
        assert page.locator("[data-current-item]").inner_text() == item["title"]
        expect(page.locator("[data-speaker-turn]")).to_have_text("C’est votre point.")
        # No clock before the floor is theirs: what is planned for them instead.
        expect(page.locator("[data-speaker-timer]")).to_be_hidden()
        expect(page.locator("[data-speaker-timer-state]")).to_have_text(
            f"Pas encore à vous. Prévu pour vous : {item['planned_minutes']} min."
        )
        moderator.ok("floor.give", {"session_id": sid, "speaker_id": speaker["id"]})
        expect(page.locator("[data-speaker-who]")).to_have_text("Vous avez la parole")
        expect(page.locator("[data-speaker-timer]")).to_be_visible()
        expect(page.locator("[data-speaker-timer]")).to_have_text(re.compile(r"^\+?\d+(:\d\d)+$"))
        assert page.locator("[data-speaker-timer]").get_attribute("data-state") in (
            "running",
            "warning",
        )
        # Live: a new upvote moves the count.
        other = make_client(server, server.attendee(sid, "Marc"))
        other.ok("session.join", {"session_id": sid})
        other.ok("question.upvote", {"question_id": mine["id"]})
        expect(questions.first).to_contain_text("1 soutien")
        assert page.evaluate("document.documentElement.scrollWidth <= 390")
        page.screenshot(path=_shot_path("speaker"), full_page=True)
        # Once the agenda moves on, the view says when the speaker's next item comes.
        index = session["agenda"].index(item)
        later = next(
            (
                i
                for i in session["agenda"][index + 2 :]
                if speaker["id"] in [s["id"] for s in i["speakers"]]
            ),
            None,
        )
        moderator.ok(
            "agenda.advance",
            {"session_id": sid, "agenda_item_id": session["agenda"][index + 1]["id"]},
        )
        turn = page.locator("[data-speaker-turn]")
        if later:
            expect(turn).to_contain_text(f"Votre prochain point : {later['title']}")
        else:
            expect(turn).to_have_text("Vos points sont passés. Merci !")
        # Once the session has ended nothing is to come: no turn, no next item, no "now".
        moderator.ok("session.end", {"session_id": sid})
        expect(turn).to_have_text("La session est terminée. Merci de votre participation !")
        expect(page.locator("[data-current-item]")).to_have_text("—")
        expect(page.locator("[data-speaker-agenda] li")).to_have_count(0)
        expect(page.locator("[data-speaker-agenda-empty]")).to_be_hidden()
        expect(page.locator("[data-speaker-timer-state]")).to_have_text("")
        assert page.errors == []
    finally:
        context.close()

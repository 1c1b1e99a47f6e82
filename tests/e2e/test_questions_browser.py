"""In a real Chromium: questions that look like HTML show as typed and run nothing, anywhere.

Also drives the console's queue from the keyboard alone (select, pin, answer).
"""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import open_attendee_page, staff_login_in_browser

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.timeout(180)]

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(2)>"
REPLY = '"><svg onload=alert(3)> & <b>bold?</b>'


def watch(page) -> list[str]:
    """Record every dialog (alert, confirm…) the page opens: an injected script would."""
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    return dialogs


def open_question_form(page, server, session_id: int) -> None:
    """Open a new attendee's page on the session and wait until its question form can send."""
    open_attendee_page(page, server, session_id, server.attendee(session_id, "Camille"))
    page.wait_for_selector("[data-qa-submit]:not([disabled])")


def assert_shown_as_text(page, selector: str, texts: list[str]) -> None:
    shown = page.locator(selector).all_inner_texts()
    for text in texts:
        assert text in shown, (text, shown)
    # Nothing typed became markup: no injected element exists anywhere in the page.
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("svg:not(.tab-icon)").count() == 0  # the attendee's tabs draw icons
    assert page.locator("[data-qa] script").count() == 0
    assert page.evaluate("() => document.body.innerHTML.includes('<img src=\"x\"')") is False


def test_html_in_questions_is_shown_as_typed_and_never_runs(server, new_page, make_client):
    session_id = server.programme()["sessions"][0]["id"]

    # The attendee types both questions into the Q&A panel.
    attendee = new_page(locale="en-US")
    attendee_dialogs = watch(attendee)
    open_question_form(attendee, server, session_id)
    for text in (SCRIPT, IMAGE):
        attendee.fill("#qa-text", text)
        attendee.click("[data-qa-submit]")
        attendee.wait_for_function(
            "text => [...document.querySelectorAll('.qa-text')].some(n => n.textContent === text)",
            arg=text,
        )
    assert_shown_as_text(attendee, "#qa-attendee .qa-text", [SCRIPT, IMAGE])

    # The moderator works the queue from the keyboard: Live tab, select, pin, answer.
    console = new_page(locale="en-US")
    console_dialogs = watch(console)
    staff_login_in_browser(console, server, next_path=f"/console/{session_id}")
    console.wait_for_selector("#qa-console [data-qa-tab='live']")
    console.locator("#qa-tab-pending").focus()
    console.keyboard.press("ArrowRight")
    assert console.locator("#qa-tab-live").get_attribute("aria-selected") == "true"
    console.wait_for_function(
        "() => document.querySelectorAll('#qa-console .qa-item').length === 2"
    )
    assert_shown_as_text(console, "#qa-console .qa-text", [SCRIPT, IMAGE])
    console.keyboard.press("Tab")  # into the queue: the selected row takes the focus
    focused = console.evaluate("() => document.activeElement.dataset.questionId")
    assert focused
    texts = console.locator("#qa-console .qa-item .qa-text").all_inner_texts()
    target = texts[0]
    console.keyboard.press("p")
    console.wait_for_selector("#qa-console .qa-item.is-pinned")
    assert console.locator("#qa-console .qa-item.is-pinned .qa-text").inner_text() == target

    # The projector shows the pinned one large, as text.
    projector = console.context.new_page()
    projector_dialogs = watch(projector)
    projector.goto(f"{server.url}/projector/{session_id}")
    projector.wait_for_function(
        "text => document.querySelector('[data-qa-big-text]').textContent === text", arg=target
    )
    assert_shown_as_text(projector, "[data-qa-big-text]", [target])
    assert_shown_as_text(projector, "[data-qa-next] li", [])

    # Answering from the keyboard: Enter opens the reply, Enter sends it.
    row = console.locator("#qa-console .qa-item.is-pinned")
    row.focus()
    console.keyboard.press("Enter")
    console.keyboard.type(REPLY)
    console.keyboard.press("Enter")
    console.wait_for_function(
        "() => document.querySelectorAll('#qa-console .qa-item').length === 1"
    )
    # The focus stays in the queue, on the remaining question.
    assert console.evaluate("() => document.activeElement.classList.contains('qa-item')")
    attendee.wait_for_selector("#qa-attendee .qa-reply")
    assert REPLY in attendee.locator("#qa-attendee .qa-reply").inner_text()
    assert_shown_as_text(attendee, "#qa-attendee .qa-text", [SCRIPT, IMAGE])

    # The answered tab shows the reply as text too.
    console.click("#qa-tab-answered")
    console.wait_for_selector("#qa-console .qa-reply")
    assert REPLY in console.locator("#qa-console .qa-reply").inner_text()
    assert_shown_as_text(console, "#qa-console .qa-text", [target])

    for page in (attendee, console, projector):
        assert page.locator("img[src='x']").count() == 0
    assert attendee_dialogs == console_dialogs == projector_dialogs == []
    errors = [e for p in (attendee, console) for e in p.errors]
    assert errors == [], json.dumps(errors)


def test_a_ban_reaches_the_open_page_at_once_and_locks_its_form(server, new_page, make_client):
    """``question.banned`` is a private notice: applied although its seq raises nothing."""
    session_id = server.programme()["sessions"][0]["id"]
    page = new_page(locale="fr-FR")
    open_question_form(page, server, session_id)
    page.fill("#qa-text", "Qui porte le projet ?")
    page.click("[data-qa-submit]")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.qa-text')].some(n => n.textContent.includes('porte'))"
    )
    moderator = make_client(server, server.login())
    snapshot = moderator.ok("session.join", {"session_id": session_id})["snapshot"]
    question_id = snapshot["questions"][0]["id"]
    moderator.ok("question.ban", {"question_id": question_id})
    page.wait_for_selector("[data-qa-submit][disabled]", timeout=10_000)
    assert page.locator("#qa-text").is_disabled()


def test_the_next_question_typed_before_the_ack_is_kept(server, new_page):
    """The question can show (its broadcast) before its ack: a reset then would erase the next
    question being typed, and take the focus from the person typing it."""
    session_id = server.programme()["sessions"][0]["id"]
    page = new_page(locale="fr-FR")
    open_question_form(page, server, session_id)
    page.fill("#qa-text", "Qui finance le tiers-lieu ?")
    # Sent, then the next one typed in the same task: always before the ack can arrive.
    page.evaluate(
        """() => {
            const box = document.querySelector('#qa-text');
            box.form.requestSubmit();
            box.value = 'Et combien de bénévoles ?';
            box.focus();
        }"""
    )
    page.wait_for_function(
        "() => document.querySelector('[data-qa-status]').textContent.includes('a été envoyée')"
    )
    assert page.input_value("#qa-text") == "Et combien de bénévoles ?"
    assert page.evaluate("() => document.activeElement.id") == "qa-text"
    # Sent in turn, with nothing typed behind it, the form is fresh again.
    page.click("[data-qa-submit]")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.qa-text')].some(n => n.textContent.includes('bénévoles'))"
    )
    page.wait_for_function("() => document.querySelector('#qa-text').value === ''")

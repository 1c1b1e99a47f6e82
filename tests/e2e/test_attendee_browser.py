"""The attendee page on a phone (390×844), in a real browser: tabs with unread badges, the alert
of a newly opened poll, results after voting as shares of the total, a question form that
starts afresh after each question, and the ended state after session.end (gone on reopen)."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.e2e.test_polls_browser import poll_card, registration_link

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
CONNECTED = (
    "() => document.querySelector('#attendee [data-conn-status]').dataset.state === 'connected'"
)


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    yield page
    context.close()


def shot(page, name: str) -> None:
    """Keep a screenshot to look at when COMPANION_TEST_SCREENSHOTS names a folder."""
    folder = os.environ.get("COMPANION_TEST_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"))


def tab(page, name: str):
    return page.get_by_role("tab", name=name)


def test_tabs_poll_alert_results_after_voting_and_the_end(server, make_client, phone):
    session = server.programme()["sessions"][0]
    sid = session["id"]
    moderator = make_client(server, server.login())
    moderator.ok("session.start", {"session_id": sid})
    other = make_client(server, server.attendee(sid, "Hugo"))

    phone.goto(registration_link(server, sid, "Lucie"))
    phone.wait_for_function(CONNECTED)
    # Four tabs a thumb reaches, at the bottom of the screen; "Now" shows first.
    bar = phone.locator("[data-tabs]")
    box = bar.bounding_box()
    assert box["y"] + box["height"] >= 844 - 2 and box["height"] < 120
    assert [t.inner_text().strip() for t in phone.get_by_role("tab").all()] == [
        "Maintenant",
        "Sondages",
        "Questions",
        "Parole",
    ]
    assert tab(phone, "Maintenant").get_attribute("aria-selected") == "true"
    assert not phone.locator("#qa-text").is_visible()

    # A poll opens: an alert says so first, and the Polls tab counts one new thing.
    question = "Où en êtes-vous avec l’expérimentation ?"
    poll = moderator.ok(
        "poll.create",
        {
            "session_id": sid,
            "kind": "single",
            "question": question,
            "options": ["Je découvre", "J’en mène une"],
        },
    )["poll"]
    moderator.ok("poll.open", {"poll_id": poll["id"]})
    alert = phone.locator("[role=alert][data-poll-alert]")
    alert.get_by_text(question).wait_for()
    assert "Nouveau sondage" in alert.inner_text()
    alert_box = alert.bounding_box()
    assert alert_box["y"] < phone.locator("#live-panels").bounding_box()["y"]
    badge = tab(phone, "Sondages").locator("[data-tab-badge]")
    assert badge.locator("[aria-hidden=true]").inner_text() == "1"
    assert badge.text_content() == "1, 1 nouveau"
    shot(phone, "attendee-alert")

    # Hugo votes first: Lucie still sees no results before answering herself.
    other.ok(
        "poll.vote",
        {
            "poll_id": poll["id"],
            "client_id": "h1",
            "answer": {"option_id": poll["options"][0]["id"]},
        },
    )
    alert.get_by_role("button", name="Répondre").click()
    assert tab(phone, "Sondages").get_attribute("aria-selected") == "true"
    assert badge.is_hidden()
    card = poll_card(phone, question)
    card.get_by_text("Répondez pour voir les résultats.").wait_for()
    assert card.locator(".poll-bar").count() == 0
    assert phone.evaluate("document.activeElement.closest('article.poll-card') !== null")
    card.get_by_role("button", name="J’en mène une").click()
    card.locator("[role=status]", has_text="Votre réponse est enregistrée").wait_for()
    assert alert.locator("[data-poll-alert-box]").is_hidden()

    # Results after voting, each bar its share of the total: 1 of 2 each is two half bars.
    card.locator(".poll-bar-value", has_text="50 %").nth(1).wait_for()
    shares = card.locator(".poll-bar").evaluate_all("bars => bars.map(b => b.dataset.share)")
    assert shares == ["50.0", "50.0"]
    widths = card.locator(".poll-bar").evaluate_all(
        "bars => bars.map(b => b.querySelector('.poll-bar-fill').getBoundingClientRect().width"
        " / b.querySelector('.poll-bar-track').getBoundingClientRect().width)"
    )
    assert all(abs(w - 0.5) < 0.02 for w in widths), widths
    assert phone.evaluate("document.documentElement.scrollWidth <= 390")
    shot(phone, "attendee-phone")  # docs/screenshots/attendee-phone.png is this one

    # A question for a speaker: afterwards the form starts afresh and keeps the focus.
    tab(phone, "Questions").click()
    phone.fill("#qa-text", "Comment financer la suite ?")
    speaker = phone.locator("#qa-speaker option").nth(1).get_attribute("value")
    phone.select_option("#qa-speaker", speaker)
    phone.check("[data-qa-anonymous]")
    phone.click("[data-qa-submit]")
    phone.locator("[data-qa-list] .qa-text", has_text="Comment financer la suite ?").wait_for()
    # The question shows on its broadcast, which may come before its ack: the reset follows.
    expect(phone.locator("#qa-text")).to_have_value("")
    expect(phone.locator("#qa-speaker")).to_have_value("")
    expect(phone.locator("[data-qa-anonymous]")).not_to_be_checked()
    expect(phone.locator("[data-qa-status]")).to_be_focused()

    # The end: the page says so and offers no contribution any more; a reopen undoes it.
    moderator.ok("session.end", {"session_id": sid})
    ended = phone.locator("[data-ended]")
    ended.get_by_text("Cette session est terminée").wait_for()
    assert not phone.locator("[data-qa-form]").is_visible()
    # The end closed the poll and the floor: nothing new to go and read, no badge says so.
    for name in ("Maintenant", "Sondages", "Parole"):
        expect(tab(phone, name).locator("[data-tab-badge]")).to_be_hidden()
    tab(phone, "Parole").click()
    assert not phone.get_by_role("button", name="Lever la main").is_visible()
    tab(phone, "Sondages").click()
    card.locator(".status", has_text="Clos").wait_for()
    shot(phone, "attendee-ended")
    moderator.ok("session.reopen", {"session_id": sid})
    ended.wait_for(state="hidden")
    tab(phone, "Parole").click()
    phone.select_option("#floor-kind", "question")
    phone.get_by_role("button", name="Lever la main").click()
    lower = phone.get_by_role("button", name="Baisser la main")
    lower.wait_for()
    # The acknowledgement and the room's floor.updated come in either order: whichever is
    # second moves the focus to "Lower my hand" (the form that held it is now hidden).
    expect(lower).to_be_focused()
    assert phone.input_value("#floor-kind") == "contribution"
    lower.click()
    phone.get_by_role("button", name="Lever la main").wait_for()
    expect(phone.get_by_role("button", name="Lever la main")).to_be_focused()
    assert phone.errors == []


def test_on_a_laptop_every_part_shows_at_once(server, new_page):
    session = server.programme()["sessions"][0]
    page = new_page(locale="en-GB")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(registration_link(server, session["id"], "Ada"))
    page.wait_for_function(CONNECTED)
    assert not page.locator("[data-tabs]").is_visible()
    for heading in ("Now on the agenda", "Polls", "Questions", "Speaking"):
        assert page.get_by_role("heading", name=heading, exact=True).is_visible()
    shot(page, "attendee-laptop")
    assert page.errors == []


def test_registration_errors_show_at_their_field_in_french(server, phone):
    programme = server.programme()
    phone.goto(f"{server.url}/events/{programme['slug']}/register")
    phone.fill("#reg-name", "   ")
    phone.fill("#reg-email", "pas-une-adresse")
    phone.click("#register-form button[type=submit]")
    email_error = phone.locator("#err-email")
    email_error.wait_for()
    assert email_error.inner_text() == "Cette adresse électronique n’est pas valide."
    assert phone.locator("#err-name").inner_text() == "Ce champ est obligatoire."
    # No profile is chosen for people (a default would count in the summaries).
    assert phone.locator("#err-profile").inner_text() == "Ce champ est obligatoire."
    for field in ("#reg-name", "#reg-email", "#reg-profile"):
        assert phone.get_attribute(field, "aria-invalid") == "true"
    assert "err-email" in phone.get_attribute("#reg-email", "aria-describedby")
    assert phone.locator("#register-error").inner_text() == (
        "Veuillez corriger les champs signalés ci-dessus."
    )
    assert phone.evaluate("document.activeElement.id") == "reg-name"
    shot(phone, "register-errors")

    # An address left empty is missing, not "not valid".
    phone.fill("#reg-email", "")
    phone.click("#register-form button[type=submit]")
    expect(phone.locator("#err-email")).to_have_text("Ce champ est obligatoire.")

    # Corrected, it registers; a second time with the same address, the email is at fault.
    phone.fill("#reg-name", "Élise Fournier")
    phone.fill("#reg-email", "elise.double@example.org")
    phone.select_option("#reg-profile", "elu")
    phone.click("#register-form button[type=submit]")
    phone.wait_for_selector("#register-done:not([hidden])")
    phone.goto(f"{server.url}/events/{programme['slug']}/register")
    phone.fill("#reg-name", "Élise Fournier")
    phone.fill("#reg-email", "Elise.Double@example.org")
    phone.select_option("#reg-profile", "elu")
    phone.click("#register-form button[type=submit]")
    phone.locator(
        "#err-email", has_text="Cette adresse est déjà inscrite à cet événement."
    ).wait_for()
    assert phone.get_attribute("#reg-email", "aria-invalid") == "true"
    assert phone.get_attribute("#reg-name", "aria-invalid") is None
    assert phone.errors == []


def test_without_a_link_the_page_asks_to_join_and_shows_no_part(server, phone):
    session = server.programme()["sessions"][0]
    phone.goto(f"{server.url}/sessions/{session['id']}")
    phone.wait_for_selector("#needs-join:not([hidden])")
    assert not phone.locator("#live-panels").is_visible()
    assert not phone.locator("[data-tabs]").is_visible()
    assert phone.errors == []


# -- the tab bar on small phones ------------------------------------------------------------

#: Each tab's box, its label's and its badge's (null when hidden), in CSS pixels.
TAB_BOXES = """() => [...document.querySelectorAll('#attendee [role=tab]')].map((tab) => {
  const box = (node) => { const r = node.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  const badge = tab.querySelector('[data-tab-badge]');
  return {label: tab.querySelector('.tab-label').textContent.trim(), tab: box(tab),
    text: box(tab.querySelector('.tab-label')), badge: badge.hidden ? null : box(badge),
    overflows: tab.scrollWidth > tab.clientWidth};
})"""


def overlap(a: dict, b: dict) -> bool:
    """Whether two boxes share some area."""
    across = a["left"] < b["right"] and b["left"] < a["right"]
    return across and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def assert_tabs_fit(page, width: int, language: str) -> None:
    tabs = page.evaluate(TAB_BOXES)
    assert len(tabs) == 4
    for tab_ in tabs:
        where = f"{language} at {width} px: {tab_}"
        # The label lies inside its tab (the highlight of the chosen one), whole.
        assert tab_["text"]["left"] >= tab_["tab"]["left"] - 0.5, where
        assert tab_["text"]["right"] <= tab_["tab"]["right"] + 0.5, where
        assert not tab_["overflows"], where
        # A count badge never covers the label.
        assert tab_["badge"] is not None, where
        assert not overlap(tab_["badge"], tab_["text"]), where
        assert tab_["badge"]["right"] <= tab_["tab"]["right"] + 0.5, where
    assert tabs[-1]["tab"]["right"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_tab_labels_and_badges_fit_on_small_phones_in_french_and_english(
    server, make_client, browser
):
    session = server.programme()["sessions"][0]
    sid = session["id"]
    moderator = make_client(server, server.login())
    moderator.ok("session.start", {"session_id": sid})
    pages = {}
    for language, locale in (("fr", "fr-FR"), ("en", "en-GB")):
        context = browser.new_context(
            locale=locale, viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda exc, page=page: page.errors.append(str(exc)))
        page.goto(registration_link(server, sid, f"Tabs{language}"))
        page.wait_for_function(CONNECTED)
        pages[language] = page
    assert [t.inner_text().strip() for t in pages["fr"].get_by_role("tab").all()] == [
        "Maintenant",
        "Sondages",
        "Questions",
        "Parole",
    ]
    # A poll opens: a real badge on Polls; the other tabs get two-figure counts, the widest.
    poll = moderator.ok(
        "poll.create",
        {"session_id": sid, "kind": "single", "question": "Prêts ?", "options": ["Oui", "Non"]},
    )["poll"]
    moderator.ok("poll.open", {"poll_id": poll["id"]})
    try:
        for language, page in pages.items():
            polls_tab = page.locator("#tab-polls [data-tab-badge]")
            expect(polls_tab).to_be_visible()
            page.evaluate(
                "() => { for (const b of document.querySelectorAll('[data-tab-badge][hidden]')) {"
                " b.hidden = false; b.textContent = '12'; } }"
            )
            for width in (360, 320):
                page.set_viewport_size({"width": width, "height": 740})
                assert_tabs_fit(page, width, language)
                shot(page, f"attendee-tabs-{language}-{width}")
            assert page.errors == []
    finally:
        for page in pages.values():
            page.context.close()


# -- a broken personal link -----------------------------------------------------------------


def test_a_broken_personal_link_is_told_in_plain_words_with_the_way_to_a_new_one(server, browser):
    programme = server.programme()
    sid = programme["sessions"][0]["id"]
    good = registration_link(server, sid, "Broken").split("?t=")[1]
    cases = [
        ("fr-FR", "abc", "Ce lien personnel semble incomplet ou n’est plus valable."),
        ("fr-FR", good[:-6], "Ce lien personnel semble incomplet ou n’est plus valable."),
        ("en-GB", "abc", "This personal link seems incomplete or is no longer valid."),
        ("en-GB", good[: len(good) // 2], "This personal link seems incomplete"),
    ]
    for locale, token, expected in cases:
        context = browser.new_context(
            locale=locale, viewport={"width": 360, "height": 740}, is_mobile=True
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        try:
            page.goto(f"{server.url}/sessions/{sid}?t={token}")
            box = page.locator("#needs-join")
            box.wait_for()
            text = box.inner_text()
            assert expected in text, text
            mail = "courriel d’inscription" if locale == "fr-FR" else "registration mail"
            assert mail in text
            # No validator's words, no jargon.
            for raw in ("registration_token", "jeton", "token", "payload", "Données invalides"):
                assert raw not in text, (raw, text)
            assert not page.locator("[data-join-message]").is_visible()
            # The link goes to the event's "lost link" box, which opens.
            link = box.locator("a[data-lost-link]")
            name = (
                "Recevoir un nouveau lien par courriel" if locale == "fr-FR" else "Get a new link"
            )
            assert name in link.inner_text()
            link.click()
            page.wait_for_url(f"**/events/{programme['slug']}#lost-link")
            assert page.evaluate("document.getElementById('lost-link').open")
            expect(page.locator("#lost-link input[type=email]")).to_be_visible()
        finally:
            context.close()


def test_a_refusal_that_is_not_the_links_fault_keeps_its_own_words(server, phone, make_client):
    """Not registered for a session that has ended: it can no longer be added, so the page
    says the server's own words (not "this link is broken")."""
    programme = server.programme()
    first, second = programme["sessions"][0]["id"], programme["sessions"][1]["id"]
    moderator = make_client(server, server.login())
    moderator.ok("session.start", {"session_id": second})
    moderator.ok("session.end", {"session_id": second})
    token = registration_link(server, first, "Autre").split("?t=")[1]
    phone.goto(f"{server.url}/sessions/{second}?t={token}")
    message = phone.locator("[data-join-message]")
    message.wait_for()
    expect(message).to_have_text(
        "Vous n’êtes pas inscrit·e à cette session. Inscrivez-vous d’abord, puis rejoignez-la."
    )
    assert not phone.locator("[data-join-broken]").is_visible()
    assert not phone.locator("[data-join-add]").is_visible()
    assert phone.errors == []


# -- after the end --------------------------------------------------------------------------


def ended_page_shows_nothing_live(page, now_over: str, now_heading: str, pinned: str) -> None:
    expect(page.locator("[data-now-ended]")).to_contain_text(now_over)
    assert not page.get_by_role("heading", name=now_heading, exact=True).is_visible()
    assert (
        page.locator("[data-agenda-item].is-current, [data-agenda-item][aria-current]").count() == 0
    )
    assert page.locator("[data-qa-list] .qa-item").count() >= 1
    assert page.locator("[data-qa-list] button.qa-vote").count() == 0
    assert page.locator("[data-qa-list] .qa-item.is-pinned").count() == 0
    assert not page.get_by_text(pinned, exact=True).is_visible()
    assert not page.locator("[data-qa-form]").is_visible()


def test_after_the_end_nothing_is_now_nothing_on_screen_nothing_to_upvote(
    server, make_client, new_page
):
    session = server.programme()["sessions"][0]
    sid = session["id"]
    moderator = make_client(server, server.login())
    moderator.ok("session.start", {"session_id": sid})
    moderator.ok(
        "agenda.advance", {"session_id": sid, "agenda_item_id": session["agenda"][0]["id"]}
    )
    asker = make_client(server, server.attendee(sid, "Hugo"))
    question = asker.ok(
        "question.submit", {"session_id": sid, "client_id": "q1", "text": "Comment évaluer ?"}
    )["question"]
    moderator.ok("question.moderate", {"question_id": question["id"], "action": "pin"})

    laptop = new_page(locale="en-GB")
    laptop.set_viewport_size({"width": 1280, "height": 800})
    link = registration_link(server, sid, "Ada")
    laptop.goto(link)
    laptop.wait_for_function(CONNECTED)
    # Live: the item under way, the pinned question on screen, an upvote to give.
    expect(laptop.locator(".now-card [data-current-item]")).to_have_text(
        session["agenda"][0]["title"]
    )
    expect(laptop.get_by_text("On screen now", exact=True)).to_be_visible()
    expect(laptop.locator("[data-qa-list] button.qa-vote")).to_have_count(1)
    assert not laptop.locator("[data-now-ended]").is_visible()

    # The moderator ends the session: the page follows at once.
    moderator.ok("session.end", {"session_id": sid})
    laptop.get_by_text("This session has ended").wait_for()
    ended_page_shows_nothing_live(
        laptop, "The session is over", "Now on the agenda", "On screen now"
    )
    shot(laptop, "attendee-ended-laptop")

    # Loaded after the end, in French on a phone: the same, from the first paint on.
    phone = new_page(locale="fr-FR", phone=True)
    phone.goto(registration_link(server, sid, "Lea"))
    assert phone.locator("#attendee").get_attribute("class") == "is-ended"
    phone.wait_for_function(CONNECTED)
    ended_page_shows_nothing_live(phone, "La session est terminée", "Maintenant", "À l’écran")
    phone.locator("#tab-questions").click()
    assert phone.locator("[data-qa-list] .qa-item").is_visible()
    assert phone.locator("[data-qa-list] button").count() == 0
    shot(phone, "attendee-ended-phone")

    # Reopened: the item under way, the pin and the upvote come back.
    moderator.ok("session.reopen", {"session_id": sid})
    expect(laptop.locator("[data-now-live]")).to_be_visible()
    assert not laptop.locator("[data-now-ended]").is_visible()
    expect(laptop.locator("[data-qa-list] button.qa-vote")).to_have_count(1)
    expect(laptop.get_by_text("On screen now", exact=True)).to_be_visible()
    assert laptop.errors == [] and phone.errors == []


# -- word-cloud and open-text polls ---------------------------------------------------------


def test_a_sent_word_cloud_or_text_answer_offers_to_change_it_and_the_polls_tab_ends_the_alert(
    server, make_client, phone
):
    sid = server.programme()["sessions"][0]["id"]
    moderator = make_client(server, server.login())
    moderator.ok("session.start", {"session_id": sid})
    phone.goto(registration_link(server, sid, "Mots"))
    phone.wait_for_function(CONNECTED)
    tab(phone, "Questions").click()

    cloud = moderator.ok(
        "poll.create",
        {"session_id": sid, "kind": "wordcloud", "question": "En un mot, l’expérimentation…"},
    )["poll"]
    moderator.ok("poll.open", {"poll_id": cloud["id"]})
    alert_box = phone.locator("[data-poll-alert-box]")
    expect(alert_box).to_be_visible()
    # Opening the Polls tab shows the poll: the alert above it goes.
    tab(phone, "Sondages").click()
    expect(alert_box).to_be_hidden()
    card = poll_card(phone, "En un mot, l’expérimentation…")
    send = card.locator("button[type=submit]")
    expect(send).to_have_text("Envoyer ma réponse")
    for i, word in enumerate(("tâtonner", "essayer")):
        card.locator("input").nth(i).fill(word)
    send.click()
    card.locator("[role=status]", has_text="Votre réponse est enregistrée").wait_for()
    expect(send).to_have_text("Modifier ma réponse")
    shot(phone, "attendee-words-sent")

    # A poll opened while on the Polls tab alerts (the person may be further down)...
    text_poll = moderator.ok(
        "poll.create", {"session_id": sid, "kind": "open", "question": "Une idée pour la suite ?"}
    )["poll"]
    moderator.ok("poll.open", {"poll_id": text_poll["id"]})
    expect(alert_box).to_contain_text("Une idée pour la suite ?")
    # ...until the person comes back to the tab.
    tab(phone, "Maintenant").click()
    tab(phone, "Sondages").click()
    expect(alert_box).to_be_hidden()
    text_card = poll_card(phone, "Une idée pour la suite ?")
    text_card.locator("textarea").fill("Un réseau régional")
    text_card.locator("button[type=submit]").click()
    text_card.locator("[role=status]", has_text="Votre réponse est enregistrée").wait_for()
    expect(text_card.locator("button[type=submit]")).to_have_text("Modifier ma réponse")
    # The answer changed: still "Change my answer", and the change is recorded.
    text_card.locator("textarea").fill("Un réseau régional des porteurs")
    text_card.locator("button[type=submit]").click()
    expect(text_card.locator("button[type=submit]")).to_have_text("Modifier ma réponse")
    assert phone.errors == []


# -- the registration's confirmation --------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "choose_one", "keep", "mailed", "not_shown"),
    [
        (
            "fr-FR",
            False,
            "Conservez ces liens personnels\u00a0: chacun vous permet de rejoindre l’une de vos sessions.",
            "Nous vous les avons aussi envoyés par courriel",
            "Conservez ce lien personnel",
        ),
        (
            "en-GB",
            True,
            "Keep this personal link: it lets you join your session.",
            "We have also mailed it to you",
            "Keep these personal links",
        ),
    ],
)
def test_the_confirmation_says_link_or_links_as_it_shows_them(
    server, new_page, locale, choose_one, keep, mailed, not_shown
):
    programme = server.programme()
    page = new_page(locale=locale, phone=True)
    page.goto(f"{server.url}/events/{programme['slug']}/register")
    page.fill("#reg-name", "Élise Fournier")
    page.fill("#reg-email", f"elise.{locale}@example.org")
    page.select_option("#reg-profile", "porteur_projet")
    boxes = page.locator("input[name=session_ids]")
    if choose_one:
        for i in range(1, boxes.count()):
            boxes.nth(i).uncheck()
    page.click("#register-form button[type=submit]")
    done = page.locator("#register-done")
    done.wait_for()
    links = done.locator("#register-links a")
    assert links.count() == (1 if choose_one else len(programme["sessions"]))
    text = done.inner_text()
    assert keep in text and mailed in text, text
    assert not_shown not in text, text
    shot(page, f"register-done-{locale}")
    assert page.errors == []

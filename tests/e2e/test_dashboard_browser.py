"""The facilitator's dashboard in a real browser: figures, a preview, a download; refusals."""

from __future__ import annotations

import json
import os
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    DEMO_FACILITATOR,
    DEMO_MODERATOR,
    run_command,
    staff_login_in_browser,
)

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
    # The session's evaluation: three ratings, a mean of 2.67.
    rating = moderator.ok(
        "poll.create",
        {
            "session_id": session["id"],
            "kind": "rating",
            "question": "Cette session vous a-t-elle été utile ?",
            "settings": {"scale": {"min": 1, "max": 5}},
        },
    )["poll"]
    moderator.ok("poll.open", {"poll_id": rating["id"]})
    raters = [attendee] + [
        make_client(server, server.attendee(session["id"], name)) for name in ("Chloé", "Dario")
    ]
    for n, (person, value) in enumerate(zip(raters, (2, 3, 3), strict=True)):
        person.ok(
            "poll.vote",
            {"poll_id": rating["id"], "client_id": f"d-{n}", "answer": {"value": value}},
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
    assert figures["questions asked"] == "1" and figures["joined"] == "3"
    assert figures["Evaluation (mean)"] == "2.67"
    assert card.locator("[data-status]").inner_text() == "Live"
    status = page.locator("[data-event-status]").inner_text()
    assert status == "Provisional: 0 of 4 sessions have ended."

    card.locator("[data-preview]").click()
    card.locator(".dash-people").wait_for()
    assert card.locator("[data-preview]").get_attribute("aria-expanded") == "true"
    # Nobody had the floor yet: the programme's speakers are listed apart, as planned.
    people = card.locator(".dash-people").inner_text()
    assert "Planned, did not take the floor" in people and "Mylène Thou" in people

    with page.expect_download() as info:
        card.locator("[data-download='session'][data-format='json']").click()
    download = info.value
    assert download.suggested_filename.endswith("-summary.json")
    with open(download.path(), encoding="utf-8") as handle:
        assert json.load(handle)["participation"]["questions"] == 1
    assert page.errors == []

    # French writes its decimals with a comma, as the documents do.
    french = new_page(locale="fr-FR")
    staff_login_in_browser(french, server, who=DEMO_FACILITATOR, next_path=path)
    card = french.locator(f"[data-session-id='{session['id']}']")
    card.locator("[data-figures] .dash-figure").first.wait_for()
    expect(card.locator("[data-figures] .dash-figure").last.locator("dd")).to_have_text("2,67")
    card.locator("[data-preview]").click()
    expect(card.locator(".dash-poll .hint").last).to_contain_text("moyenne 2,67")

    # The workspace's menu: back to the events, the staff, and a way to log out.
    menu = french.get_by_role("navigation", name="Espace de travail")
    expect(menu.get_by_role("link")).to_have_text(["Événements", "Équipe"])
    menu.get_by_role("button", name="Se déconnecter").click()
    french.wait_for_url(re.compile(r"/login$"))


# Everything the API keeps for facilitators (summaries, synthesis, retention, purge, mailing).
FACILITATOR_CONTROLS = (
    "[data-download], [data-preview], [data-mail-open], [data-retention-form] button, "
    "[data-purge-open], [data-figures]"
)


def test_a_moderator_is_told_the_dashboard_is_for_facilitators(server, new_page):
    page = new_page(locale="fr-FR")
    path = f"/dashboard/{server.programme()['slug']}"
    staff_login_in_browser(page, server, who=DEMO_MODERATOR, next_path=path)
    error = page.locator("[data-dash-error]")
    error.wait_for()
    assert "Seule l’équipe d’animation" in error.inner_text()
    # Only what a moderator may use is offered: each session's console, nothing that would fail.
    expect(page.locator("[data-dash-not-facilitator]")).to_be_visible()
    expect(page.locator(".dash-session a.button", has_text="Console")).to_have_count(4)
    for control in page.locator(FACILITATOR_CONTROLS).all():
        expect(control).to_be_hidden()
    # Of the workspace's menu, only "Log out": the events and the staff pages would refuse them.
    menu = page.get_by_role("navigation", name="Espace de travail")
    expect(menu.get_by_role("link")).to_have_count(0)
    expect(menu.get_by_role("button", name="Se déconnecter")).to_be_visible()
    assert page.errors == []


def test_a_stale_facilitator_login_loses_the_controls_with_their_reason(server, new_page):
    programme = server.programme()
    path = f"/dashboard/{programme['slug']}"
    # The browser remembers a facilitator; the server now says moderator.
    page = new_page(locale="fr-FR")
    staff_login_in_browser(page, server, who=DEMO_MODERATOR, next_path=path)
    page.evaluate(
        """() => { const s = JSON.parse(localStorage.getItem('companion:staff'));
                   s.role = 'facilitator'; localStorage.setItem('companion:staff', JSON.stringify(s)); }"""
    )
    page.reload()
    expect(page.locator("[data-dash-error]")).to_contain_text("Seule l’équipe d’animation")
    for control in page.locator(FACILITATOR_CONTROLS).all():
        expect(control).to_be_hidden()
    stored = page.evaluate("() => JSON.parse(localStorage.getItem('companion:staff')).role")
    assert stored == "moderator"

    # A facilitator refused on the way (the role taken away meanwhile) is told, where they look.
    second = ("seconde.animatrice@demo.companion", "une-phrase-de-passe-longue")
    run_command(
        server.env, "create-staff", "--email", second[0], "--password", second[1],
        "--role", "facilitator",
    )  # fmt: skip
    page = new_page(locale="fr-FR")
    staff_login_in_browser(page, server, who=second, next_path=path)
    last = page.locator(f"[data-session-id='{programme['sessions'][-1]['id']}']")
    last.locator("[data-figures] .dash-figure").first.wait_for()
    admin = server.login(DEMO_FACILITATOR)
    staff = server.api("/staff", token=admin).json()["staff"]
    member = next(m for m in staff if m["email"] == second[0])
    demoted = server.api(f"/staff/{member['id']}", "PATCH", {"role": "moderator"}, token=admin)
    assert demoted.status_code == 200, demoted.text
    last.locator("[data-download='session'][data-format='json']").click()
    error = page.locator("[data-dash-error]")
    expect(error).to_contain_text("Seule l’équipe d’animation")
    expect(error).to_be_in_viewport()
    for control in page.locator(FACILITATOR_CONTROLS).all():
        expect(control).to_be_hidden()
    # Of the workspace's menu, only "Log out": the events and the staff pages would refuse them.
    menu = page.get_by_role("navigation", name="Espace de travail")
    expect(menu.get_by_role("link")).to_have_count(0)
    expect(menu.get_by_role("button", name="Se déconnecter")).to_be_visible()
    assert page.errors == []


SIGNATURES = {
    "pdf": lambda data: data.startswith(b"%PDF"),
    "xlsx": lambda data: data.startswith(b"PK"),
    "csv": lambda data: data.startswith(b"\xef\xbb\xbf"),
    "json": lambda data: json.loads(data)["schema_version"] == 1,
    "html": lambda data: data.lstrip().lower().startswith(b"<!doctype html>"),
    "md": lambda data: data.startswith(b"# "),
}


def shot(page, name: str) -> None:
    folder = os.environ.get("COMPANION_TEST_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_after_a_session_the_facilitator_downloads_every_format_and_acts(
    server, make_client, new_page
):
    programme = server.programme()
    session = programme["sessions"][0]
    sid = session["id"]
    moderator = make_client(server, server.login())
    moderator.ok("session.start", {"session_id": sid})
    for n, text in enumerate(
        [
            "Comment financer les tiers-lieux en milieu rural ?",
            "Quel modèle économique pour les tiers-lieux ?",
            "Comment évaluer l'impact social d'une expérimentation ?",
        ]
    ):
        attendee = make_client(server, server.attendee(sid, f"Personne {n}"))
        attendee.ok("session.join", {"session_id": sid})
        attendee.ok("question.submit", {"session_id": sid, "client_id": f"d{n}", "text": text})
    moderator.ok("session.end", {"session_id": sid})

    page = new_page(locale="fr-FR")
    path = f"/dashboard/{programme['slug']}"
    staff_login_in_browser(page, server, who=DEMO_FACILITATOR, next_path=path)
    card = page.locator(f"[data-session-id='{sid}']")
    card.locator("[data-figures] .dash-figure").first.wait_for()
    status = page.locator("[data-event-status]").inner_text()
    assert (
        status == "Provisoire\u00a0: 1 session terminée sur 4."
    )  # the plural through the catalogue

    # Every format of the session's summary and of the event's synthesis.
    buttons = [card.locator(f"[data-download='session'][data-format='{f}']") for f in SIGNATURES]
    buttons += [
        page.locator(f"[data-download='event'][data-format='{f}']")
        for f in ("md", "html", "pdf", "json", "xlsx")
    ]
    names = []
    for button in buttons:
        with page.expect_download() as info:
            button.click()
        download = info.value
        fmt = download.suggested_filename.rsplit(".", 1)[1]
        with open(download.path(), "rb") as handle:
            data = handle.read()
        assert SIGNATURES[fmt](data), download.suggested_filename
        names.append(download.suggested_filename)
    assert len(set(names)) == 11
    # Named in the documents' language (French here), in ASCII.
    assert next(n for n in names if n.endswith(".csv")).endswith("-compte-rendu.csv")
    assert next(n for n in names if n.endswith(".pdf") and "synthese" in n).endswith(
        "-synthese.pdf"
    )

    # The summary mail: previewed, confirmed, queued in the outbox for the three registrants.
    card.locator("[data-mail-open]").click()
    box = card.locator("[data-mail-box]")
    box.locator("pre").wait_for()
    assert "Compte rendu de «\u00a0" in box.inner_text() and "Bonjour" in box.inner_text()
    shot(page, "dashboard-mail-laptop")
    box.get_by_role("button", name="Envoyer maintenant").click()
    expect(box.locator(".dash-done")).to_contain_text("Le compte rendu part vers les inscrit·es.")
    expect(box.locator(".dash-record li").first).to_contain_text("par Animateur démo à 4 personnes")

    # Retention: a delay saved, then the purge confirmed by typing the event's short name.
    retention = page.locator("[data-retention-card]")
    retention.locator("[data-retention-days]").fill("30")
    retention.get_by_role("button", name="Enregistrer la durée").click()
    expect(retention.locator("[data-retention]")).to_contain_text("30 jours")
    retention.locator("[data-purge-open]").click()
    retention.locator("[data-purge-slug]").fill(programme["slug"])
    retention.locator("[data-purge-do]").click()
    expect(retention.locator("[data-retention]")).to_contain_text("purgées")
    record = retention.locator("[data-purges] li").first
    expect(record).to_contain_text("inscriptions effacées")
    assert "Animateur démo" in record.inner_text()  # who purged, on record
    shot(page, "dashboard-laptop")
    assert page.errors == []

    phone = new_page(locale="fr-FR", phone=True)
    staff_login_in_browser(phone, server, who=DEMO_FACILITATOR, next_path=path)
    phone.locator("[data-figures] .dash-figure").first.wait_for()
    shot(phone, "dashboard-phone")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 362, width  # nothing wider than the phone's screen

"""The attendee page survives the death of its process by itself.

Two processes behind a balancer; the page's process is killed with -9. A question typed while
the page is cut off waits in the page's outbox, goes out once it has reconnected to the other
process (same client_id: never twice), and the page resyncs what it missed.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.balancer import Balancer

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.xdist_group("crowd")]

CONNECTED = (
    "() => document.querySelector('#attendee [data-conn-status]').dataset.state === 'connected'"
)


def test_the_page_reconnects_resends_and_resyncs_after_kill_9(cluster, make_client, new_page):
    doomed, survivor = cluster
    balancer = Balancer([doomed.port, survivor.port])
    try:
        programme = survivor.programme()
        session = programme["sessions"][0]
        moderator = make_client(survivor, survivor.login())
        moderator.ok("session.join", {"session_id": session["id"]})
        moderator.ok("session.start", {"session_id": session["id"]})
        registration = survivor.api(
            f"/events/{programme['slug']}/registrations",
            "POST",
            {"name": "Inès Caron", "email": "ines@example.org", "session_ids": [session["id"]]},
        ).json()

        page = new_page(phone=True)
        page.goto(f"{balancer.url}/sessions/{session['id']}?t={registration['token']}")
        page.wait_for_function(CONNECTED)

        doomed.kill()  # the page's process dies
        page.wait_for_function(
            "() => document.querySelector('#attendee [data-conn-status]').dataset.state !== 'connected'"
        )
        typed = "Comment garder la trace des essais ratés ?"
        page.get_by_role("tab", name="Questions").click()  # a phone shows one part at a time
        page.fill("#qa-text", typed)
        page.click("[data-qa-submit]")  # while cut off: kept in the outbox

        item = session["agenda"][6]
        moderator.ok("agenda.advance", {"session_id": session["id"], "agenda_item_id": item["id"]})

        page.wait_for_function(CONNECTED, timeout=30_000)
        page.wait_for_function(
            "title => document.querySelector('.now-card [data-current-item]').textContent === title",
            arg=item["title"],
            timeout=15_000,
        )
        page.wait_for_function(
            "text => [...document.querySelectorAll('[data-qa-list] li')]"
            ".some(li => li.textContent.includes(text))",
            arg=typed,
            timeout=15_000,
        )
        engine = create_engine(survivor.env["COMPANION_DATABASE_URL"])
        with engine.connect() as db:
            stored = db.execute(
                text("SELECT count(*) FROM questions WHERE text = :t"), {"t": typed}
            ).scalar()
        engine.dispose()
        assert stored == 1
        assert page.errors == []
    finally:
        balancer.close()

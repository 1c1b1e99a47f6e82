"""Two server processes on PostgreSQL share one outbox: every mail arrives exactly once."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from sqlalchemy import create_engine, text

from tests.mail.helpers import links
from tests.mail.smtp import SmtpServer

pytestmark = [pytest.mark.e2e]
PUBLIC = "https://companion.example.org"


def test_two_processes_send_each_mail_exactly_once(cluster_on):
    smtp = SmtpServer().start()
    try:
        first, second = cluster_on(
            COMPANION_SMTP_URL=smtp.url,
            COMPANION_MAIL_INTERVAL="0.1",
            COMPANION_PUBLIC_URL=PUBLIC,
            COMPANION_MAIL_FROM="Companion <noreply@companion.example.org>",
        )
        assert "Mail: sent through SMTP smtp://127.0.0.1" in first.output()
        programme = first.programme()
        slug = programme["slug"]
        session_ids = [s["id"] for s in programme["sessions"]]
        people = 24
        for i in range(people):
            server = (first, second)[i % 2]
            response = server.api(
                f"/events/{slug}/registrations",
                "POST",
                {
                    "name": f"Personne {i}",
                    "email": f"p{i}@example.org",
                    "session_ids": session_ids[: 1 + i % 4],
                },
            )
            assert response.status_code == 201, response.text
        # Some lose their link, and ask either process.
        for i in range(0, people, 3):
            server = (second, first)[i % 2]
            response = server.api(
                f"/events/{slug}/registrations/recover", "POST", {"email": f"p{i}@example.org"}
            )
            assert response.status_code == 202
        expected = people + len(range(0, people, 3)) + 1  # + the demo attendee of init-demo
        smtp.inbox.wait_for(expected, timeout=30)
        time.sleep(1.0)  # ten more rounds of both senders: nothing else may arrive
        received = Counter((m["To"], m["Subject"].split(":")[0]) for _, _, m in smtp.inbox.messages)
        assert len(smtp.inbox.messages) == expected
        assert all(count == 1 for count in received.values()), received.most_common(3)

        mail = smtp.inbox.to("p5@example.org")[0]
        personal = [link for link in links(mail) if "/sessions/" in link]
        assert len(personal) == 2 and all(link.startswith(PUBLIC) for link in personal)

        engine = create_engine(first.env["COMPANION_DATABASE_URL"])
        with engine.connect() as conn:
            states = dict(
                conn.execute(text("SELECT state, count(*) FROM mail_outbox GROUP BY state")).all()
            )
        engine.dispose()
        assert states == {"sent": expected}
        # Each was sent by one process only, whichever claimed it first.
        sent_lines = [
            line
            for server in (first, second)
            for line in server.output().splitlines()
            if "companion.mail.sender: mail" in line and line.endswith(" sent")
        ]
        assert len(sent_lines) == expected
    finally:
        smtp.stop()

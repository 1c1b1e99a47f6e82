"""The sender: an SMTP outage loses nothing and sends once; claims; .eml files without SMTP."""

from __future__ import annotations

from datetime import timedelta

from companion.core.timeutil import utcnow
from companion.extensions import db
from companion.mail.models import OutboxMessage
from companion.mail.sender import deliver_due
from companion.mail.transport import FileTransport
from tests.mail.helpers import outbox_count


def _register(http, event, email="paul@example.org"):
    response = http.post(
        f"/api/v1/events/{event.slug}/registrations",
        json={"name": "Paul", "email": email, "session_ids": [event.sessions[0].id]},
    )
    assert response.status_code == 201


def test_smtp_down_for_30_seconds_the_mail_arrives_after_once(http, event, smtp):
    smtp.stop()  # the server is down; its port stays ours
    _register(http, event)
    t0 = utcnow()
    assert deliver_due(t0) == 0
    row = db.session.scalar(db.select(OutboxMessage))
    assert (row.state, row.attempts) == ("pending", 1)
    assert "Connection" in row.last_error or "refused" in row.last_error
    assert deliver_due(t0 + timedelta(seconds=10)) == 0  # backing off: not retried yet
    assert row.attempts == 1

    smtp.start()  # back after 30 s (of the test's clock)
    assert deliver_due(t0 + timedelta(seconds=31)) == 1
    assert deliver_due(t0 + timedelta(seconds=120)) == 0
    assert len(smtp.inbox.to("paul@example.org")) == 1
    db.session.refresh(row)
    assert (row.state, row.attempts) == ("sent", 2)


def test_a_claimed_message_is_left_alone_by_another_sender(http, event, smtp):
    from companion.mail.sender import claim_due

    _register(http, event)
    now = utcnow()
    assert len(claim_due(now)) == 1
    # Another process looking now finds nothing: the claim holds until its lease ends.
    assert claim_due(now) == []
    assert deliver_due(now) == 0
    assert smtp.inbox.messages == []
    # A sender that died mid-way lets its lease run out: the message goes out then, once.
    later = now + timedelta(minutes=6)
    assert deliver_due(later) == 1
    assert deliver_due(later) == 0


def test_a_permanent_refusal_is_not_retried(http, event, smtp):
    async def refuse(server, session, envelope, address, rcpt_options):
        return "550 No such user here"

    smtp.inbox.handle_RCPT = refuse
    _register(http, event)
    assert deliver_due() == 0
    row = db.session.scalar(db.select(OutboxMessage))
    assert row.state == "failed" and "550" in row.last_error
    assert deliver_due(utcnow() + timedelta(hours=2)) == 0


def test_without_smtp_mails_are_eml_files(http, event, app, tmp_path):
    config = app.config["COMPANION"]
    config.smtp_url = ""
    folder = tmp_path / "outbox"
    _register(http, event)
    assert deliver_due(via=FileTransport(folder)) == 1
    [written] = list(folder.iterdir())
    assert written.name == "000001-registration.eml"
    assert "Content-Type: text/calendar" in written.read_text(encoding="utf-8")
    assert outbox_count(state="sent") == 1


def test_finished_mails_are_pruned_and_purged_registrations_take_theirs(http, event, smtp):
    from companion.mail.sender import prune_outbox
    from companion.summaries.retention import purge_event

    _register(http, event, "kept@example.org")
    _register(http, event, "old@example.org")
    now = utcnow()
    assert deliver_due(now) == 2
    assert prune_outbox(now + timedelta(days=29)) == 0
    assert prune_outbox(now + timedelta(days=31)) == 2
    _register(http, event, "purged@example.org")
    assert outbox_count(state="pending") == 1
    purge_event(event, force=True)
    db.session.commit()
    assert prune_outbox(utcnow()) == 1  # its name and links are in the message: gone too
    assert outbox_count() == 0


def test_no_transaction_is_open_while_a_message_travels(http, event, smtp):
    from companion.mail.transport import SmtpTransport

    seen = []

    class Watched(SmtpTransport):
        def send(self, sender, recipient, message):
            # SQLite has one connection per process: holding it through SMTP would stall pages.
            seen.append(db.session().in_transaction())
            super().send(sender, recipient, message)

    _register(http, event, "a@example.org")
    _register(http, event, "b@example.org")
    assert deliver_due(via=Watched(smtp.url)) == 2
    assert seen == [False, False]
    assert len(smtp.inbox.messages) == 2


def test_a_round_sends_every_due_mail_not_just_one_batch(app, smtp):
    """A burst of registrations is mailed in one round, not fifty messages every few seconds."""
    from email.message import EmailMessage

    from companion.mail.sender import BATCH, run_once
    from companion.mail.service import enqueue

    for n in range(BATCH + 12):
        message = EmailMessage()
        message["To"], message["Subject"] = f"p{n}@example.org", "Bienvenue"
        message["From"] = "companion@example.org"
        message.set_content("Votre lien personnel.")
        enqueue("registration", message)
    db.session.commit()
    assert run_once() == BATCH + 12
    assert outbox_count(state="pending") == 0
    assert len(smtp.inbox.messages) == BATCH + 12
    assert run_once() == 0

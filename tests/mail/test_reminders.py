"""Reminders before each session a person registered for, on a clock the test drives."""

from __future__ import annotations

from datetime import timedelta

import pytest

from companion.core.timeutil import utcnow
from companion.extensions import db
from companion.mail.models import OutboxMessage
from companion.mail.sender import deliver_due, queue_due_reminders
from companion.participants.models import Registration
from companion.programme import service as programme
from tests.mail.helpers import links, outbox_count, text_part


@pytest.fixture
def upcoming(event):
    """The first session moved two days ahead (people register weeks before)."""
    session = event.sessions[0]
    session.starts_at = utcnow() + timedelta(days=2)
    session.ends_at = session.starts_at + timedelta(hours=2)
    db.session.commit()
    return session


def _register(http, event, session_ids, email):
    response = http.post(
        f"/api/v1/events/{event.slug}/registrations",
        json={"name": email.split("@")[0], "email": email, "session_ids": session_ids},
    )
    assert response.status_code == 201
    return response.get_json()


def test_each_reminder_fires_once_at_its_time(http, event, upcoming, smtp):
    _register(http, event, [upcoming.id], "ana@example.org")
    _register(http, event, [event.sessions[1].id], "other-session@example.org")
    deliver_due()  # the confirmations
    start = upcoming.starts_at

    assert queue_due_reminders(start - timedelta(hours=25)) == 0
    day_before = start - timedelta(hours=23, minutes=59)
    assert queue_due_reminders(day_before) == 1
    assert queue_due_reminders(day_before + timedelta(minutes=1)) == 0  # once
    assert deliver_due(day_before) == 1
    [_, reminder] = smtp.inbox.to("ana@example.org")
    # French's no-break spaces reach the inbox: « : » and « » » never wrap away from their word.
    assert reminder["Subject"].startswith("Rappel\u00a0: «\u00a0L’expérimentation")
    assert "\u00a0» commence dans 24 heures" in reminder["Subject"]
    assert any(f"/sessions/{upcoming.id}?t=" in link for link in links(reminder))

    quarter = start - timedelta(minutes=14)
    assert queue_due_reminders(quarter) == 1
    assert queue_due_reminders(quarter) == 0
    assert deliver_due(quarter) == 1
    assert "dans 15 minutes" in smtp.inbox.to("ana@example.org")[-1]["Subject"]
    assert smtp.inbox.to("other-session@example.org")[1:] == []
    assert outbox_count(kind="reminder") == 2


def test_a_restart_does_not_send_them_again(http, event, upcoming, config):
    from companion import create_app

    _register(http, event, [upcoming.id], "ana@example.org")
    moment = upcoming.starts_at - timedelta(hours=20)
    assert queue_due_reminders(moment) == 1
    db.session.remove()
    restarted = create_app(config)  # another process, or the same one after a restart
    with restarted.app_context():
        assert queue_due_reminders(moment + timedelta(minutes=5)) == 0
        db.session.remove()
    assert outbox_count(kind="reminder") == 1


def test_no_reminder_once_the_session_has_started(http, event, upcoming, moderator, smtp):
    _register(http, event, [upcoming.id], "ana@example.org")
    moment = upcoming.starts_at - timedelta(minutes=10)
    programme.start_session(upcoming, actor=moderator)
    db.session.commit()
    assert queue_due_reminders(moment) == 0
    assert queue_due_reminders(upcoming.starts_at + timedelta(minutes=1)) == 0


def test_a_queued_reminder_left_unsent_past_the_start_expires(http, event, upcoming, smtp):
    _register(http, event, [upcoming.id], "ana@example.org")
    deliver_due()
    assert queue_due_reminders(upcoming.starts_at - timedelta(minutes=5)) == 1
    assert deliver_due(upcoming.starts_at + timedelta(minutes=1)) == 0  # too late to remind
    row = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.kind == "reminder"))
    assert row.state == "expired"
    assert len(smtp.inbox.to("ana@example.org")) == 1  # the confirmation only


def test_no_reminder_for_a_removed_registration(http, event, upcoming, smtp):
    _register(http, event, [upcoming.id], "ana@example.org")
    _register(http, event, [upcoming.id], "gone@example.org")
    deliver_due()
    assert queue_due_reminders(upcoming.starts_at - timedelta(hours=23)) == 2
    gone = db.session.scalar(
        db.select(Registration).where(Registration.email == "gone@example.org")
    )
    db.session.delete(gone)  # removed by the organisers: its unsent mails go with it
    db.session.commit()
    assert outbox_count(kind="reminder") == 1
    assert queue_due_reminders(upcoming.starts_at - timedelta(minutes=10)) == 1
    deliver_due(upcoming.starts_at - timedelta(minutes=10))
    assert len(smtp.inbox.to("gone@example.org")) == 1  # the confirmation only
    assert "commence dans 15 minutes" in text_part(smtp.inbox.to("ana@example.org")[-1])


def test_a_late_registration_skips_the_reminder_whose_time_had_passed(http, event, upcoming):
    upcoming.starts_at = utcnow() + timedelta(hours=3)
    upcoming.ends_at = upcoming.starts_at + timedelta(hours=2)
    db.session.commit()
    _register(http, event, [upcoming.id], "late@example.org")
    # Its 24 h reminder's moment came before the registration: the confirmation says it all.
    assert queue_due_reminders(upcoming.starts_at - timedelta(hours=2)) == 0
    assert queue_due_reminders(upcoming.starts_at - timedelta(minutes=15)) == 1

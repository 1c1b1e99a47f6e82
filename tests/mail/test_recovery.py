"""A lost link mailed again, a staff password reset: same answer for any address."""

from __future__ import annotations

from companion.extensions import db
from companion.mail.sender import deliver_due
from companion.participants.service import create_staff
from companion.participants.tokens import staff_from_password_token
from tests.conftest import make_config
from tests.mail.helpers import calendar, links, outbox_count, path_of, token_of


def _register(http, event, session_ids, email="lea@example.org"):
    response = http.post(
        f"/api/v1/events/{event.slug}/registrations",
        json={"name": "Léa", "email": email, "session_ids": session_ids},
    )
    assert response.status_code == 201
    return response.get_json()


def test_a_lost_link_is_mailed_again(http, event, smtp):
    second = event.sessions[1]
    _register(http, event, [second.id])
    deliver_due()
    response = http.post(
        f"/api/v1/events/{event.slug}/registrations/recover", json={"email": " LEA@example.org "}
    )
    assert response.status_code == 202
    assert outbox_count(kind="lost_link") == 1
    assert deliver_due() == 1
    [_, mail] = smtp.inbox.to("lea@example.org")
    assert mail["Subject"].startswith("Votre lien personnel")
    [link] = [link for link in links(mail) if "/sessions/" in link]
    assert path_of(link).startswith(f"/sessions/{second.id}?t=")
    joined = http.post(
        f"/api/v1/sessions/{second.id}/join", json={"registration_token": token_of(link)}
    )
    assert joined.status_code == 200
    assert len(list(calendar(mail).walk("VEVENT"))) == 1


def test_an_unknown_address_gets_the_same_answer_and_no_mail(http, event, smtp):
    _register(http, event, [event.sessions[0].id])
    url = f"/api/v1/events/{event.slug}/registrations/recover"
    known = http.post(url, json={"email": "lea@example.org"})
    unknown = http.post(url, json={"email": "nobody@example.org"})
    assert (unknown.status_code, unknown.get_json()) == (known.status_code, known.get_json())
    assert outbox_count(kind="lost_link") == 1
    deliver_due()
    assert smtp.inbox.to("nobody@example.org") == []


def test_asking_again_at_once_sends_one_mail(http, event, smtp):
    _register(http, event, [event.sessions[0].id])
    url = f"/api/v1/events/{event.slug}/registrations/recover"
    for _ in range(3):
        assert http.post(url, json={"email": "lea@example.org"}).status_code == 202
    assert outbox_count(kind="lost_link") == 1


def test_recovery_refuses_bad_input_and_changes_nothing(http, event):
    url = f"/api/v1/events/{event.slug}/registrations/recover"
    for body in ({}, {"email": "not an address"}, {"email": "a@example.org", "extra": 1}):
        response = http.post(url, json=body)
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "invalid"
    assert (
        http.post(
            "/api/v1/events/nope/registrations/recover", json={"email": "a@b.org"}
        ).status_code
        == 404
    )
    assert outbox_count() == 0


def test_recovery_is_rate_limited(database_url, smtp):
    from companion import create_app

    app = create_app(make_config(database_url, rate_limits_enabled=True, smtp_url=smtp.url))
    with app.app_context():
        from companion.programme import service
        from tests.conftest import DEMO_PROGRAMME

        event = service.import_programme(DEMO_PROGRAMME.read_text(encoding="utf-8"))
        db.session.commit()
        http = app.test_client()
        url = f"/api/v1/events/{event.slug}/registrations/recover"
        codes = [http.post(url, json={"email": f"x{i}@example.org"}).status_code for i in range(12)]
        assert codes[:10] == [202] * 10
        assert codes[10:] == [429, 429]
        db.session.remove()
        db.engine.dispose()


def test_password_reset_mails_a_set_password_link(http, app, smtp):
    staff = create_staff("marie@example.org", "correct horse battery", "facilitator", "Marie")
    db.session.commit()
    known = http.post(
        "/api/v1/auth/password-reset",
        json={"email": "marie@example.org"},
        headers={"Accept-Language": "en"},
    )
    unknown = http.post(
        "/api/v1/auth/password-reset",
        json={"email": "ghost@example.org"},
        headers={"Accept-Language": "en"},
    )
    assert known.status_code == unknown.status_code == 202
    assert known.get_json() == unknown.get_json()
    again = http.post("/api/v1/auth/password-reset", json={"email": "marie@example.org"})
    assert again.status_code == 202  # asked twice at once: one mail
    assert outbox_count() == 1
    assert deliver_due() == 1
    [mail] = smtp.inbox.to("marie@example.org")
    assert mail["Subject"] == "Choose a new Companion password"
    [link] = links(mail)
    assert link.startswith("https://companion.example.org/password?token=")
    assert staff_from_password_token(token_of(link)).id == staff.id


def test_staff_invitation_is_queued_for_the_workspace(app, smtp):
    from companion.mail.notices import queue_staff_invitation
    from companion.participants.staff import password_link

    staff = create_staff("new@example.org", "provisional-password", "moderator")
    queue_staff_invitation(staff, password_link(staff), language="fr")
    db.session.commit()
    assert deliver_due() == 1
    [mail] = smtp.inbox.to("new@example.org")
    assert mail["Subject"] == "Vous êtes invité·e sur Companion"
    assert "modérateur·rice" in mail.get_body(("plain",)).get_content()


def test_a_staff_invitation_greets_by_name_says_who_invites_and_says_it_was_mailed(
    app, smtp, http, facilitator_token
):
    answer = http.post(
        "/api/v1/staff/invitations?lang=en",
        json={"email": "claire@example.org", "role": "facilitator", "name": "Claire Martin"},
        headers={"Authorization": f"Bearer {facilitator_token}"},
    )
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["mailed"] is True  # a mail server is set up here
    assert deliver_due() == 1
    [mail] = smtp.inbox.to("claire@example.org")
    assert mail["Subject"] == "Facilitator invites you to Companion"
    text = mail.get_body(("plain",)).get_content()
    assert text.startswith("Hello Claire Martin,")
    assert "Facilitator invites you to run webconferences on Companion as facilitator." in text
    assert answer.get_json()["link"] in text

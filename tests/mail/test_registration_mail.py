"""Registration mails through a real SMTP server: confirmation, personal links, .ics."""

from __future__ import annotations

from icalendar import Calendar

from companion.extensions import db
from companion.mail.sender import deliver_due
from companion.participants.models import Registration
from companion.programme.calendar import session_uid
from tests.mail.helpers import (
    calendar,
    html_part,
    links,
    outbox_count,
    path_of,
    text_part,
    token_of,
)

PUBLIC = "https://companion.example.org"


def _register(http, event, session_ids, *, email="elise@example.org", lang="fr-FR,fr;q=0.9"):
    return http.post(
        f"/api/v1/events/{event.slug}/registrations",
        json={"name": "Élise Rivière", "email": email, "session_ids": session_ids},
        headers={"Accept-Language": lang},
    )


def test_confirmation_arrives_with_personal_links_and_only_the_chosen_sessions(http, event, smtp):
    first, _, third, _ = event.sessions
    third.webconference_url = "https://visio.example.org/atelier-3"
    db.session.commit()
    response = _register(http, event, [first.id, third.id])
    assert response.status_code == 201
    # Written in the registration's transaction, before any delivery.
    assert outbox_count(kind="registration", state="pending") == 1
    answer = response.get_json()
    assert all(link.startswith(PUBLIC + "/sessions/") for link in answer["join_links"].values())

    assert deliver_due() == 1
    [mail] = smtp.inbox.to("elise@example.org")
    assert mail.get_content_type() == "multipart/mixed"
    # One line, French's no-break space kept before the colon.
    assert mail["Subject"] == f"Votre inscription\u00a0: {event.title}"
    assert mail["From"].addresses[0].addr_spec == "noreply@companion.example.org"
    assert mail["Reply-To"] == "valorisations.innovations@caprural.org"  # the event's contact
    assert "Bonjour Élise Rivière" in text_part(mail)
    assert "Cap Rural" in text_part(mail) and "Cap Rural" in html_part(mail)
    personal = [link for link in links(mail) if "/sessions/" in link]
    assert [link.split("?")[0] for link in personal] == [
        f"{PUBLIC}/sessions/{first.id}",
        f"{PUBLIC}/sessions/{third.id}",
    ]
    assert "https://visio.example.org/atelier-3" in text_part(mail)
    # Times say their zone: the mail may be read anywhere.
    assert "–12:00 (heure de Paris)" in text_part(mail)
    # (The page and the mail's HTML join the dash to both times: "10:00–" never ends a line.)
    assert "\u2060–\u206012:00 (heure de Paris)" in html_part(mail)

    # The personal link works: its page opens and its token lets the person in.
    page = http.get(path_of(personal[1]))
    assert page.status_code == 200
    joined = http.post(
        f"/api/v1/sessions/{third.id}/join", json={"registration_token": token_of(personal[1])}
    )
    assert joined.status_code == 200

    ics = calendar(mail)
    entries = list(ics.walk("VEVENT"))
    assert [str(e["uid"]) for e in entries] == [
        session_uid(event, first),
        session_uid(event, third),
    ]
    assert [str(e["url"]) for e in entries] == personal
    assert "LOCATION" not in entries[0]
    assert str(entries[1]["location"]) == "https://visio.example.org/atelier-3"
    assert entries[0]["dtstart"].params["TZID"] == "Europe/Paris"
    assert [str(tz["tzid"]) for tz in ics.walk("VTIMEZONE")] == ["Europe/Paris"]

    # Sent once: another round finds nothing to do.
    assert deliver_due() == 0
    assert len(smtp.inbox.messages) == 1
    assert outbox_count(kind="registration", state="sent") == 1


def test_the_mail_is_in_the_registrants_language(http, event, smtp):
    assert _register(http, event, [event.sessions[0].id], lang="en-GB,en").status_code == 201
    deliver_due()
    [mail] = smtp.inbox.to("elise@example.org")
    assert mail["Subject"] == f"Your registration: {event.title}"
    assert mail["Content-Language"] == "en"
    assert "Hello Élise Rivière" in text_part(mail)
    assert db.session.query(Registration).one().language == "en"


def test_a_refused_registration_queues_no_mail(http, event, smtp):
    assert _register(http, event, [event.sessions[0].id]).status_code == 201
    again = _register(http, event, [event.sessions[1].id])
    assert again.status_code == 409
    assert "Lost your personal link" in again.get_json()["error"]["message"] or (
        "perdu" in again.get_json()["error"]["message"]
    )
    wrong = _register(http, event, [999999], email="other@example.org")
    assert wrong.status_code == 400
    assert outbox_count() == 1


def test_the_public_calendar_never_shows_a_webconference_address(http, event):
    event.sessions[0].webconference_url = "https://visio.example.org/secret"
    db.session.commit()
    body = http.get(f"/api/v1/events/{event.slug}/calendar.ics").data
    assert b"visio.example.org" not in body.replace(b"\r\n ", b"")
    entries = list(Calendar.from_ical(body).walk("VEVENT"))
    assert len(entries) == 4
    assert {str(e["url"]) for e in entries} == {f"{PUBLIC}/events/{event.slug}"}
    assert all("LOCATION" not in e for e in entries)

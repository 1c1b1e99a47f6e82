"""The dashboard's actions over HTTP: retention delay, purge, and the summary mailed to
registrants — facilitators only, confirmed, logged, recorded; refusals change nothing."""

from __future__ import annotations

import logging
from email import message_from_string
from email.policy import default as default_policy

import pytest
from sqlalchemy import func, select

from companion.extensions import db
from companion.mail.models import OutboxMessage
from companion.participants.models import Registration
from companion.summaries.models import DataPurge, SummaryMailing

from .test_routes import auth


def retention_url(slug):
    return f"/api/v1/events/{slug}/retention"


def mail_url(session_id):
    return f"/api/v1/sessions/{session_id}/summary-mail"


def kept(event) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == event.id, Registration.purged_at.is_(None)
        )
    )


@pytest.fixture
def ended(first_session, people, connect, moderator_token):
    """The first session with three registrants (two came and asked), run and ended."""
    moderator = connect(moderator_token)
    sid = first_session.id
    moderator.ok("session.join", {"session_id": sid})
    moderator.ok("session.start", {"session_id": sid})
    for n, text in enumerate(
        [
            "Comment financer les tiers-lieux en milieu rural ?",
            "Quel modèle économique pour les tiers-lieux ?",
        ]
    ):
        attendee = connect(people.join(sid, name=f"Personne {n}")["token"])
        attendee.ok("session.join", {"session_id": sid})
        attendee.ok("question.submit", {"session_id": sid, "client_id": f"q{n}", "text": text})
    people.register([sid], name="Absente")
    moderator.ok("session.end", {"session_id": sid})
    return first_session


def test_only_facilitators_act_and_bad_input_changes_nothing(
    http, event, first_session, moderator_token, facilitator_token
):
    before = event.retention_days
    for method, url, body in (
        ("get", retention_url(event.slug), None),
        ("put", retention_url(event.slug), {"retention_days": 30}),
        ("post", f"/api/v1/events/{event.slug}/purge", {"confirm": event.slug}),
        ("get", mail_url(first_session.id), None),
        ("post", mail_url(first_session.id), {"confirm": True}),
    ):
        assert getattr(http, method)(url, json=body).status_code == 401
        response = getattr(http, method)(url, json=body, headers=auth(moderator_token))
        assert response.status_code == 403, url
    headers = auth(facilitator_token)
    for body in ({"retention_days": -1}, {"retention_days": "soon"}, {"days": 3}, {}):
        response = http.put(retention_url(event.slug), json=body, headers=headers)
        assert response.status_code == 400, body
        assert response.get_json()["error"]["code"] == "invalid"
    response = http.post(
        f"/api/v1/events/{event.slug}/purge", json={"confirm": "wrong"}, headers=headers
    )
    assert response.status_code == 400
    response = http.post(mail_url(first_session.id), json={"confirm": False}, headers=headers)
    assert response.status_code == 400
    db.session.expire_all()
    assert event.retention_days == before
    assert db.session.scalar(select(func.count(DataPurge.id))) == 0
    assert db.session.scalar(select(func.count(SummaryMailing.id))) == 0


def test_the_retention_delay_is_set_and_the_purge_is_confirmed_logged_and_recorded(
    http, event, people, facilitator_token, caplog
):
    headers = auth(facilitator_token)
    people.register(name="Camille Martin")
    response = http.put(retention_url(event.slug), json={"retention_days": 30}, headers=headers)
    assert response.status_code == 200
    data = response.get_json()
    assert data["retention"]["retention_days"] == 30 and data["retention"]["due"] is True
    assert data["registrations_kept"] == 1 and data["purges"] == []
    db.session.expire_all()
    assert event.retention_days == 30

    # Alembic's fileConfig (the test databases are migrated in-process) disables the loggers
    # that existed before it ran; a served app configures logging once, at start.
    logging.getLogger("companion.summaries.actions").disabled = False
    caplog.set_level(logging.INFO, logger="companion.summaries.actions")
    response = http.post(
        f"/api/v1/events/{event.slug}/purge", json={"confirm": event.slug}, headers=headers
    )
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert data["registrations_kept"] == 0 and kept(event) == 0
    [record] = data["purges"]
    assert record["by"] == "Facilitator" and record["registrations"] == 1
    assert record["forced"] is False
    assert any(
        r.levelno == logging.INFO and f"event {event.slug} purged by staff" in r.getMessage()
        for r in caplog.records
    ), [r.getMessage() for r in caplog.records]
    # The record stays in view.
    again = http.get(retention_url(event.slug), headers=headers).get_json()
    assert again["purges"] == data["purges"]


def test_a_purge_waits_for_the_delay_unless_forced_and_never_runs_while_live(
    http, event, first_session, people, connect, moderator_token, facilitator_token
):
    headers = auth(facilitator_token)
    people.register(name="Camille Martin")
    http.put(retention_url(event.slug), json={"retention_days": 3650}, headers=headers)
    url = f"/api/v1/events/{event.slug}/purge"
    response = http.post(url, json={"confirm": event.slug}, headers=headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict" and kept(event) == 1
    moderator = connect(moderator_token)
    moderator.ok("session.join", {"session_id": first_session.id})
    moderator.ok("session.start", {"session_id": first_session.id})
    response = http.post(
        url + "?lang=fr",
        json={"confirm": event.slug, "force": True},
        headers={**headers, "Accept-Language": "fr"},
    )
    assert response.status_code == 409 and kept(event) == 1
    assert "en direct" in response.get_json()["error"]["message"]
    moderator.ok("session.end", {"session_id": first_session.id})
    response = http.post(url, json={"confirm": event.slug, "force": True}, headers=headers)
    assert response.status_code == 200 and kept(event) == 0
    assert response.get_json()["purges"][0]["forced"] is True


def test_the_summary_mail_is_previewed_in_both_languages(http, ended, facilitator_token):
    headers = auth(facilitator_token)
    french = http.get(mail_url(ended.id), headers=headers).get_json()
    assert french["final"] is True and french["recipients"] == 3
    assert french["subject"] == f"Compte rendu de «\u00a0{ended.title}\u00a0»"
    assert french["text"].startswith("Bonjour (nom de la personne inscrite),")
    assert "2 personnes ont participé" in french["text"]
    assert "tiers-lieux (2 contributions)" in french["text"]
    english = http.get(mail_url(ended.id) + "?lang=en", headers=headers).get_json()
    assert english["subject"] == f"Summary of “{ended.title}”"
    assert "2 people took part" in english["text"] and "Key themes" in english["text"]
    assert english["mailings"] == []


def test_the_summary_mail_goes_through_the_outbox_once_final(
    http, ended, first_session, event, facilitator_token
):
    headers = auth(facilitator_token)
    response = http.post(mail_url(ended.id), json={"confirm": True, "lang": "en"}, headers=headers)
    assert response.status_code == 201, response.get_json()
    queued = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "session_summary")
    ).all()
    assert len(queued) == 3 and all(m.recipient.endswith("@example.org") for m in queued)
    mails = {m.recipient: message_from_string(m.message, policy=default_policy) for m in queued}
    first = next(m for m in mails.values() if "Personne 0" in m.get_body(("plain",)).get_content())
    assert first["Subject"] == f"Summary of “{ended.title}”"
    assert first.get_body(("plain",)).get_content().startswith("Hello Personne 0,")
    html = first.get_body(("html",)).get_content()
    assert "<li>" in html
    # Read on a phone at its width, not laid out 980 px wide.
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    [record] = response.get_json()["mailings"]
    assert record["recipients"] == 3 and record["by"] == "Facilitator"


def test_a_session_not_ended_is_not_mailed(http, first_session, people, facilitator_token):
    people.register([first_session.id])
    response = http.post(
        mail_url(first_session.id), json={"confirm": True}, headers=auth(facilitator_token)
    )
    assert response.status_code == 409
    assert db.session.scalar(select(func.count(SummaryMailing.id))) == 0

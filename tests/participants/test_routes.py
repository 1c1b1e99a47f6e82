"""Registration, its CSV, joining a session and staff login over HTTP."""

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from companion.extensions import db
from companion.participants.models import Participant, Registration
from companion.programme.models import SessionStatus


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _register(http, event, **body):
    payload = {"name": "Élise", "email": "elise@example.org", "session_ids": [event.sessions[0].id]}
    payload.update(body)
    return http.post(f"/api/v1/events/{event.slug}/registrations", json=payload)


def test_registration_answers_a_token_and_join_links(http, event):
    ids = [s.id for s in event.sessions[:2]]
    response = _register(http, event, session_ids=ids, organisation="Mairie", profile="elu")
    assert response.status_code == 201
    body = response.get_json()
    assert body["registration"]["session_ids"] == ids
    assert set(body["join_links"]) == {str(i) for i in ids}
    assert body["token"] in body["join_links"][str(ids[0])]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"name": ""}, "name"),
        ({"session_ids": []}, "session_ids"),
        ({"session_ids": ["1"]}, "session_ids"),
        ({"profile": "king"}, "profile"),
        ({"admin": True}, "admin"),
    ],
)
def test_bad_registrations_name_the_field_and_store_nothing(http, event, body, field):
    response = _register(http, event, **body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert field in error["message"]
    assert _count(Registration) == 0


def test_sessions_of_another_event_and_duplicates_are_refused(http, event):
    assert _register(http, event, session_ids=[999]).status_code == 400
    assert _register(http, event).status_code == 201
    again = _register(http, event, email="ELISE@example.org")
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "conflict"
    assert _count(Registration) == 1


def test_non_json_and_oversized_bodies_are_clear_errors(http, event):
    url = f"/api/v1/events/{event.slug}/registrations"
    response = http.post(url, data="name=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid"
    response = http.post(url, data="x" * (2 * 1024 * 1024), content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "invalid"
    assert _count(Registration) == 0


def test_joining_needs_a_registration_for_that_session(http, event):
    first, second = event.sessions[:2]
    token = _register(http, event, session_ids=[first.id]).get_json()["token"]
    joined = http.post(f"/api/v1/sessions/{first.id}/join", json={"registration_token": token})
    assert joined.status_code == 200
    assert joined.get_json()["participant"]["session_id"] == first.id
    again = http.post(f"/api/v1/sessions/{first.id}/join", json={"registration_token": token})
    assert again.get_json()["participant"]["id"] == joined.get_json()["participant"]["id"]
    refused = http.post(f"/api/v1/sessions/{second.id}/join", json={"registration_token": token})
    assert refused.status_code == 403
    assert "inscrit" in refused.get_json()["error"]["message"]  # French by default
    assert refused.get_json()["error"]["details"] == {"reason": "not_registered", "may_add": True}
    assert _count(Participant) == 1


def test_a_registration_adds_a_session_when_asked_to_but_not_an_ended_one(http, event):
    first, second, third = event.sessions[:3]
    token = _register(http, event, session_ids=[first.id]).get_json()["token"]
    added = http.post(
        f"/api/v1/sessions/{second.id}/join",
        json={"registration_token": token, "add_session": True},
    )
    assert added.status_code == 200 and added.get_json()["participant"]["registered"] is True
    registration = db.session.scalar(select(Registration))
    db.session.refresh(registration)
    assert registration.session_ids == [first.id, second.id]
    # The same personal link still opens the first session and now the second.
    assert (
        http.post(
            f"/api/v1/sessions/{second.id}/join", json={"registration_token": token}
        ).status_code
        == 200
    )
    third.status = SessionStatus.ENDED
    db.session.commit()
    ended = http.post(
        f"/api/v1/sessions/{third.id}/join", json={"registration_token": token, "add_session": True}
    )
    assert ended.status_code == 403
    assert ended.get_json()["error"]["details"] == {"reason": "not_registered", "may_add": False}
    db.session.refresh(registration)
    assert registration.session_ids == [first.id, second.id]


def test_registration_is_required_by_the_seed_event(http, event):
    session = event.sessions[0]
    response = http.post(f"/api/v1/sessions/{session.id}/join", json={"name": "Anonyme"})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    response = http.post(
        f"/api/v1/sessions/{session.id}/join", json={"name": "X", "code": session.join_code}
    )
    assert response.status_code == 403
    assert _count(Participant) == 0


def test_code_join_where_the_event_allows_it(http, event):
    event.code_join_allowed = True
    event.registration_required = False
    db.session.commit()
    session = event.sessions[0]
    wrong = http.post(f"/api/v1/sessions/{session.id}/join", json={"name": "Zoé", "code": "ZZZZZZ"})
    assert wrong.status_code == 403
    ok = http.post(
        f"/api/v1/sessions/{session.id}/join", json={"name": "Zoé", "code": session.join_code}
    )
    assert ok.status_code == 200
    assert ok.get_json()["participant"]["name"] == "Zoé"


def test_registration_csv_is_for_facilitators(http, event, moderator_token, facilitator_token):
    _register(http, event, name="=HYPERLINK(1)", organisation="Saillans", profile="elu")
    url = f"/api/v1/events/{event.slug}/registrations.csv"
    assert http.get(url).status_code == 401
    assert http.get(url, headers={"Authorization": f"Bearer {moderator_token}"}).status_code == 403
    response = http.get(url, headers={"Authorization": f"Bearer {facilitator_token}"})
    assert response.status_code == 200
    assert response.data.startswith("\ufeff".encode())
    assert response.headers["Content-Disposition"].endswith('-inscriptions.csv"')
    # French, for a French spreadsheet: words, local times, semicolons between columns.
    text = response.data.decode("utf-8-sig")
    assert text.startswith("Nom;Courriel;Structure;Profil;Inscription le;Session 1\u00a0: ")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[1][0] == "'=HYPERLINK(1)"  # a formula typed into a name stays text
    assert rows[1][1:4] == ["elise@example.org", "Saillans", "Élu·e"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", rows[1][4])
    assert rows[1][5:] == ["inscrit·e", "", "", ""]


def test_registration_csv_says_who_came_and_reads_in_english(http, event, facilitator_token):
    ids = [event.sessions[0].id, event.sessions[1].id]
    token = _register(http, event, session_ids=ids).get_json()["token"]
    joined = http.post(f"/api/v1/sessions/{ids[1]}/join", json={"registration_token": token})
    assert joined.status_code == 200, joined.get_json()
    url = f"/api/v1/events/{event.slug}/registrations.csv?lang=en"
    response = http.get(url, headers={"Authorization": f"Bearer {facilitator_token}"})
    text = response.data.decode("utf-8-sig")
    assert text.startswith("Name,Email,Organisation,Profile,Registered on,Session 1: ")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][3] == "Other"
    assert rows[1][5:] == ["registered", "joined", "", ""]
    assert response.headers["Content-Disposition"].endswith('-registrations.csv"')


def test_staff_login(http, facilitator_token):
    good = http.post(
        "/api/v1/auth/login",
        json={"email": "facilitator@example.org", "password": "correct horse battery"},
    )
    assert good.status_code == 200
    assert good.get_json()["role"] == "facilitator"
    bad = http.post(
        "/api/v1/auth/login", json={"email": "facilitator@example.org", "password": "nope"}
    )
    assert bad.status_code == 401
    assert bad.get_json()["error"]["code"] == "unauthorized"
    me = http.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {good.get_json()['token']}"}
    )
    assert me.get_json()["role"] == "facilitator"

"""Staff accounts and registrations in the organiser's workspace, logout and set-password.

Also the regression tests of issue 16 point 4: staff tokens are revocable, and setting a
password (from an invitation or a reset link) revokes every older token.
"""

from __future__ import annotations

from email import message_from_string
from email.policy import default as default_policy
from urllib.parse import parse_qs, urlparse

import pytest
from flask_babel import refresh
from sqlalchemy import func, select

from companion.extensions import db
from companion.mail.models import OutboxMessage
from companion.participants.models import Participant, Registration, StaffUser


def _auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}", "Accept-Language": "en"}


def _staff_rows() -> list[tuple]:
    db.session.expire_all()
    return [
        (s.id, s.email, s.role, s.token_version, s.password_hash, str(s.revoked_at))
        for s in db.session.scalars(select(StaffUser).order_by(StaffUser.id))
    ]


def _registration_rows() -> list[tuple]:
    db.session.expire_all()
    regs = [
        (r.id, r.email, r.token_version)
        for r in db.session.scalars(select(Registration).order_by(Registration.id))
    ]
    parts = [
        (p.id, p.registration_id, p.token_version)
        for p in db.session.scalars(select(Participant).order_by(Participant.id))
    ]
    return regs + parts


def _invite(http, token, email="new.mod@example.org", role="moderator"):
    response = http.post(
        "/api/v1/staff/invitations", json={"email": email, "role": role}, headers=_auth(token)
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _token_of(link: str) -> str:
    return parse_qs(urlparse(link).query)["token"][0]


def test_an_invited_moderator_sets_a_password_and_logs_in(http, facilitator_token):
    invitation = _invite(http, facilitator_token)
    assert invitation["staff"]["status"] == "invited"
    assert urlparse(invitation["link"]).path == "/password"
    token = _token_of(invitation["link"])
    # The invitation is mailed too, through the outbox, in the same transaction.
    mailed = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == "new.mod@example.org")
    ).all()
    assert [m.kind for m in mailed] == ["staff_invitation"]
    message = message_from_string(mailed[0].message, policy=default_policy)
    body = message.get_body(("plain",)).get_content()
    assert invitation["link"] in body
    # In the inviter's language; it says who invites; no name was typed, so it greets
    # without one (not "new.mod").
    assert message["Subject"] == "Facilitator invites you to Companion"
    assert body.startswith("Hello,\n")
    assert "Facilitator invites you to run webconferences on Companion as moderator." in body
    # No mail server here: the page is told to have the link passed on by hand.
    assert invitation["mailed"] is False
    # No password works before the invitee chooses one.
    refused = http.post("/api/v1/auth/login", json={"email": "new.mod@example.org", "password": ""})
    assert refused.status_code == 400
    assert http.get(invitation["link"]).status_code == 200  # the /password page
    answer = http.post(
        "/api/v1/auth/password", json={"token": token, "password": "une phrase secrète"}
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["role"] == "moderator"
    login = http.post(
        "/api/v1/auth/login",
        json={"email": "new.mod@example.org", "password": "une phrase secrète"},
    )
    assert login.status_code == 200
    me = http.get("/api/v1/auth/me", headers=_auth(login.get_json()["token"])).get_json()
    assert me["role"] == "moderator"
    listed = http.get("/api/v1/staff", headers=_auth(facilitator_token)).get_json()["staff"]
    assert {s["email"]: s["status"] for s in listed}["new.mod@example.org"] == "active"
    # The link is spent: it cannot set the password again.
    again = http.post("/api/v1/auth/password", json={"token": token, "password": "autre secret"})
    assert again.status_code == 401


def test_setting_a_password_revokes_older_tokens(http, facilitator_token, app):
    """Issue 16, point 4: a password set or reset stops every token handed out before."""
    from companion.participants.tokens import password_token

    staff = db.session.scalar(select(StaffUser).where(StaffUser.role == "facilitator"))
    link_token = password_token(staff)
    assert http.get("/api/v1/staff", headers=_auth(facilitator_token)).status_code == 200
    answer = http.post(
        "/api/v1/auth/password", json={"token": link_token, "password": "nouveau secret 1"}
    )
    assert answer.status_code == 200
    old = http.get("/api/v1/staff", headers=_auth(facilitator_token))
    assert old.status_code == 401
    new = http.get("/api/v1/staff", headers=_auth(answer.get_json()["token"]))
    assert new.status_code == 200


def test_logout_revokes_the_token_and_its_sockets(http, facilitator_token, connect, event):
    """Issue 16, point 4: a staff token is revocable."""
    socket = connect(facilitator_token)
    socket.ok("session.join", {"session_id": event.sessions[0].id})
    response = http.post("/api/v1/auth/logout", headers=_auth(facilitator_token))
    assert response.status_code == 200
    assert not socket.connected
    assert http.get("/api/v1/staff", headers=_auth(facilitator_token)).status_code == 401
    assert http.post("/api/v1/auth/logout", headers=_auth(facilitator_token)).status_code == 401


def test_revoking_stops_tokens_and_open_sockets_at_once(
    http, facilitator_token, moderator_token, connect, event
):
    socket = connect(moderator_token)
    socket.ok("session.join", {"session_id": event.sessions[0].id})
    moderator = db.session.scalar(select(StaffUser).where(StaffUser.role == "moderator"))
    response = http.delete(f"/api/v1/staff/{moderator.id}", headers=_auth(facilitator_token))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "revoked"
    assert not socket.connected
    assert http.get("/api/v1/auth/me", headers=_auth(moderator_token)).status_code == 401
    login = http.post(
        "/api/v1/auth/login",
        json={"email": "moderator@example.org", "password": "correct horse battery"},
    )
    assert login.status_code == 401
    # Invited back, the account works again once a new password is chosen.
    invitation = _invite(http, facilitator_token, email="moderator@example.org")
    assert (
        http.post(
            "/api/v1/auth/password",
            json={"token": _token_of(invitation["link"]), "password": "de retour 2026"},
        ).status_code
        == 200
    )


def test_changing_a_role(http, facilitator_token, moderator_token):
    moderator = db.session.scalar(select(StaffUser).where(StaffUser.role == "moderator"))
    response = http.patch(
        f"/api/v1/staff/{moderator.id}",
        json={"role": "facilitator"},
        headers=_auth(facilitator_token),
    )
    assert response.status_code == 200
    assert http.get("/api/v1/staff", headers=_auth(moderator_token)).status_code == 200


def test_the_last_facilitator_stays(http, facilitator_token):
    me = db.session.scalar(select(StaffUser).where(StaffUser.role == "facilitator"))
    before = _staff_rows()
    demote = http.patch(
        f"/api/v1/staff/{me.id}", json={"role": "moderator"}, headers=_auth(facilitator_token)
    )
    assert demote.status_code == 409
    self_revoke = http.delete(f"/api/v1/staff/{me.id}", headers=_auth(facilitator_token))
    assert self_revoke.status_code == 403
    assert _staff_rows() == before


STAFF_WRITES = [
    ("get", "/api/v1/staff", None),
    ("post", "/api/v1/staff/invitations", {"email": "x@example.org", "role": "moderator"}),
    ("patch", "/api/v1/staff/{staff}", {"role": "facilitator"}),
    ("delete", "/api/v1/staff/{staff}", None),
    ("get", "/api/v1/events/{slug}/registrations", None),
    ("delete", "/api/v1/registrations/{registration}", None),
    ("post", "/api/v1/registrations/{registration}/link", None),
]


@pytest.mark.parametrize(("method", "path", "body"), STAFF_WRITES)
def test_people_routes_are_for_facilitators_only(
    http, event, people, moderator_token, join, method, path, body
):
    registration = people.register([event.sessions[0].id])["registration"]
    moderator = db.session.scalar(select(StaffUser).where(StaffUser.role == "moderator"))
    url = path.format(slug=event.slug, staff=moderator.id, registration=registration["id"])
    attendee = join(event.sessions[0].id).token
    before = (_staff_rows(), _registration_rows())
    for headers, status in (({}, 401), (_auth(attendee), 403), (_auth(moderator_token), 403)):
        response = getattr(http, method)(url, json=body, headers=headers)
        assert response.status_code == status, (url, response.get_json())
    assert (_staff_rows(), _registration_rows()) == before


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "field"),
    [
        ("post", "/api/v1/staff/invitations", {"email": "nope", "role": "moderator"}, 400, "email"),
        (
            "post",
            "/api/v1/staff/invitations",
            {"email": "a@example.org", "role": "boss"},
            400,
            "role",
        ),
        (
            "post",
            "/api/v1/staff/invitations",
            {"email": "facilitator@example.org", "role": "moderator"},
            409,
            None,
        ),
        ("patch", "/api/v1/staff/{staff}", {"role": "admin"}, 400, "role"),
        ("patch", "/api/v1/staff/999999", {"role": "moderator"}, 404, None),
        ("delete", "/api/v1/staff/999999", None, 404, None),
        ("delete", "/api/v1/registrations/999999", None, 404, None),
        ("post", "/api/v1/registrations/999999/link", None, 404, None),
        ("get", "/api/v1/events/nope/registrations", None, 404, None),
        ("get", "/api/v1/events/{slug}/registrations?page=0", None, 400, "page"),
        ("get", "/api/v1/events/{slug}/registrations?per_page=abc", None, 400, "per_page"),
    ],
)
def test_people_routes_refuse_bad_input(
    http, event, facilitator_token, moderator_token, people, method, path, body, status, field
):
    people.register([event.sessions[0].id])
    moderator = db.session.scalar(select(StaffUser).where(StaffUser.role == "moderator"))
    before = (_staff_rows(), _registration_rows())
    url = path.format(slug=event.slug, staff=moderator.id)
    response = getattr(http, method)(url, json=body, headers=_auth(facilitator_token))
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    if field:
        assert field in error["message"] or any(d["field"] == field for d in error["details"])
    assert (_staff_rows(), _registration_rows()) == before


@pytest.mark.parametrize(
    "body",
    [
        {"token": "not-a-real-token-at-all", "password": "long enough"},
        {"token": "x" * 20},
        {"token": "x" * 20, "password": "short"},
        {"token": "x" * 20, "password": "long enough", "role": "facilitator"},
    ],
)
def test_set_password_refuses_bad_input(http, facilitator_token, body):
    before = _staff_rows()
    response = http.post("/api/v1/auth/password", json=body, headers={"Accept-Language": "en"})
    assert response.status_code in (400, 401)
    assert response.get_json()["error"]["code"] in ("invalid", "unauthorized")
    assert _staff_rows() == before


def test_a_staff_token_cannot_set_a_password(http, facilitator_token):
    before = _staff_rows()
    response = http.post(
        "/api/v1/auth/password", json={"token": facilitator_token, "password": "long enough"}
    )
    assert response.status_code == 401
    assert _staff_rows() == before


# ---------------------------------------------------------------- registrations


def test_registration_list_search_attendance_and_paging(http, event, people, facilitator_token):
    first, second = event.sessions[0], event.sessions[1]
    people.register([first.id, second.id], name="Léa Martin")
    other = people.register([first.id], name="Marc Durand")
    http.post(f"/api/v1/sessions/{first.id}/join", json={"registration_token": other["token"]})
    body = http.get(
        f"/api/v1/events/{event.slug}/registrations", headers=_auth(facilitator_token)
    ).get_json()
    assert body["total"] == 2
    rows = {r["name"]: r for r in body["registrations"]}
    assert rows["Léa Martin"]["session_ids"] == [first.id, second.id]
    assert rows["Léa Martin"]["attended_session_ids"] == []
    assert rows["Marc Durand"]["attended_session_ids"] == [first.id]
    found = http.get(
        f"/api/v1/events/{event.slug}/registrations?q=durand", headers=_auth(facilitator_token)
    ).get_json()
    assert [r["name"] for r in found["registrations"]] == ["Marc Durand"]
    page = http.get(
        f"/api/v1/events/{event.slug}/registrations?per_page=1&page=2",
        headers=_auth(facilitator_token),
    ).get_json()
    assert [r["name"] for r in page["registrations"]] == ["Marc Durand"]
    nothing = http.get(
        f"/api/v1/events/{event.slug}/registrations?q=50%25_", headers=_auth(facilitator_token)
    ).get_json()
    assert nothing["total"] == 0


def test_removing_a_registration_stops_its_tokens(http, event, people, facilitator_token, connect):
    session = event.sessions[0]
    registration = people.register([session.id])
    joined = http.post(
        f"/api/v1/sessions/{session.id}/join", json={"registration_token": registration["token"]}
    ).get_json()
    socket = connect(joined["token"])
    socket.ok("session.join", {"session_id": session.id})
    link = http.post(
        f"/api/v1/registrations/{registration['registration']['id']}/link",
        headers=_auth(facilitator_token),
    ).get_json()
    assert str(session.id) in link["join_links"]
    response = http.delete(
        f"/api/v1/registrations/{registration['registration']['id']}",
        headers=_auth(facilitator_token),
    )
    assert response.status_code == 200
    assert not socket.connected
    assert http.get("/api/v1/auth/me", headers=_auth(joined["token"])).status_code == 401
    for token in (registration["token"], link["token"]):
        again = http.post(f"/api/v1/sessions/{session.id}/join", json={"registration_token": token})
        assert again.status_code == 401
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
    # What the person did in the session stays: the participant outlives the registration.
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 1


def test_an_invitation_link_expires_and_a_new_one_replaces_it(http, app, facilitator_token):
    first = _token_of(_invite(http, facilitator_token)["link"])
    second = _token_of(_invite(http, facilitator_token)["link"])  # invited again
    before = _staff_rows()
    spent = http.post("/api/v1/auth/password", json={"token": first, "password": "long enough"})
    assert spent.status_code == 401
    app.extensions["companion_tokens"]._max_age["password"] = -1  # three days later
    refresh()  # the test's requests share one app context: forget the cached locale
    expired = http.post(
        "/api/v1/auth/password",
        json={"token": second, "password": "long enough"},
        headers={"Accept-Language": "en"},
    )
    assert expired.status_code == 401
    assert "expired" in expired.get_json()["error"]["message"]
    assert _staff_rows() == before

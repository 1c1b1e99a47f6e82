"""Regression tests of the audit's defects (issue 16): each fails on the code before the fix."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from companion.core.csvsafe import csv_cell
from companion.core.redirects import safe_next
from companion.extensions import db
from companion.participants.models import Participant, Registration

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# -- 2. open redirects -------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "/%09/evil.example",
        "/\\evil.example",
        "//evil.example",
        "/%0d%0aSet-Cookie:%20x=1",
        "https://evil.example/",
        "/\t/evil.example",
        "javascript:alert(1)",
    ],
)
@SQLITE
def test_language_switch_never_leaves_the_site(http, target):
    response = http.get(f"/lang/en?next={target}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert response.headers["Set-Cookie"].startswith("lang=en")


@SQLITE
def test_language_switch_keeps_a_path_of_the_site(http):
    response = http.get("/lang/fr?next=/events/demo%3Ftab%3D2")
    assert response.headers["Location"] == "/events/demo?tab=2"


@SQLITE
def test_login_page_hands_only_a_same_origin_path_to_its_script(http):
    bad = http.get("/login?next=/\\evil.example").get_data(as_text=True)
    assert 'data-next=""' in bad
    good = http.get("/login?next=/console/1").get_data(as_text=True)
    assert 'data-next="/console/1"' in good


def test_safe_next_parses_instead_of_prefix_matching():
    assert safe_next("/manage?x=1#top") == "/manage?x=1#top"
    for bad in ("/\\evil", "/\x09/evil", "//evil", "/\r\nX: y", "http://evil", "", None, "evil"):
        assert safe_next(bad) == "/", bad


# -- 3. CSV formulas -----------------------------------------------------------------------


def test_csv_cell_defuses_every_formula_start():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "\uff1d1"):
        assert csv_cell(text) == "'" + text
    assert csv_cell("Cap Rural") == "Cap Rural"
    assert csv_cell(3) == 3


@SQLITE
def test_registrations_csv_defuses_a_formula_email(http, event, facilitator_token):
    email = "=cmd|'/Ccalc'!A0@example.org"
    response = http.post(
        f"/api/v1/events/{event.slug}/registrations",
        json={
            "name": "+Nom",
            "email": email,
            "organisation": "@org",
            "session_ids": [event.sessions[0].id],
        },
    )
    assert response.status_code == 201, response.get_json()
    export = http.get(
        f"/api/v1/events/{event.slug}/registrations.csv",
        headers={"Authorization": f"Bearer {facilitator_token}"},
    )
    assert export.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = export.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[1][:3] == ["'+Nom", "'" + email.lower(), "'@org"]
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell


# -- 9. bad input ---------------------------------------------------------------------------


def test_a_huge_id_in_a_url_is_a_404_not_an_overflow(http, event):
    before = _count(Participant)
    response = http.post("/api/v1/sessions/4032039884534111010816/join", json={"name": "X"})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert http.get("/sessions/4032039884534111010816").status_code == 404
    assert _count(Participant) == before


@SQLITE
def test_deeply_nested_json_is_a_400(http, event):
    body = "[" * 100_000 + "]" * 100_000
    response = http.post(
        "/api/v1/auth/login", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid"


@pytest.mark.parametrize("name", ["Nul\x00", "Bell\x07", "Line\nbreak", "Esc\x1b[31m", "C1\x85 C1"])
def test_names_refuse_control_characters(http, event, name):
    before = _count(Registration)
    response = http.post(
        f"/api/v1/events/{event.slug}/registrations",
        json={"name": name, "email": "ctl@example.org", "session_ids": [event.sessions[0].id]},
    )
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["details"][0]["field"] == "name"
    assert _count(Registration) == before


@SQLITE
def test_booleans_are_strict(connect, people, first_session):
    from companion.questions.models import Question

    client = connect(people.join(first_session.id)["token"])
    client.ok("session.join", {"session_id": first_session.id})
    for value in ("yes", "true", 1, 0):
        payload = {
            "session_id": first_session.id,
            "client_id": f"b-{value}",
            "text": "Une question ?",
            "anonymous": value,
        }
        assert client.error("question.submit", payload) == "invalid"
    assert _count(Question) == 0
    # Multi-line text keeps its line breaks; other control characters are refused.
    client.ok(
        "question.submit",
        {"session_id": first_session.id, "client_id": "ml", "text": "Ligne 1\nLigne 2"},
    )
    assert (
        client.error(
            "question.submit",
            {"session_id": first_session.id, "client_id": "nul", "text": "Nul\x00 ici"},
        )
        == "invalid"
    )
    assert _count(Question) == 1


@SQLITE
def test_an_unknown_socket_event_answers_not_found(connect, people, first_session):
    client = connect(people.join(first_session.id)["token"])
    answer = client.call("poll.explode", {"poll_id": 1})
    assert answer["ok"] is False
    assert answer["error"]["code"] == "not_found"
    assert answer["error"]["message"]
    assert client.connected


@SQLITE
def test_csp_allows_only_this_sites_websocket(http):
    csp = http.get("/login", base_url="https://companion.example").headers[
        "Content-Security-Policy"
    ]
    connect_src = next(p for p in csp.split("; ") if p.startswith("connect-src"))
    assert connect_src == "connect-src 'self' wss://companion.example"
    plain = http.get("/login", base_url="http://127.0.0.1:5000").headers["Content-Security-Policy"]
    assert "connect-src 'self' ws://127.0.0.1:5000;" in plain
    forged = http.get("/login", headers={"Host": "a.example; script-src *"})
    assert "connect-src 'self';" in forged.headers["Content-Security-Policy"]
    assert "script-src *" not in forged.headers["Content-Security-Policy"]


@SQLITE
def test_exports_send_one_charset(http, first_session, facilitator_token):
    headers = {"Authorization": f"Bearer {facilitator_token}"}
    for fmt, media in (("md", "text/markdown"), ("csv", "text/csv"), ("html", "text/html")):
        response = http.get(f"/api/v1/sessions/{first_session.id}/summary.{fmt}", headers=headers)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == f"{media}; charset=utf-8"


@SQLITE
def test_markdown_export_escapes_names_once(http, connect, people, first_session, moderator_token):
    name = "Anne O'Neil & Co"
    attendee = connect(people.join(first_session.id, name=name)["token"])
    attendee.ok("session.join", {"session_id": first_session.id})
    moderator = connect(moderator_token)
    moderator.ok("session.join", {"session_id": first_session.id})
    moderator.ok("session.start", {"session_id": first_session.id})
    attendee.ok(
        "question.submit",
        {"session_id": first_session.id, "client_id": "q1", "text": "Une question ?"},
    )
    request = attendee.ok(
        "floor.request",
        {"session_id": first_session.id, "client_id": "f1", "kind": "point_of_order"},
    )
    moderator.ok(
        "floor.give",
        {"session_id": first_session.id, "request_id": request["request_id"]},
    )
    moderator.ok("floor.end", {"session_id": first_session.id})
    facilitator = {"Authorization": f"Bearer {people_token(http)}"}
    text = http.get(
        f"/api/v1/sessions/{first_session.id}/summary.md?lang=fr", headers=facilitator
    ).get_data(as_text=True)
    assert "Anne O'Neil \\& Co" in text
    assert "Motion d’ordre" in text
    assert "&#39;" not in text and "&amp;" not in text


def people_token(http) -> str:
    from companion.participants import service
    from companion.participants.tokens import staff_token

    staff = service.create_staff("f16@example.org", "correct horse battery", "facilitator", "F")
    db.session.commit()
    return staff_token(staff)

"""The organiser's workspace over HTTP: events, sessions, agenda, speakers, programme files."""

from __future__ import annotations

import pytest
import yaml
from flask_babel import refresh
from sqlalchemy import func, select

from companion.extensions import db
from companion.programme import service
from companion.programme.models import AgendaItem, Event, LiveSession, Speaker
from tests.conftest import DEMO_PROGRAMME


def _auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _snapshot() -> dict:
    """Every programme row's fields, to prove a refused request changed nothing."""
    db.session.expire_all()
    rows = {}
    for model in (Event, LiveSession, AgendaItem, Speaker):
        rows[model.__name__] = sorted(
            tuple(
                (c.key, str(getattr(row, c.key)))
                for c in model.__table__.columns
                if c.key not in ("seq",)
            )
            for row in db.session.scalars(select(model))
        )
    return rows


NEW_EVENT = {
    "slug": "rencontres-2026",
    "title": "Rencontres du développement local",
    "timezone": "Europe/Paris",
    "language": "fr",
    "registration_required": True,
}


@pytest.fixture
def new_event(http, facilitator_token):
    response = http.post("/api/v1/events", json=NEW_EVENT, headers=_auth(facilitator_token))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_facilitator_builds_an_event_from_nothing(http, facilitator_token, new_event):
    auth = _auth(facilitator_token)
    assert new_event["slug"] == "rencontres-2026" and new_event["sessions"] == []
    first = http.post(
        "/api/v1/events/rencontres-2026/sessions",
        json={
            "title": "Atelier 1",
            "starts_at": "2026-03-10T10:00:00",
            "ends_at": "2026-03-10T12:00:00",
            "webconference_url": "https://meet.example.org/atelier-1",
        },
        headers=auth,
    )
    assert first.status_code == 201, first.get_json()
    session = first.get_json()
    # A time without offset is the event's local time: 10:00 in Paris in March is 09:00 UTC.
    assert session["starts_at"] == "2026-03-10T10:00:00+01:00"
    assert session["webconference_url"] == "https://meet.example.org/atelier-1"
    assert len(session["join_code"]) == 6
    second = http.post(
        "/api/v1/events/rencontres-2026/sessions",
        json={
            "title": "Atelier 2",
            "starts_at": "2026-03-11T14:00:00+01:00",
            "ends_at": "2026-03-11T16:00:00+01:00",
        },
        headers=auth,
    )
    assert second.status_code == 201
    speaker = http.post(
        "/api/v1/events/rencontres-2026/speakers",
        json={"name": "Sophie Roy", "organisation": "PNR de Chartreuse", "role": "chargée"},
        headers=auth,
    ).get_json()
    items = []
    for title, kind in (("Accueil", "topic"), ("Témoignage", "testimony"), ("Débat", "discussion")):
        response = http.post(
            f"/api/v1/sessions/{session['id']}/agenda",
            json={
                "title": title,
                "kind": kind,
                "planned_minutes": 15,
                "speaker_ids": [speaker["id"]] if kind == "testimony" else [],
            },
            headers=auth,
        )
        assert response.status_code == 201, response.get_json()
        items.append(response.get_json())
    order = [items[2]["id"], items[0]["id"], items[1]["id"]]
    response = http.put(
        f"/api/v1/sessions/{session['id']}/agenda/order",
        json={"agenda_item_ids": order},
        headers=auth,
    )
    assert response.status_code == 200
    programme = http.get("/api/v1/events/rencontres-2026").get_json()
    agenda = programme["sessions"][0]["agenda"]
    assert [i["id"] for i in agenda] == order
    assert [i["position"] for i in agenda] == [0, 1, 2]
    assert agenda[2]["speakers"][0]["organisation"] == "PNR de Chartreuse"
    # The public programme never shows the webconference link.
    assert "webconference_url" not in programme["sessions"][0]
    editor = http.get("/api/v1/events/rencontres-2026/editor", headers=auth).get_json()
    assert editor["sessions"][0]["webconference_url"] == "https://meet.example.org/atelier-1"
    assert [s["name"] for s in editor["speakers"]] == ["Sophie Roy"]


def test_editing_fields(http, facilitator_token, new_event):
    auth = _auth(facilitator_token)
    response = http.patch(
        "/api/v1/events/rencontres-2026",
        json={"title": "Rencontres 2026", "code_join_allowed": True, "retention_days": None},
        headers=auth,
    )
    assert response.status_code == 200, response.get_json()
    event = service.get_event("rencontres-2026")
    assert (event.title, event.code_join_allowed, event.retention_days) == (
        "Rencontres 2026",
        True,
        None,
    )
    assert event.registration_required is True  # not given: unchanged


def test_session_edit_reaches_a_live_room(
    app, http, facilitator_token, moderator_token, event, join, connect
):
    session = event.sessions[0]
    attendee = connect(join(session.id).token)
    moderator = connect(moderator_token)
    moderator.ok("session.start", {"session_id": session.id})
    snap = attendee.ok("session.join", {"session_id": session.id})
    assert snap["snapshot"]["session"]["webconference_url"] is None
    attendee.received()
    response = http.patch(
        f"/api/v1/sessions/{session.id}",
        json={"webconference_url": "https://bbb.example.org/b/abc-123", "title": "Ouverture"},
        headers=_auth(facilitator_token),
    )
    assert response.status_code == 200, response.get_json()
    [update] = attendee.received("session.updated")
    assert update["data"]["session"]["webconference_url"] == "https://bbb.example.org/b/abc-123"
    assert update["data"]["session"]["title"] == "Ouverture"
    assert update["data"]["seq"] == snap["seq"] + 1
    item = http.post(
        f"/api/v1/sessions/{session.id}/agenda",
        json={"title": "Point d'actualité", "kind": "topic", "planned_minutes": 5},
        headers=_auth(facilitator_token),
    ).get_json()
    [agenda] = attendee.received("agenda.updated")
    assert agenda["data"]["agenda"][-1]["id"] == item["id"]
    assert agenda["data"]["seq"] == snap["seq"] + 2
    # A reconnecting client gets the same changes replayed.
    replay = connect(join(session.id).token).ok(
        "session.join", {"session_id": session.id, "since_seq": snap["seq"]}
    )
    assert [e["event"] for e in replay["events"]] == ["session.updated", "agenda.updated"]


def test_programme_file_round_trips(http, facilitator_token, app):
    auth = _auth(facilitator_token)
    text = DEMO_PROGRAMME.read_text(encoding="utf-8")
    response = http.post(
        "/api/v1/events/import",
        data=text.encode(),
        headers={**auth, "Content-Type": "application/yaml"},
    )
    assert response.status_code == 201, response.get_json()
    slug = response.get_json()["slug"]
    exported = http.get(f"/api/v1/events/{slug}/programme.yaml", headers=auth)
    assert exported.status_code == 200
    assert exported.mimetype == "application/yaml"
    before = http.get(f"/api/v1/events/{slug}").get_json()
    # Into an empty database: the same programme comes back.
    db.session.delete(service.get_event(slug))
    db.session.commit()
    assert _count(Event) == 0
    again = http.post(
        "/api/v1/events/import", data=exported.data, headers={**auth, "Content-Type": "text/plain"}
    )
    assert again.status_code == 201, again.get_json()
    after = http.get(f"/api/v1/events/{slug}").get_json()

    def strip(programme):
        for s in programme["sessions"]:
            s.pop("id")
            for item in s["agenda"]:
                item.pop("id")
                for sp in item["speakers"]:
                    sp.pop("id")
        return programme

    assert strip(after) == strip(before)
    assert yaml.safe_load(exported.data) == yaml.safe_load(
        http.get(f"/api/v1/events/{slug}/programme.yaml", headers=auth).data
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "The programme file is not valid — line 7, sessions.0.starts_at: A date and time"),
        (
            "fr",
            "Le fichier de programme n’est pas valide — ligne 7, sessions.0.starts_at\u00a0: Une date",
        ),
    ],
)
def test_import_names_the_line_and_field(http, facilitator_token, app, language, expected):
    bad = "event:\n  slug: x-y\n  title: T\nsessions:\n  - key: a\n    title: A\n    starts_at: nope\n    ends_at: 2020-01-01T10:00:00\n"
    response = http.post(
        "/api/v1/events/import",
        data=bad.encode(),
        headers={
            **_auth(facilitator_token),
            "Content-Type": "application/yaml",
            "Accept-Language": language,
        },
    )
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["message"].startswith(expected), error["message"]
    assert error["details"][0]["line"] == 7
    assert _count(Event) == 0


def test_a_live_change_of_the_webconference_link_in_the_calendar_only_for_the_registered(
    http, facilitator_token, event, people
):
    session = event.sessions[0]
    http.patch(
        f"/api/v1/sessions/{session.id}",
        json={"webconference_url": "https://meet.example.org/x"},
        headers=_auth(facilitator_token),
    )
    public = http.get(f"/api/v1/events/{event.slug}/calendar.ics").get_data(as_text=True)
    assert "meet.example.org" not in public
    token = people.register([session.id])["token"]
    personal = http.get(f"/api/v1/events/{event.slug}/calendar.ics?t={token}").get_data(
        as_text=True
    )
    assert "LOCATION:https://meet.example.org/x" in personal


# ---------------------------------------------------------------- refusals


WRITES = [
    ("post", "/api/v1/events", NEW_EVENT),
    ("patch", "/api/v1/events/{slug}", {"title": "X"}),
    (
        "post",
        "/api/v1/events/{slug}/sessions",
        {"title": "S", "starts_at": "2026-01-01T10:00:00", "ends_at": "2026-01-01T11:00:00"},
    ),
    ("patch", "/api/v1/sessions/{session}", {"title": "X"}),
    ("delete", "/api/v1/sessions/{session}", None),
    ("post", "/api/v1/sessions/{session}/agenda", {"title": "T"}),
    ("patch", "/api/v1/agenda-items/{item}", {"title": "X"}),
    ("delete", "/api/v1/agenda-items/{item}", None),
    ("put", "/api/v1/sessions/{session}/agenda/order", {"agenda_item_ids": []}),
    ("post", "/api/v1/events/{slug}/speakers", {"name": "N"}),
    ("patch", "/api/v1/speakers/{speaker}", {"name": "X"}),
    ("delete", "/api/v1/speakers/{speaker}", None),
    ("get", "/api/v1/events/{slug}/editor", None),
    ("get", "/api/v1/events/{slug}/programme.yaml", None),
]


def _fill(path: str, event) -> str:
    session = event.sessions[1]
    return path.format(
        slug=event.slug,
        session=session.id,
        item=session.agenda[0].id,
        speaker=session.agenda[1].speakers[0].id if session.agenda[1].speakers else 1,
    )


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_workspace_is_for_facilitators_only(http, event, moderator_token, join, method, path, body):
    before = _snapshot()
    url = _fill(path, event)
    attendee = join(event.sessions[0].id).token
    for headers, status in (({}, 401), (_auth(attendee), 403), (_auth(moderator_token), 403)):
        response = getattr(http, method)(url, json=body, headers=headers)
        assert response.status_code == status, (url, response.get_json())
        assert response.get_json()["error"]["code"] in ("unauthorized", "forbidden")
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("post", "/api/v1/events", {**NEW_EVENT, "slug": "Pas Valide"}, "slug"),
        ("post", "/api/v1/events", {**NEW_EVENT, "timezone": "Mars/Olympus"}, "timezone"),
        ("post", "/api/v1/events", {**NEW_EVENT, "extra": 1}, "extra"),
        ("patch", "/api/v1/events/{slug}", {"retention_days": 0}, "retention_days"),
        ("patch", "/api/v1/events/{slug}", {"title": ""}, "title"),
        (
            "post",
            "/api/v1/events/{slug}/sessions",
            {"title": "S", "starts_at": "2026-01-01T10:00:00", "ends_at": "2026-01-01T09:00:00"},
            "ends_at",
        ),
        (
            "post",
            "/api/v1/events/{slug}/sessions",
            {"title": "S", "starts_at": "demain", "ends_at": "2026-01-01T09:00:00"},
            "starts_at",
        ),
        (
            "patch",
            "/api/v1/sessions/{session}",
            {"webconference_url": "javascript:alert(1)"},
            "webconference_url",
        ),
        (
            "patch",
            "/api/v1/sessions/{session}",
            {"ends_at": "2019-01-01T00:00:00+00:00"},
            "ends_at",
        ),
        ("post", "/api/v1/sessions/{session}/agenda", {"title": "T", "kind": "party"}, "kind"),
        (
            "post",
            "/api/v1/sessions/{session}/agenda",
            {"title": "T", "planned_minutes": -1},
            "planned_minutes",
        ),
        (
            "post",
            "/api/v1/sessions/{session}/agenda",
            {"title": "T", "speaker_ids": [999999]},
            "speaker_ids.0",
        ),
        ("patch", "/api/v1/agenda-items/{item}", {"title": None}, "title"),
        (
            "put",
            "/api/v1/sessions/{session}/agenda/order",
            {"agenda_item_ids": [1]},
            "agenda_item_ids",
        ),
        ("post", "/api/v1/events/{slug}/speakers", {"name": ""}, "name"),
        ("patch", "/api/v1/speakers/{speaker}", {"bio": 12}, "bio"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    http, event, facilitator_token, method, path, body, field
):
    before = _snapshot()
    response = getattr(http, method)(
        _fill(path, event), json=body, headers=_auth(facilitator_token)
    )
    assert response.status_code == 400, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert field in error["message"] or any(
        d.get("field", "").startswith(field) for d in error.get("details") or []
    ), error
    assert _snapshot() == before


def test_bad_input_answers_in_french(http, event, facilitator_token):
    refresh()
    response = http.put(
        f"/api/v1/sessions/{event.sessions[0].id}/agenda/order",
        json={"agenda_item_ids": [1]},
        headers={**_auth(facilitator_token), "Accept-Language": "fr"},
    )
    assert response.status_code == 400
    assert "exactement une fois" in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("patch", "/api/v1/events/nope", {"title": "X"}),
        (
            "post",
            "/api/v1/events/nope/sessions",
            {"title": "S", "starts_at": "2026-01-01T10:00:00", "ends_at": "2026-01-01T11:00:00"},
        ),
        ("patch", "/api/v1/sessions/999999", {"title": "X"}),
        ("delete", "/api/v1/sessions/999999", None),
        ("post", "/api/v1/sessions/999999/agenda", {"title": "T"}),
        ("patch", "/api/v1/agenda-items/999999", {"title": "X"}),
        ("delete", "/api/v1/agenda-items/999999", None),
        ("put", "/api/v1/sessions/999999/agenda/order", {"agenda_item_ids": [1]}),
        ("post", "/api/v1/events/nope/speakers", {"name": "N"}),
        ("patch", "/api/v1/speakers/999999", {"name": "X"}),
        ("delete", "/api/v1/speakers/999999", None),
        ("get", "/api/v1/events/nope/programme.yaml", None),
    ],
)
def test_unknown_ids_are_404(http, event, facilitator_token, method, path, body):
    before = _snapshot()
    response = getattr(http, method)(path, json=body, headers=_auth(facilitator_token))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert _snapshot() == before


def test_an_event_slug_is_unique(http, event, facilitator_token):
    before = _snapshot()
    response = http.post(
        "/api/v1/events", json={**NEW_EVENT, "slug": event.slug}, headers=_auth(facilitator_token)
    )
    assert response.status_code == 409
    assert _snapshot() == before
    again = http.post(
        "/api/v1/events/import",
        data=DEMO_PROGRAMME.read_bytes(),
        headers={**_auth(facilitator_token), "Content-Type": "application/yaml"},
    )
    assert again.status_code == 409
    assert _snapshot() == before


def test_removing_what_holds_contributions_is_refused(
    http, event, facilitator_token, moderator_token, join, connect
):
    auth = {**_auth(facilitator_token), "Accept-Language": "en"}
    session = event.sessions[0]
    item = session.agenda[1]  # not the one under way once the session starts
    attendee = connect(join(session.id).token)
    moderator = connect(moderator_token)
    moderator.ok("session.start", {"session_id": session.id})
    attendee.ok("session.join", {"session_id": session.id})
    attendee.ok(
        "question.submit",
        {
            "session_id": session.id,
            "client_id": "q1",
            "text": "Comment financer la suite ?",
            "agenda_item_id": item.id,
        },
    )
    testimony = next(i for s in event.sessions for i in s.agenda if i.speakers)
    speaker = testimony.speakers[0]
    moderator.ok("session.join", {"session_id": testimony.session_id})
    moderator.call("session.start", {"session_id": testimony.session_id})
    moderator.ok("floor.give", {"session_id": testimony.session_id, "speaker_id": speaker.id})
    before = _snapshot()
    refresh()  # the test's app context is shared by its requests: forget the cached locale
    live = http.delete(f"/api/v1/sessions/{session.id}", headers=auth)
    assert live.status_code == 409 and "already run" in live.get_json()["error"]["message"]
    held_item = http.delete(f"/api/v1/agenda-items/{item.id}", headers=auth)
    assert held_item.status_code == 409
    assert "question" in held_item.get_json()["error"]["message"]
    spoke = http.delete(f"/api/v1/speakers/{speaker.id}", headers=auth)
    assert spoke.status_code == 409
    assert "turns to speak" in spoke.get_json()["error"]["message"]
    registered = event.sessions[3]
    join(registered.id)  # a registration for it
    held_session = http.delete(f"/api/v1/sessions/{registered.id}", headers=auth)
    assert held_session.status_code == 409
    assert "registrations" in held_session.get_json()["error"]["message"]
    refresh()
    french = http.delete(
        f"/api/v1/speakers/{speaker.id}", headers={**auth, "Accept-Language": "fr"}
    )
    assert "des prises de parole" in french.get_json()["error"]["message"]  # "held by" context
    assert _snapshot() == before


def test_removing_free_rows(http, facilitator_token, new_event):
    auth = _auth(facilitator_token)
    session = http.post(
        "/api/v1/events/rencontres-2026/sessions",
        json={"title": "S", "starts_at": "2026-01-01T10:00:00", "ends_at": "2026-01-01T11:00:00"},
        headers=auth,
    ).get_json()
    speaker = http.post(
        "/api/v1/events/rencontres-2026/speakers", json={"name": "N"}, headers=auth
    ).get_json()
    items = [
        http.post(
            f"/api/v1/sessions/{session['id']}/agenda",
            json={"title": t, "speaker_ids": [speaker["id"]]},
            headers=auth,
        ).get_json()
        for t in ("A", "B", "C")
    ]
    assert http.delete(f"/api/v1/agenda-items/{items[0]['id']}", headers=auth).status_code == 200
    assert http.delete(f"/api/v1/speakers/{speaker['id']}", headers=auth).status_code == 200
    agenda = http.get("/api/v1/events/rencontres-2026").get_json()["sessions"][0]["agenda"]
    assert [(i["title"], i["position"], i["speakers"]) for i in agenda] == [
        ("B", 0, []),
        ("C", 1, []),
    ]
    assert http.delete(f"/api/v1/sessions/{session['id']}", headers=auth).status_code == 200
    assert _count(LiveSession) == 0 and _count(AgendaItem) == 0

"""The speaker's personal link: issued by a facilitator, it watches the session and does nothing else."""

from companion.app import import_domains
from companion.extensions import db
from companion.programme.models import Speaker
from companion.realtime.dispatcher import EVENTS

import_domains()
WATCHING = {"session.join", "session.leave"}


def _speaker_of(session) -> Speaker:
    return next(s for item in session.agenda for s in item.speakers)


def _link(http, token, speaker_id):
    return http.post(
        f"/api/v1/speakers/{speaker_id}/link", headers={"Authorization": f"Bearer {token}"}
    )


def test_a_facilitator_gets_a_speaker_link_to_the_speaker_view(
    http, facilitator_token, first_session
):
    speaker = _speaker_of(first_session)
    response = _link(http, facilitator_token, speaker.id)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["url"].endswith(f"/speaker/{first_session.id}#t={body['token']}")
    assert body["speaker"] == {"id": speaker.id, "name": speaker.name}
    assert first_session.id in [s["session_id"] for s in body["sessions"]]
    page = http.get(f"/speaker/{first_session.id}")
    assert page.status_code == 200
    assert b"speaker.js" in page.data


def test_moderators_attendees_and_strangers_get_no_speaker_link(
    http, moderator_token, facilitator_token, first_session, people
):
    speaker = _speaker_of(first_session)
    attendee = people.join(first_session.id)["token"]
    before = db.session.get(Speaker, speaker.id).token_version
    assert _link(http, moderator_token, speaker.id).status_code == 403
    assert _link(http, attendee, speaker.id).status_code == 403
    assert http.post(f"/api/v1/speakers/{speaker.id}/link").status_code == 401
    missing = _link(http, facilitator_token, 999_999)
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"
    db.session.expire_all()
    assert db.session.get(Speaker, speaker.id).token_version == before


def test_the_speaker_watches_the_session_and_sees_the_public_state(
    http, facilitator_token, first_session, connect
):
    speaker = _speaker_of(first_session)
    token = _link(http, facilitator_token, speaker.id).get_json()["token"]
    client = connect(token)
    assert client.connected
    data = client.ok("session.join", {"session_id": first_session.id})
    snapshot = data["snapshot"]
    assert snapshot["you"] == {
        "kind": "speaker",
        "id": speaker.id,
        "name": speaker.name,
        "role": "speaker",
    }
    assert snapshot["projector"] is None  # staff only
    assert snapshot["quiz"] == {}
    assert any(speaker.id in [s["id"] for s in i["speakers"]] for i in snapshot["agenda"])


def test_a_speaker_cannot_watch_a_session_they_are_not_on(http, facilitator_token, event, connect):
    def on(speaker, session):
        return any(sp.id == speaker.id for i in session.agenda for sp in i.speakers)

    speaker, elsewhere = next(
        (sp, other)
        for session in event.sessions
        for item in session.agenda
        for sp in item.speakers
        for other in event.sessions
        if not on(sp, other)
    )
    token = _link(http, facilitator_token, speaker.id).get_json()["token"]
    client = connect(token)
    assert client.error("session.join", {"session_id": elsewhere.id}) == "forbidden"


def test_a_speaker_is_refused_every_other_event(http, facilitator_token, first_session, connect):
    speaker = _speaker_of(first_session)
    token = _link(http, facilitator_token, speaker.id).get_json()["token"]
    client = connect(token)
    client.ok("session.join", {"session_id": first_session.id})
    seq = db.session.get(type(first_session), first_session.id).seq
    others = sorted(set(EVENTS) - WATCHING)
    assert {"poll.create", "floor.give", "question.moderate", "projector.show"} <= set(others)
    for name in others:
        answer = client.call(name, {"session_id": first_session.id})
        assert answer["ok"] is False and answer["error"]["code"] == "forbidden", (name, answer)
    db.session.expire_all()
    assert db.session.get(type(first_session), first_session.id).seq == seq


def test_a_new_link_replaces_the_old_one(http, facilitator_token, first_session, connect):
    speaker = _speaker_of(first_session)
    old = _link(http, facilitator_token, speaker.id).get_json()["token"]
    new = _link(http, facilitator_token, speaker.id).get_json()["token"]
    assert old != new
    assert not connect(old).connected
    assert connect(new).connected
    # Over HTTP too, a speaker token is refused by every role-checked route.
    response = http.get(
        f"/api/v1/sessions/{first_session.id}/summary.json",
        headers={"Authorization": f"Bearer {new}"},
    )
    assert response.status_code == 403

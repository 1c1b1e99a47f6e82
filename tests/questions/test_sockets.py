"""question.* over Socket.IO: the authorization matrix, resends, broadcasts and snapshots."""

from __future__ import annotations

import pytest

from companion.extensions import db
from companion.programme.models import LiveSession
from companion.realtime.coalesce import coalescer

from .conftest import counts, state_of

ACTORS = ("attendee", "author", "outsider", "moderator")
PARTICIPANT_EVENTS = {
    "attendee": "ok",
    "author": "ok",
    "outsider": "forbidden",
    "moderator": "forbidden",
}
MODERATOR_EVENTS = {
    "attendee": "forbidden",
    "author": "forbidden",
    "outsider": "forbidden",
    "moderator": "ok",
}


def _payloads(room) -> dict:
    """One valid payload per question.* event, against the room's questions."""
    q, dup, sid = room.question_id, room.duplicate_id, room.session.id
    return {
        "question.submit": {"session_id": sid, "client_id": "c-1", "text": "Et ensuite ?"},
        "question.upvote": {"question_id": q},
        "question.unvote": {"question_id": q},
        "question.moderate": {"question_id": q, "action": "pin"},
        "question.edit": {"question_id": q, "text": "Texte corrigé"},
        "question.merge": {"question_id": dup, "into_id": q},
        "question.history": {"question_id": q},
        "question.ban": {"question_id": q},
        "question.unban": {"question_id": q},
        "question.carry_forward": {"session_id": sid, "target_session_id": room.later.id},
        "question.settings": {"session_id": sid, "premoderation": True},
    }


MATRIX = {
    "question.submit": PARTICIPANT_EVENTS,
    "question.upvote": PARTICIPANT_EVENTS,
    "question.unvote": PARTICIPANT_EVENTS,
    **{
        name: MODERATOR_EVENTS
        for name in (
            "question.moderate",
            "question.edit",
            "question.merge",
            "question.history",
            "question.ban",
            "question.unban",
            "question.carry_forward",
            "question.settings",
        )
    },
}


class Room:
    """A session with an author's live question, a duplicate, and four kinds of clients."""

    def __init__(self, connect, people, event, moderator_token):
        self.session, self.later = event.sessions[0], event.sessions[1]
        self.clients = {
            "author": connect(people.join(self.session.id, name="Autrice")["token"]),
            "attendee": connect(people.join(self.session.id)["token"]),
            "outsider": connect(people.join(self.later.id)["token"]),
            "moderator": connect(moderator_token),
        }
        for name, client in self.clients.items():
            session_id = self.later.id if name == "outsider" else self.session.id
            client.ok("session.join", {"session_id": session_id})
        author = self.clients["author"]
        self.question_id = author.ok(
            "question.submit",
            {"session_id": self.session.id, "client_id": "q-1", "text": "Quel budget ?"},
        )["question"]["id"]
        self.duplicate_id = author.ok(
            "question.submit",
            {"session_id": self.session.id, "client_id": "q-2", "text": "Le budget ?"},
        )["question"]["id"]
        for client in self.clients.values():
            client.received()

    def settings(self) -> dict:
        db.session.expire_all()
        return dict(db.session.get(LiveSession, self.session.id).settings or {})


@pytest.fixture
def room(connect, people, event, moderator_token) -> Room:
    return Room(connect, people, event, moderator_token)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("event_name", sorted(MATRIX))
def test_authorization_matrix(room, event_name, actor):
    expected = MATRIX[event_name][actor]
    payload = _payloads(room)[event_name]
    before = (counts(), state_of(room.question_id), state_of(room.duplicate_id), room.settings())
    answer = room.clients[actor].call(event_name, payload)
    if expected == "ok":
        assert answer["ok"] is True, answer
    else:
        assert answer == {"ok": False, "error": answer["error"]}
        assert answer["error"]["code"] == expected, answer
        assert answer["error"]["message"]
        after = (counts(), state_of(room.question_id), state_of(room.duplicate_id), room.settings())
        assert after == before
        # A refusal broadcasts nothing to anyone.
        for client in room.clients.values():
            assert [m for m in client.received() if m["event"] != "presence.updated"] == []


def test_unknown_questions_are_not_found(room):
    before = counts()
    for name in ("question.upvote", "question.unvote", "question.history"):
        client = room.clients["moderator" if name == "question.history" else "attendee"]
        assert client.error(name, {"question_id": 999_999}) == "not_found"
    moderator = room.clients["moderator"]
    assert moderator.error("question.moderate", {"question_id": 999_999, "action": "pin"}) == (
        "not_found"
    )
    assert moderator.error("question.merge", {"question_id": 999_999, "into_id": 1}) == (
        "not_found"
    )
    assert counts() == before


@pytest.mark.parametrize(
    "payload",
    [
        {"session_id": 1, "client_id": "x", "text": "ok", "extra": True},
        {"session_id": 1, "text": "no client id"},
        {"session_id": 1, "client_id": "x", "text": ""},
        {"session_id": 1, "client_id": "x", "text": 42},
        {"session_id": 1, "client_id": "x", "text": "x" * 2001},
        {"session_id": 1, "client_id": "x", "text": "ok", "anonymous": "maybe"},
    ],
)
def test_malformed_submissions_are_invalid(room, payload):
    payload = {**payload, "session_id": room.session.id}
    before = counts()
    assert room.clients["attendee"].error("question.submit", payload) == "invalid"
    assert counts() == before


def test_moderate_refuses_unknown_actions(room):
    before = state_of(room.question_id)
    moderator = room.clients["moderator"]
    answer = moderator.call("question.moderate", {"question_id": room.question_id, "action": "x"})
    assert answer["error"]["code"] == "invalid"
    assert state_of(room.question_id) == before


def test_a_resend_with_the_same_client_id_makes_one_question(room):
    attendee = room.clients["attendee"]
    payload = {"session_id": room.session.id, "client_id": "resend-1", "text": "Une fois ?"}
    first = attendee.ok("question.submit", payload)
    before = counts()
    again = attendee.ok("question.submit", payload)
    assert again == first
    assert counts() == before
    # Another participant may use the same client_id: ids are per sender.
    other = room.clients["author"].ok("question.submit", payload)
    assert other["question"]["id"] != first["question"]["id"]


def test_pending_questions_reach_moderators_and_the_author_only(room):
    moderator, author, attendee = (room.clients[n] for n in ("moderator", "author", "attendee"))
    moderator.ok("question.settings", {"session_id": room.session.id, "premoderation": True})
    for client in room.clients.values():
        client.received()
    asked = author.ok(
        "question.submit",
        {"session_id": room.session.id, "client_id": "p-1", "text": "En attente ?"},
    )["question"]
    assert asked["state"] == "pending" and asked["mine"] is True
    assert [m["data"]["question"]["id"] for m in author.received("question.updated")] == [
        asked["id"]
    ]
    assert [m["data"]["question"]["id"] for m in moderator.received("question.updated")] == [
        asked["id"]
    ]
    assert attendee.received("question.updated") == []
    # Approved: everyone. Rejected again: the others are told to drop it.
    moderator.ok("question.moderate", {"question_id": asked["id"], "action": "approve"})
    shown = attendee.received("question.updated")
    assert [m["data"]["question"]["state"] for m in shown] == ["approved"]
    assert "voted" not in shown[0]["data"]["question"]
    moderator.ok("question.moderate", {"question_id": asked["id"], "action": "reject"})
    got = attendee.received()
    assert [m for m in got if m["event"] == "question.updated"] == []
    assert room.clients["outsider"].received("question.updated") == []
    removed = [m["data"] for m in got if m["event"] == "question.removed"]
    assert removed[0]["question_id"] == asked["id"] and "seq" in removed[0]
    assert [m["data"]["question"]["state"] for m in author.received("question.updated")] == [
        "approved",
        "rejected",
    ]
    # Replays keep the same rule.
    replay = attendee.ok("session.join", {"session_id": room.session.id, "since_seq": 0})
    texts = [e["data"].get("question", {}).get("text") for e in replay["events"]]
    assert "En attente ?" in texts  # the approved broadcast
    assert all(
        e["data"]["question"]["state"] != "pending"
        for e in replay["events"]
        if e["event"] == "question.updated"
    )


def test_duplicate_suggestions_reach_moderators_only(room):
    moderator, attendee = room.clients["moderator"], room.clients["attendee"]
    attendee.ok(
        "question.submit",
        {"session_id": room.session.id, "client_id": "d-1", "text": "Quel est le budget total ?"},
    )
    for client in room.clients.values():
        client.received()
    asked = room.clients["author"].ok(
        "question.submit",
        {"session_id": room.session.id, "client_id": "d-2", "text": "Quel budget total ?"},
    )["question"]
    staff = [m["data"]["question"] for m in moderator.received("question.updated")]
    assert staff[-1]["id"] == asked["id"] and staff[-1]["similar"]
    assert all(
        "similar" not in m["data"]["question"] for m in attendee.received("question.updated")
    )
    assert "similar" not in asked


def test_upvotes_are_coalesced_and_exact(room, connect, people):
    voters = [connect(people.join(room.session.id)["token"]) for _ in range(6)]
    for voter in voters:
        voter.ok("session.join", {"session_id": room.session.id})
    coalescer.flush()
    for client in room.clients.values():
        client.received()
    seq = room.clients["attendee"].ok("session.join", {"session_id": room.session.id})["seq"]
    q = room.question_id
    for voter in voters:
        assert voter.ok("question.upvote", {"question_id": q})["voted"] is True
    assert voters[0].ok("question.upvote", {"question_id": q})["upvotes"] == 6
    assert voters[0].ok("question.unvote", {"question_id": q}) == {
        "question_id": q,
        "upvotes": 5,
        "votes_version": 7,
        "voted": False,
    }
    assert room.clients["attendee"].received("question.votes") == []
    coalescer.flush()
    got = room.clients["attendee"].received("question.votes")
    assert [m["data"] for m in got] == [{"seq": seq, "votes": {str(q): 5}, "versions": {str(q): 7}}]
    assert state_of(q)["upvotes"] == 5
    snapshot = voters[1].ok("session.join", {"session_id": room.session.id})["snapshot"]
    mine = {item["id"]: item for item in snapshot["questions"]}
    assert mine[q]["voted"] is True and mine[q]["mine"] is False and mine[q]["upvotes"] == 5


def test_snapshot_shows_each_actor_what_it_may_see(room):
    moderator, author, attendee = (room.clients[n] for n in ("moderator", "author", "attendee"))
    moderator.ok("question.moderate", {"question_id": room.duplicate_id, "action": "reject"})
    staff = moderator.ok("session.join", {"session_id": room.session.id})["snapshot"]
    assert {q["id"] for q in staff["questions"]} == {room.question_id, room.duplicate_id}
    assert "profanity_words" in staff["question_settings"]
    own = author.ok("session.join", {"session_id": room.session.id})["snapshot"]
    assert {q["id"]: q["mine"] for q in own["questions"]} == {
        room.question_id: True,
        room.duplicate_id: True,
    }
    other = attendee.ok("session.join", {"session_id": room.session.id})["snapshot"]
    assert [(q["id"], q["mine"]) for q in other["questions"]] == [(room.question_id, False)]
    assert "profanity_words" not in other["question_settings"]


def test_ban_tells_the_participant_and_stops_submissions(room):
    moderator, author = room.clients["moderator"], room.clients["author"]
    assert moderator.ok("question.ban", {"question_id": room.question_id})["banned"] is True
    assert [m["data"]["banned"] for m in author.received("question.banned")] == [True]
    before = counts()
    payload = {"session_id": room.session.id, "client_id": "b-1", "text": "Encore ?"}
    assert author.error("question.submit", payload) == "forbidden"
    assert counts() == before
    # The page locks its form on this reason, not on the words of the translated message.
    refusal = author.call("question.submit", {**payload, "client_id": "b-2"})["error"]
    assert refusal["details"] == {"reason": "banned"}


def test_carried_questions_appear_in_the_target_session_with_their_votes(
    room, connect, people, moderator_token
):
    voters = [connect(people.join(room.session.id)["token"]) for _ in range(3)]
    for voter in voters:
        voter.ok("question.upvote", {"question_id": room.question_id})
    later_attendee = connect(people.join(room.later.id)["token"])
    later_attendee.ok("session.join", {"session_id": room.later.id})
    later_attendee.received()
    moved = room.clients["moderator"].ok(
        "question.carry_forward",
        {"session_id": room.session.id, "target_session_id": room.later.id},
    )
    assert moved["moved"] == 2
    live = [m["data"]["question"] for m in later_attendee.received("question.updated")]
    by_origin = {q["carried_from"]["question_id"]: q for q in live}
    assert by_origin[room.question_id]["upvotes"] == 3
    assert by_origin[room.question_id]["carried_from"]["session_title"] == room.session.title
    snapshot = later_attendee.ok("session.join", {"session_id": room.later.id})["snapshot"]
    assert sorted(q["upvotes"] for q in snapshot["questions"]) == [0, 3]
    # The source session's attendees are told the questions left.
    gone = {m["data"]["question_id"] for m in room.clients["attendee"].received("question.removed")}
    assert gone == {room.question_id, room.duplicate_id}


def test_an_action_the_question_no_longer_allows_is_refused_in_the_consoles_words(
    room, connect, moderator_token
):
    """Two moderators, one question: the second one's "approve" comes after the first one's
    "answer". The refusal names the console's button and the question's badge, never the
    protocol's ids ("approve", "answered"), which stay in its details."""
    room.clients["moderator"].ok(
        "question.moderate", {"question_id": room.question_id, "action": "answer"}
    )
    french = connect(moderator_token, headers={"Accept-Language": "fr"})
    answer = french.call(
        "question.moderate", {"question_id": room.question_id, "action": "approve"}
    )
    assert answer["error"]["code"] == "conflict"
    assert answer["error"]["message"] == (
        "«\u00a0Approuver\u00a0» n’est pas possible\u00a0: cette question est répondue."
    )
    assert answer["error"]["details"] == {"action": "approve", "state": "answered"}
    english = connect(moderator_token, headers={"Accept-Language": "en"})
    message = english.call(
        "question.moderate", {"question_id": room.question_id, "action": "approve"}
    )["error"]["message"]
    assert message == "“Approve” is not possible: this question is answered."

"""Poll events over Socket.IO: who may do what, what each one receives, resends, coalescing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from companion.extensions import db
from companion.polls.models import Ballot, Poll
from companion.realtime.coalesce import coalescer

from .conftest import ballots_of, fingerprint, results_of


def in_room(connect, token, session_id):
    client = connect(token)
    client.ok("session.join", {"session_id": session_id})
    client.received()
    return client


@pytest.fixture
def room(connect, join, first_session, moderator_token):
    """A moderator and an attendee in the first session, their joins' messages consumed."""

    class Room:
        moderator = in_room(connect, moderator_token, first_session.id)
        attendee_entry = join(first_session.id, "Léa")
        attendee = in_room(connect, attendee_entry.token, first_session.id)

    return Room


def poll_events(client, name="poll.updated"):
    return [m["data"] for m in client.received(name)]


def any_poll_message(client) -> list[dict]:
    """Every poll.* message received since the last look (presence and the like aside)."""
    return [m for m in client.received() if m["event"].startswith("poll.")]


def test_the_whole_flow_over_sockets(room, first_session):
    created = room.moderator.ok(
        "poll.create",
        {
            "session_id": first_session.id,
            "kind": "single",
            "question": "Où en êtes-vous ?",
            "options": ["Je découvre", "J’en mène une"],
        },
    )["poll"]
    assert created["state"] == "draft"
    assert created["settings"] == {"anonymous": True, "results": "live", "agenda_item_id": None}
    # A draft is for moderators only.
    assert any_poll_message(room.attendee) == []
    assert [p["poll"]["id"] for p in poll_events(room.moderator)] == [created["id"]]

    room.moderator.ok("poll.open", {"poll_id": created["id"]})
    opened = poll_events(room.attendee)
    assert [p["poll"]["state"] for p in opened] == ["open"]
    assert opened[0]["poll"]["results"] == [
        {"option_id": o["id"], "count": 0} for o in created["options"]
    ]

    first = created["options"][0]["id"]
    ack = room.attendee.call(
        "poll.vote", {"poll_id": created["id"], "client_id": "v-1", "answer": {"option_id": first}}
    )
    assert ack == {"ok": True, "data": {"recorded": True}}
    # Nothing is broadcast per vote ...
    assert room.attendee.received("poll.results") == []
    # ... until the coalescer flushes: one poll.results for everyone, with the current seq.
    coalescer.flush()
    got = poll_events(room.attendee, "poll.results")
    assert got == [
        {
            "seq": opened[0]["seq"],
            "poll_id": created["id"],
            "total": 1,
            "results": [
                {"option_id": first, "count": 1},
                {"option_id": created["options"][1]["id"], "count": 0},
            ],
            "public": True,
        }
    ]
    assert len(room.moderator.received("poll.results")) == 1

    closed = room.moderator.ok("poll.close", {"poll_id": created["id"]})["poll"]
    assert closed["state"] == "closed"
    assert poll_events(room.attendee)[-1]["poll"]["total"] == 1
    assert (
        room.attendee.error(
            "poll.vote",
            {"poll_id": created["id"], "client_id": "v-2", "answer": {"option_id": first}},
        )
        == "closed"
    )
    room.moderator.ok("poll.delete", {"poll_id": created["id"]})
    gone = poll_events(room.attendee)[-1]["poll"]
    assert gone == {
        "id": created["id"],
        "session_id": first_session.id,
        "state": "deleted",
        "deleted": True,
    }


def test_a_resend_and_a_changed_ballot_never_count_twice(room, make_poll):
    poll = make_poll("single")
    a, b, _ = (o.id for o in db.session.get(Poll, poll.id).options)
    vote = {"poll_id": poll.id, "client_id": "same-id", "answer": {"option_id": a}}
    first = room.attendee.call("poll.vote", vote)
    again = room.attendee.call("poll.vote", vote)  # a resend after a reconnect
    assert first == again == {"ok": True, "data": {"recorded": True}}
    assert results_of(poll.id) == (
        1,
        [{"option_id": a, "count": 1}, {"option_id": b, "count": 0}, {"option_id": _, "count": 0}],
    )
    room.attendee.ok(
        "poll.vote", {"poll_id": poll.id, "client_id": "changed", "answer": {"option_id": b}}
    )
    # The first client_id resent once more still answers its first result and changes nothing.
    assert room.attendee.call("poll.vote", vote) == first
    total, results = results_of(poll.id)
    assert total == 1
    assert [r["count"] for r in results] == [0, 1, 0]
    assert ballots_of(poll.id) == 1


def test_results_on_reveal_reach_attendees_only_after_the_reveal(room, make_poll, first_session):
    poll = make_poll("rating", results="on_reveal")
    room.attendee.received()
    room.moderator.received()
    room.attendee.ok("poll.vote", {"poll_id": poll.id, "client_id": "r-1", "answer": {"value": 4}})
    coalescer.flush()
    # Moderators see the figures (staff only); the attendee receives nothing at all.
    staff = poll_events(room.moderator, "poll.results")
    assert [(r["total"], r["public"]) for r in staff] == [(1, False)]
    assert any_poll_message(room.attendee) == []
    room.moderator.ok("poll.close", {"poll_id": poll.id})
    closed = poll_events(room.attendee)
    assert [("results" in p["poll"], "total" in p["poll"]) for p in closed] == [(False, False)]
    # The snapshot of a (re)joining attendee holds no results either.
    snapshot = room.attendee.ok("session.join", {"session_id": first_session.id})["snapshot"]
    mine = next(p for p in snapshot["polls"] if p["id"] == poll.id)
    assert "results" not in mine and mine["my_answer"] == {"value": 4}
    room.moderator.ok("poll.reveal", {"poll_id": poll.id})
    revealed = poll_events(room.attendee)[-1]["poll"]
    assert revealed["results"] == {
        "histogram": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0},
        "mean": 4.0,
    }


def test_snapshots_show_drafts_to_moderators_only_and_my_answer_to_me(
    room, make_poll, first_session, connect, moderator_token
):
    quiz = make_poll("quiz")
    draft = make_poll("single", state="draft")
    right = db.session.get(Poll, quiz.id).options[1].id
    room.attendee.ok(
        "poll.vote", {"poll_id": quiz.id, "client_id": "q-1", "answer": {"option_id": right}}
    )
    mine = room.attendee.ok("session.join", {"session_id": first_session.id})["snapshot"]
    seen = {p["id"]: p for p in mine["polls"]}
    assert draft.id not in seen and all(p["state"] != "draft" for p in mine["polls"])
    assert seen[quiz.id]["my_answer"] == {"option_id": right}
    assert "correct_option_id" not in seen[quiz.id]
    assert mine["quiz"] == {"score": 0, "out_of": 0}
    staff = connect(moderator_token).ok("session.join", {"session_id": first_session.id})
    staff_polls = {p["id"]: p for p in staff["snapshot"]["polls"]}
    assert staff_polls[draft.id]["state"] == "draft"
    assert staff_polls[quiz.id]["correct_option_id"] == right
    assert "my_answer" not in staff_polls[quiz.id]
    room.moderator.ok("poll.close", {"poll_id": quiz.id})
    after = room.attendee.ok("session.join", {"session_id": first_session.id})["snapshot"]
    assert after["quiz"] == {"score": 1, "out_of": 1}
    assert next(p for p in after["polls"] if p["id"] == quiz.id)["correct_option_id"] == right


def test_moderator_only_changes_are_not_replayed_to_attendees(
    room, make_poll, first_session, connect
):
    seq = room.attendee.ok("session.join", {"session_id": first_session.id})["seq"]
    poll = make_poll("quiz")  # create (staff), open (room + staff view with the answer)
    replay = connect(room.attendee_entry.token).ok(
        "session.join", {"session_id": first_session.id, "since_seq": seq}
    )
    polls = [e["data"]["poll"] for e in replay["events"] if e["event"] == "poll.updated"]
    assert [p["state"] for p in polls] == ["open"]
    assert "correct_option_id" not in polls[0]
    assert poll.id == polls[0]["id"]


def test_open_answers_are_moderated(room, make_poll):
    poll = make_poll("open")
    room.attendee.ok(
        "poll.vote", {"poll_id": poll.id, "client_id": "o-1", "answer": {"text": "Merci !"}}
    )
    listed = room.moderator.ok("poll.answers", {"poll_id": poll.id})["answers"]
    assert [(a["text"], a["approved"]) for a in listed] == [("Merci !", False)]
    assert "author" not in listed[0]
    coalescer.flush()
    room.attendee.received()
    answer = room.moderator.ok(
        "poll.moderate_answer",
        {"poll_id": poll.id, "answer_id": listed[0]["id"], "action": "approve"},
    )["answer"]
    assert answer["approved"] is True
    coalescer.flush()
    results = poll_events(room.attendee, "poll.results")[-1]["results"]
    assert results == {"count": 1, "answers": [{"id": listed[0]["id"], "text": "Merci !"}]}


def test_editing_a_draft(room, make_poll, first_session):
    poll = make_poll("single", state="draft")
    item = first_session.agenda[1].id
    edited = room.moderator.ok(
        "poll.update",
        {
            "poll_id": poll.id,
            "question": "Nouvelle question ?",
            "settings": {"results": "on_close", "agenda_item_id": item},
        },
    )["poll"]
    assert edited["question"] == "Nouvelle question ?"
    assert edited["agenda_item_id"] == item
    assert edited["settings"]["results"] == "on_close"
    assert any_poll_message(room.attendee) == []


def test_votes_are_coalesced_into_one_broadcast(room, make_poll, first_session, join, connect):
    poll = make_poll("wordcloud")
    voters = [in_room(connect, join(first_session.id).token, first_session.id) for _ in range(8)]
    for i, voter in enumerate(voters):
        voter.ok(
            "poll.vote",
            {"poll_id": poll.id, "client_id": f"w-{i}", "answer": {"words": ["Proximité"]}},
        )
    coalescer.flush()
    for client in [room.attendee, room.moderator, *voters]:
        got = poll_events(client, "poll.results")
        assert [(r["total"], r["results"]) for r in got] == [
            (8, [{"word": "proximité", "count": 8}])
        ]


# ---------------------------------------------------------------- refusals change nothing


def test_attendees_cannot_use_moderator_events(room, make_poll, first_session):
    draft = make_poll("single", state="draft")
    opened = make_poll("open")
    room.attendee.ok(
        "poll.vote", {"poll_id": opened.id, "client_id": "o-1", "answer": {"text": "Mon avis"}}
    )
    ballot = db.session.scalar(select(Ballot.id).where(Ballot.poll_id == opened.id))
    room.attendee.received()
    before = fingerprint()
    for event, payload in [
        ("poll.create", {"session_id": first_session.id, "kind": "open", "question": "Q ?"}),
        ("poll.update", {"poll_id": draft.id, "question": "Piraté ?"}),
        ("poll.open", {"poll_id": draft.id}),
        ("poll.close", {"poll_id": opened.id}),
        ("poll.reveal", {"poll_id": opened.id}),
        ("poll.delete", {"poll_id": opened.id}),
        ("poll.moderate_answer", {"poll_id": opened.id, "answer_id": ballot, "action": "approve"}),
        ("poll.answers", {"poll_id": opened.id}),
        ("poll.leaderboard", {"session_id": first_session.id}),
    ]:
        assert room.attendee.error(event, payload) == "forbidden", event
    assert fingerprint() == before
    assert room.attendee.received("poll.updated") == []


def test_attendee_of_another_session_cannot_vote(room, make_poll, event, join, connect):
    poll = make_poll("single")
    option = db.session.get(Poll, poll.id).options[0].id
    stranger = connect(join(event.sessions[1].id).token)
    before = fingerprint()
    answer = {"poll_id": poll.id, "client_id": "x-1", "answer": {"option_id": option}}
    assert stranger.error("poll.vote", answer) == "forbidden"
    assert room.moderator.error("poll.vote", answer) == "forbidden"  # staff do not vote
    assert fingerprint() == before


MALFORMED_VOTES = [
    {"poll_id": 999_999, "client_id": "n-1", "answer": {"option_id": 1}},
    {"poll_id": "1", "client_id": "n-2", "answer": {"option_id": 1}},
    {"poll_id": 1, "answer": {"option_id": 1}},
    {"poll_id": 1, "client_id": "n-3", "answer": "oui"},
    {"poll_id": 1, "client_id": "n-4", "answer": {"option_id": 1}, "extra": 1},
    {"poll_id": 1, "client_id": "", "answer": {"option_id": 1}},
    None,
    [1, 2],
]


def test_malformed_votes_change_nothing(room, make_poll):
    make_poll("single")
    before = fingerprint()
    for payload in MALFORMED_VOTES:
        answer = room.attendee.call("poll.vote", payload)
        assert answer["ok"] is False, payload
        assert answer["error"]["code"] in ("invalid", "not_found"), payload
    assert fingerprint() == before


def test_invalid_answer_over_sockets_stores_nothing(room, make_poll):
    poll = make_poll("ranking")
    options = [o.id for o in db.session.get(Poll, poll.id).options]
    before = fingerprint()
    code = room.attendee.error(
        "poll.vote",
        {"poll_id": poll.id, "client_id": "bad", "answer": {"option_ids": options[:2]}},
    )
    assert code == "invalid"
    assert fingerprint() == before
    # The refused client_id left no receipt: once fixed, the same id is accepted.
    room.attendee.ok(
        "poll.vote", {"poll_id": poll.id, "client_id": "bad", "answer": {"option_ids": options}}
    )
    assert ballots_of(poll.id) == 1


def test_moderator_errors_name_the_problem(room, make_poll, first_session):
    draft = make_poll("single", state="draft")
    before = fingerprint()
    assert room.moderator.error("poll.close", {"poll_id": draft.id}) == "conflict"
    assert room.moderator.error("poll.reveal", {"poll_id": draft.id}) == "conflict"
    assert room.moderator.error("poll.open", {"poll_id": 999_999}) == "not_found"
    bad = {"session_id": first_session.id, "kind": "quiz", "question": "Q ?", "options": ["A", "B"]}
    answer = room.moderator.call("poll.create", bad)
    assert answer["error"]["code"] == "invalid" and "correct" in answer["error"]["message"]
    assert room.moderator.error("poll.create", {**bad, "kind": "survey"}) == "invalid"
    assert fingerprint() == before

"""Joins served from the shared parts and the replay tail: never stale, never another's data."""

from __future__ import annotations

from companion.extensions import db
from companion.participants.tokens import actor_from_token
from companion.programme.models import LiveSession
from companion.realtime.snapshot import SharedParts
from tests.views import polls_seen_by, questions_seen_by, quiz_score


def _join(client, session_id: int, since_seq: int | None = None) -> dict:
    payload = {"session_id": session_id}
    if since_seq is not None:
        payload["since_seq"] = since_seq
    return client.ok("session.join", payload)


def _open_poll(moderator, session_id: int, **settings) -> dict:
    poll = moderator.ok(
        "poll.create",
        {
            "session_id": session_id,
            "kind": "single",
            "question": "Où en êtes-vous ?",
            "options": ["Je découvre", "J’en mène une"],
            "settings": settings,
        },
    )["poll"]
    moderator.ok("poll.open", {"poll_id": poll["id"]})
    return poll


def test_a_join_after_a_change_of_state_sees_it(connect, join, first_session, moderator_token):
    sid = first_session.id
    item_id = first_session.agenda[2].id
    moderator = connect(moderator_token)
    moderator.ok("session.start", {"session_id": sid})
    before = _join(connect(join(sid).token), sid)  # fills the shared parts at this seq
    moderator.ok("agenda.advance", {"session_id": sid, "agenda_item_id": item_id})
    poll = _open_poll(moderator, sid)
    moderator.ok("question.settings", {"session_id": sid, "premoderation": True})

    after = _join(connect(join(sid).token), sid)
    assert after["seq"] > before["seq"]
    snapshot = after["snapshot"]
    assert snapshot["session"]["current_agenda_item_id"] == item_id
    assert snapshot["floor"]["agenda_item_id"] == item_id
    assert [p["id"] for p in snapshot["polls"]] == [poll["id"]]
    assert snapshot["polls"][0]["state"] == "open"
    assert snapshot["question_settings"]["premoderation"] is True


def test_a_join_after_votes_sees_the_current_figures_though_no_seq_moved(
    connect, join, first_session, moderator_token
):
    sid = first_session.id
    moderator = connect(moderator_token)
    moderator.ok("session.start", {"session_id": sid})
    poll = _open_poll(moderator, sid, results="live")
    first_option = poll["options"][0]["id"]
    author = connect(join(sid).token)
    question_id = author.ok(
        "question.submit", {"session_id": sid, "client_id": "q-1", "text": "Quel budget ?"}
    )["question"]["id"]
    seq = _join(connect(join(sid).token), sid)["seq"]  # fills the shared parts at this seq

    voters = [connect(join(sid).token) for _ in range(3)]
    for number, voter in enumerate(voters):
        voter.ok(
            "poll.vote",
            {
                "poll_id": poll["id"],
                "client_id": f"v-{number}",
                "answer": {"option_id": first_option},
            },
        )
        voter.ok("question.upvote", {"question_id": question_id})

    late = _join(connect(join(sid).token), sid)
    assert late["seq"] == seq  # votes move figures, not the seq
    [shown] = late["snapshot"]["polls"]
    assert shown["total"] == 3
    assert {r["option_id"]: r["count"] for r in shown["results"]}[first_option] == 3
    assert shown["my_answer"] is None
    [question] = late["snapshot"]["questions"]
    assert (question["upvotes"], question["voted"], question["mine"]) == (3, False, False)

    voter_view = _join(voters[0], sid)["snapshot"]
    assert voter_view["polls"][0]["my_answer"] == {"option_id": first_option}
    assert voter_view["questions"][0]["voted"] is True


def test_the_shared_parts_never_show_another_ones_data_nor_staff_parts(
    app, connect, join, first_session, moderator_token
):
    sid = first_session.id
    moderator = connect(moderator_token)
    moderator.ok("session.start", {"session_id": sid})
    moderator.ok(
        "question.settings",
        {"session_id": sid, "premoderation": True, "profanity_words": ["zut"]},
    )
    draft = moderator.ok(
        "poll.create",
        {"session_id": sid, "kind": "single", "question": "Brouillon ?", "options": ["a", "b"]},
    )["poll"]
    poll = _open_poll(moderator, sid, results="live")
    author_entry = join(sid, "Autrice")
    author = connect(author_entry.token)
    pending = author.ok(
        "question.submit", {"session_id": sid, "client_id": "q-1", "text": "En attente ?"}
    )["question"]
    author.ok(
        "poll.vote",
        {
            "poll_id": poll["id"],
            "client_id": "v-1",
            "answer": {"option_id": poll["options"][1]["id"]},
        },
    )
    staff_view = _join(moderator, sid)["snapshot"]  # the staff's shared parts first
    mine = _join(author, sid)["snapshot"]
    other_entry = join(sid, "Autre")
    other = _join(connect(other_entry.token), sid)["snapshot"]

    assert {draft["id"], poll["id"]} <= {p["id"] for p in staff_view["polls"]}
    assert [q["id"] for q in staff_view["questions"]] == [pending["id"]]
    assert staff_view["projector"] is not None
    assert staff_view["question_settings"]["profanity_words"] == ["zut"]

    assert [(q["id"], q["mine"]) for q in mine["questions"]] == [(pending["id"], True)]
    assert mine["polls"][0]["my_answer"] == {"option_id": poll["options"][1]["id"]}

    assert other["questions"] == []
    assert [p["id"] for p in other["polls"]] == [poll["id"]]
    assert other["polls"][0]["my_answer"] is None
    assert other["projector"] is None
    assert "profanity_words" not in other["question_settings"]
    assert other["quiz"] == {"score": 0, "out_of": 0}
    assert other["you"]["name"] == "Autre"

    # What the cache answered is what the uncached presenters say, actor by actor.
    session = db.session.get(LiveSession, sid)
    for entry, snapshot in ((author_entry, mine), (other_entry, other)):
        actor = actor_from_token(entry.token)
        assert snapshot["polls"] == polls_seen_by(session, actor)
        assert snapshot["questions"] == questions_seen_by(session, actor)
        assert snapshot["quiz"] == quiz_score(sid, actor.participant_id)


def test_replay_reads_past_its_tail_and_filters_by_audience(
    connect, join, first_session, moderator_token
):
    sid = first_session.id
    items = [item.id for item in first_session.agenda[:2]]
    moderator = connect(moderator_token)
    moderator.ok("session.start", {"session_id": sid})
    since = _join(moderator, sid)["seq"]
    moderator.ok("agenda.advance", {"session_id": sid, "agenda_item_id": items[0]})
    moderator.ok(
        "poll.create",
        {"session_id": sid, "kind": "single", "question": "Brouillon ?", "options": ["a", "b"]},
    )
    early = _join(connect(join(sid).token), sid, since)
    assert sorted(e["event"] for e in early["events"]) == ["agenda.updated", "floor.updated"]

    moderator.ok("agenda.advance", {"session_id": sid, "agenda_item_id": items[1]})
    late = _join(connect(join(sid).token), sid, since)
    assert late["seq"] > early["seq"]
    advanced = [
        e["data"]["agenda_item_id"] for e in late["events"] if e["event"] == "agenda.updated"
    ]
    assert advanced == items
    seqs = [e["data"]["seq"] for e in late["events"]]
    assert seqs == sorted(seqs) and seqs[-1] == late["seq"]

    staff = _join(connect(moderator_token), sid, since)
    assert "poll.updated" in [e["event"] for e in staff["events"]]
    assert [e["data"]["seq"] for e in staff["events"]] == list(range(since + 1, staff["seq"] + 1))


def test_shared_parts_keep_the_latest_seq_and_serve_no_older_join():
    parts = SharedParts(sessions=2)
    assert parts.get(1, 5, "k", lambda: "at 5") == "at 5"
    assert parts.get(1, 5, "k", lambda: "again") == "at 5"
    assert parts.get(1, 4, "k", lambda: "at 4") == "at 4"  # an older join builds for itself
    assert parts.get(1, 5, "k", lambda: "again") == "at 5"
    assert parts.get(1, 6, "k", lambda: "at 6") == "at 6"
    parts.get(2, 0, "k", lambda: "two")
    parts.get(3, 0, "k", lambda: "three")  # two sessions at most: the oldest goes
    assert parts.get(1, 6, "k", lambda: "rebuilt") == "rebuilt"
    expired = SharedParts(ttl_s=-1.0)
    expired.get(1, 5, "k", lambda: "first")
    assert expired.get(1, 5, "k", lambda: "fresh") == "fresh"

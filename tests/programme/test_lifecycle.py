"""The end is the end: session.end closes everything, later contributions answer ``closed``
and change nothing, and session.reopen undoes exactly what the end closed (logged)."""

from __future__ import annotations

from sqlalchemy import func, select

from companion.extensions import db
from companion.floor.models import FloorRequest
from companion.polls.models import Ballot, Poll, PollState, PollTally
from companion.programme.models import LiveSession, SessionLogEntry
from companion.questions.models import Question, QuestionVote
from companion.realtime.models import ClientReceipt, SessionBroadcast


def in_room(connect, token, session_id, **headers):
    client = connect(token, headers=headers) if headers else connect(token)
    client.ok("session.join", {"session_id": session_id})
    client.received()
    return client


def everything(session_id: int) -> dict:
    """Every row a contribution could add or change: a refusal must leave them all as they are."""
    db.session.expire_all()
    tables = (Poll, Ballot, PollTally, Question, QuestionVote, FloorRequest, SessionBroadcast)
    rows = {m.__tablename__: db.session.scalar(select(func.count()).select_from(m)) for m in tables}
    rows["receipts"] = db.session.scalar(select(func.count()).select_from(ClientReceipt))
    rows["tallies"] = sorted(
        db.session.execute(select(PollTally.poll_id, PollTally.key, PollTally.count))
    )
    rows["polls"] = sorted((p.id, p.state.value) for p in db.session.scalars(select(Poll)))
    rows["questions"] = sorted(
        (q.id, q.upvotes, q.state.value) for q in db.session.scalars(select(Question))
    )
    rows["hands"] = sorted(
        (r.id, r.removed_at is None, r.withdrawn_at is None)
        for r in db.session.scalars(select(FloorRequest))
    )
    rows["seq"] = db.session.get(LiveSession, session_id).seq
    return rows


def _summary_figures(session_id: int) -> dict:
    """What the session's summary counts: ballots per poll, questions, upvotes, hands."""
    from companion.summaries.session_summary import build_session_summary

    db.session.expire_all()
    summary = build_session_summary(db.session.get(LiveSession, session_id))
    return {
        "final": summary["final"],
        "polls": [(p["question"], p["total"]) for p in summary["polls"]],
        "participation": {
            k: summary["participation"][k] for k in ("questions", "ballots", "upvotes")
        },
    }


def _live_room(connect, join, first_session, moderator_token):
    moderator = in_room(connect, moderator_token, first_session.id)
    moderator.ok("session.start", {"session_id": first_session.id})
    lea = join(first_session.id, "Léa")
    attendee = in_room(connect, lea.token, first_session.id)
    hugo = in_room(connect, join(first_session.id, "Hugo").token, first_session.id)
    return moderator, attendee, hugo


def _poll(moderator, session_id, question="Où en êtes-vous ?", open_=True):
    poll = moderator.ok(
        "poll.create",
        {
            "session_id": session_id,
            "kind": "single",
            "question": question,
            "options": ["Je découvre", "J’en mène une"],
        },
    )["poll"]
    if open_:
        moderator.ok("poll.open", {"poll_id": poll["id"]})
    return poll


def test_end_closes_polls_floor_and_contributions_then_reopen_undoes_it(
    connect, join, first_session, moderator_token
):
    sid = first_session.id
    moderator, attendee, hugo = _live_room(connect, join, first_session, moderator_token)
    poll = _poll(moderator, sid)
    draft = _poll(moderator, sid, "Et ensuite ?", open_=False)
    option = poll["options"][0]["id"]
    attendee.ok(
        "poll.vote", {"poll_id": poll["id"], "client_id": "v1", "answer": {"option_id": option}}
    )
    question = attendee.ok(
        "question.submit", {"session_id": sid, "client_id": "q1", "text": "Quel budget pour 2021 ?"}
    )["question"]
    assert question["state"] == "approved"  # no pre-moderation in the seed
    hand = hugo.ok("floor.request", {"session_id": sid, "client_id": "h1", "kind": "contribution"})
    for client in (moderator, attendee, hugo):
        client.received()

    ended = moderator.ok("session.end", {"session_id": sid})["session"]
    assert ended["status"] == "ended" and ended["ended_at"]

    # The room hears the poll closed with its final tally, the floor ended and the list closed.
    got = attendee.received()
    polls = [m["data"]["poll"] for m in got if m["event"] == "poll.updated"]
    assert [(p["id"], p["state"], p["total"]) for p in polls] == [(poll["id"], "closed", 1)]
    floors = [m["data"]["floor"] for m in got if m["event"] == "floor.updated"]
    assert floors[-1]["list_open"] is False and floors[-1]["queue"] == []
    updates = [m["data"] for m in got if m["event"] == "session.updated"]
    assert updates[-1]["session"]["status"] == "ended"
    assert [m["event"] for m in got][-1] == "session.updated"

    # Afterwards every contribution answers closed and changes nothing, the summary included.
    summary_before = _summary_figures(sid)
    assert summary_before["final"] is True
    before = everything(first_session.id)
    assert (
        attendee.error(
            "poll.vote", {"poll_id": poll["id"], "client_id": "v2", "answer": {"option_id": option}}
        )
        == "closed"
    )
    assert (
        attendee.error(
            "question.submit",
            {"session_id": sid, "client_id": "q2", "text": "Une autre question ?"},
        )
        == "closed"
    )
    assert hugo.error("question.upvote", {"question_id": question["id"]}) == "closed"
    assert hugo.error("question.unvote", {"question_id": question["id"]}) == "closed"
    assert (
        attendee.error(
            "floor.request", {"session_id": sid, "client_id": "h2", "kind": "contribution"}
        )
        == "closed"
    )
    assert moderator.error("poll.open", {"poll_id": draft["id"]}) == "closed"
    assert moderator.error("poll.open", {"poll_id": poll["id"]}) == "closed"
    assert moderator.error("session.end", {"session_id": sid}) == "conflict"
    assert everything(first_session.id) == before
    assert _summary_figures(sid) == summary_before
    hugo.received()
    assert attendee.received("poll.updated") == [] and attendee.received("question.updated") == []

    # Reopen: live again, the poll the end closed is open, the hand is back in the queue.
    reopened = moderator.ok("session.reopen", {"session_id": sid})["session"]
    assert reopened["status"] == "live" and reopened["ended_at"] is None
    got = hugo.received()
    assert [m["data"]["session"]["status"] for m in got if m["event"] == "session.updated"] == [
        "live"
    ]
    assert [m["data"]["poll"]["state"] for m in got if m["event"] == "poll.updated"] == ["open"]
    floor = [m["data"]["floor"] for m in got if m["event"] == "floor.updated"][-1]
    assert floor["list_open"] is True
    assert [r["request_id"] for r in floor["queue"]] == [hand["request_id"]]
    db.session.expire_all()
    assert db.session.get(Poll, draft["id"]).state == PollState.DRAFT  # only what the end closed
    attendee.ok(
        "poll.vote", {"poll_id": poll["id"], "client_id": "v3", "answer": {"option_id": option}}
    )
    assert moderator.error("session.reopen", {"session_id": sid}) == "conflict"

    log = db.session.scalars(
        select(SessionLogEntry)
        .where(SessionLogEntry.session_id == sid)
        .order_by(SessionLogEntry.id)
    ).all()
    assert [entry.action for entry in log] == ["start", "end", "reopen"]
    assert log[1].details["closed_polls"] == [poll["id"]]
    assert log[1].details["removed_requests"] == [hand["request_id"]]
    assert log[2].details["reopened_polls"] == [poll["id"]]
    assert all(entry.staff_id is not None and entry.actor_name for entry in log)


def test_attendees_cannot_reopen_and_the_refusal_changes_nothing(
    connect, join, first_session, moderator_token
):
    moderator, attendee, _ = _live_room(connect, join, first_session, moderator_token)
    moderator.ok("session.end", {"session_id": first_session.id})
    before = everything(first_session.id)
    assert attendee.error("session.reopen", {"session_id": first_session.id}) == "forbidden"
    assert attendee.error("session.end", {"session_id": first_session.id}) == "forbidden"
    assert moderator.error("session.reopen", {"session_id": 999_999}) == "not_found"
    assert everything(first_session.id) == before


def test_closed_answers_come_in_the_connections_language(
    connect, join, first_session, moderator_token
):
    sid = first_session.id
    moderator, _, _ = _live_room(connect, join, first_session, moderator_token)
    token = join(sid, "Chloé").token
    french = in_room(connect, token, sid, **{"Accept-Language": "fr-FR,fr;q=0.9"})
    english = in_room(connect, token, sid, **{"Accept-Language": "en-GB,en;q=0.8"})
    moderator.ok("session.end", {"session_id": sid})
    payload = {"session_id": sid, "client_id": "x", "text": "Trop tard ?"}
    fr = french.call("question.submit", payload)["error"]
    en = english.call("question.submit", {**payload, "client_id": "y"})["error"]
    assert fr["code"] == en["code"] == "closed"
    assert fr["message"] == "Cette session est terminée\u00a0; les questions sont closes."
    assert en["message"] == "This session has ended; questions are closed."
    hand = {"session_id": sid, "client_id": "z", "kind": "contribution"}
    assert french.call("floor.request", hand)["error"]["message"] == "Cette session est terminée."


def test_the_session_log_over_http_is_for_staff(
    http, connect, join, first_session, moderator_token
):
    sid = first_session.id
    moderator, _, _ = _live_room(connect, join, first_session, moderator_token)
    moderator.ok("session.end", {"session_id": sid})
    moderator.ok("session.reopen", {"session_id": sid})
    staff = {"Authorization": f"Bearer {moderator_token}"}
    log = http.get(f"/api/v1/sessions/{sid}/log", headers=staff)
    assert log.status_code == 200
    entries = log.get_json()["entries"]
    assert [e["action"] for e in entries] == ["start", "end", "reopen"]
    assert entries[1]["details"] == {
        "closed_polls": [],
        "closed_list": True,
        "removed_requests": [],
    }
    assert entries[2]["details"]["reopened_list"] is True
    assert entries[0]["at"].endswith(("+01:00", "+02:00"))
    attendee = join(sid, "Zoé")
    refused = http.get(
        f"/api/v1/sessions/{sid}/log",
        headers={"Authorization": f"Bearer {attendee.token}", "Accept-Language": "fr"},
    )
    assert refused.status_code == 403
    assert http.get("/api/v1/sessions/999999/log", headers=staff).status_code == 404

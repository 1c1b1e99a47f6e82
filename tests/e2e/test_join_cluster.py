"""Joins on one process after changes through another: shared parts and replay tails follow."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_a_change_through_one_process_is_in_a_join_on_the_other(cluster, make_client):
    one, two = cluster
    sid = one.programme()["sessions"][0]["id"]
    moderator = make_client(one, one.login())
    moderator.call("session.start", {"session_id": sid})  # the demo may have started it
    moderator.ok("session.join", {"session_id": sid})
    # Process two fills its shared parts and its replay tail at this seq.
    first = make_client(two, two.attendee(sid, "Léa")).ok("session.join", {"session_id": sid})
    make_client(two, two.attendee(sid, "Marc")).ok(
        "session.join", {"session_id": sid, "since_seq": first["seq"]}
    )

    poll = moderator.ok(
        "poll.create",
        {
            "session_id": sid,
            "kind": "single",
            "question": "Vous nous entendez ?",
            "options": ["Oui", "Non"],
            "settings": {"results": "live"},
        },
    )["poll"]
    moderator.ok("poll.open", {"poll_id": poll["id"]})
    voter = make_client(one, one.attendee(sid, "Nina"))
    yes = poll["options"][0]["id"]
    voter.ok("poll.vote", {"poll_id": poll["id"], "client_id": "v-1", "answer": {"option_id": yes}})

    late = make_client(two, two.attendee(sid, "Paul")).ok("session.join", {"session_id": sid})
    assert late["seq"] > first["seq"]
    [shown] = [p for p in late["snapshot"]["polls"] if p["id"] == poll["id"]]
    assert shown["state"] == "open"
    assert shown["total"] == 1  # a figure: no seq moved for it

    rejoined = make_client(two, two.attendee(sid, "Rémi")).ok(
        "session.join", {"session_id": sid, "since_seq": first["seq"]}
    )
    replayed = [
        e["data"]["poll"]["state"] for e in rejoined["events"] if e["event"] == "poll.updated"
    ]
    assert replayed == ["open"]  # the draft went to staff only
    assert rejoined["seq"] == late["seq"]

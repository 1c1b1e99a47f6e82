"""A participant removed through one process is cut off on the other within a second."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.e2e


def test_a_participant_removed_on_one_process_is_cut_off_on_the_other(cluster, make_client):
    one, two = cluster
    sid = one.programme()["sessions"][0]["id"]
    moderator = make_client(one, one.login())
    moderator.ok("session.join", {"session_id": sid})
    token = two.attendee(sid, "Troll")
    troll = make_client(two, token)
    joined = troll.ok("session.join", {"session_id": sid})
    # A second event of the same connection: process two now holds the actor in its cache.
    troll.ok("session.join", {"session_id": sid, "since_seq": joined["seq"]})
    participant_id = two.api("/auth/me", token=token).json()["id"]

    moderator.ok("participant.remove", {"session_id": sid, "participant_id": participant_id})
    removed_at = time.monotonic()
    deadline = removed_at + 1.0
    while troll.sio.connected and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not troll.sio.connected, "process two kept the removed participant's socket open"
    refused = two.api("/auth/me", token=token)
    assert refused.status_code == 403, refused.text  # told why, not only that the token is stale

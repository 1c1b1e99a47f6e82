"""A process killed with -9 in the middle of a vote and question burst loses nothing.

Attendees reach two processes through a load balancer. One process is killed mid-burst; its
clients reconnect through the balancer to the survivor, resend what was not acknowledged with
the same client_id, and resync through since_seq. Every acknowledged contribution is in the
database exactly once, and so is every contribution that was resent.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import socketio
from sqlalchemy import create_engine, text

from tests.e2e.balancer import Balancer

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("crowd")]

ATTENDEES = 40


class ResendingAttendee:
    """What the attendee page does: keep contributions until acked, resend after reconnect."""

    def __init__(self, url: str, token: str, session_id: int):
        self.url, self.token, self.session_id = url, token, session_id
        self.outbox: dict[str, tuple[str, dict]] = {}
        self.acked: dict[str, dict] = {}
        self.seq = 0
        self.lock = threading.Lock()
        self.client: socketio.Client | None = None

    def connect(self) -> None:
        self.client = socketio.Client(reconnection=False)
        self.client.connect(
            self.url, auth={"token": self.token}, transports=["websocket"], wait_timeout=10
        )
        join = {"session_id": self.session_id}
        if self.seq:
            join["since_seq"] = self.seq
        answer = self.client.call("session.join", join, timeout=10)
        assert answer["ok"], answer
        self.seq = answer["data"]["seq"]

    def contribute(self, event: str, payload: dict) -> None:
        client_id = uuid.uuid4().hex
        with self.lock:
            self.outbox[client_id] = (event, {**payload, "client_id": client_id})
        self._send(client_id)

    def _send(self, client_id: str) -> None:
        event, payload = self.outbox[client_id]
        try:
            answer = self.client.call(event, payload, timeout=5)
        except Exception:  # disconnected or no ack: keep it for the resend
            return
        if answer.get("ok"):
            with self.lock:
                self.acked[client_id] = answer["data"]
                self.outbox.pop(client_id, None)

    def recover(self) -> None:
        if self.client is not None and self.client.connected:
            self.client.disconnect()
        for _ in range(50):
            try:
                self.connect()
                break
            except Exception:
                time.sleep(0.2)
        for client_id in list(self.outbox):
            self._send(client_id)


def test_kill_9_mid_burst_loses_and_duplicates_nothing(cluster, make_client):
    doomed, survivor = cluster
    balancer = Balancer([doomed.port, survivor.port])
    try:
        session = survivor.programme()["sessions"][0]
        moderator = make_client(survivor, survivor.login())
        moderator.ok("session.join", {"session_id": session["id"]})
        moderator.ok("session.start", {"session_id": session["id"]})
        poll = moderator.ok(
            "poll.create",
            {
                "session_id": session["id"],
                "kind": "single",
                "question": "Avez-vous déjà mené une expérimentation ?",
                "options": ["Oui", "Non", "En projet"],
            },
        )["poll"]
        moderator.ok("poll.open", {"poll_id": poll["id"]})

        attendees = []
        for index in range(ATTENDEES):
            person = ResendingAttendee(
                balancer.url, doomed.attendee(session["id"], f"P{index}"), session["id"]
            )
            person.connect()
            attendees.append(person)

        def burst(person: ResendingAttendee, index: int) -> None:
            option = poll["options"][index % 3]["id"]
            person.contribute("poll.vote", {"poll_id": poll["id"], "answer": {"option_id": option}})
            person.contribute(
                "question.submit",
                {
                    "session_id": session["id"],
                    "text": f"Question {index} : comment évaluer ?",
                    "anonymous": index % 2 == 0,
                },
            )

        threads = [threading.Thread(target=burst, args=(p, i)) for i, p in enumerate(attendees)]
        for index, thread in enumerate(threads):
            thread.start()
            if index == ATTENDEES // 2:
                doomed.kill()  # kill -9 in the middle of the burst
        for thread in threads:
            thread.join(30)
        assert doomed.proc.poll() is not None

        for person in attendees:
            person.recover()
        unacked = [p for p in attendees if p.outbox]
        assert unacked == []

        engine = create_engine(survivor.env["COMPANION_DATABASE_URL"])
        with engine.connect() as db:
            ballots = db.execute(
                text("SELECT count(*) FROM ballots WHERE poll_id = :p"), {"p": poll["id"]}
            ).scalar()
            questions = db.execute(
                text("SELECT count(*) FROM questions WHERE session_id = :s"), {"s": session["id"]}
            ).scalar()
            receipts = db.execute(
                text("SELECT count(*), count(DISTINCT client_id) FROM client_receipts")
            ).one()
        engine.dispose()
        assert ballots == ATTENDEES
        assert questions == ATTENDEES
        assert receipts[0] == receipts[1] == 2 * ATTENDEES
        # Every acknowledged question is the one in the database, exactly once.
        acked_questions = {
            data["question"]["id"]
            for person in attendees
            for data in person.acked.values()
            if "question" in data
        }
        assert len(acked_questions) == ATTENDEES
        # The survivor's tally agrees with the ballots once the coalesced results go out.
        final = moderator.wait_for(
            lambda events: [
                d
                for _, e, d in events
                if e == "poll.results" and d["poll_id"] == poll["id"] and d["total"] == ATTENDEES
            ],
            timeout=10,
        )
        assert sum(r["count"] for r in final[-1]["results"]) == ATTENDEES
    finally:
        balancer.close()

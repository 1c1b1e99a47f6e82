"""The bench's scenarios after the join, the soak and the relay baseline (mixed into ``Bench``).

Each scenario drives the load generators and the moderator through one burst, waits until every
attendee saw what it must, and writes its figures into ``self.f``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

import psutil

from .control import log, percentile, split
from .servers import BenchError, Server

RELAY_ROOM = "bench"


class Scenarios:
    """``scenario_<name>`` methods, ``soak`` and ``baseline``; ``Bench`` holds the state."""

    async def scenario_poll(self) -> None:
        """Everyone votes in a single-choice poll within ``burst_s``; the tally reaches all."""
        created = await self.moderator.call(
            "poll.create",
            {
                "session_id": self.session_id,
                "kind": "single",
                "question": "Quel format pour la prochaine rencontre ?",
                "options": ["En présentiel", "En ligne", "Les deux"],
                "settings": {"results": "live"},
            },
        )
        poll = created["poll"]
        option_ids = [option["id"] for option in poll["options"]]
        await self.gens.call("track", 30, tracker="values", kind="poll_total", poll_id=poll["id"])
        await self.moderator.call("poll.open", {"poll_id": poll["id"]})
        start_at = time.time() + 0.3
        # Scraped before the CPU clock starts: rendering /metrics is the bench's cost, not a vote's.
        commits0 = self.group_commits()
        cpu0 = self.cpu(self.servers)
        answers = await self.gens.call(
            "vote",
            timeout=60 + self.o.attendees * 0.05,
            poll_id=poll["id"],
            option_ids=option_ids,
            start_at=start_at,
            spread=self.o.burst_s,
        )
        acked = sum(a["acks"] for a in answers)
        if acked:
            self.f["vote_cpu_ms_each"] = round((self.cpu(self.servers) - cpu0) * 1e3 / acked, 2)
            commits = self.group_commits() - commits0
            self.f["votes_per_commit"] = round(acked / commits, 1) if commits else None
        self._errors("poll.vote", answers)
        self.f["poll_votes_acked"] = acked
        missing = await self._settle_burst(
            answers, acked, "poll_burst_acked_s", "final_tally_s", "vote"
        )
        log(
            f"poll: {acked} votes acked in {self.f['poll_burst_acked_s']}s, tally everywhere "
            f"{self.f.get('final_tally_s')}s after the last ack, {missing} never saw it"
        )
        await self.moderator.call("poll.close", {"poll_id": poll["id"]})

    async def scenario_question(self) -> None:
        """A share of attendees ask at once; every question reaches everyone (the fan-out)."""
        count = max(1, round(self.o.attendees * self.o.question_share))
        shares = split(count, self.o.generators)
        mark = len(self.moderator.events)
        await self.gens.call("track", 30, tracker="keys", kind="questions")
        cpu0, gen0, wall0 = self.cpu(self.servers), self.gens.cpu_s(), time.time()
        answers = await self.gens.call(
            "ask",
            timeout=60 + count * 0.2,
            each=lambda i: {"count": shares[i]},
            session_id=self.session_id,
            start_at=time.time() + 0.3,
            spread=self.o.burst_s,
        )
        self._errors("question.submit", answers)
        # This burst's questions only: a soak repeats the scenario with the tracker reset.
        asked: dict[int, float] = {}
        for answer in answers:
            asked.update(answer["questions"])
        self.questions.update(asked)
        waited = await self.gens.call(
            "wait",
            self.wait_timeout() + 10,
            within=self.wait_timeout(),
            expected=list(asked),
        )
        cpu1, gen1, wall1 = self.cpu(self.servers), self.gens.cpu_s(), time.time()
        # Whether the generators kept up: their CPU next to the server's over the same wall time.
        self.f["question_wall_s"] = round(wall1 - wall0, 2)
        self.f["question_server_cpu_s"] = round(cpu1 - cpu0, 2)
        self.f["question_generators_cpu_s"] = round(gen1 - gen0, 2)
        deliveries = sum(w["received"] for w in waited)
        latencies = [
            (arrival - asked[qid]) * 1000
            for w in waited
            for qid, arrivals in w["arrivals"].items()
            for arrival in arrivals
        ]
        missing = sum(w["missing"] for w in waited)
        self.run.lost += missing
        self.f["questions"] = len(asked)
        self.f["deliveries"] = deliveries
        self.f["fanout_p50_ms"] = _ms(percentile(latencies, 0.5))
        self.f["fanout_p99_ms"] = _ms(percentile(latencies, 0.99))
        if deliveries:
            self.f["cpu_us_per_delivery"] = round((cpu1 - cpu0) * 1e6 / deliveries, 1)
        self.relay_payload = self._public_question(mark)
        log(
            f"question: {len(asked)} asked, {deliveries} deliveries, p50 "
            f"{self.f['fanout_p50_ms']} ms p99 {self.f['fanout_p99_ms']} ms, "
            f"{self.f.get('cpu_us_per_delivery')} µs CPU each, {missing} lost"
        )

    async def scenario_upvote(self) -> None:
        """Everyone upvotes one question within ``burst_s``; the exact count reaches everyone."""
        if not self.questions:
            answers = await self.gens.call(
                "ask",
                timeout=60,
                each=lambda i: {"count": 1 if i == 0 else 0},
                session_id=self.session_id,
                start_at=time.time(),
                spread=0.0,
            )
            self._errors("question.submit", answers)
            for answer in answers:
                self.questions.update(answer["questions"])
        question_id = min(self.questions)
        await self.gens.call("track", 30, tracker="values", kind="upvotes", question_id=question_id)
        answers = await self.gens.call(
            "upvote",
            timeout=60 + self.o.attendees * 0.05,
            question_id=question_id,
            start_at=time.time() + 0.3,
            spread=self.o.burst_s,
        )
        self._errors("question.upvote", answers)
        acked = sum(a["acks"] for a in answers)
        missing = await self._settle_burst(
            answers, acked, "upvote_acked_s", "upvote_final_s", "upvote"
        )
        log(
            f"upvote: {acked} acked in {self.f['upvote_acked_s']}s, exact count everywhere "
            f"{self.f.get('upvote_final_s')}s after the last ack, {missing} never saw it"
        )

    async def scenario_floor(self) -> None:
        """Attendees raise hands, the moderator hands the floor over; everyone sees each change."""
        handovers = self.o.handovers
        mark = len(self.moderator.events)
        await self.gens.call("track", 30, tracker="keys", kind="floor")
        answers = await self.gens.call(
            "floor_request",
            timeout=60,
            each=lambda i: {"count": split(handovers, self.o.generators)[i]},
            session_id=self.session_id,
            start_at=time.time() + 0.2,
        )
        self._errors("floor.request", answers)
        await asyncio.sleep(0.5)
        sends: list[float] = []
        for _ in range(handovers):
            sends.append(time.time())
            await self.moderator.call("floor.next", {"session_id": self.session_id})
            await asyncio.sleep(0.3)
        sends.append(time.time())
        await self.moderator.call("floor.end", {"session_id": self.session_id})
        await asyncio.sleep(1.0)  # the moderator's own copy of the last change
        updates = [
            (t, data["seq"])
            for t, name, data in self.moderator.events[mark:]
            if name == "floor.updated" and isinstance(data, dict) and "seq" in data
        ]
        expected = sorted({seq for _, seq in updates})
        # The change a command caused: the first floor.updated the moderator sees after it.
        caused: dict[int, float] = {}
        for sent in sends:
            after = [seq for t, seq in updates if t >= sent and seq not in caused]
            if after:
                caused[after[0]] = sent
        waited = await self.gens.call(
            "wait", self.wait_timeout() + 10, within=self.wait_timeout(), expected=expected
        )
        missing = sum(w["missing"] for w in waited)
        latencies = [
            (arrival - caused[seq]) * 1000
            for w in waited
            for seq, arrivals in w["arrivals"].items()
            if seq in caused
            for arrival in arrivals
        ]
        self.run.lost += missing
        self.f["floor_updates"] = len(expected)
        self.f["floor_p50_ms"] = _ms(percentile(latencies, 0.5))
        self.f["floor_p99_ms"] = _ms(percentile(latencies, 0.99))
        log(
            f"floor: {handovers} handovers, {len(expected)} floor.updated each, p50 "
            f"{self.f['floor_p50_ms']} ms p99 {self.f['floor_p99_ms']} ms, {missing} lost"
        )

    async def scenario_reconnect(self) -> None:
        """Every attendee drops and rejoins with ``since_seq`` at once, as after a restart.

        A poll opened while they are away must come back in each rejoin's replay (or snapshot);
        its closing, broadcast once all have rejoined, must then reach every one of them: an
        attendee is resynced when both happened. ``reconnect_s`` runs from the drop to the last.
        """
        joined = await self.moderator.call("session.join", {"session_id": self.session_id})
        since_seq = joined["seq"]
        cpu0 = self.cpu(self.servers)
        dropped = await self.gens.call("drop", 30)
        dropped_at = min(d["dropped_at"] for d in dropped)
        # The moderator acts while the server is still closing the dropped connections.
        asked = time.time()
        created = await self.moderator.call(
            "poll.create",
            {
                "session_id": self.session_id,
                "kind": "single",
                "question": "Vous nous entendez à nouveau ?",
                "options": ["Oui", "Non"],
                "settings": {"results": "live"},
            },
        )
        poll_id = created["poll"]["id"]
        await self.moderator.call("poll.open", {"poll_id": poll_id})
        self.f["reconnect_moderator_ms"] = _ms((time.time() - asked) * 1000)
        await self.gens.call("track", 30, tracker="keys", kind="poll_state")
        answers = await self.gens.call(
            "connect",
            timeout=120 + self.o.attendees * 0.1,
            start_at=time.time(),
            session_id=self.session_id,
            concurrency=self.o.join_concurrency,
            since_seq=since_seq,
            missed_poll_id=poll_id,
        )
        rejoined = sum(a["joined"] for a in answers)
        unreplayed = sum(a["unreplayed"] for a in answers)
        last_ack = max((a["last"] for a in answers if a["last"]), default=None)
        for answer in answers:
            for problem, count in answer["errors"].items():
                self.run.errors.append(f"reconnect ({count}×): {problem}")
        await self.moderator.call("poll.close", {"poll_id": poll_id})
        closed = f"{poll_id}:closed"
        waited = await self.gens.call(
            "wait", self.wait_timeout() + 10, within=self.wait_timeout(), expected=[closed]
        )
        arrivals = [t for w in waited for t in w["arrivals"][closed]]
        # A failed rejoin never sees the closing either: ``missing`` counts it once.
        missing = sum(w["missing"] for w in waited)
        self.run.lost += missing + unreplayed
        self.f["reconnect_failed"] = self.joined - rejoined
        self.f["reconnect_replays"] = sum(a["replays"] for a in answers)
        self.f["reconnect_snapshots"] = sum(a["snapshots"] for a in answers)
        self.f["reconnect_acked_s"] = round(last_ack - dropped_at, 2) if last_ack else None
        if arrivals and not missing:
            self.f["reconnect_s"] = round(max(arrivals) - dropped_at, 2)
        if rejoined:
            cpu = self.cpu(self.servers) - cpu0
            self.f["reconnect_cpu_ms_each"] = round(cpu * 1e3 / rejoined, 2)
        log(
            f"reconnect: {rejoined}/{self.joined} rejoined ({self.f['reconnect_replays']} "
            f"replays, {self.f['reconnect_snapshots']} snapshots, {unreplayed} without the "
            f"missed poll), all acked {self.f['reconnect_acked_s']}s and resynced "
            f"{self.f.get('reconnect_s')}s after the drop, {missing} never saw the poll close"
        )

    async def soak(self) -> None:
        """Repeat votes, questions and handovers for ``soak_minutes``; sample memory each round.

        Memory must stay flat: ``soak_rss_growth_pct`` compares the servers' resident memory at
        the end with the first round's (the first round warms caches up).
        """
        deadline = time.time() + self.o.soak_minutes * 60
        started = time.time()
        samples: list[tuple[float, float]] = []
        rounds = 0
        while time.time() < deadline:
            for name in ("poll", "question", "floor"):
                try:
                    await getattr(self, "scenario_" + name)()
                except (BenchError, OSError, TimeoutError, KeyError, TypeError) as exc:
                    self.fail(f"soak round {rounds + 1} {name}", exc)
                self.check_servers()
            rounds += 1
            rss_mb = sum(server.rss() for server in self.servers) / 2**20
            samples.append((round((time.time() - started) / 60, 2), round(rss_mb, 1)))
            log(f"soak: round {rounds}, {samples[-1][0]} min, servers' RSS {rss_mb:.1f} MB")
        self.f["soak_rounds"] = rounds
        self.f["soak_rss_mb"] = samples
        if len(samples) >= 2:
            first, last = samples[0][1], samples[-1][1]
            self.f["soak_rss_growth_pct"] = round((last - first) * 100 / first, 1)

    async def baseline(self) -> None:
        """The same fan-out through the raw relay: same clients, payload, spread and processes."""
        await self.gens.call("disconnect", 120)
        queue = self.o.redis if self.o.processes > 1 else None
        relays = [
            Server.relay(self.o.async_mode, queue, self.channel, self.run.workdir, i)
            for i in range(self.o.processes)
        ]
        try:
            for relay in relays:
                relay.start()
            start_at = time.time() + 0.2
            answers = await self.gens.call(
                "connect",
                timeout=120 + self.o.attendees * 0.1,
                start_at=start_at,
                session_id=None,
                room=RELAY_ROOM,
                ports=[r.port for r in relays],
                concurrency=self.o.join_concurrency,
            )
            # The relay's nearest thing to a reconnect: connect and enter a room, no replay.
            last = max((a["last"] for a in answers if a["last"]), default=None)
            if last and sum(a["joined"] for a in answers) == self.joined:
                self.f["baseline_reconnect_s"] = round(last - start_at, 2)
            await asyncio.sleep(1.0)
            with self.profiler.phase("relay", [r.proc.pid for r in relays]):
                waited, messages, cpu = await self._relay_burst(relays)
        finally:
            for relay in relays:
                with contextlib.suppress(psutil.Error):
                    self.relay_cpu_s += relay.cpu_s()
                relay.stop()
        deliveries = sum(w["received"] for w in waited)
        latencies = [
            (arrival - messages[key]) * 1000
            for w in waited
            for key, arrivals in w["arrivals"].items()
            for arrival in arrivals
        ]
        self.f["baseline_lost"] = sum(w["missing"] for w in waited)
        self.f["baseline_fanout_p50_ms"] = _ms(percentile(latencies, 0.5))
        self.f["baseline_fanout_p99_ms"] = _ms(percentile(latencies, 0.99))
        if self.f.get("fanout_p50_ms") and self.f["baseline_fanout_p50_ms"]:
            self.f["fanout_vs_relay"] = round(
                self.f["fanout_p50_ms"] / self.f["baseline_fanout_p50_ms"], 2
            )
        if deliveries:
            baseline = cpu * 1e6 / deliveries
            self.f["baseline_cpu_us_per_delivery"] = round(baseline, 1)
            if self.f.get("cpu_us_per_delivery") and baseline > 0:
                self.f["cpu_ratio"] = round(self.f["cpu_us_per_delivery"] / baseline, 2)
        log(
            f"relay: {len(messages)} messages, {deliveries} deliveries, "
            f"{self.f.get('baseline_cpu_us_per_delivery')} µs CPU each, "
            f"p50 {self.f['baseline_fanout_p50_ms']} ms"
        )

    async def _relay_burst(self, relays: list[Server]):
        """As many relay messages as questions were asked, sent the same way; CPU it took."""
        count = max(1, len(self.questions))
        shares = split(count, self.o.generators)
        await self.gens.call("track", 30, tracker="keys", kind="relay")
        cpu0 = self.cpu(relays)
        answers = await self.gens.call(
            "relay",
            timeout=60 + count * 0.2,
            each=lambda i: {"count": shares[i]},
            room=RELAY_ROOM,
            payload=self.relay_payload,
            start_at=time.time() + 0.3,
            spread=self.o.burst_s,
        )
        messages: dict[str, float] = {}
        for answer in answers:
            messages.update(answer["messages"])
        waited = await self.gens.call(
            "wait",
            self.wait_timeout() + 10,
            within=self.wait_timeout(),
            expected=list(messages),
        )
        return waited, messages, self.cpu(relays) - cpu0

    # -- helpers --------------------------------------------------------------------------

    async def _settle_burst(
        self, answers: list[dict], acked: int, acked_figure: str, final_figure: str, action: str
    ) -> int:
        """Time a burst: first sent → last acknowledged (``acked_figure``), then wait until every
        attendee holds the value the ``acked`` actions make, and time that after the last ack
        (``final_figure``). Return how many attendees never saw it (counted as lost).

        The burst's sends are spread over ``burst_s``, which is therefore its floor: the span
        of the sends as made (``<action>_sent_span_s``) and each action's own send → ack latency
        (``<action>_ack_p50_ms``, ``_p99_ms``, ``_max_ms``) say how much of the figure is the
        generators' and how much the server's.
        """
        first_sent = min(a["first_sent"] for a in answers if a["first_sent"])
        last_ack = max((a["last_ack"] for a in answers if a["last_ack"]), default=None)
        last_sent = max((a["last_sent"] for a in answers if a["last_sent"]), default=None)
        if last_sent:
            # The generators' share: the sends themselves may outlast burst_s when they lag.
            self.f[f"{action}_sent_span_s"] = round(last_sent - first_sent, 3)
        latencies = [latency * 1000 for a in answers for latency in a["latencies"]]
        for name, share in (("p50", 0.5), ("p99", 0.99), ("max", 1.0)):
            self.f[f"{action}_ack_{name}_ms"] = _ms(percentile(latencies, share))
        waited = await self.gens.call(
            "wait", self.wait_timeout() + 10, within=self.wait_timeout(), expected=acked
        )
        missing = sum(w["missing"] for w in waited)
        times = [t for w in waited for t in w["times"]]
        self.run.lost += missing
        self.f[acked_figure] = round(last_ack - first_sent, 2) if last_ack else None
        if times and last_ack:
            self.f[final_figure] = round(max(0.0, max(times) - last_ack), 2)
        return missing

    def _errors(self, event: str, answers: list[dict]) -> None:
        for answer in answers:
            for problem, count in answer["errors"].items():
                self.run.errors.append(f"{problem} ({count}×)")

    def _public_question(self, mark: int) -> dict:
        """A question.updated payload as attendees received it, for the relay to carry."""
        for _t, name, data in self.moderator.events[mark:]:
            if name == "question.updated" and isinstance(data, dict):
                question = data.get("question") or {}
                if question.get("state") == "approved" and "similar_ids" not in question:
                    return data
        return {"seq": 0, "question": {"text": "x" * 300}}


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 1)

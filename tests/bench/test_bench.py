"""``python -m companion bench``: real runs on loopback, and the pieces that decide its verdict.

The runs are e2e: they start real server processes and hundreds of WebSocket clients, and
each stays well under two minutes on the 2-core reference machine.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
from click.testing import CliRunner

from bench import report, runner
from bench.loadgen import KeySet, Values, resync_kind
from bench.runner import Options
from bench.wsclient import TEXT, SioClient, mask_frame
from companion.cli import main
from companion.config import ROOT
from tests.conftest import REDIS_URL

PG_ADMIN_URL = os.environ.get(
    "COMPANION_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
FIGURES = (
    "join_s",
    "poll_burst_acked_s",
    "vote_sent_span_s",
    "vote_ack_p50_ms",
    "vote_ack_max_ms",
    "final_tally_s",
    "fanout_p50_ms",
    "fanout_p99_ms",
    "upvote_ack_p99_ms",
    "upvote_final_s",
    "floor_p50_ms",
    "cpu_us_per_delivery",
    "baseline_cpu_us_per_delivery",
    "cpu_ratio",
    "rss_kb_per_connection",
    "reconnect_s",
    "reconnect_acked_s",
    "reconnect_moderator_ms",
    "baseline_reconnect_s",
)


def run_bench(*args: str, timeout: float = 150) -> tuple[subprocess.CompletedProcess, dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPANION_")}
    argv = [sys.executable, "-m", "companion", "bench", *args, "--json"]
    with subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            # SIGTERM, not SIGKILL: the bench stops its servers and drops its database.
            proc.send_signal(signal.SIGTERM)
            stdout, stderr = proc.communicate(timeout=60)
            pytest.fail(f"bench took over {timeout:.0f}s:\n{stdout}{stderr[-3000:]}")
    result = subprocess.CompletedProcess(argv, proc.returncode, stdout, stderr)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert lines, result.stdout + result.stderr[-3000:]
    return result, json.loads(lines[-1])


@pytest.mark.e2e
def test_bench_200_attendees_loses_nothing():
    """Every scenario, the raw relay's baseline beside them: nothing lost, every figure there."""
    result, figures = run_bench("--attendees", "200")
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert figures["lost"] == 0 and figures["errors"] == []
    assert figures["attendees"] == figures["joined"] == 200
    assert figures["poll_votes_acked"] == 200
    assert figures["questions"] == 20
    # Every attendee received every question: at least 20 × 200 deliveries.
    assert figures["deliveries"] >= 20 * 200
    for name in FIGURES:
        assert isinstance(figures[name], int | float) and figures[name] >= 0, name
    # The sends' span and the slowest vote's own latency each fit inside the burst they make.
    assert figures["vote_ack_p50_ms"] <= figures["vote_ack_max_ms"]
    assert figures["vote_ack_max_ms"] <= figures["poll_burst_acked_s"] * 1000 + 5
    assert figures["vote_sent_span_s"] <= figures["poll_burst_acked_s"] + 0.005
    # The reconnect storm: all 200 dropped and rejoined with since_seq; each got the missed
    # poll back (a replay, or a snapshot), then the live close.
    assert figures["reconnect_failed"] == 0
    assert figures["reconnect_replays"] + figures["reconnect_snapshots"] == 200
    assert 0 < figures["reconnect_acked_s"] <= figures["reconnect_s"]
    assert figures["reconnect_cpu_ms_each"] > 0
    assert "Companion bench — 200 attendees" in result.stdout


@pytest.mark.e2e
def test_two_processes_redis_postgresql_every_broadcast_reaches_every_client():
    """500 clients over two processes: polls, questions, the floor and a reconnect storm."""
    result, figures = run_bench(
        "--attendees",
        "500",
        "--processes",
        "2",
        "--database",
        PG_ADMIN_URL,
        "--redis",
        REDIS_URL,
        "--scenarios",
        "join,poll,question,floor,reconnect",
        "--no-baseline",
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert (figures["processes"], figures["database"]) == (2, "postgresql")
    assert figures["joined"] == 500
    assert figures["lost"] == 0 and figures["errors"] == []
    # The tally, each of the 50 questions and each floor change reached all 500 clients.
    assert figures["poll_votes_acked"] == 500 and figures["final_tally_s"] is not None
    assert figures["questions"] == 50 and figures["deliveries"] >= 50 * 500
    assert figures["floor_updates"] >= 10
    # All 500 dropped and rejoined their process; each saw the poll close broadcast after it.
    assert figures["reconnect_failed"] == 0 and figures["reconnect_s"] is not None


# -- the verdict and the measuring pieces, without servers ---------------------------------


def _fake_run(monkeypatch, **outcome):
    def fake(options):
        run = runner.Run(options)
        run.figures.update(attendees=options.attendees, join_s=1.0)
        run.lost = outcome.get("lost", 0)
        run.errors = outcome.get("errors", [])
        return run

    monkeypatch.setattr(runner, "run_bench", fake)


@pytest.mark.parametrize(
    ("outcome", "code"),
    [({}, 0), ({"lost": 3}, 1), ({"errors": ["poll: poll.open refused"]}, 1)],
)
def test_exit_code_is_non_zero_when_anything_is_lost_or_fails(monkeypatch, outcome, code):
    _fake_run(monkeypatch, **outcome)
    result = CliRunner().invoke(main, ["bench", "--attendees", "5", "--json"])
    assert result.exit_code == code, result.output
    record = json.loads(result.output.strip().splitlines()[-1])
    assert record["lost"] == outcome.get("lost", 0)
    assert record["attendees"] == 5 and record["async_mode"] == "eventlet"


def test_scenarios_option_puts_join_first_and_refuses_unknown_names(monkeypatch):
    seen = []
    monkeypatch.setattr(runner, "run_bench", lambda o: seen.append(o) or runner.Run(o))
    CliRunner().invoke(main, ["bench", "--scenarios", "floor,poll"])
    assert seen[0].scenarios == ("join", "poll", "floor")
    result = CliRunner().invoke(main, ["bench", "--scenarios", "poll,dance"])
    assert result.exit_code == 2 and "dance" in result.output


def test_bench_command_does_not_load_the_async_server():
    """Only ``serve`` (and the relay's own entry point) may import eventlet or gevent."""
    code = (
        "import sys, companion.cli, bench.cli, bench.runner;"
        "print(sorted(m for m in ('eventlet', 'gevent', 'companion.app') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr


def test_the_application_runs_without_the_bench():
    """The bench lives outside the package: serving never loads it, nor psutil. (The Socket.IO
    library tries requests and websocket-client for its client side, and does without.)"""
    code = (
        "import sys, companion.cli, companion.app;"
        "print(sorted(m for m in ('bench', 'psutil') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr


def test_bench_command_says_how_to_install_the_bench_when_it_is_missing():
    code = (
        "import sys; sys.modules['psutil'] = None;"  # as where requirements-dev.txt is not installed
        "from companion.cli import main; main(['bench', '--attendees', '5'])"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "The bench is not installed here" in out.stderr
    assert "requirements-dev.txt" in out.stderr and "psutil" in out.stderr


def test_client_frames_are_masked_websocket_frames():
    from wsproto import ConnectionType, WSConnection
    from wsproto.events import AcceptConnection, Request, TextMessage

    server = WSConnection(ConnectionType.SERVER)
    client = WSConnection(ConnectionType.CLIENT)
    server.receive_data(client.send(Request(host="x", target="/")))
    list(server.events())
    server.send(AcceptConnection())
    for text in ("3", "42" + "é" * 200, "x" * 70000):
        server.receive_data(mask_frame(TEXT, text.encode()))
        received = [e.data for e in server.events() if isinstance(e, TextMessage)]
        assert "".join(received) == text


def test_client_parses_split_and_batched_frames_and_decodes_only_what_is_watched():
    got = []
    client = SioClient("127.0.0.1", 1, lambda c, n, d, t: got.append((n, d)), decode={"a.b"})
    client.closed, client._upgraded = False, True

    def frame(text: str) -> bytes:
        data = text.encode()
        return bytes((0x81, 126)) + len(data).to_bytes(2, "big") + data

    stream = frame('42["a.b",{"id":1,"t":"' + "x" * 300 + '"}]') + frame('42["c.d",{"id":2}]')
    for cut in (1, 3, 200, len(stream) - 1):
        got.clear()
        client.data_received(stream[:cut])
        client.data_received(stream[cut:])
        assert [(n, d and d["id"]) for n, d in got] == [("a.b", 1), ("c.d", None)]
    assert client.received == 8


def test_trackers_count_what_never_arrived():
    class C:
        def __init__(self, index):
            self.index = index

    clients = [C(0), C(1), C(2)]
    keys = KeySet("floor")
    keys.on_event(clients[0], "floor.updated", {"seq": 5}, 10.0)
    keys.on_event(clients[0], "floor.updated", {"seq": 6}, 11.0)
    keys.on_event(clients[1], "floor.updated", {"seq": 5}, 10.5)
    keys.expected = {5, 6}
    assert not keys.complete(clients)
    result = keys.result(clients)
    assert result["missing"] == 1 + 2  # client 1 lacks seq 6, client 2 lacks both
    assert sorted(result["arrivals"][5]) == [10.0, 10.5]

    totals = Values("poll_total", poll_id=7)
    totals.on_event(clients[0], "poll.results", {"poll_id": 7, "total": 2}, 1.0)
    totals.on_event(clients[0], "poll.results", {"poll_id": 7, "total": 3}, 2.0)
    totals.on_event(clients[1], "poll.results", {"poll_id": 8, "total": 3}, 2.0)
    totals.expected = 3
    assert totals.result(clients) == {"times": [2.0], "missing": 2}


def test_a_rejoin_answer_is_a_replay_with_the_missed_change_or_a_snapshot():
    opened = {"event": "poll.updated", "data": {"seq": 9, "poll": {"id": 4, "state": "open"}}}
    other = {"event": "poll.updated", "data": {"seq": 8, "poll": {"id": 3, "state": "open"}}}
    assert resync_kind({"events": [other, opened], "seq": 9}, 4) == "replays"
    assert resync_kind({"events": [other], "seq": 9}, 4) == "unreplayed"
    assert resync_kind({"snapshot": {}, "seq": 9}, 4) == "snapshots"

    class C:
        index = 0

    states = KeySet("poll_state")
    states.on_event(C, "poll.updated", opened["data"], 1.0)
    states.on_event(C, "poll.updated", {"poll": {"id": 4, "state": "closed"}}, 2.0)
    states.expected = {"4:closed"}
    assert states.complete([C]) and states.result([C])["arrivals"] == {"4:closed": [2.0]}


def test_targets_are_judged_from_the_figures():
    met = report.targets_met(
        {"lost": 0, "poll_burst_acked_s": 2.5, "final_tally_s": 0.4, "cpu_ratio": 1.2}
    )
    assert met == {
        "lost": True,
        "poll_burst_acked_s": False,
        "final_tally_s": True,
        "cpu_ratio": True,
    }


def test_a_run_is_held_to_the_targets_of_its_shape():
    """Issue 15's targets apply to the runs they were set for; issue 7's to every other."""
    one = report.targets_for(Options(attendees=1000))
    assert one["poll_burst_acked_s"] == ("<=", 1.0) and one["vote_cpu_ms_each"] == ("<=", 0.8)
    assert one["cpu_ratio"] == ("<=", 1.15) and one["lost"] == ("==", 0)
    scale_out = report.targets_for(
        Options(attendees=2000, processes=2, database="postgresql://postgres@127.0.0.1/postgres")
    )
    assert scale_out["poll_burst_acked_s"] == ("<=", 3.0)
    assert scale_out["fanout_vs_relay"] == ("<=", 2.0) and scale_out["refused"] == ("==", 0)
    assert "vote_cpu_ms_each" not in scale_out
    assert report.targets_for(Options(attendees=200)) == report.BASE_TARGETS
    assert report.targets_for(Options(attendees=5000)) == report.BASE_TARGETS  # nothing lost
    figures = {"poll_burst_acked_s": 1.01, "vote_cpu_ms_each": 0.7, "upvote_acked_s": 1.0}
    assert report.targets_met(figures, one) == {
        "poll_burst_acked_s": False,
        "vote_cpu_ms_each": True,
        "upvote_acked_s": True,
    }

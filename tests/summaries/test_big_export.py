"""A session with 10,000 contributions exports in every format, in bounded time and memory.

Test data at this volume is inserted in bulk (executemany), shaped like a real session: polls
made through the poll verbs, ballots with their tallies counted the way voting counts them,
questions in every state with upvotes, hands raised and turns given. Run with ``-s`` to see
the time and memory each format takes (COMPANION_TRACE_ALL_EXPORTS=1: Python's peak for every
format, not only the streamed ones).
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import threading
import time
import tracemalloc
from collections import Counter
from datetime import timedelta

import psutil
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, insert, select

from companion.extensions import db
from companion.floor.models import FloorRequest
from companion.participants.models import Participant, Registration, RegistrationSession
from companion.participants.tokens import actor_from_token
from companion.polls import drafting, lifecycle, voting
from companion.polls.kinds import TOTAL_KEY
from companion.polls.models import Ballot, Poll, PollState, PollTally
from companion.polls.schemas import PollValues, SettingsIn
from companion.programme import service as programme
from companion.questions.models import Question, QuestionState, QuestionVote
from companion.summaries.render import SESSION_FORMATS, export_session

PARTICIPANTS = 600
QUESTIONS = 4_800
FLOOR_REQUESTS = 400
BALLOT_POLLS = 8  # 8 polls x 600 participants = 4,800 ballots
CONTRIBUTIONS = QUESTIONS + BALLOT_POLLS * PARTICIPANTS + FLOOR_REQUESTS
# Formats whose Python allocations are traced too: the streamed ones by default (their memory
# must stay flat); COMPANION_TRACE_ALL_EXPORTS=1 traces every format (slower).
TRACED = SESSION_FORMATS if os.environ.get("COMPANION_TRACE_ALL_EXPORTS") else ("csv", "xlsx")

SUBJECTS = [
    "l'évaluation de l'expérimentation",
    "le financement de l'amorçage",
    "la gouvernance avec les habitants",
    "le droit à l'erreur des collectivités",
    "le changement d'échelle du projet pilote",
    "la mobilisation des élus locaux",
    "le partenariat avec les associations",
    "la mesure de l'impact social",
    "le cadrage préalable de la démarche",
    "la mobilité dans les territoires ruraux",
]
FORMS = [
    "Comment aborder {s} dans une petite commune ?",
    "Quels outils pour {s} quand on manque de moyens ?",
    "Avez-vous des exemples concrets sur {s} ?",
    "Qui doit porter {s} sur le territoire ?",
    "Faut-il un comité dédié à {s} ?",
]
ENGLISH = "How should we handle {s} in a rural area?"


def _question_texts(rng: random.Random) -> list[str]:
    texts = []
    for i in range(QUESTIONS):
        subject = rng.choice(SUBJECTS)
        form = ENGLISH if i % 25 == 0 else rng.choice(FORMS)
        texts.append(form.format(s=subject) + f" (cas n° {i})")
    return texts


def _answer(poll: Poll, rng: random.Random) -> dict:
    ids = [o.id for o in poll.options]
    if poll.kind in ("single", "quiz"):
        return {"option_id": rng.choice(ids)}
    if poll.kind == "multiple":
        return {"option_ids": sorted(rng.sample(ids, 2), key=ids.index)}
    if poll.kind == "ranking":
        return {"option_ids": rng.sample(ids, len(ids))}
    if poll.kind == "wordcloud":
        return {"words": rng.sample(["tester", "apprendre", "risque", "coopérer", "oser"], 2)}
    if poll.kind == "rating":
        return {"value": rng.randint(1, 5)}
    return {"text": f"Ce que je retiens : {rng.choice(SUBJECTS)}."}


def build_big_session(session, moderator) -> None:
    """Fill ``session`` with 10,000 contributions, in bulk."""
    rng = random.Random(2020)
    start = session.starts_at
    programme.start_session(session, actor=moderator)
    db.session.flush()
    db.session.execute(
        insert(Registration),
        [
            {
                "event_id": session.event_id,
                "name": f"Personne {i}",
                "email": f"personne{i}@example.org",
                "organisation": "Commune",
                "profile": rng.choice(["elu", "agent_developpement", "porteur_projet"]),
                "created_at": start,
                "token_version": 0,
            }
            for i in range(PARTICIPANTS)
        ],
    )
    registrations = db.session.scalars(select(Registration.id).order_by(Registration.id)).all()
    db.session.execute(
        insert(RegistrationSession),
        [{"registration_id": r, "session_id": session.id} for r in registrations],
    )
    db.session.execute(
        insert(Participant),
        [
            {
                "session_id": session.id,
                "registration_id": r,
                "display_name": f"Personne {i}",
                "joined_at": start,
                "token_version": 0,
            }
            for i, r in enumerate(registrations)
        ],
    )
    people = db.session.scalars(
        select(Participant.id).where(Participant.session_id == session.id).order_by(Participant.id)
    ).all()

    # Polls through the service; ballots and their counters in bulk, counted its way.
    specs = [
        ("single", ["Oui", "Non", "Je ne sais pas"], {}),
        ("multiple", ["Élus", "Agents", "Habitants", "Associations"], {"max_choices": 2}),
        ("wordcloud", [], {}),
        ("rating", [], {"scale": {"min": 1, "max": 5}}),
        ("open", [], {}),
        ("ranking", ["Cadrage", "Partenaires", "Évaluation"], {}),
        (
            "quiz",
            ["À la fin", "Dès le cadrage", "Jamais"],
            {"correct_option": 1, "anonymous": False},
        ),
        ("rating", [], {"scale": {"min": 1, "max": 5}}),
    ]
    ballots, tallies = [], []
    for n, (kind, options, settings) in enumerate(specs):
        values = PollValues(
            kind=kind,
            question=f"Sondage {n + 1} : {kind} ?",
            options=options,
            settings=SettingsIn.model_validate(settings),
        )
        poll = drafting.create_poll(session, values, actor=moderator)
        lifecycle.open_poll(poll, actor=moderator)
        counts: Counter = Counter()
        for i, pid in enumerate(people):
            stored, keys, correct = voting.read_answer(poll, _answer(poll, rng))
            counts.update(keys)
            at = start + timedelta(seconds=600 + n * 300 + i)
            ballots.append(
                {
                    "poll_id": poll.id,
                    "participant_id": pid,
                    "answer": stored,
                    "correct": correct,
                    "approved": kind == "open" and i % 3 == 0,
                    "created_at": at,
                    "updated_at": at,
                }
            )
        counts[TOTAL_KEY] = len(people)
        tallies.extend({"poll_id": poll.id, "key": k, "count": c} for k, c in counts.items())
        lifecycle.close_poll(poll, actor=moderator)
    db.session.execute(insert(Ballot), ballots)
    db.session.execute(insert(PollTally), tallies)

    # Questions in every state, a third of them anonymous, with upvotes.
    states = (
        [QuestionState.APPROVED] * 8
        + [QuestionState.ANSWERED] * 5
        + [QuestionState.REJECTED] * 2
        + [QuestionState.ARCHIVED] * 2
        + [QuestionState.PENDING] * 1
    )
    rows = []
    for i, text in enumerate(_question_texts(rng)):
        state = states[i % len(states)]
        anonymous = i % 3 == 0
        rows.append(
            {
                "session_id": session.id,
                "participant_id": people[i % len(people)],
                "author_name": None if anonymous else f"Personne {i % len(people)}",
                "anonymous": anonymous,
                "text": text,
                "state": state,
                "pinned": False,
                "reply": "Réponse écrite de l'équipe."
                if state == QuestionState.ANSWERED and i % 2
                else None,
                "answered_live": state == QuestionState.ANSWERED and not i % 2,
                "upvotes": 0,
                "carried_votes": 0,
                "similar_ids": [],
                "created_at": start + timedelta(seconds=i),
                "updated_at": start + timedelta(seconds=i),
            }
        )
    db.session.execute(insert(Question), rows)
    public = db.session.scalars(
        select(Question.id)
        .where(
            Question.session_id == session.id,
            Question.state.in_([QuestionState.APPROVED, QuestionState.ANSWERED]),
        )
        .order_by(Question.id)
    ).all()
    votes, per_question = [], Counter()
    for k, qid in enumerate(public[:1500]):
        for pid in people[k % 7 : k % 7 + 1 + k % 5]:
            votes.append({"question_id": qid, "participant_id": pid, "created_at": start})
            per_question[qid] += 1
    db.session.execute(insert(QuestionVote), votes)
    for qid, n in per_question.items():
        db.session.execute(Question.__table__.update().where(Question.id == qid).values(upvotes=n))

    # Hands raised: a third given the floor one after the other, the rest withdrawn.
    floor_rows = []
    for i in range(FLOOR_REQUESTS):
        requested = start + timedelta(seconds=3000 + i * 10)
        row = {
            "session_id": session.id,
            "participant_id": people[i % len(people)],
            "kind": "contribution" if i % 4 else "question",
            "client_id": f"big-{i}",
            "requested_at": requested,
            "sort_key": float(i),
            "paused_total_s": 0.0,
            "allotted_s": 180,
            "withdrawn_at": None,
            "began_at": None,
            "ended_at": None,
        }
        if i % 3 == 0:
            row["began_at"] = requested + timedelta(seconds=5)
            row["ended_at"] = requested + timedelta(seconds=9)
        else:
            row["withdrawn_at"] = requested + timedelta(seconds=3)
        floor_rows.append(row)
    db.session.execute(insert(FloorRequest), floor_rows)
    programme.end_session(session, actor=moderator)
    db.session.commit()


class PeakMemory:
    """The process's resident memory at its highest while the block runs (sampled)."""

    def __init__(self, every_s: float = 0.02):
        self.every_s = every_s
        self.process = psutil.Process()

    def __enter__(self):
        self.start = self.peak = self.process.memory_info().rss
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self):
        while not self.done.wait(self.every_s):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)

    @property
    def growth(self) -> int:
        return self.peak - self.start


@pytest.mark.slow
def test_ten_thousand_contributions_export_in_every_format(
    first_session, moderator_token, http, facilitator_token
):
    moderator = actor_from_token(moderator_token)
    began = time.perf_counter()
    build_big_session(first_session, moderator)
    built = time.perf_counter() - began
    sid = first_session.id
    total = (
        db.session.scalar(select(func.count()).where(Question.session_id == sid))
        + db.session.scalar(
            select(func.count())
            .select_from(Ballot)
            .join(Poll, Poll.id == Ballot.poll_id)
            .where(Poll.session_id == sid, Poll.state != PollState.DRAFT)
        )
        + db.session.scalar(select(func.count()).where(FloorRequest.session_id == sid))
    )
    assert total == CONTRIBUTIONS == 10_000

    report = [f"{CONTRIBUTIONS} contributions inserted in {built:.1f} s ({db.engine.dialect.name})"]
    outputs = {}
    for fmt in SESSION_FORMATS:
        db.session.expire_all()
        with PeakMemory() as memory:
            started = time.perf_counter()
            export = export_session(first_session, fmt, lang="fr")
            elapsed = time.perf_counter() - started
        outputs[fmt] = export.read()
        line = (
            f"{fmt:>5}: {elapsed:5.1f} s, {len(outputs[fmt]) / 1e6:5.2f} MB written, "
            f"process RSS +{memory.growth / 1e6:5.1f} MB"
        )
        if fmt in TRACED:
            # Python's own allocations, in a second run: tracing slows an export down 2-3x.
            db.session.expire_all()
            tracemalloc.start()
            export_session(first_session, fmt, lang="fr")
            _, traced = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            line += f", Python peak {traced / 1e6:5.1f} MB"
            assert traced < 200e6, (fmt, traced)
        report.append(line)
        # Bounded: far from holding every contribution several times over.
        assert memory.growth < 300e6, (fmt, memory.growth)
    print("\n" + "\n".join(report))

    doc = json.loads(outputs["json"])
    assert doc["participation"]["questions"] == QUESTIONS
    assert doc["participation"]["ballots"] == BALLOT_POLLS * PARTICIPANTS
    assert doc["participation"]["contributors"] == PARTICIPANTS
    rows = list(csv.reader(io.StringIO(outputs["csv"].decode("utf-8-sig")), delimiter=";"))
    assert rows[0][12:14] == ["Auteur·e", "Anonyme"]  # the event's language: French
    assert len(rows) == CONTRIBUTIONS + 1
    assert all(r[12] == "" for r in rows[1:] if r[13] == "oui")
    workbook = load_workbook(io.BytesIO(outputs["xlsx"]), read_only=True)
    assert sum(1 for _ in workbook["Questions"].iter_rows()) == QUESTIONS + 1
    assert sum(1 for _ in workbook["Réponses"].iter_rows()) == BALLOT_POLLS * PARTICIPANTS + 1
    workbook.close()
    assert outputs["pdf"].startswith(b"%PDF")
    # The documents stay readable: long lists are cut, the exports hold every entry.
    assert "… et " in outputs["md"].decode()

    # Over HTTP the body streams from a spooled file, with its length.
    response = http.get(
        f"/api/v1/sessions/{sid}/summary.csv",
        headers={"Authorization": f"Bearer {facilitator_token}"},
    )
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == len(response.data) == len(outputs["csv"])

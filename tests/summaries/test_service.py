"""The JSON summary of a scripted seed session: every figure equals what the database holds."""

from __future__ import annotations

import json
from collections import Counter

from sqlalchemy import func, select

from companion.extensions import db
from companion.floor.models import AgendaRun, FloorRequest
from companion.participants.models import Participant, Registration, RegistrationSession
from companion.polls.kinds.wordcloud import fold_word
from companion.polls.models import Ballot, Poll, PollOption
from companion.programme.models import LiveSession
from companion.questions.models import Question, QuestionState, QuestionVote
from companion.summaries import session_summary, synthesis
from companion.summaries.schemas import SCHEMA_PATH, json_schema
from companion.summaries.schemas.session import SessionSummary
from companion.summaries.schemas.synthesis import EventSynthesis

from .conftest import ANONYMOUS_QUESTION, SIGNED_QUESTION


def count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def rows(model) -> list:
    """Every row of the model's table as plain values: the recounts below filter in Python, so
    they share no query with the summary code they check."""
    return list(db.session.execute(select(model.__table__)).mappings())


def expected_participation(sid: int) -> dict:
    polls = {p["id"] for p in rows(Poll) if p["session_id"] == sid}
    ballots = [b for b in rows(Ballot) if b["poll_id"] in polls]
    questions = [q for q in rows(Question) if q["session_id"] == sid]
    floor = [f for f in rows(FloorRequest) if f["session_id"] == sid]
    participants = [p for p in rows(Participant) if p["session_id"] == sid]
    profile_of = {r["id"]: r["profile"] for r in rows(Registration)}
    people = {b["participant_id"] for b in ballots}
    people |= {q["participant_id"] for q in questions if q["participant_id"] is not None}
    people |= {f["participant_id"] for f in floor if f["participant_id"] is not None}
    return {
        "registered": sum(1 for r in rows(RegistrationSession) if r["session_id"] == sid),
        "joined": len(participants),
        "joined_registered": sum(1 for p in participants if p["registration_id"] is not None),
        "peak_online": db.session.get(LiveSession, sid).peak_online,
        "contributors": len(people),
        "questions": sum(1 for q in questions if q["carried_from_session_id"] is None),
        "ballots": len(ballots),
        "upvotes": upvotes_on({q["id"] for q in questions}),
        "floor_requests": sum(1 for f in floor if f["participant_id"] is not None),
        "floor_turns": sum(1 for f in floor if f["began_at"] is not None),
        "profiles": dict(
            Counter(profile_of[p["registration_id"]] for p in participants if p["registration_id"])
        ),
    }


def upvotes_on(question_ids: set[int]) -> int:
    return sum(1 for v in rows(QuestionVote) if v["question_id"] in question_ids)


def expected_question_counts(sid: int) -> dict:
    questions = [q for q in rows(Question) if q["session_id"] == sid]

    def n(pred) -> int:
        return sum(1 for q in questions if pred(q))

    state = QuestionState
    rejected = n(lambda q: q["state"] == state.REJECTED)
    archived = n(
        lambda q: (
            q["state"] == state.ARCHIVED
            and q["merged_into_id"] is None
            and q["carried_to_session_id"] is None
        )
    )
    return {
        "total": len(questions),
        "asked": n(lambda q: q["carried_from_session_id"] is None),
        "carried_in": n(lambda q: q["carried_from_session_id"] is not None),
        "answered": n(lambda q: q["state"] == state.ANSWERED),
        "answered_with_reply": n(lambda q: q["state"] == state.ANSWERED and q["reply"]),
        "answered_live": n(lambda q: q["state"] == state.ANSWERED and not q["reply"]),
        "unanswered": n(lambda q: q["state"] == state.APPROVED),
        "pending": n(lambda q: q["state"] == state.PENDING),
        "rejected": rejected,
        "merged": n(lambda q: q["merged_into_id"] is not None),
        "archived": archived,
        "carried_forward": n(lambda q: q["carried_to_session_id"] is not None),
        "moderated_out": rejected + archived,
        "edited": n(lambda q: q["edited_at"] is not None),
        "anonymous": n(lambda q: q["anonymous"]),
        "signed": n(lambda q: not q["anonymous"]),
        "upvotes": upvotes_on({q["id"] for q in questions}),
    }


def recount_poll(poll: Poll) -> tuple[int, object]:
    """Count the poll's ballots from their answers, independently of the running tallies."""
    answers = list(db.session.scalars(select(Ballot.answer).where(Ballot.poll_id == poll.id)))
    options = list(
        db.session.scalars(
            select(PollOption).where(PollOption.poll_id == poll.id).order_by(PollOption.position)
        )
    )
    if poll.kind in ("single", "quiz"):
        got = Counter(a["option_id"] for a in answers)
        return len(answers), {o.id: got[o.id] for o in options}
    if poll.kind == "multiple":
        got = Counter(oid for a in answers for oid in a["option_ids"])
        return len(answers), {o.id: got[o.id] for o in options}
    if poll.kind == "ranking":
        scores = Counter()
        for a in answers:
            for place, oid in enumerate(a["option_ids"]):
                scores[oid] += len(options) - 1 - place
        return len(answers), {o.id: scores[o.id] for o in options}
    if poll.kind == "wordcloud":
        words = Counter(w for a in answers for w in {fold_word(x) for x in a["words"]})
        return len(answers), dict(words)
    if poll.kind == "rating":
        values = Counter(a["value"] for a in answers)
        scale = poll.settings["scale"]
        histogram = {str(v): values[v] for v in range(scale["min"], scale["max"] + 1)}
        mean = round(sum(a["value"] for a in answers) / len(answers), 2) if answers else None
        return len(answers), {"histogram": histogram, "mean": mean}
    approved = count(select(Ballot.id).where(Ballot.poll_id == poll.id, Ballot.approved))
    return len(answers), {"count": len(answers), "approved": approved}


def test_every_figure_of_the_json_summary_equals_the_database(scripted, http, facilitator_token):
    sid = scripted.session.id
    response = http.get(f"/api/v1/sessions/{sid}/summary.json", headers=auth(facilitator_token))
    assert response.status_code == 200
    doc = json.loads(response.data)
    SessionSummary.model_validate(doc)
    db.session.expire_all()

    assert doc["final"] is True and doc["session"]["status"] == "ended"
    funnel = doc["participation"].pop("funnel")
    assert doc["participation"] == expected_participation(sid)
    p = doc["participation"]
    assert [(f["step"], f["count"]) for f in funnel] == [
        ("registered", p["registered"]),
        ("present", p["joined"]),
        ("contributed", p["contributors"]),
    ]
    assert doc["questions"]["counts"] == expected_question_counts(sid)

    # Every poll opened, each figure recounted from the ballots themselves.
    opened = list(
        db.session.scalars(
            select(Poll)
            .where(Poll.session_id == sid, Poll.opened_at.is_not(None))
            .order_by(Poll.position, Poll.id)
        )
    )
    assert [p["id"] for p in doc["polls"]] == [p.id for p in opened]
    for entry, poll in zip(doc["polls"], opened, strict=True):
        total, expected = recount_poll(poll)
        assert entry["total"] == total, poll.kind
        if poll.kind in ("single", "multiple", "quiz"):
            assert {r["option_id"]: r["count"] for r in entry["results"]} == expected
        elif poll.kind == "ranking":
            assert {r["option_id"]: r["score"] for r in entry["results"]} == expected
        elif poll.kind == "wordcloud":
            assert {r["word"]: r["count"] for r in entry["results"]} == expected
        else:
            assert entry["results"] == expected, poll.kind

    # The agenda and the floor, against the runs and handovers recorded.
    runs = list(db.session.scalars(select(AgendaRun).where(AgendaRun.session_id == sid)))
    assert doc["agenda"]["items_run"] == len({r.agenda_item_id for r in runs})
    assert len(doc["agenda"]["items"]) == len(scripted.session.agenda)
    turns = list(
        db.session.scalars(
            select(FloorRequest).where(
                FloorRequest.session_id == sid, FloorRequest.began_at.is_not(None)
            )
        )
    )
    assert len(doc["floor"]["turns"]) == len(turns) == doc["participation"]["floor_turns"]
    assert doc["floor"]["attendee_turns"] == sum(1 for t in turns if t.participant_id)
    assert doc["floor"]["speaker_turns"] == sum(1 for t in turns if t.speaker_id)
    assert sum(e["turns"] for e in doc["floor"]["speaking_times"]) == len(turns)
    timeline_turns = [e for e in doc["timeline"] if e["type"] == "floor_turn"]
    assert len(timeline_turns) == len(turns)
    assert doc["timeline"][0]["type"] == "session_started"
    assert doc["timeline"][-1]["type"] == "session_ended"

    # What the script did, so the comparisons above are not vacuous.
    counts = doc["questions"]["counts"]
    assert counts["asked"] == 10
    assert counts["answered"] == 2 and counts["answered_with_reply"] == 1
    assert counts["rejected"] == 1 and counts["archived"] == 1 and counts["merged"] == 1
    assert counts["carried_forward"] == 4 and counts["unanswered"] == 1
    assert counts["edited"] == 1 and counts["anonymous"] == 1
    assert doc["participation"]["joined"] == 5 and doc["participation"]["registered"] == 6
    assert doc["participation"]["contributors"] == 5
    # 4 + 3 + 4 + 3 ballots on the prepared polls (a changed one counts once), 2 + 3 + 2 live.
    assert doc["participation"]["ballots"] == 21
    assert doc["participation"]["peak_online"] == 5
    assert len(doc["polls"]) == 7
    assert doc["floor"]["attendee_turns"] == 1 and doc["floor"]["speaker_turns"] == 2
    assert doc["moderators"] == [{"name": "Moderator", "role": "moderator"}]
    # Speakers are those who had the floor; the others planned are listed apart.
    items = scripted.session.agenda
    heard = [items[0].speakers[0].name, items[1].speakers[0].name]
    assert [s["name"] for s in doc["speakers"]] == heard
    planned = {sp.id for item in items for sp in item.speakers}
    assert {s["id"] for s in doc["absent_speakers"]} == planned - {
        items[0].speakers[0].id,
        items[1].speakers[0].id,
    }
    assert not {s["name"] for s in doc["absent_speakers"]} & set(heard)
    first = doc["speakers"][0]
    assert first["turns"] == 1 and first["planned_s"] > 0 and first["spoken_s"] >= 0
    # Agenda: planned against actual for every item, run or not.
    run = [i for i in doc["agenda"]["items"] if i["actual_s"] is not None]
    assert doc["agenda"]["items_run"] == len(run) >= 2
    assert all(
        i["planned_s"] == item.planned_minutes * 60
        for i, item in zip(doc["agenda"]["items"], items, strict=True)
    )


def test_the_lists_show_what_the_room_saw_with_names_only_when_signed(scripted):
    doc = session_summary.build_session_summary(scripted.session)
    questions = doc["questions"]
    answered = {q["text"]: q for q in questions["answered"]}
    assert answered[ANONYMOUS_QUESTION]["author"] is None
    assert answered[ANONYMOUS_QUESTION]["reply"].startswith("Plusieurs fondations")
    # The duplicate's one voter had upvoted the target too: merged without double counting.
    assert answered[ANONYMOUS_QUESTION]["upvotes"] == 4
    assert questions["most_upvoted"][0]["text"] == ANONYMOUS_QUESTION
    carried = {q["text"]: q for q in questions["carried_forward"]}
    assert carried[SIGNED_QUESTION]["author"] == "Léa Dupont"
    assert carried[SIGNED_QUESTION]["carried_to"]["session_id"] == scripted.next_session.id
    # The question still pending when carried was never public: counted, not listed.
    assert "Et les collectivités rurales ?" not in carried
    texts = {q["text"] for k in ("answered", "unanswered", "carried_forward") for q in questions[k]}
    assert "Question hors sujet sur le parking." not in texts
    # The moderator's edit is what is published; the original stays out.
    assert "Faut-il un comité de pilotage dédié ?" in carried
    assert all("06 12 34" not in t for t in json.dumps(doc, ensure_ascii=False).split("\n"))
    opened = next(p for p in doc["polls"] if p["kind"] == "open")
    assert opened["results"] == {"count": 3, "approved": 2}
    assert all(a["author"] is None for a in opened["answers"])


def test_the_next_session_shows_what_was_carried_in(scripted):
    doc = session_summary.build_session_summary(scripted.next_session)
    assert doc["questions"]["counts"]["carried_in"] == 4
    assert doc["questions"]["counts"]["asked"] == 0
    listed = {q["text"] for q in doc["questions"]["carried_in"]}
    assert SIGNED_QUESTION in listed and "Et les collectivités rurales ?" not in listed
    assert doc["final"] is False and doc["session"]["status"] == "scheduled"


def test_the_event_synthesis_sets_sessions_side_by_side(scripted, http, connect):
    # The second session starts; Léa comes back and answers its evaluation.
    second = scripted.next_session.id
    moderator = scripted.moderator
    moderator.ok("session.join", {"session_id": second})
    moderator.ok("session.start", {"session_id": second})
    token = http.post(
        f"/api/v1/sessions/{second}/join",
        json={"registration_token": scripted.registrations["Léa Dupont"]},
    ).get_json()["token"]
    lea = connect(token)
    lea.ok("session.join", {"session_id": second})
    polls = moderator.ok("session.join", {"session_id": second})["snapshot"]["polls"]
    rating = next(p for p in polls if p["kind"] == "rating")
    moderator.ok("poll.open", {"poll_id": rating["id"]})
    lea.ok("poll.vote", {"poll_id": rating["id"], "client_id": "eval-2", "answer": {"value": 5}})
    lea.ok(
        "question.submit",
        {
            "session_id": second,
            "client_id": "q-2",
            "text": "Comment financer une expérimentation dans un territoire rural ?",
        },
    )
    db.session.expire_all()
    event = scripted.session.event
    doc = synthesis.build_event_synthesis(event)
    EventSynthesis.model_validate(doc)
    first = doc["sessions"][0]
    assert first["figures"]["questions"] == 10 and first["figures"]["carried_forward"] == 4
    assert first["evaluation"]["mean"] == 3.75 and first["evaluation"]["total"] == 4
    assert doc["final"] is False
    carried = doc["carried_questions"]
    assert carried["count"] == 4
    assert {q["text"] for q in carried["items"]} >= {SIGNED_QUESTION}
    # Every session of the seed asks the same evaluation: compared session by session.
    evaluation = next(c for c in doc["compared_polls"] if c["kind"] == "rating")
    assert [(e["session_id"], e["total"], e["mean"]) for e in evaluation["sessions"]] == [
        (scripted.session.id, 4, 3.75),
        (second, 1, 5.0),
    ]
    attendance = doc["attendance"]
    # Léa came to both sessions, four to one; one registered and never came.
    assert attendance["came_to"] == {"0": 1, "1": 4, "2": 1, "3": 0, "4": 0}
    assert attendance["registered_for"]["2"] == 5 and attendance["registered_for"]["1"] == 1
    assert attendance["people"] == 5
    assert doc["sessions"][1]["status"] == "live" and doc["sessions"][1]["figures"]["joined"] == 1
    # A theme asked about in both sessions recurs (carried questions alone would not count).
    assert any(
        set(t["sessions"]) == {scripted.session.id, second} for t in doc["recurring_themes"]
    ), doc["recurring_themes"]
    # The follow-up lists what ended sessions left unanswered.
    assert [q["text"] for q in doc["follow_up"]["questions"]] == [
        "Peut-on expérimenter sans droit à l'erreur ?"
    ]


def test_the_documented_json_schema_is_the_one_the_code_validates():
    assert json.loads(SCHEMA_PATH.read_text("utf-8")) == json_schema()

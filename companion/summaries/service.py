"""Summaries: one builder per document, read from the database into a plain dict.

:func:`build_session_summary` and :func:`build_event_synthesis` return the JSON summary
(documented in docs/summary-schema.md and docs/summary.schema.json); the renderers in
``render/`` turn that dict into Markdown, HTML, PDF and XLSX. Contribution rows (CSV, XLSX) are
streamed from queries with ``yield_per`` so a big session never sits in memory at once.

Privacy, by construction: no participant id, email or registration field ever enters a
summary or a row. Names appear only for programme speakers, moderators, attendees who took the
floor (they spoke in front of everyone), signed questions and answers to named polls.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import zip_longest
from typing import Any

from sqlalchemy import func, select, union
from sqlalchemy.dialects import postgresql, sqlite

from ..core.actors import Actor
from ..core.timeutil import iso, utcnow
from ..extensions import db
from ..floor import report as floor
from ..floor.models import AgendaRun, FloorRequest
from ..participants.models import Participant, Registration, RegistrationSession, StaffUser
from ..polls import service as polls
from ..polls.models import Ballot, Poll
from ..programme import service as programme
from ..programme.models import AgendaItem, Event, LiveSession, SessionStatus
from ..questions.models import (
    PUBLIC_STATES,
    Question,
    QuestionBan,
    QuestionEdit,
    QuestionState,
    QuestionVote,
)
from . import facts
from .models import SessionModerator
from .retention import retention_status
from .themes import TOP as TOP_THEMES
from .themes import extract_themes, fold

SCHEMA_VERSION = 1
MOST_UPVOTED = 10
RECURRING_THEMES = 15
EVENT_THEMES = 30
ROWS_PER_FETCH = 1000

# ---------------------------------------------------------------- who ran the session


def _dialect_insert(table):
    return (postgresql if db.engine.dialect.name == "postgresql" else sqlite).insert(table)


def record_moderator(session: LiveSession, actor: Actor | None) -> None:
    """Remember that a staff member ran ``session`` (once per person)."""
    if actor is None or not actor.is_staff:
        return
    db.session.execute(
        _dialect_insert(SessionModerator)
        .values(session_id=session.id, staff_id=actor.id, first_at=utcnow())
        .on_conflict_do_nothing(index_elements=["session_id", "staff_id"])
    )


@programme.agenda_advanced.connect
def _on_agenda_advanced(session: LiveSession, actor: Actor | None = None, **_):
    record_moderator(session, actor)


@programme.session_status_changed.connect
def _on_session_status_changed(session: LiveSession, actor: Actor | None = None, **_):
    record_moderator(session, actor)


def moderators(session: LiveSession) -> list[dict[str, str]]:
    """The staff who ran the session: moved it along, edited or banned in its Q&A."""
    staff_ids = union(
        select(SessionModerator.staff_id).where(SessionModerator.session_id == session.id),
        select(QuestionEdit.staff_id)
        .join(Question, Question.id == QuestionEdit.question_id)
        .where(Question.session_id == session.id, QuestionEdit.staff_id.is_not(None)),
        select(QuestionBan.staff_id).where(
            QuestionBan.session_id == session.id, QuestionBan.staff_id.is_not(None)
        ),
    ).subquery()
    rows = db.session.execute(
        select(StaffUser.name, StaffUser.role)
        .where(StaffUser.id.in_(select(staff_ids.c[0])))
        .order_by(StaffUser.name, StaffUser.id)
    )
    return [{"name": name, "role": role} for name, role in rows]


# ---------------------------------------------------------------- small helpers


def _count(query) -> int:
    return int(db.session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round(max(0.0, (end - start).total_seconds()), 1)


def event_header(event: Event) -> dict[str, Any]:
    return {
        "slug": event.slug,
        "title": event.title,
        "timezone": event.timezone,
        "language": event.language,
        "follow_up": event.follow_up,
        "retention": retention_status(event),
    }


def _session_header(session: LiveSession, now: datetime) -> dict[str, Any]:
    tz = session.event.timezone
    end = session.ended_at or (now if session.started_at else None)
    return {
        "id": session.id,
        "key": session.key,
        "title": session.title,
        "description": session.description,
        "status": session.status.value,
        "starts_at": iso(session.starts_at, tz),
        "ends_at": iso(session.ends_at, tz),
        "started_at": iso(session.started_at, tz),
        "ended_at": iso(session.ended_at, tz),
        "planned_s": _seconds(session.starts_at, session.ends_at),
        "actual_s": _seconds(session.started_at, end),
    }


# ---------------------------------------------------------------- agenda and floor


def _agenda(session: LiveSession, now: datetime) -> dict[str, Any]:
    """The agenda as planned (cumulative from the session's start) versus as it ran."""
    tz = session.event.timezone
    timing = {t["agenda_item_id"]: t for t in floor.agenda_timing(session, now=now)}
    planned_start = session.starts_at
    items = []
    for item in session.agenda:
        t = timing.get(item.id, {})
        planned = item.planned_minutes * 60
        actual = t.get("actual_s")
        items.append(
            {
                "agenda_item_id": item.id,
                "position": item.position,
                "title": item.title,
                "kind": item.kind,
                "speakers": [s.name for s in item.speakers],
                "planned_start": iso(planned_start, tz),
                "planned_s": planned,
                "started_at": iso(t.get("started_at"), tz),
                "ended_at": iso(t.get("ended_at"), tz),
                "actual_s": actual,
                "spoken_s": t.get("spoken_s", 0.0),
                "turns": t.get("turns", 0),
                "overrun_s": round(max(0.0, actual - planned), 1) if actual is not None else None,
            }
        )
        planned_start = planned_start + timedelta(minutes=item.planned_minutes)
    run = [i for i in items if i["actual_s"] is not None]
    return {
        "items": items,
        "planned_s": sum(i["planned_s"] for i in items),
        "actual_s": round(sum(i["actual_s"] for i in run), 1),
        "items_run": len(run),
        "overruns": sum(1 for i in run if i["overrun_s"]),
        "overrun_s": round(sum(i["overrun_s"] for i in run), 1),
    }


def _floor(session: LiveSession, now: datetime) -> tuple[dict[str, Any], list[datetime]]:
    """Every handover in order, and speaking time per person; attendees by name only.

    Also returns when each turn began (aware datetimes), for the timeline.
    """
    tz = session.event.timezone
    turns, totals, began = [], {}, []
    for row in floor.handover_log(session, now=now):
        began.append(row["began_at"])
        programme_speaker = row["speaker_id"] is not None
        turns.append(
            {
                "agenda_item_id": row["agenda_item_id"],
                "agenda_item_title": row["agenda_item_title"],
                "kind": row["kind"],
                "speaker_id": row["speaker_id"],
                "name": row["name"],
                # An attendee's organisation comes from their registration: not shown.
                "organisation": row["organisation"] if programme_speaker else "",
                "attendee": not programme_speaker,
                "began_at": iso(row["began_at"], tz),
                "ended_at": iso(row["ended_at"], tz),
                "planned_s": row["planned_s"],
                "spoken_s": row["spoken_s"],
                "paused_s": row["paused_s"],
                "overrun_s": row["overrun_s"],
                "pauses": len(row["pauses"]),
            }
        )
        # Grouped by who spoke; the participant id is a key here and never leaves.
        key = ("s", row["speaker_id"]) if programme_speaker else ("p", row["participant_id"])
        entry = totals.setdefault(
            key,
            {
                "speaker_id": row["speaker_id"],
                "name": row["name"],
                "organisation": turns[-1]["organisation"],
                "attendee": not programme_speaker,
                "turns": 0,
                "spoken_s": 0.0,
            },
        )
        entry["turns"] += 1
        entry["spoken_s"] = round(entry["spoken_s"] + row["spoken_s"], 1)
    part = {
        "turns": turns,
        "speaking_times": sorted(totals.values(), key=lambda e: (-e["spoken_s"], e["name"])),
        "speaker_turns": sum(1 for t in turns if not t["attendee"]),
        "attendee_turns": sum(1 for t in turns if t["attendee"]),
        "spoken_s": round(sum(t["spoken_s"] for t in turns), 1),
        "overruns": sum(1 for t in turns if t["overrun_s"] > 0),
    }
    return part, began


# ---------------------------------------------------------------- polls


def _poll_entry(poll: Poll, data: dict[str, Any], items: dict[int, AgendaItem]) -> dict[str, Any]:
    options = {o["id"]: o["text"] for o in data["options"]}
    results = data.get("results")
    correct_id = data.get("correct_option_id")
    answers: list[dict[str, Any]] = []
    if poll.kind in ("single", "multiple", "quiz"):
        results = [
            {
                "option_id": r["option_id"],
                "text": options.get(r["option_id"], ""),
                "count": r["count"],
                **({"correct": r["option_id"] == correct_id} if poll.kind == "quiz" else {}),
            }
            for r in results
        ]
    elif poll.kind == "ranking":
        results = [
            {
                "option_id": r["option_id"],
                "text": options.get(r["option_id"], ""),
                "score": r["score"],
            }
            for r in sorted(results, key=lambda r: -r["score"])
        ]
    elif poll.kind == "open":
        answers = [
            {"text": a["text"], "author": None if poll.anonymous else a.get("author")}
            for a in results.get("answers", [])
        ]
        results = {"count": data["total"], "approved": len(answers)}
    item = items.get(poll.agenda_item_id)
    return {
        "id": poll.id,
        "kind": poll.kind,
        "question": poll.question,
        "state": poll.state.value,
        "anonymous": poll.anonymous,
        "results_public": data["results_public"],
        "agenda_item_id": poll.agenda_item_id,
        "agenda_item_title": item.title if item else None,
        "opened_at": data["opened_at"],
        "closed_at": data["closed_at"],
        "options": data["options"],
        "correct_option_id": correct_id,
        "scale": poll.setting("scale") if poll.kind == "rating" else None,
        "total": data["total"],
        "results": results,
        "answers": answers,
    }


def _polls(
    session: LiveSession, found: list[Poll], items: dict[int, AgendaItem]
) -> list[dict[str, Any]]:
    """Every poll opened in the session (drafts are plans, not results), in order."""
    counts = polls.load_counts(p.id for p in found)
    return [
        _poll_entry(p, polls.poll_dict(p, staff=True, counts=counts[p.id]), items) for p in found
    ]


# ---------------------------------------------------------------- questions


def _question_entry(
    q: Question, tz: str, items: dict[int, AgendaItem], titles: dict[int, str]
) -> dict[str, Any]:
    item = items.get(q.agenda_item_id)

    def session_ref(session_id: int | None):
        if session_id is None:
            return None
        return {"session_id": session_id, "session_title": titles.get(session_id)}

    return {
        "id": q.id,
        "session_id": q.session_id,
        "text": q.text,
        "state": q.state.value,
        "upvotes": q.upvotes,
        "anonymous": q.anonymous,
        "author": None if q.anonymous else q.author_name,
        "reply": q.reply,
        "answered_live": q.answered_live,
        "agenda_item_id": q.agenda_item_id,
        "agenda_item_title": item.title if item else None,
        "created_at": iso(q.created_at, tz),
        "carried_from": session_ref(q.carried_from_session_id),
        "carried_to": session_ref(q.carried_to_session_id),
    }


def _questions(
    session: LiveSession, items: dict[int, AgendaItem]
) -> tuple[dict, list[str], list[str]]:
    """The Q&A in figures and lists; the texts the room saw, and those asked here (themes)."""
    tz = session.event.timezone
    titles = {s.id: s.title for s in session.event.sessions}
    rows = list(
        db.session.scalars(
            select(Question).where(Question.session_id == session.id).order_by(Question.id)
        )
    )
    carried = [q.id for q in rows if q.carried_to_session_id is not None]
    copy_state: dict[int, QuestionState] = {}
    if carried:
        copy_state = dict(
            db.session.execute(
                select(Question.carried_from_question_id, Question.state).where(
                    Question.carried_from_question_id.in_(carried)
                )
            ).all()
        )

    def published(q: Question) -> bool:
        """Whether the room saw it: approved or answered here, or carried on as such."""
        if q.carried_to_session_id is not None:
            return copy_state.get(q.id) in PUBLIC_STATES
        return q.state in PUBLIC_STATES

    def n(pred) -> int:
        return sum(1 for q in rows if pred(q))

    archived = QuestionState.ARCHIVED
    counts = {
        "total": len(rows),
        "asked": n(lambda q: q.carried_from_session_id is None),
        "carried_in": n(lambda q: q.carried_from_session_id is not None),
        "answered": n(lambda q: q.state == QuestionState.ANSWERED),
        "answered_with_reply": n(lambda q: q.state == QuestionState.ANSWERED and bool(q.reply)),
        "answered_live": n(lambda q: q.state == QuestionState.ANSWERED and not q.reply),
        "unanswered": n(lambda q: q.state == QuestionState.APPROVED),
        "pending": n(lambda q: q.state == QuestionState.PENDING),
        "rejected": n(lambda q: q.state == QuestionState.REJECTED),
        "merged": n(lambda q: q.merged_into_id is not None),
        "archived": n(
            lambda q: (
                q.state == archived and q.merged_into_id is None and q.carried_to_session_id is None
            )
        ),
        "carried_forward": n(lambda q: q.carried_to_session_id is not None),
        "moderated_out": 0,
        "edited": n(lambda q: q.edited_at is not None),
        "anonymous": n(lambda q: q.anonymous),
        "signed": n(lambda q: not q.anonymous),
        "upvotes": _count(
            select(QuestionVote.id)
            .join(Question, Question.id == QuestionVote.question_id)
            .where(Question.session_id == session.id)
        ),
    }
    counts["moderated_out"] = counts["rejected"] + counts["archived"]

    def entries(selected) -> list[dict]:
        return [_question_entry(q, tz, items, titles) for q in selected]

    by_votes = sorted(rows, key=lambda q: (-q.upvotes, q.id))
    lists = {
        "answered": entries(q for q in by_votes if q.state == QuestionState.ANSWERED),
        "most_upvoted": entries(
            [q for q in by_votes if q.upvotes > 0 and published(q)][:MOST_UPVOTED]
        ),
        "unanswered": entries(q for q in by_votes if q.state == QuestionState.APPROVED),
        "carried_forward": entries(
            q for q in rows if q.carried_to_session_id is not None and published(q)
        ),
        "carried_in": entries(
            q for q in rows if q.carried_from_session_id is not None and published(q)
        ),
    }
    # The room's priorities first: themes read a bounded amount of text (themes.MAX_CHARS).
    texts = [q.text for q in by_votes if published(q)]
    own = [q.text for q in by_votes if published(q) and q.carried_from_session_id is None]
    return {"counts": counts, **lists}, texts, own


# ---------------------------------------------------------------- participation


def participation(session: LiveSession) -> dict[str, Any]:
    """Aggregates only: how many registered, joined, were online at once, and contributed."""
    sid = session.id
    session_polls = select(Poll.id).where(Poll.session_id == sid)
    contributors = union(
        select(Ballot.participant_id).where(Ballot.poll_id.in_(session_polls)),
        select(Question.participant_id).where(
            Question.session_id == sid, Question.participant_id.is_not(None)
        ),
        select(FloorRequest.participant_id).where(
            FloorRequest.session_id == sid, FloorRequest.participant_id.is_not(None)
        ),
    )
    profiles = db.session.execute(
        select(Registration.profile, func.count())
        .join(Participant, Participant.registration_id == Registration.id)
        .where(Participant.session_id == sid)
        .group_by(Registration.profile)
        .order_by(Registration.profile)
    ).all()
    return {
        "registered": _count(
            select(RegistrationSession.registration_id).where(RegistrationSession.session_id == sid)
        ),
        "joined": _count(select(Participant.id).where(Participant.session_id == sid)),
        "joined_registered": _count(
            select(Participant.id).where(
                Participant.session_id == sid, Participant.registration_id.is_not(None)
            )
        ),
        "peak_online": session.peak_online,
        "contributors": _count(contributors),
        "questions": _count(
            select(Question.id).where(
                Question.session_id == sid, Question.carried_from_session_id.is_(None)
            )
        ),
        "ballots": _count(select(Ballot.id).where(Ballot.poll_id.in_(session_polls))),
        "upvotes": _count(
            select(QuestionVote.id)
            .join(Question, Question.id == QuestionVote.question_id)
            .where(Question.session_id == sid)
        ),
        "floor_requests": _count(
            select(FloorRequest.id).where(
                FloorRequest.session_id == sid, FloorRequest.participant_id.is_not(None)
            )
        ),
        "floor_turns": _count(
            select(FloorRequest.id).where(
                FloorRequest.session_id == sid, FloorRequest.began_at.is_not(None)
            )
        ),
        "profiles": {profile: count for profile, count in profiles},
    }


# ---------------------------------------------------------------- timeline


def _timeline(
    session: LiveSession, polls_of: list[Poll], turns: list[dict], began: list[datetime]
) -> list[dict]:
    """What happened, in order: the session, agenda items, polls and floor turns."""
    tz = session.event.timezone
    items = {i.id: i for i in session.agenda}
    moments: list[tuple[datetime, int, dict]] = []

    def add(at: datetime | None, order: int, kind: str, title: str, **extra) -> None:
        if at is not None:
            moments.append((at, order, {"type": kind, "title": title, **extra}))

    add(session.started_at, 0, "session_started", session.title)
    for run in db.session.scalars(
        select(AgendaRun).where(AgendaRun.session_id == session.id).order_by(AgendaRun.id)
    ):
        item = items.get(run.agenda_item_id)
        add(
            run.started_at,
            1,
            "agenda_item",
            item.title if item else "",
            agenda_item_id=run.agenda_item_id,
            duration_s=_seconds(run.started_at, run.ended_at),
        )
    for poll in polls_of:
        add(poll.opened_at, 2, "poll_opened", poll.question, poll_id=poll.id)
        add(poll.closed_at, 2, "poll_closed", poll.question, poll_id=poll.id)
    for turn, at in zip(turns, began, strict=True):
        add(
            at,
            3,
            "floor_turn",
            turn["name"],
            agenda_item_id=turn["agenda_item_id"],
            duration_s=turn["spoken_s"],
        )
    add(session.ended_at, 9, "session_ended", session.title)
    moments.sort(key=lambda m: (m[0], m[1]))
    return [
        {
            "at": iso(at, tz),
            "type": entry["type"],
            "title": entry["title"],
            "agenda_item_id": entry.get("agenda_item_id"),
            "poll_id": entry.get("poll_id"),
            "duration_s": entry.get("duration_s"),
        }
        for at, _, entry in moments
    ]


def timeline(session: LiveSession, *, now: datetime | None = None) -> list[dict]:
    """The session's timeline on its own (the event workbook lists every session's)."""
    floor_part, began = _floor(session, now or utcnow())
    polls_of = polls.session_polls(session.id, include_drafts=False)
    return _timeline(session, polls_of, floor_part["turns"], began)


# ---------------------------------------------------------------- the session summary


def _build_session(session: LiveSession, now: datetime) -> tuple[dict[str, Any], list[str]]:
    """Return the summary and the texts first seen in this session (for the event's themes)."""
    event = session.event
    items = {i.id: i for i in session.agenda}
    polls_of = polls.session_polls(session.id, include_drafts=False)
    poll_entries = _polls(session, polls_of, items)
    questions, question_texts, own_texts = _questions(session, items)
    floor_part, began = _floor(session, now)
    moments = _timeline(session, polls_of, floor_part["turns"], began)
    answer_texts = [a["text"] for p in poll_entries for a in p["answers"]]
    # Each word a person gave to a word cloud is a contribution of its own.
    cloud_texts = [
        r["word"]
        for p in poll_entries
        if p["kind"] == "wordcloud"
        for r in p["results"]
        for _ in range(r["count"])
    ]
    themes = extract_themes(question_texts + answer_texts + cloud_texts, default=event.language)
    themes["sources"] = {
        "questions": len(question_texts),
        "open_answers": len(answer_texts),
        "words": len(cloud_texts),
    }
    heard, absent = facts.speakers(session, floor_part)
    taking_part = participation(session)
    summary = {
        "schema_version": SCHEMA_VERSION,
        "kind": "session",
        "generated_at": iso(now, event.timezone),
        "final": session.status == SessionStatus.ENDED,
        "event": event_header(event),
        "session": _session_header(session, now),
        "moderators": moderators(session),
        "speakers": heard,
        "absent_speakers": absent,
        "agenda": _agenda(session, now),
        "floor": floor_part,
        "polls": poll_entries,
        "questions": questions,
        "participation": {**taking_part, "funnel": facts.funnel(taking_part)},
        "themes": themes,
        "timeline": moments,
    }
    # Carried-in questions were asked elsewhere: they do not make a theme recur here.
    return summary, own_texts + answer_texts + cloud_texts


def build_session_summary(session: LiveSession, *, now: datetime | None = None) -> dict[str, Any]:
    """Return the session's summary: live while it runs (``final`` false), final once ended."""
    return _build_session(session, now or utcnow())[0]


# ---------------------------------------------------------------- the event synthesis


def _essentials(summary: dict[str, Any]) -> dict[str, Any]:
    """A session's figures and highlights, to set side by side with the others."""
    s, p, q = summary["session"], summary["participation"], summary["questions"]["counts"]
    ratings = [poll for poll in summary["polls"] if poll["kind"] == "rating"]
    evaluation = None
    if ratings:
        last = ratings[-1]
        evaluation = {
            "poll_id": last["id"],
            "question": last["question"],
            "total": last["total"],
            "mean": last["results"]["mean"],
        }
    return {
        "id": s["id"],
        "title": s["title"],
        "status": s["status"],
        "final": summary["final"],
        "starts_at": s["starts_at"],
        "ends_at": s["ends_at"],
        "started_at": s["started_at"],
        "ended_at": s["ended_at"],
        "speakers": [sp["name"] for sp in summary["speakers"]],
        "absent_speakers": [sp["name"] for sp in summary["absent_speakers"]],
        "moderators": [m["name"] for m in summary["moderators"]],
        "figures": {
            "registered": p["registered"],
            "joined": p["joined"],
            "peak_online": p["peak_online"],
            "contributors": p["contributors"],
            "questions": p["questions"],
            "answered": q["answered"],
            "unanswered": q["unanswered"],
            "carried_forward": q["carried_forward"],
            "moderated_out": q["moderated_out"],
            "polls": len(summary["polls"]),
            "ballots": p["ballots"],
            "floor_turns": p["floor_turns"],
            "agenda_overruns": summary["agenda"]["overruns"],
        },
        "top_questions": [
            {"text": e["text"], "upvotes": e["upvotes"], "author": e["author"]}
            for e in summary["questions"]["most_upvoted"][:3]
        ],
        "themes": [k["phrase"] for k in summary["themes"]["keyphrases"][:5]],
        "evaluation": evaluation,
    }


def _attendance(event: Event, summaries: list[dict]) -> dict[str, Any]:
    """How many came to one, two, ... every session (registrations are the only link)."""
    session_ids = [s.id for s in event.sessions]
    registrations = list(
        db.session.scalars(select(Registration.id).where(Registration.event_id == event.id))
    )
    chosen = dict(
        db.session.execute(
            select(RegistrationSession.registration_id, func.count())
            .join(Registration, Registration.id == RegistrationSession.registration_id)
            .where(Registration.event_id == event.id)
            .group_by(RegistrationSession.registration_id)
        ).all()
    )
    joined = dict(
        db.session.execute(
            select(Participant.registration_id, func.count(func.distinct(Participant.session_id)))
            .where(
                Participant.session_id.in_(session_ids), Participant.registration_id.is_not(None)
            )
            .group_by(Participant.registration_id)
        ).all()
    )
    unlinked = _count(
        select(Participant.id).where(
            Participant.session_id.in_(session_ids), Participant.registration_id.is_(None)
        )
    )
    n = len(session_ids)
    came = Counter(joined.get(rid, 0) for rid in registrations)
    registered_for = Counter(chosen.get(rid, 0) for rid in registrations)
    return {
        "registrations": len(registrations),
        "sessions": n,
        "registered_for": {str(k): registered_for.get(k, 0) for k in range(n + 1)},
        "came_to": {str(k): came.get(k, 0) for k in range(n + 1)},
        "joined_without_registration": unlinked,
        "people": sum(1 for rid in registrations if joined.get(rid, 0) > 0) + unlinked,
        "per_session": [
            {
                "session_id": s["session"]["id"],
                "title": s["session"]["title"],
                "registered": s["participation"]["registered"],
                "joined": s["participation"]["joined"],
                "peak_online": s["participation"]["peak_online"],
                "contributors": s["participation"]["contributors"],
            }
            for s in summaries
        ],
    }


def _compared_polls(summaries: list[dict]) -> list[dict[str, Any]]:
    """The same poll (same kind and question) asked in several sessions, side by side."""
    groups: dict[tuple[str, str], list[tuple[dict, dict]]] = defaultdict(list)
    for summary in summaries:
        for poll in summary["polls"]:
            groups[(poll["kind"], fold(" ".join(poll["question"].split())))].append(
                (summary["session"], poll)
            )
    compared = []
    for (kind, _), entries in groups.items():
        if len({session["id"] for session, _ in entries}) < 2:
            continue
        compared.append(
            {
                "kind": kind,
                "question": entries[0][1]["question"],
                "scale": entries[0][1]["scale"],
                "sessions": [
                    {
                        "session_id": session["id"],
                        "session_title": session["title"],
                        "poll_id": poll["id"],
                        "total": poll["total"],
                        "results": poll["results"],
                        "mean": poll["results"].get("mean")
                        if isinstance(poll["results"], dict)
                        else None,
                    }
                    for session, poll in entries
                ],
            }
        )
    return compared


def _carried_questions(event: Event) -> dict[str, Any]:
    """Questions carried from one session to a later one, and what became of them there."""
    titles = {s.id: s.title for s in event.sessions}
    copies = list(
        db.session.scalars(
            select(Question)
            .where(
                Question.session_id.in_(list(titles)),
                Question.carried_from_session_id.is_not(None),
            )
            .order_by(Question.session_id, Question.id)
        )
    )
    shown = [q for q in copies if q.state in PUBLIC_STATES or q.carried_to_session_id]
    return {
        "count": len(copies),
        "items": [
            {
                "text": q.text,
                "author": None if q.anonymous else q.author_name,
                "from_session_id": q.carried_from_session_id,
                "from_title": titles.get(q.carried_from_session_id),
                "to_session_id": q.session_id,
                "to_title": titles.get(q.session_id),
                "state": q.state.value,
                "reply": q.reply,
                "upvotes": q.upvotes,
            }
            for q in shown
        ],
    }


def _top_per_language(themes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    kept: Counter = Counter()
    top = []
    for phrase in themes:
        if kept[phrase["lang"]] < TOP_THEMES:
            kept[phrase["lang"]] += 1
            top.append(phrase)
    return top


def build_event_synthesis(
    event: Event,
    *,
    now: datetime | None = None,
    progress: Callable[[LiveSession], None] | None = None,
) -> dict[str, Any]:
    """Return the event's synthesis across its sessions (``progress`` is told of each one)."""
    now = now or utcnow()
    summaries, texts_by_session, texts_of = [], [], []
    for session in event.sessions:
        summary, texts = _build_session(session, now)
        summaries.append(summary)
        texts_by_session.append(texts)
        texts_of.append((session.id, texts))
        if progress is not None:
            progress(session)
    # Interleaved, so every session is read even when the texts are cut short.
    all_texts = [t for group in zip_longest(*texts_by_session) for t in group if t is not None]
    # More candidates than shown, so phrases shared by sessions are not crowded out.
    themes = extract_themes(all_texts, default=event.language, top=EVENT_THEMES)
    followed = facts.follow_themes(themes["keyphrases"], texts_of, default=event.language)
    recurring = [t for t in followed if len(t["sessions"]) >= 2]
    recurring.sort(key=lambda t: (-len(t["sessions"]), -t["count"], t["phrase"]))
    follow_up = sorted(
        (q for s in summaries if s["final"] for q in s["questions"]["unanswered"]),
        key=lambda q: (-q["upvotes"], q["id"]),
    )
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "event",
        "generated_at": iso(now, event.timezone),
        "final": all(s["final"] for s in summaries) and bool(summaries),
        "event": event_header(event),
        "sessions": [_essentials(s) for s in summaries],
        "themes": {"texts": themes["texts"], "keyphrases": _top_per_language(followed)},
        "recurring_themes": recurring[:RECURRING_THEMES],
        "carried_questions": _carried_questions(event),
        "follow_up": {"text": event.follow_up, "count": len(follow_up), "questions": follow_up},
        "attendance": _attendance(event, summaries),
        "compared_polls": _compared_polls(summaries),
    }

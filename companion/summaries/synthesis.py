"""The event synthesis: every session's essentials side by side, the themes followed from
session to session, attendance across sessions, carried questions and the follow-up."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime
from itertools import zip_longest
from typing import Any

from sqlalchemy import func, select

from ..core.timeutil import iso, utcnow
from ..extensions import db
from ..participants.models import Participant, Registration, RegistrationSession
from ..polls.kinds import KINDS
from ..programme.models import Event, LiveSession
from ..questions.models import PUBLIC_STATES, Question
from . import facts
from .headers import SCHEMA_VERSION, count, event_header
from .session_summary import build_session
from .themes import TOP as TOP_THEMES
from .themes import extract_themes, fold

RECURRING_THEMES = 15


EVENT_THEMES = 30


def _essentials(summary: dict[str, Any]) -> dict[str, Any]:
    """A session's figures and highlights, to set side by side with the others."""
    s, p, q = summary["session"], summary["participation"], summary["questions"]["counts"]
    ratings = [p for p in summary["polls"] if KINDS[p["kind"]].results_shape == "histogram"]
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
    unlinked = count(
        select(Participant.id).where(
            Participant.session_id.in_(session_ids), Participant.registration_id.is_(None)
        )
    )
    n = len(session_ids)
    came = Counter(joined.get(rid, 0) for rid in registrations)
    # Registrations of people who came: the others took no part, whatever they chose.
    registered_people = sum(1 for rid in registrations if joined.get(rid, 0) > 0)
    registered_for = Counter(chosen.get(rid, 0) for rid in registrations)
    return {
        "registrations": len(registrations),
        "sessions": n,
        "registered_for": {str(k): registered_for.get(k, 0) for k in range(n + 1)},
        "came_to": {str(k): came.get(k, 0) for k in range(n + 1)},
        "joined_without_registration": unlinked,
        "registered_people": registered_people,
        "people": registered_people + unlinked,
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
        summary, texts = build_session(session, now)
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

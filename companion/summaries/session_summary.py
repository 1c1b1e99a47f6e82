"""The session summary: one JSON document, read from the database into a plain dict.

:func:`build_session_summary` returns the summary documented in docs/summary-schema.md and
docs/summary.schema.json; the renderers in ``render/`` turn it into Markdown, HTML, PDF and XLSX.

Privacy, by construction: no participant id, email or registration field ever enters a
summary. Names appear only for programme speakers, moderators, attendees who took the
floor (they spoke in front of everyone), signed questions and answers to named polls.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..core.timeutil import iso, utcnow
from ..floor import report as floor
from ..polls import queries as poll_queries
from ..polls.kinds import KINDS
from ..polls.models import Poll
from ..programme.models import LiveSession, SessionStatus
from . import facts, polls_part
from .headers import SCHEMA_VERSION, event_header, seconds, session_header
from .moderators import moderators
from .participation import participation
from .questions_part import session_questions
from .themes import extract_themes


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
    log = floor.handover_log(session, now=now)
    turns, began = [], []
    for row in log:
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
    # The participant id groups an attendee's turns in the floor's report and never leaves.
    speaking = [
        {
            "speaker_id": entry["speaker_id"],
            "name": entry["name"],
            "organisation": entry["organisation"] if entry["speaker_id"] is not None else "",
            "attendee": entry["speaker_id"] is None,
            "turns": entry["turns"],
            "spoken_s": entry["spoken_s"],
        }
        for entry in floor.speaking_times(session, log=log)
    ]
    part = {
        "turns": turns,
        "speaking_times": sorted(speaking, key=lambda e: (-e["spoken_s"], e["name"])),
        "speaker_turns": sum(1 for t in turns if not t["attendee"]),
        "attendee_turns": sum(1 for t in turns if t["attendee"]),
        "spoken_s": round(sum(t["spoken_s"] for t in turns), 1),
        "overruns": sum(1 for t in turns if t["overrun_s"] > 0),
    }
    return part, began


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
    for run in floor.agenda_runs(session):
        item = items.get(run.agenda_item_id)
        add(
            run.started_at,
            1,
            "agenda_item",
            item.title if item else "",
            agenda_item_id=run.agenda_item_id,
            duration_s=seconds(run.started_at, run.ended_at),
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
    polls_of = poll_queries.session_polls(session.id, include_drafts=False)
    return _timeline(session, polls_of, floor_part["turns"], began)


def build_session(session: LiveSession, now: datetime) -> tuple[dict[str, Any], list[str]]:
    """Return the summary and the texts first seen in this session (for the event's themes)."""
    event = session.event
    items = {i.id: i for i in session.agenda}
    polls_of = poll_queries.session_polls(session.id, include_drafts=False)
    poll_entries = polls_part.poll_entries(session, polls_of, items)
    questions, question_texts, own_texts = session_questions(session, items)
    floor_part, began = _floor(session, now)
    moments = _timeline(session, polls_of, floor_part["turns"], began)
    answer_texts = [a["text"] for p in poll_entries for a in p["answers"]]
    # Each word a person gave to a word cloud is a contribution of its own.
    cloud_texts = [
        r["word"]
        for p in poll_entries
        if KINDS[p["kind"]].results_shape == "words"
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
        "session": session_header(session, now),
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
    return build_session(session, now or utcnow())[0]

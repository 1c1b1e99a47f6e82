"""Contribution rows (CSV, XLSX): one per question, ballot and request to speak, streamed.

Rows come from queries with ``yield_per``, so a big session never sits in memory at once. Values
are typed, not formatted: ``at`` is an aware datetime in the event's timezone, numbers are
numbers, ``state`` and ``poll_kind`` are codes, and ``detail`` is a list of ``(code, value)``
pairs; the spreadsheet writers put them in the export's language (render/tables.py).

Privacy as in the summaries: an anonymous question or ballot carries no name, and a raised hand
that never got the floor stays unnamed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..core.timeutil import utcnow
from ..extensions import db, socketio
from ..floor import report as floor
from ..floor.models import FloorRequest
from ..participants.models import Participant
from ..polls.kinds import KINDS
from ..polls.models import Ballot, Poll, PollOption, PollState
from ..programme.models import AgendaItem, LiveSession
from ..questions.models import Question

ROWS_PER_FETCH = 1000


def local_time(value: datetime | None, tz: str) -> datetime | None:
    """An aware datetime shown in the event's timezone."""
    return value.astimezone(ZoneInfo(tz)) if value is not None else None


ROW_FIELDS = (
    "session_id",
    "session",
    "type",
    "id",
    "at",
    "agenda_item",
    "poll",
    "poll_kind",
    "text",
    "state",
    "upvotes",
    "reply",
    "author",
    "anonymous",
    "detail",
    "spoken_s",
)


def _breathe(n: int) -> None:
    """Let the server's other greenlets run now and then during a long export.

    Under eventlet or gevent an export runs on the same thread as the live sessions: without
    a pause every few hundred rows, a big CSV would hold every socket still until it is done.
    """
    if n % ROWS_PER_FETCH == ROWS_PER_FETCH - 1:
        socketio.sleep(0)


def question_rows(sessions: list[LiveSession]) -> Iterator[dict[str, Any]]:
    """One row per question, streamed; an anonymous question's author is empty."""
    titles = {s.id: s.title for s in sessions}
    tz = sessions[0].event.timezone if sessions else "UTC"
    query = (
        select(
            Question.id,
            Question.session_id,
            Question.created_at,
            AgendaItem.title,
            Question.text,
            Question.state,
            Question.upvotes,
            Question.reply,
            Question.anonymous,
            Question.author_name,
            Question.carried_from_session_id,
            Question.carried_to_session_id,
            Question.merged_into_id,
        )
        .outerjoin(AgendaItem, AgendaItem.id == Question.agenda_item_id)
        .where(Question.session_id.in_(list(titles)))
        .order_by(Question.session_id, Question.id)
        .execution_options(yield_per=ROWS_PER_FETCH)
    )
    for n, row in enumerate(db.session.execute(query)):
        _breathe(n)
        detail: list[tuple[str, Any]] = []
        if row.carried_from_session_id:
            detail.append(("carried_from", titles.get(row.carried_from_session_id, "")))
        if row.carried_to_session_id:
            detail.append(("carried_to", titles.get(row.carried_to_session_id, "")))
        if row.merged_into_id:
            detail.append(("merged_into", row.merged_into_id))
        yield {
            "session_id": row.session_id,
            "session": titles[row.session_id],
            "type": "question",
            "id": row.id,
            "at": local_time(row.created_at, tz),
            "agenda_item": row.title or "",
            "poll": "",
            "poll_kind": "",
            "text": row.text,
            "state": row.state.value,
            "upvotes": row.upvotes,
            "reply": row.reply or "",
            "author": "" if row.anonymous else (row.author_name or ""),
            "anonymous": bool(row.anonymous),
            "detail": detail,
            "spoken_s": None,
        }


def answer_rows(sessions: list[LiveSession]) -> Iterator[dict[str, Any]]:
    """One row per ballot, streamed; a ballot of an anonymous poll carries no name."""
    titles = {s.id: s.title for s in sessions}
    tz = sessions[0].event.timezone if sessions else "UTC"
    found = list(
        db.session.scalars(
            select(Poll)
            .where(Poll.session_id.in_(list(titles)), Poll.state != PollState.DRAFT)
            .order_by(Poll.session_id, Poll.position, Poll.id)
        )
    )
    options = dict(
        db.session.execute(
            select(PollOption.id, PollOption.text).where(
                PollOption.poll_id.in_([p.id for p in found])
            )
        ).all()
    )
    items = dict(
        db.session.execute(
            select(AgendaItem.id, AgendaItem.title).where(AgendaItem.session_id.in_(list(titles)))
        ).all()
    )
    for poll in found:
        anonymous = poll.anonymous
        kind = KINDS[poll.kind]
        columns = [Ballot.id, Ballot.updated_at, Ballot.answer, Ballot.correct, Ballot.approved]
        query = select(*columns).where(Ballot.poll_id == poll.id).order_by(Ballot.id)
        if not anonymous:
            # Names are read only for named polls: an anonymous ballot's author never loads.
            query = query.add_columns(Participant.display_name).join(
                Participant, Participant.id == Ballot.participant_id
            )
        for n, row in enumerate(
            db.session.execute(query.execution_options(yield_per=ROWS_PER_FETCH))
        ):
            _breathe(n)
            detail: list[tuple[str, Any]] = []
            if kind.scored:
                detail.append(("correct", bool(row.correct)))
            elif kind.moderated:
                detail.append(("approved", bool(row.approved)))
            yield {
                "session_id": poll.session_id,
                "session": titles[poll.session_id],
                "type": "answer",
                "id": row.id,
                "at": local_time(row.updated_at, tz),
                "agenda_item": items.get(poll.agenda_item_id, ""),
                "poll": poll.question,
                "poll_kind": poll.kind,
                "text": kind.readable(row.answer or {}, options),
                "state": "",
                "upvotes": "",
                "reply": "",
                "author": "" if anonymous else row.display_name,
                "anonymous": anonymous,
                "detail": detail,
                "spoken_s": None,
            }


def floor_rows(sessions: list[LiveSession]) -> Iterator[dict[str, Any]]:
    """One row per request to speak or programme speaker's turn, streamed.

    A raised hand that never got the floor stays unnamed: only those who spoke are named.
    """
    titles = {s.id: s.title for s in sessions}
    tz = sessions[0].event.timezone if sessions else "UTC"
    now = utcnow()
    query = (
        select(FloorRequest)
        .where(FloorRequest.session_id.in_(list(titles)))
        .order_by(FloorRequest.session_id, FloorRequest.requested_at, FloorRequest.id)
        .execution_options(yield_per=ROWS_PER_FETCH)
    )
    items = dict(
        db.session.execute(
            select(AgendaItem.id, AgendaItem.title).where(AgendaItem.session_id.in_(list(titles)))
        ).all()
    )
    for n, request in enumerate(db.session.scalars(query)):
        _breathe(n)
        yield {
            "session_id": request.session_id,
            "session": titles[request.session_id],
            "type": "floor",
            "id": request.id,
            "at": local_time(request.began_at or request.requested_at, tz),
            "agenda_item": items.get(request.agenda_item_id, ""),
            "poll": "",
            "poll_kind": request.kind,
            "text": "",
            "state": floor.request_state(request),
            "upvotes": "",
            "reply": "",
            "author": floor.public_name(request),
            "anonymous": False,
            "detail": [],
            "spoken_s": floor.spoken_s(request, now),
        }
        db.session.expunge(request)


def contribution_rows(sessions: list[LiveSession]) -> Iterator[dict[str, Any]]:
    """Every contribution of ``sessions``: questions, then answers, then the floor."""
    yield from question_rows(sessions)
    yield from answer_rows(sessions)
    yield from floor_rows(sessions)

"""Wire dicts of polls, made at the edge: the contract's ``poll`` shape, answers, broadcasts.

Verbs return models; sockets, routes, snapshot parts and broadcasts turn them into these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..core.timeutil import iso
from ..extensions import db
from ..programme.models import LiveSession
from ..realtime import hub
from .kinds import KINDS
from .models import Ballot, Poll, PollOption, PollState
from .queries import participant_names, results_public, session_polls
from .results import approved_answers, build_results, load_counts


def _timezone(session_id: int) -> str:
    return db.session.get(LiveSession, session_id).event.timezone


def _shows_results(poll: Poll, *, staff: bool) -> bool:
    return poll.state != PollState.DRAFT and (staff or results_public(poll))


def _poll_fields(poll: Poll, *, staff: bool) -> dict[str, Any]:
    """The ``poll`` shape but for its figures (``total`` and ``results``)."""
    kind = KINDS[poll.kind]
    tz = _timezone(poll.session_id)
    settings = dict(poll.settings or {})
    settings["agenda_item_id"] = poll.agenda_item_id
    reveal_answer = staff or poll.state == PollState.CLOSED
    if kind.scored and not reveal_answer:
        settings.pop("correct_option", None)
    data: dict[str, Any] = {
        "id": poll.id,
        "session_id": poll.session_id,
        "agenda_item_id": poll.agenda_item_id,
        "kind": poll.kind,
        "question": poll.question,
        "options": [{"id": o.id, "text": o.text} for o in poll.options],
        "state": poll.state.value,
        "settings": settings,
        "anonymous": poll.anonymous,
        "revealed": poll.revealed,
        "results_public": results_public(poll),
        "position": poll.position,
        "created_at": iso(poll.created_at, tz),
        "opened_at": iso(poll.opened_at, tz),
        "closed_at": iso(poll.closed_at, tz),
    }
    if kind.scored and reveal_answer:
        data["correct_option_id"] = poll.options[poll.setting("correct_option")].id
    return data


def poll_dict(
    poll: Poll,
    *,
    staff: bool,
    counts: dict[str, int] | None = None,
    approved: list[dict] | None = None,
) -> dict[str, Any]:
    """Return the contract's ``poll`` shape as ``staff`` (or the room) may see it.

    Results (and the total) are included when visible to that audience; a quiz's correct option
    stays with moderators until the poll closes.
    """
    data = _poll_fields(poll, staff=staff)
    if _shows_results(poll, staff=staff):
        if counts is None:
            counts = load_counts([poll.id])[poll.id]
        if approved is None and KINDS[poll.kind].moderated:
            approved = approved_answers([poll])[poll.id]
        data["total"], data["results"] = build_results(poll, counts, approved)
    return data


def deleted_dict(poll: Poll) -> dict[str, Any]:
    """What is left to say of a deleted poll."""
    return {"id": poll.id, "session_id": poll.session_id, "state": "deleted", "deleted": True}


def answer_entry(poll: Poll, ballot: Ballot, names: dict[int, str]) -> dict[str, Any]:
    """One answer as moderators see it; its author only in a named poll."""
    entry: dict[str, Any] = {"id": ballot.id, "answer": ballot.answer}
    if KINDS[poll.kind].moderated:
        entry["text"] = ballot.answer.get("text", "")
        entry["approved"] = ballot.approved
    if not poll.anonymous:
        entry["author"] = names.get(ballot.participant_id, "")
    return entry


def answer_list(poll: Poll, ballots: list[Ballot]) -> list[dict[str, Any]]:
    """The answers of :func:`moderation.list_answers`; anonymous polls never say who."""
    names = {} if poll.anonymous else participant_names([b.participant_id for b in ballots])
    return [answer_entry(poll, b, names) for b in ballots]


def publish(poll: Poll) -> None:
    """Broadcast a poll's new state: the room's view, and the moderators' view when it differs."""
    db.session.flush()
    counts = load_counts([poll.id])[poll.id]
    approved = approved_answers([poll]).get(poll.id)
    staff_view = poll_dict(poll, staff=True, counts=counts, approved=approved)
    if poll.state == PollState.DRAFT:
        hub.publish(poll.session_id, "poll.updated", {"poll": staff_view}, audience="staff")
        return
    room_view = poll_dict(poll, staff=False, counts=counts, approved=approved)
    hub.publish(poll.session_id, "poll.updated", {"poll": room_view})
    if staff_view != room_view:
        # Moderators get this one after the room's: its seq is higher, so it is what they keep.
        hub.publish(poll.session_id, "poll.updated", {"poll": staff_view}, audience="staff")


@dataclass(frozen=True)
class PollsView:
    """A session's polls as one audience sees them, figures left out: the joins of one seq
    share it (:func:`polls_view`), and add the figures read afresh (:func:`with_figures`)."""

    entries: tuple[dict[str, Any], ...]  # the ``poll`` shapes without figures; never changed
    #: Copies (outside any session) of the polls whose results this audience sees.
    shown: tuple[Poll, ...]
    poll_ids: tuple[int, ...]
    closed_quiz_ids: frozenset[int]


def _results_copy(poll: Poll) -> Poll:
    """What a kind's results read of a poll (kind, settings, options), in a copy that belongs to
    no session: the loaded poll expires at the join's commit, the copy serves later joins."""
    return Poll(
        id=poll.id,
        session_id=poll.session_id,
        kind=poll.kind,
        settings=dict(poll.settings or {}),
        options=[PollOption(id=o.id, text=o.text, position=o.position) for o in poll.options],
    )


def polls_view(session_id: int, *, staff: bool) -> PollsView:
    """Read the polls ``staff`` (or the room) may see: drafts for moderators only."""
    polls = session_polls(session_id, include_drafts=staff)
    return PollsView(
        entries=tuple(_poll_fields(p, staff=staff) for p in polls),
        shown=tuple(_results_copy(p) for p in polls if _shows_results(p, staff=staff)),
        poll_ids=tuple(p.id for p in polls),
        closed_quiz_ids=frozenset(
            p.id for p in polls if KINDS[p.kind].scored and p.state == PollState.CLOSED
        ),
    )


def with_figures(view: PollsView) -> list[dict]:
    """The view's entries with their current results: counters (and approved texts) read now."""
    counts = load_counts(p.id for p in view.shown)
    approved = approved_answers(list(view.shown))
    results = {p.id: build_results(p, counts[p.id], approved.get(p.id)) for p in view.shown}
    entries = []
    for fields in view.entries:
        entry = dict(fields)
        if entry["id"] in results:
            entry["total"], entry["results"] = results[entry["id"]]
        entries.append(entry)
    return entries


def add_my_answers(entries: list[dict], mine: dict[int, dict]) -> None:
    """Give each of a participant's entries their own answer (None: not answered)."""
    for entry in entries:
        entry["my_answer"] = mine.get(entry["id"])


def session_results(session: LiveSession) -> list[dict]:
    """Return every opened poll of a session with its results, for summaries and exports.

    No participant id or name appears for anonymous polls; open texts are all included.
    """
    polls = session_polls(session.id, include_drafts=False)
    counts = load_counts(p.id for p in polls)
    approved = approved_answers(polls)
    entries = []
    for poll in polls:
        entry = poll_dict(poll, staff=True, counts=counts[poll.id], approved=approved.get(poll.id))
        if KINDS[poll.kind].moderated:
            texts = db.session.scalars(select(Ballot.answer).where(Ballot.poll_id == poll.id))
            # Sorted, so the order says nothing of who answered when.
            entry["texts"] = sorted(a.get("text", "") for a in texts)
        entries.append(entry)
    return entries

"""Wire dicts of polls, made at the edge: the contract's ``poll`` shape, answers, broadcasts.

Verbs return models; sockets, routes, snapshot parts and broadcasts turn them into these.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..core.actors import Actor
from ..core.timeutil import iso
from ..extensions import db
from ..programme.models import LiveSession
from ..realtime import hub
from .kinds import KINDS
from .models import Ballot, Poll, PollState
from .queries import my_answers, participant_names, results_public, session_polls
from .results import approved_answers, build_results, load_counts


def _timezone(session_id: int) -> str:
    return db.session.get(LiveSession, session_id).event.timezone


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
    kind = KINDS[poll.kind]
    tz = _timezone(poll.session_id)
    public = results_public(poll)
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
        "results_public": public,
        "position": poll.position,
        "created_at": iso(poll.created_at, tz),
        "opened_at": iso(poll.opened_at, tz),
        "closed_at": iso(poll.closed_at, tz),
    }
    if kind.scored and reveal_answer:
        data["correct_option_id"] = poll.options[poll.setting("correct_option")].id
    if poll.state != PollState.DRAFT and (staff or public):
        if counts is None:
            counts = load_counts([poll.id])[poll.id]
        if approved is None and kind.moderated:
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


def polls_for(session: LiveSession, actor: Actor) -> list[dict]:
    """Return the polls this actor may see: drafts for moderators, results where visible.

    A participant's entries carry their own current answer as ``my_answer``.
    """
    staff = actor.is_staff
    polls = session_polls(session.id, include_drafts=staff)
    counts = load_counts(p.id for p in polls)
    approved = approved_answers(polls)
    entries = [
        poll_dict(p, staff=staff, counts=counts[p.id], approved=approved.get(p.id)) for p in polls
    ]
    if actor.participant_id is not None:
        mine = my_answers([p.id for p in polls], actor.participant_id)
        for entry in entries:
            entry["my_answer"] = mine.get(entry["id"])
    return entries


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

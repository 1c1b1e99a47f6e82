"""Poll rules: prepare, open, close, reveal and delete polls; cast ballots; count and show results.

Votes are the hot path. Each one is a small transaction: the ballot row (one per participant and
poll, enforced by a unique constraint) and a few counters moved by ``count = count + delta``.
Nothing is recounted and nothing is broadcast per vote: the poll is only marked dirty, and the
coalescer sends its results a few times a second at most (see :func:`flush_results`).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from ..core import permissions
from ..core.actors import Actor
from ..core.errors import Closed, Conflict, Forbidden, Invalid, NotFound
from ..core.i18n import N_
from ..core.schemas import parse
from ..core.timeutil import iso, utcnow
from ..extensions import db
from ..participants.models import Participant
from ..programme import service as programme
from ..programme.lifecycle import check_live
from ..programme.models import AgendaItem, LiveSession
from ..realtime import hub
from ..realtime.coalesce import coalescer
from .models import OPTION_KINDS, Ballot, Poll, PollOption, PollState, PollTally
from .schemas import (
    ANSWER_SCHEMAS,
    WORD_MAX,
    WORDS_MAX,
    PollFile,
    ScaleIn,
    SettingsFile,
    SettingsIn,
)

COALESCE_KIND = "polls"
TOTAL_KEY = "ballots"
WORDCLOUD_LIMIT = 100  # words sent in results; the long tail is not readable anyway
ANSWERS_LIMIT = 500
LEADERBOARD_SIZE = 10

# ---------------------------------------------------------------- reading


def get_poll(poll_id: int) -> Poll:
    poll = db.session.get(Poll, poll_id)
    if poll is None:
        raise NotFound(N_("No such poll."))
    return poll


def _require_moderator(actor: Actor) -> None:
    if not permissions.may_moderate(actor):
        raise Forbidden(N_("Only moderators manage polls."))


def _require_attendance(poll: Poll, actor: Actor) -> None:
    permissions.check_attend(actor, poll.session_id)


def session_polls(session_id: int, *, include_drafts: bool) -> list[Poll]:
    query = select(Poll).where(Poll.session_id == session_id)
    if not include_drafts:
        query = query.where(Poll.state != PollState.DRAFT)
    return list(db.session.scalars(query.order_by(Poll.position, Poll.id)))


def results_public(poll: Poll) -> bool:
    """Tell whether the whole room may see the poll's results now.

    ``live``: while open and after; ``on_close``: once closed; ``on_reveal``: once a moderator
    reveals them. A reveal also shows them early in the other two modes. Moderators always see
    results; drafts have none.
    """
    if poll.state == PollState.DRAFT:
        return False
    if poll.revealed:
        return True
    mode = poll.setting("results", "live")
    if mode == "live":
        return True
    if mode == "on_close":
        return poll.state == PollState.CLOSED
    return False


# ---------------------------------------------------------------- definitions


@dataclass
class Definition:
    """A poll's validated kind, question, options and normalised settings."""

    kind: str
    question: str
    options: list[str]
    settings: dict[str, Any]


def build_definition(
    kind: str, question: str, options: list[str], settings: SettingsFile
) -> Definition:
    """Check that options and settings fit the kind; return the settings the poll keeps.

    :raises Invalid: naming the first thing that does not fit.
    """
    options = [" ".join(o.split()) for o in options]
    if kind in OPTION_KINDS:
        if len(options) < 2:
            raise Invalid(N_("This kind of poll needs at least two options."))
        folded = [o.casefold() for o in options]
        if len(set(folded)) != len(folded):
            raise Invalid(N_("Two options have the same text."))
    elif options:
        raise Invalid(N_("Only choice, ranking and quiz polls have options."))
    normal: dict[str, Any] = {"anonymous": settings.anonymous, "results": settings.results}
    given = settings.model_dump(exclude_unset=True, exclude_none=True)

    def refuse_unless(name: str, kinds: tuple[str, ...]) -> None:
        if name in given and kind not in kinds:
            raise Invalid(
                N_("The setting %(name)s does not apply to a %(kind)s poll."),
                params={"name": name, "kind": kind},
                details=[{"field": f"settings.{name}", "problem": "not for this kind"}],
            )

    refuse_unless("max_choices", ("multiple",))
    refuse_unless("max_words", ("wordcloud",))
    refuse_unless("scale", ("rating",))
    refuse_unless("correct_option", ("quiz",))
    if kind == "multiple":
        max_choices = settings.max_choices or len(options)
        if max_choices > len(options):
            raise Invalid(N_("max_choices cannot exceed the number of options."))
        normal["max_choices"] = max_choices
    elif kind == "wordcloud":
        normal["max_words"] = settings.max_words or WORDS_MAX
    elif kind == "rating":
        scale = settings.scale or ScaleIn()
        normal["scale"] = {
            "min": scale.min,
            "max": scale.max,
            "labels": {str(k): v for k, v in sorted(scale.labels.items()) if v.strip()},
        }
    elif kind == "quiz":
        if settings.correct_option is None:
            raise Invalid(N_("A quiz needs its correct option (correct_option, an index)."))
        if settings.correct_option >= len(options):
            raise Invalid(N_("correct_option must be the index of one of the options."))
        normal["correct_option"] = settings.correct_option
    return Definition(kind, " ".join(question.split()), options, normal)


def _agenda_item(session: LiveSession, item_id: int | None) -> AgendaItem | None:
    return programme.get_agenda_item(session, item_id) if item_id is not None else None


def _next_position(session_id: int) -> int:
    highest = db.session.scalar(
        select(func.max(Poll.position)).where(Poll.session_id == session_id)
    )
    return 0 if highest is None else highest + 1


def _add_poll(session: LiveSession, definition: Definition, item: AgendaItem | None) -> Poll:
    poll = Poll(
        session_id=session.id,
        agenda_item_id=item.id if item else None,
        kind=definition.kind,
        question=definition.question,
        settings=definition.settings,
        state=PollState.DRAFT,
        position=_next_position(session.id),
        options=[PollOption(position=i, text=t) for i, t in enumerate(definition.options)],
    )
    db.session.add(poll)
    db.session.flush()
    return poll


# ---------------------------------------------------------------- moderator actions


def create_poll(
    session: LiveSession,
    *,
    kind: str,
    question: str,
    options: list[str],
    settings: SettingsIn,
    actor: Actor,
) -> Poll:
    """Prepare a poll as a draft, seen by moderators only until opened."""
    _require_moderator(actor)
    definition = build_definition(kind, question, options, settings)
    item = _agenda_item(session, settings.agenda_item_id)
    poll = _add_poll(session, definition, item)
    _publish(poll)
    return poll


def update_poll(
    poll: Poll,
    *,
    kind: str | None = None,
    question: str | None = None,
    options: list[str] | None = None,
    settings: SettingsIn | None = None,
    actor: Actor,
) -> Poll:
    """Edit a draft; the fields given replace the current ones."""
    _require_moderator(actor)
    if poll.state != PollState.DRAFT:
        raise Conflict(N_("Only a draft can be edited."))
    if settings is None:
        kept = {k: v for k, v in poll.settings.items() if k != "agenda_item_id"}
        settings = SettingsIn.model_validate({**kept, "agenda_item_id": poll.agenda_item_id})
    definition = build_definition(
        kind or poll.kind,
        question or poll.question,
        options if options is not None else [o.text for o in poll.options],
        settings,
    )
    session = programme.get_session(poll.session_id)
    item = _agenda_item(session, settings.agenda_item_id)
    poll.kind = definition.kind
    poll.question = definition.question
    poll.settings = definition.settings
    poll.agenda_item_id = item.id if item else None
    if [o.text for o in poll.options] != definition.options:
        poll.options.clear()
        db.session.flush()
        poll.options.extend(
            PollOption(position=i, text=t) for i, t in enumerate(definition.options)
        )
    db.session.flush()
    _publish(poll)
    return poll


def open_poll(poll: Poll, *, actor: Actor) -> Poll:
    """Open a draft for answers, or reopen a closed poll (its ballots are kept)."""
    _require_moderator(actor)
    check_live(programme.get_session(poll.session_id))
    if poll.state == PollState.OPEN:
        raise Conflict(N_("This poll is already open."))
    if poll.state == PollState.CLOSED:
        # A second round: hide results held back for the reveal again, to avoid herd answers.
        poll.revealed = False
    poll.state = PollState.OPEN
    poll.opened_at = utcnow()
    poll.closed_at = None
    db.session.flush()
    _publish(poll)
    return poll


def close_poll(poll: Poll, *, actor: Actor) -> Poll:
    """Close an open poll; later votes answer ``closed``; a quiz shows its correct option."""
    _require_moderator(actor)
    if poll.state != PollState.OPEN:
        raise Conflict(N_("Only an open poll can be closed."))
    poll.state = PollState.CLOSED
    poll.closed_at = utcnow()
    db.session.flush()
    _publish(poll)
    return poll


def reveal_poll(poll: Poll, *, actor: Actor) -> Poll:
    """Show the results to the room now, whatever the poll's results mode."""
    _require_moderator(actor)
    if poll.state == PollState.DRAFT:
        raise Conflict(N_("A draft has no results to reveal; open it first."))
    if results_public(poll):
        raise Conflict(N_("The results are already shown."))
    poll.revealed = True
    db.session.flush()
    _publish(poll)
    return poll


def delete_poll(poll: Poll, *, actor: Actor) -> dict:
    """Delete a poll with its ballots and counters."""
    _require_moderator(actor)
    gone = {"id": poll.id, "session_id": poll.session_id, "state": "deleted", "deleted": True}
    audience = "staff" if poll.state == PollState.DRAFT else "all"
    session_id = poll.session_id
    db.session.delete(poll)
    db.session.flush()
    hub.publish(session_id, "poll.updated", {"poll": gone}, audience=audience)
    return gone


def moderate_answer(poll: Poll, answer_id: int, action: str, *, actor: Actor) -> dict:
    """Approve an open-text answer for the room, or hide it again."""
    _require_moderator(actor)
    if poll.kind != "open":
        raise Invalid(N_("Only open-text answers are moderated."))
    ballot = db.session.get(Ballot, answer_id)
    if ballot is None or ballot.poll_id != poll.id:
        raise NotFound(N_("No such answer in this poll."))
    ballot.approved = action == "approve"
    db.session.flush()
    hub.mark_dirty(COALESCE_KIND, poll.id)
    return _answer_entry(poll, ballot, names={})


# ---------------------------------------------------------------- voting


def fold_word(word: str) -> str:
    """Fold a word-cloud word for counting: case, Unicode form and surrounding spaces."""
    spaced = " ".join(unicodedata.normalize("NFC", word).split())
    return unicodedata.normalize("NFC", spaced.casefold())


def read_answer(poll: Poll, data: dict[str, Any]) -> tuple[dict, Counter, bool | None]:
    """Check an answer against the poll; return (stored answer, tally keys, quiz correctness).

    :raises Invalid: the answer does not fit (unknown option, too many choices, empty word,
        value off the scale, a ranking that is not a permutation, ...).
    """
    answer = parse(ANSWER_SCHEMAS[poll.kind], data)
    option_ids = [o.id for o in poll.options]
    keys: Counter = Counter()
    correct = None
    if poll.kind in ("single", "quiz"):
        if answer.option_id not in option_ids:
            raise Invalid(N_("This option is not one of the poll's."))
        keys[f"option:{answer.option_id}"] = 1
        stored = {"option_id": answer.option_id}
        if poll.kind == "quiz":
            correct = option_ids.index(answer.option_id) == poll.setting("correct_option")
    elif poll.kind == "multiple":
        chosen = answer.option_ids
        if len(set(chosen)) != len(chosen):
            raise Invalid(N_("An option is chosen twice."))
        if any(oid not in option_ids for oid in chosen):
            raise Invalid(N_("This option is not one of the poll's."))
        if len(chosen) > poll.setting("max_choices", len(option_ids)):
            raise Invalid(
                N_("Choose at most %(n)s options."),
                params={"n": poll.setting("max_choices")},
                details=[{"field": "answer.option_ids", "problem": "too many choices"}],
            )
        ordered = sorted(chosen, key=option_ids.index)
        keys.update(f"option:{oid}" for oid in ordered)
        stored = {"option_ids": ordered}
    elif poll.kind == "ranking":
        ranked = answer.option_ids
        if len(ranked) != len(option_ids) or set(ranked) != set(option_ids):
            raise Invalid(N_("A ranking must list every option exactly once."))
        last = len(ranked) - 1
        for place, oid in enumerate(ranked):
            keys[f"score:{oid}"] = last - place  # Borda: n-1 points for first ... 0 for last
        stored = {"option_ids": list(ranked)}
    elif poll.kind == "wordcloud":
        words, seen = [], set()
        for raw in answer.words:
            shown = " ".join(raw.split())
            folded = fold_word(raw)
            if not any(ch.isalnum() for ch in folded):
                raise Invalid(N_("A word is empty."))
            if len(folded) > WORD_MAX:
                raise Invalid(N_("A word has at most %(n)s characters."), params={"n": WORD_MAX})
            if folded not in seen:  # the same word twice in one ballot counts once
                seen.add(folded)
                words.append(shown)
        if len(words) > poll.setting("max_words", WORDS_MAX):
            raise Invalid(N_("Give at most %(n)s words."), params={"n": poll.setting("max_words")})
        keys.update(f"word:{w}" for w in seen)
        stored = {"words": words}
    elif poll.kind == "rating":
        scale = poll.setting("scale")
        if not scale["min"] <= answer.value <= scale["max"]:
            raise Invalid(
                N_("The value must be between %(min)s and %(max)s."),
                params={"min": scale["min"], "max": scale["max"]},
            )
        keys[f"value:{answer.value}"] = 1
        stored = {"value": answer.value}
    else:  # open
        text = answer.text.strip()
        if not text:
            raise Invalid(N_("The answer is empty."))
        stored = {"text": text}
    return stored, keys, correct


def _tally_keys(poll: Poll, stored: dict) -> Counter:
    """Return the counters a stored answer added (to take them back when it changes)."""
    return read_answer(poll, stored)[1]


_STATEMENTS: dict[tuple[str, str], Any] = {}


def _statement(name: str):
    """Return one of the vote's two upserts, built once per dialect so its compiled form is cached.

    They run on the tables (Core), with parameters: no ORM bulk path, no recompiling per vote.
    """
    dialect = db.engine.dialect.name
    key = (dialect, name)
    if key not in _STATEMENTS:
        module = postgresql if dialect == "postgresql" else sqlite
        if name == "ballot":
            _STATEMENTS[key] = (
                module.insert(Ballot.__table__)
                .on_conflict_do_nothing(index_elements=["poll_id", "participant_id"])
                .returning(Ballot.__table__.c.id)
            )
        else:
            tallies = PollTally.__table__
            insert = module.insert(tallies)
            _STATEMENTS[key] = insert.on_conflict_do_update(
                index_elements=["poll_id", "key"],
                set_={"count": tallies.c.count + insert.excluded.count},
            )
    return _STATEMENTS[key]


def _bump(poll_id: int, deltas: Counter) -> None:
    """Move the poll's counters by ``deltas`` in place, creating the missing ones.

    ``INSERT ... ON CONFLICT (poll_id, key) DO UPDATE SET count = count + delta``: the unique
    constraint settles two first votes racing to create the same counter. Keys go in sorted
    order so concurrent votes lock counter rows in the same order (no deadlock).
    """
    rows = [
        {"poll_id": poll_id, "key": key, "count": deltas[key]}
        for key in sorted(deltas)
        if deltas[key] != 0
    ]
    if rows:
        db.session.execute(_statement("tally"), rows)


def cast_vote(poll: Poll, data: dict[str, Any], *, actor: Actor) -> dict:
    """Record or change the actor's ballot; it counts once whatever the number of changes.

    :raises Forbidden: not a participant of the poll's session.
    :raises Closed: the poll is not open.
    :raises Invalid: the answer does not fit the poll; nothing is stored.
    """
    participant_id = actor.participant_id
    if participant_id is None:
        raise Forbidden(N_("Only participants vote."))
    _require_attendance(poll, actor)
    if db.engine.dialect.name == "postgresql":
        # Read the state again under a shared lock on the poll row: a close waits for the votes
        # under way, and no vote lands after it. (SQLite runs one writing transaction at a time.)
        db.session.execute(
            select(Poll)
            .where(Poll.id == poll.id)
            .with_for_update(read=True)
            .execution_options(populate_existing=True)
        )
    if poll.state != PollState.OPEN:
        raise Closed(N_("This poll is closed."))
    stored, keys, correct = read_answer(poll, data)
    now = utcnow()
    inserted = db.session.execute(
        _statement("ballot"),
        {
            "poll_id": poll.id,
            "participant_id": participant_id,
            "answer": stored,
            "correct": correct,
            "approved": False,
            "created_at": now,
            "updated_at": now,
        },
    ).scalar_one_or_none()
    if inserted is not None:
        deltas = Counter(keys)
        deltas[TOTAL_KEY] += 1
    else:
        ballot = db.session.scalars(
            select(Ballot)
            .where(Ballot.poll_id == poll.id, Ballot.participant_id == participant_id)
            .with_for_update()
        ).one()
        if ballot.answer == stored:
            return {"recorded": True}
        deltas = Counter(keys)
        deltas.subtract(_tally_keys(poll, ballot.answer))
        ballot.answer = stored
        ballot.correct = correct
        ballot.approved = False  # a changed text waits for moderation again
        ballot.updated_at = now
    _bump(poll.id, deltas)
    hub.mark_dirty(COALESCE_KIND, poll.id)
    # Nothing about the answer goes in the ack: it is kept as the resend receipt.
    return {"recorded": True}


# ---------------------------------------------------------------- results


def load_counts(poll_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Return each poll's counters, read in one query."""
    ids = list(poll_ids)
    counts: dict[int, dict[str, int]] = {pid: {} for pid in ids}
    if not ids:
        return counts
    rows = db.session.execute(
        select(PollTally.poll_id, PollTally.key, PollTally.count).where(PollTally.poll_id.in_(ids))
    )
    for poll_id, key, count in rows:
        counts[poll_id][key] = count
    return counts


def _approved_answers(polls: list[Poll]) -> dict[int, list[dict]]:
    ids = [p.id for p in polls if p.kind == "open"]
    found: dict[int, list[dict]] = {pid: [] for pid in ids}
    if not ids:
        return found
    named = {p.id for p in polls if p.kind == "open" and not p.anonymous}
    rows = db.session.execute(
        select(Ballot.poll_id, Ballot.id, Ballot.answer, Participant.display_name)
        .join(Participant, Participant.id == Ballot.participant_id)
        .where(Ballot.poll_id.in_(ids), Ballot.approved.is_(True))
        .order_by(Ballot.updated_at, Ballot.id)
    )
    for poll_id, ballot_id, answer, name in rows:
        entry = {"id": ballot_id, "text": answer.get("text", "")}
        if poll_id in named:
            entry["author"] = name
        found[poll_id].append(entry)
    return found


def build_results(poll: Poll, counts: dict[str, int], approved: list[dict] | None = None):
    """Return ``(total, results)`` in the contract's shape for the poll's kind."""
    total = counts.get(TOTAL_KEY, 0)
    if poll.kind in ("single", "multiple", "quiz"):
        return total, [
            {"option_id": o.id, "count": counts.get(f"option:{o.id}", 0)} for o in poll.options
        ]
    if poll.kind == "ranking":
        return total, [
            {"option_id": o.id, "score": counts.get(f"score:{o.id}", 0)} for o in poll.options
        ]
    if poll.kind == "wordcloud":
        words = [(k[5:], c) for k, c in counts.items() if k.startswith("word:") and c > 0]
        words.sort(key=lambda wc: (-wc[1], wc[0]))
        return total, [{"word": w, "count": c} for w, c in words[:WORDCLOUD_LIMIT]]
    if poll.kind == "rating":
        scale = poll.setting("scale")
        histogram = {
            str(v): counts.get(f"value:{v}", 0) for v in range(scale["min"], scale["max"] + 1)
        }
        rated = sum(histogram.values())
        points = sum(int(v) * c for v, c in histogram.items())
        mean = round(points / rated, 2) if rated else None
        return total, {"histogram": histogram, "mean": mean}
    return total, {"count": total, "answers": approved or []}


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
    tz = _timezone(poll.session_id)
    public = results_public(poll)
    settings = dict(poll.settings or {})
    settings["agenda_item_id"] = poll.agenda_item_id
    reveal_answer = staff or poll.state == PollState.CLOSED
    if poll.kind == "quiz" and not reveal_answer:
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
    if poll.kind == "quiz" and reveal_answer:
        data["correct_option_id"] = poll.options[poll.setting("correct_option")].id
    if poll.state != PollState.DRAFT and (staff or public):
        if counts is None:
            counts = load_counts([poll.id])[poll.id]
        if approved is None and poll.kind == "open":
            approved = _approved_answers([poll])[poll.id]
        data["total"], data["results"] = build_results(poll, counts, approved)
    return data


def _publish(poll: Poll) -> None:
    """Broadcast a poll's new state: the room's view, and the moderators' view when it differs."""
    db.session.flush()
    counts = load_counts([poll.id])[poll.id]
    approved = _approved_answers([poll]).get(poll.id)
    staff_view = poll_dict(poll, staff=True, counts=counts, approved=approved)
    if poll.state == PollState.DRAFT:
        hub.publish(poll.session_id, "poll.updated", {"poll": staff_view}, audience="staff")
        return
    room_view = poll_dict(poll, staff=False, counts=counts, approved=approved)
    hub.publish(poll.session_id, "poll.updated", {"poll": room_view})
    if staff_view != room_view:
        # Moderators get this one after the room's: its seq is higher, so it is what they keep.
        hub.publish(poll.session_id, "poll.updated", {"poll": staff_view}, audience="staff")


def flush_results(poll_ids: set) -> None:
    """Send each dirty poll's results once: to the room when visible, else to moderators only.

    Runs a few times a second at most (the coalescer), whatever the number of votes between.
    """
    polls = list(db.session.scalars(select(Poll).where(Poll.id.in_(poll_ids))))
    polls = [p for p in polls if p.state != PollState.DRAFT]
    counts = load_counts(p.id for p in polls)
    approved = _approved_answers(polls)
    for poll in polls:
        total, results = build_results(poll, counts[poll.id], approved.get(poll.id))
        public = results_public(poll)
        hub.publish_figures(
            poll.session_id,
            "poll.results",
            {"poll_id": poll.id, "total": total, "results": results, "public": public},
            staff_only=not public,
        )


coalescer.register(COALESCE_KIND, flush_results)


# ---------------------------------------------------------------- what one actor may see


def my_answers(poll_ids: list[int], participant_id: int) -> dict[int, dict]:
    if not poll_ids:
        return {}
    rows = db.session.execute(
        select(Ballot.poll_id, Ballot.answer).where(
            Ballot.poll_id.in_(poll_ids), Ballot.participant_id == participant_id
        )
    )
    return dict(rows.all())


def polls_for(session: LiveSession, actor: Actor) -> list[dict]:
    """Return the polls this actor may see: drafts for moderators, results where visible.

    A participant's entries carry their own current answer as ``my_answer``.
    """
    staff = actor.is_staff
    polls = session_polls(session.id, include_drafts=staff)
    counts = load_counts(p.id for p in polls)
    approved = _approved_answers(polls)
    entries = [
        poll_dict(p, staff=staff, counts=counts[p.id], approved=approved.get(p.id)) for p in polls
    ]
    if actor.participant_id is not None:
        mine = my_answers([p.id for p in polls], actor.participant_id)
        for entry in entries:
            entry["my_answer"] = mine.get(entry["id"])
    return entries


def quiz_score(session_id: int, participant_id: int) -> dict[str, int]:
    """Return a participant's quiz score in the session: correct answers to closed quizzes."""
    closed = select(Poll.id).where(
        Poll.session_id == session_id, Poll.kind == "quiz", Poll.state == PollState.CLOSED
    )
    out_of = db.session.scalar(select(func.count()).select_from(closed.subquery()))
    score = db.session.scalar(
        select(func.count()).where(
            Ballot.poll_id.in_(closed),
            Ballot.participant_id == participant_id,
            Ballot.correct.is_(True),
        )
    )
    return {"score": score or 0, "out_of": out_of or 0}


def leaderboard(session_id: int, *, actor: Actor) -> dict[str, Any]:
    """Return the session's best quiz scores for moderators; names only if every quiz was named."""
    _require_moderator(actor)
    quizzes = list(
        db.session.scalars(
            select(Poll).where(
                Poll.session_id == session_id,
                Poll.kind == "quiz",
                Poll.state == PollState.CLOSED,
            )
        )
    )
    named = bool(quizzes) and all(not q.anonymous for q in quizzes)
    rows = db.session.execute(
        select(Ballot.participant_id, func.count().label("score"))
        .where(Ballot.poll_id.in_([q.id for q in quizzes]), Ballot.correct.is_(True))
        .group_by(Ballot.participant_id)
        .order_by(func.count().desc(), Ballot.participant_id)
        .limit(LEADERBOARD_SIZE)
    ).all()
    names = _names([pid for pid, _ in rows]) if named else {}
    entries, rank, previous = [], 0, None
    for index, (pid, score) in enumerate(rows, start=1):
        if score != previous:
            rank, previous = index, score
        entry = {"rank": rank, "score": score}
        if named:
            entry["name"] = names.get(pid, "")
        entries.append(entry)
    players = db.session.scalar(
        select(func.count(func.distinct(Ballot.participant_id))).where(
            Ballot.poll_id.in_([q.id for q in quizzes])
        )
    )
    return {"quizzes": len(quizzes), "players": players or 0, "named": named, "top": entries}


def _names(participant_ids: list[int]) -> dict[int, str]:
    if not participant_ids:
        return {}
    rows = db.session.execute(
        select(Participant.id, Participant.display_name).where(Participant.id.in_(participant_ids))
    )
    return dict(rows.all())


def _answer_entry(poll: Poll, ballot: Ballot, names: dict[int, str]) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": ballot.id, "answer": ballot.answer}
    if poll.kind == "open":
        entry["text"] = ballot.answer.get("text", "")
        entry["approved"] = ballot.approved
    if not poll.anonymous:
        entry["author"] = names.get(ballot.participant_id, "")
    return entry


def list_answers(poll: Poll, *, actor: Actor) -> list[dict]:
    """Return the individual answers, newest first, for moderators.

    Open texts to approve, and who answered what in a named poll; anonymous polls never say who.
    """
    _require_moderator(actor)
    ballots = list(
        db.session.scalars(
            select(Ballot)
            .where(Ballot.poll_id == poll.id)
            .order_by(Ballot.updated_at.desc(), Ballot.id.desc())
            .limit(ANSWERS_LIMIT)
        )
    )
    names = {} if poll.anonymous else _names([b.participant_id for b in ballots])
    return [_answer_entry(poll, b, names) for b in ballots]


# ---------------------------------------------------------------- programme file


def import_prepared_polls(session: LiveSession, polls: list[dict], items: list[AgendaItem]):
    """Create a session's prepared polls (drafts) from its programme-file entries.

    Nothing is broadcast: the session is new. Raises Invalid naming ``sessions.N.polls.M``, so
    the whole import fails.
    """
    siblings = list(session.event.sessions) if session.event else [session]
    n = siblings.index(session) if session in siblings else 0
    for m, raw in enumerate(polls):
        where = f"sessions.{n}.polls.{m}"
        try:
            if not isinstance(raw, dict):
                raise Invalid("a poll must be a mapping with kind, question, options, settings")
            spec = PollFile.model_validate(raw)
            definition = build_definition(spec.kind, spec.question, spec.options, spec.settings)
            if spec.agenda_item is not None and spec.agenda_item >= len(items):
                raise Invalid(f"agenda_item {spec.agenda_item} is not an index of this agenda")
        except ValidationError as exc:
            err = exc.errors(include_url=False, include_input=False)[0]
            field = ".".join(str(p) for p in err["loc"])
            raise Invalid(
                f"The programme file is not valid — {where}.{field}: {err['msg']}",
                details=[{"field": f"{where}.{field}", "line": None, "problem": err["msg"]}],
            ) from None
        except Invalid as exc:
            raise Invalid(
                f"The programme file is not valid — {where}: {exc.message}",
                details=[{"field": where, "line": None, "problem": exc.message}],
            ) from None
        item = items[spec.agenda_item] if spec.agenda_item is not None else None
        _add_poll(session, definition, item)


def _on_session_imported(session: LiveSession, polls=(), items=(), **_extra) -> None:
    import_prepared_polls(session, list(polls), list(items))


programme.session_imported.connect(_on_session_imported, weak=False)


def export_prepared_polls(session: LiveSession) -> list[dict]:
    """Write a session's polls as programme-file entries (definitions only, no ballots)."""
    index = {item.id: i for i, item in enumerate(session.agenda)}
    entries = []
    for poll in session_polls(session.id, include_drafts=True):
        entry: dict[str, Any] = {"kind": poll.kind, "question": poll.question}
        if poll.options:
            entry["options"] = [o.text for o in poll.options]
        settings = {k: v for k, v in (poll.settings or {}).items() if k != "agenda_item_id"}
        if "scale" in settings:
            scale = dict(settings["scale"])
            scale["labels"] = {int(k): v for k, v in scale.get("labels", {}).items()}
            if not scale["labels"]:
                del scale["labels"]
            settings["scale"] = scale
        entry["settings"] = settings
        if poll.agenda_item_id in index:
            entry["agenda_item"] = index[poll.agenda_item_id]
        entries.append(entry)
    return entries


def session_results(session: LiveSession) -> list[dict]:
    """Return every opened poll of a session with its results, for summaries and exports.

    No participant id or name appears for anonymous polls; open texts are all included.
    """
    polls = session_polls(session.id, include_drafts=False)
    counts = load_counts(p.id for p in polls)
    approved = _approved_answers(polls)
    entries = []
    for poll in polls:
        entry = poll_dict(poll, staff=True, counts=counts[poll.id], approved=approved.get(poll.id))
        if poll.kind == "open":
            texts = db.session.scalars(select(Ballot.answer).where(Ballot.poll_id == poll.id))
            # Sorted, so the order says nothing of who answered when.
            entry["texts"] = sorted(a.get("text", "") for a in texts)
        entries.append(entry)
    return entries

"""Data retention: when an event's personal data may go, and the purge that erases it.

A purge keeps every aggregate of the summaries identical: rows stay, only what names or
reaches a person is erased — registrations' names, emails and organisations, participants'
display names, the author names of signed questions, the original texts moderators edited
away, and the live-only logs (resend receipts, the replay log) whose payloads carry names.
Ids linking a ballot or a question to its (now nameless) participant stay: they keep "one
ballot per person" and the contributor counts true, and identify no one by themselves.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, delete, func, select, update

from ..core.errors import Conflict
from ..core.i18n import N_
from ..core.timeutil import iso, utcnow
from ..extensions import db
from ..participants.models import Participant, Registration
from ..programme.models import Event, SessionStatus
from ..questions.models import Question, QuestionEdit
from ..realtime import revocation
from ..realtime.models import ClientReceipt, SessionBroadcast
from .models import DataPurge

#: What an erased name reads afterwards.
PURGED_NAME = "—"
_KEYS_PER_DELETE = 500


def purge_due_at(event: Event) -> datetime | None:
    """When the retention delay after the event's last session ends (None: keep forever)."""
    if event.retention_days is None or not event.sessions:
        return None
    last = max(s.ends_at for s in event.sessions)
    return last + timedelta(days=event.retention_days)


def last_purge(event: Event) -> DataPurge | None:
    return db.session.scalar(
        select(DataPurge)
        .where(DataPurge.event_id == event.id)
        .order_by(DataPurge.purged_at.desc(), DataPurge.id.desc())
        .limit(1)
    )


def retention_status(event: Event, now: datetime | None = None) -> dict[str, Any]:
    """The event's retention setting, when a purge is due, and the last purge."""
    now = now or utcnow()
    due = purge_due_at(event)
    purge = last_purge(event)
    return {
        "retention_days": event.retention_days,
        "purge_due_at": iso(due, event.timezone),
        "due": due is not None and now >= due,
        "purged_at": iso(purge.purged_at, event.timezone) if purge else None,
    }


def purge_event(
    event: Event,
    *,
    force: bool = False,
    now: datetime | None = None,
    staff_id: int | None = None,
) -> DataPurge:
    """Erase the personal data of ``event``'s registrations and participants.

    :raises Conflict: a session is live, or the retention delay has not passed (unless
        ``force``), or the event keeps its data (no retention delay) and ``force`` is not set.
    """
    now = now or utcnow()
    if any(s.status == SessionStatus.LIVE for s in event.sessions):
        raise Conflict(N_("A session of this event is live: purge once it has ended."))
    due = purge_due_at(event)
    if not force:
        if due is None:
            raise Conflict(
                N_("This event has no retention delay (its data is kept): confirm to purge now.")
            )
        if now < due:
            raise Conflict(
                N_("The retention delay runs until a later date: confirm to purge now."),
                details={"purge_due_at": iso(due, event.timezone)},
            )
    session_ids = [s.id for s in event.sessions]
    participant_ids = list(
        db.session.scalars(select(Participant.id).where(Participant.session_id.in_(session_ids)))
    )
    registrations = db.session.execute(
        update(Registration)
        .where(Registration.event_id == event.id)
        .values(
            name=PURGED_NAME,
            # Emails are unique per event: each gets a placeholder of its own.
            email="purged-" + cast(Registration.id, String) + "@invalid",
            organisation="",
            token_version=Registration.token_version + 1,
            purged_at=func.coalesce(Registration.purged_at, now),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    participants = db.session.execute(
        update(Participant)
        .where(Participant.session_id.in_(session_ids))
        .values(display_name=PURGED_NAME, token_version=Participant.token_version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    # Updated in bulk: every process forgets every cached actor rather than each of them.
    revocation.forget_all()
    questions = db.session.execute(
        update(Question)
        .where(Question.session_id.in_(session_ids), Question.author_name.is_not(None))
        .values(author_name=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    edits = db.session.execute(
        delete(QuestionEdit)
        .where(
            QuestionEdit.question_id.in_(
                select(Question.id).where(Question.session_id.in_(session_ids))
            )
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    receipts = 0
    keys = [f"p:{pid}" for pid in participant_ids]
    for start in range(0, len(keys), _KEYS_PER_DELETE):
        receipts += db.session.execute(
            delete(ClientReceipt)
            .where(ClientReceipt.actor_key.in_(keys[start : start + _KEYS_PER_DELETE]))
            .execution_options(synchronize_session=False)
        ).rowcount
    broadcasts = db.session.execute(
        delete(SessionBroadcast)
        .where(SessionBroadcast.session_id.in_(session_ids))
        .execution_options(synchronize_session=False)
    ).rowcount
    purge = DataPurge(
        event_id=event.id,
        staff_id=staff_id,
        purged_at=now,
        forced=bool(force and (due is None or now < due)),
        registrations=registrations,
        participants=participants,
        questions=questions,
        question_edits=edits,
        receipts=receipts,
        broadcasts=broadcasts,
    )
    db.session.add(purge)
    db.session.flush()
    db.session.expire_all()
    return purge


def purge_history(event: Event) -> list[dict[str, Any]]:
    """Every purge of the event, latest first: when, by whom, forced or not, and how much."""
    from ..participants.models import StaffUser

    rows = db.session.execute(
        select(DataPurge, StaffUser.name)
        .outerjoin(StaffUser, StaffUser.id == DataPurge.staff_id)
        .where(DataPurge.event_id == event.id)
        .order_by(DataPurge.purged_at.desc(), DataPurge.id.desc())
    ).all()
    return [
        {
            "purged_at": iso(purge.purged_at, event.timezone),
            "by": name,
            "forced": purge.forced,
            "registrations": purge.registrations,
            "participants": purge.participants,
            "questions": purge.questions,
        }
        for purge, name in rows
    ]

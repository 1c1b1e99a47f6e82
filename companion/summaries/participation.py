"""The summary's participation: aggregates only, nobody identified."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, union

from ..extensions import db
from ..floor import report as floor
from ..participants.models import Participant, Registration, RegistrationSession
from ..polls.models import Ballot, Poll
from ..programme.models import LiveSession
from ..questions.models import Question, QuestionVote
from .headers import count


def participation(session: LiveSession) -> dict[str, Any]:
    """Aggregates only: how many registered, joined, were online at once, and contributed."""
    sid = session.id
    session_polls = select(Poll.id).where(Poll.session_id == sid)
    contributors = union(
        select(Ballot.participant_id).where(Ballot.poll_id.in_(session_polls)),
        select(Question.participant_id).where(
            Question.session_id == sid, Question.participant_id.is_not(None)
        ),
        floor.hand_raisers(sid),
    )
    profiles = db.session.execute(
        select(Registration.profile, func.count())
        .join(Participant, Participant.registration_id == Registration.id)
        .where(Participant.session_id == sid)
        .group_by(Registration.profile)
        .order_by(Registration.profile)
    ).all()
    return {
        "registered": count(
            select(RegistrationSession.registration_id).where(RegistrationSession.session_id == sid)
        ),
        "joined": count(select(Participant.id).where(Participant.session_id == sid)),
        "joined_registered": count(
            select(Participant.id).where(
                Participant.session_id == sid, Participant.registration_id.is_not(None)
            )
        ),
        "peak_online": session.peak_online,
        "contributors": count(contributors),
        "questions": count(
            select(Question.id).where(
                Question.session_id == sid, Question.carried_from_session_id.is_(None)
            )
        ),
        "ballots": count(select(Ballot.id).where(Ballot.poll_id.in_(session_polls))),
        "upvotes": count(
            select(QuestionVote.id)
            .join(Question, Question.id == QuestionVote.question_id)
            .where(Question.session_id == sid)
        ),
        **floor.figures(sid),
        "profiles": {profile: count for profile, count in profiles},
    }

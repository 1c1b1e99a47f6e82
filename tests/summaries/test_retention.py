"""Retention: the purge erases personal data after the delay, and leaves every figure as it was."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from companion.core.errors import Conflict
from companion.extensions import db
from companion.participants.models import Participant, Registration
from companion.questions.models import Question, QuestionEdit
from companion.realtime.models import ClientReceipt, SessionBroadcast
from companion.summaries import headers, session_summary, synthesis
from companion.summaries.models import DataPurge
from companion.summaries.retention import PURGED_NAME, purge_due_at, purge_event

from .conftest import SECRET_NAME, SIGNED_QUESTION
from .test_routes import every_document, readable_text


def figures(doc: dict) -> dict:
    """Every aggregate of a summary: what a purge must leave untouched."""
    return {
        "participation": doc["participation"],
        "questions": doc["questions"]["counts"],
        "polls": [(p["id"], p["total"], p["results"]) for p in doc["polls"]],
        "agenda": {k: v for k, v in doc["agenda"].items() if k != "items"},
        "turns": [(t["kind"], t["spoken_s"], t["began_at"]) for t in doc["floor"]["turns"]],
        "timeline": [(e["at"], e["type"]) for e in doc["timeline"] if e["type"] != "floor_turn"],
        "themes": doc["themes"],
        "lists": {
            k: [(q["id"], q["text"], q["upvotes"]) for q in doc["questions"][k]]
            for k in ("answered", "most_upvoted", "unanswered", "carried_forward")
        },
    }


def event_figures(doc: dict) -> dict:
    return {
        "sessions": [s["figures"] for s in doc["sessions"]],
        "attendance": doc["attendance"],
        "recurring": doc["recurring_themes"],
        "compared": doc["compared_polls"],
        "carried": doc["carried_questions"]["count"],
        "follow_up": doc["follow_up"]["count"],
    }


def test_the_purge_keeps_every_figure_and_erases_every_name(scripted, http, facilitator_token):
    event = scripted.session.event
    before = figures(session_summary.build_session_summary(scripted.session))
    before_event = event_figures(synthesis.build_event_synthesis(event))
    assert db.session.scalar(select(func.count()).select_from(QuestionEdit)) == 1

    purge = purge_event(event, force=True)
    db.session.commit()
    db.session.expire_all()

    # The seed's sessions are in 2020: their retention delay has long passed.
    assert purge.forced is False and purge.registrations == 6 and purge.participants == 5
    assert figures(session_summary.build_session_summary(scripted.session)) == before
    assert event_figures(synthesis.build_event_synthesis(event)) == before_event

    # Nothing left that names or reaches anyone...
    names = set(db.session.scalars(select(Registration.name)))
    assert names == {PURGED_NAME}
    assert all(e.endswith("@invalid") for e in db.session.scalars(select(Registration.email)))
    assert set(db.session.scalars(select(Registration.organisation))) == {""}
    assert set(db.session.scalars(select(Participant.display_name))) == {PURGED_NAME}
    assert db.session.scalar(select(func.count()).where(Question.author_name.is_not(None))) == 0
    for table in (QuestionEdit, SessionBroadcast, ClientReceipt):
        assert db.session.scalar(select(func.count()).select_from(table)) == 0, table
    # ... in any format of any document.
    for name, data in every_document(http, facilitator_token, scripted, lang="en").items():
        text = readable_text(name, data)
        for person in ("Léa Dupont", "Marc Lefèvre", SECRET_NAME, "Commune de Test"):
            assert person not in text, (name, person)
    # The texts themselves are contributions: they stay.
    summary = session_summary.build_session_summary(scripted.session)
    carried = {q["text"]: q for q in summary["questions"]["carried_forward"]}
    assert carried[SIGNED_QUESTION]["author"] is None
    # Tokens handed out before the purge no longer work.
    response = http.post(
        f"/api/v1/sessions/{scripted.session.id}/join",
        json={"registration_token": scripted.registrations["Léa Dupont"]},
    )
    assert response.status_code == 401
    assert headers.event_header(event)["retention"]["purged_at"] is not None


def test_the_purge_waits_for_the_retention_delay(scripted):
    event = scripted.session.event
    due = purge_due_at(event)
    assert due == max(s.ends_at for s in event.sessions) + timedelta(days=event.retention_days)
    before = db.session.scalars(select(Registration.name).order_by(Registration.id)).all()
    with pytest.raises(Conflict, match="retention delay runs until"):
        purge_event(event, now=due - timedelta(minutes=1))
    db.session.rollback()
    assert db.session.scalars(select(Registration.name).order_by(Registration.id)).all() == before
    assert db.session.scalar(select(func.count()).select_from(DataPurge)) == 0

    done = purge_event(event, now=due)
    db.session.commit()
    assert done.forced is False
    assert set(db.session.scalars(select(Registration.name))) == {PURGED_NAME}


def test_no_purge_while_a_session_is_live_or_when_data_is_kept(
    event, first_session, connect, moderator_token, people
):
    people.register([first_session.id], name="Someone Kept")
    event.retention_days = None
    db.session.commit()
    with pytest.raises(Conflict, match="no retention delay"):
        purge_event(event)
    db.session.rollback()
    moderator = connect(moderator_token)
    moderator.ok("session.join", {"session_id": first_session.id})
    moderator.ok("session.start", {"session_id": first_session.id})
    db.session.expire_all()
    with pytest.raises(Conflict, match="live"):
        purge_event(event, force=True)
    db.session.rollback()
    assert db.session.scalars(select(Registration.name)).all() == ["Someone Kept"]

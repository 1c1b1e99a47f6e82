"""The programme's verbs check who calls them, whatever the edge checked before."""

import pytest

from companion.core.errors import Forbidden
from companion.extensions import db
from companion.participants.tokens import actor_from_token
from companion.programme import editing, lifecycle, service
from companion.programme.models import SessionStatus
from companion.programme.schemas import EventIn


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_only_moderators_run_a_session(first_session, join, moderator):
    attendee = join(first_session.id).actor
    for verb in (lifecycle.start_session, service.start_session):
        with pytest.raises(Forbidden):
            verb(first_session, actor=attendee)
    with pytest.raises(Forbidden):
        service.advance_agenda(first_session, first_session.agenda[-1], actor=attendee)
    db.session.rollback()
    assert first_session.status == SessionStatus.SCHEDULED
    lifecycle.start_session(first_session, actor=moderator)
    with pytest.raises(Forbidden):
        lifecycle.end_session(first_session, actor=attendee)
    assert first_session.status == SessionStatus.LIVE
    lifecycle.end_session(first_session, actor=moderator)
    with pytest.raises(Forbidden):
        lifecycle.reopen_session(first_session, actor=attendee)
    assert first_session.status == SessionStatus.ENDED


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_only_facilitators_edit_the_programme(event, moderator, facilitator_token):
    data = EventIn(slug="autre", title="Autre", timezone="Europe/Paris")
    with pytest.raises(Forbidden):
        editing.create_event(data, actor=moderator)
    with pytest.raises(Forbidden):
        editing.delete_session(event.sessions[-1], actor=moderator)
    assert service.list_events() == [event]
    created = editing.create_event(data, actor=actor_from_token(facilitator_token))
    assert created.slug == "autre"

"""Fixtures of the floor tests: a session with its agenda, a moderator and attendees."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from companion.extensions import db
from companion.participants.tokens import actor_from_token
from companion.programme import service as programme

T0 = datetime(2020, 6, 30, 8, 30, tzinfo=UTC)  # 10:30 in Paris, during the first session


def at(seconds: float) -> datetime:
    """A controlled instant, ``seconds`` after T0."""
    return T0 + timedelta(seconds=seconds)


class Room:
    """The seed's first session seen by its moderator, with attendees joined on demand."""

    def __init__(self, session, people, moderator_token):
        self.session = session
        self.people = people
        self.moderator_token = moderator_token
        self.moderator = actor_from_token(moderator_token)
        self.tokens: dict[str, str] = {}

    def attendee(self, name: str):
        """Join ``name`` to the session (once) and return their actor."""
        if name not in self.tokens:
            self.tokens[name] = self.people.join(self.session.id, name=name)["token"]
        return actor_from_token(self.tokens[name])

    def item(self, index: int):
        return self.session.agenda[index]

    def advance(self, index: int) -> None:
        programme.advance_agenda(self.session, self.item(index), actor=self.moderator)
        db.session.commit()


@pytest.fixture
def room(first_session, people, moderator_token) -> Room:
    return Room(first_session, people, moderator_token)

"""Preparing polls: define a draft, edit it, delete a poll.

Verbs take the model, the values and the actor, and return the model (``verb(model, values, *,
actor)``); the wire dicts are made by :mod:`.presenters`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from ..core.actors import Actor
from ..core.errors import Conflict, Invalid
from ..core.i18n import N_
from ..core.text import one_line
from ..extensions import db
from ..programme import service as programme
from ..programme.models import AgendaItem, LiveSession
from ..realtime import hub
from .kinds import KIND_SETTINGS, KINDS
from .models import Poll, PollOption, PollState
from .presenters import deleted_dict, publish
from .queries import require_moderator
from .schemas import PollChanges, PollValues, SettingsFile, SettingsIn


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
    behaviour = KINDS[kind]
    options = [one_line(o) for o in options]
    behaviour.check_options(options)
    given = settings.model_dump(exclude_unset=True, exclude_none=True)
    for name in KIND_SETTINGS:
        if name in given and name not in behaviour.settings:
            raise Invalid(
                N_("The setting %(name)s does not apply to a %(kind)s poll."),
                params={"name": name, "kind": kind},
                details=[{"field": f"settings.{name}", "problem": "not for this kind"}],
            )
    normal: dict[str, Any] = {"anonymous": settings.anonymous, "results": settings.results}
    normal.update(behaviour.settle(settings, options))
    return Definition(kind, one_line(question), options, normal)


def _agenda_item(session: LiveSession, item_id: int | None) -> AgendaItem | None:
    return programme.get_agenda_item(session, item_id) if item_id is not None else None


def _next_position(session_id: int) -> int:
    highest = db.session.scalar(
        select(func.max(Poll.position)).where(Poll.session_id == session_id)
    )
    return 0 if highest is None else highest + 1


def add_poll(session: LiveSession, definition: Definition, item: AgendaItem | None) -> Poll:
    """Add a draft from a checked definition (nothing broadcast: the callers decide)."""
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


def create_poll(session: LiveSession, values: PollValues, *, actor: Actor) -> Poll:
    """Prepare a poll as a draft, seen by moderators only until opened."""
    require_moderator(actor)
    definition = build_definition(values.kind, values.question, values.options, values.settings)
    item = _agenda_item(session, values.settings.agenda_item_id)
    poll = add_poll(session, definition, item)
    publish(poll)
    return poll


def update_poll(poll: Poll, values: PollChanges, *, actor: Actor) -> Poll:
    """Edit a draft; the fields given replace the current ones."""
    require_moderator(actor)
    if poll.state != PollState.DRAFT:
        raise Conflict(N_("Only a draft can be edited."))
    settings = values.settings
    if settings is None:
        kept = {k: v for k, v in poll.settings.items() if k != "agenda_item_id"}
        settings = SettingsIn.model_validate({**kept, "agenda_item_id": poll.agenda_item_id})
    definition = build_definition(
        values.kind or poll.kind,
        values.question or poll.question,
        values.options if values.options is not None else [o.text for o in poll.options],
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
    publish(poll)
    return poll


def delete_poll(poll: Poll, *, actor: Actor) -> Poll:
    """Delete a poll with its ballots and counters; return it (gone from the database)."""
    require_moderator(actor)
    gone = deleted_dict(poll)
    audience = "staff" if poll.state == PollState.DRAFT else "all"
    db.session.delete(poll)
    db.session.flush()
    hub.publish(gone["session_id"], "poll.updated", {"poll": gone}, audience=audience)
    return poll

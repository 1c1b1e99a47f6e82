"""Socket events about people: a moderator removes a participant from a session."""

from __future__ import annotations

from ..core.actors import Actor
from ..core.errors import Conflict, NotFound
from ..core.i18n import N_
from ..core.permissions import MODERATE
from ..core.schemas import Id, Schema
from ..core.timeutil import utcnow
from ..extensions import db
from ..realtime import hub, revocation
from ..realtime.dispatcher import socket_event
from .models import Participant
from .service import participant_removed


class RemoveIn(Schema):
    session_id: Id
    participant_id: Id


@socket_event("participant.remove", RemoveIn, permission=MODERATE, scope="session_id")
def remove_participant(actor: Actor, payload: RemoveIn) -> dict:
    """Ban a participant from the session: their token stops working at once, everywhere.

    Once committed, every process forgets the cached participant and closes their sockets
    (``realtime.revocation``); the participant is told why.
    """
    participant = db.session.get(Participant, payload.participant_id)
    if participant is None or participant.session_id != payload.session_id:
        raise NotFound(N_("No such participant in this session."))
    if participant.banned_at is not None:
        raise Conflict(N_("This participant was already removed."))
    participant.banned_at = utcnow()
    participant.token_version += 1
    db.session.flush()
    participant_removed.send(participant, actor=actor)
    hub.notify_participant(
        participant.session_id,
        participant.id,
        "session.removed",
        {"session_id": participant.session_id},
    )
    hub.publish(
        participant.session_id,
        "participant.removed",
        {"participant_id": participant.id, "name": participant.display_name, "by": actor.name},
        audience="staff",
    )
    revocation.revoke([("participant", participant.id)])
    return {"participant_id": participant.id, "removed": True}

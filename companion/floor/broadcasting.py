"""The floor's broadcasts: the new floor to the session, "you are next" to one attendee."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..extensions import db
from ..programme.models import LiveSession
from ..realtime import hub
from .presenters import floor_dict


def publish(session: LiveSession, first_before: int | None, now: datetime) -> dict[str, Any]:
    """Broadcast the new floor; tell the attendee now first in line, if that changed."""
    db.session.flush()
    floor = floor_dict(session, now=now)
    hub.publish(session.id, "floor.updated", {"floor": floor})
    first = floor["queue"][0] if floor["queue"] else None
    if first is not None and first["request_id"] != first_before:
        hub.notify_participant(
            session.id,
            first["participant_id"],
            "floor.next_up",
            {"request_id": first["request_id"]},
        )
    return floor

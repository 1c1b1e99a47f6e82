"""Socket events of the projector: a moderator chooses what every projector shows."""

from __future__ import annotations

from typing import Literal

from ..core.actors import Actor
from ..core.permissions import MODERATE
from ..core.schemas import Id, Schema
from ..programme.models import LiveSession
from ..realtime.dispatcher import socket_event
from ..realtime.snapshot import Join, snapshot_part
from . import service


class ProjectorShowIn(Schema):
    session_id: Id
    mode: Literal[service.MODES]  # type: ignore[valid-type]
    poll_id: Id | None = None


@socket_event("projector.show", ProjectorShowIn, permission=MODERATE, scope="session_id")
def show(actor: Actor, payload: ProjectorShowIn, target: LiveSession) -> dict:
    session = target
    return {
        "projector": service.show_on_projector(session, payload.mode, payload.poll_id, actor=actor)
    }


@snapshot_part("projector")
def _projector_part(join: Join) -> dict | None:
    """Staff only: the projector's display and the join panel's code and address.

    Not shared: staff join rarely, and the panel's address follows the request's host.
    """
    return service.projector_dict(join.session) if join.actor.is_staff else None

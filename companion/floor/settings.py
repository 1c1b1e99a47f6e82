"""Changing the floor's settings: fairness, speaking times per kind, the warning before the end.

Reading them (with their defaults) is :func:`companion.floor.queries.floor_settings`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core import permissions
from ..core.actors import Actor
from ..core.timeutil import utcnow
from ..programme.models import LiveSession
from .broadcasting import publish
from .queries import (
    POINT_OF_ORDER,
    floor_settings,
    lock,
    participants_who_spoke,
    store_settings,
    waiting_requests,
)
from .queue import renumber


def change_settings(
    session: LiveSession,
    *,
    actor: Actor,
    fairness: bool | None = None,
    times: dict[str, int] | None = None,
    warning_s: int | None = None,
    now: datetime | None = None,
) -> LiveSession:
    """Change fairness, speaking times per kind, or the warning before the end.

    Turning fairness on re-sorts the queue: those who have not spoken go first (after points
    of order), each group keeping its order. New times apply from the next speech on.

    :raises Forbidden: the actor does not moderate this session.
    """
    now = now or utcnow()
    permissions.check_moderate(actor, session.id)
    lock(session)
    before = floor_settings(session)
    changes: dict[str, Any] = {}
    if fairness is not None and fairness != before["fairness"]:
        changes["floor_fairness"] = fairness
    if times:
        merged = {**before["times"], **{k: int(v) for k, v in times.items()}}
        if merged != before["times"]:
            changes["floor_times"] = merged
    if warning_s is not None and warning_s != before["warning_s"]:
        changes["floor_warning_s"] = int(warning_s)
    if not changes:
        return session
    waiting = waiting_requests(session)
    first_before = waiting[0].id if waiting else None
    store_settings(session, **changes)
    if changes.get("floor_fairness"):
        spoke = participants_who_spoke(session)
        renumber(
            sorted(
                waiting,
                key=lambda r: (r.kind != POINT_OF_ORDER, r.participant_id in spoke),
            )
        )
    publish(session, first_before, now)
    return session

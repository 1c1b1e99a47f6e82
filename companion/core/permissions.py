"""Who may do what, in one place: the permissions an event or route declares, and the checks.

The dispatcher checks the permission an event declares once, against the session its payload
resolves to; services keep the same checks as preconditions (a CLI or a test calls them too),
through the ``check_*`` functions below, never a hand-written comparison of roles.
"""

from __future__ import annotations

from collections.abc import Callable

from .actors import Actor
from .errors import Forbidden
from .i18n import N_
from .scopes import Target

#: Take part in a session: attendees of that session, and staff.
ATTEND = "attend"
#: Contribute as a person of the room (vote, ask, upvote, raise a hand): that session's
#: attendees only; staff run the room and never vote or ask in it.
CONTRIBUTE = "contribute"
#: Run a session: moderators and facilitators.
MODERATE = "moderate"
#: Prepare the programme, read summaries, manage people: facilitators.
FACILITATE = "facilitate"
#: Look at a session without contributing: who may attend, and its speakers.
WATCH = "watch"

PERMISSIONS = frozenset({ATTEND, CONTRIBUTE, MODERATE, FACILITATE, WATCH})


def may_attend(actor: Actor, session_id: int) -> bool:
    """Staff attend every session; an attendee only their own; a speaker contributes nothing."""
    return actor.is_staff or (not actor.is_speaker and actor.session_id == session_id)


def may_contribute(actor: Actor, session_id: int) -> bool:
    """Only an attendee of this very session contributes to it."""
    return actor.participant_id is not None and actor.session_id == session_id


def may_moderate(actor: Actor) -> bool:
    return actor.is_staff and actor.can_moderate()


def may_facilitate(actor: Actor) -> bool:
    return actor.is_staff and actor.can_facilitate()


def may_watch(
    actor: Actor, session_id: int, *, event_id: int, speaker_ids: Callable[[], set[int]]
) -> bool:
    """Attend, or be a speaker of the session's event named on its agenda (``speaker_ids()``).

    The agenda's speakers are asked for only for a speaker: loading them costs a query per item.
    """
    if may_attend(actor, session_id):
        return True
    return actor.is_speaker and actor.event_id == event_id and actor.id in speaker_ids()


def may_hold(actor: Actor, permission: str) -> bool:
    """Tell whether the actor's kind and role allow ``permission`` anywhere (before loading)."""
    if permission == WATCH:
        return True
    if permission == ATTEND:
        return not actor.is_speaker
    if permission == CONTRIBUTE:
        return actor.participant_id is not None
    if permission == MODERATE:
        return may_moderate(actor)
    if permission == FACILITATE:
        return may_facilitate(actor)
    raise ValueError(f"unknown permission {permission!r}")


def check(actor: Actor, permission: str, target: Target | None = None) -> None:
    """Check ``permission`` against the session ``target`` resolved to (none: the role only).

    :raises Forbidden: the actor may not do this there.
    """
    session_id = target.session_id if target is not None else None
    if permission == FACILITATE:
        check_facilitate(actor)
    elif permission == MODERATE:
        check_moderate(actor, session_id)
    elif session_id is None:
        if not may_hold(actor, permission):
            raise Forbidden(N_("You may not do this."))
    elif permission == ATTEND:
        check_attend(actor, session_id)
    elif permission == CONTRIBUTE:
        check_contribute(actor, session_id)
    elif permission == WATCH:
        check_watch(actor, session_id, event_id=target.event_id, speaker_ids=target.speaker_ids)
    else:
        raise ValueError(f"unknown permission {permission!r}")


def check_watch(
    actor: Actor, session_id: int, *, event_id: int, speaker_ids: Callable[[], set[int]]
) -> None:
    """:raises Forbidden: the actor neither attends the session nor speaks in it."""
    if not may_watch(actor, session_id, event_id=event_id, speaker_ids=speaker_ids):
        raise Forbidden(N_("You are not a participant of this session."))


def check_attend(actor: Actor, session_id: int) -> None:
    """:raises Forbidden: the actor is not a participant of this session."""
    if not may_attend(actor, session_id):
        raise Forbidden(N_("You are not a participant of this session."))


def check_contribute(actor: Actor, session_id: int) -> None:
    """:raises Forbidden: the actor is not an attendee of this session."""
    if not may_contribute(actor, session_id):
        raise Forbidden(N_("You are not a participant of this session."))


def check_moderate(actor: Actor, session_id: int | None = None) -> None:
    """:raises Forbidden: the actor does not run sessions (or not this one)."""
    if not may_moderate(actor):
        raise Forbidden(N_("Only moderators may do this."))
    if session_id is not None:
        check_attend(actor, session_id)


def check_facilitate(actor: Actor) -> None:
    """:raises Forbidden: the actor does not prepare the programme."""
    if not may_facilitate(actor):
        raise Forbidden(N_("Only facilitators may do this."))

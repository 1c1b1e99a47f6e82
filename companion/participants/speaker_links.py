"""A speaker's personal link to the speaker view: issued (and replaced) by a facilitator."""

from __future__ import annotations

from flask import url_for

from ..core.actors import Actor
from ..core.errors import Conflict, NotFound
from ..core.http import api_route
from ..core.i18n import N_
from ..core.permissions import FACILITATE
from ..extensions import db
from ..programme.models import LiveSession, SessionStatus, Speaker
from ..realtime import revocation
from .tokens import speaker_token


def speaker_sessions(speaker: Speaker) -> list[LiveSession]:
    """Return the sessions whose agenda names ``speaker``, in programme order."""
    return [
        session
        for session in speaker.event.sessions
        if any(s.id == speaker.id for item in session.agenda for s in item.speakers)
    ]


def issue_speaker_link(speaker: Speaker, *, actor: Actor) -> str:
    """Return a new personal token for ``speaker``; every older link stops working.

    Views still open with an older link are closed once the new one is committed.
    """
    if not speaker_sessions(speaker):
        raise Conflict(N_("This speaker is on no session's agenda yet."))
    speaker.token_version = (speaker.token_version or 0) + 1
    db.session.flush()
    revocation.revoke([("speaker", speaker.id)])
    return speaker_token(speaker)


def _view_url(session: LiveSession, token: str) -> str:
    # The token rides in the fragment: browsers never send it to the server or in a Referer.
    return url_for("pages.speaker_page", session_id=session.id, _external=True) + f"#t={token}"


@api_route(
    "/speakers/<int:speaker_id>/link",
    "POST",
    summary="A speaker's personal link to the speaker view (replaces the previous one)",
    tag="programme",
    permission=FACILITATE,
    scope="speaker_id",
    description=(
        "Answers `{token, url, sessions}`: `url` opens the speaker view of the speaker's next "
        "session (or last, once all have ended); `sessions` gives the view of each of their "
        "sessions. The token lets the speaker watch (`session.join`) and nothing else; asking "
        "again replaces it."
    ),
)
def create_speaker_link(actor, payload, speaker_id: int):
    speaker = db.session.get(Speaker, speaker_id)
    if speaker is None:
        raise NotFound(N_("No such speaker."))
    token = issue_speaker_link(speaker, actor=actor)
    sessions = speaker_sessions(speaker)
    upcoming = [s for s in sessions if s.status != SessionStatus.ENDED]
    main = upcoming[0] if upcoming else sessions[-1]
    return {
        "token": token,
        "url": _view_url(main, token),
        "speaker": {"id": speaker.id, "name": speaker.name},
        "sessions": [
            {"session_id": s.id, "title": s.title, "url": _view_url(s, token)} for s in sessions
        ],
    }

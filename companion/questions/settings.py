"""The session's Q&A settings: premoderation, length, rate, the profanity list."""

from __future__ import annotations

from typing import Any

from ..core import permissions
from ..core.actors import Actor
from ..extensions import db
from ..programme.models import LiveSession
from ..realtime import hub
from .schemas import DEFAULT_MAX_LENGTH, SettingsIn

DEFAULT_SETTINGS: dict[str, Any] = {
    "premoderation": False,
    "question_max_length": DEFAULT_MAX_LENGTH,
    "rate_per_minute": 5,
    "profanity_words": [],
    "profanity_builtin": True,
}
PUBLIC_SETTINGS = ("premoderation", "question_max_length", "rate_per_minute")


def session_settings(session: LiveSession) -> dict[str, Any]:
    """The session's Q&A settings, defaults filled in."""
    return {name: session.setting(name, default) for name, default in DEFAULT_SETTINGS.items()}


def settings_for(session: LiveSession, actor: Actor) -> dict[str, Any]:
    """What this actor may know of the settings (the word list is for moderators)."""
    settings = session_settings(session)
    if actor.is_staff:
        return settings
    return {name: settings[name] for name in PUBLIC_SETTINGS}


def update_settings(session: LiveSession, data: SettingsIn, *, actor: Actor) -> LiveSession:
    """Change the session's Q&A settings; attendees get the public part."""
    permissions.check_moderate(actor, session.id)
    changes = data.model_dump(exclude={"session_id"}, exclude_none=True)
    if "profanity_words" in changes:
        words = []
        for word in changes["profanity_words"]:
            if word.casefold() not in {w.casefold() for w in words}:
                words.append(word)
        changes["profanity_words"] = words
    session.settings = {**(session.settings or {}), **changes}
    db.session.flush()
    full = session_settings(session)
    public = {name: full[name] for name in PUBLIC_SETTINGS}
    hub.publish(session.id, "question.settings", {"session_id": session.id, "settings": public})
    if {"profanity_words", "profanity_builtin"} & set(changes):
        hub.publish(
            session.id,
            "question.settings",
            {"session_id": session.id, "settings": full},
            audience="staff",
        )
    return session

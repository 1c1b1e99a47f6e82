"""Translating messages at the edge: services raise English text, people read their language."""

from __future__ import annotations

from flask import has_request_context

from . import origin


def N_(message: str) -> str:
    """Mark ``message`` for extraction into the catalogue; it is translated where it is shown."""
    return message


def translate(message: str) -> str:
    """Return ``message`` in the language of the current request or socket event.

    Unchanged outside both (a background task words its messages itself, in force_locale).
    """
    if not has_request_context() and origin.current() is None:
        return message
    from flask_babel import gettext

    try:
        return gettext(message)
    except (KeyError, ValueError, RuntimeError):
        return message

"""Translating messages at the edge: services raise English text, people read their language."""

from __future__ import annotations

from flask import has_request_context


def N_(message: str) -> str:
    """Mark ``message`` for extraction into the catalogue; it is translated where it is shown."""
    return message


def translate(message: str) -> str:
    """Return ``message`` in the language of the current request (unchanged outside one)."""
    if not has_request_context():
        return message
    from flask_babel import gettext

    try:
        return gettext(message)
    except (KeyError, ValueError, RuntimeError):
        return message

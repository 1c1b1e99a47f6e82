"""Translating messages at the edge: services raise English text, people read their language."""

from __future__ import annotations

from flask import has_request_context

from . import origin


def N_(message: str) -> str:
    """Mark ``message`` for extraction into the catalogue; it is translated where it is shown."""
    return message


def NC_(context: str, message: str) -> tuple[str, str]:
    """Mark ``message`` with its ``context`` (pgettext) for extraction; see :func:`translate_in`.

    A context tells apart two uses of one English word that French words differently (a state,
    "inscrit·e", and a count, "inscrit·es"): without it the catalogues merged into one would
    give every page the same French.
    """
    return context, message


def translate_in(marked: tuple[str, str]) -> str:
    """:func:`translate` for a message marked with :func:`NC_`."""
    context, message = marked
    if not has_request_context() and origin.current() is None:
        return message
    from flask_babel import pgettext

    try:
        return pgettext(context, message)
    except (KeyError, ValueError, RuntimeError):
        return message


def formatting_locale(language: str) -> str:
    """The locale dates and numbers are written in for ``language``: British English for
    English ("Tuesday 30 June 2020, 10:00"), as the pages' words are (programme, organisation)."""
    return "en_GB" if language.startswith("en") else language


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

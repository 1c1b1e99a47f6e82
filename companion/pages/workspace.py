"""Pages of the organiser's workspace: /manage, the event editor, registrations, staff, /password.

Like the console, these are shells: the page's script loads and saves everything through the
HTTP API with the facilitator's token (static/js/manage*.js).
"""

from __future__ import annotations

from flask import render_template, request

from ..programme.models import AGENDA_KINDS
from .routes import _event_or_404, pages


@pages.get("/manage")
def manage_home():
    return render_template("manage/home.html")


@pages.get("/manage/events/<slug>")
def manage_event(slug: str):
    return render_template("manage/editor.html", event=_event_or_404(slug), kinds=AGENDA_KINDS)


@pages.get("/manage/events/<slug>/registrations")
def manage_registrations(slug: str):
    return render_template("manage/registrations.html", event=_event_or_404(slug))


@pages.get("/manage/staff")
def manage_staff():
    return render_template("manage/staff.html")


@pages.get("/password")
def password_page():
    """Choose a password from an invitation or reset link (the token is in ``?token=``)."""
    return render_template("manage/password.html", token=request.args.get("token", "")[:512])

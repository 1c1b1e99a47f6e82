"""HTTP API of people: registration and its CSV, joining a session, staff login."""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from flask import Response
from flask_babel import get_locale, pgettext
from flask_babel import gettext as _
from sqlalchemy import select

from ..core.csvsafe import csv_row, delimiter
from ..core.http import api_route
from ..core.permissions import ATTEND, FACILITATE
from ..core.timeutil import as_utc
from ..core.urls import session_link
from ..extensions import db
from ..programme import service as programme
from ..security.login_throttle import login_throttle
from ..security.ratelimit import client_address
from . import service
from .models import PROFILE_LABELS, Participant, Registration
from .schemas import JoinIn, LoginIn, RegistrationIn
from .tokens import participant_token, registration_token, staff_token


def participant_dict(participant) -> dict:
    return {
        "id": participant.id,
        "session_id": participant.session_id,
        "name": participant.display_name,
        "registered": participant.registration_id is not None,
    }


@api_route(
    "/events/<slug>/registrations",
    "POST",
    summary="Register for some or all of the event's sessions",
    tag="people",
    body=RegistrationIn,
    responses={"status": 201},
    rate_limit="registration",
)
def create_registration(actor, payload: RegistrationIn, slug: str):
    event = programme.get_event(slug)
    registration = service.register(event, payload, language=str(get_locale() or "fr"))
    token = registration_token(registration)
    links = {str(sid): session_link(sid, token) for sid in registration.session_ids}

    return {
        "registration": {
            "id": registration.id,
            "name": registration.name,
            "session_ids": registration.session_ids,
        },
        "token": token,
        "join_links": links,
    }, 201


@api_route(
    "/events/<slug>/registrations.csv",
    summary="The registration list (facilitators)",
    tag="people",
    permission=FACILITATE,
    scope="slug",
    produces=("text/csv",),
)
def registrations_csv(actor, payload, slug: str):
    """One row per registration, in the reader's language: who, which sessions they chose and
    which they came to (a person who joined only with a code is not in it)."""
    event = programme.load_event_tree(slug)
    sessions = event.sessions
    language = str(get_locale() or "fr")
    came = set(
        db.session.execute(
            select(Participant.registration_id, Participant.session_id)
            .join(Registration, Registration.id == Participant.registration_id)
            .where(Registration.event_id == event.id)
        ).all()
    )
    out = io.StringIO()
    out.write("\ufeff")  # spreadsheets read UTF-8 only with a BOM
    writer = csv.writer(out, delimiter=delimiter(language))
    writer.writerow(
        [_("Name"), _("Email"), _("Organisation"), _("Profile"), _("Registered on")]
        + [_("Session %(n)s: %(title)s", n=i + 1, title=s.title) for i, s in enumerate(sessions)]
    )
    rows = db.session.scalars(
        select(Registration).where(Registration.event_id == event.id).order_by(Registration.id)
    )
    for reg in rows:
        chosen = set(reg.session_ids)
        writer.writerow(
            csv_row(
                [
                    reg.name,
                    reg.email,
                    reg.organisation,
                    _(PROFILE_LABELS.get(reg.profile, PROFILE_LABELS["autre"])),
                ]
                + [local_time(reg.created_at, event.timezone)]
                + [attendance(s.id in chosen, (reg.id, s.id) in came) for s in sessions]
            )
        )
    filename = "{}-{}.csv".format(slug, pgettext("file name", "registrations"))
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def attendance(chosen: bool, came: bool) -> str:
    """A session's cell, as the registrations page says it: blank when not chosen."""
    if came:
        return pgettext("registration state", "joined")
    return pgettext("registration state", "registered") if chosen else ""


def local_time(value, tz: str) -> str:
    """A time as spreadsheets read it in every language: ``2020-06-30 10:05``, local."""
    return as_utc(value).astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


@api_route(
    "/sessions/<int:session_id>/join",
    "POST",
    summary="Join a session with a registration token, or a join code and a name",
    tag="people",
    body=JoinIn,
    rate_limit="join",
)
def join(actor, payload: JoinIn, session_id: int):
    session = programme.get_session(session_id)
    participant = service.join_session(session, payload)
    return {
        "token": participant_token(participant),
        "participant": participant_dict(participant),
        "session": programme.session_dict(session),
    }


@api_route(
    "/auth/login",
    "POST",
    summary="Staff login: a token for moderators and facilitators",
    tag="people",
    body=LoginIn,
    rate_limit="login",
)
def login(actor, payload: LoginIn):
    staff = login_throttle().guard(
        payload.email,
        client_address(),
        lambda: service.authenticate(payload.email, payload.password),
    )
    return {"token": staff_token(staff), "role": staff.role, "name": staff.name}


@api_route(
    "/auth/me",
    summary="Who the bearer token stands for",
    tag="people",
    permission=ATTEND,
)
def whoami(actor, payload):
    return {
        "kind": actor.kind,
        "id": actor.id,
        "name": actor.name,
        "role": actor.role,
        "session_id": actor.session_id,
    }

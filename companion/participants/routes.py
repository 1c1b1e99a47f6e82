"""HTTP API of people: registration and its CSV, joining a session, staff login."""

from __future__ import annotations

import csv
import io

from flask import Response
from flask_babel import get_locale
from sqlalchemy import select

from ..core.csvsafe import csv_row
from ..core.http import api_route
from ..core.permissions import ATTEND, FACILITATE
from ..core.timeutil import iso
from ..core.urls import session_link
from ..extensions import db
from ..programme import service as programme
from ..security.login_throttle import login_throttle
from ..security.ratelimit import client_address
from . import service
from .models import Registration
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
    event = programme.load_event_tree(slug)
    sessions = event.sessions
    out = io.StringIO()
    out.write("\ufeff")  # spreadsheets read UTF-8 only with a BOM
    writer = csv.writer(out)
    writer.writerow(
        ["name", "email", "organisation", "profile", "registered_at"]
        + [f"session {i + 1}: {s.title}" for i, s in enumerate(sessions)]
    )
    rows = db.session.scalars(
        select(Registration).where(Registration.event_id == event.id).order_by(Registration.id)
    )
    for reg in rows:
        chosen = set(reg.session_ids)
        writer.writerow(
            csv_row(
                [reg.name, reg.email, reg.organisation, reg.profile]
                + [iso(reg.created_at, event.timezone)]
                + ["x" if s.id in chosen else "" for s in sessions]
            )
        )
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{slug}-registrations.csv"'},
    )


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

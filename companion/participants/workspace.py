"""HTTP API of people in the organiser's workspace: registrations, staff, logout, passwords."""

from __future__ import annotations

from typing import Annotated, Literal

from flask import current_app, request
from flask_babel import get_locale
from pydantic import EmailStr, Field, StringConstraints

from ..core.errors import Invalid
from ..core.http import api_route
from ..core.i18n import N_
from ..core.permissions import FACILITATE, MODERATE
from ..core.schemas import Schema
from ..programme import service as programme
from . import registrations, staff

TAG = "workspace"


class InvitationIn(Schema):
    email: EmailStr = Field(max_length=254)
    role: Literal["moderator", "facilitator"]
    name: Annotated[str, StringConstraints(max_length=200)] = ""


class RoleIn(Schema):
    role: Literal["moderator", "facilitator"]


class PasswordIn(Schema):
    token: Annotated[str, StringConstraints(min_length=10, max_length=512)]
    password: Annotated[str, StringConstraints(min_length=8, max_length=256)]


# ---------------------------------------------------------------- registrations


@api_route(
    "/events/<slug>/registrations",
    summary="The event's registrations (paged; ?q= searches names, emails, organisations)",
    description="Query: q (text), page (from 1), per_page (1 to 200, default 50).",
    tag=TAG,
    permission=FACILITATE,
    scope="slug",
)
def list_registrations(actor, payload, slug: str):
    event = programme.load_event_tree(slug)
    page = _int_arg("page", 1, 1, 100_000)
    per_page = _int_arg("per_page", 50, 1, 200)
    query = request.args.get("q", "")[:200]
    rows, total = registrations.search_registrations(event, query, page=page, per_page=per_page)
    joined = registrations.attendance(rows)
    return {
        "registrations": [
            registrations.registration_dict(r, event.timezone, joined[r.id]) for r in rows
        ],
        "total": total,
        "page": page,
        "per_page": per_page,
        "sessions": [{"id": s.id, "title": s.title} for s in event.sessions],
    }


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise Invalid(
            N_("A query parameter is out of range."),
            details=[
                {
                    "field": name,
                    "problem": N_("an integer from %(low)s to %(high)s"),
                    "params": {"low": low, "high": high},
                }
            ],
        )
    return value


@api_route(
    "/registrations/<int:registration_id>",
    "DELETE",
    summary="Remove a registration: its personal link and its session tokens stop at once",
    tag=TAG,
    permission=FACILITATE,
)
def delete_registration(actor, payload, registration_id: int):
    registrations.remove_registration(registrations.get_registration(registration_id), actor=actor)
    return {"deleted": True, "id": registration_id}


@api_route(
    "/registrations/<int:registration_id>/link",
    "POST",
    summary="A registered person's personal link again, to send it to them",
    tag=TAG,
    permission=FACILITATE,
)
def registration_link(actor, payload, registration_id: int):
    return registrations.personal_links(registrations.get_registration(registration_id))


# ---------------------------------------------------------------- staff


@api_route("/staff", summary="The staff accounts", tag=TAG, permission=FACILITATE)
def list_staff(actor, payload):
    return {"staff": [staff.staff_dict(s) for s in staff.list_staff()]}


@api_route(
    "/staff/invitations",
    "POST",
    summary="Invite a moderator or facilitator: answers the set-password link to pass on",
    tag=TAG,
    body=InvitationIn,
    permission=FACILITATE,
    responses={"status": 201},
)
def invite(actor, payload: InvitationIn):
    account, token = staff.invite_staff(
        payload.email, payload.role, payload.name, actor=actor, language=str(get_locale() or "fr")
    )
    # The very link the mail carries, not a second one minted a second later; ``mailed``:
    # whether a mail server carries the mail (without one it is written to a file).
    return {
        "staff": staff.staff_dict(account),
        "link": staff.password_link(account, token),
        "token": token,
        "mailed": bool(current_app.config["COMPANION"].smtp_url),
    }, 201


@api_route(
    "/staff/<int:staff_id>",
    "PATCH",
    summary="Change a staff account's role",
    tag=TAG,
    body=RoleIn,
    permission=FACILITATE,
)
def change_role(actor, payload: RoleIn, staff_id: int):
    return staff.staff_dict(staff.change_role(staff.get_staff(staff_id), payload.role, actor=actor))


@api_route(
    "/staff/<int:staff_id>",
    "DELETE",
    summary="Revoke a staff account: its tokens stop at once, its open sockets close",
    tag=TAG,
    permission=FACILITATE,
)
def revoke(actor, payload, staff_id: int):
    return staff.staff_dict(staff.revoke_staff(staff.get_staff(staff_id), actor=actor))


# ---------------------------------------------------------------- logout, password


@api_route(
    "/auth/logout",
    "POST",
    summary="Log out: every token of this staff account stops",
    tag="people",
    permission=MODERATE,
)
def logout(actor, payload):
    staff.logout(staff.get_staff(actor.id))
    return {"logged_out": True}


@api_route(
    "/auth/password",
    "POST",
    summary="Set a staff password from an invitation or reset link; older tokens stop",
    tag="people",
    body=PasswordIn,
    rate_limit="login",
)
def set_password(actor, payload: PasswordIn):
    from .tokens import staff_token

    account = staff.set_password(payload.token, payload.password)
    return {"token": staff_token(account), "role": account.role, "name": account.name}

"""Staff accounts in the workspace: invite, list, change a role, revoke; passwords and logout.

An account's ``token_version`` is what revokes: raising it stops every token signed before
(staff tokens and set-password links alike). After commit, every process forgets the cached
actor and closes the account's sockets (see :func:`close_sockets`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..core.errors import Conflict, Forbidden, Invalid, NotFound
from ..core.i18n import N_
from ..core.passwords import hash_password
from ..core.timeutil import iso, utcnow
from ..core.urls import external_url
from ..extensions import db
from ..realtime import revocation
from .models import STAFF_ROLES, StaffUser
from .service import signals
from .tokens import password_token, staff_from_password_token

#: Sent inside the transaction when someone is invited: (staff, link, language). The mail
#: package queues the invitation there, so the mail exists exactly when the invitation does.
staff_invited = signals.signal("staff-invited")


def staff_dict(staff: StaffUser) -> dict[str, Any]:
    if staff.revoked_at is not None:
        status = "revoked"
    elif staff.invited_at is not None:
        status = "invited"
    else:
        status = "active"
    return {
        "id": staff.id,
        "email": staff.email,
        "name": staff.name,
        "role": staff.role,
        "status": status,
        "created_at": iso(staff.created_at, "UTC"),
        "invited_at": iso(staff.invited_at, "UTC"),
        "revoked_at": iso(staff.revoked_at, "UTC"),
    }


def get_staff(staff_id: int) -> StaffUser:
    staff = db.session.get(StaffUser, staff_id)
    if staff is None:
        raise NotFound(N_("No such staff account."))
    return staff


def list_staff() -> list[StaffUser]:
    return list(db.session.scalars(select(StaffUser).order_by(StaffUser.email)))


def password_link(staff: StaffUser, token: str | None = None) -> str:
    """The set-password link of an invitation or a reset (it expires; setting a password spends it).

    The one place the link is made: the invitation and reset mails use it too. ``token``: one
    already minted for ``staff`` (a token carries its second: two minted apart may differ).
    """
    return external_url("pages.password_page", token=token or password_token(staff))


def invite_staff(
    email: str, role: str, name: str = "", *, actor, language: str = "fr"
) -> tuple[StaffUser, str]:
    """Create an account without a usable password, or invite a revoked one back.

    The invitation mail is queued in the same transaction (``staff_invited``, in ``language``,
    saying who invites).
    Returns the account and the set-password token the mail carries, for the inviter to pass on.

    :raises Conflict: an active account has this address (it can reset its password).
    """
    if role not in STAFF_ROLES:
        raise Invalid(N_("Choose the role: moderator or facilitator."))
    email = email.strip().lower()
    staff = db.session.scalar(select(StaffUser).where(StaffUser.email == email))
    if staff is not None and staff.revoked_at is None and staff.invited_at is None:
        raise Conflict(N_("This address already has an account."))
    if staff is None:
        staff = StaffUser(email=email, name=name or email.split("@")[0], role=role)
        db.session.add(staff)
    elif name:
        staff.name = name
    staff.role = role
    staff.password_hash = ""  # no password verifies against an empty hash
    staff.revoked_at = None
    staff.invited_at = utcnow()
    # A new invitation spends the previous link.
    staff.token_version = (staff.token_version or 0) + 1
    db.session.flush()
    revocation.revoke([("staff", staff.id)], disconnect=False)
    token = password_token(staff)
    staff_invited.send(
        staff,
        link=password_link(staff, token),
        language=language,
        inviter=actor.name if actor is not None else "",
        named=bool(name),
    )
    return staff, token


def change_role(staff: StaffUser, role: str, *, actor) -> StaffUser:
    """Make an account moderator or facilitator; refuse to leave no active facilitator."""
    if role not in STAFF_ROLES:
        raise Invalid(N_("Choose the role: moderator or facilitator."))
    if staff.revoked_at is not None:
        raise Conflict(N_("This account was revoked; invite it again first."))
    if staff.role == "facilitator" and role != "facilitator":
        _keep_a_facilitator(staff)
    staff.role = role
    db.session.flush()
    # The token stays valid; every process loads the new role at the account's next event.
    revocation.revoke([("staff", staff.id)], disconnect=False)
    return staff


def revoke_staff(staff: StaffUser, *, actor) -> StaffUser:
    """Revoke an account: its tokens and links stop at once, its open sockets close."""
    if staff.revoked_at is not None:
        raise Conflict(N_("This account was already revoked."))
    if staff.id == actor.id:
        raise Forbidden(N_("You cannot revoke your own account."))
    if staff.role == "facilitator":
        _keep_a_facilitator(staff)
    staff.revoked_at = utcnow()
    staff.password_hash = ""
    staff.token_version += 1
    db.session.flush()
    close_sockets(staff)
    return staff


def _keep_a_facilitator(leaving: StaffUser) -> None:
    others = db.session.scalar(
        select(StaffUser.id).where(
            StaffUser.role == "facilitator",
            StaffUser.revoked_at.is_(None),
            StaffUser.invited_at.is_(None),
            StaffUser.id != leaving.id,
        )
    )
    if others is None:
        raise Conflict(N_("Keep at least one active facilitator."))


def logout(staff: StaffUser) -> None:
    """Revoke every token of this account (logging out everywhere), and its sockets."""
    staff.token_version += 1
    db.session.flush()
    close_sockets(staff)


def set_password(token: str, password: str) -> StaffUser:
    """Set the password from an invitation or reset link; older tokens and the link stop.

    :raises Unauthorized: the link is unknown, expired or already used.
    """
    staff = staff_from_password_token(token)
    if staff.revoked_at is not None:
        raise Forbidden(N_("This account was revoked."))
    if len(password) < 8:
        raise Invalid(
            N_("The password must have at least 8 characters."),
            details=[{"field": "password", "problem": N_("at least 8 characters")}],
        )
    staff.password_hash = hash_password(password)
    staff.invited_at = None
    staff.token_version += 1
    db.session.flush()
    close_sockets(staff)
    return staff


# ---------------------------------------------------------------- closing sockets


def close_sockets(staff: StaffUser) -> None:
    """Once the change commits, close the account's sockets and forget it, on every process."""
    revocation.revoke([("staff", staff.id)])


def close_participant_sockets(participant_ids: list[int]) -> None:
    """Same for participants whose tokens were revoked (a registration removed)."""
    revocation.revoke(("participant", pid) for pid in participant_ids)

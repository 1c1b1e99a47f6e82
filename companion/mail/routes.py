"""HTTP routes that mail a link: a lost personal link, a staff password reset.

Both answer 202 with the same body whether or not the address is known, so nobody can learn
who registered or who has an account; both are rate limited per address.
"""

from __future__ import annotations

from flask_babel import get_locale
from sqlalchemy import select

from ..core.http import api_route
from ..core.i18n import N_, translate
from ..extensions import db
from ..participants.models import Registration, StaffUser
from ..programme import service as programme
from . import notices
from .schemas import EmailIn

RECOVER_ANSWER = N_(
    "If this address is registered, a message with your personal link is on its way. "
    "Check your inbox and your spam folder."
)
RESET_ANSWER = N_(
    "If this address has an account, a message with a link to choose a new password is on its way."
)


@api_route(
    "/events/<slug>/registrations/recover",
    "POST",
    summary="Mail the personal link again (same answer whether or not the address is registered)",
    tag="people",
    body=EmailIn,
    responses={"status": 202},
    rate_limit="recover",
)
def recover_registration(actor, payload: EmailIn, slug: str):
    event = programme.get_event(slug)
    registration = db.session.scalar(
        select(Registration).where(
            Registration.event_id == event.id,
            Registration.email == payload.email.strip().lower(),
            Registration.purged_at.is_(None),
        )
    )
    if registration is not None:
        notices.queue_lost_link(registration)
    return {"status": "accepted", "message": translate(RECOVER_ANSWER)}, 202


@api_route(
    "/auth/password-reset",
    "POST",
    summary="Mail a staff member a link to choose a new password (same answer for any address)",
    tag="people",
    body=EmailIn,
    responses={"status": 202},
    rate_limit="recover",
)
def password_reset(actor, payload: EmailIn):
    staff = db.session.scalar(
        select(StaffUser).where(StaffUser.email == payload.email.strip().lower())
    )
    if staff is not None:
        notices.queue_password_reset(staff, language=str(get_locale() or "fr"))
    return {"status": "accepted", "message": translate(RESET_ANSWER)}, 202

"""The explicit actor every service takes: who is asking, with which rights."""

from __future__ import annotations

from dataclasses import dataclass

ATTENDEE = "attendee"
MODERATOR = "moderator"
FACILITATOR = "facilitator"


@dataclass(frozen=True)
class Actor:
    """A participant of one session, or a staff member (moderator or facilitator)."""

    kind: str  # "participant" or "staff"
    id: int
    name: str
    role: str  # ATTENDEE, MODERATOR or FACILITATOR
    session_id: int | None = None  # a participant's own session

    @property
    def key(self) -> str:
        """A stable string naming this actor (receipts, rate limits, presence)."""
        return f"{self.kind[0]}:{self.id}"

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"

    @property
    def participant_id(self) -> int | None:
        return self.id if self.kind == "participant" else None

    def can_moderate(self) -> bool:
        """Moderators and facilitators run sessions."""
        return self.role in (MODERATOR, FACILITATOR)

    def can_facilitate(self) -> bool:
        return self.role == FACILITATOR

    def may_attend(self, session_id: int) -> bool:
        """Tell whether this actor may see and contribute to ``session_id``."""
        return self.is_staff or self.session_id == session_id

    def has_role(self, roles: frozenset[str]) -> bool:
        """Tell whether the actor holds one of ``roles`` (facilitators also moderate)."""
        if self.role in roles:
            return True
        return self.role == FACILITATOR and MODERATOR in roles

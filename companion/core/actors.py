"""The explicit actor every service takes: who is asking, with which rights."""

from __future__ import annotations

from dataclasses import dataclass

ATTENDEE = "attendee"
MODERATOR = "moderator"
FACILITATOR = "facilitator"
SPEAKER = "speaker"
#: One letter per actor kind, for keys that must not collide (staff and speaker both start "s").
KIND_LETTERS = {"participant": "p", "staff": "s", "speaker": "k"}


def actor_key(kind: str, subject_id: int) -> str:
    """Return the stable string naming an actor of ``kind`` (receipts, rate limits, presence)."""
    return f"{KIND_LETTERS.get(kind, kind[0])}:{subject_id}"


@dataclass(frozen=True)
class Actor:
    """A participant of one session, a staff member (moderator or facilitator), or a speaker."""

    kind: str  # "participant", "staff" or "speaker"
    id: int
    name: str
    role: str  # ATTENDEE, MODERATOR, FACILITATOR or SPEAKER
    session_id: int | None = None  # a participant's own session
    event_id: int | None = None  # a speaker's event

    @property
    def key(self) -> str:
        """A stable string naming this actor (receipts, rate limits, presence)."""
        return actor_key(self.kind, self.id)

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"

    @property
    def is_speaker(self) -> bool:
        return self.kind == "speaker"

    @property
    def participant_id(self) -> int | None:
        return self.id if self.kind == "participant" else None

    def can_moderate(self) -> bool:
        """Moderators and facilitators run sessions."""
        return self.role in (MODERATOR, FACILITATOR)

    def can_facilitate(self) -> bool:
        return self.role == FACILITATOR

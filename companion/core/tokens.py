"""Signed, expiring tokens for participants, registrations and staff."""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .errors import Unauthorized
from .i18n import N_

# "password": a set-password link (staff invitation or reset), bound to the account's
# token_version so that setting the password spends it. "speaker": a speaker's personal link.
KINDS = ("participant", "registration", "staff", "password", "speaker")


@dataclass(frozen=True)
class TokenClaims:
    """What a verified token says: its kind and the id of the row it stands for."""

    kind: str
    subject_id: int
    version: int = 0


class TokenSigner:
    """Sign and verify tokens with the application's secret key."""

    def __init__(self, secret_key: str, max_age: dict[str, int]):
        self._serializer = URLSafeTimedSerializer(secret_key, salt="companion-token-v1")
        self._max_age = max_age

    def sign(self, kind: str, subject_id: int, version: int = 0) -> str:
        """Return a token for ``kind``/``subject_id``; ``version`` lets a row revoke old tokens."""
        assert kind in KINDS
        return self._serializer.dumps({"k": kind, "s": subject_id, "v": version})

    def verify(self, token: object) -> TokenClaims:
        """Return the claims of a valid token or raise Unauthorized with the reason."""
        if not isinstance(token, str) or not token or len(token) > 512:
            raise Unauthorized(N_("A token is required."))
        try:
            data, _ = self._serializer.loads(token, max_age=None, return_timestamp=True)
            kind = data["k"]
            self._serializer.loads(token, max_age=self._max_age[kind])
        except SignatureExpired:
            raise Unauthorized(N_("This token has expired; join or log in again.")) from None
        except (BadSignature, KeyError, TypeError, ValueError):
            raise Unauthorized(N_("This token is not valid.")) from None
        return TokenClaims(kind=kind, subject_id=int(data["s"]), version=int(data.get("v", 0)))

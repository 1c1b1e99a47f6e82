"""Domain errors: raised by services, turned into contract errors at the edge."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

#: Every error code of the contract.
ERROR_CODES = (
    "invalid",
    "unauthorized",
    "forbidden",
    "not_found",
    "conflict",
    "closed",
    "rate_limited",
    "unavailable",
)

# Contract error code -> HTTP status.
HTTP_STATUS = {
    "invalid": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "closed": 409,
    "payload_too_large": 413,
    "rate_limited": 429,
    "unavailable": 503,
}


class DomainError(Exception):
    """A rule refused the change; ``message`` is readable by the person who asked."""

    code = "invalid"

    def __init__(self, message: str, *, details: Any = None, params: dict | None = None):
        """``message`` is the English text (a catalogue msgid); ``params`` fill its
        ``%(name)s`` placeholders after translation; ``details`` entries with a ``problem``
        have it translated too."""
        super().__init__(message % params if params else message)
        self.msgid = message
        self.params = params
        self.message = message % params if params else message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        """The contract's error object, its message in the asker's language where known."""
        from .i18n import translate

        message = translate(self.msgid)
        if self.params:
            try:
                message = message % self.params
            except (KeyError, TypeError, ValueError):  # a bad translation must not hide the error
                message = self.message
        error: dict[str, Any] = {"code": self.code, "message": message}
        if self.details is not None:
            error["details"] = _translated(self.details)
        return error

    @property
    def http_status(self) -> int:
        return HTTP_STATUS.get(self.code, 400)


class Invalid(DomainError):
    code = "invalid"


class Unauthorized(DomainError):
    code = "unauthorized"


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class Closed(DomainError):
    code = "closed"


class RateLimited(DomainError):
    code = "rate_limited"


class Unavailable(DomainError):
    code = "unavailable"


class PayloadTooLarge(DomainError):
    code = "payload_too_large"


def _translated(details: Any) -> Any:
    """Translate the ``problem`` of each detail (field errors) where it is a catalogue msgid."""
    from .i18n import translate

    if not isinstance(details, list):
        return details
    out = []
    for entry in details:
        if isinstance(entry, dict) and isinstance(entry.get("problem"), str):
            problem = translate(entry["problem"])
            params = entry.get("params")
            if isinstance(params, dict):
                with suppress(KeyError, TypeError, ValueError):
                    problem = problem % params
            entry = {k: v for k, v in entry.items() if k != "params"} | {"problem": problem}
        out.append(entry)
    return out

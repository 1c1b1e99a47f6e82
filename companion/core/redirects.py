"""Where a ``next`` parameter may send someone: a path of this site, never another host."""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_NEXT = 2000


def safe_next(value: str | None, default: str = "/") -> str:
    """Return ``value`` when it is a same-origin relative path, else ``default``.

    Parsed, not prefix-matched: browsers drop tabs and line breaks inside URLs and read ``\\``
    as ``/``, so ``/\\tevil.example`` or ``/\\evil.example`` would leave the site; a control
    character would also break the ``Location`` header (CRLF).
    """
    if not value or len(value) > MAX_NEXT or not value.startswith("/"):
        return default
    if "\\" in value or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in value):
        return default
    try:
        parts = urlsplit(value)
    except ValueError:
        return default
    if parts.scheme or parts.netloc or parts.path.startswith("//"):
        return default
    return value

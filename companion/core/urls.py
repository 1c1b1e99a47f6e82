"""Absolute links: from COMPANION_PUBLIC_URL when set, else the (proxy-aware) request's host.

Every link that leaves the page it was made on — mails, QR codes, .ics files, join links in API
answers — goes through :func:`external_url`, so a deployment behind a proxy or under another
name never hands out an internal address.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request, url_for

from . import origin


def public_base() -> str:
    """Return the scheme, host and path prefix absolute links start with (no trailing slash)."""
    config = current_app.config["COMPANION"]
    if config.public_url:
        return config.public_url.rstrip("/")
    if has_request_context():
        # ProxyFix (COMPANION_PROXY_COUNT) has already put the forwarded scheme and host here.
        return request.host_url.rstrip("/") + request.script_root
    event_origin = origin.current()
    if event_origin is not None:
        # A socket event: the address the connection's handshake reached (read then, as above).
        return event_origin.base_url
    # Outside any request (a reminder): where `serve` listens, else the configured port.
    return current_app.config.get("COMPANION_SERVING_URL") or f"http://127.0.0.1:{config.port}"


def external_url(endpoint: str, **values) -> str:
    """Return the absolute address of ``endpoint`` (``url_for`` arguments)."""
    if has_request_context():
        path = url_for(endpoint, **values)
        path = path[len(request.script_root) :] if request.script_root else path
    else:
        with current_app.test_request_context("/"):
            path = url_for(endpoint, **values)
    return public_base() + path


def session_link(session_id: int, token: str) -> str:
    """Return a person's own address of a session's attendee page (their token in it)."""
    return external_url("pages.session_page", session_id=session_id, t=token)

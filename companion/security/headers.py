"""Security headers on every response: a CSP with no inline script, nosniff, framing rules."""

from __future__ import annotations

import re

from flask import Flask, request

# The projector view is meant to be embedded (screen-sharing tools, slides); nothing else is.
EMBEDDABLE_PREFIXES = ("/projector/",)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:{blob}; "
    "connect-src {connect}; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors {ancestors}"
)


_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")


def websocket_origin() -> str:
    """This site's own WebSocket origin (``'self'`` does not cover ws: in every browser).

    The Host header is the client's: anything but a plain host[:port] adds nothing.
    """
    if not _HOST.match(request.host):
        return ""
    scheme = "wss" if request.scheme == "https" else "ws"
    return f"{scheme}://{request.host}"


def install_security_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response):
        embeddable = request.path.startswith(EMBEDDABLE_PREFIXES)
        # blob: only where the projector shows its join QR code (fetched with a staff token).
        response.headers.setdefault(
            "Content-Security-Policy",
            CSP.format(
                ancestors="*" if embeddable else "'none'",
                blob=" blob:" if embeddable else "",
                connect=" ".join(filter(None, ("'self'", websocket_origin()))),
            ),
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not embeddable:
            response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        return response

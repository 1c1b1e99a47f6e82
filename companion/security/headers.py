"""Security headers on every response: a CSP with no inline script, nosniff, framing rules."""

from __future__ import annotations

from flask import Flask, request

# The projector view is meant to be embedded (screen-sharing tools, slides); nothing else is.
EMBEDDABLE_PREFIXES = ("/projector/",)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:{blob}; "
    "connect-src 'self' ws: wss:; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors {ancestors}"
)


def install_security_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response):
        embeddable = request.path.startswith(EMBEDDABLE_PREFIXES)
        # blob: only where the projector shows its join QR code (fetched with a staff token).
        response.headers.setdefault(
            "Content-Security-Policy",
            CSP.format(
                ancestors="*" if embeddable else "'none'", blob=" blob:" if embeddable else ""
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

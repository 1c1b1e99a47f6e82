"""The HTTP edge: one decorator for every API route, JSON errors, and the OpenAPI registry.

Like the socket dispatcher, :func:`api_route` runs the same steps for every route:
authenticate → authorise → parse the body against its schema → call → commit → answer.
A route declares its permission and the URL argument naming its scope; the edge loads that
object once, checks the permission against it, and passes it as ``target`` when asked.
"""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, jsonify, request
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from ..extensions import db
from . import identity, permissions, scopes
from .actors import Actor
from .errors import DomainError, Forbidden, Invalid, Unauthorized, Unavailable
from .i18n import N_
from .schemas import Schema, parse

log = logging.getLogger(__name__)
api = Blueprint("api", __name__, url_prefix="/api/v1")
#: Routes outside the versioned API (health checks).
ops = Blueprint("ops", __name__)


@dataclass
class ApiRoute:
    """What the OpenAPI document says of one route."""

    path: str
    method: str
    summary: str
    tag: str
    body: type[Schema] | None
    permission: str | None  # None: public
    scope: str | None  # the URL argument naming what the permission is checked against
    responses: dict[str, Any] = field(default_factory=dict)
    produces: tuple[str, ...] = ("application/json",)
    description: str = ""


ROUTES: list[ApiRoute] = []
#: Called with a bucket name before a rate-limited route runs; may raise RateLimited.
#: Set by the security layer (core imports no domain).
rate_limiters: list[Callable[[str], None]] = []


def error_response(error: DomainError) -> tuple[Response, int]:
    response = jsonify({"error": error.to_dict()})
    if isinstance(error.details, dict) and "retry_after_s" in error.details:
        response.headers["Retry-After"] = str(error.details["retry_after_s"])
    return response, error.http_status


def bearer_actor(required: bool = True) -> Actor | None:
    """Return the actor of the request's bearer token (None when optional and absent)."""
    header = request.headers.get("Authorization", "")
    if not header:
        if required:
            raise Unauthorized(N_("Send your token in an 'Authorization: Bearer <token>' header."))
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(N_("The Authorization header must be 'Bearer <token>'."))
    return identity.actor_from_token(token.strip())


def api_route(
    path: str,
    method: str = "GET",
    *,
    summary: str,
    tag: str,
    body: type[Schema] | None = None,
    permission: str | None = None,
    scope: str | None = None,
    responses: dict[str, Any] | None = None,
    produces: tuple[str, ...] = ("application/json",),
    description: str = "",
    blueprint: Blueprint = api,
    rate_limit: str | None = None,
):
    """Register an API route; the view gets ``actor`` (or None) and ``payload`` keywords.

    :param permission: what the bearer must hold (core/permissions.py); None: public.
    :param scope: the URL argument whose object the permission is checked against; a view
        with a ``target`` parameter receives that object.
    """
    if permission is not None and permission not in permissions.PERMISSIONS:
        raise ValueError(f"{path}: unknown permission {permission!r}")
    if scope is not None and (permission is None or scope not in _url_args(path)):
        raise ValueError(f"{path}: scope {scope!r} is not a URL argument of a protected route")

    def decorator(view: Callable[..., Any]):
        full_path = (blueprint.url_prefix or "") + path
        ROUTES.append(
            ApiRoute(
                full_path,
                method,
                summary,
                tag,
                body,
                permission,
                scope,
                responses or {},
                produces,
                description,
            )
        )
        wants_target = "target" in inspect.signature(view).parameters

        def endpoint(**params):
            try:
                if rate_limit:
                    for limiter in rate_limiters:
                        limiter(rate_limit)
                actor = bearer_actor() if permission is not None else None
                target = None
                if permission is not None:
                    # The role first: a wrong role learns nothing of what exists.
                    if not permissions.may_hold(actor, permission):
                        raise Forbidden(N_("Your role does not allow this."))
                    target = scopes.resolve(scope, params[scope]) if scope else None
                    permissions.check(actor, permission, target)
                if wants_target:
                    params["target"] = target.obj if target else None
                payload = None
                if body is not None:
                    data = _json_body()
                    if data is None:
                        raise Invalid(
                            N_("Send a JSON object body (Content-Type: application/json).")
                        )
                    payload = parse(body, data)
                result = view(actor=actor, payload=payload, **params)
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                return error_response(error)
            except (OperationalError, DBAPIError):
                db.session.rollback()
                log.warning("database unavailable for %s %s", method, path)
                return error_response(
                    Unavailable(N_("The database is unavailable; try again soon."))
                )
            if isinstance(result, Response):
                return result
            if isinstance(result, tuple):
                data, status = result
                return jsonify(data), status
            return jsonify(result)

        endpoint.__name__ = view.__name__
        blueprint.add_url_rule(path, endpoint=view.__name__, view_func=endpoint, methods=[method])
        return view

    return decorator


def _json_body() -> Any:
    """The request's JSON body, or None when it is missing or not JSON (nesting too deep too)."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        raise Invalid(N_("The JSON body is nested too deeply.")) from None


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def register_error_handlers(app) -> None:
    """Answer JSON errors under /api and readable pages elsewhere; never a trace."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        message = _http_message(exc)
        if wants_json():
            code = {
                400: "invalid",
                401: "unauthorized",
                403: "forbidden",
                404: "not_found",
                405: "invalid",
                413: "invalid",
                429: "rate_limited",
            }.get(exc.code or 400, "invalid")
            return jsonify({"error": {"code": code, "message": message}}), exc.code
        return error_page(exc.code or 400, message)

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        if wants_json():
            return error_response(error)
        return error_page(error.http_status, error.to_dict()["message"])

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        db.session.rollback()
        if isinstance(exc, (OperationalError, DBAPIError)):
            error = Unavailable(N_("The database is unavailable; try again soon."))
        else:
            log.exception("unexpected error on %s %s", request.method, request.path)
            error = Unavailable(N_("Something went wrong on the server; try again."))
        if wants_json():
            return error_response(error)
        return error_page(503, error.to_dict()["message"])


#: The heading of an error page: what happened, in words (its status code comes below).
HTTP_TITLES = {
    400: N_("This request could not be understood"),
    401: N_("Please log in"),
    403: N_("Access not allowed"),
    404: N_("Page not found"),
    405: N_("This request could not be understood"),
    409: N_("This cannot be done now"),
    410: N_("This link has expired"),
    413: N_("This request is too large"),
    429: N_("Too many requests"),
    503: N_("Service unavailable for a moment"),
}


def error_page(status: int, message: str):
    """The HTML error page: a heading in words, the message, the code for whoever reports it."""
    from flask import render_template

    from .i18n import translate

    title = translate(HTTP_TITLES.get(status, N_("Something went wrong")))
    return render_template("error.html", status=status, title=title, message=message), status


#: Werkzeug's own messages are English: these say the same in the request's language.
HTTP_MESSAGES = {
    400: N_("The request is not valid."),
    401: N_("Log in or send your token first."),
    403: N_("You may not do this."),
    404: N_("Nothing here: check the address."),
    405: N_("%(method)s is not allowed on %(path)s."),
    413: N_("The request body is too large."),
    429: N_("Too many requests; wait a little and try again."),
}


def _http_message(exc: HTTPException) -> str:
    """The message of an HTTP error in the request's language (a description of ours is kept)."""
    from .i18n import translate

    default = type(exc).description
    if exc.description and exc.description != default:
        return translate(exc.description)
    message = HTTP_MESSAGES.get(exc.code or 400)
    if message is None:
        return exc.description or exc.name
    return translate(message) % {"method": request.method, "path": request.path}


_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _url_args(flask_path: str) -> set[str]:
    """The names of a Flask path's URL arguments."""
    return {m.group(2) for m in _PARAM.finditer(flask_path)}


def openapi_path(flask_path: str) -> str:
    return _PARAM.sub(lambda m: "{" + m.group(2) + "}", flask_path)

"""Build the OpenAPI 3 document from the routes and the schemas that validate them."""

from __future__ import annotations

import re
from typing import Any

from .errors import ERROR_CODES
from .http import ROUTES, openapi_path

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {
                    "type": "string",
                    "enum": list(ERROR_CODES),
                },
                "message": {"type": "string"},
                "details": {},
            },
        }
    },
}


def operation_id(method: str, path: str) -> str:
    """The operationId of ``method path`` (path in OpenAPI form)."""
    return re.sub(r"\W+", "_", f"{method}_{path}").strip("_")


def _to(method: str, path: str, **parameters: str) -> dict[str, Any]:
    return {
        "operationId": operation_id(method, "/api/v1" + path),
        "parameters": parameters,
    }


#: OpenAPI links: where an answer's ids lead (stateful clients and fuzzers follow them).
#: Keyed by (method, path, status) of the answering operation.
LINKS: dict[tuple[str, str, str], dict[str, Any]] = {
    ("GET", "/api/v1/events", "200"): {
        "Programme": _to("GET", "/events/{slug}", slug="$response.body#/events/0/slug"),
        "Calendar": _to("GET", "/events/{slug}/calendar.ics", slug="$response.body#/events/0/slug"),
        "Register": _to(
            "POST", "/events/{slug}/registrations", slug="$response.body#/events/0/slug"
        ),
        "Registrations": _to(
            "GET", "/events/{slug}/registrations.csv", slug="$response.body#/events/0/slug"
        ),
        "Synthesis": _to(
            "GET", "/events/{slug}/synthesis.{fmt}", slug="$response.body#/events/0/slug"
        ),
    },
    ("GET", "/api/v1/events/{slug}", "200"): {
        "Join": _to(
            "POST", "/sessions/{session_id}/join", session_id="$response.body#/sessions/0/id"
        ),
        "Summary": _to(
            "GET",
            "/sessions/{session_id}/summary.{fmt}",
            session_id="$response.body#/sessions/0/id",
        ),
        "Polls": _to(
            "GET", "/sessions/{session_id}/polls", session_id="$response.body#/sessions/0/id"
        ),
        "LastSessionSummary": _to(
            "GET",
            "/sessions/{session_id}/summary.{fmt}",
            session_id="$response.body#/sessions/3/id",
        ),
    },
    ("POST", "/api/v1/events/{slug}/registrations", "201"): {
        "JoinRegistered": {
            **_to(
                "POST",
                "/sessions/{session_id}/join",
                session_id="$response.body#/registration/session_ids/0",
            ),
            "requestBody": {"registration_token": "$response.body#/token"},
        },
    },
    ("POST", "/api/v1/sessions/{session_id}/join", "200"): {
        "SessionPolls": _to(
            "GET",
            "/sessions/{session_id}/polls",
            session_id="$response.body#/participant/session_id",
        ),
    },
}


def build_openapi(version: str) -> dict[str, Any]:
    """Return the OpenAPI document of every registered route."""
    components: dict[str, Any] = {"Error": ERROR_SCHEMA}
    paths: dict[str, Any] = {}
    for route in ROUTES:
        path = openapi_path(route.path)
        op: dict[str, Any] = {
            "summary": route.summary,
            "tags": [route.tag],
            "operationId": operation_id(route.method, path),
            "responses": {},
        }
        if route.description:
            op["description"] = route.description
        params = []
        for kind, name in re.findall(r"<(?:(\w+):)?(\w+)>", route.path):
            schema: dict[str, Any] = {"type": "integer"} if kind == "int" else {"type": "string"}
            if name == "fmt":
                schema = {"type": "string", "enum": route.responses.get("formats", [])}
            params.append({"name": name, "in": "path", "required": True, "schema": schema})
        if params:
            op["parameters"] = params
        if route.body is not None:
            schema = route.body.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, definition in schema.pop("$defs", {}).items():
                components[name] = definition
            components[route.body.__name__] = schema
            op["requestBody"] = {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"$ref": f"#/components/schemas/{route.body.__name__}"}
                    }
                },
            }
        ok_status = str(route.responses.get("status", 200))
        op["responses"][ok_status] = {
            "description": route.responses.get("description", "Success"),
            "content": {
                media: {"schema": route.responses.get("schema", {})} for media in route.produces
            },
        }
        error_statuses = ["400", "404", "429", "503"]
        if route.permission is not None:
            op["security"] = [{"bearer": []}]
            error_statuses += ["401", "403"]
        if route.body is not None:
            error_statuses.append("409")
        for status in sorted(set(error_statuses)):
            op["responses"][status] = {
                "description": "Error",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
        links = LINKS.get((route.method, path, ok_status))
        if links:
            op["responses"][ok_status]["links"] = links
        paths.setdefault(path, {})[route.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Companion API",
            "version": version,
            "description": "Programme, registration, join, staff login, summaries and synthesis. "
            "Live interaction goes over Socket.IO: see docs/protocol.md.",
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }

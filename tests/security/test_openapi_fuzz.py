"""Schemathesis over the OpenAPI document: no route answers a 500 or a non-JSON error."""

import logging

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from companion.core.errors import ERROR_CODES
from companion.extensions import db

CODES = set(ERROR_CODES)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_route_answers_without_server_errors(app, event, facilitator_token, caplog):
    # core/http.py answers every unexpected exception with a polite 503: the status alone cannot
    # tell a crash from an outage, the log can (the database here is in-process, never down).
    caplog.set_level(logging.WARNING)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10, operations
    calls = []
    for operation in operations:

        @settings(
            max_examples=20,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        @given(case=operation.as_strategy())
        def check(case):
            for token in (None, facilitator_token):
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                logged = len(caplog.records)
                response = case.call(headers=headers)
                calls.append(response.status_code)
                db.session.rollback()
                where = f"{case.method} {case.formatted_path}"
                assert crashes(caplog.records[logged:]) == [], (where, response.text)
                assert response.status_code < 500 or response.status_code == 503, (
                    where,
                    response.text,
                )
                if response.status_code >= 400:
                    body = response.json()
                    assert body["error"]["code"] in CODES, (where, body)
                    assert body["error"]["message"], where

        check()
    # Every operation was exercised, and not only with refusals.
    assert len(calls) >= 2 * len(operations)
    assert any(status < 300 for status in calls)
    assert crashes(caplog.records) == []


def crashes(records: list[logging.LogRecord]) -> list[str]:
    """Log lines of a request that crashed (a traceback) or hit a database error."""
    return [
        record.getMessage()
        for record in records
        if record.exc_info
        or "unexpected error" in record.getMessage()
        or "database unavailable" in record.getMessage()
    ]

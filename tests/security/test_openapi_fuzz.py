"""Schemathesis over the OpenAPI document: no route answers a 500 or a non-JSON error."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from companion.core.errors import ERROR_CODES
from companion.extensions import db

CODES = set(ERROR_CODES)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_route_answers_without_server_errors(app, event, facilitator_token):
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
                response = case.call(headers=headers)
                calls.append(response.status_code)
                db.session.rollback()
                where = f"{case.method} {case.formatted_path}"
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

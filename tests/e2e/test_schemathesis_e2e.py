"""Schemathesis 4 against a real server, with a staff token: every phase, no server error.

The coverage, fuzzing and stateful phases run with 100 examples per operation; the stateful
phase follows the OpenAPI links (events → programme → sessions → join, summaries...). A 5xx
fails the run (``not_a_server_error``), and the server's log must hold no unexpected error
either: the application turns a crash into a 503, which must not pass unnoticed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import DEMO_FACILITATOR

# About 2.5 minutes alone on 2 cores; the margin covers a busy CI machine.
pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(600)]
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
EXAMPLES = 100


def test_schemathesis_finds_no_server_error_with_a_staff_token(server, tmp_path):
    token = server.login(DEMO_FACILITATOR)
    result = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{server.url}/api/v1/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            "not_a_server_error",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--max-examples",
            str(EXAMPLES),
            "--workers",
            "1",
            "--seed",
            "16",
            "--request-timeout",
            "30",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=540,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-6000:]
    assert re.search(r"✅\s+Stateful", report), report[-3000:]
    links = re.search(r"API Links:\s+(\d+) covered", report)
    assert links and int(links.group(1)) >= 5, report[-3000:]  # the links are followed
    generated = re.search(r"(\d+) generated, \1 passed", report)
    assert generated and int(generated.group(1)) >= 1000, report[-3000:]
    log = server.output()
    assert "unexpected error" not in log and "Traceback" not in log, log[-6000:]

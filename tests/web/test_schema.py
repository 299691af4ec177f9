"""A short schemathesis run against the OpenAPI schema: no 5xx, responses as documented.

Deterministic (hypothesis derandomised), a few examples per operation: seconds,
not minutes; ``AIRWITNESS_SCHEMA_EXAMPLES=500`` makes it a long run. The upload
operation is left out here (it would add random files to the shared store);
tests/web/test_upload.py covers it by hand.
"""

from __future__ import annotations

import os

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="needs schemathesis (dev dependency)")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("AIRWITNESS_SCHEMA_EXAMPLES", "12"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def operations(web_app):
    schema = schemathesis.openapi.from_asgi("/openapi.json", web_app)
    ops = [result.ok() for result in schema.get_all_operations()]
    return {f"{op.method.upper()} {op.path}": op for op in ops}


def test_every_operation_is_covered(operations):
    assert len(operations) == 14
    assert "POST /api/upload" in operations


def test_operations_against_their_schema(operations):
    checked = []
    for label, op in sorted(operations.items()):
        if label == "POST /api/upload":
            continue

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=op.as_strategy())
        def run(case):
            case.call_and_validate(checks=CHECKS)

        run()
        checked.append(label)
    assert len(checked) == 13

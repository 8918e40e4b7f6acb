"""The API fuzzed against its own OpenAPI schema (schemathesis, in-process over WSGI).

Every operation of ``/api/v1/schema/`` gets generated requests (path, query and body from the
schema, valid and invalid alike) sent with a persona's token; each answer must be no server
error (5xx) and must match the schema of its status code. The run is bounded and repeatable:
a fixed number of examples per operation, derandomized, no shrinking, no example database.
The number of cases run is printed (``pytest -s``) and checked against the number of operations.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from antt.accounts.services import issue_token
from antt.recognition import services
from antt.recognition.models import Registration
from config.wsgi import application

pytestmark = pytest.mark.django_db

# Production settings redirect plain HTTP to HTTPS: requests go to https://localhost.
BASE_URL = "https://localhost"
# ANTT_FUZZ_SCALE=10 multiplies the examples for a deeper run by hand (the suite keeps ~1 min).
SCALE = int(os.environ.get("ANTT_FUZZ_SCALE", "1"))
EXAMPLES = {"national_admin": 12 * SCALE, "commune_a1_officer": 6 * SCALE}
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def same_connection() -> Iterator[None]:
    """As Django's test client does: a request must not close the database connection that
    holds the test's transaction (PostgreSQL; SQLite's in-memory database ignores the close)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def records(tree: Any) -> None:
    """Lists with rows in them, so the item schemas are checked too."""
    services.register_unit(actor="test", unit=tree.area_a2, year=2025)
    for unit, result in ((tree.area_a1, "met"), (tree.school_a1, "not_met")):
        reg = services.register_unit(actor="test", unit=unit, year=2025)
        Registration.objects.filter(pk=reg.pk).update(state=f"decided_{result}", result=result)


def _failure(label: str, exc: BaseException) -> str:
    return f"{label}:\n{str(exc)[:3000]}"


@pytest.mark.parametrize("persona", sorted(EXAMPLES))
def test_every_operation_answers_without_5xx_and_as_its_schema_says(
    personas: Any, records: None, same_connection: None, persona: str
) -> None:
    token = issue_token(actor="test", user=getattr(personas, persona)).key
    headers = {"Authorization": f"Token {token}"}
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/schema/?format=json", application, headers=headers, base_url=BASE_URL
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    cases = 0
    failures: list[str] = []
    for operation in operations:

        @hypothesis.given(case=operation.as_strategy())
        @hypothesis.settings(
            max_examples=EXAMPLES[persona],
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def call(case: Any) -> None:
            nonlocal cases
            cases += 1
            case.call_and_validate(base_url=BASE_URL, headers=headers, checks=CHECKS)

        try:
            call()
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup
            failures.append(_failure(operation.label, exc))
    print(f"\nschemathesis ({persona}): {len(operations)} operations, {cases} cases")
    assert len(operations) >= 30  # the schema really was read: every endpoint is in it
    assert cases >= len(operations)
    assert not failures, "\n\n".join(failures)

"""Property-based checks of the JSON API against its own OpenAPI description (Schemathesis).

Schemathesis generates requests for every operation from ``/api/openapi.json`` (valid ones and
deliberately broken ones) and checks that none answers 500 and that each answer has a documented
status and matches the documented schema. The requests carry a manager's token and mostly
address the test workspace, so they reach the real code paths rather than stopping at 401/404.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from tests.api_desk import make_desk

app = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)


@pytest.fixture(autouse=True)
def _keep_test_connection() -> Iterator[None]:
    """Calling the WSGI app directly (not through Django's test client) would close the
    database connection after each request, which ends the test's transaction on PostgreSQL;
    detach that handler as the test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def desk_token(tmp_path_factory: pytest.TempPathFactory) -> str:
    return make_desk(tmp_path_factory.mktemp("desk")).tokens["manager"]


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_matches_its_schema(case: Any, desk_token: str) -> None:
    if "workspace" in (case.path_parameters or {}):
        case.path_parameters["workspace"] = "acme"
    # The token is ours, not generated, so the "accepts invalid auth" check does not apply;
    # and a schema-valid request may still break a rule of the desk (an empty reply, a cursor
    # of another list), which must be a clear 4xx, so "valid data accepted" does not apply.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {desk_token}"},
        excluded_checks=[ignored_auth, positive_data_acceptance],
    )

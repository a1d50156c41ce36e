"""Property-based run of every documented operation (schemathesis, in-process ASGI).

Any 5xx, any response that does not match the OpenAPI schema (status, content type, body)
fails. The example count is bounded so the whole run stays within seconds per database.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings

from tests.api.helpers import TOKEN, MakeApp

with warnings.catch_warnings():  # starlette's TestClient, used by schemathesis, warns on import
    warnings.simplefilter("ignore")
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.core.result import Ok
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]  # fmt: skip
EXAMPLES = 12


def _fuzz(app: FastAPI, method: str, headers: dict[str, str] | None = None) -> int:
    """Fuzz every operation of ``method``; returns how many there were."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    found = [r.ok() for r in schema.get_all_operations() if isinstance(r, Ok)]
    operations = [op for op in found if op.method.upper() == method]
    for operation in operations:

        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck), derandomize=True)  # fmt: skip
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        run()
    return len(operations)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_read_api_conforms_to_its_schema(make_shared_app: MakeApp) -> None:
    assert _fuzz(make_shared_app(), "GET") >= 12


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_write_api_conforms_to_its_schema(make_shared_app: MakeApp) -> None:
    async def no_crawl(publisher_id: str) -> None:
        return None

    app = make_shared_app(api_token=TOKEN, crawler=no_crawl)
    assert _fuzz(app, "POST", {"Authorization": f"Bearer {TOKEN}"}) == 2

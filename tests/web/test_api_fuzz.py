"""API fuzzing: schemathesis generates requests for every operation of the app's own OpenAPI
(valid and invalid ones) and checks each answer: never a 5xx, a documented status code, a
body that conforms to the documented schema, bad input refused, valid input accepted.

In-process over ASGI (no server), on SQLite, single-user mode, seeded so a failure
reproduces. A route added later is fuzzed without editing this file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation.modes import GenerationMode

from k2lab.web import Settings, create_app

#: Examples per operation: enough to find lax parsing and 5xx, small enough for ~1 minute.
EXAMPLES = 25


@pytest.fixture(scope="module")
def api_schema(
    tmp_path_factory: pytest.TempPathFactory, food_db_path: Path
) -> Iterator[schemathesis.BaseSchema]:
    folder = tmp_path_factory.mktemp("fuzz")
    app = create_app(
        Settings(database_url=f"sqlite:///{folder / 'k2lab.sqlite3'}", food_db=food_db_path)
    )
    with TestClient(app):  # runs the app's startup hooks (worker pools) for the whole module
        yield schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    app.state.k2.store.close()


def _fuzz(operation: schemathesis.APIOperation, mode: GenerationMode) -> None:
    @given(operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate()

    run()


def test_every_api_operation(api_schema: schemathesis.BaseSchema) -> None:
    # One test over all operations (schemathesis's lazy pytest loader does not run on
    # pytest 9): every failing operation is listed, with the first failure of each.
    failures: list[str] = []
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz(operation, mode)
            except Unsatisfiable:
                if mode is GenerationMode.POSITIVE:
                    raise
                # An operation without inputs has no invalid requests to make.
            except Exception as exc:  # a schemathesis failure group, or a hypothesis error
                failures.append(f"{operation.label} ({mode}): {exc}")
    assert operations >= 4, "the OpenAPI lost its operations"
    assert not failures, "\n\n".join(failures)

"""API fuzzing: schemathesis generates requests for every operation of the app's own OpenAPI
(valid and invalid ones) and checks each answer: never a 5xx, a documented status code and
content type, a body and headers that conform to the documented schema, and input that
violates the schema refused (no lax parsing).

Not checked: that every schema-valid request is accepted (``positive_data_acceptance``).
A 422 for a well-formed request is k2lab's answer to a food it does not know or a regimen
it cannot read, which no JSON schema can express.

In-process over ASGI (no server), on SQLite, single-user mode, seeded so a failure
reproduces. A route added later is fuzzed without editing this file. Last, the regression
tests of bugs the served fuzz (benchmarks/api_fuzz_served.py, the CLI) found.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import positive_data_acceptance
from schemathesis.generation.modes import GenerationMode

from k2lab.web import Settings, create_app

#: ``K2LAB_FUZZ_SCALE=N`` runs N times the examples (``make soak``: 10).
FUZZ_SCALE = int(os.environ.get("K2LAB_FUZZ_SCALE", "1"))

#: Examples per operation: enough to find lax parsing and 5xx, small enough for ~1 minute.
EXAMPLES = 12 * FUZZ_SCALE


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
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    run()


def _describe(exc: BaseException) -> str:
    """The failure with what schemathesis says about each case (its checks, the curl)."""
    if isinstance(exc, BaseExceptionGroup):
        parts = [str(exc)] + [_describe(e) for e in exc.exceptions]
        return "\n".join(dict.fromkeys(parts))
    return f"{type(exc).__name__}: {exc}"


def test_every_api_operation(
    api_schema: schemathesis.BaseSchema, record_figures: Callable[[str, dict[str, Any]], None]
) -> None:
    # One test over all operations (schemathesis's lazy pytest loader does not run on
    # pytest 9): every failing operation is listed, with the first failure of each.
    failures: list[str] = []
    seconds: dict[str, float] = {}
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            began = time.perf_counter()
            try:
                _fuzz(operation, mode)
            except Unsatisfiable:
                if mode is GenerationMode.POSITIVE:
                    raise
                # An operation without inputs has no invalid requests to make.
            except (Exception, BaseExceptionGroup) as exc:  # schemathesis's FailureGroup
                failures.append(f"{operation.label} ({mode}): {_describe(exc)}")
            seconds[f"{operation.label} ({mode})"] = time.perf_counter() - began
    slowest = sorted(seconds.items(), key=lambda kv: -kv[1])[:5]
    print("fuzz: slowest", ", ".join(f"{k} {v:.1f} s" for k, v in slowest))
    assert operations >= 4, "the OpenAPI lost its operations"
    assert not failures, "\n\n".join(failures)
    record_figures("api_fuzz_in_process", {"operations": operations, "examples": EXAMPLES})


# ---- regressions found by the served fuzz (benchmarks/api_fuzz_served.py) ----


def test_export_of_a_diary_named_outside_latin1_is_not_a_500(client: TestClient) -> None:
    """Regression: the diary's name went into ``Content-Disposition`` as it was, and a header
    is Latin-1, so exporting a diary named "納豆 2026" was a 500 (the stateful phase found it:
    create a diary, then export it)."""
    diary = client.post("/api/v1/diaries", json={"name": "納豆 2026"}).json()
    for fmt in ("json", "csv"):
        r = client.get(f"/api/v1/diaries/{diary['id']}/export?format={fmt}")
        assert r.status_code == 200, r.text
        assert r.headers["content-disposition"] == (
            f"attachment; filename=\"2026.{fmt}\"; filename*=UTF-8''%E7%B4%8D%E8%B1%86-2026.{fmt}"
        )


def test_405_allow_names_every_method_of_the_path(client: TestClient) -> None:
    """Regression: a 405's ``Allow`` named only the first route of the path (``GET`` for
    /api/v1/diaries, which takes POST too); the coverage phase's OPTIONS found it."""
    for path, allowed in [
        ("/api/v1/diaries", "GET, POST"),
        ("/api/v1/recipes/1", "GET, PATCH, DELETE"),
    ]:
        r = client.options(path)
        assert r.status_code == 405 and r.headers["allow"] == allowed, (path, r.headers)
    page = client.request("PUT", "/diary")
    assert page.status_code == 405 and page.headers["allow"] == "GET"

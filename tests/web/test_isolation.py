"""Isolation between users (multi-user mode): user B cannot read, change or delete user A's
diaries, days, entries, recipes, scenarios or simulation runs, by guessing ids or by listing.

The harness walks ``app.routes``, so a route added later is covered without editing this
file: every route that takes one of A's ids (in the path, the query or the JSON body) is
called by B with A's ids and must answer 404 (an id in the query or body may also be a 422
naming that field), and nothing of A's may change. A route whose id parameter the harness
cannot name fails the test, listed; so does one whose body it cannot fill (add an example to
``EXAMPLE_BODIES``). Every list (a GET without ids) is read by B and must not show A's data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx2 as httpx
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.params import File
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from k2lab.errors import NotFoundError
from k2lab.store import (
    Diary,
    DiaryDay,
    Entry,
    Recipe,
    RecipeItem,
    SavedScenario,
    SimulationRun,
    User,
)
from k2lab.web.deps import CurrentUser, DbSession

Accounts = Callable[[str], tuple[TestClient, dict[str, str]]]

#: Parameter (or body field) names that hold an id of a user's record, and its kind.
ID_NAMES = {
    "diary": "diary",
    "diary_id": "diary",
    "day_id": "day",
    "entry_id": "entry",
    "recipe_id": "recipe",
    "item_id": "recipe_item",
    "scenario_id": "scenario",
    "run_id": "run",
    "simulation_id": "run",
}
#: Names whose value is filled with one of A's (a date of A's diary) but that do not point
#: to a record by themselves: ``/diary/{date}`` is the caller's own day of that date.
FILL_ONLY = {"date": "date", "day": "date"}
#: A bare ``{id}`` takes its kind from the path segment before it.
SEGMENT_KINDS = {
    "diaries": "diary",
    "days": "date",
    "entries": "entry",
    "recipes": "recipe",
    "items": "recipe_item",
    "scenarios": "scenario",
    "simulations": "run",
    "runs": "run",
}
#: Path parameters that name shared things (foods, charts), or a random token that is no
#: easier to guess than a session: filled with this value, never a reason to call a route.
PUBLIC_PARAMS = {
    "key": "natto",
    "food_key": "natto",
    "path": "k2lab.css",
    "chart_id": "dp_ucMGP",
    "token": "not-a-token",
}
#: ``"METHOD /path"`` → a valid body for a route whose body the schema walk cannot fill.
EXAMPLE_BODIES: dict[str, dict[str, Any]] = {
    "POST /api/v1/diaries/{diary_id}/days/{date}/entries": {
        "kind": "food",
        "food": "natto",
        "amount": "1 tbsp",
    },
}
#: Routes that only answer about shared data or the caller itself.
SKIP_PATHS = {"/api/v1/openapi.json", "/api/docs", "/api/docs/oauth2-redirect", "/logout"}
MARK = "zq-secret-of-ada"


@dataclass
class Records:
    """User A's records: their ids by kind, and the marker every text field carries."""

    ids: dict[str, Any] = field(default_factory=dict)


def seed(app: FastAPI, username: str) -> Records:
    """One of each record for ``username``, inserted through the store (routes for some of
    them live on other branches)."""
    with app.state.k2.store.session() as s:
        owner = s.scalars(select(User).where(User.username == username)).one()
        diary = Diary(owner_id=owner.id, name=f"{MARK} diary", person={"age_years": 61})
        day = DiaryDay(date=dt.date(2026, 3, 1), note=f"{MARK} note")
        diary.days.append(day)
        recipe = Recipe(owner_id=owner.id, name=f"{MARK} recipe", servings=2)
        recipe.items.append(RecipeItem(food_key="natto", amount="1 tbsp", grams=15.0))
        s.add_all([diary, recipe])
        s.flush()
        day.entries.append(Entry(kind="food", meal="breakfast", food_key="natto",
                                 amount="1 tbsp", grams=15.0, text=f"{MARK} entry"))  # fmt: skip
        day.entries.append(Entry(kind="recipe", recipe_id=recipe.id, amount="1"))
        scenario = SavedScenario(owner_id=owner.id, diary_id=diary.id, name=f"{MARK} scenario")
        run = SimulationRun(owner_id=owner.id, key="0" * 64, status="done", progress=1.0,
                            request={"name": MARK}, result={"schema": MARK})  # fmt: skip
        trial = SimulationRun(owner_id=owner.id, key="1" * 64, kind="trial", status="done",
                              progress=1.0, request={"name": MARK}, result={"trial": MARK})  # fmt: skip
        power = SimulationRun(owner_id=owner.id, key="2" * 64, kind="trial_power", status="done",
                              progress=1.0, request={"name": MARK, "endpoint": MARK},
                              result={"trial": MARK})  # fmt: skip
        s.add_all([scenario, run, trial, power])
        s.flush()
        return Records(
            ids={
                "diary": diary.id,
                "day": day.id,
                "date": day.date.isoformat(),
                "entry": day.entries[0].id,
                "recipe": recipe.id,
                "recipe_item": recipe.items[0].id,
                "scenario": scenario.id,
                "run": run.id,
                "trial": trial.id,
                "power": power.id,
            }
        )


def snapshot(app: FastAPI, username: str) -> list[tuple[Any, ...]]:
    """Every stored record of ``username``, as plain values."""
    with app.state.k2.store.session() as s:
        owner = s.scalars(select(User.id).where(User.username == username)).one()
        diaries = select(Diary.id).where(Diary.owner_id == owner)
        days = select(DiaryDay.id).where(DiaryDay.diary_id.in_(diaries))
        recipes = select(Recipe.id).where(Recipe.owner_id == owner)
        queries = [
            select(Diary).where(Diary.owner_id == owner),
            select(DiaryDay).where(DiaryDay.id.in_(days)),
            select(Entry).where(Entry.day_id.in_(days)),
            select(Recipe).where(Recipe.owner_id == owner),
            select(RecipeItem).where(RecipeItem.recipe_id.in_(recipes)),
            select(SavedScenario).where(SavedScenario.owner_id == owner),
            select(SimulationRun).where(SimulationRun.owner_id == owner),
        ]
        rows = []
        for query in queries:
            for row in s.scalars(query):
                columns = type(row).__table__.columns
                values = sorted((c.key, repr(getattr(row, c.key))) for c in columns)
                rows.append((type(row).__name__, *values))
    return sorted(rows)


def _kind(name: str, path: str) -> str | None:
    if name == "run_id" and (
        path.startswith("/api/v1/trials/power") or path.startswith("/trials/power")
    ):
        return "power"
    if name == "run_id" and (path.startswith("/api/v1/trials") or path.startswith("/trials")):
        return "trial"
    if name in ID_NAMES:
        return ID_NAMES[name]
    if name in FILL_ONLY:
        return FILL_ONLY[name]
    if name == "id":
        before = re.search(r"/([a-z_-]+)/\{id\}", path)
        return SEGMENT_KINDS.get(before.group(1)) if before else None
    return None


def _example(schema: dict[str, Any], defs: dict[str, Any], ids: dict[str, Any]) -> Any:
    """A small valid value for a JSON schema, with A's id in every id-named property."""
    if "$ref" in schema:
        return _example(defs[schema["$ref"].rsplit("/", 1)[-1]], defs, ids)
    for key in ("examples", "enum"):
        if schema.get(key):
            return schema[key][0]
    if "const" in schema:
        return schema["const"]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [o for o in schema[key] if o.get("type") != "null"]
            return _example(options[0], defs, ids)
    kind = schema.get("type")
    if kind == "object":
        props: dict[str, Any] = schema.get("properties", {})
        out = {name: _example(props[name], defs, ids) for name in schema.get("required", [])}
        for name in props:
            if (k := _kind(name, "")) is not None:
                out[name] = ids[k]
        return out
    if kind == "array":
        return [_example(schema.get("items", {}), defs, ids)] * max(1, schema.get("minItems", 1))
    if kind == "integer":
        return max(1, int(schema.get("minimum", 1)))
    if kind == "number":
        return max(1.0, float(schema.get("minimum", 1.0)))
    if kind == "boolean":
        return False
    fmt = schema.get("format")
    if fmt == "date":
        return ids["date"]
    if fmt == "date-time":
        return f"{ids['date']}T08:00:00Z"
    return "1" * max(1, int(schema.get("minLength", 1)))


@dataclass
class Call:
    route: str
    method: str
    url: str
    query: dict[str, Any]
    in_path: bool
    id_fields: set[str]
    json: Any = None
    form: dict[str, str] | None = None
    files: dict[str, tuple[str, bytes]] | None = None


def api_routes(app: FastAPI) -> Iterator[tuple[str, APIRoute]]:
    """Every route of the app with its full path (FastAPI ≥ 0.16x keeps included routers
    nested; older versions list their routes flat)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI
        for route in app.routes:
            if isinstance(route, APIRoute):
                yield route.path, route
        return
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.path:
            yield context.path, route


def plan_calls(app: FastAPI, records: Records) -> tuple[list[Call], list[str], list[str]]:
    """B's calls with A's ids; the routes it cannot fill; the lists (GETs without ids)."""
    spec = app.openapi()
    defs = spec.get("components", {}).get("schemas", {})
    calls: list[Call] = []
    unknown: list[str] = []
    lists: list[str] = []
    for path, route in api_routes(app):
        if path in SKIP_PATHS:
            continue
        path_params = {p.name for p in route.dependant.path_params}
        filled = {n: _kind(n, path) for n in path_params - set(PUBLIC_PARAMS)}
        owned = {n: k for n, k in filled.items() if n not in FILL_ONLY}
        query_ids = {
            p.alias: _kind(p.alias, "")
            for p in route.dependant.query_params
            if p.alias.endswith("_id") or p.alias in ID_NAMES or p.alias in FILL_ONLY
        }
        query_owned = {n for n in query_ids if n not in FILL_ONLY}
        if missing := [n for n, k in {**filled, **query_ids}.items() if k is None]:
            unknown.append(f"{sorted(route.methods or ())} {path}: {', '.join(missing)}")
            continue
        for method in sorted((route.methods or set()) - {"HEAD"}):
            label = f"{method} {path}"
            body_json: Any = None
            body_ids: set[str] = set()
            form = files = None
            operation = spec["paths"].get(path, {}).get(method.lower(), {})
            content = operation.get("requestBody", {}).get("content", {})
            example = EXAMPLE_BODIES.get(label)
            if "application/json" in content:
                body_json = example or _example(
                    content["application/json"]["schema"], defs, records.ids
                )
            elif route.dependant.body_params:  # a form: its required fields, and any id
                form, files = {}, {}
                for param in route.dependant.body_params:
                    kind = _kind(param.alias, "")
                    if isinstance(param.field_info, File):
                        files[param.alias] = ("a.csv", b"name,amount\nnatto,15 g\n")
                    elif kind is not None:
                        form[param.alias] = str(records.ids[kind])
                    elif param.field_info.is_required():
                        form[param.alias] = "1"
                form.update(example or {})
            body_ids = {n for n in (body_json or form or {}) if n in ID_NAMES}
            if not owned and not query_owned and not body_ids:
                if method == "GET" and not path_params:
                    lists.append(path)
                continue
            url = path
            values = {n: str(records.ids[k]) for n, k in filled.items() if k is not None}
            for name, value in {**values, **PUBLIC_PARAMS}.items():
                url = url.replace("{" + name + "}", value)
            query = {n: records.ids[k] for n, k in query_ids.items() if k is not None}
            calls.append(Call(label, method, url, query, bool(owned), {*query_owned, *body_ids},
                              body_json, form, files or None))  # fmt: skip
            optional = {
                p.alias for p in route.dependant.query_params if not p.field_info.is_required()
            }
            if owned and query_owned and query_owned <= optional:
                # Also with the path's ids alone: a 404 for A's diary in the query must not
                # hide what the route does with A's entry in the path.
                alone = {n: v for n, v in query.items() if n not in query_owned}
                calls.append(Call(f"{label} (path ids alone)", method, url, alone, True,
                                  body_ids, body_json, form, files or None))  # fmt: skip
    return calls, unknown, lists


def _about(r: httpx.Response) -> set[str]:
    """The fields a 422 names (API: the detail's locations; pages: ``data-field``)."""
    if r.headers.get("content-type", "").startswith("application/json"):
        return {str(e.get("loc", [""])[-1]) for e in r.json().get("detail", [])}
    return set(re.findall(r'data-field="([^"]+)"', r.text))


def _gist(r: httpx.Response) -> str:
    text = re.sub(r"<[^>]+>|\s+", " ", r.text)
    found = re.search(r"class=\"error\"[^>]*>(.*?)</(?:div|p)", r.text, re.S)
    gist = re.sub(r"<[^>]+>|\s+", " ", found.group(1)) if found else text
    return gist.strip()[:160]


def check_isolation(
    app: FastAPI, b: TestClient, b_csrf: dict[str, str], a: Records, a_name: str = "ada"
) -> list[str]:
    """What B got that it should not have (empty: isolated)."""
    calls, unknown, lists = plan_calls(app, a)
    problems = [f"cannot fill the id of {u}" for u in unknown]
    before = snapshot(app, a_name)
    for path in lists:  # first, while all of A's records are there
        r = b.get(path, follow_redirects=False)
        if MARK in r.text:
            problems.append(f"GET {path}: B's list shows A's data")
    order = {"GET": 0, "DELETE": 2}  # reads, then writes, then deletes
    for call in sorted(calls, key=lambda c: order.get(c.method, 1)):
        kwargs: dict[str, Any] = {"params": call.query, "headers": b_csrf}
        if call.json is not None:
            kwargs["json"] = call.json
        if call.form is not None:
            kwargs["data"] = {**call.form, "csrf_token": b_csrf["X-CSRF-Token"]}
        if call.files:
            kwargs["files"] = call.files
        r = b.request(call.method, call.url, follow_redirects=False, **kwargs)
        if MARK in r.text:
            problems.append(f"{call.route}: B saw A's data ({r.status_code})")
        elif r.status_code == 404:
            continue
        elif r.status_code == 422 and not call.in_path and _about(r) & call.id_fields:
            continue  # refused for naming A's record in the query or body: no leak
        elif r.status_code in {400, 422}:
            problems.append(
                f"{call.route}: {r.status_code}, not 404 ({_gist(r)}); if the body is what "
                "was refused, add a valid one to EXAMPLE_BODIES"
            )
        else:
            problems.append(f"{call.route}: B got {r.status_code}, not 404")
    if snapshot(app, a_name) != before:
        problems.append("A's records changed after B's calls")
    return problems


def test_user_b_cannot_reach_user_a_records(accounts: Accounts, multi_app: FastAPI) -> None:
    accounts("ada")
    b, b_csrf = accounts("bob")
    records = seed(multi_app, "ada")
    problems = check_isolation(multi_app, b, b_csrf, records)
    assert problems == [], "\n".join(problems)
    calls, _, lists = plan_calls(multi_app, records)
    print(f"isolation: {len(calls)} calls with A's ids, {len(lists)} lists read by B")


# ---- The harness itself catches what it should (probe routes added to a test app) ----


class NoteIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    diary_id: int
    text: str = Field(min_length=3)


def _probe_router(*, leaky: bool) -> APIRouter:
    router = APIRouter(prefix="/api/v1/probe")

    @router.get("/diaries/{diary_id}")
    def read(diary_id: int, user: CurrentUser, s: DbSession) -> dict[str, str]:
        diary = s.get(Diary, diary_id)
        if diary is None or (not leaky and diary.owner_id != user.id):
            raise NotFoundError("No such diary.")
        return {"name": diary.name}

    @router.delete("/diaries/{id}", status_code=204)
    def remove(id: int, user: CurrentUser, s: DbSession) -> None:
        diary = s.get(Diary, id)
        if diary is None or (not leaky and diary.owner_id != user.id):
            raise NotFoundError("No such diary.")
        s.delete(diary)

    @router.post("/notes", status_code=201)
    def add_note(body: NoteIn, user: CurrentUser, s: DbSession) -> dict[str, int]:
        diary = s.get(Diary, body.diary_id)
        if diary is None or (not leaky and diary.owner_id != user.id):
            raise NotFoundError("No such diary.", field="diary_id")
        diary.days.append(DiaryDay(date=dt.date(2030, 1, 1), note=body.text[:5]))
        return {"diary_id": diary.id}

    @router.get("/list")
    def listing(user: CurrentUser, s: DbSession) -> list[str]:
        query = select(Diary.name)
        return list(s.scalars(query if leaky else query.where(Diary.owner_id == user.id)))

    return router


SQLITE_ONLY = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)


@SQLITE_ONLY  # the harness's own logic does not depend on the store
@pytest.mark.parametrize("leaky", [False, True])
def test_harness_catches_a_leaky_route(accounts: Accounts, multi_app: FastAPI, leaky: bool) -> None:
    multi_app.include_router(_probe_router(leaky=leaky))
    multi_app.openapi_schema = None
    accounts("ada")
    b, b_csrf = accounts("bob")
    problems = check_isolation(multi_app, b, b_csrf, seed(multi_app, "ada"))
    if not leaky:
        assert problems == []
    else:
        assert "GET /api/v1/probe/diaries/{diary_id}: B saw A's data (200)" in problems
        assert "DELETE /api/v1/probe/diaries/{id}: B got 204, not 404" in problems
        assert "GET /api/v1/probe/list: B's list shows A's data" in problems
        assert "POST /api/v1/probe/notes: B got 201, not 404" in problems
        assert "A's records changed after B's calls" in problems


@SQLITE_ONLY
def test_harness_lists_a_route_it_cannot_fill(multi_app: FastAPI, accounts: Accounts) -> None:

    @multi_app.get("/api/v1/gadgets/{gadget_ref}")
    def gadget(gadget_ref: int, user: CurrentUser) -> dict[str, int]:
        return {"ref": gadget_ref}

    multi_app.openapi_schema = None
    accounts("ada")
    b, b_csrf = accounts("bob")
    problems = check_isolation(multi_app, b, b_csrf, seed(multi_app, "ada"))
    assert problems == ["cannot fill the id of ['GET'] /api/v1/gadgets/{gadget_ref}: gadget_ref"]

"""The web app: :func:`create_app` builds everything from :class:`Settings`; nothing happens
at import.

Example
-------
>>> import tempfile, pathlib
>>> from fastapi.testclient import TestClient
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> app = create_app(Settings(database_url=f"sqlite:///{folder / 'k2lab.sqlite3'}"))
>>> TestClient(app).get("/api/v1/health").json()["status"]
'ok'
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from k2lab import __version__
from k2lab.foods.database import FoodDatabase
from k2lab.store import open_store
from k2lab.web import (
    auth,
    diary,
    diary_io,
    foods_api,
    home,
    inr,
    outlook,
    plan,
    recipes,
    report,
    runs,
    simulations,
    trial_power,
    trials,
)
from k2lab.web import foods as food_routes
from k2lab.web.csrf import verify_csrf
from k2lab.web.errors import install_error_handlers
from k2lab.web.examples import load_examples
from k2lab.web.guard import Guard
from k2lab.web.limits import BodyLimit
from k2lab.web.settings import Settings
from k2lab.web.state import STATIC_DIR, AppState, make_templates, plotly_js

__all__ = ["Settings", "create_app"]


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app for ``settings`` (default: :meth:`Settings.from_env`): opens the food database
    and the store (migrating it), and mounts the pages, the API and the static files."""
    settings = settings or Settings.from_env()
    foods = FoodDatabase.open(settings.food_db)
    store = open_store(settings.database_url)
    state = AppState(settings=settings, foods=foods, store=store, templates=make_templates())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for start in state.extras.get("on_startup", []):
            start()
        yield
        for stop in state.extras.get("on_shutdown", []):
            stop()

    app = FastAPI(
        title="k2lab",
        version=__version__,
        summary="Vitamin K by form, intake, plans and physiology, with sources.",
        description="Every number carries its source; k2lab informs, it does not diagnose "
        "or prescribe. Errors are 422 with the field and the reason.",
        lifespan=lifespan,
        # FastAPI's explorer loads Swagger UI from a CDN with an inline script, which the
        # CSP (and the no-CDN rule) forbid: the reference is the site's generated REST API
        # page, and the document itself is served.
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.k2 = state
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_bundle() -> FileResponse:
        """Plotly's browser bundle, from the plotly package (no CDN)."""
        return FileResponse(plotly_js(), media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})  # fmt: skip

    if settings.load_examples:
        state.extras.setdefault("on_startup", []).append(lambda: load_examples(store, foods))
    runs.install_pool(state)

    # Each module has page routes (CSRF-checked), API routes, or both. The order matters:
    # diary_io before diary, as /diary/import and /diary/export are not dates of /diary/{date};
    # trial_power before trials, as /trials/power is not the trial /trials/{run_id}.
    page_deps = [Depends(verify_csrf)]
    for module in (home, food_routes, foods_api, plan, report, inr, diary_io, diary, recipes,
                   simulations, outlook, trial_power, trials, auth):  # fmt: skip
        if (pages := getattr(module, "pages", None)) is not None:
            app.include_router(pages, dependencies=page_deps)
        if (api := getattr(module, "api", None)) is not None:
            app.include_router(api)

    # Inside the header guard, so a refused body still gets the security headers.
    app.add_middleware(BodyLimit, max_bytes=settings.max_upload_bytes)

    app.add_middleware(
        Guard, one_writer=store.dialect == "sqlite", secure_cookies=settings.secure_cookies
    )

    return app

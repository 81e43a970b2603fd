"""``k2lab serve``: the web app on 127.0.0.1:8000 (uvicorn, one process).

The app itself is :mod:`k2lab.web` (imported on use, so ``k2lab --help`` stays fast).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from k2lab.commands._common import err, friendly

__all__ = ["register"]


def register(app: typer.Typer, *, db_path: object) -> None:
    """Add ``serve`` to ``app``; ``db_path()`` is the global ``--db`` option."""

    @app.command("serve")
    @friendly
    def serve_cmd(
        host: Annotated[
            str, typer.Option(help="Address to bind (beyond localhost: accounts).")
        ] = "127.0.0.1",
        port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8000,
        database_url: Annotated[
            str | None,
            typer.Option(
                help="Store URL (default: SQLite in the user data folder; env K2LAB_DATABASE_URL)."
            ),
        ] = None,
        multi_user: Annotated[
            bool | None, typer.Option("--multi-user/--single-user", help="Require accounts.")
        ] = None,
        load_examples: Annotated[
            bool,
            typer.Option("--load-examples", help="Load the example diaries into an empty store."),
        ] = False,
        workers: Annotated[
            int, typer.Option(min=1, max=64, help="Processes that run simulations.")
        ] = 1,
    ) -> None:
        """Serve the web app and the REST API (/api/v1; its OpenAPI at /api/v1/openapi.json)."""
        import uvicorn

        from k2lab.web import Settings, create_app

        food_db = db_path() if callable(db_path) else None
        settings = Settings.from_env(
            database_url=database_url,
            food_db=food_db if isinstance(food_db, Path) else None,
            host=host,
            port=port,
            multi_user=multi_user,
            load_examples=load_examples or None,
            simulation_workers=workers,
        )
        web_app = create_app(settings)
        mode = "multi-user" if settings.multi_user_mode else "single-user (no login)"
        err.print(f"k2lab is serving on http://{host}:{port}/ ({mode}); stop with Ctrl+C.")
        uvicorn.run(web_app, host=host, port=port, log_level="warning", access_log=False)

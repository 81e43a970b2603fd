"""Alembic environment: runs on the connection :func:`k2lab.store.database.open_store` passes
(``config.attributes["connection"]``), or on ``sqlalchemy.url`` for the alembic CLI."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, engine_from_config, pool

from k2lab.store.schema import Base

config = context.config
connection = config.attributes.get("connection")


def _run(con: Connection) -> None:
    context.configure(
        connection=con,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:
    engine = engine_from_config(
        config.get_section(config.config_ini_section) or {}, poolclass=pool.NullPool
    )
    with engine.connect() as con:
        _run(con)

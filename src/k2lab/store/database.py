"""Opening the store: SQLite in the user data directory by default, PostgreSQL when
``K2LAB_DATABASE_URL`` (or ``url``) points to one; migrations run on open.

SQLite runs in WAL mode with foreign keys on and ``synchronous=NORMAL``: a committed write
survives the process being killed (the WAL is on disk before ``COMMIT`` returns).

Example
-------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> store = open_store(f"sqlite:///{folder / 'k2lab.sqlite3'}")
>>> with store.session() as s:
...     store.local_user(s).username
'local'
>>> store.close()
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from k2lab.errors import StoreError
from k2lab.store.schema import User

__all__ = ["LOCAL_USER", "Store", "default_store_url", "open_store"]

#: The one user of single-user (local) mode.
LOCAL_USER = "local"
_MIGRATIONS = Path(__file__).with_name("migrations")
#: Connections kept (and as many more at peaks). A request's session holds its connection
#: across the worker-thread hops of one request, so the pool must outnumber the server's
#: 40 worker threads: with fewer, threads waiting for a connection starve the requests that
#: hold one (50 concurrent writers stalled for the pool's 30 s timeout at 15 connections).
_POOL = 48
#: Tables that mark a database as k2lab's own (a file without them is not written to).
_OUR_TABLES = {"alembic_version", "users", "diaries"}


def default_store_url() -> str:
    """``$K2LAB_DATABASE_URL``, else SQLite in the user data directory
    (``$XDG_DATA_HOME/k2lab/k2lab.sqlite3``, by default ``~/.local/share/k2lab``)."""
    if env := os.environ.get("K2LAB_DATABASE_URL"):
        return env
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return f"sqlite:///{base / 'k2lab' / 'k2lab.sqlite3'}"


def _check_sqlite_file(path: Path) -> None:
    """Refuse a path that is not a new file or a k2lab store (a device, a folder, another
    program's database): migrations would write into it."""
    if not path.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"Cannot create the folder for the store at '{path.parent}': {exc.strerror}. "
                "Set K2LAB_DATABASE_URL to a writable place."
            ) from exc
        return
    if not path.is_file():
        raise StoreError(f"'{path}' is not a regular file; give the path of a k2lab store.")
    if path.stat().st_size == 0:
        return
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise StoreError(
            f"'{path}' is not an SQLite database ({exc}); k2lab will not write to it. "
            "Choose another path."
        ) from exc
    if names and not _OUR_TABLES <= names:
        raise StoreError(
            f"'{path}' is another program's database (tables: {', '.join(sorted(names)[:5])}); "
            "k2lab will not write to it. Choose another path."
        )


def _sqlite_pragmas(dbapi_con: Any, _record: Any) -> None:
    cur = dbapi_con.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


class Store:
    """An open store: an engine, sessions, and the local user."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits when the block ends without an error, else rolls back."""
        with self._sessions() as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    def local_user(self, s: Session) -> User:
        """The single-user mode's user, created on first use."""
        query = select(User).where(User.username == LOCAL_USER)
        user = s.scalars(query).first()
        if user is None:
            # Created and committed on its own, so the request holds no write lock meanwhile;
            # a concurrent first request may create it too.
            try:
                with self.session() as own:
                    own.add(User(username=LOCAL_USER))
            except IntegrityError:
                pass
            user = s.scalars(query).one()
        return user

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()


def _migrate(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as con:
        cfg.attributes["connection"] = con
        command.upgrade(cfg, "head")


def open_store(url: str | None = None, *, migrate: bool = True) -> Store:
    """Open (and migrate) the store at ``url`` (default: :func:`default_store_url`).

    Raises
    ------
    StoreError
        The URL is malformed, names a file that is not a k2lab store, or the server cannot
        be reached; the message says what to change.
    """
    url = url or default_store_url()
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(
            f"'{url}' is not a database URL. Use sqlite:///PATH or "
            "postgresql+psycopg://USER@HOST:PORT/DB.",
            field="database_url",
        ) from exc
    backend = parsed.get_backend_name()
    if backend not in {"sqlite", "postgresql"}:
        raise StoreError(
            f"k2lab stores data in SQLite or PostgreSQL, not '{backend}'.", field="database_url"
        )
    kwargs: dict[str, Any] = {}
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise StoreError("Give the SQLite store a file: sqlite:///PATH.", field="database_url")
        _check_sqlite_file(Path(parsed.database))
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
        kwargs.update(pool_size=_POOL, max_overflow=_POOL)
    else:
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        kwargs.update(pool_pre_ping=True, pool_size=_POOL, max_overflow=_POOL)
    try:
        engine = create_engine(parsed, **kwargs)
    except (ArgumentError, ImportError) as exc:
        raise StoreError(f"Cannot use '{url}': {exc}", field="database_url") from exc
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        if migrate:
            _migrate(engine)
        elif "users" not in inspect(engine).get_table_names():
            raise StoreError(f"The store at '{url}' has no tables; open it with migrate=True.")
    except OperationalError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StoreError(
            f"Cannot open the store at '{parsed.render_as_string(hide_password=True)}': "
            f"{reason}. Check that the server runs and the URL is right.",
            field="database_url",
        ) from exc
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(f"Cannot prepare the store: {exc}") from exc
    return Store(engine)

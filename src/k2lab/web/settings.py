"""Settings of the web app, from arguments or ``K2LAB_*`` environment variables.

Example
-------
>>> Settings().multi_user_mode
False
>>> Settings(host="0.0.0.0").multi_user_mode   # beyond localhost: accounts are required
True
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from k2lab.errors import K2LabError

__all__ = ["LOOPBACK", "Settings"]

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True, kw_only=True)
class Settings:
    """How the app runs. ``None`` means the default (the store's default URL, the cached
    food database, multi-user mode exactly when binding beyond localhost)."""

    database_url: str | None = None
    food_db: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    multi_user: bool | None = None
    #: Mark session cookies ``Secure`` (set when served over TLS, e.g. behind a proxy).
    secure_cookies: bool = False
    #: Processes that run simulations (each takes one core while it runs).
    simulation_workers: int = 1
    #: Simulations that may wait; one more is refused with 503 and a retry hint.
    simulation_queue: int = 16
    #: Seconds one simulation may run before it is stopped and marked failed.
    simulation_time_limit_s: float = 120.0
    #: Largest request body or upload (bytes).
    max_upload_bytes: int = 5_000_000
    #: Load the example diaries into an empty store (``make run``).
    load_examples: bool = False

    @property
    def multi_user_mode(self) -> bool:
        """Whether accounts and logins are required."""
        if self.multi_user is not None:
            return self.multi_user
        return self.host not in LOOPBACK

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from ``K2LAB_DATABASE_URL``, ``K2LAB_FOOD_DB``, ``K2LAB_MULTI_USER``,
        ``K2LAB_SECURE_COOKIES`` and ``K2LAB_SIMULATION_WORKERS``; ``overrides`` win."""
        env = os.environ
        values: dict[str, object] = {}
        if url := env.get("K2LAB_DATABASE_URL"):
            values["database_url"] = url
        if path := env.get("K2LAB_FOOD_DB"):
            values["food_db"] = Path(path)
        for name, key in (
            ("multi_user", "K2LAB_MULTI_USER"),
            ("secure_cookies", "K2LAB_SECURE_COOKIES"),
        ):
            if key in env:
                values[name] = _flag(key, env[key])
        if "K2LAB_SIMULATION_WORKERS" in env:
            try:
                values["simulation_workers"] = int(env["K2LAB_SIMULATION_WORKERS"])
            except ValueError as exc:
                raise K2LabError(
                    "K2LAB_SIMULATION_WORKERS must be a whole number, e.g. 2.",
                    field="simulation_workers",
                ) from exc
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]


def _flag(key: str, text: str) -> bool:
    low = text.strip().lower()
    if low in {"1", "true", "yes", "on"}:
        return True
    if low in {"0", "false", "no", "off", ""}:
        return False
    raise K2LabError(f"{key} must be true or false, not '{text}'.", field=key)

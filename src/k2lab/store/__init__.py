"""The user-data store: accounts, diaries, recipes, scenarios and simulation results.

SQLAlchemy 2 with Alembic migrations; SQLite by default, PostgreSQL when configured.
"""

from k2lab.store.database import LOCAL_USER, Store, default_store_url, open_store
from k2lab.store.schema import (
    AuthSession,
    Base,
    Diary,
    DiaryDay,
    Entry,
    Recipe,
    RecipeItem,
    SavedScenario,
    SimulationRun,
    User,
)

__all__ = [
    "LOCAL_USER",
    "AuthSession",
    "Base",
    "Diary",
    "DiaryDay",
    "Entry",
    "Recipe",
    "RecipeItem",
    "SavedScenario",
    "SimulationRun",
    "Store",
    "User",
    "default_store_url",
    "open_store",
]

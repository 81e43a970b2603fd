"""The tables of the user-data store: users, diaries, days, entries, recipes, scenarios, runs.

Every record a user makes hangs off an owner (``owner_id`` on the roots, through the root for
the rest), so each query can be scoped to one user. Records two clients may edit at once
(diaries, days, recipes) carry a ``version`` that SQLAlchemy bumps on every update and checks
on write (optimistic locking); the web layer shows it as the ``ETag``.

Amounts are stored as the user typed them (``"1 tbsp"``) next to the grams they resolved to
when written, so a report can be recomputed and an export shows what the user entered.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import Date as SqlDate
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "AuthSession",
    "Base",
    "Diary",
    "DiaryDay",
    "Entry",
    "Recipe",
    "RecipeItem",
    "SavedScenario",
    "SimulationRun",
    "User",
    "utcnow",
]


def utcnow() -> dt.datetime:
    """Now, in UTC (timezone-aware)."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base of the store's tables."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class User(Base):
    """An account; in single-user mode the one user is ``local`` and has no password."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuthSession(Base):
    """A login session: only the SHA-256 of the cookie's token is stored."""

    __tablename__ = "auth_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Diary(Base):
    """A person's food diary: who they are (``person``: the fields of
    :class:`k2lab.person.Person` they gave), their K2 target and medications, and days."""

    __tablename__ = "diaries"
    __table_args__ = (UniqueConstraint("owner_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    person: Mapped[dict[str, Any]] = mapped_column(default=dict)
    target: Mapped[str] = mapped_column(String(80), default="90 ug K2")
    medications: Mapped[list[Any]] = mapped_column(default=list)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    days: Mapped[list[DiaryDay]] = relationship(
        back_populates="diary", cascade="all, delete-orphan", order_by="DiaryDay.date"
    )
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it)


class DiaryDay(Base):
    """One calendar day of a diary; its ``version`` changes with any of its entries."""

    __tablename__ = "diary_days"
    __table_args__ = (UniqueConstraint("diary_id", "date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    diary_id: Mapped[int] = mapped_column(ForeignKey("diaries.id", ondelete="CASCADE"), index=True)
    date: Mapped[dt.date] = mapped_column(SqlDate)
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    diary: Mapped[Diary] = relationship(back_populates="days")
    entries: Mapped[list[Entry]] = relationship(
        back_populates="day", cascade="all, delete-orphan", order_by="Entry.position"
    )
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it)


class Entry(Base):
    """One line of a day: a food (``food_key``, ``amount``, ``grams``), a recipe
    (``recipe_id``, ``amount`` in servings) or a supplement (``text`` in the regimen grammar)."""

    __tablename__ = "entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("diary_days.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    meal: Mapped[str] = mapped_column(String(20), default="")
    kind: Mapped[str] = mapped_column(String(20))
    food_key: Mapped[str | None] = mapped_column(String(200), default=None)
    recipe_id: Mapped[int | None] = mapped_column(
        ForeignKey("recipes.id", ondelete="RESTRICT"), default=None, index=True
    )
    amount: Mapped[str] = mapped_column(String(120), default="")
    grams: Mapped[float | None] = mapped_column(Float, default=None)
    text: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    day: Mapped[DiaryDay] = relationship(back_populates="entries")


class Recipe(Base):
    """A dish made of foods, saved once and added to days by the serving."""

    __tablename__ = "recipes"
    __table_args__ = (UniqueConstraint("owner_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    servings: Mapped[float] = mapped_column(Float, default=1.0)
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    items: Mapped[list[RecipeItem]] = relationship(
        back_populates="recipe", cascade="all, delete-orphan", order_by="RecipeItem.position"
    )
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it)


class RecipeItem(Base):
    """One food of a recipe, for the whole recipe (all its servings)."""

    __tablename__ = "recipe_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    recipe_id: Mapped[int] = mapped_column(ForeignKey("recipes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    food_key: Mapped[str] = mapped_column(String(200))
    amount: Mapped[str] = mapped_column(String(120))
    grams: Mapped[float] = mapped_column(Float)
    recipe: Mapped[Recipe] = relationship(back_populates="items")


class SavedScenario(Base):
    """A scenario a user saved (``spec``: :meth:`k2lab.scenario.Scenario.to_dict`)."""

    __tablename__ = "scenarios"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    diary_id: Mapped[int | None] = mapped_column(
        ForeignKey("diaries.id", ondelete="SET NULL"), default=None
    )
    name: Mapped[str] = mapped_column(String(120))
    spec: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SimulationRun(Base):
    """A submitted simulation: ``key`` is the hash of its canonical request, so the same
    scenario is computed once and reused. ``kind`` is ``simulation`` (``result`` follows
    the trajectory schema) or ``trial`` (a virtual trial: ``TrialResult.to_dict``)."""

    __tablename__ = "simulation_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(
        String(16), default="simulation", server_default="simulation", index=True
    )
    status: Mapped[str] = mapped_column(String(20), default="queued")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    request: Mapped[dict[str, Any]] = mapped_column(default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)

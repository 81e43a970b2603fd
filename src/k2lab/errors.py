"""Exceptions of k2lab.

Every error derives from :class:`K2LabError`. Subclasses also derive from the
matching builtin (``KeyError``, ``ValueError``) so callers may catch either. The
message always says what to do; only the CLI turns errors into exit codes and only
the web layer into HTTP status codes.
"""

from __future__ import annotations

from collections.abc import Sequence


class K2LabError(Exception):
    """Root of all k2lab errors. ``str(err)`` is a message for a person; ``field`` names the
    input it is about, when there is one (the web layer's 422 points to it)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[type[K2LabError], tuple[str], dict[str, object]]:
        # Keep errors picklable (with their class) so they survive a trip to a worker.
        return (type(self), (self.message,), {"field": self.field})


class UnknownFoodError(K2LabError, KeyError):
    """A food name matched nothing; ``suggestions`` holds the closest names."""

    def __init__(self, query: str, suggestions: Sequence[str] = ()) -> None:
        self.query = query
        self.suggestions = list(suggestions)
        hint = (
            "Closest matches: " + "; ".join(f"'{s}'" for s in self.suggestions) + "."
            if self.suggestions
            else "Try `k2lab foods search TEXT` to find a food."
        )
        super().__init__(f"Unknown food '{query}'. {hint}")

    def __reduce__(  # type: ignore[override]
        self,
    ) -> tuple[type[UnknownFoodError], tuple[str, list[str]], dict[str, object]]:
        return (type(self), (self.query, self.suggestions), {"field": self.field})


class AmountError(K2LabError, ValueError):
    """An amount that cannot be used: unparseable, negative, zero, NaN or absurd."""


class UnitError(K2LabError, ValueError):
    """A unit that is unknown or does not fit the quantity (mass for a food, etc.)."""


class DietFileError(K2LabError, ValueError):
    """A diet or diary file that cannot be read; the message names line and field."""


class DataError(K2LabError, ValueError):
    """Shipped or imported data that violates the schema (a bug or a bad import file)."""


class RegimenError(K2LabError, ValueError):
    """A supplement regimen, dose, population or medication that cannot be simulated."""


class ModelFileError(K2LabError, ValueError):
    """An SBML model file that k2lab cannot read or does not support; the message says why."""


class ScenarioError(K2LabError, ValueError):
    """A simulation scenario with a bad field (negative intake, wrong array shape...)."""


class SolverError(K2LabError, RuntimeError):
    """The ODE solver could not reach the end time; the message says what to change."""


class MissingDependencyError(K2LabError, ImportError):
    """An optional package is needed; the message names the install command."""


class IntakeWarning(UserWarning):
    """An intake above a tolerable upper level: the result is computed, but the intake is
    outside the range considered safe (the message names the limit and its source)."""


class StoreError(K2LabError, RuntimeError):
    """The user-data store cannot be opened or used (bad URL, foreign file, unreachable server)."""


class NotFoundError(K2LabError, LookupError):
    """A stored record (diary, day, entry, recipe, simulation) that does not exist for this user."""


class ConflictError(K2LabError, RuntimeError):
    """A write based on an outdated version of a record (another client changed it first)."""

    def __init__(self, message: str, *, current_version: int | None = None) -> None:
        super().__init__(message)
        self.current_version = current_version

"""``k2lab validate``: the physiology's calibration and validation on the command line.

Call :func:`register` with the main typer app to add the command. Errors from the core
(:class:`~k2lab.errors.K2LabError`) become a message on stderr and exit code 2.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from k2lab.commands._common import friendly
from k2lab.errors import K2LabError
from k2lab.foods.database import FoodDatabase

__all__ = ["register"]


def register(app: typer.Typer, db_factory: Callable[[], FoodDatabase] = FoodDatabase.open) -> None:
    """Add the ``validate`` command to ``app`` (``db_factory`` is not used by it)."""

    @app.command()
    @friendly
    def validate(
        output: Annotated[
            Path | None, typer.Option(help="Also write the Markdown report to this file.")
        ] = None,
        write_params: Annotated[
            Path | None,
            typer.Option(help="Refit the calibration and write calibrated_params.csv here."),
        ] = None,
    ) -> None:
        """Print calibration and validation errors per endpoint (docs/validation.md)."""
        from k2lab.physiology.calibration import calibrate, calibrated_params_csv
        from k2lab.physiology.validation import validation_report

        try:
            if write_params is not None:
                write_params.write_text(calibrated_params_csv(calibrate()), encoding="utf-8")
            report = validation_report()
            if output is not None:
                output.write_text(report, encoding="utf-8")
        except OSError as exc:
            raise K2LabError(f"Cannot write the file: {exc.strerror}.") from None
        typer.echo(report, nl=False)

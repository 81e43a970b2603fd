"""``k2lab validate``: both layers against the trials table (``docs/validation.md``).

Call :func:`register` with the main typer app to add the command. Errors from the core
(:class:`~k2lab.errors.K2LabError`) become a message on stderr and exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from k2lab.commands._common import JsonOpt, err, friendly, print_json
from k2lab.errors import K2LabError

__all__ = ["register"]


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise K2LabError(f"Cannot write '{path}': {exc.strerror}.") from None


def register(app: typer.Typer) -> None:
    """Add the ``validate`` command to ``app``."""

    @app.command()
    @friendly
    def validate(
        output: Annotated[
            Path | None, typer.Option(help="Also write the Markdown report to this file.")
        ] = None,
        write_params: Annotated[
            Path | None,
            typer.Option(
                help="Refit both layers and write the physiology's calibrated_params.csv here."
            ),
        ] = None,
        write_posterior: Annotated[
            Path | None,
            typer.Option(
                help="Sample the physiology's posterior (emcee, minutes) and write "
                "posterior_draws.csv here."
            ),
        ] = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Calibration and validation errors of both layers, per endpoint and arm."""
        from k2lab.validation import (
            calibrate,
            calibrated_params_csv,
            shipped_parameters,
            validation_json,
            validation_markdown,
        )
        from k2lab.validation import validate as run_validation

        if write_params is not None:
            result = calibrate()
            _write(write_params, calibrated_params_csv(result))
            shipped = {p.key: p.value for p in shipped_parameters()}
            for key, value in result.values("calcium").items():
                err.print(
                    f"calcium_params.csv {key[0]} {key[1]}: fitted {value:.4g} "
                    f"(shipped {shipped[key]:.4g})"
                )
        if write_posterior is not None:
            from k2lab.validation.posterior import posterior_csv, run_posterior

            _write(write_posterior, posterior_csv(run_posterior()))
        v = run_validation()
        report = validation_markdown(v)
        if output is not None:
            _write(output, report)
        if as_json:
            print_json(validation_json(v))
        else:
            typer.echo(report, nl=False)

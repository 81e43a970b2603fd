"""Command-line interface (typer). Placeholder until the commands land."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="k2lab: vitamin K by form, intake and physiology.")


def main() -> None:
    """Entry point of the ``k2lab`` script."""
    app()

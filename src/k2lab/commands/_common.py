"""What every command shares: the consoles, JSON printing and the exit-code-2 wrapper."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from k2lab.errors import K2LabError

out = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)

P = ParamSpec("P")
R = TypeVar("R")
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (units in field names).")]


def friendly(func: Callable[P, R]) -> Callable[P, R]:
    """Turn K2LabError into a message on stderr and exit code 2; never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except K2LabError as exc:
            err.print(f"[bold red]error:[/] {escape(str(exc))}")
            raise typer.Exit(2) from None

    return wrapper


def pyplot() -> Any:
    """matplotlib.pyplot on the file-only Agg backend, or a clear error without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise K2LabError("Plotting needs matplotlib: pip install matplotlib") from exc
    return plt


#: File types a plot may be written as (by the file name's suffix).
PLOT_SUFFIXES = (".png", ".svg", ".pdf")


def check_plot_path(path: Path | None) -> None:
    """Refuse, before any work, a plot path that is a folder or has no image suffix."""
    if path is None:
        return
    if path.is_dir():
        raise K2LabError(
            f"--plot '{path}' is a folder; give a file name such as {path / 'plot.png'}.",
            field="plot",
        )
    if path.suffix.lower() not in PLOT_SUFFIXES:
        raise K2LabError(
            f"--plot '{path}': a plot is written as {', '.join(PLOT_SUFFIXES)}; "
            f"e.g. {path.with_suffix('.png')}.",
            field="plot",
        )
    if not path.parent.is_dir():
        raise K2LabError(f"--plot '{path}': the folder {path.parent} does not exist.", field="plot")


def save_figure(fig: Any, path: Path, dpi: int) -> None:
    """Write ``fig`` to ``path`` (an unwritable path is a K2LabError) and close it."""
    check_plot_path(path)
    try:
        fig.savefig(path, dpi=dpi)
    except OSError as exc:
        raise K2LabError(f"Cannot write the plot to '{path}': {exc.strerror}.") from exc
    finally:
        pyplot().close(fig)


def print_json(data: Any) -> None:
    """Write ``data`` as JSON to stdout (NaN refused: it is not JSON)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n")

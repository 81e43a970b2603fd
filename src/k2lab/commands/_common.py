"""What every command shares: the app class (help that reads well), the consoles, JSON
printing and the exit-code-2 wrapper."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperCommand, TyperGroup

from k2lab.errors import K2LabError

out = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)

P = ParamSpec("P")
R = TypeVar("R")
F = TypeVar("F", bound=Callable[..., Any])


def plain_metavars(params: Iterable[Any]) -> None:
    """Show a flag as a plain flag (``--json``, not ``--json <bool>``) and a value option
    with a name for its value (``--years YEARS``, ``--db PATH``); typer's default shows the
    Python type of every option. An explicit ``metavar`` is kept."""
    for p in params:
        if p.param_type_name != "option" or p.metavar is not None:
            continue
        if p.is_flag or p.count:
            p.metavar = ""
        else:
            is_path = getattr(getattr(p, "type_descriptor", None), "is_path", False)
            longest = max(p.opts, key=len).lstrip("-")
            p.metavar = "PATH" if is_path else longest.upper().replace("-", "_")


class Command(TyperCommand):
    """A command whose help shows :func:`plain_metavars`."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        plain_metavars(self.get_params(ctx))
        super().format_help(ctx, formatter)


class Group(TyperGroup):
    """A command group whose help shows :func:`plain_metavars`."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        plain_metavars(self.get_params(ctx))
        super().format_help(ctx, formatter)


class App(typer.Typer):
    """``typer.Typer`` whose groups and commands are :class:`Group` and :class:`Command`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cls=Group, **kwargs)

    def command(self, name: str | None = None, **kwargs: Any) -> Callable[[F], F]:
        kwargs.setdefault("cls", Command)
        return super().command(name, **kwargs)


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

"""``k2lab model export``: the composed calcium model as an SBML file.

Call :func:`register` with the main typer app to add the ``model`` command group. Errors
(:class:`~k2lab.errors.K2LabError`) become a message on stderr and exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from k2lab.commands._common import App, JsonOpt, err, friendly, print_json
from k2lab.errors import K2LabError

__all__ = ["register", "write_sbml"]


def write_sbml(path: Path, *, force: bool = False) -> tuple[Path, tuple[str, ...]]:
    """Write :func:`~k2lab.calcium.export.composed_sbml` to ``path``.

    Returns the path written and the source keys of the model.

    Raises
    ------
    K2LabError
        If ``path`` exists (without ``force``), is a folder, or cannot be written.
    """
    if path.is_dir():
        raise K2LabError(f"'{path}' is a folder; give a file name such as {path / 'model.xml'}.")
    if path.exists() and not force:
        raise K2LabError(f"'{path}' exists; pass --force to overwrite it or choose another name.")
    if not path.parent.is_dir():
        raise K2LabError(f"The folder '{path.parent}' does not exist; create it first.")
    from k2lab.calcium.export import composed_sbml, export_sources

    text = composed_sbml()
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise K2LabError(f"Cannot write '{path}': {exc.strerror or exc}.") from exc
    return path, export_sources()


def register(app: typer.Typer) -> None:
    """Add the ``model`` command group (``k2lab model export``) to ``app``."""
    model_app = App(help="The calcium model itself: export it for other tools.")
    app.add_typer(model_app, name="model")

    @model_app.command("export")
    @friendly
    def export(
        sbml: Annotated[
            Path, typer.Option("--sbml", help="SBML file to write (Level 3 Version 1 core).")
        ],
        force: Annotated[bool, typer.Option(help="Overwrite the file if it exists.")] = False,
        as_json: JsonOpt = False,
    ) -> None:
        """Write the composed model: Peterson & Riggs core, vitamin D hook, slow-layer ODEs.

        SBML Level 3 Version 1 core, time in hours (k2lab's tests run it in libroadrunner).
        The bone trend and the vitamin K layer are not in it (see k2lab.calcium.export).
        """
        path, keys = write_sbml(sbml, force=force)
        if as_json:
            print_json({"path": str(path), "source_keys": list(keys)})
        else:
            err.print(f"Wrote {path} (sources: {', '.join(keys)}).")

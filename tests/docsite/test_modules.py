"""Doctests of k2lab.site, the CLI reference and the MkDocs citation hook."""

from __future__ import annotations

import doctest
import importlib
import logging
from types import SimpleNamespace

import pytest
import typer

from k2lab.cli import app
from k2lab.site import cli_reference
from k2lab.site.mkdocs_hook import on_page_markdown

MODULES = [
    "",
    ".blocks",
    ".citations",
    ".cli_reference",
    ".commands",
    ".formatting",
    ".persistence",
    ".topics",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    result = doctest.testmod(importlib.import_module(f"k2lab.site{name}"))
    assert result.attempted > 0 and result.failed == 0


def test_cli_reference_lists_every_command() -> None:
    page = cli_reference(typer.main.get_command(app))
    for command in ("cover", "foods search", "advise", "plan", "simulate", "validate", "db build"):
        assert f"`k2lab {command}`" in page, command
    assert "| `--target` | str | required |" in page


def _page(uri: str) -> SimpleNamespace:
    return SimpleNamespace(file=SimpleNamespace(src_uri=uri))


def test_hook_links_citations_and_warns_on_unknown_keys(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        out = on_page_markdown(
            "A [@kamao_2007; no_such_key].", page=_page("howto/x.md"), config=None, files=None
        )
    assert "[kamao_2007](../reference/sources.md#kamao_2007)" in out
    assert [r.getMessage() for r in caplog.records] == [
        "howto/x.md cites 'no_such_key', which is in no data/sources_*.csv"
    ]

"""The site tests load tools/update_site.py (the one regeneration command) and
tools/reliability.py (docs/reliability.md) as modules."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def load_tool(name: str) -> ModuleType:
    """``tools/NAME.py`` as a module."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def update_site() -> ModuleType:
    return load_tool("update_site")


@pytest.fixture(scope="session")
def reliability() -> ModuleType:
    """tools/reliability.py, which renders docs/reliability.md."""
    return load_tool("reliability")

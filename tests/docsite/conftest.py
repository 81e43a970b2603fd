"""The site tests load tools/update_site.py (the one regeneration command) as a module."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


@pytest.fixture(scope="session")
def update_site() -> ModuleType:
    spec = importlib.util.spec_from_file_location("update_site", ROOT / "tools" / "update_site.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

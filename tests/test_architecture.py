"""The package's shape: imports point down the chain, modules stay small, the root API is
sorted and complete."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import k2lab

SRC = Path(k2lab.__file__).resolve().parent
#: Rank of each top-level part: a module may import only parts of lower rank (or its own).
RANKS = {
    "errors": 0,
    "checks": 0.5,
    "numbers": 0.5,
    "units": 1,
    "vocab": 1,
    "data": 1,
    "citations": 1,
    "engine": 2,
    "person": 2,
    "regimen": 2,
    "foods": 3,
    "intake": 4,
    "physiology": 5,
    "plan": 5,
    "calcium": 6,
    "advice": 6,
    "scenario": 6,
    "applicability": 7,
    "trajectory": 7,
    "simulation": 8,
    "report": 9,
    "validation": 9,
    "population": 9,
    "store": 10,
    "site": 10,
    "commands": 12,
    "web": 11,
    "cli": 13,
}
#: Longest module without a stated reason in its docstring ("longer than ... because ...").
MAX_LINES = 400


def _part(path: Path) -> str:
    rel = path.relative_to(SRC).with_suffix("")
    return rel.parts[0]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            if node.module == "k2lab":
                names = [f"k2lab.{a.name}" for a in node.names if not a.name.startswith("__")]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        out |= {n.split(".")[1] for n in names if n.startswith("k2lab.")}
    return out


def modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if p.name != "__init__.py" or p.parent != SRC)


def test_every_part_has_a_rank() -> None:
    assert {_part(p) for p in modules()} <= set(RANKS)


def test_imports_only_point_down_the_chain() -> None:
    upward = []
    for path in modules():
        part = _part(path)
        for target in _imports(path):
            if target != part and RANKS[target] >= RANKS[part]:
                upward.append(f"{path.relative_to(SRC)} imports k2lab.{target}")
    assert not upward, "\n".join(upward)


def test_modules_are_small_or_say_why() -> None:
    long = []
    for path in modules():
        text = path.read_text(encoding="utf-8")
        n = text.count("\n")
        doc = ast.get_docstring(ast.parse(text)) or ""
        if n > MAX_LINES and not re.search(r"\blonger than\b[^.]{0,60}\bbecause\b", doc):
            long.append(f"{path.relative_to(SRC)}: {n} lines")
    assert not long, "\n".join(long)


def test_root_api_is_sorted_complete_and_resolves() -> None:
    assert k2lab.__all__ == sorted(k2lab.__all__)
    assert set(k2lab.__all__) == {*k2lab._EXPORTS, "__version__"}
    for name in k2lab.__all__:
        assert getattr(k2lab, name) is not None, name
    for name in ("Scenario", "Person", "simulate", "Trajectory", "advise", "plan_diet"):
        assert name in k2lab.__all__
    assert dir(k2lab) == k2lab.__all__

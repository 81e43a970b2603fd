"""Imports point down the chain: no cycle between k2lab's packages; advice never imports
report (report composes intake and advice)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "k2lab"


def _unit(module: str) -> str:
    return ".".join(module.split(".")[:2])


def _graph() -> dict[str, set[str]]:
    """Package -> packages it imports (imports inside functions count too)."""
    graph: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        module = ".".join(path.relative_to(SRC.parent).with_suffix("").parts)
        unit = _unit(module.removesuffix(".__init__"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                if name.startswith("k2lab.") and _unit(name) != unit:
                    graph.setdefault(unit, set()).add(_unit(name))
    return graph


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, ()))
    return False


def test_no_import_cycle_between_packages() -> None:
    graph = _graph()
    cycles = sorted((a, b) for a, deps in graph.items() for b in deps if _reaches(graph, b, a))
    assert not cycles, cycles


def test_advice_does_not_import_report_and_report_composes_advice() -> None:
    graph = _graph()
    assert not _reaches(graph, "k2lab.advice", "k2lab.report")
    assert {"k2lab.advice", "k2lab.intake"} <= graph["k2lab.report"]

"""The package's layers: no import cycle, no upward import (docs/architecture.md)."""

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

PKG = Path(__file__).resolve().parents[2] / "src" / "fragile_care"
# lower number = lower layer; a module may import its own layer and the ones below
LAYERS = {"paths": 0, "validation": 0, "lifetime": 0, "inputs": 1, "model": 2, "publish": 3, "sources": 3, "run": 4, "cli": 5, "devdocs": 5}


def _module(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every fragile_care module imported anywhere in the file (also inside functions)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("fragile_care"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if (PKG.parent / candidate.replace(".", "/")).with_suffix(".py").exists() else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("fragile_care"))
    return found


GRAPH = {_module(p): _imports(p) - {_module(p)} for p in PKG.rglob("*.py")}


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS.get(parts[1], 0) if len(parts) > 1 else 0


def test_no_upward_import():
    upward = [f"{m} -> {d}" for m, deps in GRAPH.items() for d in deps if d != "fragile_care" and _layer(d) > _layer(m)]
    assert upward == []


def test_no_import_cycle():
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for dep in GRAPH.get(node, ()):
            if state.get(dep) == 1:
                cycles.append(stack[stack.index(dep) :] + [dep] if dep in stack else [node, dep])
            elif dep in GRAPH and state.get(dep) is None:
                visit(dep, stack + [dep])
        state[node] = 2

    for module in GRAPH:
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_every_module_is_in_a_layer():
    assert {m.split(".")[1] for m in GRAPH if "." in m} <= set(LAYERS) | {"__init__"}


def test_graph_is_read_from_the_sources():
    """Guards the checks above against an empty graph."""
    assert "fragile_care.run.steps" in GRAPH["fragile_care.run.pipeline"]
    assert "fragile_care.inputs.io" in GRAPH["fragile_care.run.steps"]

"""The package's house rules, checked on its own source: imports point down the pipeline.

Every import in ``src/lahan_geo`` (at module top or inside a function) must go to a
module of the same floor or a lower one, and the import graph has no cycle. A new
module must be given its floor here, so where it belongs is a decision, not an accident.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "lahan_geo"

#: Floors from the bottom up; a module imports only from its own floor or below.
FLOORS: list[tuple[str, ...]] = [
    ("lahan_geo.errors", "lahan_geo.version", "lahan_geo.limits", "lahan_geo.vocab",
     "lahan_geo.datafiles",
     "lahan_geo.schema", "lahan_geo.offices", "lahan_geo.metric", "lahan_geo.accuracy",
     "lahan_geo.threads", "lahan_geo.result", "lahan_geo.statuses"),
    ("lahan_geo.io",),
    ("lahan_geo.intake",),
    ("lahan_geo.layers",),
    ("lahan_geo.overlay",),
    ("lahan_geo.rules",),
    ("lahan_geo.explain",),
    ("lahan_geo.pipeline",),
    ("lahan_geo.screening", "lahan_geo.engines"),
    ("lahan_geo.relocate", "lahan_geo.review", "lahan_geo.compare"),
    ("lahan_geo.outputs",),
    ("lahan_geo.cli", "lahan_geo"),
]


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(SRC).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Every lahan_geo module ``path`` imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "lahan_geo":
                continue
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in modules else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "lahan_geo")
    return found


def _floor(name: str) -> int:
    best = None
    for level, prefixes in enumerate(FLOORS):
        for prefix in prefixes:
            if name == prefix or (prefix != "lahan_geo" and name.startswith(prefix + ".")):
                if best is None or len(prefix) > best[1]:
                    best = (level, len(prefix))
    if best is None:
        pytest.fail(f"{name} has no floor in tests/test_architecture.py FLOORS: give it one.")
    return best[0]


GRAPH = {name: _imports(path, _modules()) - {name} for name, path in _modules().items()}


def test_every_import_points_down_or_across():
    upward = sorted(f"{a} (floor {_floor(a)}) -> {b} (floor {_floor(b)})"
                    for a, deps in GRAPH.items() for b in deps
                    if b != "lahan_geo.version" and _floor(b) > _floor(a))
    assert upward == []


def test_no_import_cycle():
    # Tarjan's strongly connected components; any component of more than one module
    # (or a module importing itself through others) is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(GRAPH.get(v, ())):
            if w not in GRAPH:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    assert cycles == []


def test_no_private_name_crosses_a_module():
    crossing = []
    for name, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and \
                    node.module.startswith("lahan_geo"):
                crossing += [f"{name} imports {node.module}.{a.name}" for a in node.names
                             if a.name.startswith("_") and a.name != "__version__"]
    assert crossing == []


def test_import_does_not_load_heavy_libraries():
    code = ("import sys, lahan_geo; heavy = [m for m in ('matplotlib', 'openpyxl', 'folium', "
            "'xlsxwriter', 'dask', 'distributed') if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""

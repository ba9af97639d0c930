"""The package's shape: layers import one way, no cycles, no private names across modules, small modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "kpss_analysis"
TESTS = Path(__file__).resolve().parent
#: Layers from the bottom up: a module may import its own layer and the ones below it, never one above.
LAYERS = {"base": 0, "data": 1, "analysis": 2, "report": 3, "run": 4}
MAX_LINES = 600


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYERS) else "base"


def _imports(path: Path, top_level_only: bool = False) -> list[tuple[str, list[str], int]]:
    """(imported module, imported names, line) of every ``kpss_analysis`` import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else ast.walk(tree)
    out = []
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kpss_analysis"):
            out.append((node.module, [a.name for a in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            out += [(a.name, [], node.lineno) for a in node.names if a.name.startswith("kpss_analysis")]
    return out


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_the_layers_exist_and_hold_every_module():
    folders = {p.parent.relative_to(PACKAGE).parts[0] for p in MODULES if p.parent != PACKAGE}
    assert folders == {"data", "analysis", "report", "run"}
    base = sorted(p.name for p in MODULES if p.parent == PACKAGE)
    assert base == ["__init__.py", "config.py", "errors.py", "fmt.py", "locks.py", "memo.py"]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: _module(p))
def test_imports_run_one_way(path):
    """run → report → analysis → data → base (config, errors, fmt, locks, memo): never upwards."""
    own = LAYERS[_layer(_module(path))]
    upward = []
    for module, names, line in _imports(path):
        targets = [module] if names == [] else [f"{module}.{n}" if _is_module(f"{module}.{n}") else module
                                                for n in names]
        upward += [f"line {line}: {t}" for t in targets if LAYERS[_layer(t)] > own]
    assert not upward, f"{_module(path)} ({_layer(_module(path))}) imports a higher layer: {upward}"


def _is_module(name: str) -> bool:
    relative = Path(*name.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").is_file() or (PACKAGE / relative / "__init__.py").is_file()


def test_no_import_cycle_between_modules():
    graph = {}
    for path in MODULES:
        deps = set()
        for module, names, _line in _imports(path, top_level_only=True):
            deps |= {f"{module}.{n}" for n in names if _is_module(f"{module}.{n}")} or {module}
        graph[_module(path)] = {d for d in deps if d != _module(path)}
    state: dict[str, str] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == "open":
                pytest.fail("import cycle: " + " → ".join([*trail[trail.index(dep):], dep]))
            if dep not in state:
                visit(dep, [*trail, dep])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])


@pytest.mark.parametrize("path", MODULES + sorted(TESTS.glob("*.py")), ids=lambda p: p.name)
def test_no_private_name_is_imported_from_another_module(path):
    private = [f"line {line}: {module}.{n}" for module, names, line in _imports(path) for n in names
               if n.startswith("_") and n != "__version__"]
    assert not private, private


@pytest.mark.parametrize("path", MODULES, ids=lambda p: _module(p))
def test_no_module_is_longer_than_600_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES

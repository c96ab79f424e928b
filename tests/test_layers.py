"""The package's layers: imports point down only, no cycle, no import inside a function.

Every ``import`` and ``from ... import`` of every module under src/slacalc is read with
`ast` (those under ``if TYPE_CHECKING:`` too: a type is a dependency), so the test fails
on the first import that climbs a layer, closes a circle, or hides in a function body.
docs/architecture.md states the same order in words.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "slacalc"

LAYERS = {  # lower numbers are lower layers; a module may import its own layer and below
    "errors": 0,
    "engine": 1,
    "render": 2,
    "sla": 3,
    "terms": 4,
    "policy": 5,
    "batch": 6,
    "cli": 7,
    "frame": 7,
    "arrow": 7,
    "testing": 7,
    "sources": 7,
    "__init__": 8,
    "__main__": 8,
    "lint": 8,  # deprecated aliases of moved documented paths
    "picture": 8,
}


def _module(path: Path) -> str:
    parts = path.relative_to(SOURCE).with_suffix("").parts
    return ".".join(part for part in parts if part != "__init__") or "__init__"


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """``(imported slacalc module, line, inside a function)`` of each import in ``path``."""
    tree = ast.parse(path.read_text(), str(path))
    package = _module(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package[:len(package) - child.level + 1] if child.level > 1 \
                        else package
                    target = ".".join([*base, *([child.module] if child.module else [])])
                elif (child.module or "").startswith("slacalc"):
                    target = (child.module or "").removeprefix("slacalc").lstrip(".")
                else:
                    continue
                found.append((target or "__init__", child.lineno, in_function))
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.startswith("slacalc"):
                        found.append((alias.name.removeprefix("slacalc").lstrip(".")
                                      or "__init__", child.lineno, in_function))
            visit(child, inner)

    visit(tree, False)
    return found


MODULES = {_module(path): path for path in sorted(SOURCE.rglob("*.py"))}


def _layer(module: str) -> int:
    return LAYERS[module.split(".", maxsplit=1)[0]]


def test_every_top_level_name_has_a_layer() -> None:
    assert {name.split(".")[0] for name in MODULES} == set(LAYERS)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down_and_not_from_functions(module: str) -> None:
    for target, line, in_function in _imports(MODULES[module]):
        where = f"{MODULES[module].relative_to(SOURCE)}:{line} imports {target}"
        assert not in_function, f"{where} inside a function"
        assert _layer(target) <= _layer(module), f"{where}, a higher layer"


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        targets = set()
        for imported, _, _ in _imports(path):
            # ``from .pkg import name`` may name a submodule: count the deepest module known
            target = imported
            while target not in MODULES and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in MODULES and target != module:
                targets.add(target)
        graph[module] = targets
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of ``graph`` (its modules in order, the first repeated at the end), if any."""
    done: set[str] = set()

    def walk(module: str, trail: list[str]) -> list[str] | None:
        if module in trail:
            return [*trail[trail.index(module):], module]
        if module in done:
            return None
        for target in sorted(graph.get(module, ())):
            found = walk(target, [*trail, module])
            if found:
                return found
        done.add(module)
        return None

    for module in sorted(graph):
        found = walk(module, [])
        if found:
            return found
    return None


def test_the_import_graph_has_no_cycle() -> None:
    cycle = _cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_one() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None

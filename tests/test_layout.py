"""The package layout is the pipeline: each stage imports only earlier stages and core, with no cycles.

Walks every module's imports with ast (module level and inside functions), so a cycle cannot hide behind an
import placed inside a function. Only cli.py imports inside functions (to keep `corpus --help` fast).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "corpus"
STAGES = ("core", "ingest", "suggest", "labelstudio", "gold", "release", "scale")
TOP = len(STAGES)  # cli.py, __main__.py: may import everything
LAZY_IMPORTERS = {"corpus.cli"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def rank(module: str) -> int:
    parts = module.split(".")
    if module == "corpus":
        return -1  # the package itself holds only __version__
    if len(parts) >= 2 and parts[1] in STAGES:
        return STAGES.index(parts[1])
    return TOP


def corpus_imports(tree: ast.Module, module: str) -> list[tuple[str, bool]]:
    """(imported corpus module, inside a function?) for every import in the tree."""
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:  # relative import: resolve against this module's package
                    base = ".".join(module.split(".")[: -child.level] + ([base] if base else []))
                if base == "corpus" or base.startswith("corpus."):
                    for alias in child.names:
                        sub = f"{base}.{alias.name}"
                        found.append((sub if (PACKAGE.parent / (sub.replace(".", "/") + ".py")).exists()
                                      or (PACKAGE.parent / sub.replace(".", "/")).is_dir() else base, inner))
            elif isinstance(child, ast.Import):
                found.extend((a.name, inner) for a in child.names if a.name.split(".")[0] == "corpus")
            visit(child, inner)

    visit(tree, False)
    return found


def graph() -> dict[str, list[tuple[str, bool]]]:
    return {module_name(p): corpus_imports(ast.parse(p.read_text(encoding="utf-8")), module_name(p))
            for p in sorted(PACKAGE.rglob("*.py"))}


GRAPH = graph()


def test_every_module_lives_in_a_stage() -> None:
    loose = sorted(m for m in GRAPH if rank(m) == TOP and m not in {"corpus.cli", "corpus.__main__"})
    assert loose == [], "modules outside a stage subpackage"


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_flow_forward(module: str) -> None:
    for target, _ in GRAPH[module]:
        assert rank(target) <= rank(module), f"{module} imports the later stage {target}"


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_no_imports_inside_functions(module: str) -> None:
    if module in LAZY_IMPORTERS:
        return
    inner = sorted(t for t, in_function in GRAPH[module] if in_function)
    assert inner == [], f"{module} imports corpus modules inside functions"


def test_core_imports_nothing_else() -> None:
    for module, imports in GRAPH.items():
        if rank(module) == 0:
            assert all(rank(t) <= 0 for t, _ in imports), module


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def dfs(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (cycle := dfs(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := dfs(node)):
            return cycle
    return None


def test_no_import_cycles() -> None:
    edges = {m: {t for t, _ in imports if t in GRAPH and t != m} for m, imports in GRAPH.items()}
    assert find_cycle(edges) is None


def test_the_cycle_finder_finds_cycles() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_walker_sees_imports_inside_functions() -> None:
    tree = ast.parse("def f():\n    from corpus.release import build\nimport corpus.core.io\n")
    assert corpus_imports(tree, "corpus.core.x") == [("corpus.release.build", True), ("corpus.core.io", False)]

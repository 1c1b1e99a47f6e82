"""No import cycle between the domain packages of companion/, lazy imports included.

Every module is parsed with ``ast`` (imports at module level and inside functions alike), the
imports are folded into a graph between packages, and the graph must be acyclic; ``core``
imports no domain at all. A lazy import inside a function hides a cycle from Python, not from
a reader: lower domains never import upper ones (docs/architecture.md).
"""

from __future__ import annotations

import ast
import itertools
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "companion"
DOMAINS = (
    "core",
    "realtime",
    "programme",
    "participants",
    "polls",
    "questions",
    "floor",
    "summaries",
    "mail",
    "projector",
    "pages",
    "security",
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(path: Path) -> set[str]:
    """Every module ``path`` imports, absolute, wherever the import statement stands."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                prefix = ".".join(base)
                target = f"{prefix}.{node.module}" if node.module else prefix
            else:
                target = node.module or ""
            found.add(target)
            # ``from . import service`` names modules, not attributes.
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def _domain(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) >= 2 and parts[0] == "companion" and parts[1] in DOMAINS:
        return parts[1]
    return None


def package_graph() -> dict[str, dict[str, set[str]]]:
    """domain -> imported domain -> the modules (file:line-free names) making that edge."""
    graph: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path in sorted(PACKAGE.rglob("*.py")):
        source = _domain(_module_name(path))
        if source is None:
            continue
        for target in map(_domain, _imported(path)):
            if target is not None and target != source:
                graph[source][target].add(_module_name(path))
    return graph


def find_cycle(graph: dict[str, dict[str, set[str]]]) -> list[str] | None:
    """Return one cycle as [a, b, …, a], or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def describe(graph, cycle: list[str]) -> str:
    lines = [" → ".join(cycle)]
    for a, b in itertools.pairwise(cycle):
        lines.append(f"  {a} → {b}: " + ", ".join(sorted(graph[a][b])))
    return "\n".join(lines)


def test_there_is_no_cycle_between_domain_packages():
    graph = package_graph()
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle between packages:\n" + describe(graph, cycle)


def test_core_imports_no_domain():
    graph = package_graph()
    edges = {target: sorted(modules) for target, modules in graph.get("core", {}).items()}
    assert not edges, f"core imports domains: {edges}"


def test_the_graph_sees_lazy_imports_and_names_the_cycle():
    graph = {"a": {"b": {"companion.a.x"}}, "b": {"a": {"companion.b.y"}}}
    cycle = find_cycle(graph)
    assert cycle == ["a", "b", "a"]
    assert "companion.b.y" in describe(graph, cycle)
    lazy = _imported(PACKAGE / "app.py")  # create_app imports inside the function
    assert "companion.core.http" in lazy


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_domain_is_a_package(domain):
    assert (PACKAGE / domain / "__init__.py").exists()


def test_handlers_never_commit():
    """The dispatcher and api_route commit; a handler that commits splits the transaction."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef):
                continue
            decorators = {getattr(getattr(d, "func", d), "id", None) for d in fn.decorator_list} - {
                None
            }
            if not decorators & {"socket_event", "api_route"}:
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.Attribute) and node.attr == "commit":
                    found.append(f"{_module_name(path)}.{fn.name}:{node.lineno}")
    assert not found, f"handlers that commit: {found}"

"""The core's architecture, checked: its import graph has no cycle and imports only downward.

Every ``import`` statement counts, those under ``if TYPE_CHECKING:`` and inside functions
included, so a cycle cannot hide behind a lazy import. Importing ``pkg.mod`` from outside
``pkg`` runs ``pkg/__init__`` first, so it depends on the package too; a module inside a
package importing its siblings does not (the package is already being set up). The root
``stuut_domain/__init__`` is the public façade and is left out: nothing inside imports it.
"""

from __future__ import annotations

import ast
import pathlib

import stuut_domain

ROOT = pathlib.Path(stuut_domain.__file__).parent

#: The layers of the core, lowest first (ADR 0033). A module may import its own layer or below.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("types", "_currency_data", "errors"),
    ("money",),
    ("validators", "frames", "display"),
    (
        "address",
        "user",
        "integration",
        "task",
        "partner",
        "workflow",
        "payment",
        "call",
        "email",
        "invoice",
    ),
    ("lifecycle", "receivables", "invariants", "_assembly", "allocation", "cadence"),
    ("outreach", "owed", "portfolio", "ports", "fact_ports", "cash"),
    ("scenarios",),
    ("strategies",),
)


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, pathlib.Path]:
    found = {_module_name(p): p for p in ROOT.rglob("*.py")}
    del found["stuut_domain"]
    return found


def _package_of(name: str, modules: dict[str, pathlib.Path]) -> str:
    return name if modules[name].name == "__init__.py" else name.rpartition(".")[0]


def _targets(imported: str, importer: str, modules: dict[str, pathlib.Path]) -> set[str]:
    """The core modules that importing ``imported`` from ``importer`` runs."""
    out: set[str] = set()
    parts = imported.split(".")
    own = _package_of(importer, modules)
    for i in range(2, len(parts) + 1):
        prefix = ".".join(parts[:i])
        if prefix in modules and not own.startswith(prefix):
            out.add(prefix)
    if imported in modules:
        out.add(imported)
    out.discard(importer)
    return out


def import_graph() -> dict[str, set[str]]:
    """Each core module and the core modules it imports (statically, every statement)."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module.startswith("stuut_domain."):
                    edges |= _targets(node.module, name, modules)
                    for alias in node.names:
                        edges |= _targets(f"{node.module}.{alias.name}", name, modules)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("stuut_domain."):
                        edges |= _targets(alias.name, name, modules)
        graph[name] = edges
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def _layer(name: str) -> int:
    top = name.split(".")[1]
    for index, layer in enumerate(LAYERS):
        if top in layer:
            return index
    raise AssertionError(f"{name} is in no layer: add it to LAYERS and to ADR 0033")


class TestImportGraph:
    def test_the_core_has_no_import_cycle(self) -> None:
        """No chain of imports, lazy and type-only ones included, leads back to its start."""
        assert [] == _cycle(import_graph())

    def test_a_cycle_would_be_found(self) -> None:
        """The cycle finder is not vacuous: a planted two-module loop is reported."""
        graph = {"a": {"b"}, "b": {"a"}, "c": set()}
        assert ["a", "b", "a"] == _cycle(graph)

    def test_every_module_imports_only_its_layer_or_below(self) -> None:
        """Entities never import rules, rules never import analytics (see LAYERS)."""
        upward = sorted(
            f"{name} -> {target}"
            for name, targets in import_graph().items()
            for target in targets
            if _layer(target) > _layer(name)
        )
        assert [] == upward

    def test_every_module_has_a_layer(self) -> None:
        """A new module must be placed in a layer on purpose."""
        for name in import_graph():
            _layer(name)

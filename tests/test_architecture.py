"""The import rules of docs/architecture.md §1, checked on the source.

Every `import` in `src/airwitness` (at any depth of a module, so an import inside
a function counts too) is read with `ast`. The test fails on:

- a cycle between modules;
- an import of another package's private module (`airwitness.io._source` from
  `airwitness.engine`), or of a private name (`_orient`) from another module;
- an import that goes up the layers (`airwitness.store` importing `pipeline`).
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "airwitness"

#: docs/architecture.md §1, bottom to top: a module may import from its own layer
#: and the layers below it, never from a layer above.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "reasons", "schema", "times", "digest", "geodesy", "uncertainty"),
    ("io",),
    ("tracking",),
    ("tracks", "track_kernels"),
    ("fusion",),
    ("airspace",),
    ("crossings", "confidence"),
    ("corroboration",),
    ("pipeline",),
    ("store",),
    ("engine",),
    ("investigate",),
    ("report",),
    ("watch",),
    ("web", "cli"),
)
LAYER_OF = {part: k for k, parts in enumerate(LAYERS) for part in parts}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(name: str, path: Path, known: dict[str, Path]) -> list[tuple[str, str | None, int]]:
    """(module imported, name taken from it or None, line) for every airwitness import."""
    is_package = path.name == "__init__.py"
    here = name.split(".") if is_package else name.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(a.name, None, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in known:  # `from airwitness.io import gpx`: the module itself
                    found.append((sub, None, node.lineno))
                else:
                    found.append((target, alias.name, node.lineno))
    return [f for f in found if f[0] == PACKAGE or f[0].startswith(PACKAGE + ".")]


def _part(module: str) -> str:
    """The top-level package or module under airwitness: `io`, `store`, ..."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _graph() -> tuple[dict[str, set[str]], list[str], list[str]]:
    known = _modules()
    edges: dict[str, set[str]] = {m: set() for m in known}
    private, upward = [], []
    for module, path in known.items():
        for target, name, line in _imports(module, path, known):
            where = f"{path.relative_to(SRC.parent)}:{line}"
            if target in known and target != module:
                edges[module].add(target)
            mine, theirs = _part(module), _part(target)
            hidden = [p for p in target.split(".")[1:] if p.startswith("_") and p != "__init__"]
            if hidden and mine != theirs:
                private.append(f"{where}: {module} imports {target} (private to {theirs})")
            if name and name.startswith("_") and not name.startswith("__") and target != module:
                private.append(f"{where}: {module} imports the private name {name} of {target}")
            if mine in LAYER_OF and theirs in LAYER_OF and LAYER_OF[theirs] > LAYER_OF[mine]:
                upward.append(
                    f"{where}: {module} ({mine}) imports {target} ({theirs}), a layer above"
                )
    return edges, sorted(set(private)), sorted(set(upward))


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def _ignoring_package_inits(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    """Edges without a package's own `__init__` importing its submodules to re-export
    them: `airwitness.io` -> `airwitness.io.tabular.gpx` is how a package shows its API, and
    a submodule taking a sibling through the package is the cycle that matters."""
    return {m: {t for t in ts if not t.startswith(m + ".")} for m, ts in edges.items()}


def test_every_part_has_a_layer():
    parts = {_part(m) for m in _modules()} - {""}
    assert sorted(parts - set(LAYER_OF)) == []


def test_no_import_cycle():
    edges, _, _ = _graph()
    assert _cycles(_ignoring_package_inits(edges)) == []


def test_no_import_of_another_package_private_module_or_name():
    _, private, _ = _graph()
    assert private == []


def test_imports_go_down_the_layers():
    _, _, upward = _graph()
    assert upward == []


def test_the_checks_can_fail():
    """The checker sees a cycle, a private import and an upward import when there is one."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _part("airwitness.io._source") == "io"
    assert LAYER_OF["store"] < LAYER_OF["pipeline"] or LAYER_OF["pipeline"] < LAYER_OF["store"]

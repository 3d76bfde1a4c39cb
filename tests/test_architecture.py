"""The package's layering (docs/ARCHITECTURE.md), checked on the source with :mod:`ast`.

* ``sim/model/`` imports nothing from ``sim.scenario``, ``sim.run``, ``sim.studies``,
  ``sim.report`` or ``sim.cli`` and no pydantic: it is a library on plain records.
* Every import goes down the floors (or stays on its floor) and no modules import each other in a
  circle.
* No file under ``sim/`` is over 700 lines.

Every import statement counts: at module level, inside functions (lazy imports) and under
``if TYPE_CHECKING:`` -- except that an import for type checking only does not close a circle (it
never runs). Nothing of ``sim`` is imported to run these checks.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from collections.abc import Callable
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parent.parent / "sim"

#: The floors, lowest first (docs/ARCHITECTURE.md, "Layers"). A module may import from its own floor
#: and from any lower one, never from a higher one. A single module directly under ``sim/`` that is
#: not listed here (``errors.py``, ``timeutil.py``, ``atomic.py``, ``stats.py``, ``paths.py``,
#: ``tolerance.py``, ``kpis.py``, ...) is on the ground floor; every package (folder) under ``sim/``
#: must be listed. The KPI registry ``sim/kpis.py`` is read by the model's metrics and by staffing,
#: so it is on the ground floor (below them), not between studies and report.
FLOORS: dict[str, int] = {
    "<ground>": 0,
    "scenario": 1,
    "network": 2,
    "demand": 3,
    "model": 4,
    "staffing": 5,
    "interop": 6,
    "run": 7,
    "studies": 8,
    "report": 9,
    "cli": 10,
}

#: What the simulation core must never import (issue 9, property 1).
MODEL_FORBIDDEN = ("sim.scenario", "sim.run", "sim.studies", "sim.report", "sim.cli", "pydantic")

#: Modules that read or write files or talk to a user: the model uses none of them (it takes records
#: and returns an event log; the run layer does the files, the report and CLI the rest).
MODEL_NO_IO = ("tomllib", "csv", "json", "pickle", "pathlib", "os", "io", "shutil", "tempfile", "matplotlib", "typer", "rich", "osmnx", "pandas")

MAX_LINES = 700


@dataclass(frozen=True, slots=True)
class Import:
    """One imported module name, its line, whether inside a function, whether for type checking only."""

    target: str
    line: int
    lazy: bool
    typing_only: bool = False


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SIM.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    """Module name -> file, for every ``.py`` file under ``sim/``."""
    return {_module_name(p): p for p in sorted(SIM.rglob("*.py"))}


def _imports(path: Path, module: str, known: set[str]) -> list[Import]:
    """Every module ``path`` imports: ``import a.b``, ``from a import b`` (``a.b`` if that is a module,
    else ``a``), relative imports resolved against ``module``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    lazy_lines = _import_lines_under(tree, lambda n: isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))
    typing_lines = _import_lines_under(tree, _is_type_checking_block)
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [Import(alias.name, node.lineno, node.lineno in lazy_lines, node.lineno in typing_lines) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join([*base, node.module] if node.module else base)
            else:
                origin = node.module or ""
            for alias in node.names:
                sub = f"{origin}.{alias.name}"
                target = sub if sub in known else origin
                found.append(Import(target, node.lineno, node.lineno in lazy_lines, node.lineno in typing_lines))
    return found


def _import_lines_under(tree: ast.AST, pick: Callable[[ast.AST], bool]) -> set[int]:
    """Lines of the import statements inside any node ``pick`` selects."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if pick(node):
            lines |= {n.lineno for n in ast.walk(node) if isinstance(n, (ast.Import, ast.ImportFrom))}
    return lines


def _is_type_checking_block(node: ast.AST) -> bool:
    """``if TYPE_CHECKING:`` or ``if typing.TYPE_CHECKING:``."""
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _floor_key(module: str) -> str:
    """The floor-table key of a ``sim`` module: its top-level package, or ``<ground>``."""
    parts = module.split(".")
    if len(parts) == 1:  # sim/__init__.py
        return "<ground>"
    top = parts[1]
    if (SIM / top).is_dir():
        return top
    return top if top in FLOORS else "<ground>"


@functools.cache
def _graph() -> tuple[dict[str, Path], dict[str, list[Import]]]:
    """Every ``sim`` module's file and imports (parsed once per test session)."""
    sources = _sources()
    known = set(sources)
    return sources, {m: _imports(p, m, known) for m, p in sources.items()}


def _sim_target(target: str, known: set[str]) -> str | None:
    """The ``sim`` module an import names (the longest known prefix), else None."""
    if target != "sim" and not target.startswith("sim."):
        return None
    parts = target.split(".")
    while parts:
        name = ".".join(parts)
        if name in known:
            return name
        parts.pop()
    return None


# --------------------------------------------------------------------------- the parser itself


def test_import_parser_sees_lazy_relative_and_from_imports(tmp_path: Path) -> None:
    pkg = tmp_path / "sim" / "model"
    pkg.mkdir(parents=True)
    src = pkg / "x.py"
    src.write_text(
        "from __future__ import annotations\n"
        "import numpy as np\n"
        "from . import eventlog\n"
        "from .drt import layout\n"
        "from ..scenario.schema import Scenario\n"
        "def f():\n"
        "    import pydantic\n"
        "    from sim.run import runner\n"
        "if TYPE_CHECKING:\n"
        "    from sim.demand import zones\n",
        encoding="utf-8",
    )
    known = {"sim.model.eventlog", "sim.model.drt.layout", "sim.scenario.schema", "sim.run.runner", "sim.demand.zones"}
    got = [(i.target, i.line, i.lazy, i.typing_only) for i in _imports(src, "sim.model.x", known)]
    assert sorted(got) == sorted(
        [
            ("__future__", 1, False, False),
            ("numpy", 2, False, False),
            ("sim.model.eventlog", 3, False, False),
            ("sim.model.drt.layout", 4, False, False),
            ("sim.scenario.schema", 5, False, False),
            ("pydantic", 7, True, False),
            ("sim.run.runner", 8, True, False),
            ("sim.demand.zones", 10, False, True),
        ]
    )


def test_every_package_under_sim_has_a_floor() -> None:
    packages = sorted(p.name for p in SIM.iterdir() if p.is_dir() and (p / "__init__.py").is_file())
    missing = [p for p in packages if p not in FLOORS]
    assert not missing, f"add the package(s) {missing} to FLOORS in {__file__} and to docs/ARCHITECTURE.md"
    assert _floor_key("sim.errors") == "<ground>" and _floor_key("sim.model.drt.dispatch") == "model"


# --------------------------------------------------------------------------- the rules


def test_model_imports_no_config_layer_and_no_pydantic() -> None:
    sources, graph = _graph()
    bad = [
        f"{sources[m].relative_to(SIM.parent)}:{i.line} imports {i.target}" + (" (inside a function)" if i.lazy else "")
        for m, imports in graph.items()
        if m == "sim.model" or m.startswith("sim.model.")
        for i in imports
        if any(i.target == f or i.target.startswith(f + ".") for f in MODEL_FORBIDDEN)
    ]
    assert not bad, "sim/model/ must take plain records (no scenario classes, no pydantic):\n" + "\n".join(bad)


def test_model_reads_and_writes_no_files() -> None:
    sources, graph = _graph()
    model = {m: p for m, p in sources.items() if m == "sim.model" or m.startswith("sim.model.")}
    bad = [
        f"{p.relative_to(SIM.parent)}:{i.line} imports {i.target}"
        for m, p in model.items()
        for i in graph[m]
        if i.target.split(".")[0] in MODEL_NO_IO
    ]
    for p in model.values():
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open":
                bad.append(f"{p.relative_to(SIM.parent)}:{node.lineno} calls open()")
    assert not bad, "sim/model/ takes records and returns an event log; files belong to sim/run:\n" + "\n".join(bad)


def test_every_import_goes_down_the_floors() -> None:
    sources, graph = _graph()
    known = set(sources)
    bad = []
    for module, imports in graph.items():
        here = _floor_key(module)
        for imp in imports:
            target = _sim_target(imp.target, known)
            if target is None:
                continue
            there = _floor_key(target)
            if FLOORS[there] > FLOORS[here]:
                where = f"{sources[module].relative_to(SIM.parent)}:{imp.line}"
                bad.append(f"{where} ({here}, floor {FLOORS[here]}) imports {target} ({there}, floor {FLOORS[there]})")
    assert not bad, "imports that go up a floor:\n" + "\n".join(bad)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (or a self-import)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:  # Tarjan; the graph has a few hundred nodes, recursion is fine
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in edges.get(v, ()):
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_cycle_finder_finds_a_circle_and_nothing_else() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle() -> None:
    sources, graph = _graph()
    known = set(sources)
    edges = {
        m: {t for i in imports if not i.typing_only and (t := _sim_target(i.target, known)) is not None and t != m}
        for m, imports in graph.items()
    }
    cycles = _cycles(edges)
    assert not cycles, "modules that import each other in a circle:\n" + "\n".join(" <-> ".join(c) for c in cycles)


#: Files still over the limit while another change splits them, each with who splits it. An entry
#: that comes under the limit fails ``test_files_waiting_to_be_split`` (strict xfail): then delete it.
WAITING_TO_BE_SPLIT: dict[str, str] = {}


def _line_counts() -> dict[str, int]:
    return {str(p.relative_to(SIM.parent)): len(p.read_text(encoding="utf-8").splitlines()) for p in sorted(SIM.rglob("*.py"))}


def test_no_file_under_sim_is_over_700_lines() -> None:
    long = {f: n for f, n in _line_counts().items() if n > MAX_LINES and f not in WAITING_TO_BE_SPLIT}
    assert not long, f"files over {MAX_LINES} lines (split them by concern): {long}"


@pytest.mark.parametrize(
    "path", [pytest.param(f, marks=pytest.mark.xfail(strict=True, reason=why)) for f, why in WAITING_TO_BE_SPLIT.items()]
)
def test_files_waiting_to_be_split(path: str) -> None:
    assert _line_counts().get(path, 0) <= MAX_LINES


@pytest.mark.parametrize("module", ["sim.model.engine", "sim.model.drt.dispatch"])
def test_the_model_modules_exist(module: str) -> None:
    # guards the checks above against passing vacuously after a move
    assert module in _sources()

"""The assumptions table: every scenario parameter, whether it differs from the model default, and its source.

Values come from the resolved ``scenario.toml`` of a run; defaults from the pydantic models of
:mod:`sim.scenario.schema`. Sources come, in order, from the comment next to the key in the original
scenario file (and the files it ``extends``), found through a ``# scenario file:`` header line of
``scenario.toml`` or by the scenario's ``name`` among ``scenarios/**/*.toml``; then from
:data:`SOURCED_DEFAULTS` (rows of PARAMETERS.md); otherwise the value is marked as a model default
with no published source (an ASSUMPTION). A value that differs from the original file's value was
overridden on the command line (``--set``).
"""

from __future__ import annotations

import re
import tomllib
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sim.paths import repo_root
from sim.tolerance import EPS

#: Repository root (the scenario set lives in ``scenarios/``).
REPO = repo_root()

#: Top-level keys that describe the scenario rather than assume anything.
_NOT_ASSUMPTIONS = frozenset({"name", "description", "seed", "extends"})

#: Sources of model defaults, by field name and default value (PARAMETERS.md rows).
SOURCED_DEFAULTS: dict[tuple[str, Any], str] = {
    ("stop_dwell_s", 60.0): 'PARAMETERS.md "simulator defaults (MATSim DRT example)": stop 60 s',
    ("max_wait_min", 20.0): 'PARAMETERS.md "simulator defaults (MATSim DRT example)": max wait 1,200 s',
    ("max_ride_factor", 1.5): 'PARAMETERS.md "simulator defaults (MATSim DRT example)": 1.5 × direct + 1,200 s',
    ("max_ride_extra_min", 20.0): 'PARAMETERS.md "simulator defaults (MATSim DRT example)": 1.5 × direct + 1,200 s',
    ("population_total", 65000.0): 'PARAMETERS.md "population, 2024 estimate": ~65,000',
    ("requests_per_day", 40): 'PARAMETERS.md "riders per day (small towns)": 20–55 (ridership not published: vary it)',
    ("start", "09:00"): 'PARAMETERS.md "hours": Mon–Sat 09:00–17:00',
    ("end", "17:00"): 'PARAMETERS.md "hours": Mon–Sat 09:00–17:00',
    ("detour_factor", 1.3): "ASSUMPTION: walking path / straight line, inside the 1.15–1.40 circuity band",
    ("speed_mps", 1.0): "ASSUMPTION: slow walking speed for elderly riders (average rider age 79.4, PARAMETERS.md)",
    ("source", "sodegaura"): "embedded reconstruction from real anchors, not OpenStreetMap data (networks/sodegaura/README.md)",
}

_MISSING = object()


@dataclass(frozen=True, slots=True)
class Param:
    """One scenario parameter of one run.

    Attributes
    ----------
    path
        Dotted key, e.g. ``services.choisoko.max_wait_min``.
    field
        The last component (``max_wait_min``).
    value
        Resolved value (``None`` when unset).
    default
        Model default, or ``None`` with ``has_default`` false for required fields.
    changed
        Whether the value differs from the default (required fields count as changed).
    overridden
        Whether the value differs from the original scenario file (a ``--set`` override).
    comment
        Source comment from the scenario file, or ``""``.
    description
        The model field's description (sources of staffing and cost defaults), or ``""``.
    defined_in
        Name of the scenario file (in the ``extends`` chain) that sets the key, or ``""``.
    """

    path: str
    field: str
    value: Any
    default: Any
    has_default: bool
    changed: bool
    overridden: bool
    comment: str
    description: str = ""
    defined_in: str = ""


# --------------------------------------------------------------------------- schema walking


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    out: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        out += _models_in(arg)
    return out


def _dict_models(annotation: Any) -> list[type[BaseModel]] | None:
    """Model classes of a ``dict[str, Model | ...]`` annotation (through ``Optional``/``Annotated``), else ``None``."""
    if typing.get_origin(annotation) is dict:
        args = typing.get_args(annotation)
        return (_models_in(args[1]) or None) if len(args) == 2 else None
    for arg in typing.get_args(annotation):
        found = _dict_models(arg)
        if found:
            return found
    return None


def _pick_model(models: list[type[BaseModel]], item: Any) -> type[BaseModel]:
    """The member of a union whose ``kind`` default matches the item's ``kind``."""
    if len(models) > 1 and isinstance(item, dict) and "kind" in item:
        for model in models:
            field = model.model_fields.get("kind")
            if field is not None and field.default == item["kind"]:
                return model
    return models[0]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or a == b and type(a) is type(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) <= EPS * max(1.0, abs(float(a)), abs(float(b)))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


def _walk(model: type[BaseModel], data: dict[str, Any], prefix: str) -> Iterator[tuple[str, str, Any, Any, bool, str]]:
    """Yield ``(path, field, value, default, has_default, description)`` for every leaf parameter."""
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        value = data.get(name, _MISSING) if isinstance(data, dict) else _MISSING
        sub = _models_in(info.annotation) if typing.get_origin(info.annotation) is not dict else []
        table_models = _dict_models(info.annotation)
        if table_models:
            items = value if isinstance(value, dict) else {}
            for key, item in items.items():
                if isinstance(item, dict):
                    yield from _walk(_pick_model(table_models, item), item, f"{path}.{key}.")
                else:
                    yield (f"{path}.{key}", key, item, None, False, "")
            continue
        if len(sub) == 1 and (value is _MISSING or isinstance(value, dict)):
            yield from _walk(sub[0], value if isinstance(value, dict) else {}, f"{path}.")
            continue
        required = info.is_required()
        default = None if required else info.get_default(call_default_factory=True)
        if isinstance(default, BaseModel):
            default = default.model_dump(mode="json")
        if value is _MISSING:
            value = default  # left out of the resolved file (None values, or a newer schema)
        yield (path, name, value, default, not required, info.description or "")


# --------------------------------------------------------------------------- comments of scenario files


_KEY = re.compile(r'^\s*((?:[A-Za-z0-9_\-]+|"[^"]*")(?:\s*\.\s*(?:[A-Za-z0-9_\-]+|"[^"]*"))*)\s*=')


def _split_key(text: str) -> list[str]:
    parts = re.findall(r'"([^"]*)"|([A-Za-z0-9_\-]+)', text)
    return [q or b for q, b in parts]


def _inline_comment(line: str) -> str:
    in_str: str | None = None
    for k, c in enumerate(line):
        if in_str:
            if c == "\\" and in_str == '"':
                continue
            if c == in_str:
                in_str = None
        elif c in "\"'":
            in_str = c
        elif c == "#":
            return line[k + 1 :].strip()
    return ""


def parse_comments(text: str) -> dict[str, str]:
    """Map dotted keys of a TOML document to their comments.

    The comment block directly above a key (no blank line between) and the comment at the end
    of its line are joined. Table headers set the prefix; comments above a header are dropped.
    """
    out: dict[str, str] = {}
    table: list[str] = []
    pending: list[str] = []
    last: list[str] = []  # keys sharing the current inline comment
    for line in text.splitlines():
        s = line.strip()
        if not s:
            pending, last = [], []
            continue
        if s.startswith("#"):
            pending.append(s.lstrip("#").strip())
            continue
        if s.startswith("["):
            inner = s.lstrip("[").split("]")[0]
            table = _split_key(inner)
            pending, last = [], []
            continue
        match = _KEY.match(line)
        if match is None:
            pending, last = [], []
            continue
        key = ".".join([*table, *_split_key(match.group(1))])
        inline = _inline_comment(line[match.end() :])
        raw = line[match.end() :]
        if inline and last and re.search(r"#\s{2,}\S", raw) and not pending:
            # an indented comment continues the previous line's comment
            joined = f"{out[last[-1]]} {inline}"
            last.append(key)
            for k in last:
                out[k] = joined
            continue
        comment = " ".join([*pending, inline]).strip()
        if comment:
            out[key] = comment
        last = [key] if inline else []
        pending = []
    return out


def _chain(path: Path) -> list[Path]:
    """The file and the files it ``extends``, child first."""
    out: list[Path] = []
    current: Path | None = path.resolve()
    while current is not None and current.is_file() and current not in out:
        out.append(current)
        try:
            parent = tomllib.loads(current.read_text(encoding="utf-8")).get("extends")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            break
        current = (current.parent / parent).resolve() if isinstance(parent, str) else None
    return out


def defining_files(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """``(file name, raw TOML data)`` of the file and its ``extends`` chain, child first."""
    out: list[tuple[str, dict[str, Any]]] = []
    for p in _chain(path):
        try:
            out.append((p.name, tomllib.loads(p.read_text(encoding="utf-8"))))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
    return out


def file_comments(path: Path) -> dict[str, str]:
    """Comments of a scenario file merged with those of its ``extends`` chain (the child wins)."""
    out: dict[str, str] = {}
    for p in reversed(_chain(path)):
        try:
            out.update(parse_comments(p.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError):
            continue
    return out


def find_scenario_file(name: str, header_comments: tuple[str, ...] = (), *, search: Path | None = None) -> Path | None:
    """The original scenario file of a run.

    A ``scenario file: PATH`` header comment wins; otherwise the only ``*.toml`` file under
    ``search`` (default ``scenarios/`` of the repository) whose top-level ``name`` is ``name``.
    """
    for line in header_comments:
        low = line.lower()
        for tag in ("scenario file:", "scenario:", "source:"):
            if low.startswith(tag):
                candidate = Path(line[len(tag) :].strip())
                if candidate.suffix == ".toml" and candidate.is_file():
                    return candidate
    root = search if search is not None else REPO / "scenarios"
    if not root.is_dir():
        return None
    found: list[Path] = []
    for path in sorted(root.rglob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        if data.get("name") == name:
            found.append(path)
    return found[0] if len(found) == 1 else None


def _original_values(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        from sim.scenario.schema import load_raw

        return load_raw(path)
    except Exception:  # noqa: BLE001 - a broken original only loses the override marks
        return None


def _get(data: dict[str, Any] | None, path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node


def scenario_params(
    scenario: dict[str, Any],
    *,
    header_comments: tuple[str, ...] = (),
    scenario_file: Path | None = None,
) -> tuple[list[Param], Path | None]:
    """Every leaf parameter of a resolved scenario, with defaults, change flags and comments.

    Returns the parameters and the original scenario file used for comments (or ``None``).
    """
    from sim.scenario.schema import Scenario

    name = str(scenario.get("name", ""))
    original = scenario_file or find_scenario_file(name, header_comments)
    comments = file_comments(original) if original else {}
    raw = _original_values(original)
    chain = defining_files(original) if original else []
    services = scenario.get("services") or {}
    enabled = {n: s for n, s in services.items() if isinstance(s, dict) and s.get("enabled", True) is not False}
    used_vehicles = {str(s.get("vehicle")) for s in enabled.values()}
    out: list[Param] = []
    for path, field, value, default, has_default, description in _walk(Scenario, scenario, ""):
        if path in _NOT_ASSUMPTIONS or field == "description":
            continue
        parts = path.split(".")
        if parts[0] == "vehicles" and len(parts) > 2 and parts[1] not in used_vehicles:
            continue  # a vehicle type no running service uses
        if parts[0] == "services" and len(parts) > 2 and parts[1] not in enabled:
            continue  # a service switched off in this scenario
        changed = not has_default or not _same(value, default)
        overridden = False
        if raw is not None and path != "demand.csv":
            orig = _get(raw, path)
            reference = default if orig is _MISSING else orig
            overridden = (orig is not _MISSING or has_default) and not _same(value, reference)
        defined_in = next((name for name, data in chain if _get(data, path) is not _MISSING), "")
        out.append(Param(path, field, value, default, has_default, changed, overridden, comments.get(path, ""), description, defined_in))
    return out, original


def sourced_default(field: str, value: Any) -> str:
    """The PARAMETERS.md source of a model default, or ``""``."""
    for (name, default), source in SOURCED_DEFAULTS.items():
        if name == field and _same(value, default):
            return source
    return ""


def format_value(value: Any) -> str:
    """A parameter value as short text: integral floats without ``.0``, lists comma-separated."""
    if value is None or value is _MISSING:
        return "–"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() and abs(value) >= 1000 else (str(int(value)) if value.is_integer() else f"{value:g}")
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10000 else str(value)
    if isinstance(value, list):
        return ", ".join(format_value(v) for v in value) if value else "[]"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {format_value(v)}" for k, v in value.items()) or "{}"
    return str(value)

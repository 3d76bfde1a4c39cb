"""Dotted-key overrides of raw scenario data (``--set KEY=VALUE``, and a day type's ``set``
table): each key is checked against the pydantic schema before the value is placed, so a typo is
one message naming the key and the keys valid there. Values are TOML (``6``, ``1.5``,
``"09:30"``, ``[1, 2]``, ``true``), otherwise kept as strings."""

from __future__ import annotations

import copy
import datetime
import tomllib
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from sim.errors import ScenarioError


def parse_override(text: str) -> tuple[list[str], Any]:
    """Split ``"a.b.c=value"`` into a key path and a TOML-typed value."""
    if "=" not in text:
        raise ScenarioError(f"--set {text!r}: expected KEY=VALUE, e.g. services.choisoko.fleet_size=6")
    key, raw = text.split("=", 1)
    parts = [p.strip() for p in key.strip().split(".")]
    if not all(parts):
        raise ScenarioError(f"--set {text!r}: key {key!r} is not a dotted path like services.choisoko.fleet_size")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    if isinstance(value, (datetime.date, datetime.time)):
        value = raw.strip()  # clock times stay strings ("09:30:00")
    return parts, value


@dataclass(frozen=True)
class _Schema:
    """Where an override path is in the schema: fields of ``models`` (a union allows the fields
    of any member), or a table of user-named entries of those models."""

    models: tuple[type[BaseModel], ...] = ()
    table: bool = False

    def _fields(self) -> set[str]:
        return set() if self.table else {f for m in self.models for f in m.model_fields}

    def keys(self, node: Any) -> list[str]:
        keys: set[str] = set(node) if isinstance(node, dict) else set()
        return sorted(keys | self._fields())

    def allows(self, key: str, node: Any) -> bool:
        free = self.table and not self.models  # a table of plain values (dict[str, float]): any key
        return free or (isinstance(node, dict) and key in node) or key in self._fields()

    def child(self, key: str) -> _Schema:
        if self.table:
            return _Schema(self.models)
        found: list[type[BaseModel]] = []
        table = False
        for m in self.models:
            field = m.model_fields.get(key)
            if field is not None:
                sub = _schema_of(field.annotation)
                found.extend(x for x in sub.models if x not in found)
                table = table or sub.table
        return _Schema(tuple(found), table)


def _schema_of(ann: Any) -> _Schema:
    origin, args = typing.get_origin(ann), typing.get_args(ann)
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return _Schema((ann,))
    if origin is dict and len(args) == 2:
        inner = _schema_of(args[1])
        return _Schema(inner.models, table=True)
    found: list[type[BaseModel]] = []
    for arg in args:
        found.extend(m for m in _schema_of(arg).models if m not in found)
    return _Schema(tuple(found))


def apply_overrides(
    data: dict[str, Any], overrides: list[str], *, source: str, root: type[BaseModel], label: str = "--set"
) -> dict[str, Any]:
    """Apply ``KEY=VALUE`` overrides to raw scenario data, checking each key exists in the schema
    of ``root`` (messages name ``source`` and the override as ``label 'KEY=VALUE'``)."""
    out = copy.deepcopy(data)
    for text in overrides:
        parts, value = parse_override(text)
        set_path(out, parts, value, source=source, root=root, what=f"{label} {text!r}")
    return out


def set_path(data: dict[str, Any], parts: list[str], value: Any, *, source: str, root: type[BaseModel], what: str) -> None:
    """Set ``value`` at the dotted key ``parts`` of raw data ``data`` (in place), checking each key
    exists in the schema of ``root``; ``what`` names the override in the message."""
    node: Any = data
    schema = _Schema((root,))
    for depth, part in enumerate(parts):
        if not schema.allows(part, node):
            where = ".".join(parts[:depth]) or "(top level)"
            valid = ", ".join(schema.keys(node)) or "(none)"
            raise ScenarioError(f"{source}: {what}: unknown key {part!r} under {where}; valid keys: {valid}")
        schema = schema.child(part)
        if depth == len(parts) - 1:
            node[part] = value
        else:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]

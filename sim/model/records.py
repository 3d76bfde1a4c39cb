"""Compact storage of many records of one frozen dataclass: one typed column per field.

A day's event log holds a request record, a leg record and 4–5 vehicle moves per request. As
Python objects, each float field is a 24-byte object plus an 8-byte slot, so a request cost
≈ 1,960 bytes of log (``python benchmarks/memory.py``). :class:`RecordTable` keeps each ``float``
field in an ``array('d')`` (8 bytes) and each ``int`` field in an ``array('q')`` (8 bytes); other
fields (text, enums, booleans) keep a reference to the (shared) object (8 bytes). Records are
rebuilt when read, with the very values stored: a value whose type is not exactly the field's
(an ``int`` in a ``float`` field, a numpy scalar, an int beyond 64 bits) is kept as it was in a
small side table, and so is a NaN (the very object: records with NaN fields still compare
equal to themselves as they did in a list), so what comes out is equal, and of the same type, as
what went in.

The table behaves as the list it replaces for the log's readers and writers: ``append``,
``extend``, ``+=``, ``len``, iteration, indexing and slicing (slices are lists), ``sort(key=...)`` and
``==`` with a list of records.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields
from typing import Any, Generic, TypeVar, overload

R = TypeVar("R")

_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1


class _Column:
    """One field: a typed array (``"d"``/``"q"``) or a list, plus values kept as they were.

    ``ints`` flags the rows of a float column that hold an ``int`` (a whole number below 2**53,
    stored exactly as a double and given back as an ``int``); ``odd`` holds any other value whose
    type is not exactly the column's, and NaN objects.
    """

    __slots__ = ("code", "data", "odd", "ints")

    def __init__(self, code: str) -> None:
        self.code = code  # "d" float, "q" int, "o" any object
        self.data: Any = array(code) if code in "dq" else []
        self.odd: dict[int, Any] = {}  # row -> value whose type is not exactly the column's
        self.ints: bytearray | None = None  # float column: 1 where the row holds an int

    def append(self, value: Any) -> None:
        code = self.code
        if code == "o":
            self.data.append(value)
            return
        if code == "d":
            kind = type(value)
            if kind is float and value == value:  # nan kept as its object (in odd)
                self.data.append(value)
                if self.ints is not None:
                    self.ints.append(0)
                return
            if kind is int and -(2**53) <= value <= 2**53:
                if self.ints is None:
                    self.ints = bytearray(len(self.data))
                self.data.append(float(value))
                self.ints.append(1)
                return
        elif type(value) is int and _INT_MIN <= value <= _INT_MAX:
            self.data.append(value)
            return
        self.odd[len(self.data)] = value
        self.data.append(0)
        if self.ints is not None:
            self.ints.append(0)

    def get(self, row: int) -> Any:
        if self.odd and row in self.odd:
            return self.odd[row]
        if self.ints is not None and self.ints[row]:
            return int(self.data[row])
        return self.data[row]

    def values(self) -> list[Any]:
        if self.code == "o":
            return list(self.data)
        out = self.data.tolist()
        if self.ints is not None:
            out = [int(v) if flag else v for v, flag in zip(out, self.ints)]
        for row, value in self.odd.items():
            out[row] = value
        return out


def _code(annotation: Any) -> str:
    name = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    return {"float": "d", "int": "q"}.get(name, "o")


class RecordTable(Generic[R]):
    """Records of the frozen dataclass ``record_type`` stored column by column (see the module docstring)."""

    __slots__ = ("record_type", "_names", "_columns", "_n")

    def __init__(self, record_type: type[R], records: Iterable[R] = ()) -> None:
        self.record_type = record_type
        self._names = tuple(f.name for f in fields(record_type))  # type: ignore[arg-type]
        self._columns = tuple(_Column(_code(f.type)) for f in fields(record_type))  # type: ignore[arg-type]
        self._n = 0
        self.extend(records)

    def append(self, record: R) -> None:
        """Add ``record`` at the end."""
        for name, column in zip(self._names, self._columns):
            column.append(getattr(record, name))
        self._n += 1

    def extend(self, records: Iterable[R]) -> None:
        """Add ``records`` at the end, in order."""
        for record in records:
            self.append(record)

    def __iadd__(self, records: Iterable[R]) -> RecordTable[R]:
        self.extend(records)
        return self

    def __len__(self) -> int:
        return self._n

    def _row(self, i: int) -> R:
        return self.record_type(*(c.get(i) for c in self._columns))

    def __iter__(self) -> Iterator[R]:
        return map(self.record_type, *(c.values() for c in self._columns))

    @overload
    def __getitem__(self, i: int) -> R: ...
    @overload
    def __getitem__(self, i: slice) -> list[R]: ...
    def __getitem__(self, i: int | slice) -> R | list[R]:
        if isinstance(i, slice):
            return [self._row(k) for k in range(*i.indices(self._n))]
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError("record index out of range")
        return self._row(i)

    def sort(self, *, key: Callable[[R], Any], reverse: bool = False) -> None:
        """Reorder the records in place, as ``list.sort(key=key)`` would (stable)."""
        records = sorted(self, key=key, reverse=reverse)
        self._columns = tuple(_Column(c.code) for c in self._columns)
        self._n = 0
        self.extend(records)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RecordTable):
            return self.record_type is other.record_type and list(self) == list(other)
        if isinstance(other, list):
            return list(self) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, like the list it replaces

    def __repr__(self) -> str:
        return f"RecordTable({self.record_type.__name__}, {self._n} records)"

    def __getstate__(self) -> tuple[type[R], list[R]]:
        return self.record_type, list(self)

    def __setstate__(self, state: tuple[type[R], list[R]]) -> None:
        self.__init__(state[0], state[1])  # type: ignore[misc]

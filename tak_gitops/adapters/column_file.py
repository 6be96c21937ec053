"""The files the caches write: a kind's magic line, one line of four lengths (header, string table, strings,
columns), an orjson header, a string table (UTF-8, NUL-separated) and one array of unsigned 32-bit integers in
this machine's byte order (the caches' keys name it) holding every column, :data:`NONE` standing for None.
Reading the columns is a copy of bytes, not a parse. No index can be negative, and :data:`NONE` or any index
past the table fails its lookup, so a damaged file cannot be read as other strings.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson

TYPECODE = "I"
NONE = 0xFFFFFFFF
"""None in a column: past any string table, so a lookup of it fails."""


def pack_parts(magic: bytes, header: Mapping[str, Any], strings: Sequence[str], columns: array[int]) -> bytes:
    """``magic``, one line of four lengths, the orjson ``header``, the string table and the columns. A string
    with a NUL (none a valid desired file or TAK-api answer holds) keeps the table in the header."""
    head = dict(header)
    table = "\0".join(strings).encode("utf-8")
    if table.count(b"\0") != max(len(strings) - 1, 0):
        head["strings"], table = list(strings), b""
    encoded = orjson.dumps(head)
    data = columns.tobytes()
    sizes = f"{len(encoded)} {len(table)} {len(strings)} {len(data)}\n".encode("ascii")
    return b"".join((magic, sizes, encoded, table, data))


def unpack_parts(magic: bytes, raw: bytes) -> tuple[dict[str, Any], list[str], Cut]:
    """The header, the string table and the columns of what :func:`pack_parts` wrote (ValueError when ``raw``
    is not that)."""
    if not raw.startswith(magic):
        raise ValueError("not an entry of this kind")
    line_end = raw.index(b"\n", len(magic))
    n_header, n_table, n_strings, n_data = map(int, raw[len(magic) : line_end].split(b" "))
    start = line_end + 1
    if min(n_header, n_table, n_strings, n_data) < 0 or start + n_header + n_table + n_data != len(raw):
        raise ValueError("truncated entry")
    doc = orjson.loads(raw[start : start + n_header])
    if not isinstance(doc, dict):
        raise ValueError("not an entry of this kind")
    table = raw[start + n_header : start + n_header + n_table]
    strings = doc.pop("strings") if "strings" in doc else (table.decode("utf-8").split("\0") if n_strings else [])
    if not isinstance(strings, list) or len(strings) != n_strings:
        raise ValueError("damaged string table")
    columns = array(TYPECODE)
    columns.frombytes(raw[start + n_header + n_table :])
    return doc, strings, Cut(columns)


class Cut:
    """A column back from the one array: a reference is ``[start, length]``."""

    def __init__(self, columns: array[int]) -> None:
        self.columns = columns

    def __call__(self, ref: Sequence[int]) -> array[int]:
        start, length = ref
        if start < 0 or length < 0 or start + length > len(self.columns):
            raise IndexError("a column outside the entry")
        return self.columns[start : start + length]


class StringColumns:
    """Columns of strings being written: each string once in the table, each column a reference."""

    def __init__(self) -> None:
        self.strings: dict[str, int] = {}
        self.columns = array(TYPECODE)

    def column(self, values: Iterable[str]) -> list[int]:
        """Add a column; its reference (``[start, length]``) for the header."""
        ix, start = self.strings.setdefault, len(self.columns)
        self.columns.extend([ix(v, len(self.strings)) for v in values])
        return [start, len(self.columns) - start]

    def pack(self, magic: bytes, header: Mapping[str, Any]) -> bytes:
        """:func:`pack_parts` of ``header`` and the columns added."""
        return pack_parts(magic, header, list(self.strings), self.columns)

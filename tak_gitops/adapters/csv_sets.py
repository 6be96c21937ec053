"""CSV address sets: ``hsa-id;name[;kind;vg]`` per line, an optional header, ``#`` comments (:func:`parse_csv`)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from functools import partial
from itertools import count, repeat
from operator import methodcaller
from typing import cast

from tak_gitops.adapters.csv_tables import plain_cells
from tak_gitops.adapters.yaml_guards import control_problems
from tak_gitops.core import codes
from tak_gitops.core.safe_text import CONTROL_IN_CSV, csv_controls_possible
from tak_gitops.core.validate import CsvRow, CsvSet
from tak_gitops.errors import Diagnostic

_CSV_QUOTING = re.compile('["\\r\\x00]')
"""Characters only the csv module handles right: quotes, carriage returns (line ends), NUL (an error)."""


_SIMPLE_CSV = re.compile(r"[^;\n]+;[^;\n]*(?:\n[^;\n]+;[^;\n]*)*")
"""Lines of exactly two fields, the first not empty."""
_HEADERS = ("hsa-id", "hsa_id", "hsaid")
_new_row = cast(Callable[[tuple[str, str | None, None, None, int, int]], CsvRow], partial(tuple.__new__, CsvRow))


def _simple_csv_rows(text: str) -> list[CsvRow] | None:
    """The rows of a CSV set that is just ``hsa-id;name`` lines (:func:`~tak_gitops.adapters.csv_tables.plain_cells`),
    split a column at a time; None for any other text."""
    plain = plain_cells(text, _HEADERS, _SIMPLE_CSV)
    if plain is None:
        return None
    cells, first = plain
    names: list[str | None] = list(cells[1::2])
    if "" in names:
        names = [n or None for n in names]
    return list(map(_new_row, zip(cells[0::2], names, repeat(None), repeat(None), count(first), repeat(0))))


def parse_csv(text: str, path: str) -> tuple[CsvSet, list[Diagnostic]]:
    """Parse a CSV address set: ``hsa-id;name[;kind;vg]`` per line, optional header, ``#`` comments.

    Text without quotes, carriage returns or NUL (what people write) is split on ``\\n`` and ``;``, which is
    what the csv module does with it; anything else goes through the csv module (strict)."""
    if csv_controls_possible(text):
        return CsvSet(path, ()), control_problems(text, path, CONTROL_IN_CSV)
    rows: list[CsvRow] = []
    problems: list[Diagnostic] = []
    reader = None
    numbered: Iterator[tuple[int, list[str]]]
    limit = csv.field_size_limit()
    if _CSV_QUOTING.search(text) is None and (len(text) <= limit or max(map(len, text.split("\n"))) <= limit):
        simple = _simple_csv_rows(text)
        if simple is not None:
            return CsvSet(path, tuple(simple)), problems
        numbered = zip(count(1), map(methodcaller("split", ";"), text.split("\n")))
    else:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True)
        numbered = ((reader.line_num, fields) for fields in reader)
    first_data = True
    try:
        for line, fields in numbered:
            cells = [f.strip() for f in fields]
            if not any(cells) or cells[0].startswith("#"):
                continue
            if first_data:
                first_data = False
                if cells[0].lower() in ("hsa-id", "hsa_id", "hsaid"):
                    continue
            n = len(cells)
            if n == 2:
                rows.append(CsvRow(cells[0], cells[1] or None, None, None, line, 0))
                continue
            if n < 2 or n > 4:
                problems.append(
                    Diagnostic(
                        path,
                        line,
                        1,
                        codes.CSV_MALFORMED,
                        f"expected hsa-id;name[;kind;vg] (2 to 4 fields separated by ';'), found {n}",
                    )
                )
                continue
            kind = cells[2].upper() if cells[2] else None
            if kind is not None and kind not in ("VG", "VE"):
                col = len(fields[0]) + len(fields[1]) + 3
                problems.append(
                    Diagnostic(path, line, col, codes.CSV_MALFORMED, f"kind must be VG or VE, not {cells[2]!r}")
                )
                continue
            vg = cells[3] if n > 3 and cells[3] else None
            col_vg = len(fields[0]) + len(fields[1]) + len(fields[2]) + 4 if vg else 0
            rows.append(CsvRow(cells[0], cells[1] or None, kind, vg, line, col_vg))
    except csv.Error as exc:
        line_num = reader.line_num if reader is not None else 0
        problems.append(Diagnostic(path, line_num, 1, codes.CSV_MALFORMED, f"malformed CSV: {exc}"))
    return CsvSet(path, tuple(rows)), problems

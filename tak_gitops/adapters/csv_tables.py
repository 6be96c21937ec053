"""Reading the CSV routing tables (``contract;address;name``) and authorization tables (``contract;address``)
that environment files name, with every problem at the table's own line."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from itertools import count, repeat
from pathlib import Path

from tak_gitops.adapters.file_access import is_missing, read_text
from tak_gitops.adapters.yaml_guards import control_problems
from tak_gitops.core import codes
from tak_gitops.core.nodes import Node
from tak_gitops.core.safe_text import CONTROL_IN_CSV
from tak_gitops.core.validate import Diagnostics
from tak_gitops.core.validate.inputs import CsvTable, TableRow
from tak_gitops.core.validate.tables import table_references
from tak_gitops.errors import Diagnostic

HEADERS = ("contract", "tjanstekontrakt")


def _lines(text: str) -> Iterator[tuple[int, list[str]]]:
    if '"' not in text and "\r" not in text and "\x00" not in text:
        for number, line in enumerate(text.split("\n"), start=1):
            yield number, line.split(";")
        return
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True)
    for fields in reader:
        yield reader.line_num, fields


_LINE = {2: '[^;\n"\r]+;[^;\n"\r]+', 3: '[^;\n"\r]+;[^;\n"\r]+;[^;\n"\r]*'}
_PLAIN = {n: re.compile(f"{line}(?:\n{line})*") for n, line in _LINE.items()}
"""Lines of exactly ``n`` fields, the contract and the address not empty, no quote or carriage return."""


def plain_cells(text: str, headers: tuple[str, ...], lines: re.Pattern[str]) -> tuple[list[str], int] | None:
    """The cells of a CSV text that is just plain lines, in order, and the line number of the first row: an
    optional first line naming the columns (its first field one of ``headers``), then lines ``lines`` matches
    whole, none of them a comment, no white space around a field. None for any other text (the csv module reads
    it). What CSV address sets and tables share."""
    body = text[:-1] if text.endswith("\n") else text
    first = 1
    head, _nl, rest = body.partition("\n")
    if head.split(";", 1)[0].strip().lower() in headers:
        body, first = rest, 2
    if not body:
        return [], first
    if body.startswith("#") or "\n#" in body or not lines.fullmatch(body):
        return None
    cells = body.replace("\n", ";").split(";")
    if list(map(str.strip, cells)) != cells:  # white space around a field
        return None
    return cells, first


def _plain_rows(text: str, fields: int) -> list[TableRow] | None:
    """The rows of a table that is just lines of ``fields`` fields (:func:`plain_cells`), split a column at a
    time; None for any other text."""
    plain = plain_cells(text, HEADERS, _PLAIN[fields])
    if plain is None:
        return None
    cells, first = plain
    contracts = cells[0::fields]
    names = [name or None for name in cells[2::3]] if fields == 3 else repeat(None)
    columns = [len(contract) + 2 for contract in contracts]
    return list(map(TableRow, contracts, cells[1::fields], names, count(first), columns))


def parse_table(text: str, path: str, *, names: bool) -> tuple[CsvTable, list[Diagnostic]]:
    """Parse a table: ``contract;address;name`` (``names``: a routing table; the name may be empty or left out)
    or ``contract;address`` (an authorization table). A first line naming the columns, blank lines and lines
    starting with ``#`` are skipped; fields are trimmed and may be quoted."""
    controls = control_problems(text, path, CONTROL_IN_CSV)
    if controls:  # refused whole, as a CSV address set is
        return CsvTable(path, ()), controls
    problems: list[Diagnostic] = []
    plain = _plain_rows(text, 3 if names else 2) if "\x00" not in text else None
    if plain is not None:
        return CsvTable(path, tuple(plain)), problems
    rows: list[TableRow] = []
    shape = "contract;address;name" if names else "contract;address"
    first = True
    line = 0
    try:
        for line, fields in _lines(text):
            cells = [f.strip() for f in fields]
            if not any(cells) or cells[0].startswith("#"):
                continue
            if first:
                first = False
                if cells[0].lower() in HEADERS:
                    continue
            if len(cells) < 2 or len(cells) > (3 if names else 2) or not cells[0] or not cells[1]:
                problems.append(
                    Diagnostic(path, line, 1, codes.TABLE_MALFORMED, f"expected {shape}, found {len(cells)} field(s)")
                )
                continue
            name = cells[2] or None if len(cells) == 3 else None
            rows.append(TableRow(cells[0], cells[1], name, line, len(fields[0]) + 2))
    except csv.Error as exc:
        problems.append(Diagnostic(path, line + 1, 1, codes.TABLE_MALFORMED, f"malformed CSV: {exc}"))
    return CsvTable(path, tuple(rows)), problems


def read_tables(
    folder: Path, show: Callable[[Path], str], roots: list[Node | None], diags: Diagnostics, max_bytes: int
) -> dict[str, CsvTable | None]:
    """Read every table the environment files (``roots``) of ``folder`` name, each once; ``show`` gives a file's
    display path. A table that cannot be read is reported and maps to None."""
    tables: dict[str, CsvTable | None] = {}
    for root in roots:
        for written, node, routing in table_references(root):
            if written in tables:
                continue
            file = folder / written
            path = show(file)
            tables[written] = None
            text, problem = read_text(file, path, max_bytes, folder)  # the file-access policy, below the folder
            if text is None:
                if is_missing(problem):
                    diags.error(node, codes.CSV_MISSING, f"CSV table {path} does not exist")
                elif problem is not None:
                    diags.extend([problem])
                continue
            table, problems = parse_table(text, path, names=routing)
            diags.extend(problems)
            tables[written] = table
    return tables

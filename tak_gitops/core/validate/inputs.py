"""The validator's inputs: organisation folders as parsed node trees and CSV address sets, and a reader of
their list nodes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from tak_gitops.core.nodes import Node

ORGANISATION_FILE = "organisation.yaml"


class CsvRow(NamedTuple):
    """One address line of a CSV address set (``line`` is the CSV file's own 1-based line number).

    A named tuple: a national-scale repository has hundreds of thousands of them."""

    hsa_id: str
    name: str | None
    kind: str | None
    vg: str | None
    line: int
    col_vg: int = 0
    """1-based column where the ``vg`` field starts (0 when absent); for diagnostics on it."""


@dataclass(frozen=True)
class CsvSet:
    """A parsed CSV address set. ``path`` is the display path used in diagnostics."""

    path: str
    rows: tuple[CsvRow, ...]


class TableRow(NamedTuple):
    """One line of a CSV routing or authorization table: ``contract;address[;name]`` (``line`` 1-based)."""

    contract: str
    address: str
    name: str | None
    line: int
    col_address: int
    """1-based column where the address field starts."""


@dataclass(frozen=True)
class CsvTable:
    """A parsed CSV routing table (``contract;address;name``) or authorization table (``contract;address``)."""

    path: str
    rows: tuple[TableRow, ...]


@dataclass(frozen=True)
class OrgInput:
    """Everything read from one ``desired/<org>/`` folder.

    ``organisation`` is None when ``organisation.yaml`` is missing (``organisation_present`` False) or could
    not be loaded (the loader already reported why). ``environments`` maps the environment name (the file
    stem) to ``(display path, root node or None)``. ``csv_sets`` maps a CSV path as written in
    organisation.yaml to the parsed set, or None when the loader could not read it (already reported).
    """

    key: str
    folder: str
    organisation_path: str
    organisation: Node | None
    organisation_present: bool = True
    environments: Mapping[str, tuple[str, Node | None]] = field(default_factory=dict)
    csv_sets: Mapping[str, CsvSet | None] = field(default_factory=dict)
    extra_files: tuple[str, ...] = ()
    """Display paths of files in the folder that are not desired files (e.g. ``NTJP-PROD.yml``)."""
    tables: Mapping[str, CsvTable | None] = field(default_factory=dict)
    """The CSV tables the environment files name (``routing_table``, ``authorization_table``), by the path as
    written; None when the loader could not read one (already reported)."""


def seq(node: Node | None) -> tuple[Node, ...]:
    """The items of a list node; none for an absent node (or one that is not a list)."""
    return node.seq() if node is not None else ()

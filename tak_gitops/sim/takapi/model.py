"""The TAK-api's model of one published version on one day: its objects under the API's own ids, with indexes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Component:
    id: int
    hsa_id: str
    description: str | None


@dataclass(frozen=True)
class Address:
    id: int
    address: str
    description: str | None


@dataclass(frozen=True)
class Contract:
    id: int
    namespace: str
    name: str | None
    major: int
    minor: int


@dataclass(frozen=True)
class Cooperation:
    id: int
    consumer: int
    address: int
    contract: int


@dataclass(frozen=True)
class Production:
    id: int
    producer: int
    address: int
    contract: int
    url: str
    profile: str


def _select(
    rows: Mapping[int, Any], index: Mapping[tuple[str, int], list[int]], match: Mapping[str, int | None]
) -> list[Any]:
    """The rows matching every non-None criterion, by id, using the index of the first criterion."""
    wanted = [(k, v) for k, v in match.items() if v is not None]
    if not wanted:
        return [rows[i] for i in sorted(rows)]
    candidates = index.get(wanted[0], [])
    return [rows[i] for i in candidates if all(getattr(rows[i], k) == v for k, v in wanted[1:])]


@dataclass
class Model:
    """The TAK-api view of one published version on one day."""

    connection_point: dict[str, Any]
    consumers: dict[int, Component] = field(default_factory=dict)
    producers: dict[int, Component] = field(default_factory=dict)
    addresses: dict[int, Address] = field(default_factory=dict)
    contracts: dict[int, Contract] = field(default_factory=dict)
    installed: dict[int, int] = field(default_factory=dict)
    """installedContract id -> contract id"""
    cooperations: dict[int, Cooperation] = field(default_factory=dict)
    productions: dict[int, Production] = field(default_factory=dict)
    _indexes: dict[str, dict[tuple[str, int], list[int]]] = field(default_factory=dict)

    def index(self, table: str) -> dict[tuple[str, int], list[int]]:
        """(attribute, value) -> ids of the rows of ``cooperations`` or ``productions`` with that value."""
        found = self._indexes.get(table)
        if found is None:
            rows: dict[int, Any] = getattr(self, table)
            found = {}
            for ident, row in rows.items():
                for attr in ("consumer", "producer", "address", "contract"):
                    if hasattr(row, attr):
                        found.setdefault((attr, getattr(row, attr)), []).append(ident)
            self._indexes[table] = found
        return found

    def coops(self, **match: int | None) -> list[Cooperation]:
        """The cooperations (authorizations) matching every given id."""
        return _select(self.cooperations, self.index("cooperations"), match)

    def prods(self, **match: int | None) -> list[Production]:
        """The service productions (routings) matching every given id."""
        return _select(self.productions, self.index("productions"), match)

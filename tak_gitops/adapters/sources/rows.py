"""The rows every source reader builds a snapshot from, and the checks of a source row's keys and values."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from tak_gitops.core.snapshot import AuthorizationKey, Contract, RoutingKey, RoutingValue, Snapshot
from tak_gitops.errors import SourceError

intern = sys.intern


def hsa(value: Any) -> str:
    """An HSA-id as the snapshot holds it: stripped, upper-cased, interned."""
    return intern(value.strip().upper())


def need(row: Any, key: str, label: str, path: Path, hint: str = "") -> Any:
    """``row[key]``; a SourceError names the row when ``row`` is no object or lacks the key."""
    if not isinstance(row, dict):
        raise SourceError(f"expected an object, found {type(row).__name__}", path=str(path), row=label)
    if key not in row:
        raise SourceError(f"missing key {key!r}{hint}", path=str(path), row=label)
    return row[key]


def need_str(row: Any, key: str, label: str, path: Path, hint: str = "") -> str:
    """``row[key]`` when it is a non-empty string; else a SourceError naming the row."""
    value = need(row, key, label, path, hint)
    if not isinstance(value, str) or not value.strip():
        raise SourceError(f"{key!r} must be a non-empty string, found {value!r}", path=str(path), row=label)
    return value


class Rows:
    """Accumulates normalized rows and remembers duplicate routing keys for the check.

    The caches map a raw HSA-id or namespace string, as found in the source, to its normalized, interned
    form; a cache miss is also the moment a description is recorded."""

    def __init__(self) -> None:
        self.routings: dict[RoutingKey, RoutingValue] = {}
        self.authorizations: dict[AuthorizationKey, None] = {}
        """The authorizations, each once, in the order the source lists them (a dict used as an ordered set)."""
        self.logical_addresses: dict[str, str] = {}
        self.systems: dict[str, str] = {}
        self.contracts: dict[str, Contract] = {}
        self.duplicate_keys: set[RoutingKey] = set()
        self.system_ids: dict[str, str] = {}
        self.address_ids: dict[str, str] = {}
        self.namespaces: dict[str, str] = {}

    def snapshot(self, *, platform: str, environment: str, snapshot_time: str | None, source: str) -> Snapshot:
        """The snapshot of these rows; its ``authorization_rows`` are in the source's order (a source sorted as
        the snapshot file is needs no sorting when it is written)."""
        snapshot = Snapshot(
            platform=platform,
            environment=environment,
            snapshot_time=snapshot_time,
            source=source,
            routings=self.routings,
            authorizations=frozenset(self.authorizations),
            logical_addresses=self.logical_addresses,
            systems=self.systems,
            contracts=self.contracts,
        )
        snapshot.__dict__["authorization_rows"] = tuple(self.authorizations)  # the cached_property, in order
        return snapshot

    def system(self, obj: dict[str, Any]) -> str:
        """Normalize a nested serviceConsumer/serviceProducer (cache miss path)."""
        return self._described(obj, "hsaId", self.system_ids, self.systems)

    def address(self, obj: dict[str, Any]) -> str:
        """Normalize a nested logicalAddress (cache miss path)."""
        return self._described(obj, "logicalAddress", self.address_ids, self.logical_addresses)

    @staticmethod
    def _described(obj: dict[str, Any], key: str, ids: dict[str, str], descriptions: dict[str, str]) -> str:
        """The HSA-id under ``key``, normalized and remembered, with the first description seen for it."""
        value = hsa(obj[key])
        if not value:
            raise TypeError(f"empty {key}")
        ids[obj[key]] = value
        descriptions.setdefault(value, intern(obj.get("description", "")))
        return value

    def contract(self, obj: dict[str, Any]) -> str:
        """Normalize a nested serviceContract (cache miss path)."""
        ns = self.namespaces[obj["namespace"]] = intern(obj["namespace"])
        major, minor = obj.get("major", 0), obj.get("minor", 0)
        if not isinstance(major, int) or not isinstance(minor, int):
            raise TypeError("major/minor")
        if ns not in self.contracts:
            self.contracts[ns] = Contract(ns, intern(obj.get("name", "")), major, minor)
        return ns

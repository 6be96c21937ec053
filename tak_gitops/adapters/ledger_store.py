"""The order ledger on disk: ``orders/<ENV>/<order-id>.json`` records (the environment lock is in
:mod:`tak_gitops.adapters.env_lock`).

Records are pretty, key-sorted JSON written atomically (temp file in the same directory, fsync, os.replace,
directory fsync), so a process killed at any moment leaves either the old or the new record, never half of
one. The apply workflow commits the directory back to the repository.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson

from tak_gitops.adapters.atomic import write_bytes_atomic
from tak_gitops.adapters.env_lock import (
    DEFAULT_LOCK_TTL,
    LOCK_GRACE,
    LOCK_NAME,
    EnvLock,
    LockedDirectory,
)
from tak_gitops.core.canonical import pretty_json
from tak_gitops.core.ledger import LedgerRecord, pending
from tak_gitops.core.pending import PendingOrder
from tak_gitops.errors import LedgerError

__all__ = ["DEFAULT_LOCK_TTL", "LOCK_GRACE", "LOCK_NAME", "EnvLock", "LedgerStore", "atomic_write", "pending_orders"]


def atomic_write(path: Path, data: bytes, *, sync: bool = True) -> None:
    """Write ``data`` to ``path`` atomically: temp file in the same directory, fsync (unless ``sync`` is False),
    replace, fsync the directory."""
    write_bytes_atomic(path, data, sync=sync)


_SAFE_REF = re.compile(r"[0-9A-Za-z_-][0-9A-Za-z._-]*")
"""An order id as a file name: no path separators, not hidden."""


class LedgerStore(LockedDirectory):
    """The records of one environment under ``<root>/<ledger_dir>/<env>/``, and its lock."""

    def __init__(self, root: Path, env: str, ledger_dir: str = "orders") -> None:
        self.env = env
        self.root = root
        self.directory = root / ledger_dir / env

    def path_of(self, order_id: str) -> Path:
        return self.directory / f"{order_id}.json"

    def load(self, order_id: str) -> LedgerRecord:
        path = self.path_of(order_id)
        if not path.is_file():
            raise LedgerError(f"no order {order_id} in {self.directory}")
        return self._read(path)

    def _read(self, path: Path) -> LedgerRecord:
        try:
            data: Any = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError) as exc:
            raise LedgerError(f"{path}: cannot read order record: {exc}") from exc
        if not isinstance(data, dict):
            raise LedgerError(f"{path}: an order record must be a JSON object")
        record = LedgerRecord.from_dict(data, str(path))
        if record.order_id != path.stem:
            raise LedgerError(f"{path}: holds order {record.order_id}, not {path.stem}")
        if record.env != self.env:
            raise LedgerError(f"{path}: belongs to environment {record.env}, not {self.env}")
        return record

    def records(self) -> list[LedgerRecord]:
        """Every record of the environment, sorted by creation time then order id."""
        if not self.directory.is_dir():
            return []
        out = [self._read(p) for p in sorted(self.directory.glob("*.json"))]
        return sorted(out, key=lambda r: (r.created, r.wave, r.order_id))

    def save(self, record: LedgerRecord, *, sync: bool = True) -> None:
        """Write a record atomically; ``sync=False`` where losing it in a crash is harmless (see apply_runner)."""
        if record.env != self.env:
            raise LedgerError(f"order {record.order_id} belongs to {record.env}, not {self.env}")
        atomic_write(self.path_of(record.order_id), pretty_json(record.to_dict()), sync=sync)

    def find(self, ref: str) -> LedgerRecord:
        """An order by its id, a unique prefix of its id, or a unique prefix of its idempotency key (as printed
        in ``kommentar``)."""
        if _SAFE_REF.fullmatch(ref) and self.path_of(ref).is_file():
            return self.load(ref)
        bare = ref.removeprefix("sha256:").lower()
        hits = [
            r
            for r in self.records()
            if ref
            and (r.order_id.startswith(ref) or (bare and r.idempotency_key.removeprefix("sha256:").startswith(bare)))
        ]
        if len(hits) == 1:
            return hits[0]
        if not hits:
            raise LedgerError(
                f"no order {ref!r} in {self.directory} (give an order id, a unique prefix of one, or a key prefix)"
            )
        raise LedgerError(
            f"{ref!r} matches {len(hits)} orders: " + ", ".join(sorted(r.order_id for r in hits)) + "; give more of it"
        )


def pending_orders(root: Path, env: str, ledger_dir: str = "orders") -> tuple[PendingOrder, ...]:
    """The planner's input: every order of ``env`` in state submitted or unknown."""
    return pending(LedgerStore(root, env, ledger_dir).records())

"""The order ledger on disk: ``orders/<ENV>/<order-id>.json`` records and the environment lock.

Records are pretty, key-sorted JSON written atomically (temp file in the same directory, fsync, os.replace,
directory fsync), so a process killed at any moment leaves either the old or the new record, never half of
one. The apply workflow commits the directory back to the repository.

The lock ``orders/<ENV>/.lock`` is created with ``O_CREAT | O_EXCL`` and holds JSON with the owner, pid, host,
a nonce, when it was taken and when it expires. A lock past its expiry, or held by a process that no longer
exists on this host, is stale and may be taken over; ``tak-gitops orders unlock --env ENV`` removes a stale
lock, ``--force`` any lock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import secrets
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from tak_gitops.adapters.atomic import write_bytes_atomic
from tak_gitops.core.canonical import pretty_json
from tak_gitops.core.ledger import LedgerRecord, pending
from tak_gitops.core.pending import PendingOrder
from tak_gitops.errors import LedgerError, LockedError

LOCK_NAME = ".lock"
DEFAULT_LOCK_TTL = dt.timedelta(hours=1)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: temp file in the same directory, fsync, replace, fsync the directory."""
    write_bytes_atomic(path, data)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_SAFE_REF = re.compile(r"[0-9A-Za-z_-][0-9A-Za-z._-]*")
"""An order id as a file name: no path separators, not hidden."""

class LedgerStore:
    """The records of one environment under ``<root>/<ledger_dir>/<env>/``."""

    def __init__(self, root: Path, env: str, ledger_dir: str = "orders") -> None:
        self.env = env
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

    def save(self, record: LedgerRecord) -> None:
        if record.env != self.env:
            raise LedgerError(f"order {record.order_id} belongs to {record.env}, not {self.env}")
        atomic_write(self.path_of(record.order_id), pretty_json(record.to_dict()))

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

    # -- the lock -------------------------------------------------------------------------------------------

    @property
    def lock_path(self) -> Path:
        return self.directory / LOCK_NAME

    def read_lock(self) -> dict[str, Any] | None:
        try:
            data: Any = orjson.loads(self.lock_path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, orjson.JSONDecodeError):
            return {"owner": "?", "unreadable": True}
        return data if isinstance(data, dict) else {"owner": "?", "unreadable": True}

    @staticmethod
    def lock_is_stale(lock: dict[str, Any], now: dt.datetime) -> str | None:
        """Why ``lock`` is stale (expired, or its process is gone on this host), or None while it holds."""
        try:
            expires = dt.datetime.fromisoformat(str(lock["expires"]))
        except (KeyError, ValueError):
            return None
        if now >= expires:
            return f"expired at {lock['expires']}"
        same_host = lock.get("host") == socket.gethostname() and isinstance(lock.get("pid"), int)
        if same_host and not _pid_alive(int(lock["pid"])):
            return f"process {lock['pid']} on {lock['host']} is gone"
        return None

    def acquire(self, owner: str, *, now: dt.datetime, ttl: dt.timedelta = DEFAULT_LOCK_TTL) -> EnvLock:
        """Take the environment lock or raise :class:`LockedError` saying who holds it and how to free it."""
        self.directory.mkdir(parents=True, exist_ok=True)
        body = {
            "owner": owner,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "nonce": secrets.token_hex(8),
            "created": now.replace(microsecond=0).isoformat(),
            "expires": (now + ttl).replace(microsecond=0).isoformat(),
            "env": self.env,
        }
        for _ in range(2):
            try:
                fd = os.open(self.lock_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                held = self.read_lock() or {}
                stale = self.lock_is_stale(held, now)
                if stale is None:
                    raise LockedError(
                        f"environment {self.env} is locked by {held.get('owner', '?')} "
                        f"(pid {held.get('pid', '?')} on {held.get('host', '?')}, since {held.get('created', '?')}, "
                        f"until {held.get('expires', '?')}); wait, or run "
                        f"`tak-gitops orders unlock --env {self.env} --force` if that apply is dead"
                    ) from None
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.lock_path)
                continue
            with os.fdopen(fd, "wb") as handle:
                handle.write(pretty_json(body))
                handle.flush()
                os.fsync(handle.fileno())
            _fsync_dir(self.directory)
            self._sweep_temp_files()
            return EnvLock(self, body, ttl)
        raise LockedError(f"environment {self.env}: could not take the lock at {self.lock_path}")

    def _sweep_temp_files(self) -> None:
        """Remove temporary files a killed writer left behind (``.<name>.<random>.tmp``). Only called while this
        process holds the lock, so no other writer of this directory is running."""
        for leftover in self.directory.glob(".*.tmp"):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()

    def unlock(self, *, now: dt.datetime, force: bool = False) -> str:
        """Remove the lock: a stale one always, a live one only with ``force``. Returns what was done."""
        held = self.read_lock()
        if held is None:
            return f"environment {self.env} is not locked"
        stale = self.lock_is_stale(held, now)
        if stale is None and not force and not held.get("unreadable"):
            raise LockedError(
                f"environment {self.env} is locked by {held.get('owner', '?')} (pid {held.get('pid', '?')} on "
                f"{held.get('host', '?')}, until {held.get('expires', '?')}) and the lock is live; add --force "
                "only if you are sure that apply is dead"
            )
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.lock_path)
        _fsync_dir(self.directory)
        return f"removed the lock of {self.env} held by {held.get('owner', '?')}" + (f" ({stale})" if stale else "")


@dataclass
class EnvLock:
    """A held environment lock. ``refresh`` pushes the expiry forward; ``release`` removes it if still ours."""

    store: LedgerStore
    body: dict[str, Any]
    ttl: dt.timedelta

    def _ours(self) -> bool:
        held = self.store.read_lock()
        return held is not None and held.get("nonce") == self.body["nonce"]

    def refresh(self, now: dt.datetime) -> None:
        if not self._ours():
            raise LockedError(f"the lock of {self.store.env} was taken away during this apply; stopping")
        self.body = {**self.body, "expires": (now + self.ttl).replace(microsecond=0).isoformat()}
        atomic_write(self.store.lock_path, pretty_json(self.body))

    def release(self) -> None:
        if self._ours():
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.store.lock_path)

    @contextlib.contextmanager
    def held(self) -> Iterator[EnvLock]:
        try:
            yield self
        finally:
            self.release()


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def pending_orders(root: Path, env: str, ledger_dir: str = "orders") -> tuple[PendingOrder, ...]:
    """The planner's input: every order of ``env`` in state submitted or unknown."""
    return pending(LedgerStore(root, env, ledger_dir).records())

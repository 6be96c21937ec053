"""The environment lock of a ledger directory (``orders/<ENV>/.lock``): taking it, taking over a stale one, and
releasing it.

The lock ``orders/<ENV>/.lock`` holds JSON with the owner, pid, host, a nonce, when it was taken and when it
expires. It is written whole to a temporary file first and linked into place (``os.link`` fails when a lock
exists), so no lock is ever seen empty by this code's own writers. A lock past its expiry, held by a process that
no longer exists on this host, or empty or unreadable and older than :data:`LOCK_GRACE` (a writer killed by an
older version) is stale and may be taken over. A takeover is atomic: a contender first claims the stale lock by
hard-linking it to ``.lock.claim-<inode>`` (only one link of that name can be made), verifies the claim is still
the very file it judged stale (inode and bytes), and only then puts its own lock in place; every other contender
fails to claim, or finds the claim is not the file it judged, and sees the winner's live lock.
``tak-gitops orders unlock --env ENV`` removes a stale or unreadable lock, ``--force`` any lock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from tak_gitops.adapters.atomic import write_bytes_atomic
from tak_gitops.core.canonical import pretty_json
from tak_gitops.errors import LockedError

LOCK_NAME = ".lock"
DEFAULT_LOCK_TTL = dt.timedelta(hours=1)
LOCK_GRACE = dt.timedelta(seconds=30)
"""An empty or unreadable lock older than this is stale (its writer died between creating and writing it)."""

before_takeover: Callable[[], None] = lambda: None  # noqa: E731
"""Called between judging a lock stale and claiming it; the lock race test widens the window with a delay."""


@dataclass(frozen=True)
class _SeenLock:
    """A lock file as read: its inode, age in seconds, bytes, and parsed body (None when empty or unreadable)."""

    inode: int
    age_seconds: float
    raw: bytes
    body: dict[str, Any] | None


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LockedDirectory:
    """The lock of the ledger directory ``self.directory`` of environment ``self.env`` (in repository ``self.root``)."""

    env: str
    root: Path
    directory: Path

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

    def unlock_command(self, *, force: bool = False) -> str:
        """The exact command that removes this environment's lock."""
        root = "" if self.root == Path(".") else f" --root {self.root}"
        return f"tak-gitops orders unlock --env {self.env}{root}" + (" --force" if force else "")

    def _seen(self) -> _SeenLock | None:
        """The lock file as it is now, or None when there is none."""
        try:
            fd = os.open(self.lock_path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            info = os.fstat(fd)
            with os.fdopen(fd, "rb", closefd=False) as handle:
                raw = handle.read()
        finally:
            os.close(fd)
        try:
            data: Any = orjson.loads(raw)
        except orjson.JSONDecodeError:
            data = None
        return _SeenLock(info.st_ino, time.time() - info.st_mtime, raw, data if isinstance(data, dict) else None)

    def _stale_reason(self, seen: _SeenLock, now: dt.datetime) -> str | None:
        if seen.body is None:
            if seen.age_seconds > LOCK_GRACE.total_seconds():
                return f"empty or unreadable for {seen.age_seconds:.0f} s"
            return None
        return self.lock_is_stale(seen.body, now)

    def _locked_error(self, seen: _SeenLock) -> LockedError:
        held = seen.body
        if held is None:
            return LockedError(
                f"environment {self.env} has an empty or unreadable lock {self.lock_path}, "
                f"{seen.age_seconds:.0f} s old (an apply is taking it, or was killed while taking it); it counts "
                f"as stale after {LOCK_GRACE.total_seconds():.0f} s: retry then, or run `{self.unlock_command()}`"
            )
        return LockedError(
            f"environment {self.env} is locked by {held.get('owner', '?')} "
            f"(pid {held.get('pid', '?')} on {held.get('host', '?')}, since {held.get('created', '?')}, "
            f"until {held.get('expires', '?')}); wait, or run `{self.unlock_command(force=True)}` if that apply is dead"
        )

    def _write_temp(self, data: bytes, tag: str) -> Path:
        tmp = self.directory / f".{LOCK_NAME}.{tag}.new"
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        return tmp

    def _create(self, data: bytes, tag: str) -> bool:
        """Put a lock holding ``data`` in place when there is none; False when one exists."""
        tmp = self._write_temp(data, tag)
        try:
            os.link(tmp, self.lock_path)
        except FileExistsError:
            return False
        finally:
            tmp.unlink(missing_ok=True)
        _fsync_dir(self.directory)
        return True

    def _take_over(self, seen: _SeenLock, data: bytes, tag: str) -> bool:
        """Replace the stale lock ``seen`` with one holding ``data``, unless another contender claimed it first or
        the lock is no longer that file."""
        claim = self.directory / f".{LOCK_NAME}.claim-{seen.inode}"
        try:
            os.link(self.lock_path, claim)
        except (FileExistsError, FileNotFoundError):
            return False
        try:
            try:
                if os.stat(claim).st_ino != seen.inode or claim.read_bytes() != seen.raw:
                    return False  # the lock changed between reading and claiming: not the stale lock judged
            except FileNotFoundError:
                return False
            tmp = self._write_temp(data, tag)
            try:
                os.replace(tmp, self.lock_path)
            finally:
                tmp.unlink(missing_ok=True)
            _fsync_dir(self.directory)
            return True
        finally:
            claim.unlink(missing_ok=True)

    def acquire(self, owner: str, *, now: dt.datetime, ttl: dt.timedelta = DEFAULT_LOCK_TTL) -> EnvLock:
        """Take the environment lock or raise :class:`LockedError` saying who holds it and the command that frees it."""
        self.directory.mkdir(parents=True, exist_ok=True)
        body: dict[str, Any] = {
            "owner": owner,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "nonce": secrets.token_hex(8),
            "created": now.replace(microsecond=0).isoformat(),
            "expires": (now + ttl).replace(microsecond=0).isoformat(),
            "env": self.env,
        }
        data = pretty_json(body)
        for _ in range(3):
            if self._create(data, body["nonce"]):
                break
            seen = self._seen()
            if seen is None:
                continue  # released meanwhile: try to create it again
            if self._stale_reason(seen, now) is None:
                raise self._locked_error(seen)
            before_takeover()
            if self._take_over(seen, data, body["nonce"]):
                break
        else:
            seen = self._seen()
            raise self._locked_error(seen) if seen is not None else LockedError(
                f"environment {self.env}: could not take the lock at {self.lock_path}; retry"
            )
        held = self._seen()
        if held is None or held.body is None or held.body.get("nonce") != body["nonce"]:
            raise LockedError(f"environment {self.env}: the lock at {self.lock_path} was taken by another apply")
        self._sweep_temp_files()
        return EnvLock(self, body, ttl)

    def _sweep_temp_files(self) -> None:
        """Remove temporary files a killed writer left behind: record files (``.<name>.<random>.tmp``; only called
        while this process holds the lock, so no other writer of records is running), and a contender's new lock
        or claim (``.lock.<nonce>.new``, ``.lock.claim-<inode>``) once older than :data:`LOCK_GRACE` (a younger one
        may belong to a contender still at work)."""
        for leftover in self.directory.glob(".*.tmp"):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        for leftover in [*self.directory.glob(f".{LOCK_NAME}.*.new"), *self.directory.glob(f".{LOCK_NAME}.claim-*")]:
            with contextlib.suppress(FileNotFoundError):
                # ctime: making the claim link changes it, while the stale lock's mtime stays old
                if time.time() - leftover.stat().st_ctime > LOCK_GRACE.total_seconds():
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
                f"(`{self.unlock_command(force=True)}`) only if you are sure that apply is dead"
            )
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.lock_path)
        _fsync_dir(self.directory)
        return f"removed the lock of {self.env} held by {held.get('owner', '?')}" + (f" ({stale})" if stale else "")


@dataclass
class EnvLock:
    """A held environment lock. ``refresh`` pushes the expiry forward; ``release`` removes it if still ours."""

    store: LockedDirectory
    body: dict[str, Any]
    ttl: dt.timedelta

    def _ours(self) -> bool:
        held = self.store.read_lock()
        return held is not None and held.get("nonce") == self.body["nonce"]

    def refresh(self, now: dt.datetime) -> None:
        if not self._ours():
            raise LockedError(f"the lock of {self.store.env} was taken away during this apply; stopping")
        self.body = {**self.body, "expires": (now + self.ttl).replace(microsecond=0).isoformat()}
        write_bytes_atomic(self.store.lock_path, pretty_json(self.body))

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

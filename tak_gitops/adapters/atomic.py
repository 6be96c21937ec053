"""Atomic file writes: a temporary file in the same directory, fsync, rename, fsync of the directory.

A reader never sees a half-written file, and a crash leaves either the old or the new content.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import BinaryIO

_DEFERRED: ContextVar[set[Path] | None] = ContextVar("tak_gitops_deferred_directory_syncs", default=None)


@contextlib.contextmanager
def directory_syncs_deferred() -> Iterator[None]:
    """Inside the block, an atomic write leaves the fsync of its directory to the end of the block, once per
    directory: a run of many writes to few directories (an apply's records and order files) then costs one
    fsync a file. A crash inside the block may lose renames done in it (each file is whole, old or new); use it
    only where writing again is harmless."""
    directories: set[Path] = set()
    token = _DEFERRED.set(directories)
    try:
        yield
    finally:
        _DEFERRED.reset(token)
        for directory in sorted(directories):
            _fsync_dir(directory)


@contextlib.contextmanager
def atomic_file(path: Path, *, mode: int = 0o644, sync: bool = True) -> Iterator[BinaryIO]:
    """A binary file to write ``path``'s new content into; it replaces ``path`` when the block ends without an
    error (fsync, rename, fsync of the directory), and is removed when the block raises. ``sync=False`` leaves
    out the file's fsync (a reader still never sees half of it; a crash may leave the old content)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            if sync:
                os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    deferred = _DEFERRED.get()
    if deferred is not None:
        deferred.add(path.parent)
    elif sync:
        _fsync_dir(path.parent)


def write_bytes_atomic(path: Path, data: bytes, *, mode: int = 0o644, sync: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically, creating parent directories."""
    with atomic_file(path, mode=mode, sync=sync) as fh:
        fh.write(data)


def write_text_atomic(path: Path, text: str, *, mode: int = 0o644) -> None:
    """Replace ``path`` with UTF-8 ``text`` atomically."""
    write_bytes_atomic(path, text.encode("utf-8"), mode=mode)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

"""The one file-access policy for everything read from a repository: regular files only, opened without
following a symbolic link anywhere below the repository root, never outside it, never more than a size cap.

:func:`read_file` reads bytes, :func:`read_text` text (UTF-8 checked). A symbolic link, FIFO, device, socket
or folder where a file is expected is refused with a located
:data:`~tak_gitops.core.codes.NOT_A_FILE` diagnostic; it is never followed and never read. Walks list what
they meet without following links, with an explicit stack (no recursion).
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from tak_gitops.core import codes
from tak_gitops.errors import Diagnostic

MAX_FILE_BYTES = 5 * 1024 * 1024
"""The default cap on one file read from a repository."""

_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_POLICY = "not read: a repository's files are read only as regular files inside it, never through a link"


def kind_of(mode: int) -> str | None:
    """What a file of ``mode`` is when it is not a regular file ("a symbolic link", "a FIFO", ...); None for one."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"  # pragma: no cover - every kind POSIX has is named above


def refusal(shown: str, kind: str) -> Diagnostic:
    """The diagnostic for ``kind`` (see :func:`kind_of`) met where a file is expected or while walking."""
    if kind == "a folder":
        return Diagnostic(shown, 0, 0, codes.NOT_A_FILE, "a folder where a file is expected")
    return Diagnostic(shown, 0, 0, codes.NOT_A_FILE, f"{kind}, {_POLICY}")


def too_large(shown: str, size: int, max_bytes: int) -> Diagnostic:
    """The diagnostic for a file over the cap."""
    return Diagnostic(
        shown,
        0,
        0,
        codes.FILE_TOO_LARGE,
        f"the file is {size} bytes; the limit is {max_bytes} bytes"
        + (" (move long address lists to CSV sets)" if shown.endswith(".yaml") else ""),
    )


MISSING = "the file does not exist"


def is_missing(problem: Diagnostic | None) -> bool:
    """True when ``problem`` (from :func:`read_file`) says only that the file does not exist."""
    return problem is not None and problem.code == codes.UNREADABLE and problem.message == MISSING


class _Refused(Exception):
    def __init__(self, kind: str, above: int = 0) -> None:
        super().__init__(kind)
        self.kind = kind
        self.above = above
        """How many components above the file the refused one is (0: the file itself)."""


def _open_below(root: Path, file: Path) -> int:
    """Open ``file`` for reading, walking from ``root`` one component at a time without following links."""
    try:
        parts = file.relative_to(root).parts
    except ValueError:
        raise _Refused("a path outside the repository") from None
    if not parts or ".." in parts:
        raise _Refused("a path outside the repository")
    dir_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for depth, part in enumerate(parts[:-1]):
            try:
                next_fd = os.open(part, _DIR_FLAGS, dir_fd=dir_fd)
            except OSError as exc:
                linked = exc.errno in (errno.ELOOP, errno.ENOTDIR)  # Linux says ENOTDIR for a link with O_DIRECTORY
                kind = kind_of(os.lstat(part, dir_fd=dir_fd).st_mode) if linked else None
                if kind is not None:
                    raise _Refused(kind, len(parts) - 1 - depth) from None
                raise
            os.close(dir_fd)
            dir_fd = next_fd
        return _open_file(parts[-1], dir_fd)
    finally:
        os.close(dir_fd)


def _open_file(name: str | Path, dir_fd: int | None = None) -> int:
    try:
        return os.open(name, _FILE_FLAGS, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENXIO, errno.EMLINK):  # a link (ELOOP, EMLINK on BSD), a socket
            raise _Refused(kind_of(os.lstat(name, dir_fd=dir_fd).st_mode) or "not a regular file") from None
        raise


def read_file(
    file: Path, shown: str, max_bytes: int = MAX_FILE_BYTES, root: Path | None = None
) -> tuple[bytes | None, Diagnostic | None]:
    """Read ``file`` (``shown`` in diagnostics) under the policy; the bytes, or None and the diagnostic.

    With ``root``, every component from ``root`` down is checked (none may be a link and ``file`` must be below
    ``root``); without, only ``file`` itself. At most ``max_bytes`` are read whatever the file claims its size is.
    """
    try:
        fd = _open_below(root, file) if root is not None else _open_file(file)
    except _Refused as refused:
        return None, refusal(shown.rsplit("/", refused.above)[0] if refused.above else shown, refused.kind)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return None, Diagnostic(shown, 0, 0, codes.UNREADABLE, MISSING)
        return None, Diagnostic(shown, 0, 0, codes.UNREADABLE, f"cannot read the file: {exc.strerror or exc}")
    try:
        info = os.fstat(fd)
        kind = kind_of(info.st_mode)
        if kind is not None:
            return None, refusal(shown, kind)
        if info.st_size > max_bytes:
            return None, too_large(shown, info.st_size, max_bytes)
        chunks = [os.read(fd, min(info.st_size, max_bytes) + 1)]
        total = len(chunks[0])
        while chunks[-1] and total <= max_bytes:  # a file that grew, or one whose size fstat does not know
            chunks.append(os.read(fd, max_bytes + 1 - total))
            total += len(chunks[-1])
        if total > max_bytes:
            return None, too_large(shown, total, max_bytes)
    except OSError as exc:
        return None, Diagnostic(shown, 0, 0, codes.UNREADABLE, f"cannot read the file: {exc.strerror or exc}")
    finally:
        os.close(fd)
    return (chunks[0] if len(chunks) <= 2 else b"".join(chunks)), None


@dataclass(frozen=True)
class Listing:
    """What a walk of a folder met: regular files, sub-folders and refused entries (with what they are)."""

    files: tuple[Path, ...]
    folders: tuple[Path, ...]
    refused: tuple[tuple[Path, str], ...]


def list_folder(folder: Path) -> Listing:
    """The entries of ``folder`` (names starting with ``.`` left out), sorted by name, links not followed."""
    files: list[Path] = []
    folders: list[Path] = []
    refused: list[tuple[Path, str]] = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return Listing((), (), ())
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        try:
            mode = entry.stat(follow_symlinks=False).st_mode
        except OSError:
            continue  # gone while listed
        kind = kind_of(mode)
        if kind is None:
            files.append(path)
        elif kind == "a folder":
            folders.append(path)
        else:
            refused.append((path, kind))
    return Listing(tuple(files), tuple(folders), tuple(refused))


def walk_files(folder: Path) -> Listing:
    """Every regular file under ``folder`` (depth first, sorted as :func:`os.walk` with sorted names gives
    them), and every refused entry; folders reached through a link are refused, not entered."""
    files: list[Path] = []
    refused: list[tuple[Path, str]] = []
    stack = [folder]
    while stack:
        here = list_folder(stack.pop())
        files.extend(here.files)
        refused.extend(here.refused)
        stack.extend(reversed(here.folders))
    return Listing(tuple(files), (), tuple(refused))


def is_folder(path: Path) -> bool:
    """True when ``path`` is a folder itself (not a link to one)."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def entry_kind(path: Path) -> str | None:
    """What ``path`` is when it exists and is not a regular file (see :func:`kind_of`); None otherwise."""
    try:
        return kind_of(os.lstat(path).st_mode)
    except OSError:
        return None


def decode_utf8(data: bytes, path: str) -> tuple[str | None, Diagnostic | None]:
    """Decode ``data`` as UTF-8 (a BOM is allowed); on failure a TG101 diagnostic at the first bad byte."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        return None, Diagnostic(
            path,
            line,
            col,
            codes.NOT_UTF8,
            f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8",
        )


def read_text(
    file: Path, path: str, max_bytes: int = MAX_FILE_BYTES, root: Path | None = None
) -> tuple[str | None, Diagnostic | None]:
    """Read a text file under the policy (:func:`read_file`), with the UTF-8 check of :func:`decode_utf8`."""
    data, problem = read_file(file, path, max_bytes, root)
    if data is None:
        return None, problem
    return decode_utf8(data, path)

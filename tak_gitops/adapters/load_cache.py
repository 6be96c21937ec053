"""A content-addressed cache of a loaded and validated repository under ``.tak-gitops/cache/`` (git-ignored).

The key is the digest of this tool's version, the cache format, the loader's options (size limit, the
directory diagnostics are shown relative to), every file the desired digest covers (path, digest, whether it
is a link) and every file the file-access policy refused, so the same files always give the same entry and any
change misses. An entry holds the resolved state, the diagnostics and the folders read, in the form of
:mod:`~tak_gitops.adapters.load_cache_codec` (a small header, the string table, the columns as one integer
array); one that does not decode is ignored.
Entries committed to git are never trusted: a pull request could carry a forged
one, so the cache is used only when git lists nothing under ``.tak-gitops/`` (or the repository is not a git
checkout). ``TAK_GITOPS_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from array import array
from pathlib import Path

import orjson

from tak_gitops import __version__
from tak_gitops.adapters.atomic import write_bytes_atomic
from tak_gitops.adapters.column_file import TYPECODE
from tak_gitops.adapters.desired_files import RepoFiles
from tak_gitops.adapters.load_cache_codec import Focus, pack, unpack
from tak_gitops.core.desired import DesiredState
from tak_gitops.errors import Diagnostic, Severity

__all__ = ["CACHE_DIR", "FORMAT", "Focus", "cache_key", "read_entry", "usable", "write_entry"]

CACHE_DIR = ".tak-gitops/cache"
FORMAT = "tak-gitops-load-cache-4"
SUFFIX = ".entry"
KEEP = 4
"""Entries kept; older ones are removed when a new one is written."""


def cache_key(files: RepoFiles, *, max_bytes: int, cwd: Path) -> str:
    """The entry name for a load of these files with these options."""
    h = hashlib.sha256()
    layout = [sys.byteorder, array(TYPECODE).itemsize]  # how the entry's integers are written
    head = [FORMAT, __version__, *layout, max_bytes, cwd.as_posix(), files.root.as_posix()]
    h.update(orjson.dumps(head))
    for rel, sha in (*files.config_files, *(f for name in sorted(files.folders) for f in files.folders[name])):
        link = sha is None and os.path.islink(files.root / rel)  # a readable file is never a link
        h.update(orjson.dumps([rel, sha, link]))
    for folder, problem in files.problems:  # what the file-access policy refused, and why
        h.update(orjson.dumps([folder, problem.path, problem.line, problem.col, problem.code, problem.message]))
    return h.hexdigest()


def usable(root: Path) -> bool:
    """False when the cache is turned off or git tracks files under ``.tak-gitops/`` (never trusted)."""
    if os.environ.get("TAK_GITOPS_NO_CACHE"):
        return False
    try:
        listed = subprocess.run(
            ["git", "-C", str(root), "ls-files", "--", ".tak-gitops"],
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return True  # no git: a local directory, whose files the user controls
    return not (listed.returncode == 0 and listed.stdout.strip())


def read_entry(
    root: Path, key: str, focus: Focus | None = None
) -> tuple[DesiredState, tuple[Diagnostic, ...], tuple[str, ...]] | None:
    """The cached load for ``key``, or None (absent, unreadable or not decodable).

    With ``focus``, the rows of its environment are only those a plan for its organisations reads
    (:func:`~tak_gitops.core.relevance.restrict`), picked from the columns before any row is made; everything
    else (the diagnostics of the whole load included) is decoded whole."""
    path = root / CACHE_DIR / f"{key}{SUFFIX}"
    try:
        doc, state = unpack(path.read_bytes(), focus)
        if doc.get("format") != FORMAT or doc.get("key") != key:
            return None
        diagnostics = tuple(Diagnostic(p, ln, c, code, m, Severity(s)) for p, ln, c, code, m, s in doc["diagnostics"])
        return state, diagnostics, tuple(doc["folders"])
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError, UnicodeDecodeError):
        return None


def write_entry(
    root: Path, key: str, state: DesiredState, diagnostics: tuple[Diagnostic, ...], folders: tuple[str, ...]
) -> None:
    """Store a load (not fsynced: a lost entry is only a slower next run); keep the :data:`KEEP` newest."""
    directory = root / CACHE_DIR
    doc = {
        "format": FORMAT,
        "key": key,
        "diagnostics": [[d.path, d.line, d.col, d.code, d.message, d.severity.value] for d in diagnostics],
        "folders": list(folders),
    }
    try:
        write_bytes_atomic(directory / f"{key}{SUFFIX}", pack(doc, state), sync=False)
        entries = sorted(
            (*directory.glob(f"*{SUFFIX}"), *directory.glob("*.json")),  # *.json: entries of an older format
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        return  # a read-only checkout: no cache

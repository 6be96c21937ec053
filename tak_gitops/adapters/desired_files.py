"""The files of a desired-state repository as bytes: the digest a plan pins, and the organisation folders.

The desired digest of an environment covers ``tak-gitops.yaml``, the ownership registry and every file in
every organisation folder (``desired/<org>/**``, names starting with ``.`` excepted; each read under the
file-access policy of :mod:`~tak_gitops.adapters.file_access`), except the ``<ENV>.yaml``
files of the other configured environments. It is computed from the bytes, so it costs one read and one hash
of each file whatever the size of the repository, and it is the same for a plan of every organisation and a
plan of one: ``apply`` recomputes it without loading anything.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tak_gitops.adapters.file_access import (
    MAX_FILE_BYTES,
    entry_kind,
    is_folder,
    list_folder,
    read_file,
    refusal,
    walk_files,
)
from tak_gitops.core.canonical import digest
from tak_gitops.core.config import ProjectConfig
from tak_gitops.errors import Diagnostic

DIGEST_FORMAT = "tak-gitops-desired-files"
SETTLE_NS = 2_000_000_000
"""A file modified or changed this recently (nanoseconds) is hashed, but its digest is not kept for next time."""

Stamp = tuple[int, int, int, int, int, str]
"""What is known of a file: size, modification and change times (ns), inode, device, and its sha256 (hex)."""


def org_folders(desired_dir: Path) -> list[Path]:
    """The organisation folders under ``desired_dir``, sorted by name (dot-folders are not organisations; a
    link to a folder is not one either: :func:`refused_folders` lists those)."""
    if not is_folder(desired_dir):
        return []
    return list(list_folder(desired_dir).folders)


def refused_folders(desired_dir: Path) -> list[tuple[Path, str]]:
    """The entries of ``desired_dir`` that are neither folders nor regular files (links, FIFOs, devices): they
    are refused, never entered. A link named for ``desired_dir`` itself is refused too."""
    kind = entry_kind(desired_dir)
    if kind is not None and kind != "a folder":
        return [(desired_dir, kind)]
    return list(list_folder(desired_dir).refused) if kind == "a folder" else []


@dataclass(frozen=True)
class RepoFiles:
    """Every file the desired digest covers, read once: ``folders`` maps an organisation folder's name to its
    files as (path relative to the root, sha256 in hex or None when unreadable)."""

    root: Path
    config_files: tuple[tuple[str, str | None], ...]
    folders: dict[str, tuple[tuple[str, str | None], ...]]
    problems: tuple[tuple[str, Diagnostic], ...] = ()
    """``(organisation folder name, problem)`` for every file the policy refused or could not read, with the
    path relative to the root: the loader reports them."""
    desired_dir: str = "desired"
    max_bytes: int = MAX_FILE_BYTES
    read: Mapping[str, bytes] = field(default_factory=dict)
    """The bytes of the files read this time (those whose digest was not known)."""
    stamps: Mapping[str, Stamp] = field(default_factory=dict)
    """What to remember of the readable files for next time (see the module docstring)."""

    def folder_bytes(self, name: str) -> list[bytes]:
        """The readable files of one organisation folder (read again, under the policy, when not read yet)."""
        out = []
        below = self.root / self.desired_dir / name
        for rel, sha in self.folders.get(name, ()):
            data = self.read.get(rel)
            if data is None and sha is not None:
                data, _problem = read_file(self.root / rel, rel, self.max_bytes, below)
            if data is not None:
                out.append(data)
        return out

    def digests(self, config: ProjectConfig) -> dict[str, str]:
        """The desired digest of every configured environment."""
        hashed = [
            (rel, sha if sha is not None else "unreadable")
            for rel, sha in (*self.config_files, *(f for files in self.folders.values() for f in files))
        ]
        hashed.sort()
        env_files = {f"{env}.yaml" for env in config.environments}
        out: dict[str, str] = {}
        for env in sorted(config.environments):
            others = env_files - {f"{env}.yaml"}
            rows = [[rel, h] for rel, h in hashed if not _is_other_env_file(rel, config.desired_dir, others)]
            out[env] = digest({"format": DIGEST_FORMAT, "environment": env, "files": rows})
        return out


def _is_other_env_file(rel: str, desired_dir: str, others: set[str]) -> bool:
    """``desired/<org>/<OTHER_ENV>.yaml``: a file that cannot change a plan of this environment."""
    head, _sep, name = rel.rpartition("/")
    if name not in others:
        return False
    parent = head.rpartition("/")[0]
    return Path(parent) == Path(desired_dir)


def read_repo_files(
    root: Path, config: ProjectConfig, max_bytes: int = MAX_FILE_BYTES, known: Mapping[str, Stamp] | None = None
) -> RepoFiles:
    """Read the configuration, the registry and every organisation folder's files, each under the file-access
    policy (a refused or unreadable file is recorded as ``unreadable`` in the digest and as a problem). A file
    of an organisation folder is read below that folder; the configuration names where the registry and the
    desired folder are (a local configuration may point to ``../../ownership.yaml``). With ``known``, a file
    whose stamp is recorded there is not read (module docstring)."""
    problems: list[tuple[str, Diagnostic]] = []
    read_now: dict[str, bytes] = {}
    stamps: dict[str, Stamp] = {}
    settled = time.time_ns() - SETTLE_NS

    def digest_of(path: Path, folder: str, below: Path) -> str | None:
        rel = path.relative_to(root).as_posix()
        info = None
        if known is not None:
            try:
                info = os.lstat(path)
            except OSError:
                info = None
            if info is not None and stat.S_ISREG(info.st_mode) and info.st_size <= max_bytes:
                stamp = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)
                found = known.get(rel)
                if found is not None and found[:5] == stamp:
                    stamps[rel] = found
                    return found[5]
            else:
                info = None
        data, problem = read_file(path, rel, max_bytes, below)
        if problem is not None:
            problems.append((folder, problem))
        if data is None:
            return None
        read_now[rel] = data
        sha = hashlib.sha256(data).hexdigest()
        if info is not None and max(info.st_mtime_ns, info.st_ctime_ns) < settled:
            stamps[rel] = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev, sha)
        return sha

    config_files = tuple(
        (name, digest_of(root / name, "", (root / name).parent))
        for name in sorted({"tak-gitops.yaml", config.ownership})
    )
    desired_dir = root / config.desired_dir
    for path, kind in refused_folders(desired_dir):
        problems.append((path.name, refusal(path.relative_to(root).as_posix(), kind)))
    folders: dict[str, tuple[tuple[str, str | None], ...]] = {}
    for folder in org_folders(desired_dir):
        listing = walk_files(folder)
        for path, kind in listing.refused:
            rel = path.relative_to(root).as_posix()
            problems.append((folder.name, refusal(rel, kind)))
        folders[folder.name] = (
            *((path.relative_to(root).as_posix(), digest_of(path, folder.name, folder)) for path in listing.files),
            *((path.relative_to(root).as_posix(), None) for path, _kind in listing.refused),
        )
    return RepoFiles(
        root=root,
        config_files=config_files,
        folders=folders,
        problems=tuple(problems),
        desired_dir=config.desired_dir,
        max_bytes=max_bytes,
        read=read_now,
        stamps=stamps,
    )


def desired_digest(root: Path, config: ProjectConfig, env: str) -> str:
    """The desired digest of ``env`` as a plan records it (see the module docstring)."""
    return read_repo_files(root, config).digests(config)[env]

"""The files of a desired-state repository as bytes: the digest a plan pins, and the organisation folders.

The desired digest of an environment covers ``tak-gitops.yaml``, the ownership registry and every file in
every organisation folder (``desired/<org>/**``, names starting with ``.`` excepted), except the ``<ENV>.yaml``
files of the other configured environments. It is computed from the bytes, so it costs one read and one hash
of each file whatever the size of the repository, and it is the same for a plan of every organisation and a
plan of one: ``apply`` recomputes it without loading anything.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from tak_gitops.core.canonical import digest
from tak_gitops.core.config import ProjectConfig

DIGEST_FORMAT = "tak-gitops-desired-files"


def org_folders(desired_dir: Path) -> list[Path]:
    """The organisation folders under ``desired_dir``, sorted by name (dot-folders are not organisations)."""
    if not desired_dir.is_dir():
        return []
    return sorted(p for p in desired_dir.iterdir() if p.is_dir() and not p.name.startswith("."))


def _folder_files(folder: Path) -> list[Path]:
    found: list[Path] = []
    for here, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(here, f) for f in sorted(files) if not f.startswith("."))
    return found


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None  # the loader reports it (UNREADABLE); the digest records that it could not be read


@dataclass(frozen=True)
class RepoFiles:
    """Every file the desired digest covers, read once: ``folders`` maps an organisation folder's name to its
    files as (path relative to the root, bytes or None when unreadable)."""

    root: Path
    config_files: tuple[tuple[str, bytes | None], ...]
    folders: dict[str, tuple[tuple[str, bytes | None], ...]]

    def folder_bytes(self, name: str) -> list[bytes]:
        """The readable files of one organisation folder."""
        return [data for _path, data in self.folders.get(name, ()) if data is not None]

    def digests(self, config: ProjectConfig) -> dict[str, str]:
        """The desired digest of every configured environment."""
        hashed = [
            (rel, hashlib.sha256(data).hexdigest() if data is not None else "unreadable")
            for rel, data in (*self.config_files, *(f for files in self.folders.values() for f in files))
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


def read_repo_files(root: Path, config: ProjectConfig) -> RepoFiles:
    """Read the configuration, the registry and every organisation folder's files."""
    config_files = tuple((name, _read(root / name)) for name in sorted({"tak-gitops.yaml", config.ownership}))
    folders: dict[str, tuple[tuple[str, bytes | None], ...]] = {}
    for folder in org_folders(root / config.desired_dir):
        folders[folder.name] = tuple(
            (path.relative_to(root).as_posix(), _read(path)) for path in _folder_files(folder)
        )
    return RepoFiles(root=root, config_files=config_files, folders=folders)


def desired_digest(root: Path, config: ProjectConfig, env: str) -> str:
    """The desired digest of ``env`` as a plan records it (see the module docstring)."""
    return read_repo_files(root, config).digests(config)[env]

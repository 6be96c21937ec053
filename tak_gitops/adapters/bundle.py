"""The files `tak-gitops init` copies into a new repository (workflows, the example), from a wheel or a checkout.

A wheel carries this repository's own files under ``tak_gitops/_bundle/`` with the paths they have here
(pyproject.toml's ``force-include``); an editable install or a checkout reads them from the repository itself.
"""

from __future__ import annotations

from pathlib import Path

import tak_gitops
from tak_gitops.errors import TakGitopsError

WORKFLOWS = (
    ".github/workflows/tak-apply.yml",
    ".github/workflows/tak-drift.yml",
    ".github/workflows/tak-plan-comment.yml",
    ".github/workflows/tak-plan.yml",
)
"""The workflows a desired-state repository runs (``ci.yml`` is this project's own CI and is not bundled)."""

EXAMPLE_DIRS = ("desired", "examples/ntjp-prod")
EXAMPLE_FILES = ("ownership.yaml", "examples/hsa/hsacache.xml")
"""The bundled example: desired tree and its ownership registry, the NTJP-PROD export and the HSA file."""


def bundle_root() -> Path:
    """The directory holding the bundled files: ``tak_gitops/_bundle`` in a wheel, else the source checkout."""
    package = Path(tak_gitops.__file__).resolve().parent
    bundled = package / "_bundle"
    if bundled.is_dir():
        return bundled
    checkout = package.parent
    if (checkout / "pyproject.toml").is_file() and all((checkout / w).is_file() for w in WORKFLOWS):
        return checkout
    raise TakGitopsError(f"this installation of tak-gitops ({package}) has no bundled files: reinstall it from a wheel")


def _read(root: Path, relative: str) -> bytes:
    try:
        return (root / relative).read_bytes()
    except OSError as exc:
        raise TakGitopsError(f"bundled file {relative} cannot be read from {root}: {exc.strerror}") from exc


def workflow_files() -> dict[str, bytes]:
    """The bundled workflows by repository path, as they are in this repository."""
    root = bundle_root()
    return {relative: _read(root, relative) for relative in WORKFLOWS}


def example_files() -> dict[str, bytes]:
    """The bundled example by repository path (sorted)."""
    root = bundle_root()
    names = list(EXAMPLE_FILES)
    for directory in EXAMPLE_DIRS:
        base = root / directory
        if not base.is_dir():
            raise TakGitopsError(f"bundled directory {directory} is missing from {root}")
        names += [p.relative_to(root).as_posix() for p in base.rglob("*") if p.is_file()]
    return {relative: _read(root, relative) for relative in sorted(names)}

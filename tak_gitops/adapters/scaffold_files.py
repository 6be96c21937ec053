"""The files of a new desired-state repository (`tak-gitops init`): assembled from the bundle, compared, written."""

from __future__ import annotations

from pathlib import Path

from tak_gitops import __version__
from tak_gitops.adapters.atomic import write_bytes_atomic
from tak_gitops.adapters.bundle import example_files, workflow_files
from tak_gitops.adapters.yaml_loader import load_yaml_text
from tak_gitops.core.codeowners import render_codeowners
from tak_gitops.core.config import OwnershipRegistry, ProjectConfig
from tak_gitops.core.desired_model import json_schemas
from tak_gitops.core.scaffold import (
    SOURCE_URL,
    Decision,
    config_data,
    ownership_data,
    pin_workflow,
    render_config,
    render_gitignore,
    render_ownership,
    render_precommit,
)
from tak_gitops.errors import TakGitopsError, UsageError


def _ownership(example: dict[str, bytes] | None) -> tuple[str, OwnershipRegistry]:
    if example is None:
        return render_ownership(), OwnershipRegistry.model_validate(ownership_data())
    text = example["ownership.yaml"].decode("utf-8")
    root, problems = load_yaml_text(text, "ownership.yaml")
    if root is None or problems:
        raise TakGitopsError("the bundled ownership.yaml cannot be read")
    return text, OwnershipRegistry.model_validate(root.to_python())


def _example_environments(example: dict[str, bytes]) -> set[str]:
    return {
        Path(path).stem
        for path in example
        if path.startswith("desired/") and path.endswith(".yaml") and Path(path).name != "organisation.yaml"
    }


def repository_files(platform: str, environments: list[str], *, example: bool) -> dict[str, bytes]:
    """Every file `init` writes, by repository path."""
    bundled = example_files() if example else None
    if bundled is not None:
        missing = sorted(_example_environments(bundled) - set(environments))
        if missing:
            raise UsageError(
                f"--example has files for {', '.join(missing)}: keep them in --platform/--environments "
                "(the defaults, NTJP and QA,PROD, have them)"
            )
    source = SOURCE_URL
    config = ProjectConfig.model_validate(config_data(platform, environments))
    ownership_text, ownership = _ownership(bundled)
    files: dict[str, bytes] = {
        "tak-gitops.yaml": render_config(
            platform, environments, f"{source}/blob/v{__version__}/docs/desired-format.md"
        ).encode(),
        "ownership.yaml": ownership_text.encode(),
        "CODEOWNERS": render_codeowners(ownership, config, ownership_path="ownership.yaml").encode(),
        ".gitignore": render_gitignore().encode(),
        ".pre-commit-config.yaml": render_precommit(source, __version__).encode(),
    }
    files |= {f"schemas/{name}": content for name, content in json_schemas().items()}
    for path, content in workflow_files().items():
        files[path] = pin_workflow(path, content.decode("utf-8"), __version__).encode()
    if bundled is not None:
        files |= {path: content for path, content in bundled.items() if path != "ownership.yaml"}
    return dict(sorted(files.items()))


def read_existing(directory: Path, paths: list[str]) -> dict[str, bytes | None]:
    """The current content of each path under ``directory`` (None: no such file)."""
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory}: not a directory")
    existing: dict[str, bytes | None] = {}
    for path in paths:
        target = directory / path
        for parent in target.relative_to(directory).parents:
            if (directory / parent).exists() and not (directory / parent).is_dir():
                raise TakGitopsError(f"{directory / parent}: exists and is not a directory; move it away")
        if target.is_file():
            existing[path] = target.read_bytes()
        elif target.exists() or target.is_symlink():
            raise TakGitopsError(f"{target}: exists and is not a regular file; move it away")
        else:
            existing[path] = None
    return existing


def write_files(directory: Path, files: dict[str, bytes], decisions: list[Decision]) -> None:
    """Write the files the decisions say to write, each atomically."""
    for decision in decisions:
        if decision.action == "write":
            write_bytes_atomic(directory / decision.path, files[decision.path])

"""What `tak-gitops init` writes into a new desired-state repository, as text, and which existing files it may touch.

Pure: the caller reads the bundled files and the target directory and writes the result.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from tak_gitops.errors import InitRefused, TakGitopsError, UsageError

_PART_RE = re.compile(r"^[A-Z][A-Z0-9]*$")
_VERSION_LINE_RE = re.compile(r"^(\s+TAK_GITOPS_VERSION: )source$", re.M)

SOURCE_URL = "https://github.com/example/tak-gitops"
"""The project's repository (pyproject.toml's ``Source`` URL; a test keeps the two equal): hooks and docs links."""

PLATFORM_TEAM = "@example/tak-platform"
"""The platform team the new ownership registry names until it is changed."""

REFRESHED = ("schemas/", ".github/workflows/")
"""Prefixes of the files `init --force` rewrites; every other existing file is kept as it is."""


def environment_names(platform: str, environments: str) -> list[str]:
    """``NTJP`` and ``QA,PROD`` -> ``["NTJP-QA", "NTJP-PROD"]``; a UsageError for anything else."""
    if not _PART_RE.match(platform):
        raise UsageError(f"--platform {platform!r} must be a platform code in upper case, such as NTJP or SLL")
    parts = [p.strip() for p in environments.split(",")]
    for part in parts:
        if not _PART_RE.match(part):
            raise UsageError(f"--environments: {part!r} must be an environment in upper case, such as QA or PROD")
    if len(set(parts)) != len(parts):
        raise UsageError(f"--environments {environments!r} names an environment twice")
    return [f"{platform}-{p}" for p in parts]


def config_data(platform: str, names: list[str]) -> dict[str, Any]:
    """The project configuration `init` writes, as the data :func:`render_config` spells out."""
    envs: dict[str, Any] = {}
    for name in names:
        tak_api = {"platform": platform, "environment": name.split("-", 1)[1]}
        env: dict[str, Any] = {"plattform": name, "tak_api": tak_api}
        if name.endswith("-PROD"):
            env["protected"] = True
        envs[name] = env
    return {"desired_dir": "desired", "ownership": "ownership.yaml", "ledger_dir": "orders", "environments": envs}


def render_config(platform: str, names: list[str], docs_url: str) -> str:
    """``tak-gitops.yaml`` for the environments ``names`` of ``platform``."""
    lines = [
        "# yaml-language-server: $schema=schemas/config.schema.json",
        "# Project configuration, kept by the platform team. Every key and its default:",
        f"# {docs_url}",
        "desired_dir: desired",
        "ownership: ownership.yaml",
        "ledger_dir: orders",
        "environments:",
    ]
    for i, (name, env) in enumerate(config_data(platform, names)["environments"].items()):
        tak_api = env["tak_api"]
        note = "  # the orders' `plattform`: must equal TAK-web's tak.platform" if i == 0 else ""
        lines += [
            f"  {name}:",
            f"    plattform: {name}{note}",
            f"    tak_api: {{platform: {tak_api['platform']}, environment: {tak_api['environment']}}}",
        ]
        if env.get("protected"):
            lines.append("    protected: true  # apply waits for the reviewers of the GitHub environment")
    return "\n".join(lines) + "\n"


def ownership_data() -> dict[str, Any]:
    """The ownership registry `init` writes without ``--example``: the platform team and no organisation yet."""
    return {"platform_team": PLATFORM_TEAM, "organisations": {}}


def render_ownership() -> str:
    """``ownership.yaml`` without organisations (see :func:`ownership_data`)."""
    return (
        "# yaml-language-server: $schema=schemas/ownership.schema.json\n"
        "# Ownership registry, kept by the platform team: which organisation owns which system. Set platform_team\n"
        "# to your team, add each organisation (its folder under desired/, its team and the HSA-ids of its\n"
        "# systems), then run `tak-gitops codeowners`.\n"
        f'platform_team: "{PLATFORM_TEAM}"\n'
        "organisations: {}\n"
    )


def render_gitignore() -> str:
    """``.gitignore``: what tak-gitops writes locally. The order ledger (``orders/``) is committed."""
    return (
        "# Local reads of the TAK, plans and order files of the `files` submitter; CI makes its own.\n"
        "# The order ledger (orders/) is committed: do not ignore it.\n"
        "/.tak-gitops/\n"
        "/snapshot.json\n"
        "/plan.json\n"
        "/plan.md\n"
        "/out/\n"
    )


def render_precommit(repository_url: str, version: str) -> str:
    """``.pre-commit-config.yaml`` running the three hooks of tak-gitops ``version``."""
    return (
        "# pre-commit (https://pre-commit.com) runs these checks before each commit once `pre-commit install` has\n"
        "# been run: the desired files are valid, CODEOWNERS is current and the schemas fit this tak-gitops.\n"
        "repos:\n"
        f"  - repo: {repository_url}\n"
        f"    rev: v{version}\n"
        "    hooks:\n"
        "      - id: tak-gitops-validate\n"
        "      - id: tak-gitops-codeowners\n"
        "      - id: tak-gitops-schema\n"
    )


def pin_workflow(path: str, text: str, version: str) -> str:
    """A bundled workflow with every install step pinned to ``version`` instead of installing a checkout."""
    pinned, count = _VERSION_LINE_RE.subn(lambda m: f'{m.group(1)}"{version}"', text)
    if count == 0:
        raise TakGitopsError(f"bundled workflow {path} has no install step to pin (TAK_GITOPS_VERSION: source)")
    return pinned


Action = Literal["write", "unchanged", "keep"]


@dataclass(frozen=True)
class Decision:
    """What `init` does with one file."""

    path: str
    action: Action


def decide(wanted: Mapping[str, bytes], existing: Mapping[str, bytes | None], *, force: bool) -> list[Decision]:
    """What to do with each wanted file, sorted by path; InitRefused when a file would be overwritten.

    ``existing`` maps each path to its current content (None: no such file). A file with the wanted content is
    left unchanged. Otherwise, an existing file is refused, except with ``force``: files under
    :data:`REFRESHED` are rewritten and every other existing file is kept.
    """
    decisions: list[Decision] = []
    refused: list[str] = []
    for path in sorted(wanted):
        current = existing.get(path)
        if current == wanted[path]:
            decisions.append(Decision(path, "unchanged"))
        elif current is None:
            decisions.append(Decision(path, "write"))
        elif not force:
            refused.append(path)
        elif path.startswith(REFRESHED):
            decisions.append(Decision(path, "write"))
        else:
            decisions.append(Decision(path, "keep"))
    if refused:
        raise InitRefused(refused)
    return decisions

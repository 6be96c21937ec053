"""A desired-state repository in a temporary directory (the bundled example), and running the CLI."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tak_gitops.adapters.desired_loader import load_desired_or_raise
from tak_gitops.adapters.hsafile import read_hsa_file
from tak_gitops.adapters.snapshot_file import read_snapshot, write_snapshot
from tak_gitops.cli import main
from tak_gitops.core.plan import make_plan
from tak_gitops.core.snapshot import Snapshot

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_SNAPSHOT = REPO / "examples" / "ntjp-prod.snapshot.json"
EXAMPLE_HSA = REPO / "examples" / "hsa" / "hsacache.xml"
CURRENT = ["--snapshot", str(EXAMPLE_SNAPSHOT), "--hsa", str(EXAMPLE_HSA), "--allow-stale"]
"""The current TAK `apply --yes` re-plans against: the bundled example snapshot (old, so --allow-stale) and HSA."""
CREDENTIALS = {"TAK_WEB_USERNAME": "tak-gitops", "TAK_WEB_PASSWORD": "s3cret"}


def write_repo(root: Path, *, kind: str = "tak-web", url: str | None = None, max_attempts: int = 2) -> str:
    """Copy the example repository (configuration, registry, desired/) to ``root`` with NTJP-PROD's submitter
    replaced; return the desired digest of NTJP-PROD, as a plan made from it records."""
    shutil.copytree(REPO / "desired", root / "desired")
    shutil.copy(REPO / "ownership.yaml", root / "ownership.yaml")
    submit = f"{{kind: {kind}, max_attempts: {max_attempts}, timeout_seconds: 2"
    submit += f", url: '{url}'}}" if url else "}"
    config = (REPO / "tak-gitops.yaml").read_text("utf-8")
    config, count = re.subn(r"submit: \{kind: files, out_dir: out/orders\}", f"submit: {submit}", config)
    assert count == 1
    (root / "tak-gitops.yaml").write_text(config, encoding="utf-8")
    return load_desired_or_raise(root).state.digest("NTJP-PROD")


def real_plan(root: Path) -> dict[str, Any]:
    """The plan `tak-gitops plan` makes of ``root``'s desired files against the example snapshot and HSA file
    (:data:`CURRENT`), so that `apply --yes ... *CURRENT` re-plans to exactly this plan."""
    loaded = load_desired_or_raise(root)
    doc: dict[str, Any] = make_plan(
        loaded.state,
        read_snapshot(EXAMPLE_SNAPSHOT),
        env="NTJP-PROD",
        config=loaded.config,
        hsa=read_hsa_file(EXAMPLE_HSA),
    ).to_document()
    return doc


def write_plan(path: Path, plan: dict[str, Any]) -> Path:
    path.write_text(json.dumps(plan, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def write_snapshot_file(
    path: Path,
    routings: dict[tuple[str, str], tuple[str, str, str]],
    authorizations: set[tuple[str, str, str]],
    time: str,
) -> Snapshot:
    snapshot = Snapshot.build(
        platform="NTJP",
        environment="PROD",
        snapshot_time=time,
        source="tak-api",
        routings=routings.items(),
        authorizations=authorizations,
    )
    write_snapshot(path, snapshot)
    return snapshot


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run `tak-gitops ARGS` in-process; return (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exc:
        main(args)
    out = capsys.readouterr()
    code = exc.value.code
    return (code if isinstance(code, int) else 1), out.out, out.err


def spawn(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    """`python -m tak_gitops ARGS` as a separate process (for the kill tests)."""
    env = {**os.environ, **CREDENTIALS, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "tak_gitops", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

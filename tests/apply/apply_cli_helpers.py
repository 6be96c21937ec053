"""A desired-state repository in a temporary directory, and running the CLI in-process or as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tak_gitops.cli import main

DESIRED_DIGEST = "sha256:" + "2" * 64
DRIVER = Path(__file__).with_name("run_apply_cli.py")


def write_repo(
    root: Path, *, kind: str = "tak-web", url: str | None = None, max_attempts: int = 2, expire_after_days: int = 30
) -> None:
    submit = f"{{kind: {kind}, max_attempts: {max_attempts}, timeout_seconds: 2"
    submit += f", url: '{url}'}}" if url else "}"
    (root / "tak-gitops.yaml").write_text(
        "environments:\n"
        "  NTJP-PROD:\n"
        "    plattform: NTJP-PROD\n"
        "    tak_api: {platform: NTJP, environment: PROD}\n"
        f"    submit: {submit}\n"
        "orders:\n"
        "  utforare: Region Värmland - tak-gitops\n"
        f"  expire_after_days: {expire_after_days}\n",
        encoding="utf-8",
    )


def write_plan(path: Path, plan: dict[str, Any]) -> Path:
    path.write_text(json.dumps(plan, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run `tak-gitops ARGS` in-process; return (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exc:
        main(args)
    out = capsys.readouterr()
    code = exc.value.code
    return (code if isinstance(code, int) else 1), out.out, out.err


def subprocess_env(desired_digest: str = DESIRED_DIGEST) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "TAK_WEB_USERNAME": "tak-gitops",
            "TAK_WEB_PASSWORD": "s3cret",
            "TEST_DESIRED_DIGEST": desired_digest,
            "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        }
    )
    return env


def spawn(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(DRIVER), *args],
        cwd=cwd,
        env=subprocess_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

"""Shared test configuration: hypothesis profiles and repository paths."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from hypothesis import HealthCheck, settings

# The browser fixtures (`chromium`, `page`) are registered once, so that one Playwright runs for the session.
pytest_plugins = ["tests.browser_support"]

ROOT = Path(__file__).resolve().parent.parent


def track_everything(root: Path) -> None:
    """Make ``root`` a git checkout whose index holds every file in it, ignored ones too: what a pull request
    that commits them would bring."""
    git = ["git", "-C", str(root), "-c", "user.email=t@example.se", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-f", "."], check=True)


def copy_example_repo(target: Path) -> Path:
    """The project's example repository (configuration, registry, desired folders) copied to ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("tak-gitops.yaml", "ownership.yaml"):
        shutil.copyfile(ROOT / name, target / name)
    shutil.copytree(ROOT / "desired", target / "desired")
    return target

settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
settings.register_profile(
    "dev",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

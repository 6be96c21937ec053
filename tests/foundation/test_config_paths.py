"""The paths of tak-gitops.yaml stay inside the git checkout: a configuration a pull request changes cannot make
a plan read, or an apply write, outside it; a local configuration below the checkout may point back up into it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tak_gitops.adapters.desired_loader import load_config
from tak_gitops.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]


def _checkout(tmp_path: Path, git: bool) -> Path:
    root = tmp_path / "checkout"
    root.mkdir()
    for name in ("tak-gitops.yaml", "ownership.yaml"):
        shutil.copyfile(REPO / name, root / name)
    shutil.copytree(REPO / "desired", root / "desired")
    if git:
        subprocess.run(["git", "init", "-q", str(root)], check=True)
    local = root / ".tak-gitops" / "local"
    local.mkdir(parents=True)
    return local


def _configure(local: Path, **paths: str) -> None:
    text = (REPO / "tests" / "bad_inputs" / "_base" / "tak-gitops.yaml").read_text(encoding="utf-8")  # no paths
    lines = [f"{key}: {value}" for key, value in paths.items()]
    (local / "tak-gitops.yaml").write_text("\n".join([*lines, text]), encoding="utf-8")


def test_a_local_configuration_may_point_back_into_its_checkout(tmp_path: Path) -> None:
    local = _checkout(tmp_path, git=True)
    _configure(local, desired_dir="../../desired", ownership="../../ownership.yaml")
    config, registry = load_config(local, cwd=local)
    assert config.desired_dir == "../../desired" and "inera" in registry.organisations


def test_paths_that_leave_the_checkout_are_refused_at_their_keys(tmp_path: Path) -> None:
    local = _checkout(tmp_path, git=True)
    (tmp_path / "ownership.yaml").write_bytes((REPO / "ownership.yaml").read_bytes())  # beside the checkout
    _configure(local, ownership="../../../ownership.yaml", ledger_dir="../../../orders")
    with pytest.raises(ConfigError) as raised:
        load_config(local, cwd=local)
    assert [(d.line, d.col, d.code, d.message) for d in raised.value.diagnostics] == [
        (1, 12, "TG207", "ownership: '../../../ownership.yaml' leads outside the repository"),
        (2, 13, "TG207", "ledger_dir: '../../../orders' leads outside the repository"),
    ]
    assert raised.value.exit_code == 1


def test_outside_a_git_checkout_the_files_are_the_users_own(tmp_path: Path) -> None:
    local = _checkout(tmp_path, git=False)
    (tmp_path / "ownership.yaml").write_bytes((REPO / "ownership.yaml").read_bytes())
    _configure(local, ownership="../../../ownership.yaml")
    _config, registry = load_config(local, cwd=local)
    assert "inera" in registry.organisations

"""Messages about bad input name only what the command has: the stale-snapshot hint of ``plan`` (which has no
``--max-age``) names the setting it reads, ``fetch``'s names its flag; a missing ``--root`` is a usage error."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

ENTRY = "from tak_gitops.cli import main; main()"


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", ENTRY, *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_plan_stale_snapshot_hint_names_the_setting_not_a_flag_plan_lacks(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "tests" / "bad_inputs" / "_base", repo)
    shutil.copyfile(ROOT / "examples" / "ntjp-prod-pubversion.json", repo / "export.json")  # taken in 2026-11
    done = _run(repo, "plan", "--env", "NTJP-PROD", "--export", "export.json")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("error: export.json: snapshot time 2026-11-20T00:58:41+0100 is ")
    assert done.stderr.endswith(
        " hours old (limit 36 hours); use --allow-stale to accept it or snapshot.max_age_hours in tak-gitops.yaml "
        "to change the limit\n"
    )
    assert "--max-age" not in done.stderr
    assert "--max-age" not in _run(repo, "plan", "--help").stdout


def test_apply_with_a_missing_root_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_text("{}", encoding="utf-8")
    done = _run(tmp_path, "apply", "plan.json", "--root", str(tmp_path / "nonexistent"))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.endswith(
        f"Error: Invalid value for '--root': Directory '{tmp_path}/nonexistent' does not exist.\n"
    )

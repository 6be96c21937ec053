"""Run the `tak-gitops` command lines of the workflows and the composite action, as written, on the example tree.

Lines are taken from the YAML (no copy of them lives here) and run with bash in a copy of the example repository,
with the variables a runner would set. GitHub is the fake API on 127.0.0.1. What cannot run offline is not run:
`fetch` reads the TAK-api (its output, snapshot.json, is the bundled example snapshot) and `apply` submits orders.
"""

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
from ruamel.yaml import YAML

from tak_gitops.cli import _register, cli
from tak_gitops.core.comment import labels_for_plan

from .fake_github import FakeGitHub
from .plans import plan_doc, plan_markdown

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
NOT_OFFLINE = {"fetch", "apply"}
_LINE = re.compile(r"(?:^|\$\()\s*tak-gitops\s+([a-z][a-z-]*)")  # a subcommand, not an option such as --version


def _scripts(path: Path) -> list[str]:
    doc: Any = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    if "runs" in doc:
        steps = doc["runs"]["steps"]
    else:
        steps = [s for job in doc["jobs"].values() for s in job.get("steps", [])]
    return [s["run"] for s in steps if "run" in s]


def command_lines(path: Path) -> list[tuple[str, str]]:
    """(subcommand, shell line) for every line of the file's run scripts that invokes tak-gitops."""
    out = []
    for script in _scripts(path):
        for raw in script.replace("\\\n", " ").splitlines():
            line = raw.strip()
            m = _LINE.search(line)
            if m is None or line.startswith(("#", "if [", "if git")):
                continue
            out.append((m.group(1), line))
    return out


def _example_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ("tak-gitops.yaml", "ownership.yaml", "CODEOWNERS"):
        shutil.copy(ROOT / name, repo / name)
    # The bundled export is a fixed file from the past; a fetch in a workflow is minutes old. Raise the age limit
    # so the example snapshot stands in for a fresh one.
    config = (repo / "tak-gitops.yaml").read_text(encoding="utf-8")
    assert "max_age_hours: 36" in config
    (repo / "tak-gitops.yaml").write_text(config.replace("max_age_hours: 36", "max_age_hours: 1000000"))
    shutil.copytree(ROOT / "desired", repo / "desired")
    # What `tak-gitops fetch --env NTJP-PROD -o snapshot.json` writes from the TAK-api: the bundled example.
    shutil.copy(ROOT / "examples" / "ntjp-prod.snapshot.json", repo / "snapshot.json")
    shutil.copytree(ROOT / "examples" / "hsa", repo / "hsa")
    (repo / "changed.txt").write_text("desired/region-varmland/NTJP-PROD.yaml\n", encoding="utf-8")
    # What the apply job downloads: the plan artifact reviewed on the pull request.
    subprocess.run(
        [sys.executable, "-m", "tak_gitops", "plan", "--env", "NTJP-PROD", "--snapshot", "snapshot.json", "--hsa",
         "hsa/hsacache.xml", "--org", "region-varmland", "--out", "reviewed/plan.json", "--format", "json"],
        cwd=repo, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, check=False, timeout=120,
    )
    assert (repo / "reviewed" / "plan.json").is_file()
    return repo


@pytest.fixture
def fake_github() -> Any:
    fake = FakeGitHub().start()
    try:
        yield fake
    finally:
        fake.stop()


def _registered() -> set[str]:
    _register()
    return set(cli.commands)


@pytest.mark.parametrize(
    "source", ["tak-plan.yml", "tak-plan-comment.yml", "tak-apply.yml", "tak-drift.yml", "action.yml"]
)
def test_workflow_command_lines_run_on_the_example_tree(source: str, tmp_path: Path, fake_github: FakeGitHub) -> None:
    path = ROOT / "action.yml" if source == "action.yml" else ROOT / ".github" / "workflows" / source
    lines = command_lines(path)
    registered = _registered()
    assert lines, f"no tak-gitops command line found in {source}"
    unknown = {sub for sub, _ in lines} - registered
    assert not unknown, f"{source} names commands that do not exist: {sorted(unknown)}"

    repo = _example_repo(tmp_path)
    output = tmp_path / "github_output"
    # `tak-gitops` on PATH runs this checkout's code with this interpreter.
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "tak-gitops").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m tak_gitops "$@"\n')
    (shim / "tak-gitops").chmod(0o755)
    env = {
        "PATH": f"{shim}{os.pathsep}{BIN}{os.pathsep}/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "HOME": str(tmp_path),
        "TAK_ENV": "NTJP-PROD",
        "TAK_COMMAND": "plan",
        "GITHUB_REPOSITORY": "example/tak-desired",
        "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567",
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_API_URL": fake_github.url,
        "GITHUB_TOKEN": fake_github.token,
        "PR_NUMBER": "7",
        "PR_URL": "https://github.com/example/tak-desired/pull/7",
        "LOCK_OWNER": "ci",
        "TAK_HSA_FILE": "hsa/hsacache.xml",
        "HEAD_SHA": "fedcba9876543210fedcba9876543210fedcba98",
        "HEAD_REPO": "fork-owner/tak-desired",
        "PLAN_FILE": "reviewed/plan.json",
        # The loop variables of tak-plan-comment.yml, as its loop sets them for the one downloaded plan.
        "dir": "plans/plan-NTJP-PROD",
        "env_name": "NTJP-PROD",
        "pr": "7",
        "envs": "NTJP-PROD",
    }
    fork = repo / "plans" / "plan-NTJP-PROD"
    fork.mkdir(parents=True)
    (fork / "plan.json").write_text(json.dumps(plan_doc("NTJP-PROD", adds=1)))
    (fork / "plan.md").write_text(plan_markdown("NTJP-PROD", adds=1))
    # GitHub's pull request of the run's head commit (tak-plan-comment.yml asks for it)
    fake_github.pulls["example/tak-desired"] = [
        {"number": 7, "head": {"sha": env["HEAD_SHA"], "repo": {"full_name": env["HEAD_REPO"]}}}
    ]
    ran: list[str] = []
    plans: list[str] = []
    for sub, line in lines:
        if sub in NOT_OFFLINE:
            continue
        if sub == "orders" and "reconcile" in line:
            continue  # reads the ledger the apply lines would have written
        result = subprocess.run(["bash", "-c", line], cwd=repo, env=env, capture_output=True, text=True, timeout=120)
        expected = _expected_exit(sub, line, repo)
        if sub == "plan":
            plans.append(json.loads((repo / "plan.json").read_text())["status"])
        assert result.returncode in expected, f"{line}\n{result.stdout}\n{result.stderr}"
        ran.append(sub)
    if source not in ("tak-plan-comment.yml", "tak-apply.yml"):
        assert plans and set(plans) <= {"no-changes", "changes", "refused"}
    if source == "tak-plan.yml":
        assert {"validate", "codeowners", "affected-envs", "affected-orgs", "comment"} <= set(ran)
        assert 'envs=["NTJP-PROD"]\n' in output.read_text()
        assert "orgs=--org region-varmland\n" in output.read_text()
        bodies = [c["body"] for c in fake_github.comments_of("example/tak-desired", 7)]
        assert len(bodies) == 1 and bodies[0].startswith("<!-- tak-gitops:plan:NTJP-PROD part=1/1")
        plan_checksum = json.loads((repo / "plan.json").read_text())["checksum"]
        assert bodies[0].endswith(
            f"\n\n<sub>Planned at `fedcba9876543210fedcba9876543210fedcba98`; plan checksum `{plan_checksum}`.</sub>\n"
        )
        # The labels job ran after the comment: the pull request carries the plan's labels.
        plan = json.loads((repo / "plan.json").read_text())
        assert sorted(fake_github.labels[("example/tak-desired", 7)]) == list(labels_for_plan(plan))
    elif source == "tak-plan-comment.yml":
        assert ran == ["comment", "affected-envs", "comment", "comment"]  # pr-of-run, the environments, post, labels
        bodies = [c["body"] for c in fake_github.comments_of("example/tak-desired", 7)]
        assert len(bodies) == 1 and "SE162321000156-0000" in bodies[0]
        assert fake_github.labels[("example/tak-desired", 7)] == []
    elif source == "tak-apply.yml":
        assert {"affected-envs", "comment"} <= set(ran)
        assert fake_github.comments_of("example/tak-desired", 7)[0]["body"].startswith(
            "<!-- tak-gitops:orders:NTJP-PROD -->"
        )
    elif source == "tak-drift.yml":
        assert {"affected-envs", "drift-report"} <= set(ran)
        assert 'envs=["NTJP-PROD","NTJP-QA","NTJP-TEST","SLL-PROD"]\n' in output.read_text()
    else:
        assert {"validate", "codeowners", "comment", "drift-report"} <= set(ran)


def _expected_exit(sub: str, line: str, repo: Path) -> set[int]:
    """The exit code the workflow expects of a line, given the plan it made (0/2: plan; 1: refused, failing the job)."""
    status = json.loads((repo / "plan.json").read_text())["status"] if (repo / "plan.json").is_file() else None
    if sub == "plan":
        if "|| test -s plan.json" in line:
            return {0}  # drift: any plan document is a result
        if "|| test $? -eq 2" in line:
            return {1} if status == "refused" else {0}  # apply: a refused plan stops the job
        return {1} if status == "refused" else {0, 2}
    if sub == "drift-report":
        return {0} if status == "no-changes" else {1}
    return {0}


def test_extraction_finds_the_lines_it_must() -> None:
    plan = command_lines(ROOT / ".github" / "workflows" / "tak-plan.yml")
    assert [sub for sub, _ in plan] == [
        "validate",
        "codeowners",
        "affected-envs",
        "affected-orgs",
        "fetch",
        "plan",
        "comment",
        "comment",
    ]
    assert plan[5][1] == (
        'tak-gitops plan --env "$TAK_ENV" --snapshot snapshot.json ${TAK_HSA_FILE:+--hsa "$TAK_HSA_FILE"} '
        '"${orgs[@]}" --out plan.json --format markdown > plan.md'
    )

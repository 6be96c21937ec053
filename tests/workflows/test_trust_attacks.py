"""Attacks on the pull-request side of the trust chain, each refused: a fork's artifact naming another pull
request, a person's comment carrying the sticky marker, lock and temporary files reaching a commit."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tak_gitops.core.comment import parse_marker

from .fake_github import FakeGitHub
from .plans import plan_doc, plan_markdown

ROOT = Path(__file__).resolve().parents[2]
REPO = "example/tak-desired"
FORK = "mallory/tak-desired"
HEAD_SHA = "fedcba9876543210fedcba9876543210fedcba98"
MARKER = "<!-- tak-gitops:plan:NTJP-PROD part=1/1 labels=tak:no-changes -->"


def _step(workflow: str, name: str) -> str:
    doc: Any = YAML(typ="safe").load((ROOT / ".github" / "workflows" / workflow).read_text(encoding="utf-8"))
    for job in doc["jobs"].values():
        for step in job.get("steps", []):
            if step.get("name") == name:
                return str(step["run"])
    raise AssertionError(f"{workflow} has no step {name!r}")


@pytest.fixture
def fork_run(tmp_path: Path, github: FakeGitHub) -> tuple[Path, dict[str, str]]:
    """The default branch's checkout with a fork's downloaded artifact, and the runner's environment."""
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ("tak-gitops.yaml", "ownership.yaml"):
        shutil.copy(ROOT / name, repo / name)
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "tak-gitops").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m tak_gitops "$@"\n')
    (shim / "tak-gitops").chmod(0o755)
    artifact = repo / "plans" / "plan-NTJP-PROD"
    artifact.mkdir(parents=True)
    (artifact / "plan.json").write_text(json.dumps(plan_doc("NTJP-PROD", adds=1)))
    (artifact / "plan.md").write_text(plan_markdown("NTJP-PROD", adds=1))
    env = {
        "PATH": f"{shim}{os.pathsep}/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "HOME": str(tmp_path),
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_API_URL": github.url,
        "GITHUB_TOKEN": github.token,
        "HEAD_SHA": HEAD_SHA,
        "HEAD_REPO": FORK,
    }
    github.pulls[REPO] = [
        {"number": 7, "head": {"sha": HEAD_SHA, "repo": {"full_name": FORK}}},
        {"number": 8, "head": {"sha": "1" * 40, "repo": {"full_name": REPO}}},
    ]
    return repo, env


def _post(repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    script = _step("tak-plan-comment.yml", "Post the sticky plan comments and labels")
    return subprocess.run(["bash", "-c", script], cwd=repo, env=env, capture_output=True, text=True, timeout=120)


def test_a_fork_artifact_naming_another_pull_request_is_not_believed(
    fork_run: tuple[Path, dict[str, str]], github: FakeGitHub
) -> None:
    repo, env = fork_run
    # the fork's files name pull request 8 (someone else's) and an environment of its own making
    (repo / "plans" / "plan-NTJP-PROD" / "pr-number.txt").write_text("8\n")
    evil = repo / "plans" / "plan-EVIL"
    evil.mkdir()
    (evil / "plan.json").write_text(json.dumps(plan_doc("EVIL", adds=1)))
    (evil / "plan.md").write_text("# not a plan of this repository\n")
    victim = github.add_comment(REPO, 8, MARKER + "\nthe reviewed plan of pull request 8", user="bot")
    done = _post(repo, env)
    assert done.returncode == 0, done.stderr
    assert github.comments[victim]["body"] == MARKER + "\nthe reviewed plan of pull request 8"
    assert [c["id"] for c in github.comments_of(REPO, 8)] == [victim]
    posted = github.comments_of(REPO, 7)
    assert [parse_marker(c["body"]).env for c in posted] == ["NTJP-PROD"]  # type: ignore[union-attr]
    assert all("not a plan of this repository" not in c["body"] for c in github.comments.values())


def test_a_run_whose_head_is_no_open_pull_request_posts_nothing(
    fork_run: tuple[Path, dict[str, str]], github: FakeGitHub
) -> None:
    repo, env = fork_run
    env["HEAD_SHA"] = "2" * 40  # a commit no open pull request has as its head (closed, or pushed over)
    done = _post(repo, env)
    assert done.returncode == 1
    assert f"GitHub lists no open pull request of {REPO} with head {FORK}@{'2' * 40}; nothing is posted" in done.stderr
    assert github.comments == {}
    assert github.calls("POST") == [] and github.calls("PATCH") == []


def test_a_person_comment_carrying_the_sticky_marker_is_left_untouched(
    github: FakeGitHub, run_cli: Any, tmp_path: Path
) -> None:
    body = MARKER + "\nI copied the marker to see what happens"
    person = github.add_comment(REPO, 42, body, user="mallory")
    plan, md = tmp_path / "plan.json", tmp_path / "plan.md"
    plan.write_text(json.dumps(plan_doc("NTJP-PROD", removals=2)), encoding="utf-8")
    md.write_text(plan_markdown("NTJP-PROD", removals=2), encoding="utf-8")
    r = run_cli("comment", "--env", "NTJP-PROD", "--plan", str(plan), "--markdown", str(md), "--repo", REPO,
                "--pr", "42", "--labels")
    assert r.code == 0, r.err
    assert github.comments[person]["body"] == body  # neither edited nor deleted
    bot = [c for c in github.comments_of(REPO, 42) if c["user"]["login"] == "bot"]
    assert len(bot) == 1 and parse_marker(bot[0]["body"]).env == "NTJP-PROD"  # type: ignore[union-attr]
    # the labels follow the bot's plan comment only, not the person's marker (tak:no-changes)
    assert "tak:no-changes" not in github.labels[(REPO, 42)]
    assert "tak:removals" in github.labels[(REPO, 42)]


@pytest.mark.parametrize("workflow", ["tak-apply.yml", "tak-drift.yml"])
def test_lock_and_temporary_files_never_reach_a_commit(workflow: str, tmp_path: Path) -> None:
    script = _step(workflow, "Commit the order ledger")
    add = next(line.strip() for line in script.splitlines() if "git add" in line)
    repo = tmp_path / "repo"
    ledger = repo / "orders" / "NTJP-PROD"
    ledger.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    # what a killed apply leaves: its lock, a contender's new lock and claim, a record's temporary file
    for name in ("w1-order.json", ".lock", "..lock.0123abcd.new", ".lock.claim-4242", ".w1-order.json.x1y2.tmp"):
        (ledger / name).write_text("{}")
    (ledger.parent / "NTJP-PROD.baseline.json").write_text("{}")
    (ledger.parent / ".NTJP-PROD.baseline.json.a1b2.tmp").write_text("{")
    subprocess.run(["bash", "-c", add], cwd=repo, check=True)
    staged = subprocess.run(["git", "diff", "--cached", "--name-only"], cwd=repo, capture_output=True, text=True,
                            check=True).stdout.split()
    assert staged == ["orders/NTJP-PROD.baseline.json", "orders/NTJP-PROD/w1-order.json"]

"""`tak-gitops comment`, `comment labels|orders` and `drift-report` against the fake GitHub API on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tak_gitops.adapters.github import GitHubClient
from tak_gitops.core.comment import parse_marker
from tak_gitops.errors import PublishError

from .fake_github import FakeGitHub
from .plans import plan_doc, plan_markdown

REPO = "example/tak-desired"
PR = 42


def _write_plan(tmp_path: Path, env: str, **kw: int | bool) -> tuple[Path, Path]:
    plan = tmp_path / f"{env}.plan.json"
    md = tmp_path / f"{env}.plan.md"
    plan.write_text(json.dumps(plan_doc(env, **kw)), encoding="utf-8")  # type: ignore[arg-type]
    md.write_text(
        plan_markdown(env, removals=int(kw.get("removals", 0)), adds=int(kw.get("adds", 0))), encoding="utf-8"
    )
    return plan, md


def _comment(run_cli, env: str, plan: Path, md: Path, *extra: str):  # type: ignore[no-untyped-def]
    return run_cli(
        "comment", "--env", env, "--plan", str(plan), "--markdown", str(md), "--repo", REPO, "--pr", str(PR), *extra
    )


def _sticky(github: FakeGitHub, env: str) -> list[dict]:  # type: ignore[type-arg]
    out = []
    for c in github.comments_of(REPO, PR):
        m = parse_marker(c["body"])
        if m is not None and m.env == env:
            out.append(c)
    return out


def test_create_then_update_in_place_then_shrink_from_three_parts_to_one(github, run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    github.add_comment(REPO, PR, "Looks good to me")
    plan, md = _write_plan(tmp_path, "NTJP-PROD", removals=700, cascade=True)

    first = _comment(run_cli, "NTJP-PROD", plan, md)
    assert first.code == 0, first.err
    assert (
        first.out == "NTJP-PROD: 3 comment(s) on example/tak-desired#42: 0 updated, 3 created, 0 unchanged, 0 deleted\n"
    )
    parts = _sticky(github, "NTJP-PROD")
    assert [parse_marker(c["body"]).part for c in parts] == [1, 2, 3]  # type: ignore[union-attr]
    assert all(len(c["body"]) <= 60_000 for c in parts)
    # Every removal and cascade line of the plan is in the comments, whole and in order.
    posted = "\n".join(c["body"] for c in parts)
    wanted = [x for x in md.read_text(encoding="utf-8").split("\n") if x.startswith(("- ➖", "  - cascade"))]
    assert [x for x in posted.split("\n") if x.startswith(("- ➖", "  - cascade"))] == wanted
    assert len(wanted) == 1400
    ids = [c["id"] for c in parts]

    # The same plan again: nothing is written.
    again = _comment(run_cli, "NTJP-PROD", plan, md)
    assert again.out.endswith("0 updated, 0 created, 3 unchanged, 0 deleted\n")
    assert [c["id"] for c in _sticky(github, "NTJP-PROD")] == ids

    # A push changes the plan: the same comments are edited in place.
    plan, md = _write_plan(tmp_path, "NTJP-PROD", removals=650)
    second = _comment(run_cli, "NTJP-PROD", plan, md)
    assert second.out.endswith("2 updated, 0 created, 1 unchanged, 0 deleted\n")  # part 2 reads the same
    assert [c["id"] for c in _sticky(github, "NTJP-PROD")] == ids

    # The plan shrinks to one comment: the first is kept, the surplus deleted.
    plan, md = _write_plan(tmp_path, "NTJP-PROD", adds=2)
    third = _comment(run_cli, "NTJP-PROD", plan, md)
    assert (
        third.out == "NTJP-PROD: 1 comment(s) on example/tak-desired#42: 1 updated, 0 created, 0 unchanged, 2 deleted\n"
    )
    remaining = _sticky(github, "NTJP-PROD")
    assert [c["id"] for c in remaining] == ids[:1]
    assert remaining[0]["body"].startswith(
        "<!-- tak-gitops:plan:NTJP-PROD part=1/1 -->\n<!-- tak-gitops:plan:NTJP-PROD -->"
    )
    assert [c["body"] for c in github.comments_of(REPO, PR)][0] == "Looks good to me"


def test_one_sticky_comment_per_environment_found_across_pages(github, run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    github.max_per_page = 2
    for i in range(5):
        github.add_comment(REPO, PR, f"review comment {i}")
    qa_plan, qa_md = _write_plan(tmp_path, "NTJP-QA", adds=1)
    prod_plan, prod_md = _write_plan(tmp_path, "NTJP-PROD", adds=3)
    assert _comment(run_cli, "NTJP-QA", qa_plan, qa_md).code == 0
    assert _comment(run_cli, "NTJP-PROD", prod_plan, prod_md).code == 0
    qa_plan, qa_md = _write_plan(tmp_path, "NTJP-QA", adds=2)
    result = _comment(run_cli, "NTJP-QA", qa_plan, qa_md)
    assert result.out.endswith("1 updated, 0 created, 0 unchanged, 0 deleted\n")
    assert len(github.comments_of(REPO, PR)) == 7
    assert sum(1 for c in github.log if c[0] == "GET" and "page=4" in c[1]) >= 1


def test_labels_follow_the_plans_of_every_environment(github, run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    github.labels[(REPO, PR)] = ["documentation", "tak:no-changes"]
    prod_plan, prod_md = _write_plan(tmp_path, "NTJP-PROD", removals=3, cascade=True)
    qa_plan, qa_md = _write_plan(tmp_path, "NTJP-QA")
    r = _comment(run_cli, "NTJP-PROD", prod_plan, prod_md, "--labels")
    assert r.code == 0
    assert r.out.splitlines()[-1] == "labels: +tak:cascade,tak:removals -tak:no-changes"
    r = _comment(run_cli, "NTJP-QA", qa_plan, qa_md, "--labels")
    assert r.out.splitlines()[-1] == "labels: unchanged"
    assert sorted(github.labels[(REPO, PR)]) == ["documentation", "tak:cascade", "tak:removals"]

    # PROD's removals are taken out of the change: both environments have no changes.
    prod_plan, prod_md = _write_plan(tmp_path, "NTJP-PROD")
    assert _comment(run_cli, "NTJP-PROD", prod_plan, prod_md).code == 0
    r = run_cli("comment", "labels", "--repo", REPO, "--pr", str(PR))
    assert r.out == "labels: +tak:no-changes -tak:cascade,tak:removals\n"
    assert sorted(github.labels[(REPO, PR)]) == ["documentation", "tak:no-changes"]

    # A refused plan.
    prod_plan, prod_md = _write_plan(tmp_path, "NTJP-PROD", removals=40, refused=True)
    r = _comment(run_cli, "NTJP-PROD", prod_plan, prod_md, "--labels")
    assert sorted(github.labels[(REPO, PR)]) == ["documentation", "tak:refused", "tak:removals"]


def test_rate_limits_and_server_errors_are_retried(github, run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    plan, md = _write_plan(tmp_path, "NTJP-PROD", adds=1)
    github.fail(429, headers={"Retry-After": "0"}, method="GET")
    github.fail(403, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()))}, method="POST")
    github.fail(0, method="POST")  # connection dropped
    r = _comment(run_cli, "NTJP-PROD", plan, md)
    assert r.code == 0, r.err
    # GET /user (who the token is: only its own comments are edited), retried; the comments; the POST, retried
    assert [s for _, _, s in github.log] == [429, 200, 200, 403, 0, 201]
    assert len(_sticky(github, "NTJP-PROD")) == 1


def test_client_backs_off_on_5xx_then_gives_up_with_a_publish_error(github) -> None:  # type: ignore[no-untyped-def]
    waits: list[float] = []
    with GitHubClient(token=github.token, base_url=github.url, max_attempts=3, backoff=0.5, sleep=waits.append) as gh:
        github.fail(502, count=2)
        assert gh.create_comment(REPO, PR, "hello") > 0
        assert waits == [0.5, 1.0]
        github.fail(503, count=3)
        with pytest.raises(PublishError) as exc:
            gh.create_comment(REPO, PR, "again")
    assert str(exc.value) == (
        "GitHub API POST /repos/example/tak-desired/issues/42/comments: HTTP 503: injected 503 "
        "(gave up after 3 attempts)"
    )


def test_a_rate_limit_longer_than_the_cap_is_not_waited_for(github) -> None:  # type: ignore[no-untyped-def]
    github.fail(403, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()) + 3600)})
    with (
        GitHubClient(token=github.token, base_url=github.url, max_wait=60, sleep=lambda s: None) as gh,
        pytest.raises(PublishError, match=r"it resets in 3[56]\d\d s, longer than the 60 s this command waits"),
    ):
        gh.list_labels(REPO, PR)


def test_body_too_long_is_split_again_smaller(github, run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    github.max_body = 40_000  # a server stricter than documented
    plan, md = _write_plan(tmp_path, "NTJP-PROD", removals=300)
    r = _comment(run_cli, "NTJP-PROD", plan, md)
    assert r.code == 0, r.err
    assert "GitHub refused a part as too long; splitting again at 30000 characters" in r.err
    parts = _sticky(github, "NTJP-PROD")
    assert len(parts) == 3 and all(len(c["body"]) <= 30_000 for c in parts)
    assert [parse_marker(c["body"]).total for c in parts] == [3, 3, 3]  # type: ignore[union-attr]


def test_final_failure_exits_non_zero_and_never_prints_the_token(github, tmp_path) -> None:  # type: ignore[no-untyped-def]
    plan, md = _write_plan(tmp_path, "NTJP-PROD", adds=1)
    args = [sys.executable, "-m", "tak_gitops", "comment", "--env", "NTJP-PROD", "--plan", str(plan),
            "--markdown", str(md), "--repo", REPO, "--pr", str(PR)]  # fmt: skip
    env = {"PATH": "/usr/bin:/bin", "GITHUB_API_URL": github.url, "GITHUB_TOKEN": "ghp_wrong_secret_value"}
    bad = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)
    assert bad.returncode == 1
    assert bad.stderr == (
        "error: GitHub API GET /user: HTTP 401: Bad credentials. Check GITHUB_TOKEN.\n"
    )
    github.fail(403, method="POST")  # no rate-limit headers: a permission problem, not retried
    env["GITHUB_TOKEN"] = github.token
    denied = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)
    assert denied.returncode == 1
    assert "HTTP 403: injected 403. The token lacks permission" in denied.stderr
    for out in (bad, denied):
        assert "ghp_wrong_secret_value" not in out.stdout + out.stderr
        assert github.token not in out.stdout + out.stderr
    no_token = subprocess.run(args, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"}, timeout=60)
    assert no_token.returncode == 2
    assert "no GitHub token: set GITHUB_TOKEN" in no_token.stderr


def test_orders_comment_on_the_merged_pull_request(github, run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ledger = tmp_path / "orders" / "NTJP-PROD"
    ledger.mkdir(parents=True)
    plan, _ = _write_plan(tmp_path, "NTJP-PROD", adds=1)
    checksum = json.loads(plan.read_text())["checksum"]
    for oid, wave, cs in (
        ("w1-inera-producer-x", 1, checksum),
        ("w2-inera-consumer-y", 2, checksum),
        ("old", 1, "sha256:0"),
    ):
        (ledger / f"{oid}.json").write_text(
            json.dumps({"order_id": oid, "wave": wave, "org": "inera", "state": "submitted", "plan_checksum": cs})
        )
    r = run_cli("comment", "orders", "--repo", REPO, "--pr", str(PR), "--env", "NTJP-PROD",
                "--ledger-dir", str(tmp_path / "orders"), "--plan", str(plan), "--commit", "c0ffee")  # fmt: skip
    assert r.code == 0, r.err
    assert (
        r.out == "NTJP-PROD: commented 2 order(s) on example/tak-desired#42: w1-inera-producer-x, w2-inera-consumer-y\n"
    )
    body = github.comments_of(REPO, PR)[-1]["body"]
    assert "| `w1-inera-producer-x` | inera | 1 | submitted | – |" in body
    assert "`old`" not in body


def test_drift_report_opens_updates_and_closes_one_issue(github, run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ledger = tmp_path / "orders" / "NTJP-PROD"
    ledger.mkdir(parents=True)
    (ledger / "o1.json").write_text(json.dumps({"order_id": "o1", "state": "diverged", "ticket": "TSK-1"}))
    plan, md = _write_plan(tmp_path, "NTJP-PROD", removals=2)
    args = ["drift-report", "--repo", REPO, "--env", "NTJP-PROD", "--plan", str(plan), "--markdown", str(md),
            "--ledger-dir", str(tmp_path / "orders"), "--commit", "abc"]  # fmt: skip
    r = run_cli(*args)
    assert (r.code, r.out) == (1, "NTJP-PROD: drift; opened example/tak-desired#501\n")
    issue = github.issues[(REPO, 501)]
    assert issue["title"] == "TAK drift in NTJP-PROD"
    assert issue["body"].startswith("<!-- tak-gitops:drift:NTJP-PROD -->\n## TAK drift in NTJP-PROD\n")
    assert "| rows changed outside the repository (changes a plan would order) | 2 |" in issue["body"]
    assert "- `o1` (diverged, ticket TSK-1)" in issue["body"]
    assert github.labels[(REPO, 501)] == ["tak:drift"]

    r = run_cli(*args)
    assert (r.code, r.out) == (1, "NTJP-PROD: drift; updated example/tak-desired#501\n")
    assert len(github.issues) == 1

    (ledger / "o1.json").write_text(json.dumps({"order_id": "o1", "state": "executed"}))
    plan, md = _write_plan(tmp_path, "NTJP-PROD")
    r = run_cli(*args)
    assert (r.code, r.out) == (0, "NTJP-PROD: no drift; closed example/tak-desired#501\n")
    assert github.issues[(REPO, 501)]["state"] == "closed"
    assert "found no drift" in github.issues[(REPO, 501)]["body"]
    r = run_cli(*args)
    assert (r.code, r.out) == (0, "NTJP-PROD: no drift\n")


def test_client_edge_cases(github) -> None:  # type: ignore[no-untyped-def]
    with GitHubClient(token=github.token, base_url=github.url, sleep=lambda s: None) as gh:
        # A label that is already gone is fine; a failure that is not "too long" is a plain PublishError.
        gh.remove_label(REPO, PR, "tak:removals")
        github.fail(422, method="POST")
        with pytest.raises(PublishError) as exc:
            gh.create_comment(REPO, PR, "x")
        assert type(exc.value) is PublishError
        assert (
            str(exc.value) == "GitHub API POST /repos/example/tak-desired/issues/42/comments: HTTP 422: injected 422."
        )
        # The token is never sent to another host, even when a Link header points there.
        with pytest.raises(PublishError, match=r"refusing to follow a link to another host \(evil.example\)"):
            gh.request("GET", "https://evil.example/repos/x")


def test_usage_errors(github, run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    plan, md = _write_plan(tmp_path, "NTJP-PROD")
    assert run_cli("comment", "--env", "NTJP-PROD", "--repo", REPO).code == 2
    r = run_cli("comment", "--env", "NTJP-QA", "--plan", str(plan), "--markdown", str(md), "--repo", REPO, "--pr", "1")
    assert (r.code, r.err) == (2, f"error: {plan} is a plan for NTJP-PROD, not NTJP-QA\n")
    r = run_cli("comment", "--env", "prod;rm", "--plan", str(plan), "--markdown", str(md), "--repo", REPO, "--pr", "1")
    assert (r.code, r.err) == (2, "error: --env 'prod;rm' is not an environment name such as NTJP-PROD\n")
    r = run_cli("comment", "--env", "NTJP-PROD", "--plan", str(md), "--markdown", str(md), "--repo", "x", "--pr", "1")
    assert r.code == 1 and r.err.startswith(f"error: {md}: not JSON")
    assert github.log == []


def test_a_plan_too_long_for_any_number_of_comments_posts_a_loud_notice_and_fails(github, run_cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    plan, md = _write_plan(tmp_path, "NTJP-PROD", removals=1500)
    r = _comment(run_cli, "NTJP-PROD", plan, md, "--max-chars", "2000")
    assert r.code == 1
    assert r.err.startswith("error: the plan for NTJP-PROD needs ")
    assert r.err.endswith("comments, more than 99; posted a notice instead (the plan is in the workflow artifacts)\n")
    (only,) = _sticky(github, "NTJP-PROD")
    assert only["body"].startswith(
        "<!-- tak-gitops:plan:NTJP-PROD part=1/1 labels=tak:removals -->\n> [!WARNING]\n"
        "> **The plan for NTJP-PROD is too long for pull-request comments** (100+ parts). "
        "Read it in the workflow run's artifact `plan-NTJP-PROD`. Its beginning:\n"
    )
    assert len(only["body"]) <= 2000

"""Pull-request workflow commands: `comment` (sticky plan comments, labels, created orders), `drift-report`
and `affected-envs`.

The token comes from ``GITHUB_TOKEN`` and the API from ``GITHUB_API_URL`` (both set in GitHub Actions). A comment
or label that cannot be posted makes the command exit non-zero.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click
import orjson

from tak_gitops.adapters.github import GitHubClient, publish_drift, publish_plan, sync_pr_labels
from tak_gitops.cli import cli
from tak_gitops.cli.codeowners import load_project
from tak_gitops.core.codeowners import affected_environments, affected_organisations
from tak_gitops.core.comment import (
    DEFAULT_LIMIT,
    labels_for_plan,
    record_id,
    render_orders_comment,
)
from tak_gitops.core.config import ENV_NAME_RE
from tak_gitops.core.drift import drift_report, render_drift_issue
from tak_gitops.errors import ExitCode, LedgerError, PlanFileError, UsageError


def _repo(value: str) -> str:
    parts = value.split("/")
    if len(parts) != 2 or not all(parts):
        raise UsageError(f"--repo must be OWNER/NAME, not {value!r}")
    return value


def _env(value: str) -> str:
    if not ENV_NAME_RE.match(value):
        raise UsageError(f"--env {value!r} is not an environment name such as NTJP-PROD")
    return value


def read_plan(path: Path) -> dict[str, Any]:
    """A plan document, checked for its format name and a known major version."""
    try:
        data = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise UsageError(f"{path}: no such plan file") from None
    except orjson.JSONDecodeError as exc:
        raise PlanFileError(f"{path}: not JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != "tak-gitops-plan":
        raise PlanFileError(
            f"{path}: not a tak-gitops plan (format {data.get('format') if isinstance(data, dict) else None!r})"
        )
    version = str(data.get("format_version", ""))
    if version.split(".")[0] != "1":
        raise PlanFileError(f"{path}: plan format_version {version!r} is not supported (this version reads 1.x)")
    return data


def read_ledger(ledger_dir: Path, env: str) -> list[dict[str, Any]]:
    """The order records of ``env`` (``<ledger_dir>/<env>/*.json``, or ``ledger_dir`` itself when it is that folder)."""
    folder = ledger_dir / env if (ledger_dir / env).is_dir() else ledger_dir
    if not folder.is_dir():
        return []
    records = []
    for path in sorted(folder.glob("*.json")):
        try:
            data = orjson.loads(path.read_bytes())
        except orjson.JSONDecodeError as exc:
            raise LedgerError(f"{path}: not JSON ({exc})") from None
        if isinstance(data, dict):
            records.append(data)
    return records


def _client() -> GitHubClient:
    return GitHubClient.from_env()


def _say_resplit(budget: int) -> None:
    click.echo(f"GitHub refused a part as too long; splitting again at {budget} characters", err=True)


def _label_summary(add: Sequence[str], remove: Sequence[str]) -> str:
    parts = ([f"+{','.join(add)}"] if add else []) + ([f"-{','.join(remove)}"] if remove else [])
    return f"labels: {' '.join(parts)}" if parts else "labels: unchanged"


@cli.group("comment", invoke_without_command=True)
@click.option("--env", "env", metavar="ENV", help="The environment the plan is for (one sticky comment each).")
@click.option("--plan", "plan_path", type=click.Path(path_type=Path, dir_okay=False), help="plan.json")
@click.option(
    "--markdown", "markdown_path", type=click.Path(path_type=Path, dir_okay=False), help="The plan as markdown."
)
@click.option("--repo", metavar="OWNER/NAME", help="The repository (in Actions: ${{ github.repository }}).")
@click.option("--pr", type=int, metavar="N", help="The pull-request number.")
@click.option("--labels/--no-labels", default=False, help="Also set the tak:* labels of the pull request.")
@click.option("--commit", default=None, metavar="SHA", help="The commit planned, named at the end of the comment.")
@click.option(
    "--max-chars",
    type=click.IntRange(min=2000, max=DEFAULT_LIMIT),
    default=DEFAULT_LIMIT,
    show_default=True,
    help="Largest comment, in characters (each comment also stays under 250,000 UTF-8 bytes).",
)
@click.pass_context
def comment(
    ctx: click.Context,
    env: str | None,
    plan_path: Path | None,
    markdown_path: Path | None,
    repo: str | None,
    pr: int | None,
    labels: bool,
    commit: str | None,
    max_chars: int,
) -> None:
    """Post or update the sticky plan comment(s) of one environment on a pull request.

    The comment is found by a hidden marker and edited in place; a plan too long for one comment is split into
    several, and comments no longer needed are deleted. With --labels the pull request's tak:removals,
    tak:cascade, tak:refused and tak:no-changes labels are set from the plans of every environment.
    """
    if ctx.invoked_subcommand is not None:
        return
    missing = [
        name
        for name, value in (
            ("--env", env),
            ("--plan", plan_path),
            ("--markdown", markdown_path),
            ("--repo", repo),
            ("--pr", pr),
        )
        if value is None
    ]
    if missing:
        raise UsageError(f"comment: missing {', '.join(missing)}")
    assert env and plan_path and markdown_path and repo and pr is not None
    env = _env(env)
    plan = read_plan(plan_path)
    if plan.get("environment") not in (None, env):
        raise UsageError(f"{plan_path} is a plan for {plan.get('environment')}, not {env}")
    try:
        markdown = markdown_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{markdown_path}: no such file") from None
    if commit:
        # Every push leaves its mark, so an old plan never stays on the pull request unnoticed; the plan's
        # checksum ties the comment to the plan file apply reads (and the ledger records)
        checksum = plan.get("checksum")
        sealed = f"; plan checksum `{checksum}`" if isinstance(checksum, str) else ""
        markdown = markdown.rstrip("\n") + f"\n\n<sub>Planned at `{commit}`{sealed}.</sub>\n"
    plan_labels = labels_for_plan(plan)
    with _client() as gh:
        result, total = publish_plan(
            gh,
            _repo(repo),
            pr,
            env,
            markdown,
            plan_labels,
            max_chars,
            on_resplit=lambda n: click.echo(
                f"GitHub refused a part as too long; splitting again at {n} characters", err=True
            ),
        )
        click.echo(
            f"{env}: {total} comment(s) on {repo}#{pr}: {len(result.updated)} updated, {len(result.created)} created, "
            f"{len(result.unchanged)} unchanged, {len(result.deleted)} deleted"
        )
        if labels:
            add, remove = sync_pr_labels(gh, repo, pr)
            click.echo(_label_summary(add, remove))


@comment.command("labels")
@click.option("--repo", required=True, metavar="OWNER/NAME")
@click.option("--pr", required=True, type=int, metavar="N")
def comment_labels(repo: str, pr: int) -> None:
    """Set the tak:* labels of a pull request from the sticky plan comments of all its environments."""
    with _client() as gh:
        add, remove = sync_pr_labels(gh, _repo(repo), pr)
    click.echo(_label_summary(add, remove))


@comment.command("pr-of-run")
@click.option("--repo", required=True, metavar="OWNER/NAME")
@click.option("--head-sha", required=True, metavar="SHA", help="The head commit of the completed workflow run.")
@click.option("--head-repo", required=True, metavar="OWNER/NAME", help="The repository of that commit (the fork).")
def comment_pr_of_run(repo: str, head_sha: str, head_repo: str) -> None:
    """Print the number of the open pull request whose head is HEAD_SHA of HEAD_REPO, as GitHub lists it."""
    if not re.fullmatch(r"[0-9a-f]{40}", head_sha):
        raise UsageError(f"--head-sha {head_sha!r} is not a 40-hex commit")
    with _client() as gh:
        click.echo(gh.pull_request_of(_repo(repo), head_sha, _repo(head_repo)))


@comment.command("orders")
@click.option("--repo", required=True, metavar="OWNER/NAME")
@click.option("--pr", required=True, type=int, metavar="N")
@click.option("--env", "env", required=True, metavar="ENV")
@click.option(
    "--ledger-dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="The order ledger (orders/; the records of ENV are in orders/ENV/).",
)
@click.option(
    "--plan",
    "plan_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Only orders created from this plan (matched by its checksum).",
)
@click.option("--commit", default=None, help="Only orders applied at this commit; also named in the comment.")
def comment_orders(repo: str, pr: int, env: str, ledger_dir: Path, plan_path: Path | None, commit: str | None) -> None:
    """Comment the orders an apply created on the merged pull request (a plain comment, one per apply)."""
    records = read_ledger(ledger_dir, _env(env))
    if plan_path is not None:
        checksum = read_plan(plan_path).get("checksum")
        records = [r for r in records if r.get("plan_checksum") == checksum]
    if commit is not None:
        records = [r for r in records if r.get("commit") in (None, commit)]
    body = render_orders_comment(env, records, commit=commit)
    with _client() as gh:
        gh.create_comment(_repo(repo), pr, body)
    click.echo(
        f"{env}: commented {len(records)} order(s) on {repo}#{pr}: {', '.join(record_id(r) for r in records) or '-'}"
    )


@cli.command("drift-report")
@click.option("--repo", required=True, metavar="OWNER/NAME")
@click.option("--env", "env", required=True, metavar="ENV")
@click.option("--plan", "plan_path", required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--markdown", "markdown_path", type=click.Path(path_type=Path, dir_okay=False), help="The plan as markdown."
)
@click.option(
    "--ledger-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="The reconciled order ledger: diverged and expired orders are drift too.",
)
@click.option("--commit", default=None, help="The commit checked, named in the issue.")
def drift_report_cmd(
    repo: str, env: str, plan_path: Path, markdown_path: Path | None, ledger_dir: Path | None, commit: str | None
) -> None:
    """Keep one issue per environment up to date with drift found by a scheduled plan; exit 1 on drift.

    The issue is found by a hidden marker and the tak:drift label, created when drift first appears, updated on
    every run while it lasts, and closed by the first run that finds none.
    """
    env = _env(env)
    plan = read_plan(plan_path)
    ledger = read_ledger(ledger_dir, env) if ledger_dir is not None else []
    report = drift_report(env, plan, ledger)
    markdown = markdown_path.read_text(encoding="utf-8") if markdown_path is not None else ""
    body = render_drift_issue(report, markdown, commit=commit)
    repo = _repo(repo)
    with _client() as gh:
        action, number = publish_drift(gh, repo, env, has_drift=report.has_drift, body=body)
    where = f" {action} {repo}#{number}" if number is not None else ""
    click.echo(f"{env}: {'drift' if report.has_drift else 'no drift'}{';' if where else ''}{where}")
    if report.has_drift:
        click.get_current_context().exit(ExitCode.FAILURE)


def _org_environments(root: Path, desired_dir: str, envs: Sequence[str]) -> Mapping[str, list[str]]:
    base = root / desired_dir
    out: dict[str, list[str]] = {}
    if base.is_dir():
        for org in sorted(p for p in base.iterdir() if p.is_dir()):
            out[org.name] = [e for e in envs if (org / f"{e}.yaml").is_file() or (org / f"{e}.yml").is_file()]
    return out


@cli.command("affected-envs")
@click.argument("paths", nargs=-1)
@click.option("--paths-from", type=click.File("r"), default=None, help="Read changed paths, one a line (- for stdin).")
@click.option("--all", "all_envs", is_flag=True, help="Every environment of tak-gitops.yaml.")
@click.option("--root", type=click.Path(path_type=Path, file_okay=False), default=Path("."), show_default=True)
def affected_envs(paths: tuple[str, ...], paths_from: Any, all_envs: bool, root: Path) -> None:
    """Print, as a JSON list, the environments a change of PATHS touches (for a workflow's job matrix).

    Typical use: git diff --name-only BASE...HEAD | tak-gitops affected-envs --paths-from -
    """
    project_root, config, _ = load_project(root)
    envs = sorted(config.environments)
    if all_envs:
        result: Sequence[str] = envs
    else:
        changed = list(paths)
        if paths_from is not None:
            changed += [line.strip() for line in paths_from if line.strip()]
        result = affected_environments(changed, config, _org_environments(project_root, config.desired_dir, envs))
    sys.stdout.write(orjson.dumps(list(result)).decode() + "\n")


@cli.command("affected-orgs")
@click.argument("paths", nargs=-1)
@click.option("--paths-from", type=click.File("r"), default=None, help="Read changed paths, one a line (- for stdin).")
@click.option("--root", type=click.Path(path_type=Path, file_okay=False), default=Path("."), show_default=True)
def affected_orgs(paths: tuple[str, ...], paths_from: Any, root: Path) -> None:
    """Print the `--org` flags for `plan` that limit it to the organisations a change of PATHS touches.

    Prints nothing when the change touches tak-gitops.yaml or the ownership registry (every organisation is
    planned then) or no organisation folder. Only organisations of the ownership registry are printed.
    Typical use: tak-gitops plan ... $(tak-gitops affected-orgs --paths-from changed.txt)
    """
    _project_root, config, ownership = load_project(root)
    changed = list(paths)
    if paths_from is not None:
        changed += [line.strip() for line in paths_from if line.strip()]
    result = affected_organisations(changed, config, ownership.organisations)
    if result:
        sys.stdout.write(" ".join(f"--org {org}" for org in result) + "\n")

"""Publishing to GitHub: a plan as sticky comments, the pull request's labels, the drift issue of an environment."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tak_gitops.adapters.github.client import GitHubClient, StickyResult
from tak_gitops.adapters.github.transport import BodyTooLong
from tak_gitops.core.comment import (
    DEFAULT_BYTE_LIMIT,
    DEFAULT_LIMIT,
    MAX_PARTS,
    TooManyParts,
    env_labels_from_comments,
    label_changes,
    pull_request_labels,
    split_markdown,
    sticky_parts,
    too_long_notice,
)
from tak_gitops.core.drift import DRIFT_LABEL, drift_marker, drift_title
from tak_gitops.errors import PublishError

# How often a body GitHub finds too long is split again, each time to half the budget.
RESPLITS = 3


def publish_plan(
    gh: GitHubClient,
    repo: str,
    pr: int,
    env: str,
    markdown: str,
    labels: Sequence[str],
    limit: int = DEFAULT_LIMIT,
    *,
    on_resplit: Callable[[int], None] = lambda budget: None,
) -> tuple[StickyResult, int]:
    """Post a plan's markdown as the sticky comments of ``env``; returns what was done and the number of parts.

    When GitHub answers that a body is too long, the plan is split again at half the size (up to three times).
    A plan needing more than :data:`MAX_PARTS` comments is replaced by a notice with its beginning, and
    PublishError is raised.
    """
    budget = limit
    for attempt in range(RESPLITS + 1):
        byte_limit = min(DEFAULT_BYTE_LIMIT, budget * 4)
        try:
            parts = sticky_parts(env, markdown, labels, limit=budget, byte_limit=byte_limit)
        except TooManyParts as exc:
            # Never silently: post a notice with the plan's beginning, then fail.
            head = split_markdown(exc.first, budget // 2, byte_limit=byte_limit // 2)[0]
            notice = too_long_notice(env, head, MAX_PARTS + 1)
            gh.sync_sticky(repo, pr, env, sticky_parts(env, notice, labels, limit=budget, byte_limit=byte_limit))
            raise PublishError(f"{exc}; posted a notice instead (the plan is in the workflow artifacts)") from None
        try:
            return gh.sync_sticky(repo, pr, env, parts), len(parts)
        except BodyTooLong:
            if attempt == RESPLITS:
                raise
            budget //= 2
            on_resplit(budget)
    raise AssertionError("unreachable")  # pragma: no cover


def sync_pr_labels(gh: GitHubClient, repo: str, pr: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Set the managed labels of a pull request from the markers of all its sticky plan comments."""
    per_env = env_labels_from_comments(gh.own_comments(repo, pr))
    wanted = pull_request_labels(per_env)
    add, remove = label_changes(gh.list_labels(repo, pr), wanted)
    gh.add_labels(repo, pr, add)
    for label in remove:
        gh.remove_label(repo, pr, label)
    return add, remove


def publish_drift(gh: GitHubClient, repo: str, env: str, *, has_drift: bool, body: str) -> tuple[str, int | None]:
    """Keep the one drift issue of ``env`` up to date: open it on drift, update it while drift lasts, close it when
    a check finds none. Returns what was done (opened, updated, closed, or none) and the issue number."""
    issue = gh.find_issue(repo, drift_marker(env), DRIFT_LABEL)
    if has_drift:
        if issue is None:
            return "opened", gh.create_issue(repo, drift_title(env), body, [DRIFT_LABEL])
        number = int(issue["number"])
        gh.update_issue(repo, number, title=drift_title(env), body=body, state="open")
        return "updated", number
    if issue is not None and issue.get("state") == "open":
        number = int(issue["number"])
        gh.update_issue(repo, number, body=body, state="closed")
        return "closed", number
    return "none", None

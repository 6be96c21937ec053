"""The GitHub operations tak-gitops needs: pull-request comments (the sticky plan comments), labels, issues."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from tak_gitops.adapters.github.transport import GitHubApi
from tak_gitops.core.comment import ExistingComment, StickyPlan, plan_sticky
from tak_gitops.errors import PublishError


@dataclass(frozen=True)
class StickyResult:
    """What :meth:`GitHubClient.sync_sticky` did: comment ids per operation, in order."""

    updated: tuple[int, ...]
    unchanged: tuple[int, ...]
    created: tuple[int, ...]
    deleted: tuple[int, ...]

    @property
    def comment_ids(self) -> tuple[int, ...]:
        return tuple(sorted(self.updated + self.unchanged + self.created))


ACTIONS_BOT = "github-actions[bot]"
"""Who GitHub Actions' installation token writes as (``GET /user`` is not open to it)."""


class GitHubClient(GitHubApi):
    """The GitHub REST operations tak-gitops needs. Use as a context manager."""

    _login: str | None = None

    def token_login(self) -> str:
        """The login of the token's own user: the author of every comment this tool writes."""
        if self._login is None:
            try:
                self._login = str(self.request("GET", "/user").json()["login"])
            except PublishError as exc:
                if "HTTP 403" not in str(exc) or "integration" not in str(exc).lower():
                    raise
                self._login = ACTIONS_BOT
        return self._login

    def own_comments(self, repo: str, number: int) -> list[ExistingComment]:
        """The comments of an issue or pull request written by the token's own user, oldest first: the only ones
        this tool edits, deletes or reads markers from (a person's comment carrying a marker is left alone)."""
        login = self.token_login()
        return [
            ExistingComment(int(c["id"]), str(c.get("body") or ""))
            for c in self._paginate(f"/repos/{repo}/issues/{number}/comments")
            if isinstance(c.get("user"), dict) and c["user"].get("login") == login
        ]

    def pull_request_of(self, repo: str, head_sha: str, head_repo: str) -> int:
        """The one open pull request of ``repo`` whose head is commit ``head_sha`` of ``head_repo``, as GitHub says
        (a completed workflow run names its head commit; a fork's own files are never asked)."""
        found = sorted(
            int(p["number"])
            for p in self._paginate(f"/repos/{repo}/pulls?state=open")
            if isinstance(p.get("head"), dict)
            and p["head"].get("sha") == head_sha
            and isinstance(p["head"].get("repo"), dict)
            and p["head"]["repo"].get("full_name") == head_repo
        )
        if len(found) != 1:
            what = "no open pull request" if not found else f"{len(found)} open pull requests ({found})"
            raise PublishError(f"GitHub lists {what} of {repo} with head {head_repo}@{head_sha}; nothing is posted")
        return found[0]

    # ----------------------------------------------------------------------------------------------------------
    # Comments

    def list_issue_comments(self, repo: str, number: int) -> list[ExistingComment]:
        """Every comment of an issue or pull request, oldest first."""
        return [
            ExistingComment(int(c["id"]), str(c.get("body") or ""))
            for c in self._paginate(f"/repos/{repo}/issues/{number}/comments")
        ]

    def create_comment(self, repo: str, number: int, body: str) -> int:
        response = self.request("POST", f"/repos/{repo}/issues/{number}/comments", json={"body": body})
        return int(response.json()["id"])

    def update_comment(self, repo: str, comment_id: int, body: str) -> None:
        self.request("PATCH", f"/repos/{repo}/issues/comments/{comment_id}", json={"body": body})

    def delete_comment(self, repo: str, comment_id: int) -> None:
        self.request("DELETE", f"/repos/{repo}/issues/comments/{comment_id}")

    def sync_sticky(self, repo: str, number: int, env: str, parts: Sequence[str]) -> StickyResult:
        """Make the sticky comments of ``env`` say ``parts``: update in place, create the missing, delete the rest."""
        plan: StickyPlan = plan_sticky(self.own_comments(repo, number), env, parts)
        for comment_id, body in plan.update:
            self.update_comment(repo, comment_id, body)
        created = [self.create_comment(repo, number, body) for body in plan.create]
        for comment_id in plan.delete:
            self.delete_comment(repo, comment_id)
        return StickyResult(
            updated=tuple(i for i, _ in plan.update),
            unchanged=plan.unchanged,
            created=tuple(created),
            deleted=plan.delete,
        )

    # ----------------------------------------------------------------------------------------------------------
    # Labels

    def list_labels(self, repo: str, number: int) -> list[str]:
        return sorted(str(label["name"]) for label in self._paginate(f"/repos/{repo}/issues/{number}/labels"))

    def add_labels(self, repo: str, number: int, labels: Sequence[str]) -> None:
        if labels:
            self.request("POST", f"/repos/{repo}/issues/{number}/labels", json={"labels": list(labels)})

    def remove_label(self, repo: str, number: int, label: str) -> None:
        try:
            self.request("DELETE", f"/repos/{repo}/issues/{number}/labels/{quote(label, safe='')}")
        except PublishError as exc:
            if "HTTP 404" not in str(exc):  # already gone
                raise

    # ----------------------------------------------------------------------------------------------------------
    # Issues

    def find_issue(self, repo: str, marker: str, label: str) -> dict[str, Any] | None:
        """The issue carrying ``label`` whose body contains ``marker`` (an open one first, then the oldest)."""
        found = [
            issue
            for issue in self._paginate(f"/repos/{repo}/issues?state=all&labels={quote(label, safe='')}")
            if "pull_request" not in issue and marker in str(issue.get("body") or "")
        ]
        if not found:
            return None
        found.sort(key=lambda i: (i.get("state") != "open", int(i["number"])))
        return dict(found[0])

    def create_issue(self, repo: str, title: str, body: str, labels: Sequence[str]) -> int:
        response = self.request(
            "POST", f"/repos/{repo}/issues", json={"title": title, "body": body, "labels": list(labels)}
        )
        return int(response.json()["number"])

    def update_issue(
        self, repo: str, number: int, *, title: str | None = None, body: str | None = None, state: str | None = None
    ) -> None:
        payload = {k: v for k, v in (("title", title), ("body", body), ("state", state)) if v is not None}
        self.request("PATCH", f"/repos/{repo}/issues/{number}", json=payload)

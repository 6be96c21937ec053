"""A small GitHub REST client for pull-request comments, labels and the drift issue.

The base URL comes from ``GITHUB_API_URL`` (default https://api.github.com, so GitHub Enterprise works as in
Actions), the token from ``GITHUB_TOKEN``. The token is sent only to the base URL's host and never appears in a
message. Rate-limit answers (403/429 with ``Retry-After`` or ``X-RateLimit-Remaining: 0`` and ``X-RateLimit-Reset``),
5xx answers and connection errors are retried with tenacity; a wait longer than ``max_wait`` seconds is not
waited for. A 422 "body is too long" raises :class:`BodyTooLong` so the caller can split smaller. Every other
failure, and the last failed retry, raises :class:`~tak_gitops.errors.PublishError`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from tak_gitops import __version__
from tak_gitops.core.comment import (
    DEFAULT_BYTE_LIMIT,
    DEFAULT_LIMIT,
    MAX_PARTS,
    ExistingComment,
    StickyPlan,
    TooManyParts,
    env_labels_from_comments,
    label_changes,
    plan_sticky,
    pull_request_labels,
    split_markdown,
    sticky_parts,
    too_long_notice,
)
from tak_gitops.core.drift import DRIFT_LABEL, drift_marker, drift_title
from tak_gitops.errors import PublishError, UsageError

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
PER_PAGE = 100
# How often a body GitHub finds too long is split again, each time to half the budget.
RESPLITS = 3


class BodyTooLong(PublishError):
    """GitHub refused a comment or issue body as too long (HTTP 422)."""


class _Retryable(Exception):
    """An answer worth another attempt; ``wait`` is what the server asked for (None: back off)."""

    def __init__(self, message: str, wait: float | None) -> None:
        super().__init__(message)
        self.wait = wait


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


def _parse_next_link(header: str | None) -> str | None:
    """The ``rel="next"`` URL of a Link header."""
    if not header:
        return None
    for part in header.split(","):
        section = part.split(";")
        if len(section) < 2:
            continue
        url = section[0].strip()
        if url.startswith("<") and url.endswith(">") and any(s.strip() == 'rel="next"' for s in section[1:]):
            return url[1:-1]
    return None


class GitHubClient:
    """The GitHub REST operations tak-gitops needs. Use as a context manager."""

    def __init__(
        self,
        *,
        token: str,
        base_url: str = DEFAULT_API_URL,
        max_attempts: int = 5,
        max_wait: float = 60.0,
        backoff: float = 1.0,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not token:
            raise UsageError("no GitHub token: set GITHUB_TOKEN (in Actions: env: GITHUB_TOKEN: ${{ github.token }})")
        self._token = token
        self._base = base_url.rstrip("/")
        self._host = urlsplit(self._base).netloc
        self._max_attempts = max_attempts
        self._max_wait = max_wait
        self._backoff = backoff
        self._sleep = sleep
        self._clock = clock
        self._http = httpx.Client(
            timeout=timeout,
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
                "User-Agent": f"tak-gitops/{__version__}",
            },
            follow_redirects=False,
        )

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **kwargs: Any) -> GitHubClient:
        """A client configured from ``GITHUB_TOKEN`` and ``GITHUB_API_URL``."""
        environ = os.environ if env is None else env
        token = environ.get("GITHUB_TOKEN", "")
        base = environ.get("GITHUB_API_URL") or DEFAULT_API_URL
        return cls(token=token, base_url=base, **kwargs)

    def __enter__(self) -> GitHubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # ----------------------------------------------------------------------------------------------------------
    # Transport

    def _scrub(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text

    def _url(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            if urlsplit(path_or_url).netloc != self._host:
                raise PublishError(
                    f"GitHub API: refusing to follow a link to another host ({urlsplit(path_or_url).netloc})"
                )
            return path_or_url
        return self._base + path_or_url

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retryable) and exc.wait is not None:
            return max(0.0, exc.wait)
        return float(min(self._max_wait, self._backoff * 2 ** (state.attempt_number - 1)))

    def _once(self, method: str, url: str, what: str, json: Any) -> httpx.Response:
        try:
            response = self._http.request(method, url, json=json)
        except httpx.TransportError as exc:
            raise _Retryable(f"{what}: {type(exc).__name__}: {self._scrub(str(exc))}", None) from None
        status = response.status_code
        if status < 400:
            return response
        message = self._scrub(self._message(response))
        if status in (403, 429):
            wait = self._rate_limit_wait(response)
            if wait is not None or status == 429:
                if wait is not None and wait > self._max_wait:
                    raise PublishError(
                        f"{what}: GitHub rate limit (HTTP {status}); it resets in {wait:.0f} s, longer than the "
                        f"{self._max_wait:.0f} s this command waits. Run it again later."
                    )
                raise _Retryable(f"{what}: HTTP {status} rate limited: {message}", wait)
        if status >= 500:
            raise _Retryable(f"{what}: HTTP {status}: {message}", None)
        if status == 422 and "too long" in message.lower():
            raise BodyTooLong(f"{what}: HTTP 422: {message}")
        hint = {
            401: " Check GITHUB_TOKEN.",
            403: " The token lacks permission: the job needs `pull-requests: write` and `issues: write`.",
            404: " Check the repository name and number, and that the token can see the repository.",
        }.get(status, "")
        raise PublishError(f"{what}: HTTP {status}: {message}.{hint}")

    def _rate_limit_wait(self, response: httpx.Response) -> float | None:
        retry_after = response.headers.get("Retry-After")
        if retry_after is not None:
            try:
                return float(retry_after)
            except ValueError:
                return None
        if response.headers.get("X-RateLimit-Remaining") == "0":
            reset = response.headers.get("X-RateLimit-Reset")
            if reset is not None:
                try:
                    return max(0.0, float(reset) - self._clock())
                except ValueError:
                    return None
        return None

    @staticmethod
    def _message(response: httpx.Response) -> str:
        try:
            data = response.json()
        except ValueError:
            return response.text[:200].strip() or response.reason_phrase
        if isinstance(data, dict):
            msg = str(data.get("message", ""))
            errors = data.get("errors")
            if isinstance(errors, list):
                details = [str(e.get("message", e) if isinstance(e, dict) else e) for e in errors]
                msg = "; ".join([msg, *details]) if msg else "; ".join(details)
            return msg or response.reason_phrase
        return response.reason_phrase

    def request(self, method: str, path: str, *, json: Any = None) -> httpx.Response:
        """One API call with retries; raises PublishError (or BodyTooLong) when it finally fails."""
        url = self._url(path)
        what = f"GitHub API {method} {urlsplit(url).path}"
        retrying = Retrying(
            retry=retry_if_exception_type(_Retryable),
            stop=stop_after_attempt(self._max_attempts),
            wait=self._wait,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._once(method, url, what, json)
        except _Retryable as exc:
            raise PublishError(f"{exc} (gave up after {self._max_attempts} attempts)") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _paginate(self, path: str) -> Iterator[Any]:
        sep = "&" if "?" in path else "?"
        url: str | None = f"{path}{sep}per_page={PER_PAGE}"
        while url is not None:
            response = self.request("GET", url)
            data = response.json()
            if not isinstance(data, list):
                raise PublishError(f"GitHub API GET {urlsplit(url).path}: expected a list")
            yield from data
            url = _parse_next_link(response.headers.get("Link"))

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
        plan: StickyPlan = plan_sticky(self.list_issue_comments(repo, number), env, parts)
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


# --------------------------------------------------------------------------------------------------------------
# Pull-request operations


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
    per_env = env_labels_from_comments(gh.list_issue_comments(repo, pr))
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

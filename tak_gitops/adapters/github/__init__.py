"""A small GitHub REST client for pull-request comments, labels and the drift issue.

:mod:`.transport` holds the calls, retries and errors; :mod:`.client` the operations; :mod:`.publish` what
the ``comment`` and ``drift`` commands publish.

The base URL comes from ``GITHUB_API_URL`` (default https://api.github.com, so GitHub Enterprise works as in
Actions), the token from ``GITHUB_TOKEN``. The token is sent only to the base URL's host and never appears in a
message. Rate-limit answers (403/429 with ``Retry-After`` or ``X-RateLimit-Remaining: 0`` and ``X-RateLimit-Reset``),
5xx answers and connection errors are retried with tenacity; a wait longer than ``max_wait`` seconds is not
waited for. A 422 "body is too long" raises :class:`BodyTooLong` so the caller can split smaller. Every other
failure, and the last failed retry, raises :class:`~tak_gitops.errors.PublishError`.
"""

from tak_gitops.adapters.github.client import ACTIONS_BOT, GitHubClient, StickyResult
from tak_gitops.adapters.github.publish import RESPLITS, publish_drift, publish_plan, sync_pr_labels
from tak_gitops.adapters.github.transport import DEFAULT_API_URL, BodyTooLong, GitHubApi

__all__ = [
    "ACTIONS_BOT",
    "DEFAULT_API_URL",
    "RESPLITS",
    "BodyTooLong",
    "GitHubApi",
    "GitHubClient",
    "StickyResult",
    "publish_drift",
    "publish_plan",
    "sync_pr_labels",
]

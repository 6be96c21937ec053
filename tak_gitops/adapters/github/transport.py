"""The GitHub REST transport: the token sent to one host only, retries on rate limits and 5xx, pagination, and
the errors of a call that finally failed."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from tak_gitops import __version__
from tak_gitops.adapters.redact import Redactor
from tak_gitops.errors import PublishError, UsageError

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
PER_PAGE = 100

_Api = TypeVar("_Api", bound="GitHubApi")


class BodyTooLong(PublishError):
    """GitHub refused a comment or issue body as too long (HTTP 422)."""


class _Retryable(Exception):
    """An answer worth another attempt; ``wait`` is what the server asked for (None: back off)."""

    def __init__(self, message: str, wait: float | None) -> None:
        super().__init__(message)
        self.wait = wait


def parse_next_link(header: str | None) -> str | None:
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


class GitHubApi:
    """Authenticated calls to the GitHub REST API, retried as the package documentation says. Use as a context
    manager."""

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
        self._redact = Redactor((token,))
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
    def from_env(cls: type[_Api], env: dict[str, str] | None = None, **kwargs: Any) -> _Api:
        """A client configured from ``GITHUB_TOKEN`` and ``GITHUB_API_URL``."""
        environ = os.environ if env is None else env
        token = environ.get("GITHUB_TOKEN", "")
        base = environ.get("GITHUB_API_URL") or DEFAULT_API_URL
        return cls(token=token, base_url=base, **kwargs)

    def __enter__(self: _Api) -> _Api:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # ----------------------------------------------------------------------------------------------------------
    # Transport

    def _scrub(self, text: str) -> str:
        """Remote text as a message may carry it: redacted (the token in any form, credential headers), cut."""
        return self._redact.cut(text)

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
            return response.text.strip() or response.reason_phrase
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
            url = parse_next_link(response.headers.get("Link"))

"""Submitters: how ``apply --yes`` hands an order over. ``files`` (default), ``tak-web`` and ``http``.

Every submitter answers one :class:`SubmitOutcome` per order:

* ``submitted``: the order was handed over (written, or accepted by TAK-web / the order API);
* ``rejected``: the peer refused it for good (TAK-web ``JsonBestallning ERROR:::`` / ``RUNTIME ERROR:::``);
* ``unknown``: the order may have been accepted, and sending it again could create it twice (read timeout,
  connection dropped after the body was sent, HTTP 500 or 504): the ledger marks it and ``orders reconcile``
  decides from the next snapshot;
* ``not-sent``: it surely did not arrive (connection refused, connect timeout, 429/502/503 after the retries,
  a login form instead of an answer); the order stays ``planned`` for the next apply.

Transient failures before anything was processed are retried with exponential backoff (tenacity). Secrets
(passwords, tokens) come from the environment and never appear in a message, a record or a log line.
"""

from __future__ import annotations

import os
import ssl
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import httpx
import orjson
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from tak_gitops.adapters.ledger_store import atomic_write
from tak_gitops.adapters.takweb_report import ReportLine, parse_answer
from tak_gitops.core.config import SubmitterConfig
from tak_gitops.errors import SubmitError

Result = Literal["submitted", "rejected", "unknown", "not-sent"]
RETRY_STATUSES = frozenset({429, 502, 503})
UNKNOWN_STATUSES = frozenset({500, 504})
USER_AGENT = "tak-gitops"


@dataclass(frozen=True)
class SubmitOutcome:
    """What happened to one order. ``detail`` is one line for people; ``messages`` are the peer's own words."""

    result: Result
    detail: str
    http_status: int | None = None
    messages: tuple[str, ...] = ()
    lines: tuple[ReportLine, ...] = ()
    ticket: str | None = None
    attempts: int = 1
    location: str | None = None

    def to_response(self, submitter: str, at: str) -> dict[str, Any]:
        """The record's ``responses`` entry (no secrets: only statuses, messages and report lines)."""
        return {
            "at": at,
            "submitter": submitter,
            "result": self.result,
            "detail": self.detail,
            "http_status": self.http_status,
            "attempts": self.attempts,
            "messages": list(self.messages),
            "report": [f"{line.section} {line.group} {line.status}: {line.text}" for line in self.lines],
            "ticket": self.ticket,
            "location": self.location,
        }


class Submitter(Protocol):
    """Hands one order document over. ``replay_safe``: sending the same order twice is harmless."""

    @property
    def name(self) -> str: ...

    @property
    def replay_safe(self) -> bool: ...

    def open(self) -> None: ...

    def submit(self, order_id: str, key: str, document: Mapping[str, Any]) -> SubmitOutcome: ...

    def close(self) -> None: ...


class FilesSubmitter:
    """Writes ``<out_dir>/<ENV>/<order-id>.json`` for a person to upload, paste into TAK-web or mail."""

    name = "files"
    replay_safe = True

    def __init__(self, out_dir: Path, env: str) -> None:
        self.directory = out_dir / env

    def open(self) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SubmitError(f"cannot create the order directory {self.directory}: {exc.strerror}") from exc

    def submit(self, order_id: str, key: str, document: Mapping[str, Any]) -> SubmitOutcome:
        path = self.directory / f"{order_id}.json"
        try:
            # in the order TAK-web documents the keys (plattform first, inkludera before exkludera), for people
            atomic_write(path, orjson.dumps(dict(document), option=orjson.OPT_INDENT_2) + b"\n")
        except OSError as exc:
            return SubmitOutcome("not-sent", f"cannot write {path}: {exc.strerror}")
        return SubmitOutcome("submitted", f"written to {path}", location=str(path))

    def close(self) -> None:
        return None


class _Transient(Exception):
    """A failure before the peer processed anything: safe to retry."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.status = status


def _ssl_context(config: SubmitterConfig, base: Path) -> ssl.SSLContext | bool:
    """Server verification (CA bundle) and the client certificate (mutual TLS), from configured paths."""
    if not (config.client_cert or config.client_key or config.ca_bundle):
        return True

    def resolve(p: str) -> Path:
        path = Path(p)
        return path if path.is_absolute() else base / path

    try:
        ctx = ssl.create_default_context(cafile=str(resolve(config.ca_bundle)) if config.ca_bundle else None)
        if config.client_cert or config.client_key:
            if not (config.client_cert and config.client_key):
                raise SubmitError("submit.client_cert and submit.client_key must be given together")
            ctx.load_cert_chain(str(resolve(config.client_cert)), str(resolve(config.client_key)))
    except FileNotFoundError as exc:
        raise SubmitError(f"TLS file not found: {exc.filename}") from exc
    except ssl.SSLError as exc:
        raise SubmitError(f"cannot load the TLS certificate or key: {exc.reason or exc}") from exc
    return ctx


class _HttpBase:
    def __init__(
        self,
        config: SubmitterConfig,
        *,
        base_dir: Path,
        environ: Mapping[str, str] | None = None,
        backoff_seconds: float = 0.5,
        sleep: Callable[[float], None] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not config.url:
            raise SubmitError(f"submit.kind {config.kind} needs submit.url in tak-gitops.yaml")
        self.config = config
        self.url = config.url.rstrip("/")
        self.environ = os.environ if environ is None else environ
        self.backoff = backoff_seconds
        self._sleep = sleep
        self._base_dir = base_dir
        self._transport = transport
        self._client: httpx.Client | None = None

    def _make_client(self) -> httpx.Client:
        verify = _ssl_context(self.config, self._base_dir)
        return httpx.Client(
            verify=verify,
            timeout=httpx.Timeout(self.config.timeout_seconds, connect=min(10.0, self.config.timeout_seconds)),
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT},
            transport=self._transport,
        )

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = self._make_client()
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _send(
        self, request: Callable[[], httpx.Response], retry_statuses: frozenset[int]
    ) -> tuple[httpx.Response, int]:
        """Send with retries on failures that happened before the peer processed the request."""
        attempts = 0
        kwargs: dict[str, Any] = {}
        if self._sleep is not None:
            kwargs["sleep"] = self._sleep
        retrying = Retrying(
            stop=stop_after_attempt(self.config.max_attempts),
            wait=wait_exponential(multiplier=self.backoff, max=30),
            retry=retry_if_exception_type(_Transient),
            reraise=True,
            **kwargs,
        )
        for attempt in retrying:
            with attempt:
                attempts += 1
                try:
                    response = request()
                except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                    raise _Transient(f"cannot connect to {self.url}: {type(exc).__name__}") from exc
                if response.status_code in retry_statuses:
                    raise _Transient(f"HTTP {response.status_code}", response.status_code)
                return response, attempts
        raise AssertionError("unreachable")  # pragma: no cover

    def _deliver(
        self, request: Callable[[], httpx.Response], retry_statuses: frozenset[int]
    ) -> tuple[httpx.Response | None, SubmitOutcome | None]:
        """Send; on failure return the outcome to record (not-sent or unknown)."""
        try:
            response, attempts = self._send(request, retry_statuses)
        except _Transient as exc:
            return None, SubmitOutcome(
                "not-sent",
                f"{exc} after {self.config.max_attempts} attempt(s); nothing was accepted, the order stays planned",
                http_status=exc.status,
                attempts=self.config.max_attempts,
            )
        except httpx.TimeoutException as exc:
            return None, SubmitOutcome(
                "unknown",
                f"no answer within {self.config.timeout_seconds:g} s ({type(exc).__name__}) after the order was sent; "
                "it may have been accepted: not sent again, run `tak-gitops orders reconcile` after the next snapshot",
            )
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            return None, SubmitOutcome(
                "unknown",
                f"the connection dropped while the order was being sent or answered ({type(exc).__name__}); "
                "it may have been accepted: not sent again, run `tak-gitops orders reconcile` after the next snapshot",
            )
        except httpx.HTTPError as exc:
            return None, SubmitOutcome("unknown", f"HTTP failure after sending ({type(exc).__name__})")
        return response, None


class TakWebSubmitter(_HttpBase):
    """TAK-web's REST import: form login at ``/auth/login``, then ``POST /rest/create`` with the URL-encoded JSON.

    ``submit.url`` is TAK-web's base URL (``https://host/tak-web``). The user name and password are read from
    the environment variables ``submit.username_env`` / ``submit.password_env``.
    """

    name = "tak-web"
    replay_safe = False

    def _credentials(self) -> tuple[str, str]:
        user = self.environ.get(self.config.username_env, "")
        password = self.environ.get(self.config.password_env, "")
        if not user or not password:
            missing = [n for n, v in ((self.config.username_env, user), (self.config.password_env, password)) if not v]
            raise SubmitError(
                "TAK-web credentials are missing: set the environment variable(s) " + " and ".join(missing)
            )
        return user, password

    def open(self) -> None:
        self._login()

    def _login(self) -> None:
        user, password = self._credentials()
        url = f"{self.url}/auth/login"
        response, failure = self._deliver(
            lambda: self.client.post(url, data={"username": user, "password": password}), RETRY_STATUSES
        )
        if response is None:
            assert failure is not None
            reason = failure.detail.split(";")[0]
            hint = ""
            if self.url.startswith("https:"):
                hint = " (if TAK-web asks for a client certificate, check submit.client_cert and submit.client_key)"
            raise SubmitError(f"TAK-web login at {url} failed: {reason}{hint}")
        location = response.headers.get("location", "")
        ok = response.status_code in (301, 302, 303) and "login" not in location and "error" not in location
        if not ok and response.status_code == 200 and self.client.cookies:
            ok = "password" not in response.text.lower()
        if not ok:
            raise SubmitError(
                f"TAK-web login at {url} was refused (HTTP {response.status_code}"
                + (f", redirected to {location}" if location else "")
                + f"): check the user name and password in {self.config.username_env} and "
                f"{self.config.password_env}"
            )

    def submit(self, order_id: str, key: str, document: Mapping[str, Any]) -> SubmitOutcome:
        body = urllib.parse.quote(orjson.dumps(dict(document)).decode("utf-8"), safe="")
        url = f"{self.url}/rest/create"

        def post() -> httpx.Response:
            return self.client.post(
                url, content=body.encode("ascii"), headers={"Content-Type": "application/x-www-form-urlencoded"}
            )

        for relogin in (False, True):
            response, failure = self._deliver(post, RETRY_STATUSES)
            if response is None:
                assert failure is not None
                return failure
            if response.status_code in (301, 302, 303, 401) and not relogin:
                # the session expired: TAK-web sent us to the login form and processed nothing
                self._login()
                continue
            return self._outcome(response)
        return SubmitOutcome("not-sent", "TAK-web kept asking for a login; the order was not processed")

    def _outcome(self, response: httpx.Response) -> SubmitOutcome:
        status = response.status_code
        if status in UNKNOWN_STATUSES:
            return SubmitOutcome(
                "unknown",
                f"TAK-web answered HTTP {status}; the order may have been executed: not sent again, run "
                "`tak-gitops orders reconcile` after the next snapshot",
                http_status=status,
            )
        if status in (301, 302, 303, 401):
            return SubmitOutcome("not-sent", f"TAK-web answered HTTP {status} (login required)", http_status=status)
        if status == 403:
            return SubmitOutcome(
                "not-sent",
                "TAK-web answered HTTP 403: the user may lack the rights for order import, or CSRF protection is on "
                "(tak.web.csrf.active); nothing was processed",
                http_status=status,
            )
        if status != 200:
            return SubmitOutcome(
                "not-sent" if 400 <= status < 500 else "unknown",
                f"TAK-web answered HTTP {status}",
                http_status=status,
            )
        answer = parse_answer(response.text)
        if answer.kind == "report":
            warnings = len(answer.warnings)
            detail = f"executed by TAK-web: {len(answer.lines)} report line(s)"
            if warnings:
                detail += f", {warnings} 'Existerar ej'"
            return SubmitOutcome("submitted", detail + "; publish it in TAK-web", http_status=200, lines=answer.lines)
        if answer.kind in ("rejected", "runtime-error"):
            label = "refused the order" if answer.kind == "rejected" else "failed with a runtime error"
            return SubmitOutcome(
                "rejected",
                f"TAK-web {label}: " + "; ".join(answer.messages),
                http_status=200,
                messages=answer.messages,
            )
        return SubmitOutcome(
            "unknown",
            "TAK-web answered HTTP 200 with text that is neither a report nor an error: " + "; ".join(answer.messages),
            http_status=200,
            messages=answer.messages,
        )


class HttpSubmitter(_HttpBase):
    """POST the order JSON to ``submit.url`` (an order API) with an ``Idempotency-Key`` header.

    2xx: submitted (a ``ticket`` or ``id`` in a JSON answer is recorded); 4xx other than 429: rejected.
    500/504 and timeouts are ``unknown`` unless ``submit.idempotent`` says the endpoint honours the key, in
    which case they are retried like 502/503.
    """

    name = "http"

    @property
    def replay_safe(self) -> bool:
        return self.config.idempotent

    def open(self) -> None:
        if self.config.token_env and not self.environ.get(self.config.token_env):
            raise SubmitError(f"the order API token is missing: set the environment variable {self.config.token_env}")

    def submit(self, order_id: str, key: str, document: Mapping[str, Any]) -> SubmitOutcome:
        headers = {"Content-Type": "application/json", "Idempotency-Key": key}
        if self.config.token_env:
            headers["Authorization"] = f"Bearer {self.environ.get(self.config.token_env, '')}"
        body = orjson.dumps(dict(document))
        retry = RETRY_STATUSES | UNKNOWN_STATUSES if self.config.idempotent else RETRY_STATUSES
        response, failure = self._deliver(lambda: self.client.post(self.url, content=body, headers=headers), retry)
        if response is None:
            assert failure is not None
            return failure
        status = response.status_code
        if 200 <= status < 300:
            ticket = None
            try:
                data = response.json()
                if isinstance(data, dict):
                    raw = data.get("ticket") or data.get("id")
                    ticket = str(raw) if raw else None
            except ValueError:
                ticket = None
            return SubmitOutcome("submitted", f"accepted (HTTP {status})", http_status=status, ticket=ticket)
        if status in UNKNOWN_STATUSES or status >= 500:
            return SubmitOutcome(
                "unknown",
                f"the order API answered HTTP {status}; the order may have been accepted: not sent again",
                http_status=status,
            )
        if status in (401, 403):
            return SubmitOutcome(
                "not-sent",
                f"the order API answered HTTP {status}: check the token in {self.config.token_env or '(no token_env)'}",
                http_status=status,
            )
        return SubmitOutcome(
            "rejected",
            f"the order API refused the order (HTTP {status}): {response.text[:300]}",
            http_status=status,
            messages=(response.text[:1000],),
        )


@dataclass
class SubmitterFactory:
    """Builds the configured submitter. ``backoff_seconds`` and ``sleep`` exist for tests."""

    base_dir: Path
    environ: Mapping[str, str] | None = None
    backoff_seconds: float = 0.5
    sleep: Callable[[float], None] | None = None
    transport: httpx.BaseTransport | None = field(default=None)

    def make(self, config: SubmitterConfig, env: str) -> Submitter:
        if config.kind == "files":
            out = Path(config.out_dir)
            return FilesSubmitter(out if out.is_absolute() else self.base_dir / out, env)
        common: dict[str, Any] = {
            "base_dir": self.base_dir,
            "environ": self.environ,
            "backoff_seconds": self.backoff_seconds,
            "sleep": self.sleep,
            "transport": self.transport,
        }
        if config.kind == "tak-web":
            return TakWebSubmitter(config, **common)
        return HttpSubmitter(config, **common)

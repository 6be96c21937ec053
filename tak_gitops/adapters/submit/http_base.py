"""What the HTTP submitters share: TLS from configured paths, one client, retries before anything was processed,
and the outcomes of a request that failed."""

from __future__ import annotations

import os
import ssl
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from tak_gitops.adapters.redact import Redactor
from tak_gitops.adapters.submit.outcome import SubmitOutcome
from tak_gitops.core.config import SubmitterConfig
from tak_gitops.errors import SubmitError

RETRY_STATUSES = frozenset({429, 502, 503})
UNKNOWN_STATUSES = frozenset({500, 504})
USER_AGENT = "tak-gitops"


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


class HttpBase:
    """One configured HTTP peer: the client, retries, and the outcome of a request that got no usable answer."""

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
        user = self.environ.get(config.username_env, "")
        password = self.environ.get(config.password_env, "")
        token = self.environ.get(config.token_env, "") if config.token_env else ""
        self.redact = Redactor((password, token), ((user, password),) if password else ())
        """Every text from the peer passes this before it reaches a message, a record or a log line."""
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

"""TAK-api v2 client: download the current TAK of one platform+environment into a directory, then read it.

Each run looks the connection point up by platform+environment (its numeric id changes every night), then
streams each list response to a file in a raw directory (see :mod:`tak_gitops.adapters.sources` for the file
names), so the directory is exactly a saved TAK-api source and is read by the same reader as any other.

* HTTP Basic credentials come from the environment variables named in ``tak_api`` (``TAK_API_USERNAME`` /
  ``TAK_API_PASSWORD``) or a credentials file holding ``username:password``. They never appear in a message.
* Timeouts, connection failures, dropped connections and 5xx answers are retried with exponential backoff up
  to ``max_attempts``; 4xx answers are not retried. 401/403, 404 and 410 (the closed v1) get their own message.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from tak_gitops.adapters import sources
from tak_gitops.adapters.atomic import atomic_file
from tak_gitops.adapters.redact import Redactor
from tak_gitops.core.config import TakApiConfig
from tak_gitops.core.snapshot import Snapshot
from tak_gitops.errors import ConfigError, RemoteError, SourceError

Progress = Callable[[str, int, int | None], None]
"""``progress(resource, bytes_so_far, total_bytes_or_None)``, called while a response downloads."""

CHUNK = 1 << 20

RESOURCES: tuple[tuple[str, str, str | None], ...] = (
    ("cooperations", sources.COOPERATIONS, sources.COOPERATION_INCLUDE),
    ("serviceProductions", sources.SERVICE_PRODUCTIONS, sources.PRODUCTION_INCLUDE),
    ("installedContracts", sources.INSTALLED_CONTRACTS, None),
    ("logicalAddresses", sources.LOGICAL_ADDRESSES, None),
)
"""(resource path, saved file name, include) fetched per connection point, in this order."""


@dataclass(frozen=True)
class Credentials:
    """HTTP Basic credentials; the password is never shown by ``repr``."""

    username: str
    password: str = field(repr=False)
    origin: str = ""
    """Where they came from, for messages: names of the variables or the file, never values."""


def credentials_origin(cfg: TakApiConfig) -> str:
    """Say where credentials are looked for (names only)."""
    where = f"the environment variables {cfg.username_env} and {cfg.password_env}"
    if cfg.credentials_file:
        where += f", else the credentials file {cfg.credentials_file}"
    return where


def load_credentials(cfg: TakApiConfig, environ: Mapping[str, str] | None = None) -> Credentials:
    """Credentials from the environment variables, else the credentials file; a ConfigError says what is missing."""
    env = os.environ if environ is None else environ
    user, password = env.get(cfg.username_env), env.get(cfg.password_env)
    if user and password:
        return Credentials(user, password, f"the environment variables {cfg.username_env} and {cfg.password_env}")
    if cfg.credentials_file:
        path = Path(cfg.credentials_file).expanduser()
        try:
            text = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"cannot read the TAK-api credentials file {path}: {exc.strerror or exc}") from None
        name, sep, secret = text.partition(":")
        if not sep or not name or not secret or "\n" in text:
            raise ConfigError(f"the TAK-api credentials file {path} must hold one line: username:password")
        return Credentials(name, secret, f"the credentials file {path}")
    raise ConfigError(
        f"no TAK-api credentials: set {cfg.username_env} and {cfg.password_env}, or tak_api.credentials_file "
        "(a file with username:password); ask Inera for a TAK-api v2 account"
    )


class _Transient(Exception):
    """A failure worth retrying; ``error`` is what to raise when attempts run out."""

    def __init__(self, error: RemoteError) -> None:
        super().__init__(str(error))
        self.error = error


class TakApiClient:
    """A small TAK-api v2 client over one ``httpx.Client``. Use as a context manager."""

    def __init__(
        self,
        cfg: TakApiConfig,
        credentials: Credentials,
        *,
        progress: Progress | None = None,
        transport: httpx.BaseTransport | None = None,
        backoff_seconds: float = 1.0,
        backoff_max_seconds: float = 30.0,
    ) -> None:
        base = httpx.URL(cfg.base_url.rstrip("/") + "/")
        if base.userinfo:
            raise ConfigError("tak_api.base_url must not contain credentials; use the environment or a file")
        self.cfg = cfg
        self.credentials = credentials
        self.redact = Redactor((credentials.password,), ((credentials.username, credentials.password),))
        self.progress = progress
        self._backoff = (backoff_seconds, backoff_max_seconds)
        self._client = httpx.Client(
            base_url=base,
            auth=httpx.BasicAuth(credentials.username, credentials.password),
            timeout=httpx.Timeout(cfg.timeout_seconds),
            headers={"Accept": "application/json", "User-Agent": "tak-gitops"},
            transport=transport,
            follow_redirects=False,
        )

    def __enter__(self) -> TakApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    # ------------------------------------------------------------------------------------------------ HTTP

    def _status_error(self, response: httpx.Response) -> RemoteError:
        status = response.status_code
        url = str(response.request.url)
        if status in (401, 403):
            return RemoteError(
                f"HTTP {status} from {url}: the TAK-api did not accept the credentials read from "
                f"{self.credentials.origin or credentials_origin(self.cfg)}; check them, or ask Inera for a "
                "TAK-api v2 account (role USER)",
                url=url, status=status,
            )
        if status == 410:
            return RemoteError(
                f"HTTP 410 Gone from {url}: TAK-api v1 is closed; set tak_api.base_url to the v2 base "
                "(https://api.ntjp.se/coop/api/v2) and provide v2 credentials",
                url=url, status=status,
            )
        if status == 404:
            return RemoteError(
                f"HTTP 404 from {url}: no such TAK-api resource; check tak_api.base_url "
                f"(now {self.cfg.base_url}; expected .../coop/api/v2)",
                url=url, status=status,
            )
        try:
            # the whole body is redacted before it is cut: a cut could split a secret and let half of it through
            body = self.redact.cut(response.read()[:1 << 16].decode("utf-8", "replace"))
        except httpx.HTTPError:
            body = ""
        return RemoteError(f"HTTP {status} from {url}" + (f": {body}" if body else ""), url=url, status=status)

    def _download_once(self, name: str, params: dict[str, Any], dest: Path) -> int:
        url = str(self._client.build_request("GET", name, params=params).url)
        try:
            with self._client.stream("GET", name, params=params) as response:
                if response.status_code >= 500:
                    raise _Transient(self._status_error(response))
                if response.status_code != 200:
                    raise self._status_error(response)
                length = response.headers.get("Content-Length")
                total = int(length) if length and length.isdigit() else None
                done = 0
                with atomic_file(dest) as f:
                    for chunk in response.iter_bytes(CHUNK):
                        f.write(chunk)
                        done += len(chunk)
                        if self.progress:
                            self.progress(name, done, total)
            return done
        except httpx.TimeoutException:
            raise _Transient(RemoteError(
                f"no answer from {url} within {self.cfg.timeout_seconds:g} s (raise tak_api.timeout_seconds?)",
                url=url,
            )) from None
        except httpx.TransportError as exc:
            raise _Transient(
                RemoteError(f"cannot read {url}: {type(exc).__name__}: {self.redact.cut(str(exc))}", url=url)
            ) from None

    def download(self, name: str, params: dict[str, Any], dest: Path) -> int:
        """Stream ``GET <base>/<name>?params`` to ``dest`` (atomically), retrying transient failures.

        Returns the number of bytes written."""
        first, most = self._backoff
        retrying = Retrying(
            stop=stop_after_attempt(self.cfg.max_attempts),
            wait=wait_exponential(multiplier=first, min=first, max=most),
            retry=retry_if_exception_type(_Transient),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._download_once(name, params, dest)
        except _Transient as exc:
            err = exc.error
            raise RemoteError(
                f"{err} (gave up after {self.cfg.max_attempts} attempts)", url=err.url, status=err.status
            ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    # ----------------------------------------------------------------------------------------- the recipe

    def fetch_raw(self, platform: str, environment: str, raw_dir: Path) -> dict[str, Any]:
        """Download every response for ``platform``/``environment`` into ``raw_dir``; return the connection point."""
        raw_dir.mkdir(parents=True, exist_ok=True)
        cp_file = raw_dir / sources.CONNECTION_POINTS
        self.download("connectionPoints", {}, cp_file)
        cp = sources.select_connection_point(sources.load_json(cp_file), str(cp_file), platform, environment)
        if "id" not in cp:
            raise SourceError("the connection point has no 'id'", path=str(cp_file))
        for name, filename, include in RESOURCES:
            params: dict[str, Any] = {"connectionPointId": cp["id"]}
            if include:
                params["include"] = include
            self.download(name, params, raw_dir / filename)
        return cp

    def fetch(self, platform: str, environment: str, raw_dir: Path) -> Snapshot:
        """Download and read the current TAK of ``platform``/``environment``."""
        self.fetch_raw(platform, environment, raw_dir)
        return sources.read_takapi_dir(raw_dir, platform=platform, environment=environment)

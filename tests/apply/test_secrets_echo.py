"""Secrets never leave through an echoed request: a server on 127.0.0.1 answers 401/403/422/500 with the whole
request (request line, headers, body) as its body, as a misconfigured proxy or a debugging endpoint would.

``fetch`` (HTTP Basic), the ``tak-web`` submitter (form login, session cookie), the ``http`` submitter (bearer token)
and the GitHub client (bearer token) are pointed at it; the canary secret must appear in no output, exception,
ledger record or log line, in plain, base64 or URL-encoded form.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from apply_plans import SCENARIOS, plan

from tak_gitops.adapters.apply_runner import run_apply
from tak_gitops.adapters.github import GitHubClient
from tak_gitops.adapters.ledger_store import LedgerStore
from tak_gitops.adapters.submit import HttpSubmitter, TakWebSubmitter
from tak_gitops.cli import main
from tak_gitops.core.config import EnvironmentConfig, OrderConfig, SubmitterConfig, TakApiTarget
from tak_gitops.core.orders import build_orders
from tak_gitops.errors import TakGitopsError

REPO = Path(__file__).resolve().parents[2]
USER = "tak-gitops-ci"
CANARY = "Kanarie/Fågel+7 pw=Zq9!"  # slash, plus, space, equals, non-ASCII: every encoding differs from plain
TOKEN = "ghp_CanaryToken0123456789abcdefXYZ"
STATUSES = (401, 403, 422, 500)


def forms(secret: str, user: str = USER) -> set[str]:
    """The secret as it could leak: plain, base64 of itself and of user:secret, URL-encoded both ways."""
    found = {secret, quote(secret, safe=""), quote_plus(secret, safe="")}
    for raw in (secret, f"{user}:{secret}"):
        b64 = base64.b64encode(raw.encode("utf-8")).decode("ascii")
        found |= {b64, b64.rstrip("=")}
    return found


def assert_clean(text: str, secret: str) -> None:
    for form in forms(secret):
        assert form not in text, f"{form!r} leaked in: {text[:500]!r}"


class EchoServer:
    """Answers every request with ``status`` and the request itself as the body; ``/auth/login`` logs in."""

    def __init__(self) -> None:
        self.status = 500
        self.login_status = 302
        echo = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = f"{self.requestline}\r\n{self.headers}".encode("utf-8", "replace") + body
                if self.path.endswith("/auth/login") and echo.login_status == 302:
                    self.send_response(302)
                    self.send_header("Location", "/tak-web/")
                    self.send_header("Set-Cookie", f"JSESSIONID={base64.b64encode(CANARY.encode()).decode()}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(echo.status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(request)))
                self.end_headers()
                self.wfile.write(request)

            do_GET = do_POST = do_PATCH = do_DELETE = _answer

            def log_message(self, format: str, *args: object) -> None:
                return None

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> EchoServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    with EchoServer() as server:
        yield server


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every log record at INFO and above (httpx logs each request there). The tool configures no logging;
    httpcore's own DEBUG traces print raw headers and are not switched on by it."""
    caplog.set_level(logging.INFO)
    return caplog


def test_the_canary_forms_are_what_an_echo_carries(echo: EchoServer) -> None:
    # the test is only worth something if the echo really carries the secret: check it does, unredacted
    import httpx

    echo.status = 401
    body = httpx.get(echo.url + "/x", auth=(USER, CANARY)).text
    assert re.search(r"Authorization: Basic ([A-Za-z0-9+/=]+)", body)
    assert base64.b64encode(f"{USER}:{CANARY}".encode()).decode() in body


@pytest.mark.parametrize("status", STATUSES)
def test_fetch_never_shows_the_tak_api_password(
    status: int, echo: EchoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], logs: pytest.LogCaptureFixture,
) -> None:
    config = (REPO / "tak-gitops.yaml").read_text("utf-8")
    config = config.replace('tak_api: {base_url: "https://api.ntjp.se/coop/api/v2"}',
                            f'tak_api: {{base_url: "{echo.url}/coop/api/v2", max_attempts: 2, timeout_seconds: 5}}')
    assert echo.url in config
    (tmp_path / "tak-gitops.yaml").write_text(config, encoding="utf-8")
    shutil.copy(REPO / "ownership.yaml", tmp_path / "ownership.yaml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TAK_API_USERNAME", USER)
    monkeypatch.setenv("TAK_API_PASSWORD", CANARY)
    echo.status = status
    with pytest.raises(SystemExit) as exc:
        main(["fetch", "--env", "NTJP-PROD", "-o", str(tmp_path / "snap.json")])
    out = capsys.readouterr()
    assert exc.value.code != 0
    assert f"HTTP {status}" in out.err
    if status in (422, 500):
        assert "Authorization: ***" in out.err  # the echoed body is shown, redacted
    for text in (out.out, out.err, logs.text):
        assert_clean(text, CANARY)
    assert not (tmp_path / "snap.json").exists()


def _orders() -> list:  # type: ignore[type-arg]
    env = EnvironmentConfig(plattform="NTJP-PROD", tak_api=TakApiTarget(platform="NTJP", environment="PROD"))
    return build_orders(plan(SCENARIOS["consumer-authorization"]), OrderConfig(), env, now=dt.datetime.now(dt.UTC))


def _apply_through(submitter: TakWebSubmitter | HttpSubmitter, root: Path) -> str:
    """Run the submitter as apply does; return every text it produced (outcomes, ledger records, errors)."""
    store = LedgerStore(root, "NTJP-PROD")
    said: list[str] = []
    try:
        submitter.open()
        report = run_apply(store, _orders(), submitter, plan_checksum="sha256:echo", pr_url=None, commit=None,
                           clock=lambda: dt.datetime.now(dt.UTC), echo=said.append)
        said += [f"{r.order_id} {r.state} {r.action} {r.detail}" for r in report.results]
    except TakGitopsError as exc:
        said.append(str(exc))
    finally:
        submitter.close()
    records = [p.read_text("utf-8") for p in sorted(store.directory.glob("*.json"))] if store.directory.is_dir() else []
    return "\n".join(said + records)


@pytest.mark.parametrize("status", (*STATUSES, 200))
def test_tak_web_submitter_never_shows_the_password(
    status: int, echo: EchoServer, tmp_path: Path, logs: pytest.LogCaptureFixture
) -> None:
    echo.status = status
    config = SubmitterConfig(kind="tak-web", url=echo.url + "/tak-web", max_attempts=1, timeout_seconds=5)
    environ = {"TAK_WEB_USERNAME": USER, "TAK_WEB_PASSWORD": CANARY}
    text = _apply_through(TakWebSubmitter(config, base_dir=tmp_path, environ=environ, sleep=lambda s: None), tmp_path)
    assert text
    assert_clean(text + logs.text, CANARY)


@pytest.mark.parametrize("status", STATUSES)
def test_tak_web_login_refused_never_shows_the_password(
    status: int, echo: EchoServer, tmp_path: Path, logs: pytest.LogCaptureFixture
) -> None:
    echo.status = echo.login_status = status
    config = SubmitterConfig(kind="tak-web", url=echo.url + "/tak-web", max_attempts=1, timeout_seconds=5)
    environ = {"TAK_WEB_USERNAME": USER, "TAK_WEB_PASSWORD": CANARY}
    text = _apply_through(TakWebSubmitter(config, base_dir=tmp_path, environ=environ, sleep=lambda s: None), tmp_path)
    assert "TAK-web login" in text
    assert_clean(text + logs.text, CANARY)


@pytest.mark.parametrize("status", STATUSES)
def test_http_submitter_never_shows_the_token(
    status: int, echo: EchoServer, tmp_path: Path, logs: pytest.LogCaptureFixture
) -> None:
    echo.status = status
    config = SubmitterConfig(kind="http", url=echo.url + "/orders", token_env="ORDER_API_TOKEN", max_attempts=1,
                             timeout_seconds=5)
    # a bearer token travels in a header: ASCII, as tokens are
    submitter = HttpSubmitter(config, base_dir=tmp_path, environ={"ORDER_API_TOKEN": TOKEN}, sleep=lambda s: None)
    text = _apply_through(submitter, tmp_path)
    assert f"HTTP {status}" in text
    if status == 422:
        assert "Authorization: ***" in text  # the refusal quotes the body, redacted
    assert_clean(text + logs.text, TOKEN)


@pytest.mark.parametrize("status", STATUSES)
def test_github_client_never_shows_the_token(status: int, echo: EchoServer, logs: pytest.LogCaptureFixture) -> None:
    echo.status = status
    said: list[str] = []
    with GitHubClient(token=TOKEN, base_url=echo.url, max_attempts=2, backoff=0, sleep=lambda s: None) as gh:
        for call in (lambda: gh.list_issue_comments("o/r", 1), lambda: gh.create_comment("o/r", 1, "body")):
            with pytest.raises(TakGitopsError) as exc:
                call()
            said.append(str(exc.value))
    assert all(f"HTTP {status}" in s for s in said)
    assert_clean("\n".join(said) + logs.text, TOKEN)

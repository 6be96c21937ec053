"""The reference TAK over HTTP on 127.0.0.1: TAK-web's order and publication endpoints and the TAK-api v2.

Routes:

* ``POST /tak-web/auth/login`` (form ``username``, ``password``): ``302`` to ``/tak-web/`` with a ``SESSION``
  cookie, or ``302`` to ``/tak-web/auth/login?error`` for bad credentials (Spring Security's form login);
* ``POST /tak-web/rest/create`` (session, ``application/x-www-form-urlencoded``, else ``415``): the body is
  URL-decoded and the text from the first ``{`` to the last ``}`` executed as an order; always
  ``200 text/plain`` with the report or the error text;
* ``POST /tak-web/pubversion/create`` (session, optional form ``kommentar``): publish the user's pending changes;
  ``200`` JSON ``{"version": "<id>"}``, or ``409 text/plain`` when refused;
* ``GET /tak-web/pubversion/download/{id}`` (session): the gzip'd published-version JSON
  (``PubVersion-<id>.json.gzip``);
* ``GET /coop/api/v2/...`` (HTTP Basic): the TAK-api read endpoints (:mod:`tak_gitops.sim.takapi`);
* ``GET /coop/api/v1/...``: ``410`` "Cooperation API v1 has been closed. Please use v2 instead."

Without a session the TAK-web routes redirect to the login form (``302``). A :class:`FaultPlan` given at start
can make chosen paths answer an HTTP status, wait, or drop the connection after reading the request body.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from http import HTTPStatus
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlsplit

import orjson

from tak_gitops.sim import publish as publishing
from tak_gitops.sim.clock import DEFAULT_ZONE, Clock, SystemClock, today
from tak_gitops.sim.db import Database
from tak_gitops.sim.execute import execute
from tak_gitops.sim.report import render
from tak_gitops.sim.takapi import V1_GONE, V1_PREFIX, V2_PREFIX, ApiError, Model, TakApi, build_model

SESSION_COOKIE = "SESSION"


@dataclass
class FaultRule:
    """Misbehave on requests whose path starts with ``path`` (and whose method is ``method``, if given).

    ``status``: answer this HTTP status instead of handling the request; ``delay``: wait this many seconds
    first; ``drop``: read the request body, then close the connection without answering. The rule applies to
    the first ``times`` matching requests (``None``: to all of them).
    """

    path: str
    status: int | None = None
    delay: float = 0.0
    drop: bool = False
    times: int | None = 1
    method: str | None = None
    hits: int = 0

    def applies(self, method: str, path: str) -> bool:
        if not path.startswith(self.path) or (self.method is not None and self.method != method):
            return False
        return self.times is None or self.hits < self.times


@dataclass
class FaultPlan:
    """The faults to inject, in order: the first applicable rule wins and counts the request."""

    rules: list[FaultRule] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take(self, method: str, path: str) -> FaultRule | None:
        with self._lock:
            for rule in self.rules:
                if rule.applies(method, path):
                    rule.hits += 1
                    return rule
        return None


@dataclass(frozen=True)
class ReceivedOrder:
    """One order ``/tak-web/rest/create`` handled: who sent it, its text (URL-decoded) and whether it ran."""

    user: str
    text: str
    executed: bool
    answer: str


@dataclass
class SimConfig:
    """How one reference TAK is set up: names, users, time and faults."""

    plattform: str = "NTJP-PROD"
    """The order platform TAK-web checks (``tak.platform``)."""
    platform: str = "NTJP"
    """The TAK-api connection point's platform."""
    environment: str = "PROD"
    users: Mapping[str, str] = field(default_factory=lambda: {"admin": "admin"})
    """TAK-web users: name -> password."""
    api_users: Mapping[str, str] = field(default_factory=lambda: {"api": "api"})
    """TAK-api Basic-auth users: name -> password."""
    clock: Clock = field(default_factory=SystemClock)
    zone: tzinfo = DEFAULT_ZONE
    faults: FaultPlan = field(default_factory=FaultPlan)


class SimState:
    """Everything the request handlers share: the database, the config, sessions and the API model cache."""

    def __init__(self, db: Database, config: SimConfig) -> None:
        self.db = db
        self.config = config
        self.sessions: dict[str, str] = {}
        self._lock = threading.Lock()
        self._model_key: tuple[int, str] | None = None
        self._model: Model | None = None
        self.received: list[ReceivedOrder] = []
        """Every order that reached execution, in arrival order (not those an injected fault swallowed)."""

    def reset(self, db: Database, faults: FaultPlan | None = None) -> None:
        """Start over on another database (and fault plan): sessions, the order log and the API cache are
        dropped. Tests use it to run many worlds through one server."""
        with self._lock:
            self.db = db
            self.config.faults = faults if faults is not None else FaultPlan()
            self.sessions.clear()
            self.received.clear()
            self._model_key, self._model = None, None

    def record(self, order: ReceivedOrder) -> None:
        with self._lock:
            self.received.append(order)

    def login(self, username: str, password: str) -> str | None:
        expected = self.config.users.get(username)
        if expected is None or not secrets.compare_digest(expected.encode(), password.encode()):
            return None
        token = secrets.token_hex(16)
        with self._lock:
            self.sessions[token] = username
        return token

    def api(self) -> TakApi | None:
        """The TAK-api over the latest published version on today's date (None before any publication)."""
        day = today(self.config.clock, self.config.zone)
        with self.db.transaction() as conn:
            version = publishing.latest_version(conn)
            if version is None:
                return None
            key = (version, day.isoformat())
            with self._lock:
                if self._model_key == key and self._model is not None:
                    return TakApi(self._model)
            doc = publishing.load_document(conn, version)
        assert doc is not None
        model = build_model(
            doc, platform=self.config.platform, environment=self.config.environment, today=day, zone=self.config.zone
        )
        with self._lock:
            self._model_key, self._model = key, model
        return TakApi(model)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's signature
        return  # quiet: tests and demos read the answers, not an access log

    @property
    def state(self) -> SimState:
        return self.server.state

    # plumbing ----------------------------------------------------------------------------------------------

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status: int, body: bytes, content_type: str, headers: Mapping[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _text(self, status: int, text: str, headers: Mapping[str, str] | None = None) -> None:
        self._send(status, text.encode("utf-8"), "text/plain;charset=UTF-8", headers)

    def _json(self, status: int, value: Any) -> None:
        self._send(status, orjson.dumps(value), "application/json")

    def _redirect(self, location: str, headers: Mapping[str, str] | None = None) -> None:
        self._send(HTTPStatus.FOUND, b"", "text/plain;charset=UTF-8", {"Location": location, **(headers or {})})

    def _user(self) -> str | None:
        cookie = SimpleCookie(self.headers.get("Cookie") or "")
        morsel = cookie.get(SESSION_COOKIE)
        return None if morsel is None else self.state.sessions.get(morsel.value)

    def _fault(self, path: str) -> bool:
        """Apply an injected fault; True when the request has been dealt with."""
        rule = self.state.config.faults.take(self.command, path)
        if rule is None:
            return False
        if rule.delay:
            time.sleep(rule.delay)
        if rule.drop:
            self._body()
            self.close_connection = True
            self.connection.close()
            return True
        if rule.status is not None:
            self._body()
            self._text(rule.status, f"injected fault: HTTP {rule.status}")
            return True
        return False

    # routes ------------------------------------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's naming
        self._guarded(self._get)

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's naming
        self._guarded(self._post)

    def _guarded(self, handler: Callable[[], None]) -> None:
        try:
            handler()
        except (ConnectionError, TimeoutError):
            self.close_connection = True
        except Exception as exc:  # a bug in the simulator: answer 500 rather than drop the connection
            self.close_connection = True
            self._text(HTTPStatus.INTERNAL_SERVER_ERROR, f"{type(exc).__name__}: {exc}")

    def _get(self) -> None:
        url = urlsplit(self.path)
        path = url.path
        if self._fault(path):
            return
        if path.startswith(V1_PREFIX):
            self._text(HTTPStatus.GONE, V1_GONE)
        elif path.startswith(V2_PREFIX):
            self._api(path[len(V2_PREFIX) :], parse_qs(url.query))
        elif path.startswith("/tak-web/pubversion/download/"):
            self._download(path.rsplit("/", 1)[-1])
        else:
            self._text(HTTPStatus.NOT_FOUND, f"no such resource: {path}")

    def _post(self) -> None:
        path = urlsplit(self.path).path
        if self._fault(path):
            return
        if path == "/tak-web/auth/login":
            self._login()
        elif path == "/tak-web/rest/create":
            self._create()
        elif path == "/tak-web/pubversion/create":
            self._publish()
        else:
            self._body()
            self._text(HTTPStatus.NOT_FOUND, f"no such resource: {path}")

    def _login(self) -> None:
        form = parse_qs(self._body().decode("utf-8", "replace"))
        token = self.state.login((form.get("username") or [""])[0], (form.get("password") or [""])[0])
        if token is None:
            self._redirect("/tak-web/auth/login?error")
        else:
            self._redirect("/tak-web/", {"Set-Cookie": f"{SESSION_COOKIE}={token}; Path=/tak-web; HttpOnly"})

    def _create(self) -> None:
        raw = self._body()
        user = self._user()
        if user is None:
            self._redirect("/tak-web/auth/login")
            return
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            self._text(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"Content-Type '{content_type}' is not supported")
            return
        text = unquote_plus(raw.decode("utf-8", "replace"))
        cfg = self.state.config
        outcome = execute(self.state.db, text, user=user, platform=cfg.plattform, zone=cfg.zone, now=cfg.clock.now())
        answer = render(outcome)
        self.state.record(ReceivedOrder(user=user, text=text, executed=outcome.ok, answer=answer))
        self._text(HTTPStatus.OK, answer)

    def _publish(self) -> None:
        form = parse_qs(self._body().decode("utf-8", "replace"))
        user = self._user()
        if user is None:
            self._redirect("/tak-web/auth/login")
            return
        cfg = self.state.config
        kommentar = form["kommentar"][0] if form.get("kommentar") else None
        try:
            version = publishing.publish(self.state.db, user, clock=cfg.clock, zone=cfg.zone, kommentar=kommentar)
        except publishing.PublishRefused as exc:
            self._text(HTTPStatus.CONFLICT, str(exc))
            return
        self._json(HTTPStatus.OK, {"version": str(version)})

    def _download(self, ident: str) -> None:
        if self._user() is None:
            self._redirect("/tak-web/auth/login")
            return
        blob = publishing.download(self.state.db, int(ident)) if ident.isdigit() else None
        if blob is None:
            self._text(HTTPStatus.NOT_FOUND, f"no published version {ident}")
            return
        self._send(
            HTTPStatus.OK,
            blob,
            "application/octet-stream",
            {"Content-Disposition": f'attachment; filename="PubVersion-{ident}.json.gzip"'},
        )

    def _authorized(self) -> bool:
        header = self.headers.get("Authorization") or ""
        if not header.startswith("Basic "):
            return False
        try:
            name, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        expected = self.state.config.api_users.get(name)
        return expected is not None and secrets.compare_digest(expected.encode(), password.encode())

    def _api(self, path: str, query: Mapping[str, list[str]]) -> None:
        if not self._authorized():
            self._send(
                HTTPStatus.UNAUTHORIZED,
                orjson.dumps({"status": 401, "error": "Unauthorized", "path": self.path}),
                "application/json",
                {"WWW-Authenticate": 'Basic realm="Realm"'},
            )
            return
        api = self.state.api()
        try:
            if api is None:  # nothing published yet: every list is empty, every id unknown
                if "/" in path.strip("/"):
                    raise ApiError(404, "nothing has been published yet")
                self._json(HTTPStatus.OK, [])
                return
            status, value = api.handle(path, query)
        except ApiError as exc:
            self._send(exc.status, orjson.dumps(exc.body(self.path)), "application/problem+json")
            return
        self._json(status, value)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: SimState) -> None:
        self.state = state
        super().__init__(address, _Handler)


class SimServer:
    """A running reference TAK. ``start()`` serves on a background thread; ``serve_forever()`` blocks."""

    def __init__(self, db: Database, config: SimConfig, port: int = 0) -> None:
        self.state = SimState(db, config)
        self._httpd = _Server(("127.0.0.1", port), self.state)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def tak_web_url(self) -> str:
        return f"{self.base_url}/tak-web"

    @property
    def tak_api_url(self) -> str:
        return f"{self.base_url}/coop/api/v2"

    def start(self) -> SimServer:
        """Serve on a background thread (once; calling it again does nothing)."""
        if self._thread is not None:
            return self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="tak-sim", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

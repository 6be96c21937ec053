"""The HTTP plumbing every route of the reference TAK uses: bodies, answers, sessions, injected faults."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from http import HTTPStatus
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson

from tak_gitops.sim.server.state import SimState

SESSION_COOKIE = "SESSION"


class StateServer(ThreadingHTTPServer):
    """A threading HTTP server that hands its handlers the shared :class:`SimState`."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: SimState, handler: type[BaseHTTPRequestHandler]) -> None:
        self.state = state
        super().__init__(address, handler)


class Plumbing(BaseHTTPRequestHandler):
    """Reading requests and writing answers; the routes live in subclasses."""

    server: StateServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's signature
        return  # quiet: tests and demos read the answers, not an access log

    @property
    def state(self) -> SimState:
        return self.server.state

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

    def _guarded(self, handler: Callable[[], None]) -> None:
        try:
            handler()
        except (ConnectionError, TimeoutError):
            self.close_connection = True
        except Exception as exc:  # a bug in the simulator: answer 500 rather than drop the connection
            self.close_connection = True
            self._text(HTTPStatus.INTERNAL_SERVER_ERROR, f"{type(exc).__name__}: {exc}")

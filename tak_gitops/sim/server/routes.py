"""The reference TAK over HTTP on 127.0.0.1: which route answers which request, and the server that runs them.

Routes:

* ``POST /tak-web/auth/login`` (form ``username``, ``password``): ``302`` to ``/tak-web/`` with a ``SESSION``
  cookie, or ``302`` to ``/tak-web/auth/login?error=true`` for bad credentials (Spring Security's form login);
* ``POST /tak-web/rest/create`` (session, ``application/x-www-form-urlencoded``, else ``415``): the body is
  URL-decoded and the text from the first ``{`` to the last ``}`` executed as an order; always
  ``200 text/plain`` with the report or the error text;
* ``POST /tak-web/pubversion/create`` (session, optional form ``kommentar``): publish the user's pending changes;
  ``200`` JSON ``{"version": "<id>"}``, or ``409 text/plain`` when refused;
* ``GET /tak-web/pubversion/download/{id}`` (session): the gzip'd published-version JSON
  (``PubVersion-<id>.json.gzip``);
* ``GET /coop/api/v2/...`` (HTTP Basic): the TAK-api read endpoints (:mod:`tak_gitops.sim.takapi`);
* ``GET /coop/api/v1/...``: ``410`` "Cooperation API v1 has been closed. Please use v2 instead."

* ``GET /tak-web/auth/login``, ``GET /tak-web/bestallning`` (session): the login form and the order page, with
  the hidden ``_csrf`` field when CSRF protection is on (``SimConfig.csrf``; :mod:`.csrf`): then every POST needs
  its session's token (field ``_csrf`` or header ``X-CSRF-TOKEN``) or is sent to ``/auth/login?csrfError=true``.

Without a session the TAK-web routes redirect to the login form (``302``). A :class:`FaultPlan` given at start
can make chosen paths answer an HTTP status, wait, or drop the connection after reading the request body.
"""

from __future__ import annotations

import threading
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

from tak_gitops.sim.db import Database
from tak_gitops.sim.server.coop import CoopRoutes
from tak_gitops.sim.server.plumbing import StateServer
from tak_gitops.sim.server.state import SimConfig, SimState
from tak_gitops.sim.server.takweb import TakWebRoutes
from tak_gitops.sim.takapi import V1_GONE, V1_PREFIX, V2_PREFIX


class _Handler(TakWebRoutes, CoopRoutes):
    """Routes each request by method and path."""

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's naming
        self._guarded(self._get)

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's naming
        self._guarded(self._post)

    def _get(self) -> None:
        url = urlsplit(self.path)
        path = url.path
        if self._fault(path):
            return
        if path.startswith(V1_PREFIX):
            self._text(HTTPStatus.GONE, V1_GONE)
        elif path.startswith(V2_PREFIX):
            self._api(path[len(V2_PREFIX) :], parse_qs(url.query))
        elif path == "/tak-web/auth/login":
            self._login_form()
        elif path == "/tak-web/bestallning":
            self._order_form()
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


class SimServer:
    """A running reference TAK. ``start()`` serves on a background thread; ``serve_forever()`` blocks."""

    def __init__(self, db: Database, config: SimConfig, port: int = 0) -> None:
        self.state = SimState(db, config)
        self._httpd = StateServer(("127.0.0.1", port), self.state, _Handler)
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

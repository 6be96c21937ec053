"""The TAK-api's route in the reference TAK: HTTP Basic, then the v2 endpoints of :mod:`tak_gitops.sim.takapi`."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Mapping
from http import HTTPStatus

import orjson

from tak_gitops.sim.server.plumbing import Plumbing
from tak_gitops.sim.takapi import ApiError


class CoopRoutes(Plumbing):
    """``/coop/api/v2/...`` for the TAK-api users (HTTP Basic)."""

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

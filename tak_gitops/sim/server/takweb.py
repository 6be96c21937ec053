"""TAK-web's routes in the reference TAK: form login, order execution, publication and its download (each POST
first passes the CSRF check when it is on)."""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import parse_qs, unquote_plus

from tak_gitops.sim import publish as publishing
from tak_gitops.sim.execute import execute
from tak_gitops.sim.report import render
from tak_gitops.sim.server.csrf import CsrfRoutes
from tak_gitops.sim.server.plumbing import SESSION_COOKIE
from tak_gitops.sim.server.state import ReceivedOrder


class TakWebRoutes(CsrfRoutes):
    """``/tak-web/...``: a session from the login form is needed for everything but the login itself."""

    def _login(self) -> None:
        form = parse_qs(self._body().decode("utf-8", "replace"))
        if self._csrf_refused(form):
            return
        username, password = (form.get("username") or [""])[0], (form.get("password") or [""])[0]
        token = self.state.login(username, password, previous=self._session_id())
        if token is None:
            self._redirect("/tak-web/auth/login?error=true")  # SecurityConfig: failureUrl(LOGIN_PAGE + "?error=true")
        else:
            self._redirect("/tak-web/", {"Set-Cookie": f"{SESSION_COOKIE}={token}; Path=/tak-web; HttpOnly"})

    def _create(self) -> None:
        raw = self._body()
        if self._csrf_refused({}):  # the body is the order, not a form: the token comes as a header
            return
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
        if self._csrf_refused(form):
            return
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

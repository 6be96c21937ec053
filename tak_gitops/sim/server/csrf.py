"""TAK-web's CSRF protection in the reference TAK (``--csrf``; TAK-web's ``tak.web.csrf.active``, on by default).

As Spring Security does for TAK-web (``SecurityConfig.java``): every session, a not yet logged-in one too, has a
token; the forms TAK-web renders (the login form, the order page ``/bestallning``) carry it as the hidden field
``_csrf``; a POST without the session's token, as ``_csrf`` form field or ``X-CSRF-TOKEN`` header, is sent to
``/auth/login?csrfError=true`` and nothing is done; a login starts a new session with a new token, so the token of
the login form is spent.
"""

from __future__ import annotations

import html
import secrets
from http import HTTPStatus
from http.cookies import SimpleCookie

from tak_gitops.sim.server.plumbing import SESSION_COOKIE, Plumbing

CSRF_FIELD = "_csrf"
CSRF_HEADER = "X-CSRF-TOKEN"
CSRF_ERROR = "/tak-web/auth/login?csrfError=true"


class CsrfRoutes(Plumbing):
    """The forms that carry the token, and the check every POST passes first."""

    def _session_id(self) -> str | None:
        morsel = SimpleCookie(self.headers.get("Cookie") or "").get(SESSION_COOKIE)
        return None if morsel is None else morsel.value

    def _csrf_refused(self, form: dict[str, list[str]]) -> bool:
        """True (and the redirect sent) when CSRF protection is on and the request lacks its session's token."""
        if not self.state.config.csrf:
            return False
        sent = self.headers.get(CSRF_HEADER) or (form.get(CSRF_FIELD) or [""])[0]
        if self.state.csrf_valid(self._session_id(), sent):
            return False
        self._redirect(CSRF_ERROR)
        return True

    def _form_page(self, title: str, action: str, fields: str, session: str, new_session: bool) -> None:
        hidden = ""
        if self.state.config.csrf:
            token = html.escape(self.state.csrf_token(session), quote=True)
            hidden = f'<input type="hidden" name="{CSRF_FIELD}" value="{token}"/>'
        page = (
            f"<!DOCTYPE html><html><head><title>{title}</title></head><body>"
            f'<form name="form" action="{action}" method="post">{fields}{hidden}</form></body></html>'
        )
        headers = {"Set-Cookie": f"{SESSION_COOKIE}={session}; Path=/tak-web; HttpOnly"} if new_session else {}
        self._send(HTTPStatus.OK, page.encode("utf-8"), "text/html;charset=UTF-8", headers)

    def _login_form(self) -> None:
        """``GET /tak-web/auth/login``: the login form, in the session it opens (or the caller's)."""
        session = self._session_id()
        new = session is None
        self._form_page(
            "Logga in till Ineras Tjänstekatalog",
            "/tak-web/auth/login",
            '<input type="text" name="username"/><input type="password" name="password"/>'
            '<input type="submit" value="Logga in"/>',
            session or secrets.token_hex(16),
            new,
        )

    def _order_form(self) -> None:
        """``GET /tak-web/bestallning``: the order page (a logged-in session only)."""
        session = self._session_id()
        if session is None or self._user() is None:
            self._redirect("/tak-web/auth/login")
            return
        self._form_page(
            "Beställning", "/tak-web/bestallning", '<textarea name="jsonBestallning"></textarea>', session, False
        )

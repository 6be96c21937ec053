"""The ``tak-web`` submitter: TAK-web's REST import, behind its form login and (TAK-web's default,
``tak.web.csrf.active``) its CSRF protection."""

from __future__ import annotations

import html
import re
import urllib.parse
from collections.abc import Mapping
from typing import Any

import httpx
import orjson

from tak_gitops.adapters.submit.http_base import RETRY_STATUSES, UNKNOWN_STATUSES, HttpBase
from tak_gitops.adapters.submit.outcome import SubmitOutcome
from tak_gitops.adapters.takweb_report import parse_answer
from tak_gitops.errors import SubmitError

_CSRF_INPUT = re.compile(r"<input\b[^>]*\bname=[\"']_csrf[\"'][^>]*>", re.IGNORECASE)
_VALUE = re.compile(r"\bvalue=[\"']([^\"']*)[\"']", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z0-9_\-=.+/~]{1,512}")
CSRF_HEADER = "X-CSRF-TOKEN"


def csrf_token(page: str) -> str | None:
    """The ``_csrf`` hidden field of a page TAK-web rendered (Spring Security adds it to every form), or None.
    A value that is not a plain token (it would go into a header) counts as none."""
    field = _CSRF_INPUT.search(page[:1_000_000])
    value = None if field is None else _VALUE.search(field.group(0))
    token = None if value is None else html.unescape(value.group(1))
    return token if token is not None and _TOKEN.fullmatch(token) else None


def _csrf_refused(response: httpx.Response) -> bool:
    return response.status_code in (301, 302, 303) and "csrferror" in response.headers.get("location", "").lower()


class TakWebSubmitter(HttpBase):
    """TAK-web's REST import: form login at ``/auth/login``, then ``POST /rest/create`` with the URL-encoded JSON.

    ``submit.url`` is TAK-web's base URL (``https://host/tak-web``). The user name and password are read from
    the environment variables ``submit.username_env`` / ``submit.password_env``. The login form is read first:
    when it carries a ``_csrf`` token (CSRF protection on), the login sends it, and since a login starts a session
    with a new token, the order page ``/bestallning`` is read for that one, which every order then sends as the
    ``X-CSRF-TOKEN`` header.
    """

    name = "tak-web"
    replay_safe = False
    _csrf: str | None = None

    def _page_token(self, url: str) -> str | None:
        response, _failure = self._deliver(lambda: self.client.get(url), RETRY_STATUSES)
        if response is None or response.status_code != 200:
            return None
        return csrf_token(response.text)

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
        form_token = self._page_token(url)
        data = {"username": user, "password": password}
        if form_token is not None:
            data["_csrf"] = form_token
        response, failure = self._deliver(lambda: self.client.post(url, data=data), RETRY_STATUSES)
        if response is None:
            assert failure is not None
            reason = failure.detail.split(";")[0]
            hint = ""
            if self.url.startswith("https:"):
                hint = " (if TAK-web asks for a client certificate, check submit.client_cert and submit.client_key)"
            raise SubmitError(f"TAK-web login at {url} failed: {reason}{hint}")
        location = response.headers.get("location", "")
        if _csrf_refused(response):
            found = "its _csrf token was not accepted" if form_token else "tak-gitops found no _csrf token in it"
            raise SubmitError(
                f"TAK-web refused the login at {url} for CSRF (redirected to {location}): the login form "
                f"{url} was read first, but {found}; TAK-web's CSRF protection (tak.web.csrf.active) needs the "
                "token of the session that read the form (a proxy that drops the session cookie breaks this)"
            )
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
        self._csrf = None
        if form_token is not None:
            self._csrf = self._page_token(f"{self.url}/bestallning")
            if self._csrf is None:
                raise SubmitError(
                    f"TAK-web's CSRF protection is on, but its order page {self.url}/bestallning carried no _csrf "
                    "token after the login; orders would be refused (csrfError), so none is sent"
                )

    def submit(self, order_id: str, key: str, document: Mapping[str, Any]) -> SubmitOutcome:
        body = urllib.parse.quote(orjson.dumps(dict(document)).decode("utf-8"), safe="")
        url = f"{self.url}/rest/create"

        def post() -> httpx.Response:
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            if self._csrf is not None:
                headers[CSRF_HEADER] = self._csrf
            return self.client.post(url, content=body.encode("ascii"), headers=headers)

        for relogin in (False, True):
            response, failure = self._deliver(post, RETRY_STATUSES)
            if response is None:
                assert failure is not None
                return failure
            if _csrf_refused(response) and relogin:
                return SubmitOutcome(
                    "not-sent",
                    "TAK-web's CSRF protection refused the order again after a new login (redirected to "
                    f"{response.headers.get('location', '')}); nothing was processed",
                    http_status=response.status_code,
                )
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
        answer = parse_answer(self.redact(response.text))
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

"""TAK-web's CSRF protection in the reference TAK (``--csrf``), as skltp/tak ``tak-web/.../SecurityConfig.java``
configures it: form login and every POST need the session's ``_csrf`` token, a refusal redirects to
``/auth/login?csrfError=true``, and a login starts a session with a new token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from simdata import COSMIC, LCQA3, WEBCERT_LA, behorighet, order

from tak_gitops.sim.clock import FixedClock
from tak_gitops.sim.db import Database
from tak_gitops.sim.server import SimConfig, SimServer

pytestmark = pytest.mark.e2e

TOKEN = re.compile(r'name="_csrf" value="([^"]+)"')


@pytest.fixture
def sim(tak: Database, clock: FixedClock) -> Iterator[SimServer]:
    server = SimServer(tak, SimConfig(users={"admin": "s3cret"}, clock=clock, csrf=True)).start()
    yield server
    server.stop()


def client(sim: SimServer) -> httpx.Client:
    return httpx.Client(base_url=sim.tak_web_url, follow_redirects=False, timeout=5)


def token(answer: httpx.Response) -> str:
    match = TOKEN.search(answer.text)
    assert match is not None, answer.text
    return match.group(1)


def create(c: httpx.Client, text: str, csrf: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if csrf is not None:
        headers["X-CSRF-TOKEN"] = csrf
    return c.post("/rest/create", content=quote(text, safe=""), headers=headers)


def test_login_without_the_forms_token_is_sent_to_csrf_error(sim: SimServer) -> None:
    c = client(sim)
    answer = c.post("/auth/login", data={"username": "admin", "password": "s3cret"})
    assert (answer.status_code, answer.headers["location"]) == (302, "/tak-web/auth/login?csrfError=true")
    c.get("/auth/login")  # a session with a token, but the wrong token sent
    answer = c.post("/auth/login", data={"username": "admin", "password": "s3cret", "_csrf": "forged"})
    assert answer.headers["location"] == "/tak-web/auth/login?csrfError=true"
    assert sim.state.sessions == {}


def test_orders_need_the_sessions_token_and_the_login_forms_token_is_spent(sim: SimServer) -> None:
    c = client(sim)
    form_token = token(c.get("/auth/login"))
    c.post("/auth/login", data={"username": "admin", "password": "s3cret", "_csrf": form_token})
    text = order(inkludera={"anropsbehorigheter": [behorighet(COSMIC, WEBCERT_LA, LCQA3)]})
    for sent in (None, form_token):  # no token, or the one the login used up
        refused = create(c, text, sent)
        assert (refused.status_code, refused.headers["location"]) == (302, "/tak-web/auth/login?csrfError=true")
    assert sim.state.received == []
    fresh = token(c.get("/bestallning"))
    assert fresh != form_token
    answer = create(c, text, fresh)
    assert answer.status_code == 200 and answer.text.startswith("Plattform: NTJP-PROD\n")
    # publication is a POST too
    assert c.post("/pubversion/create").headers["location"] == "/tak-web/auth/login?csrfError=true"
    published = c.post("/pubversion/create", data={"_csrf": fresh})
    assert (published.status_code, published.json()) == (200, {"version": "2"})


def test_without_csrf_the_forms_carry_no_token(tak: Database, clock: FixedClock) -> None:
    with SimServer(tak, SimConfig(users={"admin": "s3cret"}, clock=clock)) as server:
        c = client(server)
        assert "_csrf" not in c.get("/auth/login").text
        assert c.post("/auth/login", data={"username": "admin", "password": "s3cret"}).status_code == 302
        assert c.get("/bestallning").status_code == 200


def test_the_order_page_needs_a_login(sim: SimServer) -> None:
    c = client(sim)
    c.get("/auth/login")
    assert c.get("/bestallning").headers["location"] == "/tak-web/auth/login"

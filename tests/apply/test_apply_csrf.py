"""The ``tak-web`` submitter against TAK-web's CSRF protection (skltp/tak ``SecurityConfig.java``:
``tak.web.csrf.active`` defaults to true; a POST without the session's token goes to ``/auth/login?csrfError=true``),
over real HTTP against the reference TAK with ``csrf`` on, and against hostile pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from apply_plans import SCENARIOS, plan

from tak_gitops.adapters.snapshot_file import read_snapshot
from tak_gitops.adapters.submit import TakWebSubmitter
from tak_gitops.adapters.submit.takweb import csrf_token
from tak_gitops.core.config import EnvironmentConfig, OrderConfig, SubmitterConfig, TakApiTarget
from tak_gitops.core.orders import BuiltOrder, build_orders
from tak_gitops.errors import SubmitError
from tak_gitops.sim.clock import FixedClock
from tak_gitops.sim.db import Database
from tak_gitops.sim.seed import seed_from_snapshot
from tak_gitops.sim.server import SimConfig, SimServer

ENV = EnvironmentConfig(plattform="NTJP-PROD", tak_api=TakApiTarget(platform="NTJP", environment="PROD"))
NOW = dt.datetime(2025, 12, 1, 9, 15, tzinfo=ZoneInfo("Europe/Stockholm"))
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CREDS = {"TAK_WEB_USERNAME": "tak-gitops", "TAK_WEB_PASSWORD": "s3cret"}


def an_order() -> BuiltOrder:
    return build_orders(plan(SCENARIOS["ntjp-prod-example"]), OrderConfig(), ENV, now=NOW)[0]


def submitter(url: str, transport: httpx.BaseTransport | None = None) -> TakWebSubmitter:
    cfg = SubmitterConfig(kind="tak-web", url=url, timeout_seconds=2.0, max_attempts=2)
    return TakWebSubmitter(cfg, base_dir=Path("."), environ=CREDS, backoff_seconds=0.01, transport=transport)


@pytest.fixture(params=[True, False], ids=["csrf", "no-csrf"])
def sim(request: pytest.FixtureRequest) -> Iterator[SimServer]:
    db = Database(":memory:")
    seed_from_snapshot(db, read_snapshot(EXAMPLES / "ntjp-prod.snapshot.json"), moment=NOW)
    config = SimConfig(users={"tak-gitops": "s3cret"}, clock=FixedClock(NOW), csrf=request.param)
    with SimServer(db, config) as server:
        yield server


def test_an_order_goes_through_with_and_without_csrf(sim: SimServer) -> None:
    sub = submitter(sim.tak_web_url)
    sub.open()
    order = an_order()
    outcome = sub.submit(order.order_id, order.idempotency_key, order.document)
    assert [r.user for r in sim.state.received] == ["tak-gitops"]
    assert (outcome.result, sim.state.received[0].executed) == ("submitted", True), outcome.detail


def test_a_spent_token_means_a_new_login(sim: SimServer) -> None:
    sub = submitter(sim.tak_web_url)
    sub.open()
    sim.state.csrf_tokens.clear()  # as after a TAK-web restart: the session's token is gone
    sim.state.sessions.clear()
    order = an_order()
    sub.submit(order.order_id, order.idempotency_key, order.document)
    assert len(sim.state.received) == 1


def _fake(login_page: str, login_location: str) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path.endswith("/auth/login"):
            return httpx.Response(200, text=login_page, headers={"Set-Cookie": "SESSION=a; Path=/tak-web"})
        if request.url.path.endswith("/auth/login"):
            return httpx.Response(302, headers={"Location": login_location})
        return httpx.Response(404)

    return httpx.MockTransport(handle)


def test_a_csrf_refused_login_names_csrf_not_the_password() -> None:
    page = '<form><input type="hidden" name="_csrf" value="tok-1"/></form>'
    sub = submitter("http://tak.invalid/tak-web", _fake(page, "/tak-web/auth/login?csrfError=true"))
    with pytest.raises(SubmitError) as exc:
        sub.open()
    message = str(exc.value)
    assert "refused the login at http://tak.invalid/tak-web/auth/login for CSRF" in message
    assert "its _csrf token was not accepted" in message
    assert "password" not in message


@pytest.mark.parametrize(
    "value",
    ["tok\r\nX-Injected: 1", "tok&#13;&#10;Set-Cookie: x=1", "a" * 600, ""],
    ids=["crlf", "encoded-crlf", "too-long", "empty"],
)
def test_a_hostile_token_is_never_sent(value: str) -> None:
    page = f'<input type="hidden" name="_csrf" value="{value}"/>'
    assert csrf_token(page) is None
    sub = submitter("http://tak.invalid/tak-web", _fake(page, "/tak-web/auth/login?csrfError=true"))
    with pytest.raises(SubmitError, match="tak-gitops found no _csrf token in it"):
        sub.open()


def test_the_token_is_read_from_any_attribute_order() -> None:
    assert csrf_token("<INPUT value='x-1' type=hidden name='_csrf'>") == "x-1"
    assert csrf_token('<input name="_csrf" type="hidden" value="a&#x2F;b="/>') == "a/b="
    assert csrf_token('<input name="csrf" value="no"/>') is None

"""Submitters over real HTTP on 127.0.0.1 against the fake TAK-web, with its faults."""

from __future__ import annotations

import datetime as dt
import socket
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pytest
from apply_plans import SCENARIOS, plan
from fake_takweb import FakeTakWeb

from tak_gitops.adapters.submit import FilesSubmitter, HttpSubmitter, SubmitterFactory, TakWebSubmitter
from tak_gitops.core.config import EnvironmentConfig, OrderConfig, SubmitterConfig, TakApiTarget
from tak_gitops.core.orders import BuiltOrder, build_orders
from tak_gitops.errors import SubmitError

ENV = EnvironmentConfig(plattform="NTJP-PROD", tak_api=TakApiTarget(platform="NTJP", environment="PROD"))
NOW = dt.datetime(2025, 12, 1, 9, 15, tzinfo=ZoneInfo("Europe/Stockholm"))
CREDS = {"TAK_WEB_USERNAME": "tak-gitops", "TAK_WEB_PASSWORD": "s3cret"}


def orders(name: str = "ntjp-prod-example") -> list[BuiltOrder]:
    return build_orders(plan(SCENARIOS[name]), OrderConfig(), ENV, now=NOW)


@pytest.fixture
def server() -> Iterator[FakeTakWeb]:
    with FakeTakWeb() as fake:
        yield fake


def takweb(fake: FakeTakWeb, *, environ: dict[str, str] | None = None, **config: Any) -> TakWebSubmitter:
    cfg = SubmitterConfig(kind="tak-web", url=fake.base_url, **{"timeout_seconds": 1.0, "max_attempts": 3, **config})
    sleeps: list[float] = []
    sub = TakWebSubmitter(
        cfg,
        base_dir=Path("."),
        environ=CREDS if environ is None else environ,
        backoff_seconds=0.01,
        sleep=sleeps.append,
    )
    sub.sleeps = sleeps  # type: ignore[attr-defined]
    return sub


def test_takweb_success_parses_the_report(server: FakeTakWeb) -> None:
    sub = takweb(server)
    sub.open()
    first = orders("intygstjanster-smi")[1]
    outcome = sub.submit(first.order_id, first.idempotency_key, first.document)
    assert outcome.result == "submitted"
    assert outcome.http_status == 200
    assert [(x.section, x.group, x.status) for x in outcome.lines] == [
        ("inkludera", "logiskadress", "Nyskapad"),
        ("inkludera", "tjanstekomponent", "Nyskapad"),
        ("inkludera", "anropsbehorighet", "Nyskapad"),
        ("inkludera", "vagval", "Nyskapad"),
    ]
    # the body is the URL-encoded JSON (so '+0100' survives), decoded it is exactly the document
    raw = server.raw_bodies[0].decode("ascii")
    assert "%2B0100" in raw and "+" not in raw
    assert orjson.loads(urllib.parse.unquote_plus(raw)) == first.document
    # the same order again: TAK-web extends the rows ("Uppdaterad"); that is why apply never resends
    again = sub.submit(first.order_id, first.idempotency_key, first.document)
    assert {x.status for x in again.lines} == {"Nyskapad", "Uppdaterad"}
    sub.close()


@pytest.mark.parametrize(
    ("fault", "result", "received", "detail"),
    [
        ("500", "unknown", 1, "TAK-web answered HTTP 500"),
        ("504", "unknown", 1, "TAK-web answered HTTP 504"),
        ("timeout", "unknown", 1, "no answer within 1 s"),
        ("drop", "unknown", 1, "the connection dropped"),
        ("error", "rejected", 1, "TAK-web refused the order: Skapa Vägval: RivTaProfil med namn = RIVTABP99"),
        ("runtime", "rejected", 1, "TAK-web failed with a runtime error: org.hibernate"),
    ],
)
def test_takweb_faults_are_never_retried(
    server: FakeTakWeb, fault: str, result: str, received: int, detail: str
) -> None:
    server.faults = [fault]
    sub = takweb(server)
    sub.open()
    order = orders()[0]
    outcome = sub.submit(order.order_id, order.idempotency_key, order.document)
    assert outcome.result == result
    assert outcome.detail.startswith(detail)
    assert len(server.received) == received
    assert sub.sleeps == []  # type: ignore[attr-defined]
    sub.close()


@pytest.mark.parametrize("status", ["503", "502", "429"])
def test_takweb_transient_answers_are_retried(server: FakeTakWeb, status: str) -> None:
    server.faults = [status, status]
    sub = takweb(server)
    sub.open()
    order = orders()[0]
    outcome = sub.submit(order.order_id, order.idempotency_key, order.document)
    assert outcome.result == "submitted"
    assert len(server.received) == 1
    assert sub.sleeps == [0.01, 0.02]  # type: ignore[attr-defined]


def test_takweb_gives_up_after_max_attempts(server: FakeTakWeb) -> None:
    server.faults = ["503"] * 3
    sub = takweb(server)
    sub.open()
    order = orders()[0]
    outcome = sub.submit(order.order_id, order.idempotency_key, order.document)
    assert outcome.result == "not-sent"
    assert outcome.detail.startswith("HTTP 503 after 3 attempt(s)")
    assert server.received == []


def test_connection_refused_is_retried_then_not_sent() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg = SubmitterConfig(kind="http", url=f"http://127.0.0.1:{port}/orders", max_attempts=2, timeout_seconds=1)
    sleeps: list[float] = []
    sub = HttpSubmitter(cfg, base_dir=Path("."), environ={}, backoff_seconds=0.01, sleep=sleeps.append)
    order = orders()[0]
    outcome = sub.submit(order.order_id, order.idempotency_key, order.document)
    assert outcome.result == "not-sent"
    assert "cannot connect" in outcome.detail
    assert sleeps == [0.01]


def test_login_failure_names_the_variables(server: FakeTakWeb) -> None:
    sub = takweb(server, environ={"TAK_WEB_USERNAME": "tak-gitops", "TAK_WEB_PASSWORD": "wrong"})
    with pytest.raises(SubmitError) as err:
        sub.open()
    message = str(err.value)
    assert "refused (HTTP 302, redirected to /tak-web/auth/login?error)" in message
    assert "TAK_WEB_USERNAME and TAK_WEB_PASSWORD" in message
    assert "wrong" not in message


def test_missing_credentials(server: FakeTakWeb) -> None:
    sub = takweb(server, environ={}, username_env="TAKWEB_USER_QA", password_env="TAKWEB_PASS_QA")
    with pytest.raises(SubmitError, match="set the environment variable\\(s\\) TAKWEB_USER_QA and TAKWEB_PASS_QA"):
        sub.open()


def test_expired_session_logs_in_again(server: FakeTakWeb) -> None:
    sub = takweb(server)
    sub.open()
    server.sessions.clear()
    order = orders()[0]
    outcome = sub.submit(order.order_id, order.idempotency_key, order.document)
    assert outcome.result == "submitted"
    assert server.logins == 2
    assert len(server.received) == 1


def test_wrong_plattform_is_rejected_with_tak_webs_words() -> None:
    with FakeTakWeb(plattform="NTJP-QA") as fake:
        sub = takweb(fake)
        sub.open()
        order = orders()[0]
        outcome = sub.submit(order.order_id, order.idempotency_key, order.document)
    assert outcome.result == "rejected"
    assert outcome.messages == (
        "Beställningen avser plattform NTJP-PROD, men den här instansen av tak-web hanterar NTJP-QA.",
    )


def test_tls_files_are_checked(tmp_path: Path) -> None:
    cfg = SubmitterConfig(
        kind="tak-web", url="https://127.0.0.1:1/tak-web", client_cert="cert.pem", client_key="key.pem"
    )
    sub = TakWebSubmitter(cfg, base_dir=tmp_path, environ=CREDS)
    with pytest.raises(SubmitError, match="TLS file not found"):
        sub.open()
    cfg = SubmitterConfig(kind="tak-web", url="https://127.0.0.1:1/tak-web", client_cert="cert.pem")
    with pytest.raises(SubmitError, match="must be given together"):
        TakWebSubmitter(cfg, base_dir=tmp_path, environ=CREDS).open()


def test_http_submitter_sends_the_key_and_records_the_ticket(server: FakeTakWeb) -> None:
    cfg = SubmitterConfig(kind="http", url=server.orders_url, token_env="ORDER_API_TOKEN")
    sub = SubmitterFactory(base_dir=Path("."), environ={"ORDER_API_TOKEN": "t0k"}).make(cfg, "NTJP-PROD")
    sub.open()
    order = orders()[0]
    outcome = sub.submit(order.order_id, order.idempotency_key, order.document)
    assert (outcome.result, outcome.ticket) == ("submitted", "TSK-20001")
    assert server.idempotency_keys == [order.idempotency_key]
    assert server.received == [order.document]
    assert not sub.replay_safe


def test_http_submitter_retries_500_only_when_idempotent(server: FakeTakWeb) -> None:
    order = orders()[0]
    server.faults = ["500"]
    plain = HttpSubmitter(
        SubmitterConfig(kind="http", url=server.orders_url),
        base_dir=Path("."),
        environ={},
        backoff_seconds=0.01,
        sleep=lambda _: None,
    )
    assert plain.submit(order.order_id, order.idempotency_key, order.document).result == "unknown"
    server.faults = ["500"]
    idem = HttpSubmitter(
        SubmitterConfig(kind="http", url=server.orders_url, idempotent=True),
        base_dir=Path("."),
        environ={},
        backoff_seconds=0.01,
        sleep=lambda _: None,
    )
    assert idem.replay_safe
    assert idem.submit(order.order_id, order.idempotency_key, order.document).result == "submitted"
    assert server.idempotency_keys == [order.idempotency_key] * 3


def test_files_submitter_writes_the_document(tmp_path: Path) -> None:
    sub = FilesSubmitter(tmp_path / "out", "NTJP-PROD")
    sub.open()
    order = orders()[0]
    outcome = sub.submit(order.order_id, order.idempotency_key, order.document)
    path = tmp_path / "out" / "NTJP-PROD" / f"{order.order_id}.json"
    assert outcome.result == "submitted" and outcome.location == str(path)
    assert orjson.loads(path.read_bytes()) == order.document
    assert path.read_text("utf-8").startswith('{\n  "plattform": "NTJP-PROD",\n  "formatVersion": 1.0,\n')
    assert sub.replay_safe

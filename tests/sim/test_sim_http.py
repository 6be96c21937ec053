"""The reference TAK over HTTP on 127.0.0.1: TAK-web login/create/publish/download and the TAK-api v2."""

from __future__ import annotations

import gzip
import time
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import orjson
import pytest
from simdata import (
    CDC3,
    CDC3_URL,
    COSMIC,
    E_TJANSTER,
    GCC2,
    GCC2_NEW,
    GCC2_OLD,
    KML,
    KMT,
    LCQA3,
    SORMLAND_TP,
    WEBCERT,
    WEBCERT_LA,
    behorighet,
    order,
    vagval,
)

from tak_gitops.sim.clock import FixedClock
from tak_gitops.sim.db import Database
from tak_gitops.sim.publish import export
from tak_gitops.sim.server import FaultPlan, FaultRule, SimConfig, SimServer
from tak_gitops.sim.takapi import obfuscate

pytestmark = pytest.mark.e2e

API_AUTH = ("tak-gitops", "läs-hemlighet")


def start(tak: Database, clock: FixedClock, faults: FaultPlan | None = None) -> SimServer:
    config = SimConfig(
        users={"admin": "s3cret", "bob": "pw"},
        api_users=dict([API_AUTH]),
        clock=clock,
        faults=faults or FaultPlan(),
    )
    return SimServer(tak, config).start()


@pytest.fixture
def sim(tak: Database, clock: FixedClock) -> Iterator[SimServer]:
    server = start(tak, clock)
    yield server
    server.stop()


def web(sim: SimServer, user: str = "admin", password: str = "s3cret") -> httpx.Client:
    client = httpx.Client(base_url=sim.tak_web_url, follow_redirects=False, timeout=5)
    answer = client.post("/auth/login", data={"username": user, "password": password})
    assert answer.status_code == 302
    return client


def api(sim: SimServer, path: str, auth: tuple[str, str] | None = API_AUTH) -> httpx.Response:
    return httpx.get(sim.tak_api_url + path, auth=auth, timeout=5)


def submit(client: httpx.Client, text: str) -> httpx.Response:
    return client.post(
        "/rest/create",
        content="bestallning=" + quote(text, safe=""),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


# --- TAK-web ---------------------------------------------------------------------------------------------


def test_login_sets_a_session_cookie_and_bad_password_redirects_to_error(sim: SimServer) -> None:
    client = httpx.Client(base_url=sim.tak_web_url, follow_redirects=False, timeout=5)
    bad = client.post("/auth/login", data={"username": "admin", "password": "wrong"})
    assert (bad.status_code, bad.headers["location"], "SESSION" in client.cookies) == (
        302,
        "/tak-web/auth/login?error=true",
        False,
    )
    good = client.post("/auth/login", data={"username": "admin", "password": "s3cret"})
    assert (good.status_code, good.headers["location"]) == (302, "/tak-web/")
    assert "SESSION" in client.cookies


def test_create_needs_a_session(sim: SimServer) -> None:
    anonymous = httpx.Client(base_url=sim.tak_web_url, follow_redirects=False, timeout=5)
    answer = submit(anonymous, order())
    assert (answer.status_code, answer.headers["location"]) == (302, "/tak-web/auth/login")


def test_create_executes_and_answers_text_plain(sim: SimServer, tak: Database) -> None:
    client = web(sim)
    answer = submit(client, order(inkludera={"anropsbehorigheter": [behorighet(COSMIC, WEBCERT_LA, LCQA3)]}))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/plain;charset=UTF-8"
    assert answer.text.startswith("Plattform: NTJP-PROD\nFormat Version: 1.0\n")
    assert f"Nyskapad: {WEBCERT_LA} - {COSMIC} - {LCQA3}  (2025-05-21 - 2125-05-21)" in answer.text
    # errors are also answered 200
    mismatch = submit(client, order(plattform="SLL-PROD"))
    assert (mismatch.status_code, mismatch.text) == (
        200,
        "JsonBestallning ERROR:::\nBeställningen avser plattform SLL-PROD, men den här instansen av tak-web hanterar "
        "NTJP-PROD.",
    )


def test_unencoded_body_loses_the_plus_of_the_offset(sim: SimServer) -> None:
    raw = order(inkludera={"anropsbehorigheter": [behorighet(COSMIC, WEBCERT_LA, LCQA3)]})
    answer = web(sim).post(
        "/rest/create", content=raw.encode(), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert (answer.status_code, answer.text) == (200, "JsonBestallning ERROR::: {}")


def test_publish_and_download(sim: SimServer, tak: Database, clock: FixedClock) -> None:
    client = web(sim)
    assert submit(client, order(inkludera={"vagval": [vagval(KMT, GCC2, SORMLAND_TP, GCC2_NEW)]})).status_code == 200
    published = client.post("/pubversion/create", data={"kommentar": "GCC2 ny adress"})
    assert (published.status_code, published.json()) == (200, {"version": "2"})
    again = client.post("/pubversion/create")
    assert (again.status_code, again.text) == (409, "nothing to publish: user admin has no pending changes")
    download = client.get("/pubversion/download/2")
    assert download.status_code == 200
    assert download.headers["content-disposition"] == 'attachment; filename="PubVersion-2.json.gzip"'
    assert gzip.decompress(download.content) == export(tak, 2)
    assert orjson.loads(gzip.decompress(download.content))["kommentar"] == "GCC2 ny adress"
    assert client.get("/pubversion/download/9").status_code == 404


# --- TAK-api v2 ------------------------------------------------------------------------------------------


def test_v2_needs_basic_auth_and_v1_is_gone(sim: SimServer) -> None:
    assert api(sim, "/connectionPoints", auth=None).status_code == 401
    assert api(sim, "/connectionPoints", auth=None).headers["www-authenticate"] == 'Basic realm="Realm"'
    assert api(sim, "/connectionPoints", auth=("tak-gitops", "fel")).status_code == 401
    gone = httpx.get(sim.base_url + "/coop/api/v1/connectionPoints.json", timeout=5)
    assert (gone.status_code, gone.text) == (410, "Cooperation API v1 has been closed. Please use v2 instead.")


def test_connection_points(sim: SimServer) -> None:
    expected = [{"id": 1, "platform": "NTJP", "environment": "PROD", "snapshotTime": "2025-05-20T10:00:00+0200"}]
    assert api(sim, "/connectionPoints").json() == expected
    assert api(sim, "/connectionPoints?platform=NTJP&environment=PROD").json() == expected
    assert api(sim, "/connectionPoints?platform=SLL").json() == []
    assert api(sim, "/connectionPoints/1").json() == expected[0]
    assert api(sim, "/connectionPoints/2").status_code == 404


def test_cooperations_include_semantics(sim: SimServer) -> None:
    assert api(sim, "/cooperations?connectionPointId=1").json() == [{"id": 1}, {"id": 2}, {"id": 3}]
    with_la = api(sim, "/cooperations?connectionPointId=1&include=logicalAddress").json()
    assert with_la[0] == {
        "id": 1,
        "logicalAddress": {"id": 1, "logicalAddress": WEBCERT_LA, "description": "Inera - Webcert"},
    }
    full = api(sim, "/cooperations?connectionPointId=1&include=serviceConsumer,logicalAddress,serviceContract").json()
    assert full[0] == {
        "id": 1,
        "serviceConsumer": {"id": 1, "hsaId": COSMIC, "description": "Landstinget i Värmland -- Cosmic"},
        "logicalAddress": {"id": 1, "logicalAddress": WEBCERT_LA, "description": "Inera - Webcert"},
        "serviceContract": {"id": 2, "name": "CreateDraftCertificate", "namespace": CDC3, "major": 3, "minor": 0},
    }
    assert api(sim, "/cooperations?connectionPointId=7").json() == []


def test_service_productions_obfuscate_without_physical_address(sim: SimServer) -> None:
    bare = api(sim, "/serviceProductions?connectionPointId=1").json()
    assert bare[0] == {"id": 1, "physicalAddress": "https://....ter.se..../v3.0", "rivtaProfile": "RIVTABP21"}
    full = api(sim, "/serviceProductions?include=serviceProducer,logicalAddress,physicalAddress").json()
    assert full[0] == {
        "id": 1,
        "physicalAddress": CDC3_URL,
        "rivtaProfile": "RIVTABP21",
        "serviceProducer": {"id": 2, "hsaId": WEBCERT, "description": "Inera AB -- Intygstjänster -- Webcert"},
        "logicalAddress": {"id": 1, "logicalAddress": WEBCERT_LA, "description": "Inera - Webcert"},
    }
    assert api(sim, "/serviceProductions/1?include=physicalAddress").json()["physicalAddress"] == CDC3_URL
    assert api(sim, "/serviceProductions/1?include=physicalAddress,logicalAddress").json()["physicalAddress"] == (
        "https://....ter.se..../v3.0"
    )


def test_obfuscation_examples() -> None:
    assert obfuscate("https://abcdefghij.se:443/adapter/npo/npo/v1") == "https://....hij.se....443..../v1"
    assert obfuscate("https://esb.ntjp.sjunet.org:443/adapter/npo/npo/v1") == "https://....et.org....443..../v1"
    assert obfuscate(GCC2_OLD) == "https://....and.se..../rivtabp21"
    assert obfuscate("no-scheme") == "no-scheme"


def test_lists_and_filters(sim: SimServer) -> None:
    consumers = api(sim, "/serviceConsumers?connectionPointId=1").json()
    assert [c["hsaId"] for c in consumers] == [COSMIC, E_TJANSTER]
    assert "connectionPoint" not in consumers[0]
    assert api(sim, "/serviceConsumers").json()[0]["connectionPoint"]["id"] == 1
    assert [p["hsaId"] for p in api(sim, "/serviceProducers?connectionPointId=1").json()] == [SORMLAND_TP, WEBCERT]
    las = api(sim, "/logicalAddresses?connectionPointId=1").json()
    assert [a["logicalAddress"] for a in las] == [WEBCERT_LA, KML, KMT]
    assert api(sim, f"/logicalAddresses?logicalAdress={KMT.lower()}").json() == [
        {"id": 3, "logicalAddress": KMT, "description": "VG: Sörmland - Vår VC Katrineholm HB"}
    ]
    installed = api(sim, "/installedContracts?connectionPointId=1").json()
    assert len(installed) == 5 and installed[0]["connectionPoint"]["platform"] == "NTJP"
    routed = api(sim, "/serviceContracts?connectionPointId=1").json()
    assert [c["namespace"] for c in routed] == [CDC3, GCC2]
    assert api(sim, "/cooperations?serviceConsumerId=2").json() == [{"id": 2}, {"id": 3}]
    assert api(sim, "/cooperations?serviceConsumerId=x").status_code == 400
    assert api(sim, "/nothing").status_code == 404


def test_only_published_rows_valid_today_are_served(sim: SimServer, clock: FixedClock) -> None:
    client = web(sim)
    submit(client, order(inkludera={"vagval": [vagval(KMT, GCC2, SORMLAND_TP, GCC2_NEW)]}))
    path = "/serviceProductions?include=logicalAddress,physicalAddress"

    def kmt_urls() -> list[str]:
        return [p["physicalAddress"] for p in api(sim, path).json() if p["logicalAddress"]["logicalAddress"] == KMT]

    assert kmt_urls() == [GCC2_OLD]  # executed but unpublished
    client.post("/pubversion/create")
    assert kmt_urls() == [GCC2_OLD]  # published; the new row starts tomorrow (D), the old one ends today
    clock.advance(days=1)
    assert kmt_urls() == [GCC2_NEW]


# --- fault injection -------------------------------------------------------------------------------------


def test_fault_status_for_the_first_calls(tak: Database, clock: FixedClock) -> None:
    faults = FaultPlan([FaultRule("/coop/api/v2/cooperations", status=503, times=2)])
    with start(tak, clock, faults) as server:
        statuses = [api(server, "/cooperations").status_code for _ in range(3)]
        assert statuses == [503, 503, 200]
        assert api(server, "/connectionPoints").status_code == 200


def test_fault_drop_after_reading_the_body(tak: Database, clock: FixedClock) -> None:
    faults = FaultPlan([FaultRule("/tak-web/rest/create", drop=True, times=1)])
    with start(tak, clock, faults) as server:
        client = web(server)
        text = order(inkludera={"anropsbehorigheter": [behorighet(COSMIC, WEBCERT_LA, LCQA3)]})
        with pytest.raises(httpx.RemoteProtocolError):
            submit(client, text)
        assert submit(client, text).status_code == 200


def test_fault_delay(tak: Database, clock: FixedClock) -> None:
    faults = FaultPlan([FaultRule("/coop/api/v2/", delay=0.3, times=None)])
    with start(tak, clock, faults) as server:
        started = time.monotonic()
        assert api(server, "/connectionPoints").status_code == 200
        assert time.monotonic() - started >= 0.3
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(server.tak_api_url + "/connectionPoints", auth=API_AUTH, timeout=0.1)


def test_create_wants_a_form_body(sim: SimServer) -> None:
    answer = web(sim).post("/rest/create", content=order(), headers={"Content-Type": "application/json"})
    assert (answer.status_code, answer.text) == (415, "Content-Type 'application/json' is not supported")


def test_nothing_published_gives_empty_lists(clock: FixedClock) -> None:
    with start(Database(":memory:"), clock) as server:
        assert api(server, "/connectionPoints").json() == []
        assert api(server, "/cooperations?connectionPointId=1").json() == []
        assert api(server, "/cooperations/1").status_code == 404

"""The TAK-api v2 client over real HTTP against the fake server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from tak_gitops.adapters.sources import read_source
from tak_gitops.adapters.takapi import Credentials, TakApiClient, load_credentials
from tak_gitops.core.config import TakApiConfig
from tak_gitops.core.snapshot_checks import check_obfuscated_urls
from tak_gitops.errors import ConfigError, RemoteError, SnapshotRefused, SourceError

from .conftest import EXAMPLES
from .fake_takapi import PASSWORD, USER, FakeTakApi

GOOD = Credentials(USER, PASSWORD, "the environment variables TAK_API_USERNAME and TAK_API_PASSWORD")


def client(api: FakeTakApi, *, creds: Credentials = GOOD, timeout: float = 5.0, attempts: int = 3,
           base: str | None = None, progress=None) -> TakApiClient:  # type: ignore[no-untyped-def]
    cfg = TakApiConfig(base_url=base or api.base_url, timeout_seconds=timeout, max_attempts=attempts)
    return TakApiClient(cfg, creds, backoff_seconds=0.01, backoff_max_seconds=0.02, progress=progress)


def test_fetch_reads_the_same_tak_as_the_saved_responses(fake_api: FakeTakApi, tmp_path: Path) -> None:
    with client(fake_api) as c:
        snap = c.fetch("NTJP", "PROD", tmp_path / "raw")
    expected = read_source(EXAMPLES / "ntjp-prod", platform="NTJP", environment="PROD")
    assert snap == expected
    assert snap.digest == expected.digest
    assert sorted(p.name for p in (tmp_path / "raw").iterdir()) == [
        "connectionPoints.json", "cooperations.json", "installedContracts.json", "logicalAddresses.json",
        "serviceProductions.json",
    ]


def test_requests_carry_auth_connection_point_and_includes(fake_api: FakeTakApi, tmp_path: Path) -> None:
    with client(fake_api) as c:
        c.fetch("NTJP", "PROD", tmp_path / "raw")
    got = [(r.path, r.query, r.authorized) for r in fake_api.requests]
    assert got == [
        ("/coop/api/v2/connectionPoints", {}, True),
        ("/coop/api/v2/cooperations",
         {"connectionPointId": ["4"], "include": ["serviceConsumer,logicalAddress,serviceContract"]}, True),
        ("/coop/api/v2/serviceProductions",
         {"connectionPointId": ["4"], "include": ["serviceProducer,logicalAddress,serviceContract,physicalAddress"]},
         True),
        ("/coop/api/v2/installedContracts", {"connectionPointId": ["4"]}, True),
        ("/coop/api/v2/logicalAddresses", {"connectionPointId": ["4"]}, True),
    ]


def test_connection_point_is_looked_up_by_platform_and_environment(fake_api: FakeTakApi, tmp_path: Path) -> None:
    fake_api.data["connectionPoints"][0]["id"] = 17  # ids change every night
    with client(fake_api) as c:
        cp = c.fetch_raw("NTJP", "PROD", tmp_path)
    assert cp["id"] == 17
    assert fake_api.requests[1].query["connectionPointId"] == ["17"]


def test_unknown_platform_environment_lists_connection_points(fake_api: FakeTakApi, tmp_path: Path) -> None:
    with client(fake_api) as c, pytest.raises(SourceError) as exc:
        c.fetch("NTJP", "TEST", tmp_path)
    assert str(exc.value) == (
        f"{tmp_path / 'connectionPoints.json'}: no connection point NTJP/TEST; the TAK-api has: "
        "NTJP/PROD, NTJP/QA, SLL/PROD"
    )


def test_wrong_password_says_where_credentials_come_from_without_the_secret(
    fake_api: FakeTakApi, tmp_path: Path
) -> None:
    bad = Credentials(USER, "wrong-Secret-123", "the environment variables TAK_API_USERNAME and TAK_API_PASSWORD")
    with client(fake_api, creds=bad) as c, pytest.raises(RemoteError) as exc:
        c.fetch("NTJP", "PROD", tmp_path)
    msg = str(exc.value)
    assert msg == (
        f"HTTP 401 from {fake_api.base_url}/connectionPoints: the TAK-api did not accept the credentials read from "
        "the environment variables TAK_API_USERNAME and TAK_API_PASSWORD; check them, or ask Inera for a "
        "TAK-api v2 account (role USER)"
    )
    assert exc.value.status == 401
    assert "wrong-Secret-123" not in msg and "wrong-Secret-123" not in repr(bad)
    assert fake_api.count("connectionPoints") == 1  # 4xx is not retried


def test_v1_answers_410_and_the_message_points_to_v2(fake_api: FakeTakApi, tmp_path: Path) -> None:
    v1 = fake_api.base_url.replace("/v2", "/v1")
    with client(fake_api, base=v1) as c, pytest.raises(RemoteError) as exc:
        c.fetch("NTJP", "PROD", tmp_path)
    assert exc.value.status == 410
    assert str(exc.value) == (
        f"HTTP 410 Gone from {v1}/connectionPoints: TAK-api v1 is closed; set tak_api.base_url to the v2 base "
        "(https://api.ntjp.se/coop/api/v2) and provide v2 credentials"
    )
    assert len(fake_api.requests) == 1


def test_5xx_is_retried_then_succeeds(fake_api: FakeTakApi, tmp_path: Path) -> None:
    fake_api.faults["cooperations"] = [503, 502]
    with client(fake_api) as c:
        snap = c.fetch("NTJP", "PROD", tmp_path)
    assert fake_api.count("cooperations") == 3
    assert len(snap.authorizations) == 16


def test_5xx_gives_up_after_max_attempts(fake_api: FakeTakApi, tmp_path: Path) -> None:
    fake_api.faults["serviceProductions"] = [500] * 10
    with client(fake_api, attempts=3) as c, pytest.raises(RemoteError) as exc:
        c.fetch("NTJP", "PROD", tmp_path)
    assert fake_api.count("serviceProductions") == 3
    assert exc.value.status == 500
    assert str(exc.value).startswith(f"HTTP 500 from {fake_api.base_url}/serviceProductions?connectionPointId=4")
    assert str(exc.value).endswith("(gave up after 3 attempts)")
    assert not (tmp_path / "serviceProductions.json").exists()


def test_other_4xx_is_not_retried(fake_api: FakeTakApi, tmp_path: Path) -> None:
    fake_api.faults["cooperations"] = [400]
    with client(fake_api) as c, pytest.raises(RemoteError) as exc:
        c.fetch("NTJP", "PROD", tmp_path)
    assert fake_api.count("cooperations") == 1
    assert exc.value.status == 400
    assert str(exc.value).endswith(': {"status":400,"error":"injected"}')


def test_timeout_is_retried(fake_api: FakeTakApi, tmp_path: Path) -> None:
    fake_api.delay_seconds = 1.0
    fake_api.faults["installedContracts"] = ["timeout"]
    with client(fake_api, timeout=0.3) as c:
        snap = c.fetch("NTJP", "PROD", tmp_path)
    assert fake_api.count("installedContracts") == 2
    assert len(snap.contracts) == 10


def test_timeout_every_time_gives_a_clear_error(fake_api: FakeTakApi, tmp_path: Path) -> None:
    fake_api.delay_seconds = 0.6
    fake_api.faults["connectionPoints"] = ["timeout", "timeout"]
    with client(fake_api, timeout=0.2, attempts=2) as c, pytest.raises(RemoteError) as exc:
        c.fetch("NTJP", "PROD", tmp_path)
    assert str(exc.value) == (
        f"no answer from {fake_api.base_url}/connectionPoints within 0.2 s (raise tak_api.timeout_seconds?) "
        "(gave up after 2 attempts)"
    )


def test_dropped_connection_is_retried(fake_api: FakeTakApi, tmp_path: Path) -> None:
    fake_api.faults["serviceProductions"] = ["drop"]
    with client(fake_api) as c:
        snap = c.fetch("NTJP", "PROD", tmp_path)
    assert fake_api.count("serviceProductions") == 2
    assert len(snap.routings) == 23


def test_malformed_json_names_the_saved_file(fake_api: FakeTakApi, tmp_path: Path) -> None:
    fake_api.faults["cooperations"] = ["malformed"]
    with client(fake_api) as c, pytest.raises(SourceError) as exc:
        c.fetch("NTJP", "PROD", tmp_path)
    assert str(exc.value).startswith(f"{tmp_path / 'cooperations.json'}: not valid JSON (truncated or corrupt?): ")


def test_obfuscated_urls_are_refused(fake_api: FakeTakApi, tmp_path: Path) -> None:
    fake_api.obfuscate_always = True
    with client(fake_api) as c:
        snap = c.fetch("NTJP", "PROD", tmp_path)
    with pytest.raises(SnapshotRefused) as exc:
        check_obfuscated_urls(snap, source="tak-api")
    assert str(exc.value).startswith(
        "tak-api: 23 routing URL(s) are obfuscated ('....'): serviceProductions was fetched without "
        "include=physicalAddress:\n  - (5565594230-WEBCERT, urn:riv:"
    )


def test_progress_reports_bytes_and_totals(fake_api: FakeTakApi, tmp_path: Path) -> None:
    seen: list[tuple[str, int, int | None]] = []
    with client(fake_api, progress=lambda *a: seen.append(a)) as c:
        c.fetch_raw("NTJP", "PROD", tmp_path)
    last = {name: (done, total) for name, done, total in seen}
    assert sorted(last) == ["connectionPoints", "cooperations", "installedContracts", "logicalAddresses",
                            "serviceProductions"]
    for name, (done, total) in last.items():
        file = {"connectionPoints": "connectionPoints.json"}.get(name, f"{name}.json")
        assert done == total == (tmp_path / file).stat().st_size


def test_credentials_from_environment_then_file(tmp_path: Path) -> None:
    cfg = TakApiConfig(credentials_file=str(tmp_path / "creds"))
    env = {"TAK_API_USERNAME": "u", "TAK_API_PASSWORD": "p"}
    assert load_credentials(cfg, env) == Credentials("u", "p", "the environment variables TAK_API_USERNAME and "
                                                               "TAK_API_PASSWORD")
    (tmp_path / "creds").write_text("reader:pa:ss\n")
    creds = load_credentials(cfg, {})
    assert (creds.username, creds.password) == ("reader", "pa:ss")
    assert "pa:ss" not in repr(creds)


def test_missing_or_bad_credentials_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as exc:
        load_credentials(TakApiConfig(), {})
    assert str(exc.value) == (
        "no TAK-api credentials: set TAK_API_USERNAME and TAK_API_PASSWORD, or tak_api.credentials_file (a file "
        "with username:password); ask Inera for a TAK-api v2 account"
    )
    (tmp_path / "creds").write_text("only-a-secret-no-colon")
    with pytest.raises(ConfigError) as exc:
        load_credentials(TakApiConfig(credentials_file=str(tmp_path / "creds")), {})
    assert "only-a-secret" not in str(exc.value)
    assert str(exc.value).endswith("must hold one line: username:password")


def test_credentials_in_base_url_are_refused() -> None:
    with pytest.raises(ConfigError):
        TakApiClient(TakApiConfig(base_url="https://u:p@api.example/coop/api/v2"), GOOD)


def test_403_on_a_later_resource_is_not_retried(fake_api: FakeTakApi, tmp_path: Path) -> None:
    fake_api.faults["serviceProductions"] = [403]
    with client(fake_api) as c, pytest.raises(RemoteError) as exc:
        c.fetch("NTJP", "PROD", tmp_path)
    assert exc.value.status == 403
    url = f"{fake_api.base_url}/serviceProductions?connectionPointId=4&include="
    assert str(exc.value).startswith(f"HTTP 403 from {url}")
    assert ("did not accept the credentials read from the environment variables TAK_API_USERNAME and "
            "TAK_API_PASSWORD") in str(exc.value)
    assert fake_api.count("serviceProductions") == 1

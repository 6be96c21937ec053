"""`tak-gitops sim serve|publish|export` and seeding from files."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import httpx
import orjson
import pytest
from click.testing import CliRunner
from simdata import COSMIC, LCQA3, WEBCERT_LA, behorighet, example_snapshot, order

from tak_gitops.cli import cli, main
from tak_gitops.sim.clock import DEFAULT_ZONE, FixedClock
from tak_gitops.sim.db import Database
from tak_gitops.sim.execute import execute
from tak_gitops.sim.files import seed_file
from tak_gitops.sim.publish import export
from tak_gitops.sim.seed import seed_from_snapshot


@pytest.fixture
def seeded(tmp_path: Path, clock: FixedClock) -> Path:
    path = tmp_path / "tak.sqlite"
    db = Database(path)
    seed_from_snapshot(db, example_snapshot(), moment=clock.now())
    text = order(inkludera={"anropsbehorigheter": [behorighet(COSMIC, WEBCERT_LA, LCQA3)]})
    assert execute(db, text, user="admin", platform="NTJP-PROD", zone=DEFAULT_ZONE, now=clock.now()).ok
    db.close()
    return path


def invoke(args: list[str]) -> tuple[int, str, str]:
    from tak_gitops.cli import _register

    _register()
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_publish_then_export(seeded: Path, tmp_path: Path) -> None:
    code, out, _ = invoke(["sim", "publish", "--db", str(seeded), "--now", "2025-05-20T12:00:00+02:00"])
    assert (code, out) == (0, "2\n")
    target = tmp_path / "pv.json"
    code, _, _ = invoke(["sim", "export", "--db", str(seeded), "-o", str(target)])
    assert code == 0
    doc = orjson.loads(target.read_bytes())
    assert (doc["version"], doc["tidpunkt"], len(doc["data"]["anropsbehorighet"])) == (
        "2",
        "2025-05-20T12:00:00+0200",
        4,
    )
    assert target.read_bytes() == export(Database(seeded))


def test_publish_with_nothing_pending_fails_cleanly(seeded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["sim", "publish", "--db", str(seeded), "--user", "nobody"])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err == "error: nothing to publish: user nobody has no pending changes\n"


def test_missing_db_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["sim", "export", "--db", str(tmp_path / "none.sqlite"), "-o", str(tmp_path / "x.json")])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == f"error: --db {tmp_path / 'none.sqlite'}: no such file\n"


def test_seed_roundtrip_through_published_version_json(seeded: Path, tmp_path: Path, clock: FixedClock) -> None:
    first = orjson.loads(export(Database(seeded)) or b"")
    pv = tmp_path / "pv.json"
    pv.write_bytes(orjson.dumps(first))
    copy = Database(tmp_path / "copy.sqlite")
    assert seed_file(copy, pv, moment=clock.now()) == sum(len(v) for v in first["data"].values())
    second = orjson.loads(export(copy) or b"")
    assert second["data"] == first["data"]


def test_bad_seed_names_file_and_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"data": {"vagval": [{"id": 1, "fromTidpunkt": "2015-01-01T00:00:00+0100"}]}}')
    with pytest.raises(SystemExit) as exit_info:
        main(["sim", "serve", "--seed", str(bad), "--db", str(tmp_path / "t.sqlite")])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err == f"error: {bad}: data.vagval[0]: missing relationships\n"


def test_serve_subprocess_end_to_end(seeded: Path, tmp_path: Path, clock: FixedClock) -> None:
    pv = tmp_path / "pv.json"
    pv.write_bytes(export(Database(seeded)) or b"")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tak_gitops",
            "sim",
            "serve",
            "--port",
            "0",
            "--seed",
            str(pv),
            "--db",
            str(tmp_path / "served.sqlite"),
            "--user",
            "ops:pw",
            "--api-user",
            "reader:pw",
            "--now",
            "2025-05-20T10:00:00+02:00",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        web_url = proc.stdout.readline().strip().removeprefix("TAK-web: ")
        api_url = proc.stdout.readline().strip().removeprefix("TAK-api: ")
        assert web_url.startswith("http://127.0.0.1:") and web_url.endswith("/tak-web")
        client = httpx.Client(base_url=web_url, timeout=5)
        client.post("/auth/login", data={"username": "ops", "password": "pw"})
        text = order(
            genomforande="2025-05-20T08:00:00+0200",
            inkludera={"anropsbehorigheter": [behorighet(COSMIC, "SE2321000032-4KML", LCQA3)]},
        )
        answer = client.post(
            "/rest/create", content=quote(text, safe=""), headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert "Nyskapad: SE2321000032-4KML - SE162321000156-4H4F - " in answer.text
        assert client.post("/pubversion/create").json() == {"version": "2"}
        coops = httpx.get(api_url + "/cooperations?connectionPointId=1", auth=("reader", "pw"), timeout=5).json()
        assert len(coops) == 4  # the 3 seeded + the one that starts today (the seeded file's pending one is not in pv)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_fault_specs_and_clock_option() -> None:
    from tak_gitops.cli.sim import _clock, _fault
    from tak_gitops.errors import UsageError

    rule = _fault("path=/coop/api/v2/cooperations,status=503,times=2")
    assert (rule.path, rule.status, rule.times, rule.drop, rule.delay) == (
        "/coop/api/v2/cooperations",
        503,
        2,
        False,
        0.0,
    )
    rule = _fault("path=/tak-web/rest/create,drop=true,times=all,method=POST")
    assert (rule.drop, rule.times, rule.method) == (True, None, "POST")
    with pytest.raises(UsageError, match="needs path"):
        _fault("status=503")
    with pytest.raises(UsageError, match="expected key=value"):
        _fault("/coop")
    assert _clock("2025-05-20T10:00:00").now() == datetime(2025, 5, 20, 10, 0, tzinfo=DEFAULT_ZONE)
    with pytest.raises(UsageError, match="--now"):
        _clock("tomorrow")


def test_an_empty_tak_accepts_an_order_creating_everything(clock: FixedClock) -> None:
    from tak_gitops.core.snapshot import Snapshot

    db = Database(":memory:")
    seed_from_snapshot(db, Snapshot.empty("NTJP", "QA"), moment=clock.now())
    ns = "urn:riv:clinicalprocess:activity:request:ProcessRequestResponder:1"
    text = order(
        plattform="NTJP-QA",
        inkludera={
            "tjanstekomponenter": [{"hsaId": "SE2321000099-PROD01", "beskrivning": "Region Exempel -- producent"}],
            "tjanstekontrakt": [{"namnrymd": ns, "beskrivning": "Skicka remiss", "majorVersion": 1}],
            "logiskadresser": [{"hsaId": "SE2321000099-E123", "beskrivning": "Vårdcentralen Exempel"}],
            "vagval": [
                {
                    "tjanstekomponent": "SE2321000099-PROD01",
                    "logiskAdress": "SE2321000099-E123",
                    "tjanstekontrakt": ns,
                    "rivtaprofil": "RIVTABP21",
                    "adress": "https://remiss.example.se/rivta/ProcessRequest/1/rivtabp21",
                }
            ],
        },
    )
    outcome = execute(db, text, user="admin", platform="NTJP-QA", zone=DEFAULT_ZONE, now=clock.now())
    assert outcome.ok, outcome.errors
    assert [(g, [line.status for line in lines]) for g, lines in outcome.report.inkludera.items()] == [
        ("Logiska adresser", ["Nyskapad"]),
        ("Tjänstekomponenter", ["Nyskapad"]),
        ("Tjänstekontrakt", ["Nyskapad"]),
        ("Anropsbehörigheter", []),
        ("Vägval", ["Nyskapad"]),
    ]

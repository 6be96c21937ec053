"""Apply with the real planner: re-planning against a newer snapshot, and the convergence check.

The plan is made by ``tak_gitops.core.plan.make_plan`` from the bundled example (desired/ and
examples/ntjp-prod.snapshot.json), exactly as ``tak-gitops plan`` makes it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest
from apply_cli_helpers import CREDENTIALS, REPO, run, write_plan, write_repo

from tak_gitops.adapters.desired_loader import load_desired_or_raise
from tak_gitops.adapters.hsafile import read_hsa_file
from tak_gitops.adapters.ledger_store import LedgerStore
from tak_gitops.adapters.snapshot_file import read_snapshot, write_snapshot
from tak_gitops.adapters.sources import read_pv_file
from tak_gitops.core.plan import make_plan
from tak_gitops.core.snapshot import Snapshot
from tak_gitops.sim.db import Database
from tak_gitops.sim.publish import export
from tak_gitops.sim.seed import seed_from_snapshot
from tak_gitops.sim.server import SimConfig, SimServer

PROD = "NTJP-PROD"
EXAMPLE = REPO / "examples" / "ntjp-prod.snapshot.json"
GCC2 = "urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2"
PR1 = "urn:riv:clinicalprocess:activity:request:ProcessRequestResponder:1"


HSA = REPO / "examples" / "hsa" / "hsacache.xml"
REPLAN = ["--hsa", str(HSA), "--allow-stale"]
"""apply reads the HSA file the plan was made with; the bundled snapshot is older than the age limit."""


def make(root: Path, snapshot: Snapshot) -> dict[str, Any]:
    loaded = load_desired_or_raise(root)
    doc = make_plan(loaded.state, snapshot, env=PROD, config=loaded.config, hsa=read_hsa_file(HSA)).to_document()
    assert doc["refusals"] == []  # the example's cascade is acknowledged in its desired files
    return doc


def variant(snapshot: Snapshot, path: Path, **changes: Any) -> Path:
    fields: dict[str, Any] = {
        "platform": snapshot.platform,
        "environment": snapshot.environment,
        "snapshot_time": "2026-11-21T02:31:07+0100",
        "source": "tak-api",
        "routings": list(snapshot.routings.items()),
        "authorizations": snapshot.authorizations,
        "logical_addresses": snapshot.logical_addresses,
        "systems": snapshot.systems,
        "contracts": snapshot.contracts.values(),
    }
    fields.update(changes)
    write_snapshot(path, Snapshot.build(**fields))
    return path


def test_newer_snapshot_with_the_same_plan_passes_and_a_different_one_is_stale(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_repo(tmp_path, kind="files")
    snapshot = read_snapshot(EXAMPLE)
    doc = make(tmp_path, snapshot)
    plan_file = write_plan(tmp_path / "plan.json", doc)
    # a row of nobody's system appeared: re-planning gives the same orders
    unrelated = (
        ("SE2321000065-TEST0009", PR1),
        ("SE2321000065-C0SM", "https://cosmic.ltkronoberg.se/remiss/ProcessRequest/1/rivtabp21", "RIVTABP21"),
    )
    extra = variant(snapshot, tmp_path / "extra.json", routings=[*snapshot.routings.items(), unrelated])
    code, out, err = run(
        ["apply", str(plan_file), "--root", str(tmp_path), "--snapshot", str(extra), *REPLAN], capsys
    )
    assert code == 0, err
    assert "re-planned against the current TAK" in err and ": the reviewed plan" in err
    # the 1177 grant on Vår VC Katrineholm is already gone: the plan would remove it again
    gone = variant(
        snapshot,
        tmp_path / "gone.json",
        authorizations=[a for a in snapshot.authorizations if a[1] != "SE2321000032-4KMT"],
    )
    code, _, err = run(["apply", str(plan_file), "--root", str(tmp_path), "--snapshot", str(gone), *REPLAN], capsys)
    assert code == 4
    assert "\n  orders differ:\n" in err
    assert f"\n    - remove-authorization SE2321000016-92V4 on SE2321000032-4KMT {GCC2}\n" in err
    assert err.rstrip().endswith("run `tak-gitops plan` again and review the new plan")


def test_convergence_apply_publish_reconcile_replan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    snapshot = read_snapshot(EXAMPLE)
    db = Database(":memory:")
    seed_from_snapshot(db, snapshot, moment=dt.datetime.now(dt.UTC))
    users = {CREDENTIALS["TAK_WEB_USERNAME"]: CREDENTIALS["TAK_WEB_PASSWORD"]}
    with SimServer(db, SimConfig(plattform=PROD, users=users)) as sim:
        write_repo(tmp_path, url=sim.tak_web_url)
        doc = make(tmp_path, snapshot)
        plan_file = write_plan(tmp_path / "plan.json", doc)
        code, out, err = run(
            ["apply", str(plan_file), "--yes", "--root", str(tmp_path), "--snapshot", str(EXAMPLE), *REPLAN], capsys
        )
        assert code == 0, err
        assert [r.state for r in LedgerStore(tmp_path, PROD).records()] == ["submitted"] * len(doc["orders"])
        with httpx.Client(base_url=sim.tak_web_url, follow_redirects=False, timeout=10) as admin:
            admin.post("/auth/login", data={"username": "tak-gitops", "password": "s3cret"})
            assert admin.post("/pubversion/create").status_code == 200
        data = export(db)
        assert data is not None
        (tmp_path / "pv.json").write_bytes(data)
    after = read_pv_file(tmp_path / "pv.json", platform="NTJP", environment="PROD")
    write_snapshot(tmp_path / "after.json", after)
    code, out, err = run(
        ["orders", "reconcile", "--env", PROD, "--root", str(tmp_path), "--snapshot", str(tmp_path / "after.json")],
        capsys,
    )
    assert code == 0, err
    assert {r.state for r in LedgerStore(tmp_path, PROD).records()} == {"executed"}
    again = make(tmp_path, after)
    assert (again["status"], again["orders"]) == ("no-changes", [])


def test_resumed_apply_against_a_newer_snapshot_is_not_stale_by_its_own_orders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from fake_takweb import FakeTakWeb

    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    snapshot = read_snapshot(EXAMPLE)
    with FakeTakWeb() as fake:
        write_repo(tmp_path, url=fake.base_url)
        doc = make(tmp_path, snapshot)
        plan_file = write_plan(tmp_path / "plan.json", doc)
        fake.faults = [None, "503", "503"]  # the second order cannot get through now
        code, _, err = run(
            ["apply", str(plan_file), "--yes", "--root", str(tmp_path), "--snapshot", str(EXAMPLE), *REPLAN], capsys
        )
        assert code == 1
        assert [r.state for r in LedgerStore(tmp_path, PROD).records()][:2] == ["submitted", "planned"]
        # next night: a newer snapshot (one unrelated row more); the first order is pending in the ledger now
        unrelated = (
            ("SE2321000065-TEST0009", PR1),
            ("SE2321000065-C0SM", "https://cosmic.ltkronoberg.se/remiss/ProcessRequest/1/rivtabp21", "RIVTABP21"),
        )
        extra = variant(snapshot, tmp_path / "extra.json", routings=[*snapshot.routings.items(), unrelated])
        code, out, err = run(
            ["apply", str(plan_file), "--yes", "--root", str(tmp_path), "--snapshot", str(extra), *REPLAN], capsys
        )
        assert code == 0, err
        assert "re-planned against the current TAK" in err and ": the reviewed plan" in err
        assert {r.state for r in LedgerStore(tmp_path, PROD).records()} == {"submitted"}
        assert len(fake.received) == len(doc["orders"])

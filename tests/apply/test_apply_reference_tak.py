"""Apply against the reference TAK (tak_gitops.sim) seeded with the bundled example, publish, and reconcile.

The whole loop over real HTTP on 127.0.0.1: apply submits the example's six orders to the reference TAK-web,
which executes them by TAK-web's rules; a TAK administrator publishes; the published version, read as the
next snapshot, moves every order to executed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest
from apply_cli_helpers import CREDENTIALS, REPO, run, write_plan, write_repo
from apply_plans import SCENARIOS, plan

from tak_gitops.adapters.ledger_store import LedgerStore
from tak_gitops.adapters.snapshot_file import read_snapshot, write_snapshot
from tak_gitops.adapters.sources import read_pv_file
from tak_gitops.sim.db import Database
from tak_gitops.sim.publish import export
from tak_gitops.sim.seed import seed_from_snapshot
from tak_gitops.sim.server import SimConfig, SimServer

pytestmark = pytest.mark.e2e
PROD = "NTJP-PROD"


def test_apply_publish_reconcile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    example = REPO / "examples" / "ntjp-prod.snapshot.json"
    before = read_snapshot(example)
    db = Database(":memory:")
    seed_from_snapshot(db, before, moment=dt.datetime.now(dt.UTC))
    users = {CREDENTIALS["TAK_WEB_USERNAME"]: CREDENTIALS["TAK_WEB_PASSWORD"]}
    with SimServer(db, SimConfig(plattform=PROD, users=users)) as sim:
        desired = write_repo(tmp_path, url=sim.tak_web_url)
        orders = SCENARIOS["ntjp-prod-example"]
        plan_file = write_plan(
            tmp_path / "plan.json", plan(orders, desired_digest=desired, snapshot_digest=before.digest)
        )
        # the scenario's hand-written orders are not what the example's desired files plan: applied without
        # reading the TAK, so nothing is re-planned (the re-plan at apply is tested in test_apply_replan.py)
        code, out, err = run(["apply", str(plan_file), "--yes", "--root", str(tmp_path)], capsys)
        assert code == 0, err
        records = LedgerStore(tmp_path, PROD).records()
        assert [r.state for r in records] == ["submitted"] * 6
        # the reference TAK-web's own report, parsed per line
        url_change = next(r for r in records if r.plan_order_id.startswith("w1-region-sormland"))
        statuses = sorted({(line.kind, line.status) for line in url_change.lines})
        assert statuses == [
            ("anropsbehorighet", "Nyskapad"),
            ("logiskadress", "Nyskapad"),
            ("vagval", "Deaktiverad"),
            ("vagval", "Nyskapad"),
        ]
        removal = next(r for r in records if r.plan_order_id.startswith("w4-"))
        assert {(line.section, line.status) for line in removal.lines} == {("exkludera", "Deaktiverad")}
        # nothing is visible before a TAK administrator publishes
        code, out, err = run(
            ["orders", "reconcile", "--env", PROD, "--root", str(tmp_path), "--snapshot", str(example)], capsys
        )
        assert code == 0, err
        assert [r.state for r in LedgerStore(tmp_path, PROD).records()] == ["submitted"] * 6
        # publish as the user who ran the orders
        with httpx.Client(base_url=sim.tak_web_url, follow_redirects=False, timeout=10) as admin:
            assert admin.post("/auth/login", data={"username": "tak-gitops", "password": "s3cret"}).status_code == 302
            assert admin.post("/pubversion/create").status_code == 200
        published = tmp_path / "pv.json"
        data = export(db)
        assert data is not None
        published.write_bytes(data)
    after = read_pv_file(published, platform="NTJP", environment="PROD")
    write_snapshot(tmp_path / "after.snapshot.json", after)
    code, out, err = run(
        [
            "orders",
            "reconcile",
            "--env",
            PROD,
            "--root",
            str(tmp_path),
            "--snapshot",
            str(tmp_path / "after.snapshot.json"),
        ],
        capsys,
    )
    assert code == 0, err
    assert out.count("submitted -> executed") == 6
    assert [r.state for r in LedgerStore(tmp_path, PROD).records()] == ["executed"] * 6
    # and the planner's view: nothing pending any more
    code, out, _ = run(["orders", "list", "--env", PROD, "--root", str(tmp_path)], capsys)
    assert out.splitlines()[-1] == "NTJP-PROD: 6 executed"

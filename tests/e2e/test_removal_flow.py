"""A reviewed, acknowledged mass removal through the whole loop against the reference TAK over real HTTP:
plan → apply → the TAK executes and publishes → fetch (against the baseline in the repository) → reconcile.

The removal takes more than half the routings and authorizations, far over the baseline's shrink limit (20 %);
the orders the ledger saw handed over explain it, so fetch accepts the shrunken TAK and reconcile settles them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tak_gitops.adapters.baseline_file import read_baseline
from tak_gitops.adapters.snapshot_file import read_snapshot
from tak_gitops.core.baseline import check_against_baseline
from tak_gitops.errors import SnapshotRefused
from tak_gitops.sim.server import SimServer

from .helpers import HSA_FILE, PROD, example_db, reset, run, write_example_repo
from .test_example_flow import fetch, plan, publish_ok, reconcile, states

pytestmark = pytest.mark.e2e

ACK = "  cascades: [SE2321000032-4KMN, SE2321000032-4KMT]\n"


def _remove_sormland(root: Path) -> None:
    """Region Sörmland ends its GetCareContacts connection; both organisations acknowledge, in the desired files,
    the removals and the cascades the plan asks them to (reviewed in the diff, not given as flags)."""
    (root / "desired" / "region-sormland" / "NTJP-PROD.yaml").write_text(
        'comment: "Avveckling GetCareContacts"\nacknowledge:\n  removals: 11\n' + ACK, encoding="utf-8"
    )
    inera = root / "desired" / "inera" / "NTJP-PROD.yaml"
    assert "acknowledge:" not in inera.read_text("utf-8")
    with inera.open("a", encoding="utf-8") as f:
        f.write("acknowledge:\n  removals: 10\n" + ACK)


def test_an_acknowledged_mass_removal_is_fetched_and_reconciled(prod_sim: SimServer, tmp_path: Path) -> None:
    reset(prod_sim, example_db())
    root = write_example_repo(tmp_path / "repo", prod_sim)
    fetch(root)  # the baseline of NTJP-PROD: the example TAK
    before = read_baseline(root, "orders", PROD)
    assert before is not None and (before.counts["routings"], before.counts["authorizations"]) == (23, 16)
    _remove_sormland(root)
    code, _ = plan(root, tmp_path / "plan.json")
    assert code == 2
    doc = json.loads((tmp_path / "plan.json").read_text("utf-8"))
    assert doc["status"] == "changes" and doc["refusals"] == [] and "acknowledged_by_flags" not in doc["inputs"]
    removals = {o["id"]: len(o["changes"]) for o in doc["orders"] if "remove" in o["kind"]}
    assert removals == {
        "w3-inera-remove-authorizations-SE2321000016-92V4": 10,
        "w3-region-varmland-remove-authorizations-SE162321000156-4H4F": 1,
        "w4-region-sormland-remove-routings-SE162321000032-00D1": 11,
    }

    code, out, err = run(
        ["apply", str(tmp_path / "plan.json"), "--yes", "--root", str(root), "--snapshot", str(root / "snapshot.json"),
         "--hsa", str(HSA_FILE)]
    )
    assert code == 0, err
    assert f"{PROD}: 7 order(s) submitted now, 0 not sent in this run" in out
    assert publish_ok(prod_sim) == "2"

    # 11 of 23 routings (48 %) and 11 of 16 authorizations gone: what the orders handed over remove
    out = fetch(root)
    after = read_snapshot(root / "snapshot.json")
    assert (len(after.routings), len(after.authorizations)) == (23 - 11 + 2, 16 - 11 + 3)
    baseline = read_baseline(root, "orders", PROD)
    assert baseline is not None and baseline.digest == after.digest
    # without the ledger's removals the same shrink is a bad read
    with pytest.raises(SnapshotRefused, match="routings shrank from 23 to 14: 39.1% unexplained, limit 20%"):
        check_against_baseline(after, before, expected={}, max_shrink_share=0.2, source="snapshot.json")
    out = reconcile(root)
    assert out.count("submitted -> executed") == 7
    assert states(root) == {"executed": 7}
    # and the loop is closed: planning again finds nothing to do
    code, out = plan(root)
    assert code == 0 and "No changes. The TAK matches the desired state" in out

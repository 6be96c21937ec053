"""The baseline that travels with the repository: fetch writes it, and fetch, plan and apply in a fresh checkout
(no earlier snapshot file) compare a new snapshot with it; removals ordered since are expected shrink."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from tak_gitops.adapters.baseline_file import baseline_path, expected_removals, read_baseline
from tak_gitops.adapters.ledger_store import LedgerStore
from tak_gitops.cli import main
from tak_gitops.core.baseline import Baseline, baseline_of, check_against_baseline
from tak_gitops.core.ledger import LedgerRecord
from tak_gitops.core.snapshot import Snapshot
from tak_gitops.errors import ExitCode, SnapshotRefused, SourceError

from .conftest import EXAMPLES

REPO = Path(__file__).resolve().parents[2]
PROD = "NTJP-PROD"


def _repo(tmp: Path) -> Path:
    root = tmp / "repo"
    root.mkdir()
    for name in ("tak-gitops.yaml", "ownership.yaml"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "desired", root / "desired")
    return root


def _export(tmp: Path, keep_routings: int | None = None) -> Path:
    d = tmp / f"export-{keep_routings}"
    if d.exists():
        return d
    shutil.copytree(EXAMPLES / "ntjp-prod", d)
    if keep_routings is not None:
        rows = json.loads((d / "serviceProductions.json").read_text("utf-8"))
        (d / "serviceProductions.json").write_text(json.dumps(rows[:keep_routings]), encoding="utf-8")
    return d


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    out = capsys.readouterr()
    code = exc.value.code
    return (code if isinstance(code, int) else 1), out.out, out.err


def _fetch(root: Path, export: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    # a fresh checkout each time: the snapshot file is new, only the baseline is in the repository
    out = root / f"snapshot-{export.name}.json"
    return _run(["fetch", "--env", PROD, "--root", str(root), "--from", str(export),
                 "-o", str(out), "--allow-stale", *extra], capsys)


def _removal_record(root: Path, routings: int) -> None:
    """An order handed over now that removes ``routings`` routings (as TAK-web reads its exkludera)."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    record = LedgerRecord(
        order_id="w4-region-sormland-removal-0123456789", idempotency_key="sha256:" + "ab" * 32, env=PROD,
        plattform=PROD, plan_order_id="w4-region-sormland-removal", plan_checksum="sha256:removal", wave=4,
        org="region-sormland", system="SE2321000016-92V4", kind="consumer-authorization", state="submitted",
        document={"exkludera": {"vagval": [{"n": i} for i in range(routings)], "anropsbehorigheter": []}},
        created=now, updated=now, submitted_at=now,
    )
    LedgerStore(root, PROD).save(record)


def test_fetch_writes_the_baseline_beside_the_ledger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _repo(tmp_path)
    code, _, err = _fetch(root, _export(tmp_path), capsys)
    assert code == 0, err
    baseline = read_baseline(root, "orders", PROD)
    assert baseline is not None
    assert baseline_path(root, "orders", PROD) == root / "orders" / "NTJP-PROD.baseline.json"
    assert baseline.counts == {"routings": 23, "authorizations": 16, "logical_addresses": baseline.counts[
        "logical_addresses"], "systems": baseline.counts["systems"], "contracts": baseline.counts["contracts"]}
    assert baseline.snapshot_time == "2026-11-20T02:31:07+0100" and baseline.digest.startswith("sha256:")
    assert f"baseline of {PROD}: {root / 'orders' / 'NTJP-PROD.baseline.json'}" in err


def test_a_fresh_checkout_fetch_of_a_shrunken_source_is_refused_by_the_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repo(tmp_path)
    assert _fetch(root, _export(tmp_path), capsys)[0] == 0
    code, _, err = _fetch(root, _export(tmp_path, keep_routings=11), capsys)
    assert code == ExitCode.FAILURE
    assert (f"the source shrank more than allowed against the baseline of {PROD} (snapshot 2026-11-20T02:31:07+0100)"
            ": routings shrank from 23 to 11: 52.2% unexplained, limit 20%") in err
    # the baseline is left as it was: the refused snapshot is not accepted
    assert read_baseline(root, "orders", PROD).counts["routings"] == 23  # type: ignore[union-attr]


def test_removals_the_ledger_ordered_are_expected_shrink(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _repo(tmp_path)
    assert _fetch(root, _export(tmp_path), capsys)[0] == 0
    _removal_record(root, routings=10)
    baseline = read_baseline(root, "orders", PROD)
    assert baseline is not None
    assert expected_removals(root, "orders", baseline) == {"routings": 10, "authorizations": 0}
    code, _, err = _fetch(root, _export(tmp_path, keep_routings=11), capsys)
    assert code == 0, err  # 12 gone, 10 of them ordered: 2 unexplained of 23, under 20 %
    assert read_baseline(root, "orders", PROD).counts["routings"] == 11  # type: ignore[union-attr]


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_plan_and_apply_compare_with_the_baseline(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repo(tmp_path)
    assert _fetch(root, _export(tmp_path), capsys)[0] == 0
    shrunk = _export(tmp_path, keep_routings=11)
    if command == "plan":
        args = ["plan", "--env", PROD, "--root", str(root), "--export", str(shrunk), "--allow-stale"]
    else:
        plan_file = tmp_path / "plan.json"
        _run(["plan", "--env", PROD, "--root", str(root), "--export", str(_export(tmp_path)), "--allow-stale",
              "--hsa", str(REPO / "examples" / "hsa" / "hsacache.xml"), "--out", str(plan_file)], capsys)
        args = ["apply", str(plan_file), "--yes", "--root", str(root), "--export", str(shrunk), "--allow-stale"]
    code, _, err = _run(args, capsys)
    assert code == ExitCode.FAILURE
    assert "routings shrank from 23 to 11: 52.2% unexplained, limit 20%" in err
    assert LedgerStore(root, PROD).records() == []


def _snapshot(routings: int, authorizations: int) -> Snapshot:
    return Snapshot.build(
        platform="NTJP", environment="PROD", snapshot_time="2026-11-21T02:00:00+0100", source="tak-api",
        routings=[((f"SE-{i}", "urn:c:1"), ("SE-P", "https://p/x", "RIVTABP21")) for i in range(routings)],
        authorizations=[("SE-C", f"SE-{i}", "urn:c:1") for i in range(authorizations)],
    )


def test_the_check_itself() -> None:
    base = baseline_of(PROD, _snapshot(100, 100))
    assert Baseline.from_dict(json.loads(json.dumps(base.to_dict()))) == base
    check_against_baseline(_snapshot(81, 100), base, expected={}, max_shrink_share=0.2, source="s")
    with pytest.raises(SnapshotRefused, match=r"routings shrank from 100 to 79: 21.0% unexplained, limit 20%"):
        check_against_baseline(_snapshot(79, 100), base, expected={}, max_shrink_share=0.2, source="s")
    check_against_baseline(_snapshot(50, 100), base, expected={"routings": 40}, max_shrink_share=0.2, source="s")
    check_against_baseline(_snapshot(50, 100), base, expected={}, max_shrink_share=0.2, allow_shrink=True, source="s")
    with pytest.raises(SnapshotRefused, match="the source has no routings and no authorizations, but the baseline"):
        check_against_baseline(_snapshot(0, 0), base, expected={"routings": 100, "authorizations": 100},
                               max_shrink_share=0.2, source="s")


def test_a_file_that_is_not_a_baseline_is_named(tmp_path: Path) -> None:
    (tmp_path / "orders").mkdir()
    (tmp_path / "orders" / "NTJP-PROD.baseline.json").write_text('{"format": "other"}', encoding="utf-8")
    with pytest.raises(SourceError, match="NTJP-PROD.baseline.json: not a baseline"):
        read_baseline(tmp_path, "orders", PROD)


def test_reconcile_refuses_a_snapshot_the_baseline_refuses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tak_gitops.adapters.snapshot_file import read_snapshot, write_snapshot
    from tak_gitops.adapters.sources import read_source

    root = _repo(tmp_path)
    assert _fetch(root, _export(tmp_path), capsys)[0] == 0
    shrunk = _export(tmp_path, keep_routings=11)
    code, _, fetch_err = _fetch(root, shrunk, capsys)
    assert code == ExitCode.FAILURE
    snap = tmp_path / "shrunk.snapshot.json"
    write_snapshot(snap, read_source(shrunk, platform="NTJP", environment="PROD"))
    baseline = baseline_path(root, "orders", PROD).read_bytes()
    reconcile = ["orders", "reconcile", "--env", PROD, "--root", str(root), "--snapshot", str(snap)]
    code, out, err = _run(reconcile, capsys)
    assert code == ExitCode.FAILURE and out == ""
    message = (f"the source shrank more than allowed against the baseline of {PROD} (snapshot 2026-11-20T02:31:07+0100)"
               ": routings shrank from 23 to 11: 52.2% unexplained, limit 20%; use "
               "--allow-shrink if this is real\n")
    assert fetch_err == f"error: {shrunk}: {message}"
    assert err == f"error: {snap}: {message}"
    assert baseline_path(root, "orders", PROD).read_bytes() == baseline
    # accepted as real, as fetch accepts it
    code, out, err = _run([*reconcile, "--allow-shrink"], capsys)
    assert code == 0, err
    assert out == f"{PROD}: 0 order(s) updated from snapshot {read_snapshot(snap).digest[:19]}\n"


def test_a_removal_handed_over_in_the_snapshots_own_second_is_expected(tmp_path: Path) -> None:
    # ledger times and snapshot times are whole seconds: an order submitted in the second the baseline's snapshot
    # was taken may be missing from it, so its removals are expected shrink (found by the removal flow in tests/e2e)
    root = _repo(tmp_path)
    _removal_record(root, routings=3)
    (record,) = LedgerStore(root, PROD).records()
    moment = dt.datetime.fromisoformat(record.submitted_at or "")
    baseline = Baseline(PROD, "NTJP", "PROD", moment.astimezone(dt.timezone(dt.timedelta(hours=1))).strftime(
        "%Y-%m-%dT%H:%M:%S%z"), "sha256:" + "0" * 64, dict.fromkeys(("routings", "authorizations", "logical_addresses",
                                                                      "systems", "contracts"), 23))
    assert expected_removals(root, "orders", baseline) == {"routings": 3, "authorizations": 0}
    later = Baseline(PROD, "NTJP", "PROD", (moment + dt.timedelta(seconds=1)).astimezone(
        dt.timezone(dt.timedelta(hours=1))).strftime("%Y-%m-%dT%H:%M:%S%z"), baseline.digest, baseline.counts)
    assert expected_removals(root, "orders", later) == {"routings": 0, "authorizations": 0}

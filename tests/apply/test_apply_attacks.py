"""Attacks on apply, each refused with its exit code and nothing sent: a plan forged with a recomputed checksum,
acknowledgements nobody reviewed, and a current TAK that is not the environment's or not current.

The plan is the bundled example's, made as ``tak-gitops plan`` makes it (desired files, the example snapshot, the
HSA file); the attacker edits the plan file and recomputes its checksum (``compute_checksum``), which anyone can.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from apply_cli_helpers import REPO, run, write_plan, write_repo

from tak_gitops.adapters.desired_loader import load_desired_or_raise
from tak_gitops.adapters.hsafile import read_hsa_file
from tak_gitops.adapters.ledger_store import LedgerStore
from tak_gitops.adapters.snapshot_file import read_snapshot, write_snapshot
from tak_gitops.core.plan import compute_checksum, make_plan
from tak_gitops.core.snapshot import Snapshot
from tak_gitops.errors import ExitCode

PROD = "NTJP-PROD"
EXAMPLE = REPO / "examples" / "ntjp-prod.snapshot.json"
HSA = REPO / "examples" / "hsa" / "hsacache.xml"
CURRENT = ["--snapshot", str(EXAMPLE), "--hsa", str(HSA), "--allow-stale"]


def _plan(root: Path, **acks: Any) -> dict[str, Any]:
    loaded = load_desired_or_raise(root)
    doc: dict[str, Any] = make_plan(
        loaded.state, read_snapshot(EXAMPLE), env=PROD, config=loaded.config, hsa=read_hsa_file(HSA)
    ).to_document()
    return doc


def _forged(doc: dict[str, Any], edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    forged = copy.deepcopy(doc)
    edit(forged)
    forged["checksum"] = compute_checksum(forged)
    return forged


def _apply(root: Path, doc: dict[str, Any], capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    plan_file = write_plan(root / "plan.json", doc)
    code, _, err = run(["apply", str(plan_file), "--yes", "--root", str(root), *args], capsys)
    return code, err


def _nothing_sent(root: Path) -> None:
    assert LedgerStore(root, PROD).records() == []
    assert not (root / "out").exists()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    write_repo(tmp_path, kind="files")
    return tmp_path


def test_the_reviewed_plan_itself_is_applied(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = _plan(repo)
    code, err = _apply(repo, doc, capsys, *CURRENT)
    assert code == 0, err
    assert len(LedgerStore(repo, PROD).records()) == len(doc["orders"]) > 0


def _first_routing_change(doc: dict[str, Any]) -> dict[str, Any]:
    return next(c for o in doc["orders"] for c in o["changes"] if c["action"] == "change-routing")


@pytest.mark.parametrize(
    ("what", "edit"),
    [
        ("url", lambda c: c["after"].update(url="https://evil.example/GetCareContacts/2/rivtabp21")),
        ("producer", lambda c: c["after"].update(producer="SE2321000065-C0SM")),
        ("address", lambda c: c.update(address="SE2321000032-4KMT")),
    ],
)
def test_a_routing_edited_with_the_checksum_recomputed(
    what: str, edit: Callable[[dict[str, Any]], None], repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _plan(repo)
    forged = _forged(doc, lambda d: edit(_first_routing_change(d)))
    code, err = _apply(repo, forged, capsys, *CURRENT)
    assert code == ExitCode.STALE == 4, err
    assert "does not give the reviewed plan" in err and "\n  orders differ:\n" in err
    _nothing_sent(repo)


def _add_order(d: dict[str, Any]) -> None:
    extra = copy.deepcopy(d["orders"][0])
    extra["id"] = extra["id"] + "-x"
    d["orders"].append(extra)


def _move_wave(d: dict[str, Any]) -> None:
    d["orders"][-1]["wave"] = d["orders"][-1]["wave"] + 1


@pytest.mark.parametrize(
    "edit",
    [_add_order, lambda d: d["orders"].pop(), _move_wave],
    ids=["order-added", "order-dropped", "order-moved-to-another-wave"],
)
def test_an_order_added_dropped_or_moved_with_the_checksum_recomputed(
    edit: Callable[[dict[str, Any]], None], repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    forged = _forged(_plan(repo), edit)
    code, err = _apply(repo, forged, capsys, *CURRENT)
    assert code == 4, err
    assert "orders differ" in err
    _nothing_sent(repo)


def test_refusals_stripped_with_the_checksum_recomputed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # without the acknowledgement in the desired files, the cascade of Vår VC Katrineholm is refused
    path = repo / "desired" / "region-sormland" / "NTJP-PROD.yaml"
    text = path.read_text("utf-8")
    cut = text.index("acknowledge:")
    path.write_text(text[:cut], encoding="utf-8")
    doc = _plan(repo)
    assert doc["status"] == "refused" and doc["refusals"]

    def strip(d: dict[str, Any]) -> None:
        d["refusals"] = []
        d["status"] = "changes"

    code, err = _apply(repo, _forged(doc, strip), capsys, *CURRENT)
    assert code == 4, err
    assert "\n  status differ\n" in err and "\n  refusals differ\n" in err
    # and the plan as it was made is refused: exit 3
    code, err = _apply(repo, doc, capsys, *CURRENT)
    assert code == ExitCode.GUARD == 3
    _nothing_sent(repo)


def test_a_refused_plan_with_acknowledgements_offered_at_apply(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _forged(_plan(repo), lambda d: d.update(status="refused", refusals=[{
        "guard": "removals", "org": "region-sormland", "message": "3 removals, over the limit of 2",
        "acknowledge": "--ack-removals region-sormland=3"}]))
    code, err = _apply(repo, doc, capsys, *CURRENT, "--ack-removals", "region-sormland=3")
    assert code == ExitCode.USAGE == 2 and "No such option '--ack-removals'" in err
    code, err = _apply(repo, doc, capsys, *CURRENT)
    assert code == 3 and "acknowledge it in the desired files" in err
    _nothing_sent(repo)


def test_a_plan_made_with_acknowledgement_flags_is_a_preview(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = repo / "preview.json"
    code, _, err = run(["plan", "--env", PROD, "--root", str(repo), "--snapshot", str(EXAMPLE), "--hsa", str(HSA),
                        "--allow-stale", "--ack-cascade", "SE2321000032-4KMK", "--out", str(out), "--format", "json"],
                       capsys)
    assert code in (0, 2), err
    assert "a preview that apply refuses" in err
    code, _, err = run(["apply", str(out), "--yes", "--root", str(repo), *CURRENT], capsys)
    assert code == 3
    assert "the plan was made with acknowledgement flags (--ack-cascade SE2321000032-4KMK): a preview" in err
    _nothing_sent(repo)


def _variant(path: Path, **changes: Any) -> Path:
    snapshot = read_snapshot(EXAMPLE)
    fields: dict[str, Any] = {
        "platform": snapshot.platform, "environment": snapshot.environment, "snapshot_time": snapshot.snapshot_time,
        "source": "tak-api", "routings": list(snapshot.routings.items()), "authorizations": snapshot.authorizations,
        "logical_addresses": snapshot.logical_addresses, "systems": snapshot.systems,
        "contracts": snapshot.contracts.values(),
    }
    fields.update(changes)
    write_snapshot(path, Snapshot.build(**fields))
    return path


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"environment": "QA"}, "is a snapshot of NTJP/QA, but NTJP-PROD is NTJP/PROD in tak-gitops.yaml"),
        ({"platform": "SLL"}, "is a snapshot of SLL/PROD, but NTJP-PROD is NTJP/PROD in tak-gitops.yaml"),
    ],
    ids=["another-environment", "another-platform"],
)
def test_a_snapshot_of_another_environment_or_platform(
    changes: dict[str, str], message: str, repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _plan(repo)
    other = _variant(repo / "other.snapshot.json", **changes)
    code, err = _apply(repo, doc, capsys, "--snapshot", str(other), "--hsa", str(HSA), "--allow-stale")
    assert code == ExitCode.USAGE == 2, err
    assert message in err
    _nothing_sent(repo)


def test_a_stale_snapshot(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = _plan(repo)
    code, err = _apply(repo, doc, capsys, "--snapshot", str(EXAMPLE), "--hsa", str(HSA))
    assert code == ExitCode.FAILURE == 1
    assert "snapshot time 2026-11-20T02:31:07+0100 is" in err and "hours old (limit 36 hours)" in err
    _nothing_sent(repo)

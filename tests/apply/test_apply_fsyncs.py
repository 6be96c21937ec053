"""An apply with the `files` submitter costs at most two fsyncs an order (the order file and its ledger record)
plus one per directory for the run; a submitter whose replay is not harmless keeps the durable `submitting`
record before each send. Either way the ledger ends with the same records."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from apply_plans import SCENARIOS, plan

from tak_gitops.adapters.apply_runner import run_apply
from tak_gitops.adapters.ledger_store import LedgerStore
from tak_gitops.adapters.submit import FilesSubmitter, SubmitOutcome
from tak_gitops.core.config import EnvironmentConfig, OrderConfig, TakApiTarget
from tak_gitops.core.orders import build_orders

PROD = "NTJP-PROD"
NOW = dt.datetime(2025, 12, 1, 9, 0, tzinfo=dt.UTC)


class _Recorded(FilesSubmitter):
    """The files submitter as a submitter whose replay is not harmless (a TAK-web stand-in), for comparison."""

    replay_safe = False
    name = "files"

    def submit(self, order_id: str, key: str, document: dict[str, object]) -> SubmitOutcome:  # type: ignore[override]
        return super().submit(order_id, key, document)


def _apply(root: Path, submitter: FilesSubmitter, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    document = plan(SCENARIOS["ntjp-prod-example"])
    env = EnvironmentConfig(plattform=PROD, tak_api=TakApiTarget(platform="NTJP", environment="PROD"))
    built = build_orders(document, OrderConfig(), env, now=NOW)
    store = LedgerStore(root, PROD)
    submitter.open()
    calls: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: calls.append(fd) or real(fd))
    report = run_apply(
        store, built, submitter, plan_checksum=document["checksum"], pr_url=None, commit=None, clock=lambda: NOW
    )
    monkeypatch.undo()
    assert len(report.sent) == len(built)
    return len(calls), len(built)


def test_two_fsyncs_an_order_with_the_files_submitter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fsyncs, orders = _apply(tmp_path / "a", FilesSubmitter(tmp_path / "a" / "out", PROD), monkeypatch)
    assert orders == 6
    assert fsyncs == 2 * orders + 2  # + the ledger directory and the order directory, once each


def test_the_ledger_is_the_same_either_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, orders = _apply(tmp_path / "a", FilesSubmitter(tmp_path / "a" / "out", PROD), monkeypatch)
    durable, _ = _apply(tmp_path / "b", _Recorded(tmp_path / "b" / "out", PROD), monkeypatch)
    assert durable == 8 * orders  # planned, submitting, the order file, submitted: file and directory each
    a = [r.to_dict() for r in LedgerStore(tmp_path / "a", PROD).records()]
    b = [r.to_dict() for r in LedgerStore(tmp_path / "b", PROD).records()]
    assert json.dumps(a).replace(str(tmp_path / "a"), "ROOT") == json.dumps(b).replace(str(tmp_path / "b"), "ROOT")
    assert {tuple(h["state"] for h in r["history"]) for r in a} == {("planned", "submitting", "submitted")}
    assert sorted(p.name for p in (tmp_path / "a" / "out" / PROD).iterdir()) == sorted(
        p.name for p in (tmp_path / "b" / "out" / PROD).iterdir()
    )

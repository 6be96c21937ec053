"""The ledger: state machine, reconcile per line, expiry, pending orders, the store and the lock."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from apply_plans import CARE_GIVERS, D00, GCC2, GCC_NEW, GCC_OLD, SCENARIOS, plan
from hypothesis import given
from hypothesis import strategies as st

from tak_gitops.adapters.ledger_store import LedgerStore, atomic_write, pending_orders
from tak_gitops.core.config import EnvironmentConfig, OrderConfig, TakApiTarget
from tak_gitops.core.ledger import (
    STATES,
    TRANSITIONS,
    LedgerRecord,
    expire,
    new_record,
    reconcile,
    to_pending,
    transition,
    with_ticket,
)
from tak_gitops.core.orders import BuiltOrder, build_orders
from tak_gitops.core.pending import PendingLine
from tak_gitops.core.snapshot import Snapshot
from tak_gitops.errors import LedgerError, LockedError

ENV = EnvironmentConfig(plattform="NTJP-PROD", tak_api=TakApiTarget(platform="NTJP", environment="PROD"))
T0 = dt.datetime(2025, 12, 1, 8, 0, tzinfo=dt.UTC)


def built(name: str) -> list[BuiltOrder]:
    return build_orders(plan(SCENARIOS[name]), OrderConfig(), ENV, now=T0)


def submitted(order: BuiltOrder, at: dt.datetime = T0) -> LedgerRecord:
    record = new_record(order, plan_checksum="sha256:p", now=at)
    record = transition(record, "submitting", now=at)
    return transition(record, "submitted", now=at)


def snapshot(routings: dict[tuple[str, str], tuple[str, str, str]], auths: set[tuple[str, str, str]]) -> Snapshot:
    return Snapshot.build(
        platform="NTJP",
        environment="PROD",
        snapshot_time="2025-12-09T02:00:00+0100",
        source="tak-api",
        routings=routings.items(),
        authorizations=auths,
    )


URL_CHANGE_BEFORE = {(cg, GCC2): (D00, GCC_OLD, "RIVTABP21") for cg in CARE_GIVERS}


def test_reconcile_per_line() -> None:
    (order,) = built("getcarecontacts-url-change")
    record = submitted(order)
    later = T0 + dt.timedelta(days=8)
    grant = ("SE2321000016-92V4", "SE2321000032-4CVG", GCC2)
    # nothing executed yet: old URLs still there (waiting, not diverged), 4CVG routing and grant absent
    still = reconcile(record, snapshot(URL_CHANGE_BEFORE, set()), now=later, expire_after_days=30)
    assert still.state == "submitted"
    assert {line.status for line in still.lines} == {"waiting"}
    assert still.lines[1].detail == "routing still as before the change"
    # the desk routed one care giver to another host: that line diverged, the order is diverged
    other = {**URL_CHANGE_BEFORE, ("SE2321000032-1000", GCC2): (D00, "https://tp.example.se/gcc/2", "RIVTABP21")}
    odd = reconcile(still, snapshot(other, set()), now=later, expire_after_days=30)
    assert odd.state == "diverged"
    assert [(line.key[0], line.detail) for line in odd.lines if line.status == "diverged"] == [
        ("SE2321000032-1000", "routed to SE162321000032-00D1 https://tp.example.se/gcc/2 RIVTABP21 instead")
    ]
    # then everything as ordered: executed, every line done
    done_routings = {(cg, GCC2): (D00, GCC_NEW, "RIVTABP21") for cg in [*CARE_GIVERS, "SE2321000032-4CVG"]}
    done = reconcile(odd, snapshot(done_routings, {grant}), now=later, expire_after_days=30)
    assert done.state == "executed"
    assert {line.status for line in done.lines} == {"done"}
    assert [e.state for e in done.history] == ["planned", "submitting", "submitted", "diverged", "executed"]


def test_reconcile_removals() -> None:
    auths_order, routing_order = built("remove-logical-addressee")
    present = snapshot(
        {("SE162321000032-000N", GCC2): (D00, GCC_OLD, "RIVTABP21")}, {("SE2321000016-92V4", "SE2321000032-4KMT", GCC2)}
    )
    now = T0 + dt.timedelta(days=1)
    r1 = reconcile(submitted(auths_order), present, now=now, expire_after_days=30)
    assert r1.state == "submitted"
    assert [line.status for line in r1.lines] == ["done", "waiting"]
    r2 = reconcile(submitted(routing_order), snapshot({}, set()), now=now, expire_after_days=30)
    assert r2.state == "executed"


def test_expiry_is_configurable_and_uses_the_injected_clock() -> None:
    (order,) = built("consumer-authorization")
    record = submitted(order)
    empty = snapshot({}, set())
    assert reconcile(record, empty, now=T0 + dt.timedelta(days=29), expire_after_days=30).state == "submitted"
    assert reconcile(record, empty, now=T0 + dt.timedelta(days=31), expire_after_days=30).state == "expired"
    assert expire(record, now=T0 + dt.timedelta(days=3), expire_after_days=2).state == "expired"
    # an expired order seen executed later is still closed
    late = expire(record, now=T0 + dt.timedelta(days=3), expire_after_days=2)
    seen = snapshot(
        {},
        {
            (
                "SE162321000156-4H4F",
                "5565594230-WEBCERT",
                "urn:riv:clinicalprocess:healthcond:certificate:ListCertificatesForCareWithQAResponder:3",
            )
        },
    )
    assert reconcile(late, seen, now=T0 + dt.timedelta(days=40), expire_after_days=2).state == "executed"


@given(st.lists(st.sampled_from(STATES), max_size=8))
def test_only_allowed_transitions(path: list[str]) -> None:
    (order,) = built("consumer-authorization")
    record = new_record(order, plan_checksum="sha256:p", now=T0)
    for state in path:
        if state in TRANSITIONS[record.state]:
            record = transition(record, state, now=T0)
            assert record.history[-1].state == state
        else:
            with pytest.raises(LedgerError, match=f"cannot go from {record.state} to {state}"):
                transition(record, state, now=T0)


def test_to_pending_and_ticket() -> None:
    (order,) = built("consumer-authorization")
    record = with_ticket(submitted(order), "TSK-12518", now=T0)
    pending = to_pending(record)
    assert pending.ticket == "TSK-12518"
    assert pending.state == "submitted"
    assert pending.lines == (
        PendingLine(
            "inkludera",
            "anropsbehorighet",
            (
                "SE162321000156-4H4F",
                "5565594230-WEBCERT",
                "urn:riv:clinicalprocess:healthcond:certificate:ListCertificatesForCareWithQAResponder:3",
            ),
        ),
    )
    with pytest.raises(LedgerError, match="one word"):
        with_ticket(record, "TSK 1", now=T0)


def test_store_round_trip_and_pending_orders(tmp_path: Path) -> None:
    store = LedgerStore(tmp_path, "NTJP-PROD")
    orders = built("ntjp-prod-example")
    store.save(submitted(orders[0]))
    store.save(new_record(orders[1], plan_checksum="sha256:p", now=T0))
    unknown = transition(
        transition(new_record(orders[2], plan_checksum="sha256:p", now=T0), "submitting", now=T0), "unknown", now=T0
    )
    store.save(unknown)
    assert [r.order_id for r in store.records()] == [o.order_id for o in orders[:3]]
    assert store.load(orders[0].order_id) == submitted(orders[0])
    text = store.path_of(orders[0].order_id).read_text("utf-8")
    assert text.endswith("}\n") and '\n  "created"' in text
    assert [p.order_id for p in pending_orders(tmp_path, "NTJP-PROD")] == sorted(
        [orders[0].order_id, orders[2].order_id]
    )
    assert store.find(orders[0].idempotency_key[7:17]).order_id == orders[0].order_id
    assert list(tmp_path.glob("orders/NTJP-PROD/.*.tmp")) == []
    # `orders show` takes a unique prefix of an order id too; an ambiguous one names the candidates
    wave = orders[0].order_id.split("-", 1)[0] + "-"
    assert store.find(orders[0].order_id[:-3]).order_id == orders[0].order_id
    same_wave = sorted(o.order_id for o in orders[:3] if o.order_id.startswith(wave))
    if len(same_wave) > 1:
        with pytest.raises(LedgerError, match=f"matches {len(same_wave)} orders: {same_wave[0]}"):
            store.find(wave)
    # a reference is never a path: nothing outside the ledger is read
    (tmp_path / "orders" / "secret.json").write_text("{}", "utf-8")
    with pytest.raises(LedgerError, match="no order '../secret'"):
        store.find("../secret")


def test_store_reports_a_broken_record(tmp_path: Path) -> None:
    store = LedgerStore(tmp_path, "NTJP-PROD")
    (tmp_path / "orders" / "NTJP-PROD").mkdir(parents=True)
    bad = tmp_path / "orders" / "NTJP-PROD" / "w1-x.json"
    bad.write_text('{"format": "tak-gitops-order", "format_version": 1, "order_id": "w1-x"}')
    with pytest.raises(LedgerError, match=r"w1-x.json: malformed order record \(KeyError"):
        store.records()
    bad.write_text("{")
    with pytest.raises(LedgerError, match="w1-x.json: cannot read order record"):
        store.records()


def test_atomic_write_leaves_old_or_new(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    atomic_write(path, b"old")
    atomic_write(path, b"new")
    assert path.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]


def test_lock_excludes_a_second_apply_and_unlock(tmp_path: Path) -> None:
    store = LedgerStore(tmp_path, "NTJP-PROD")
    lock = store.acquire("ci@runner for PR 42", now=T0)
    body = json.loads(store.lock_path.read_text())
    assert set(body) == {"owner", "pid", "host", "nonce", "created", "expires", "env"}
    assert body["expires"] == "2025-12-01T09:00:00+00:00"
    with pytest.raises(LockedError, match="locked by ci@runner for PR 42") as err:
        LedgerStore(tmp_path, "NTJP-PROD").acquire("someone", now=T0 + dt.timedelta(minutes=5))
    assert err.value.exit_code == 6
    with pytest.raises(LockedError, match="add --force"):
        store.unlock(now=T0 + dt.timedelta(minutes=5))
    # past its expiry the lock is stale: taken over
    other = store.acquire("next", now=T0 + dt.timedelta(hours=2))
    assert json.loads(store.lock_path.read_text())["owner"] == "next"
    lock.release()  # not ours any more: leaves the new owner's lock alone
    assert store.lock_path.exists()
    with pytest.raises(LockedError, match="taken away"):
        lock.refresh(T0)
    assert store.unlock(now=T0 + dt.timedelta(hours=2), force=True) == "removed the lock of NTJP-PROD held by next"
    other.release()
    assert store.unlock(now=T0) == "environment NTJP-PROD is not locked"


def test_lock_of_a_dead_process_is_stale(tmp_path: Path) -> None:
    store = LedgerStore(tmp_path, "NTJP-PROD")
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    store.acquire("killed apply", now=T0)
    body = json.loads(store.lock_path.read_text())
    atomic_write(store.lock_path, json.dumps({**body, "pid": child.pid}).encode())
    assert store.unlock(now=T0) == (
        f"removed the lock of NTJP-PROD held by killed apply (process {child.pid} on {body['host']} is gone)"
    )
    assert os.getpid() > 0


def test_taking_the_lock_sweeps_temp_files_of_a_killed_writer(tmp_path: Path) -> None:
    store = LedgerStore(tmp_path, "NTJP-PROD")
    store.directory.mkdir(parents=True)
    (store.directory / ".w1-x.json.abc123.tmp").write_text("{half")
    (store.directory / "..lock.def456.tmp").write_text("{")
    store.acquire("next apply", now=T0).release()
    assert sorted(p.name for p in store.directory.iterdir()) == []


def test_the_same_order_in_a_later_plan_after_execution_is_a_new_record(tmp_path: Path) -> None:
    from tak_gitops.adapters.apply_runner import run_apply
    from tak_gitops.adapters.submit import FilesSubmitter

    store = LedgerStore(tmp_path, "NTJP-PROD")
    (order,) = built("consumer-authorization")
    sub = FilesSubmitter(tmp_path / "out", "NTJP-PROD")

    def clock() -> dt.datetime:
        return T0

    first = run_apply(store, [order], sub, plan_checksum="sha256:a", pr_url=None, commit=None, clock=clock)
    assert [r.action for r in first.results] == ["sent"]
    # the same plan again: nothing
    again = run_apply(store, [order], sub, plan_checksum="sha256:a", pr_url=None, commit=None, clock=clock)
    assert [(r.action, r.detail) for r in again.results] == [("skipped", "already submitted")]
    # executed; months later the row was removed by hand and a new plan asks for it again: a new record
    store.save(transition(store.load(order.order_id), "executed", now=T0))
    later = run_apply(store, [order], sub, plan_checksum="sha256:b", pr_url=None, commit=None, clock=clock)
    assert [(r.order_id, r.action) for r in later.results] == [(f"{order.order_id}-r2", "sent")]
    assert [r.state for r in store.records()] == ["executed", "submitted"]

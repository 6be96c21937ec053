"""Generated desired states and starting TAKs, converged over real HTTP against the reference TAK.

For each world (a few organisations, systems, addresses and contracts; rows of systems nobody owns; grants with
and without ``manage``; no HSA file): seed the reference TAK with the starting TAK, plan, apply with the tak-web
submitter, publish, fetch over the TAK-api, reconcile, plan again. The same adapter functions the CLI commands
call are used, because the desired state is generated in memory rather than written as YAML.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings

from tak_gitops.adapters import sources
from tak_gitops.adapters.apply_runner import ApplyReport, run_apply
from tak_gitops.adapters.ledger_store import LedgerStore, pending_orders
from tak_gitops.adapters.submit import SubmitterFactory
from tak_gitops.adapters.takapi import TakApiClient, load_credentials
from tak_gitops.core.config import (
    EnvironmentConfig,
    GuardConfig,
    ProjectConfig,
    SubmitterConfig,
    TakApiConfig,
    TakApiTarget,
)
from tak_gitops.core.ledger import reconcile
from tak_gitops.core.orders import build_orders
from tak_gitops.core.plan import Acknowledgements, make_plan
from tak_gitops.core.snapshot import Snapshot
from tak_gitops.sim.server import SimServer
from tests.planner.worlds import CONTRACTS, ENV, World, worlds

from .helpers import ledger_records, publish, received_keys, reset, serving, sim_config, snapshot_db

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def test_sim(credentials: dict[str, str]) -> Iterator[SimServer]:
    """The reference TAK of NTJP-TEST, reseeded for every generated world."""
    with serving(sim_config(plattform=ENV, platform="NTJP", environment="TEST")) as sim:
        yield sim


def project(sim: SimServer) -> ProjectConfig:
    """The worlds' configuration (guards wide open), submitting to and reading from the reference TAK."""
    return ProjectConfig(
        environments={
            ENV: EnvironmentConfig(
                plattform=ENV,
                tak_api=TakApiTarget(platform="NTJP", environment="TEST"),
                submit=SubmitterConfig(kind="tak-web", url=sim.tak_web_url, timeout_seconds=10, max_attempts=2),
            )
        },
        guards=GuardConfig(max_removal_share=1.0, max_removals=10_000),
        tak_api=TakApiConfig(base_url=sim.tak_api_url, timeout_seconds=10, max_attempts=2),
    )


class Loop:
    """plan / apply / fetch / reconcile for one world, as `tak-gitops plan|apply|fetch|orders reconcile` do."""

    def __init__(self, sim: SimServer, world: World, root: Path) -> None:
        self.sim, self.world, self.root = sim, world, root
        self.config = project(sim)
        self.store = LedgerStore(root, ENV, self.config.ledger_dir)

    def plan(self, snapshot: Snapshot) -> dict[str, Any]:
        result = make_plan(
            self.world.desired,
            snapshot,
            env=ENV,
            config=self.config,
            pending=pending_orders(self.root, ENV, self.config.ledger_dir),
            # a generated starting TAK may be empty: acknowledged, as `plan --allow-empty-snapshot` does
            acks=Acknowledgements(allow_empty_snapshot=True),
        )
        doc: dict[str, Any] = result.to_document()
        return doc

    def apply(self, doc: dict[str, Any]) -> ApplyReport:
        now = dt.datetime.now(dt.UTC)
        built = build_orders(doc, self.config.orders, self.config.environments[ENV], now=now)
        submitter = SubmitterFactory(base_dir=self.root).make(self.config.environments[ENV].submit, ENV)
        submitter.open()
        try:
            return run_apply(
                self.store,
                built,
                submitter,
                plan_checksum=str(doc["checksum"]),
                pr_url=None,
                commit=None,
                clock=lambda: dt.datetime.now(dt.UTC),
            )
        finally:
            submitter.close()

    def fetch(self) -> Snapshot:
        raw = self.root / "raw"
        with TakApiClient(self.config.tak_api, load_credentials(self.config.tak_api)) as client:
            client.fetch_raw("NTJP", "TEST", raw)
        return sources.read_takapi_dir(raw, platform="NTJP", environment="TEST")

    def reconcile(self, snapshot: Snapshot) -> None:
        now = dt.datetime.now(dt.UTC)
        for record in self.store.records():
            after = reconcile(record, snapshot, now=now, expire_after_days=self.config.orders.expire_after_days)
            if after != record:
                self.store.save(after)


def describe(doc: dict[str, Any]) -> str:
    lines = [f"status {doc['status']}; errors {doc.get('errors')}; refusals {doc.get('refusals')}"]
    for order in doc.get("orders") or ():
        for change in order.get("changes") or ():
            lines.append(f"  {order['id']}: {change}")
    return "\n".join(lines)


@settings(max_examples=8, deadline=None)
@given(world=worlds())
def test_generated_worlds_converge_over_http(
    test_sim: SimServer, tmp_path_factory: pytest.TempPathFactory, world: World
) -> None:
    reset(test_sim, snapshot_db(world.snapshot))
    loop = Loop(test_sim, world, tmp_path_factory.mktemp("world"))
    start = loop.fetch()
    # the TAK-api shows the starting TAK as it was seeded
    assert dict(start.routings) == dict(world.snapshot.routings)
    assert start.authorizations == world.snapshot.authorizations

    doc = loop.plan(start)
    # The TAK-api lists only the systems that have rows at the connection point, so a consumer nobody owns
    # and nobody uses yet is unknown to the plan (UNKNOWN_SYSTEM, correctly refused): not a world to converge.
    assume(not any(e["code"] == "UNKNOWN_SYSTEM" for e in doc["errors"]))
    assert doc["status"] != "refused", describe(doc)
    report = loop.apply(doc)
    assert report.failed == [], [(r.order_id, r.state, r.detail) for r in report.failed]
    sent = len(doc["orders"])
    assert len(report.sent) == sent
    assert len(test_sim.state.received) == sent
    rejected = [o.answer for o in test_sim.state.received if not o.executed]
    assert rejected == [], rejected

    if sent:
        answer = publish(test_sim)
        assert answer.status_code == 200, answer.text
    after = loop.fetch()
    loop.reconcile(after)
    records = ledger_records(loop.root, ENV) if sent else []
    assert [r["state"] for r in records] == ["executed"] * sent, [(r["order_id"], r["lines"]) for r in records]
    assert sorted(received_keys(test_sim, ENV).values()) == [1] * sent

    again = loop.plan(after)
    assert again["status"] == "no-changes", describe(again)
    assert again["orders"] == [] and again["manual_steps"] == []
    # nothing the organisations own differs from what they want any more
    owned = {k: v for k, v in after.routings.items() if k in world.desired.environments[ENV].routings}
    assert owned == {k: world.desired.environments[ENV].routings[k] for k in owned}
    assert set(after.contracts) >= set(CONTRACTS) or not after.routings

    # a second apply of the first plan sends nothing
    if sent:
        report = loop.apply(doc)
        assert [r.action for r in report.results] == ["skipped"] * sent
    assert len(test_sim.state.received) == sent

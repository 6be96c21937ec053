"""Plan documents for the review tests: the bundled example, and a generated plan of 5,000 changes."""

from __future__ import annotations

from typing import Any

from tak_gitops.core.plan import Acknowledgements, make_plan
from tak_gitops.core.snapshot import Snapshot
from tests.planner import fixtures as fx
from tests.planner.helpers import document


def example_doc() -> dict[str, Any]:
    return document(
        make_plan(fx.example_desired(), fx.example_snapshot(), env=fx.ENV, config=fx.config(), hsa=fx.example_hsa())
    )


def big_doc(n_changed: int = 2000, n_removed: int = 1500, n_added: int = 750) -> dict[str, Any]:
    """A plan of 5,000 changes: URL moves, removed routings, new addresses routed and granted."""
    snap = fx.example_snapshot()
    routings = dict(snap.routings)
    names = dict(snap.logical_addresses)
    changed = {f"SE2321000032-7{i:04d}": f"VE: Sörmland - enhet {i}" for i in range(n_changed)}
    removed = [f"SE2321000032-8{i:04d}" for i in range(n_removed)]
    added = {f"SE2321000032-9{i:04d}": f"VE: Sörmland - ny enhet {i}" for i in range(n_added)}
    for la in [*changed, *removed]:
        routings[(la, fx.GCC2)] = (fx.TP_SORM, fx.URL_GCC2_OLD, fx.P21)
        names[la] = changed.get(la, f"VE: Sörmland - gammal enhet {la[-4:]}")
    big = Snapshot.build(
        platform=snap.platform,
        environment=snap.environment,
        snapshot_time=snap.snapshot_time,
        source=snap.source,
        routings=routings.items(),
        authorizations=snap.authorizations,
        logical_addresses=names,
        systems=snap.systems,
        contracts=snap.contracts.values(),
    )
    b = fx.example_builder()
    b.route("region-sormland", fx.TP_SORM, fx.GCC2, fx.URL_GCC2, {**changed, **added})
    desired = fx.desired_state(b)
    acks = Acknowledgements(removals={"region-sormland": n_removed + 4})
    plan = make_plan(desired, big, env=fx.ENV, config=fx.config(), hsa=fx.example_hsa(), acks=acks)
    assert plan.status == "changes", plan.refusals
    assert len(plan.changes()) >= 5000
    return document(plan)

"""Hypothesis properties of the planner on small random worlds (see ``worlds.py``)."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from tak_gitops.core.canonical import canonical_json
from tak_gitops.core.desired import DesiredState, EnvironmentState
from tak_gitops.core.plan import apply_changes, make_plan
from tak_gitops.core.snapshot import Snapshot
from tests.planner import worlds as w
from tests.planner.helpers import document


def plan(desired: DesiredState, snap: Snapshot, orgs: list[str] | None = None):  # type: ignore[no-untyped-def]
    return make_plan(desired, snap, env=w.ENV, config=w.config(), hsa=w.TREE, orgs=orgs)


@given(w.snapshots())
def test_desired_equal_to_current_gives_an_empty_plan(snap: Snapshot) -> None:
    p = plan(w.desired_equal_to(snap), snap)
    assert p.orders == () and p.errors == () and p.manual_steps == ()
    assert document(p)["status"] == "no-changes"


@given(w.worlds())
def test_executing_the_plan_converges(world: w.World) -> None:
    first = plan(world.desired, world.snapshot)
    document(first)
    assert first.errors == ()
    after = apply_changes(world.snapshot, first)
    second = plan(world.desired, after)
    assert second.orders == (), [(o.id, [c.to_dict() for c in o.changes]) for o in second.orders]


def _shuffled_dict(d: dict, rnd: random.Random) -> dict:  # type: ignore[type-arg]
    items = list(d.items())
    rnd.shuffle(items)
    return dict(items)


def _shuffle_world(world: w.World, rnd: random.Random) -> w.World:
    s = world.snapshot
    auths = list(s.authorizations)
    rnd.shuffle(auths)
    snap = Snapshot(
        platform=s.platform,
        environment=s.environment,
        snapshot_time=s.snapshot_time,
        source=s.source,
        routings=_shuffled_dict(dict(s.routings), rnd),
        authorizations=frozenset(auths),
        logical_addresses=_shuffled_dict(dict(s.logical_addresses), rnd),
        systems=_shuffled_dict(dict(s.systems), rnd),
        contracts=_shuffled_dict(dict(s.contracts), rnd),
    )
    d = world.desired
    st_ = d.environments[w.ENV]
    grants = list(st_.grants)
    rnd.shuffle(grants)
    state = EnvironmentState(
        env=st_.env,
        routings=_shuffled_dict(dict(st_.routings), rnd),
        routing_orgs=_shuffled_dict(dict(st_.routing_orgs), rnd),
        authorization_orgs=_shuffled_dict(dict(st_.authorization_orgs), rnd),
        grants=tuple(grants),
        orgs=_shuffled_dict(dict(st_.orgs), rnd),
        locations=st_.locations,
    )
    desired = DesiredState(
        organisations=_shuffled_dict(dict(d.organisations), rnd),
        owners=_shuffled_dict(dict(d.owners), rnd),
        systems=_shuffled_dict(dict(d.systems), rnd),
        addresses=_shuffled_dict(dict(d.addresses), rnd),
        environments={w.ENV: state},
    )
    return w.World(desired, snap)


@given(w.worlds(), st.randoms(use_true_random=False))
def test_shuffling_any_input_leaves_the_plan_byte_identical(world: w.World, rnd: random.Random) -> None:
    base = canonical_json(plan(world.desired, world.snapshot).to_document())
    other = _shuffle_world(world, rnd)
    doc = plan(other.desired, other.snapshot).to_document()
    assert canonical_json(doc) == base


@given(w.worlds())
def test_removals_follow_the_additions_they_depend_on(world: w.World) -> None:
    p = plan(world.desired, world.snapshot)
    waves = [(o.wave, c.action, c.key) for o in p.orders for c in o.changes]
    assert [x[0] for x in waves] == sorted(x[0] for x in waves)
    last_add = max((wave for wave, a, _ in waves if not a.startswith("remove")), default=0)
    first_remove = min((wave for wave, a, _ in waves if a.startswith("remove")), default=99)
    assert last_add < first_remove
    # an authorization removal always comes before the removal of a routing (wave 3 before wave 4)
    assert all(wave == 3 for wave, a, _ in waves if a == "remove-authorization")
    assert all(wave == 4 for wave, a, _ in waves if a == "remove-routing")
    # a new logical address is created in every order that refers to it
    for o in p.orders:
        created = {c.key[0] for c in o.changes if c.action == "add-logical-address"}
        for c in o.changes:
            la = (
                c.key[0]
                if c.action in ("add-routing", "change-routing")
                else c.key[1]
                if c.action == "add-authorization"
                else None
            )
            if la is not None and la not in world.snapshot.logical_addresses:
                assert la in created


@given(w.worlds(allow_all_takeovers=False), st.sampled_from([None, *w.ORGS]))
def test_no_change_touches_a_row_outside_the_planning_organisations_scope(world: w.World, org: str | None) -> None:
    orgs = None if org is None else [org]
    p = plan(world.desired, world.snapshot, orgs)
    document(p)
    state = world.desired.environments[w.ENV]
    planning = set(state.orgs) if org is None else {org} & set(state.orgs)
    assert {o.org for o in p.orders} <= planning
    owners = world.desired.owners
    for o in p.orders:
        for c in o.changes:
            if c.action in ("add-routing", "change-routing"):
                assert c.after is not None and owners.get(c.after[0]) == o.org
                if c.before is not None:  # no takeovers are allowed in this world
                    assert owners.get(c.before[0]) == o.org
            elif c.action == "remove-routing":
                assert c.before is not None and owners.get(c.before[0]) == o.org
            elif c.action == "add-authorization":
                consumer, la, ns = c.key
                granted = any(
                    g.org == o.org and g.contract == ns and consumer in g.consumers and owners.get(g.producer) == o.org
                    for g in state.grants
                )
                assert owners.get(consumer) == o.org or granted
            elif c.action == "remove-authorization":
                consumer, la, ns = c.key
                manages = any(g.org == o.org and g.manage and g.contract == ns for g in state.grants)
                assert owners.get(consumer) == o.org or manages
            # never a row of a system nobody owns
            assert "SE-X9" not in (c.after or ()) and (c.action != "remove-routing" or "SE-X9" not in (c.before or ()))
            if c.action == "remove-authorization":
                assert c.key[0] != "SE-X9" or any(g.manage for g in state.grants if g.org == o.org)

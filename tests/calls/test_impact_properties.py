"""Property: the impact of a list of changes is exactly the set of calls whose outcome changes.

Random small TAKs and random routing and authorization changes; the changes are executed with TAK-web's rules
(``core.plan.execute``), then every (consumer, contract, address) is resolved on both states: every address of
the rows, every HSA unit and one address no row or file knows. A call counts when its outcome differs and the
consumer is authorized for it before or after. Impact rows on the stand-in address for "any other address"
cover every address that resolves like it on both states.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tak_gitops.core.calls import CallState, HsaLookup, is_authorized, outcome_of
from tak_gitops.core.hsa import HsaTree
from tak_gitops.core.impact import OTHER, call_impact
from tak_gitops.core.plan import Change, apply_changes
from tak_gitops.core.snapshot import Snapshot

UNITS = ["VG1", "VE11", "VE12", "VG2", "VE21", "LA3"]
ADDRESSES = [*UNITS, "SE", "*"]
CONTRACTS = ["urn:x:One:1", "urn:y:Two:1"]
CONSUMERS = ["C1", "C2", "C3"]
VALUES = [("P1", "https://p1.example/a", "RIVTABP21"), ("P2", "https://p2.example/b", "RIVTABP21"),
          ("P1", "https://p1.example/a", "RIVTABP20")]


@st.composite
def trees(draw: st.DrawFn) -> HsaTree | None:
    if draw(st.integers(0, 5)) == 0:
        return None
    parents = {}
    for i, unit in enumerate(UNITS):
        if draw(st.integers(0, 4)) > 0:
            parents[unit] = draw(st.sampled_from(["SE", *UNITS[max(0, i - 2):i]]))
    return HsaTree(parents=parents)


routing_keys = st.tuples(st.sampled_from(ADDRESSES), st.sampled_from(CONTRACTS))
auth_keys = st.tuples(st.sampled_from(CONSUMERS), st.sampled_from(ADDRESSES), st.sampled_from(CONTRACTS))


@st.composite
def snapshots(draw: st.DrawFn) -> Snapshot:
    routings = draw(st.dictionaries(routing_keys, st.sampled_from(VALUES), max_size=8))
    auths = draw(st.frozensets(auth_keys, max_size=10))
    return Snapshot("NTJP", "TEST", None, "test", routings, auths)


@st.composite
def change_lists(draw: st.DrawFn) -> list[Change]:
    out = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["add-routing", "change-routing", "remove-routing",
                                     "add-authorization", "remove-authorization"]))
        if kind.endswith("routing"):
            key = draw(routing_keys)
            after = draw(st.sampled_from(VALUES)) if kind != "remove-routing" else None
            out.append(Change(kind, key, after=after))
        else:
            out.append(Change(kind, draw(auth_keys)))
    return out


lookups = st.sampled_from([HsaLookup(), HsaLookup.disabled_for(["urn:y"]), HsaLookup(routing_excepted=("urn:x",))])


@given(snap=snapshots(), changes=change_lists(), tree=trees(), lookup=lookups)
def test_impact_is_exactly_the_calls_that_change(
    snap: Snapshot, changes: list[Change], tree: HsaTree | None, lookup: HsaLookup
) -> None:
    after = apply_changes(snap, changes)
    impacts, considered = call_impact(snap, changes, tree=tree, hsa_lookup=lookup)
    assert considered >= len(impacts)
    b_state = CallState.from_snapshot(snap, tree, lookup)
    a_state = CallState.from_snapshot(after, tree, lookup)
    predicted = {(i.consumer, i.contract, i.address): (i.before, i.after) for i in impacts}
    assert len(predicted) == len(impacts)
    expected = {}
    for c in CONSUMERS:
        for ns in CONTRACTS:
            for a in [*UNITS, "SE", "ELSEWHERE"]:
                b, af = outcome_of(b_state, c, ns, a), outcome_of(a_state, c, ns, a)
                if b != af and (is_authorized(b_state, c, ns, a) or is_authorized(a_state, c, ns, a)):
                    expected[(c, ns, a)] = (b, af)
    for (c, ns, a), outcomes in expected.items():
        if (c, ns, a) in predicted:
            assert predicted[(c, ns, a)] == outcomes
        else:
            # only an address standing in for "any other address" may be covered by the OTHER row
            assert predicted.get((c, ns, OTHER)) == outcomes, (c, ns, a, outcomes)
    for (c, ns, a), outcomes in predicted.items():
        if a == OTHER:
            assert outcome_of(b_state, c, ns, "ELSEWHERE") == outcomes[0]
            assert outcome_of(a_state, c, ns, "ELSEWHERE") == outcomes[1]
        else:
            assert expected.get((c, ns, a)) == outcomes, (c, ns, a)
    for i in impacts:
        assert i.causes and all(0 <= k < len(changes) for k in i.causes)
        named = {ch.key[0] if len(ch.key) == 2 else ch.key[1] for ch in changes}
        assert i.direct == (i.address in named)

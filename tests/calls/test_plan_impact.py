"""The impact in every plan: the bundled example's, and a property over random planner worlds that executing
the plan's orders (TAK-web's rules, ``core/plan/execute.py``) and resolving every call changes exactly the
outcomes the plan's impact predicted: none missing, none extra."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tak_gitops.core.calls import CallState, HsaLookup, is_authorized, outcome_of
from tak_gitops.core.impact import OTHER
from tak_gitops.core.plan import apply_changes, make_plan, read_plan_document
from tests.planner import fixtures as fx
from tests.planner import worlds as w
from tests.planner.helpers import document

GCC2 = "urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2"


def _outcome(d: dict[str, str]) -> tuple[str, ...]:
    if d["outcome"] != "works":
        return (d["outcome"],)
    return ("works", d["producer"], d["url"], d["profile"])


def test_the_example_plan_shows_which_consumers_lose_which_care_units() -> None:
    plan = make_plan(fx.example_desired(), fx.example_snapshot(), env=fx.ENV, config=fx.config(), hsa=fx.example_hsa())
    doc = document(plan)
    impact = doc["impact"]
    assert impact["counts"] == {"breaks": 4, "moves": 10, "fails-otherwise": 0, "heals": 3}
    breaks = [
        (c["consumer_name"], c["address"], c["address_name"], c["after"]["outcome"], c["direct"])
        for c in impact["calls"]
        if c["kind"] == "breaks"
    ]
    # the Sörmland removals: Cosmic loses Sörmlands landsting (its authorization goes), 1177 Vårdguidens
    # e-tjänster loses the care giver 4KMT and, through it, the two care units below it
    assert breaks == [
        ("Landstinget i Värmland -- Cosmic", "SE2321000032-1000", "Sörmlands landsting", "VP007", True),
        ("Inera AB -- 1177 Vårdguidens e-tjänster", fx.KMT, "Vår VC Katrineholm HB", "VP004", True),
        ("Inera AB -- 1177 Vårdguidens e-tjänster", "SE2321000032-4KMU", "Vår VC Katrineholm", "VP004", False),
        ("Inera AB -- 1177 Vårdguidens e-tjänster", "SE2321000032-4KMV", "Vår VC Katrineholm BVC", "VP004", False),
    ]
    under = [c for c in impact["calls"] if c["address"] == "SE2321000032-4KMV"][0]
    assert [(b["action"], b["address"]) for b in under["because"]] == [
        ("remove-authorization", fx.KMT), ("remove-routing", fx.KMT),
    ]
    # part of the checksummed document, read back as it was written
    assert read_plan_document(doc).impact == impact
    tampered = {**doc, "impact": {**impact, "calls": impact["calls"][1:]}}
    assert read_plan_document(tampered, check=False).impact != impact
    assert doc["checksum"] != document(read_plan_document(tampered, check=False))["checksum"]
    # acknowledged in Sörmland's file: shown, not refused
    assert plan.refusals == ()
    assert {(c.address, c.needs_acknowledgement, c.acknowledged) for c in plan.cascades} == {(fx.KMT, True, True)}


@given(w.worlds(), st.booleans())
def test_executing_the_orders_changes_exactly_the_predicted_outcomes(world: w.World, with_tree: bool) -> None:
    tree = w.TREE if with_tree else None
    plan = make_plan(world.desired, world.snapshot, env=w.ENV, config=w.config(), hsa=tree)
    doc = document(plan)
    after = apply_changes(world.snapshot, plan)
    if tree is None:  # the plan resolves over the desired files' care-giver links: none in these worlds
        assert all(not a.vg for a in world.desired.addresses.values())
    lookup = HsaLookup()
    b_state = CallState.from_snapshot(world.snapshot, tree, lookup)
    a_state = CallState.from_snapshot(after, tree, lookup)
    predicted = {(c["consumer"], c["contract"], c["address"]): (_outcome(c["before"]), _outcome(c["after"]))
                 for c in doc["impact"]["calls"]}
    consumers = sorted({k[0] for k in world.snapshot.authorizations} | {k[0] for k in after.authorizations})
    addresses = [*w.ADDRESSES, "SE", "SE-ELSEWHERE"]
    for c in consumers:
        for ns in w.CONTRACTS:
            for a in addresses:
                b, af = outcome_of(b_state, c, ns, a), outcome_of(a_state, c, ns, a)
                changed = b != af and (is_authorized(b_state, c, ns, a) or is_authorized(a_state, c, ns, a))
                if (c, ns, a) in predicted:
                    assert changed and predicted[(c, ns, a)] == (b, af), (c, ns, a)
                elif changed:  # only an address no row and no HSA unit holds may stand behind "any other"
                    assert predicted.get((c, ns, OTHER)) == (b, af), (c, ns, a, b, af)
    for (c, ns, a), outcomes in predicted.items():
        if a == OTHER:
            assert (outcome_of(b_state, c, ns, "SE-ELSEWHERE"), outcome_of(a_state, c, ns, "SE-ELSEWHERE")) == outcomes
        else:
            assert a in addresses


def test_no_routing_for_authorization_says_what_vp_misses() -> None:
    # an address: VP's routing lookup, step by step, on the state after the plan
    b = fx.example_builder()
    b.authorize("region-varmland", fx.COSMIC, [GCC2], ["SE2321000032-4KMU"])
    plan = make_plan(fx.desired_state(b), fx.example_snapshot(), env=fx.ENV, config=fx.config(), hsa=fx.example_hsa())
    [w] = plan.warnings
    assert w.code == "NO_ROUTING_FOR_AUTHORIZATION"
    assert w.message == (
        f"{fx.COSMIC} is authorized on SE2321000032-4KMU for {GCC2}, but VP would answer VP004: no valid routing "
        f"for {GCC2} at SE2321000032-4KMU, its HSA ancestors up to SE, or *"
    )
    # HSA lookup off for the contract: the message says so
    cfg = fx.config(hsa_lookup_disabled=("urn:riv:clinicalprocess:logistics",))
    plan = make_plan(fx.desired_state(b), fx.example_snapshot(), env=fx.ENV, config=cfg, hsa=fx.example_hsa())
    assert plan.warnings[0].message.endswith(f"no valid routing for {GCC2} at SE2321000032-4KMU, * (HSA lookup is off)")
    # *: the standardbehörighet needs a routing somewhere
    b = fx.example_builder()
    b.authorize("region-varmland", fx.COSMIC, [fx.GCC3], ["*"])
    plan = make_plan(fx.desired_state(b), fx.example_snapshot(), env=fx.ENV, config=fx.config(), hsa=fx.example_hsa())
    [w] = plan.warnings
    assert w.message == (
        f"{fx.COSMIC} is authorized on * for {fx.GCC3}, but no routing for this contract at any address"
    )

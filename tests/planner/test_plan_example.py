"""The planner on the bundled example and on focused variations of it: exact changes, scope, checks, guards."""

from __future__ import annotations

import dataclasses

import pytest

from tak_gitops.core.desired import Address
from tak_gitops.core.pending import PendingLine, PendingOrder
from tak_gitops.core.plan import Acknowledgements, Change, make_plan, read_plan_document
from tak_gitops.core.snapshot import Snapshot
from tak_gitops.errors import PlanFileError, TamperedPlanError, UsageError
from tests.planner import fixtures as fx
from tests.planner.helpers import actions, document

GCC2 = fx.GCC2
OLD = (fx.TP_SORM, fx.URL_GCC2_OLD, fx.P21)
NEW = (fx.TP_SORM, fx.URL_GCC2, fx.P21)


def plan_example(**kw: object):  # type: ignore[no-untyped-def]
    kw.setdefault("hsa", fx.example_hsa())
    return make_plan(fx.example_desired(), fx.example_snapshot(), env=fx.ENV, config=fx.config(), **kw)  # type: ignore[arg-type]


def test_example_full_plan_changes_exactly_the_listed_differences() -> None:
    plan = plan_example()
    doc = document(plan)
    assert doc["status"] == "changes"
    assert plan.errors == () and plan.refusals == () and plan.warnings == ()
    cg = sorted(fx.CARE_GIVERS)
    expected = [
        ("w1-inera-producer-SE5565594230-B8N", "add-logical-address", (fx.HVT,)),
        ("w1-inera-producer-SE5565594230-B8N", "add-routing", (fx.HVT, fx.SMC2)),
        ("w1-region-sormland-producer-SE162321000032-00D1", "add-logical-address", (fx.CVG,)),
        ("w1-region-sormland-producer-SE162321000032-00D1", "add-routing", (fx.CVG, GCC2)),
        *[("w1-region-sormland-producer-SE162321000032-00D1", "change-routing", (la, GCC2)) for la in cg],
        ("w1-region-sormland-producer-SE162321000032-00D1", "add-authorization", (fx.E1177, fx.CVG, GCC2)),
        ("w1-region-varmland-producer-SE162321000156-B3K", "add-logical-address", (fx.HVT,)),
        ("w1-region-varmland-producer-SE162321000156-B3K", "add-system", (fx.PROXY,)),
        ("w1-region-varmland-producer-SE162321000156-B3K", "add-routing", (fx.HVT, fx.CSU3)),
        ("w1-region-varmland-producer-SE162321000156-B3K", "add-authorization", (fx.WEBCERT, fx.HVT, fx.CSU3)),
        ("w2-inera-consumer-SE5565594230-B31", "add-logical-address", (fx.HVT,)),
        ("w2-inera-consumer-SE5565594230-B31", "add-system", (fx.INTYG,)),
        ("w2-inera-consumer-SE5565594230-B31", "add-authorization", (fx.INTYG, fx.HVT, fx.SMC2)),
        ("w2-region-varmland-consumer-SE162321000156-4H4F", "add-authorization", (fx.COSMIC, fx.WEBCERT_LA, fx.LCQA3)),
        (
            "w3-region-sormland-remove-authorizations-SE162321000032-00D1",
            "remove-authorization",
            (fx.COSMIC, "SE2321000032-1000", GCC2),
        ),
        (
            "w3-region-sormland-remove-authorizations-SE162321000032-00D1",
            "remove-authorization",
            (fx.E1177, fx.KMT, GCC2),
        ),
        ("w4-region-sormland-remove-routings-SE162321000032-00D1", "remove-routing", (fx.NPO, GCC2)),
        ("w4-region-sormland-remove-routings-SE162321000032-00D1", "remove-routing", (fx.KMT, GCC2)),
    ]
    assert actions(plan) == expected
    assert doc["summary"] == {
        "add-routing": 3,
        "change-routing": 9,
        "remove-routing": 2,
        "add-authorization": 4,
        "remove-authorization": 2,
        "add-logical-address": 2,
        "add-system": 2,
        "add-contract": 0,
        "orders": 7,
        "manual_steps": 2,
        "pending": 0,
        "cascades": 2,
        "warnings": 0,
        "errors": 0,
    }
    change = next(c for c in plan.changes() if c.action == "change-routing")
    assert change.before == OLD and change.after == NEW
    assert change.to_dict()["changed"] == ["url"]
    assert [o.comment for o in plan.orders if o.org == "region-sormland"] == [fx.COMMENTS["region-sormland"]] * 3


def test_rows_of_systems_nobody_owns_never_appear() -> None:
    plan = plan_example()
    keys = {k for c in plan.changes() for k in c.key}
    assert fx.UPPSALA not in keys and fx.TEST0008 not in keys and fx.KRONOBERG_COSMIC not in keys


def test_vg_removal_cascades_to_the_ves_below_it() -> None:
    plan = plan_example()
    routing = next(c for c in plan.cascades if c.kind == "routing")
    assert (routing.change, routing.address, routing.contract, routing.source) == ("remove", fx.KMT, GCC2, "hsa-file")
    assert routing.acknowledged and routing.needs_acknowledgement
    assert [(d.address, d.name, d.today, d.after) for d in routing.descendants] == [
        ("SE2321000032-4KMU", "Vår VC Katrineholm", fx.KMT, None),
        ("SE2321000032-4KMV", "Vår VC Katrineholm BVC", fx.KMT, None),
    ]
    auth = next(c for c in plan.cascades if c.kind == "authorization")
    assert auth.consumer == fx.E1177 and [d.address for d in auth.descendants] == [
        "SE2321000032-4KMU",
        "SE2321000032-4KMV",
    ]


def test_unacknowledged_cascade_refuses_the_plan_and_cli_ack_lets_it_through() -> None:
    b = fx.example_builder()
    b.org("region-sormland")  # no acknowledgement in the file
    desired = fx.desired_state(b)
    plan = make_plan(desired, fx.example_snapshot(), env=fx.ENV, config=fx.config(), hsa=fx.example_hsa())
    doc = document(plan)
    assert doc["status"] == "refused"
    assert [(r.guard, r.org) for r in plan.refusals] == [("cascade", "region-sormland")]
    assert plan.refusals[0].acknowledge == "--ack-cascade SE2321000032-4KMT"
    assert plan.refusals[0].message.endswith(
        "; acknowledge with --ack-cascade SE2321000032-4KMT or `acknowledge: {cascades: [SE2321000032-4KMT]}` in "
        "desired/region-sormland/NTJP-PROD.yaml"
    )
    assert plan.orders  # the full plan is still there to review
    acked = make_plan(
        desired,
        fx.example_snapshot(),
        env=fx.ENV,
        config=fx.config(),
        hsa=fx.example_hsa(),
        acks=Acknowledgements(cascades=frozenset({fx.KMT})),
    )
    assert acked.status == "changes" and acked.refusals == ()


def test_without_hsa_file_the_tree_is_the_desired_links_and_the_plan_says_so() -> None:
    # the example's desired files link no care unit to a care giver: without the HSA file nothing is seen below
    # 4KMT, so only the calls at the addresses the changes name change, and nothing is refused by a guess
    plan = plan_example(hsa=None)
    doc = document(plan)
    assert plan.cascades == ()
    assert [w.code for w in plan.warnings] == ["CASCADE_WITHOUT_HSA"]
    assert "resolved over the addresses the TAK and the desired files know" in plan.warnings[0].message
    assert plan.refusals == ()
    breaks = [(c["consumer"], c["address"]) for c in doc["impact"]["calls"] if c["kind"] == "breaks"]
    assert breaks == [(fx.COSMIC, "SE2321000032-1000"), (fx.E1177, fx.KMT)]
    assert all(c["direct"] for c in doc["impact"]["calls"])


def test_without_hsa_file_care_units_linked_in_the_desired_files_cascade() -> None:
    b = fx.example_builder()
    desired = fx.desired_state(
        b, extra_addresses=[Address("SE2321000032-4KMU", "VE: Vår VC Katrineholm", "VE", fx.KMT)]
    )
    plan = make_plan(desired, fx.example_snapshot(), env=fx.ENV, config=fx.config(), orgs=["region-sormland"])
    routing = next(c for c in plan.cascades if c.kind == "routing" and c.address == fx.KMT)
    assert routing.source == "desired-files"
    assert [(d.address, d.today, d.after) for d in routing.descendants] == [("SE2321000032-4KMU", fx.KMT, None)]
    assert routing.needs_acknowledgement and routing.acknowledged
    impact = plan.impact
    assert impact is not None
    below = [(c["consumer"], c["address"], c["after"]["outcome"]) for c in impact["calls"] if not c["direct"]]
    assert below == [(fx.E1177, "SE2321000032-4KMU", "VP004")]
    # without the file's acknowledgement the guard refuses, naming the care giver to acknowledge
    b.org("region-sormland")
    refused = make_plan(
        fx.desired_state(b, extra_addresses=[Address("SE2321000032-4KMU", "VE: Vår VC Katrineholm", "VE", fx.KMT)]),
        fx.example_snapshot(), env=fx.ENV, config=fx.config(), orgs=["region-sormland"],
    )
    assert [(r.guard, r.acknowledge) for r in refused.refusals] == [("cascade", f"--ack-cascade {fx.KMT}")]


def test_plan_for_one_organisation_shows_only_its_changes() -> None:
    plan = plan_example(orgs=["region-varmland"])
    document(plan)
    assert {o.org for o in plan.orders} == {"region-varmland"}
    assert plan.organisations == ("region-varmland",)
    assert actions(plan) == [
        ("w1-region-varmland-producer-SE162321000156-B3K", "add-logical-address", (fx.HVT,)),
        ("w1-region-varmland-producer-SE162321000156-B3K", "add-system", (fx.PROXY,)),
        ("w1-region-varmland-producer-SE162321000156-B3K", "add-routing", (fx.HVT, fx.CSU3)),
        ("w1-region-varmland-producer-SE162321000156-B3K", "add-authorization", (fx.WEBCERT, fx.HVT, fx.CSU3)),
        ("w2-region-varmland-consumer-SE162321000156-4H4F", "add-authorization", (fx.COSMIC, fx.WEBCERT_LA, fx.LCQA3)),
        (
            "w3-region-varmland-remove-authorizations-SE162321000156-4H4F",
            "remove-authorization",
            (fx.COSMIC, "SE2321000032-1000", GCC2),
        ),
    ]


def test_organisation_without_a_file_is_not_planned_and_warned() -> None:
    plan = plan_example(orgs=["nobody"])
    assert plan.orders == () and plan.status == "no-changes"
    assert [w.code for w in plan.warnings] == ["ORG_NOT_MANAGED"]


def test_unknown_environment_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown environment 'SLL-PROD'"):
        make_plan(fx.example_desired(), fx.example_snapshot(), env="SLL-PROD", config=fx.config())


def test_takeover_is_an_error_unless_listed() -> None:
    b = fx.example_builder()
    b.route("region-varmland", fx.COSMIC, fx.PR1, fx.URL_PR1, {fx.TEST0008: None})
    plan = make_plan(fx.desired_state(b), fx.example_snapshot(), env=fx.ENV, config=fx.config(), hsa=fx.example_hsa())
    document(plan)
    assert plan.status == "refused" and plan.refusals == ()
    [err] = plan.errors
    assert err.code == "TAKEOVER" and err.org == "region-varmland"
    assert err.path == "desired/region-varmland/NTJP-PROD.yaml" and err.line is not None
    assert "SE2321000065-C0SM" in err.message and "no organisation" in err.message
    assert all(fx.TEST0008 not in c.key for c in plan.changes())
    b.org("region-varmland", takeovers=frozenset({(fx.TEST0008, fx.PR1)}))
    allowed = make_plan(
        fx.desired_state(b), fx.example_snapshot(), env=fx.ENV, config=fx.config(), hsa=fx.example_hsa()
    )
    assert allowed.errors == ()
    [take] = [c for c in allowed.changes() if c.key == (fx.TEST0008, fx.PR1)]
    assert take.action == "change-routing" and take.to_dict()["changed"] == ["producer", "url"]


def test_contract_not_installed_is_an_error_or_an_add_contract_when_configured() -> None:
    missing = "urn:riv:clinicalprocess:activity:request:ProcessRequestResponder:9"
    b = fx.example_builder()
    b.route("region-varmland", fx.COSMIC, missing, fx.URL_PR1, {"SE162321000156-4CXH": None})
    desired = fx.desired_state(b)
    plan = make_plan(desired, fx.example_snapshot(), env=fx.ENV, config=fx.config(), hsa=fx.example_hsa())
    assert [e.code for e in plan.errors] == ["CONTRACT_NOT_INSTALLED"]
    cfg = fx.config(create_missing_contracts=True)
    ok = make_plan(desired, fx.example_snapshot(), env=fx.ENV, config=cfg, hsa=fx.example_hsa())
    assert ok.errors == ()
    order = next(o for o in ok.orders if o.system == fx.COSMIC and o.wave == 1)
    assert order.changes[0] == Change("add-contract", (missing,), description="ProcessRequest", major=9)


def test_authorization_without_any_routing_is_warned() -> None:
    b = fx.example_builder()
    b.authorize("region-varmland", fx.COSMIC, [fx.GCC3], ["SE2321000032-1000"])
    plan = make_plan(fx.desired_state(b), fx.example_snapshot(), env=fx.ENV, config=fx.config(), hsa=fx.example_hsa())
    [w] = plan.warnings
    assert w.code == "NO_ROUTING_FOR_AUTHORIZATION" and w.org == "region-varmland" and w.path is not None
    # an authorization through the HSA tree is fine: 4CVG resolves via its VG 4KMN for GCC2
    b2 = fx.example_builder()
    b2.authorize("region-varmland", fx.COSMIC, [GCC2], ["SE2321000032-4KMU"])
    tree_plan = make_plan(
        fx.desired_state(b2), fx.example_snapshot(), env=fx.ENV, config=fx.config(), hsa=fx.example_hsa()
    )
    # 4KMU resolved through 4KMT, which is being removed: the warning is about the state after the plan
    assert [w.code for w in tree_plan.warnings] == ["NO_ROUTING_FOR_AUTHORIZATION"]
    b3 = fx.example_builder()
    b3.authorize("region-varmland", fx.COSMIC, [GCC2], ["SE2321000032-4CVG", "*"])
    assert (
        make_plan(
            fx.desired_state(b3), fx.example_snapshot(), env=fx.ENV, config=fx.config(), hsa=fx.example_hsa()
        ).warnings
        == ()
    )


def test_hsa_lookup_disabled_for_a_contract_prefix() -> None:
    b = fx.example_builder()
    b.authorize("region-varmland", fx.COSMIC, [GCC2], ["SE2321000032-4KMV"])
    snap = fx.example_snapshot()
    cfg = fx.config(hsa_lookup_disabled=("urn:riv:clinicalprocess:logistics",))
    plan = make_plan(fx.desired_state(b), snap, env=fx.ENV, config=cfg, hsa=fx.example_hsa())
    assert plan.cascades == ()  # VP does not climb for this contract: removing 4KMT cascades to nobody
    assert [w.code for w in plan.warnings] == ["NO_ROUTING_FOR_AUTHORIZATION"]


def test_se_rows_are_warned() -> None:
    b = fx.example_builder()
    b.authorize("region-varmland", fx.COSMIC, [fx.PR1], ["SE"])
    plan = make_plan(fx.desired_state(b), fx.example_snapshot(), env=fx.ENV, config=fx.config(), hsa=fx.example_hsa())
    assert [w.code for w in plan.warnings] == ["SE_ROW"]


def test_new_address_without_a_name_is_an_error() -> None:
    b = fx.example_builder()
    b.route("region-varmland", fx.PROXY, fx.CSU3, fx.URL_CSU3, {"SE162321000156-9ZZZ": None})
    plan = make_plan(fx.desired_state(b), fx.example_snapshot(), env=fx.ENV, config=fx.config(), hsa=fx.example_hsa())
    assert [e.code for e in plan.errors] == ["ADDRESS_NAME_MISSING"]


def test_new_system_takes_its_description_from_organisation_yaml() -> None:
    snap = fx.example_snapshot()
    systems = {k: v for k, v in snap.systems.items() if k != fx.NCS}
    snap = dataclasses.replace(snap, systems=systems)
    b = fx.example_builder()
    b.authorize("region-sormland", fx.NCS, [fx.PR1], ["*"])
    plan = make_plan(fx.desired_state(b), snap, env=fx.ENV, config=fx.config(), hsa=fx.example_hsa())
    order = next(o for o in plan.orders if o.system == fx.NCS)
    assert order.changes[0] == Change("add-system", (fx.NCS,), description="Landstinget Sörmland -- NCS Cross -- 1.0")


def test_renames_and_description_changes_are_manual_steps() -> None:
    snap = fx.example_snapshot()
    las = dict(snap.logical_addresses)
    las["SE2321000032-4KML"] = "VG: Sörmland - Achima Care"
    systems = dict(snap.systems)
    systems[fx.PROXY] = "Region Värmland -- Proxy"
    snap = dataclasses.replace(snap, logical_addresses=las, systems=systems)
    plan = plan_example_on(snap)
    steps = [(m.kind, m.hsa_id, m.org, m.current, m.desired) for m in plan.manual_steps]
    assert (
        "rename-logical-address",
        "SE2321000032-4KML",
        "region-sormland",
        "VG: Sörmland - Achima Care",
        "VG: Sörmland - Achima Care AB",
    ) in steps
    assert (
        "change-system-description",
        fx.PROXY,
        "region-varmland",
        "Region Värmland -- Proxy",
        "Landstinget i Värmland -- Proxy",
    ) in steps


def plan_example_on(snapshot: Snapshot, **kw: object):  # type: ignore[no-untyped-def]
    return make_plan(fx.example_desired(), snapshot, env=fx.ENV, config=fx.config(), hsa=fx.example_hsa(), **kw)  # type: ignore[arg-type]


def test_removal_guard_refuses_over_the_share_unless_acknowledged_exactly() -> None:
    b = fx.example_builder()
    b.routings = {k: v for k, v in b.routings.items() if b.routing_orgs[k] != "region-sormland"}
    b.routing_orgs = {k: o for k, o in b.routing_orgs.items() if o != "region-sormland"}
    b.grants = [g for g in b.grants if g.org != "region-sormland"]
    b.auth_orgs = {k: o for k, o in b.auth_orgs.items() if o != {"region-sormland"}}
    desired = fx.desired_state(b)
    plan = make_plan(desired, fx.example_snapshot(), env=fx.ENV, config=fx.config(), hsa=fx.example_hsa())
    assert [(r.guard, r.org, r.message) for r in plan.refusals if r.guard == "removals"] == [
        (
            "removals",
            "inera",
            "10 removals for 'inera' in NTJP-PROD (83% of its 12 current rows, more than 30%); acknowledge with "
            "--ack-removals inera=10 or `acknowledge: {removals: 10}` in desired/inera/NTJP-PROD.yaml",
        ),
        (
            "removals",
            "region-sormland",
            "11 removals for 'region-sormland' in NTJP-PROD (100% of its 11 current rows, more than 30%); acknowledge "
            "with --ack-removals region-sormland=11 or `acknowledge: {removals: 11}` in "
            "desired/region-sormland/NTJP-PROD.yaml",
        ),
    ]
    assert plan.refusals[-1].acknowledge == "--ack-removals region-sormland=11"
    cascades = frozenset({fx.KMT, "SE2321000032-4KMN"})
    wrong = make_plan(
        desired,
        fx.example_snapshot(),
        env=fx.ENV,
        config=fx.config(),
        hsa=fx.example_hsa(),
        acks=Acknowledgements(removals={"region-sormland": 10, "inera": 10}, cascades=cascades),
    )
    assert [r.org for r in wrong.refusals] == ["region-sormland"]
    assert "acknowledged 10, which is not the exact count" in wrong.refusals[0].message
    right = make_plan(
        desired,
        fx.example_snapshot(),
        env=fx.ENV,
        config=fx.config(),
        hsa=fx.example_hsa(),
        acks=Acknowledgements(removals={"region-sormland": 11, "inera": 10}, cascades=cascades),
    )
    assert right.refusals == () and right.status == "changes"


def test_empty_snapshot_never_turns_into_a_plan_unless_allowed() -> None:
    empty = Snapshot.empty("NTJP", "PROD")
    plan = make_plan(fx.example_desired(), empty, env=fx.ENV, config=fx.config(), hsa=fx.example_hsa())
    assert "empty-snapshot" in {r.guard for r in plan.refusals}
    allowed = make_plan(
        fx.example_desired(),
        empty,
        env=fx.ENV,
        config=fx.config(),
        hsa=fx.example_hsa(),
        acks=Acknowledgements(allow_empty_snapshot=True),
    )
    assert "empty-snapshot" not in {r.guard for r in allowed.refusals}


def test_pending_lines_are_held_back_and_contradictions_warned() -> None:
    pending = [
        PendingOrder(
            "20250120-region-varmland-1",
            fx.ENV,
            "submitted",
            "2025-01-20T10:00:00+0100",
            "TSK-1",
            (
                PendingLine("inkludera", "vagval", (fx.HVT, fx.CSU3), (fx.PROXY, fx.URL_CSU3, fx.P21)),
                PendingLine("inkludera", "anropsbehorighet", (fx.WEBCERT, fx.HVT, fx.CSU3)),
            ),
        ),
        PendingOrder(
            "20250120-region-sormland-1",
            fx.ENV,
            "unknown",
            None,
            None,
            (
                PendingLine(
                    "inkludera", "vagval", ("SE2321000032-4KML", GCC2), (fx.TP_SORM, "https://x.se/old", fx.P21)
                ),
            ),
        ),
        PendingOrder("other-env", "NTJP-QA", "submitted", None, None, ()),
    ]
    plan = plan_example(pending=pending)
    document(plan)
    held = {p.order_id: [(c.action, c.key) for c in p.held] for p in plan.pending}
    assert held == {
        "20250120-region-sormland-1": [],
        "20250120-region-varmland-1": [
            ("add-routing", (fx.HVT, fx.CSU3)),
            ("add-authorization", (fx.WEBCERT, fx.HVT, fx.CSU3)),
        ],
    }
    assert all(c.key != (fx.HVT, fx.CSU3) for c in plan.changes())
    assert [w.code for w in plan.warnings] == ["PENDING_SUPERSEDED"]
    assert "SE2321000032-4KML" in plan.warnings[0].message


def test_plan_document_round_trips_and_detects_tampering() -> None:
    plan = plan_example()
    doc = document(plan)
    again = read_plan_document(doc)
    assert again.to_document() == doc
    doc["orders"][0]["changes"][0]["description"] = "changed"
    with pytest.raises(TamperedPlanError):
        read_plan_document(doc)
    with pytest.raises(PlanFileError, match="not supported"):
        read_plan_document({**doc, "format_version": "2.0"}, check=False)
    newer = {**plan.to_document(), "format_version": "1.3", "future": {"x": 1}}
    newer.pop("checksum")
    from tak_gitops.core.plan import compute_checksum

    newer["checksum"] = compute_checksum(newer)
    assert read_plan_document(newer).to_document()["future"] == {"x": 1}


def test_same_inputs_give_identical_bytes() -> None:
    from tak_gitops.core.canonical import canonical_json

    assert canonical_json(plan_example().to_document()) == canonical_json(plan_example().to_document())


def test_a_grant_goes_in_the_producer_order_unless_the_consumers_organisation_wants_it_itself() -> None:
    """README, "Which order carries a grant's authorization": Region Värmland's grant for Inera's Webcert and Region
    Sörmland's for Inera's 1177 e-tjänster go in the granting producers' wave-1 orders; Inera's grant for its own
    consumer B31 goes in B31's wave-2 consumer order. In a plan for Region Värmland alone the same holds for its
    grant, and in one for Inera alone B31's authorization stays in B31's order."""

    def auth_orders(plan) -> dict[tuple[str, str, str], str]:  # type: ignore[no-untyped-def]
        return {c.key: o.id for o in plan.orders for c in o.changes if c.action == "add-authorization"}

    full = auth_orders(plan_example())
    assert full[(fx.WEBCERT, fx.HVT, fx.CSU3)] == "w1-region-varmland-producer-SE162321000156-B3K"
    assert full[(fx.E1177, fx.CVG, GCC2)] == "w1-region-sormland-producer-SE162321000032-00D1"
    assert full[(fx.INTYG, fx.HVT, fx.SMC2)] == "w2-inera-consumer-SE5565594230-B31"
    varmland = auth_orders(plan_example(orgs=["region-varmland"]))
    assert varmland[(fx.WEBCERT, fx.HVT, fx.CSU3)] == "w1-region-varmland-producer-SE162321000156-B3K"
    inera = auth_orders(plan_example(orgs=["inera"]))
    assert inera[(fx.INTYG, fx.HVT, fx.SMC2)] == "w2-inera-consumer-SE5565594230-B31"

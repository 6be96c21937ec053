"""Security: an organisation's folder cannot change, remove or take over what another organisation owns."""

from __future__ import annotations

from tak_gitops.core.plan import make_plan
from tests.planner import fixtures as fx
from tests.planner.helpers import document


def _plan(b: fx.Builder, orgs: list[str] | None = None):  # type: ignore[no-untyped-def]
    return make_plan(
        fx.desired_state(b), fx.example_snapshot(), env=fx.ENV, config=fx.config(), hsa=fx.example_hsa(), orgs=orgs
    )


def _keys(plan) -> set[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    return {c.key for c in plan.changes()}


def test_routing_that_names_another_organisations_producer_is_refused() -> None:
    b = fx.example_builder()
    # Region Värmland's file routes an address to Inera's Webcert
    b.route("region-varmland", fx.WEBCERT, fx.CSU3, "https://evil.example.se/x", {"SE162321000156-4CXH": None})
    plan = _plan(b, ["region-varmland"])
    doc = document(plan)
    assert doc["status"] == "refused"
    [err] = plan.errors
    assert err.code == "FOREIGN_SYSTEM" and err.org == "region-varmland"
    assert err.path == "desired/region-varmland/NTJP-PROD.yaml" and err.line and err.col
    assert "owned by organisation 'inera', not by 'region-varmland'" in err.message
    assert ("SE162321000156-4CXH", fx.CSU3) not in _keys(plan)
    assert all(o.org == "region-varmland" for o in plan.orders)


def test_authorization_for_another_organisations_consumer_is_refused() -> None:
    b = fx.example_builder()
    b.authorize("region-varmland", fx.E1177, [fx.PR1], ["*"])
    plan = _plan(b)
    [err] = plan.errors
    assert err.code == "FOREIGN_SYSTEM" and "consumer SE2321000016-92V4" in err.message
    assert (fx.E1177, "*", fx.PR1) not in _keys(plan)


def test_grant_on_another_organisations_addresses_cannot_remove_their_authorizations() -> None:
    b = fx.example_builder()
    # Värmland claims to manage the GetCareContacts grants on Sörmland's care givers through its own producer
    b.grant("region-varmland", fx.COSMIC, fx.GCC2, [fx.COSMIC], addresses=sorted(fx.CARE_GIVERS), manage=True)
    plan = _plan(b, ["region-varmland"])
    assert {e.code for e in plan.errors} == {"GRANT_FOREIGN_ADDRESS"}
    assert len(plan.errors) == len(fx.CARE_GIVERS)
    # no 1177 authorization on Sörmland's addresses is removed; Cosmic may still ask for its own access
    assert not any(c.key[0] == fx.E1177 for c in plan.changes())
    assert {c.key[0] for c in plan.changes() if c.key[-1] == fx.GCC2} == {fx.COSMIC}
    assert not any(c.action == "remove-authorization" and c.key[0] != fx.COSMIC for c in plan.changes())


def test_grant_through_another_organisations_producer_is_refused() -> None:
    b = fx.example_builder()
    b.grant("region-varmland", fx.TP_SORM, fx.GCC2, [fx.COSMIC], manage=True)
    plan = _plan(b, ["region-varmland"])
    assert [e.code for e in plan.errors] == ["FOREIGN_SYSTEM"]
    assert "grant names producer SE162321000032-00D1" in plan.errors[0].message
    assert not any(c.key[0] == fx.E1177 for c in plan.changes())


def test_taking_over_another_organisations_routing_is_refused() -> None:
    b = fx.example_builder()
    b.route("region-varmland", fx.COSMIC, fx.GCC2, "https://cosmic.liv.sjunet.org/gcc/2", {"SE2321000032-4KML": None})
    plan = _plan(b, ["region-varmland"])
    [err] = [e for e in plan.errors]
    assert err.code == "TAKEOVER" and "owned by organisation 'region-sormland'" in err.message
    assert ("SE2321000032-4KML", fx.GCC2) not in _keys(plan)


def test_leaving_out_another_organisations_rows_removes_nothing_of_theirs() -> None:
    # Sörmland has no file in this environment: its rows are not managed, whatever the others say
    b = fx.example_builder()
    del b.orgs["region-sormland"]
    plan = _plan(b)
    assert plan.errors == ()
    assert not any(o.org == "region-sormland" for o in plan.orders)
    assert not any(c.is_removal and c.key[-1] == fx.GCC2 and fx.TP_SORM in (c.before or ()) for c in plan.changes())

"""The load cache's entry format: every field of a state comes back as it went in, and a focused decode is the
restricted state. A field the format forgets would make a warm plan differ from a cold one (as the
feasibility-study tickets once did), so the round trip sets every field of every record to a value that is not
its default, and fails when a record gains a field this test does not set."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from tak_gitops.adapters.desired_loader import load_desired
from tak_gitops.adapters.load_cache_codec import Focus, pack, unpack
from tak_gitops.core.desired import (
    Address,
    Contact,
    DesiredState,
    EnvironmentState,
    Grant,
    Location,
    Organisation,
    OrgEnvironment,
    System,
)
from tak_gitops.core.relevance import restrict, selection_for
from tak_gitops.core.snapshot import Snapshot
from tests.conftest import copy_example_repo

ENV = "NTJP-PROD"
NS = "urn:riv:clinicalprocess:healthcond:description:GetCareDocumentationResponder:2"
NS2 = "urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1"

ORG_ENV = {
    "org": "region-varmland",
    "env": ENV,
    "path": "desired/region-varmland/NTJP-PROD.yaml",
    "comment": "Anslutning av Cosmic",
    "change_date": dt.date(2026, 12, 1),
    "acknowledged_cascades": frozenset({"SE2321000164-7381037590003"}),
    "acknowledged_removals": 12,
    "takeovers": frozenset({("SE2321000164-1002", NS)}),
    "forstudie": "TSK-13000",
    "forstudie_routings": {("SE2321000164-7381037590003", NS): "TSK-13001"},
    "forstudie_authorizations": {("SE2321000164-1004", "SE2321000164-1002"): "TSK-13002"},
}


def _state() -> DesiredState:
    routing = ("SE2321000164-1002", NS)
    other_routing = ("SE2321000164-1003", NS2)
    auth = ("SE2321000164-1004", "SE2321000164-1002", NS)
    auth2 = ("SE2321000164-1005", "SE2321000164-1003", NS2)
    where = Location("desired/region-varmland/NTJP-PROD.yaml", 12, 9)
    env = EnvironmentState(
        env=ENV,
        routings={
            routing: ("SE2321000164-7381037590003", "https://tph2.liv.sjunet.org/vp", "RIVTABP21"),
            other_routing: ("SE2321000164-7381037590003", "https://tph2.liv.sjunet.org/vp2", "RIVTABP21"),
        },
        routing_orgs={routing: "region-varmland", ("SE2321000164-9999", NS): "region-varmland"},  # one without a row
        authorization_orgs={auth: frozenset({"region-varmland"}), auth2: frozenset({"region-varmland", "inera"})},
        grants=(
            Grant(
                "region-varmland",
                "SE2321000164-7381037590003",
                NS,
                frozenset({"SE2321000164-1005"}),
                frozenset({"SE2321000164-1002"}),
                manage=True,
                location=Location("desired/region-varmland/NTJP-PROD.yaml", 40, 5),
            ),
        ),
        orgs={"region-varmland": OrgEnvironment(**ORG_ENV)},  # type: ignore[arg-type]
        locations={routing: where, auth: Location(where.path, 20, 11), ("grant", "x"): Location(where.path, 1, 1)},
    )
    contact = Contact("Förvaltning Cosmic", "cosmic@regionvarmland.se", "+46 54 61 50 00")
    return DesiredState(
        organisations={"region-varmland": Organisation("region-varmland", "Region Värmland", "232100-0156", "Cosmic")},
        owners={"SE2321000164-7381037590003": "region-varmland", "SE2321000164-1004": "region-varmland"},
        systems={
            "SE2321000164-7381037590003": System(
                "SE2321000164-7381037590003",
                "Cosmic",
                "region-varmland",
                "Journalsystem",
                frozenset({ENV}),
                contact,
                Contact(email="tekniker@regionvarmland.se"),
                Contact(phone="+46 54 61 50 01"),
            )
        },
        addresses={
            "SE2321000164-1002": Address("SE2321000164-1002", "VE: Vårdcentral Kronoparken", "VE", "SE2321000164-1000"),
            "SE2321000164-1003": Address("SE2321000164-1003"),
        },
        environments={ENV: env, "NTJP-QA": EnvironmentState("NTJP-QA", {}, {}, {})},
        file_digests={ENV: "sha256:" + "1" * 64},
    )


def test_every_field_of_every_record_comes_back() -> None:
    for record, set_here in (
        (OrgEnvironment, ORG_ENV),
        (Address, {"hsa_id", "name", "kind", "vg"}),
        (System, {"hsa_id", "name", "org", "description", "environments", "main_responsible", "technical_contact",
                  "support"}),
        (Organisation, {"key", "name", "number", "team"}),
        (Grant, {"org", "producer", "contract", "consumers", "addresses", "manage", "location"}),
        (EnvironmentState, {"env", "routings", "routing_orgs", "authorization_orgs", "grants", "orgs", "locations"}),
        (DesiredState, {"organisations", "owners", "systems", "addresses", "environments", "file_digests"}),
    ):  # fmt: skip
        assert {f.name for f in dataclasses.fields(record)} == set(set_here), f"{record.__name__} has a new field"
    assert all(v != f.default for f in dataclasses.fields(OrgEnvironment) if (v := ORG_ENV[f.name]) is not None)
    state = _state()
    doc, back = unpack(pack({"format": "f", "key": "k"}, state))
    assert doc == {"format": "f", "key": "k", "state": doc["state"]}
    assert back == state
    for env in state.environments:
        assert dict(back.environments[env].locations) == dict(state.environments[env].locations)


def test_a_string_with_a_nul_keeps_the_table_in_the_header() -> None:
    state = _state()
    odd = dataclasses.replace(state, addresses={**state.addresses, "SE1": Address("SE1", "a\0b")})
    raw = pack({}, odd)
    assert b'"strings":[' in raw
    assert unpack(raw)[1] == odd


def test_a_focused_decode_is_the_restricted_state() -> None:
    state = _state()
    snapshot = Snapshot.empty("NTJP", "PROD")
    for planning in ({"region-varmland"}, {"inera"}, set()):
        _doc, focused = unpack(pack({}, state), Focus(ENV, frozenset(planning), snapshot))
        kept = restrict(state.environments[ENV], selection_for(state, ENV, planning, snapshot))
        got = focused.environments[ENV]
        assert (got.routings, got.routing_orgs, got.authorization_orgs, got.grants, got.orgs) == (
            kept.routings,
            kept.routing_orgs,
            kept.authorization_orgs,
            kept.grants,
            kept.orgs,
        )
        assert focused.environments["NTJP-QA"] == state.environments["NTJP-QA"]


def test_a_warm_load_keeps_the_feasibility_study_tickets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TAK_GITOPS_NO_CACHE", raising=False)
    copy_example_repo(tmp_path)
    prod = tmp_path / "desired" / "region-varmland" / "NTJP-PROD.yaml"
    prod.write_text("forstudie: TSK-13000\n" + prod.read_text(encoding="utf-8"), encoding="utf-8")
    cold = load_desired(tmp_path, cwd=tmp_path)
    warm = load_desired(tmp_path, cwd=tmp_path)
    assert cold.state.environments[ENV].orgs["region-varmland"].forstudie == "TSK-13000"
    assert warm == cold

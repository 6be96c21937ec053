"""'*' (standardbehörighet) is created by the order that first needs it when the snapshot does not list it.

'*' is a logical address row in TAK like any other: TAK-web refuses an authorization or routing on it when the TAK
lacks the row ("Skapa Anropsbehörighet: Logisk Adress med HSAId = * finns inte.", skltp/tak
``BestallningsDataValidator.validateRelatedObjects``). The TAK-api lists only the addresses rows use, so a snapshot
without '*' may come from a TAK that has it; then TAK-web drops it from the order
(``BestallningService.deleteFromBestallningAllExistingIncludedPlainObjects``), so including it is safe both ways.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

from tak_gitops.core.orders import build_orders
from tak_gitops.core.plan import make_plan
from tak_gitops.core.snapshot import Snapshot
from tak_gitops.sim.clock import DEFAULT_ZONE
from tak_gitops.sim.db import Database
from tak_gitops.sim.execute import execute
from tak_gitops.sim.report import render
from tak_gitops.sim.seed import seed_from_snapshot

from .worlds import CONTRACTS, ENV, config, desired_state, snapshot_of

NOW = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)


def _without_wildcard(snapshot: Snapshot) -> Snapshot:
    return replace(snapshot, logical_addresses={k: v for k, v in snapshot.logical_addresses.items() if k != "*"})


def test_an_authorization_on_the_wildcard_creates_it_when_the_snapshot_lacks_it() -> None:
    base = snapshot_of({("SE-LA3", CONTRACTS[1]): ("SE-X9", "https://b.example.se/2", "RIVTABP21")}, frozenset())
    snapshot = _without_wildcard(base)
    desired = desired_state({}, {}, {("SE-A2", "*", CONTRACTS[0]): {"org-a"}}, [], frozenset({"org-a"}))
    cfg = config()
    doc = make_plan(desired, snapshot, env=ENV, config=cfg).to_document()
    assert doc["status"] == "changes", doc
    assert [(o["id"], c) for o in doc["orders"] for c in o["changes"]] == [
        (
            "w2-org-a-consumer-SE-A2",
            {"action": "add-logical-address", "hsa_id": "*", "description": "Standardbehörighet"},
        ),
        (
            "w2-org-a-consumer-SE-A2",
            {"action": "add-authorization", "consumer": "SE-A2", "address": "*", "contract": CONTRACTS[0]},
        ),
    ]
    built = build_orders(doc, cfg.orders, cfg.environments[ENV], now=NOW)
    assert [o.document["inkludera"]["logiskadresser"] for o in built] == [
        [{"hsaId": "*", "beskrivning": "Standardbehörighet"}]
    ]
    assert [o.document["inkludera"]["anropsbehorigheter"] for o in built] == [
        [{"logiskAdress": "*", "tjanstekonsument": "SE-A2", "tjanstekontrakt": CONTRACTS[0]}]
    ]
    # TAK-web (the reference TAK) executes it on a TAK without '*', and on one that has '*' already
    text = json.dumps(built[0].document, ensure_ascii=False)
    plattform = built[0].document["plattform"]
    for seeded in (snapshot, base):
        db = Database(":memory:")
        seed_from_snapshot(db, seeded, moment=NOW)
        outcome = execute(db, text, user="admin", platform=plattform, zone=DEFAULT_ZONE, now=NOW)
        assert outcome.ok, render(outcome)
        created = "Nyskapad: *\n" in render(outcome)
        assert created is (seeded is snapshot)


def test_a_snapshot_with_the_wildcard_creates_nothing() -> None:
    base = snapshot_of({("SE-LA3", CONTRACTS[1]): ("SE-X9", "https://b.example.se/2", "RIVTABP21")}, frozenset())
    assert "*" in base.logical_addresses
    desired = desired_state({}, {}, {("SE-A2", "*", CONTRACTS[0]): {"org-a"}}, [], frozenset({"org-a"}))
    doc = make_plan(desired, base, env=ENV, config=config()).to_document()
    assert [c["action"] for o in doc["orders"] for c in o["changes"]] == ["add-authorization"]


"""'*' (Standardbehörighet) is never a new logical address, even when the TAK-api snapshot does not list it.

The TAK-api lists only the logical addresses used at the connection point, so a TAK without any row on '*'
gives a snapshot without '*'. An authorization on '*' must not make the plan create it: the order builder
(rightly) refuses '*' as the HSA-id of a new logical address, and TAK-web has it already.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from tak_gitops.core.orders import build_orders
from tak_gitops.core.plan import make_plan

from .worlds import CONTRACTS, ENV, config, desired_state, snapshot_of


def test_an_authorization_on_the_wildcard_does_not_create_it() -> None:
    base = snapshot_of({("SE-LA3", CONTRACTS[1]): ("SE-X9", "https://b.example.se/2", "RIVTABP21")}, frozenset())
    snapshot = replace(base, logical_addresses={k: v for k, v in base.logical_addresses.items() if k != "*"})
    desired = desired_state({}, {}, {("SE-A2", "*", CONTRACTS[0]): {"org-a"}}, [], frozenset({"org-a"}))
    cfg = config()
    doc = make_plan(desired, snapshot, env=ENV, config=cfg).to_document()
    assert doc["status"] == "changes", doc
    assert [(o["id"], c) for o in doc["orders"] for c in o["changes"]] == [
        (
            "w2-org-a-consumer-SE-A2",
            {"action": "add-authorization", "consumer": "SE-A2", "address": "*", "contract": CONTRACTS[0]},
        )
    ]
    built = build_orders(doc, cfg.orders, cfg.environments[ENV], now=dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC))
    assert [o.document["inkludera"]["logiskadresser"] for o in built] == [[]]
    assert [o.document["inkludera"]["anropsbehorigheter"] for o in built] == [
        [{"logiskAdress": "*", "tjanstekonsument": "SE-A2", "tjanstekontrakt": CONTRACTS[0]}]
    ]

"""The order builder: golden BS JSON documents for every seed scenario, the schema, and the §7 rules."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from apply_plans import (
    B3K,
    CSU3,
    CSU3_URL,
    GCC2,
    GCC_NEW,
    HVT,
    SCENARIOS,
    SMI_COMMENT,
    add_routing,
    grant,
    order,
    plan,
)
from hypothesis import given
from hypothesis import strategies as st

from tak_gitops.core.config import EnvironmentConfig, OrderConfig, Person, TakApiTarget
from tak_gitops.core.orders import (
    KOMMENTAR_MAX,
    BuiltOrder,
    OrderMeta,
    build_kommentar,
    build_orders,
    document_lines,
    format_timestamp,
)
from tak_gitops.errors import PlanFileError

GOLDEN = Path(__file__).parent / "golden"
SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "schemas" / "order.schema.json").read_text("utf-8"))
STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = dt.datetime(2025, 12, 1, 9, 15, 42, 123456, tzinfo=STOCKHOLM)
ORDER_CONFIG = OrderConfig(
    utforare="Region Värmland - tak-gitops",
    orderer=Person(name="Daniel Eklund", email="daniel.eklund@liv.se", phone="+4654619135"),
)
META = OrderMeta(pr_url="https://github.com/example/tak-desired/pull/42", commit="9f03834c3a41376b2c0f")
ENV = EnvironmentConfig(plattform="NTJP-PROD", tak_api=TakApiTarget(platform="NTJP", environment="PROD"))


def build(orders: list[dict[str, Any]], now: dt.datetime = NOW) -> list[BuiltOrder]:
    return build_orders(plan(orders), ORDER_CONFIG, ENV, now=now, meta=META)


def rendered(built: list[BuiltOrder]) -> str:
    body = [
        {"order_id": b.order_id, "idempotency_key": b.idempotency_key, "wave": b.wave, "document": b.document}
        for b in built
    ]
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_golden_orders(scenario: str) -> None:
    text = rendered(build(SCENARIOS[scenario]))
    path = GOLDEN / f"{scenario}.json"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_order_validates_against_the_schema(scenario: str) -> None:
    built = build(SCENARIOS[scenario])
    assert built
    for b in built:
        jsonschema.validate(b.document, SCHEMA)
        assert set(b.document) == {
            "plattform",
            "formatVersion",
            "version",
            "bestallningsTidpunkt",
            "genomforandeTidpunkt",
            "utforare",
            "kommentar",
            "inkludera",
            "exkludera",
        }


def test_schema_refuses_what_tak_web_refuses() -> None:
    doc = build(SCENARIOS["intygstjanster-smi"])[0].document
    for bad in (
        {**doc, "$schema": "x"},
        {**doc, "genomforandeTidpunkt": "2025-12-08"},
        {**doc, "genomforandeTidpunkt": "2025-12-08T12:00:00+01:00"},
        {**doc, "genomforandeTidpunkt": "2025-12-08T12:00:00Z"},
        {
            **doc,
            "inkludera": {
                **doc["inkludera"],
                "tjanstekontrakt": [{"namnrymd": CSU3, "beskrivning": "x", "majorVersion": 3, "minorVersion": 0}],
            },
        },
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, SCHEMA)


def test_waves_become_separate_orders_in_order() -> None:
    built = build(SCENARIOS["ntjp-prod-example"])
    assert [(b.wave, b.plan_order_id) for b in built] == [
        (1, "w1-inera-producer-SE5565594230-B8N"),
        (1, "w1-region-sormland-producer-SE162321000032-00D1"),
        (1, "w1-region-varmland-producer-SE162321000156-B3K"),
        (2, "w2-region-varmland-consumer-SE162321000156-4H4F"),
        (3, "w3-region-sormland-producer-SE162321000032-00D1"),
        (4, "w4-region-sormland-producer-SE162321000032-00D1"),
    ]
    assert all(b.document["plattform"] == "NTJP-PROD" for b in built)


def test_new_address_is_listed_in_every_order_that_refers_to_it() -> None:
    inera, varmland = build(SCENARIOS["intygstjanster-smi"])
    for b in (inera, varmland):
        assert b.document["inkludera"]["logiskadresser"] == [{"hsaId": HVT, "beskrivning": "Tolkcentralen Värmland"}]


def test_url_change_is_one_inkludera_vagval_and_nothing_in_exkludera() -> None:
    (built,) = build(SCENARIOS["getcarecontacts-url-change"])
    vagval = built.document["inkludera"]["vagval"]
    assert len(vagval) == 10
    assert {v["adress"] for v in vagval} == {GCC_NEW}
    assert all(not items for items in built.document["exkludera"].values())


def test_timestamps_and_dates() -> None:
    (built,) = build(SCENARIOS["consumer-authorization"])
    assert built.document["bestallningsTidpunkt"] == "2025-12-01T09:15:42+0100"
    assert built.document["genomforandeTidpunkt"] == "2025-12-08T12:00:00+0100"
    summer = dt.datetime(2026, 6, 1, 23, 30, tzinfo=dt.UTC)
    (late,) = build(SCENARIOS["consumer-authorization"], now=summer)
    # the change date has passed: the order starts today, in Stockholm time (already 2 June there)
    assert late.document["genomforandeTidpunkt"] == "2026-06-02T12:00:00+0200"
    assert late.document["bestallningsTidpunkt"] == "2026-06-02T01:30:00+0200"
    with pytest.raises(ValueError):
        format_timestamp(dt.datetime(2025, 1, 1))


def test_key_ignores_time_and_comment_but_not_target() -> None:
    a = build(SCENARIOS["intygstjanster-smi"])
    b = build(SCENARIOS["intygstjanster-smi"], now=NOW + dt.timedelta(days=3))
    assert [x.idempotency_key for x in a] == [x.idempotency_key for x in b]
    assert [x.document for x in a] != [x.document for x in b]
    qa = EnvironmentConfig(plattform="NTJP-QA", tak_api=TakApiTarget(platform="NTJP", environment="QA"))
    c = build_orders(plan(SCENARIOS["intygstjanster-smi"], env="NTJP-QA"), ORDER_CONFIG, qa, now=NOW, meta=META)
    assert not {x.idempotency_key for x in a} & {x.idempotency_key for x in c}


def test_upper_cases_hsa_ids() -> None:
    lower = [
        order(
            1,
            "region-varmland",
            "producer",
            B3K,
            SMI_COMMENT,
            [add_routing(HVT.lower(), CSU3, B3K.lower(), CSU3_URL), grant("se5565594230-b8n", HVT, CSU3)],
            None,
        )
    ]
    (built,) = build(lower)
    (upper,) = build(SCENARIOS["intygstjanster-smi"][1:])
    assert built.document["inkludera"]["vagval"] == upper.document["inkludera"]["vagval"]
    assert built.document["inkludera"]["anropsbehorigheter"][0]["tjanstekonsument"] == "SE5565594230-B8N"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            [
                add_routing(HVT, CSU3, B3K, CSU3_URL),
                {
                    "action": "remove-routing",
                    "address": HVT.lower(),
                    "contract": CSU3,
                    "before": {"producer": B3K, "url": CSU3_URL, "profile": "RIVTABP21"},
                },
            ],
            "in both inkludera and exkludera",
        ),
        ([grant(B3K, HVT, CSU3), grant(B3K.lower(), HVT, CSU3)], "twice in inkludera"),
        ([add_routing(HVT, CSU3, B3K, "https://host/path?a=b")], "refused by TAK-web"),
        ([add_routing(HVT, CSU3, B3K, "http")], "refused by TAK-web"),
        ([add_routing("SE 1", CSU3, B3K, CSU3_URL)], "not a valid HSA-id"),
        ([add_routing(HVT, "urn riv", B3K, CSU3_URL)], "characters TAK does not allow"),
        ([{"action": "rename-logical-address", "hsa_id": HVT}], "unknown change action"),
    ],
)
def test_rule_violations_raise(changes: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(PlanFileError, match=message):
        build([order(1, "region-varmland", "producer", B3K, SMI_COMMENT, changes, None)])


def test_plattform_mismatch_raises() -> None:
    qa = EnvironmentConfig(plattform="NTJP-QA", tak_api=TakApiTarget(platform="NTJP", environment="QA"))
    with pytest.raises(PlanFileError, match="plattform"):
        build_orders(plan(SCENARIOS["consumer-authorization"]), ORDER_CONFIG, qa, now=NOW)


def test_kommentar_keeps_trace_and_fits() -> None:
    text = build_kommentar("Förstudie\nTSK-12518:  lång " + "x" * 400, META, ORDER_CONFIG, "0123456789")
    assert len(text) == KOMMENTAR_MAX
    assert "\n" not in text
    assert text.startswith("Förstudie TSK-12518: lång xxx")
    assert text.endswith(
        "xx… | PR https://github.com/example/tak-desired/pull/42 | commit 9f03834c3a41 | beställare Daniel Eklund, "
        "daniel.eklund@liv.se, +4654619135 | tak-gitops 0123456789"
    )
    assert build_kommentar(None, OrderMeta(), OrderConfig(), "abcdef0123") == "tak-gitops abcdef0123"


@given(st.text(max_size=600))
def test_kommentar_property(comment: str) -> None:
    text = build_kommentar(comment, META, ORDER_CONFIG, "0123456789")
    assert len(text) <= KOMMENTAR_MAX
    assert "\n" not in text and "\r" not in text
    assert text == text.strip()
    assert text.endswith("tak-gitops 0123456789")


def test_document_lines() -> None:
    built = build(SCENARIOS["remove-logical-addressee"])
    assert document_lines(built[0].document) == [
        ("exkludera", "anropsbehorighet", ("SE162321000156-4H4F", "SE2321000032-1000", GCC2), None),
        ("exkludera", "anropsbehorighet", ("SE2321000016-92V4", "SE2321000032-4KMT", GCC2), None),
    ]
    assert [line[2] for line in document_lines(built[1].document)] == [
        ("SE162321000032-000N", GCC2),
        ("SE2321000032-4KMT", GCC2),
    ]


@given(st.randoms(use_true_random=False))
def test_change_order_does_not_matter(rnd: Any) -> None:
    orders = [dict(o, changes=list(o["changes"])) for o in SCENARIOS["ntjp-prod-example"]]
    reference = build(orders)
    for o in orders:
        rnd.shuffle(o["changes"])
    rnd.shuffle(orders)
    shuffled = build(orders)
    assert [(b.order_id, b.idempotency_key, b.document) for b in shuffled] == [
        (b.order_id, b.idempotency_key, b.document) for b in reference
    ]

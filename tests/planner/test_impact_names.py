"""The impact block names systems and addresses as the rest of the plan does (the plan's ``names`` section)."""

from __future__ import annotations

from tak_gitops.adapters.render_impact import named_impact

CALL = {
    "consumer": "SE162321000156-4H4F",
    "consumer_name": "Landstinget i Värmland -- Cosmic",
    "contract": "urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2",
    "address": "SE2321000032-1000",
    "address_name": "Sörmlands landsting",
    "kind": "breaks",
    "direct": True,
    "before": {"outcome": "works", "producer": "SE162321000032-00D1", "url": "https://tp.example/x",
               "profile": "RIVTABP21"},
    "after": {"outcome": "VP007"},
    "because": [{"action": "remove-authorization", "key": [], "address": "SE2321000032-1000",
                 "address_name": "Sörmlands landsting"}],
}


def test_the_plans_names_replace_the_tak_descriptions() -> None:
    doc = {
        "impact": {"considered": 1, "counts": {}, "calls": [CALL]},
        "names": {"systems": {"SE162321000156-4H4F": "Cosmic"},
                  "addresses": {"SE2321000032-1000": "VG: Sörmlands landsting"}},
    }
    [call] = named_impact(doc)["calls"]
    assert (call["consumer_name"], call["address_name"], call["because"][0]["address_name"]) == (
        "Cosmic", "VG: Sörmlands landsting", "VG: Sörmlands landsting")
    assert CALL["consumer_name"] == "Landstinget i Värmland -- Cosmic"  # the plan document itself is not changed


def test_ids_the_names_section_lacks_keep_the_impacts_own_names() -> None:
    doc = {"impact": {"considered": 1, "counts": {}, "calls": [CALL]}, "names": {"systems": {}, "addresses": {}}}
    assert named_impact(doc)["calls"] == [CALL]
    doc = {"impact": {"considered": 1, "counts": {}, "calls": [CALL]},
           "names": {"systems": {"OTHER": "x"}, "addresses": {}}}
    [call] = named_impact(doc)["calls"]
    assert (call["consumer_name"], call["address_name"]) == ("Landstinget i Värmland -- Cosmic", "Sörmlands landsting")

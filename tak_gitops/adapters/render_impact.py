"""The plan's impact on calls, for the text and markdown renderings: one sentence per group of calls (the same
consumer, contract, kind, outcome and cause) and the calls themselves. Used by the ``plan_impact.*.j2``
templates, which the plan templates include as one block."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tak_gitops.adapters.render import short_contract

KIND_ORDER = ("breaks", "moves", "fails-otherwise", "heals")
KIND_LABELS = {
    "breaks": "calls that stop working",
    "moves": "calls that go elsewhere (producer, URL or profile)",
    "fails-otherwise": "calls that fail before and after, with another VP code",
    "heals": "calls that start working",
}
OTHER = "(any other address)"


def _named(hsa_id: str, name: str | None) -> str:
    return f'{hsa_id} "{name}"' if name else hsa_id


def _who(call: Mapping[str, Any]) -> str:
    return str(call["consumer_name"] or call["consumer"])


def outcome_text(o: Mapping[str, Any]) -> str:
    """``works via P RIVTABP21 https://...`` or the VP code."""
    if o["outcome"] != "works":
        return str(o["outcome"])
    return f"works via {o['producer']} {o['profile']} {o['url']}"


def _cause(call: Mapping[str, Any]) -> Mapping[str, Any]:
    first: Mapping[str, Any] = call["because"][0]
    return first


def _tail(call: Mapping[str, Any]) -> str:
    return str(call["after"]["outcome"]) if call["kind"] != "moves" else outcome_text(call["after"])


def _where(calls: list[Mapping[str, Any]], root: Mapping[str, Any] | None) -> str:
    n = len(calls)
    if root is None:  # calls each at the address its own change names
        return _named(calls[0]["address"], calls[0]["address_name"]) if n == 1 else f"{n} address(es)"
    at = root["address"]
    if at in ("*", "SE"):
        return f"{n} address(es) (through the row on {at})"
    below = sum(1 for c in calls if c["address"] != at)
    named = _named(at, root["address_name"])
    if below == n:
        return f"{n} address(es) under {named}"
    return f"{n} address(es) ({n - below} itself and {below} under {named})"


def impact_groups(impact: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Groups of calls, in kind order then by contract, consumer and outcome, each with its sentence: the calls
    a change reaches beyond its own address go together under that address; calls each at the address its own
    change names go together."""
    by_root: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    for call in impact["calls"]:
        root_key: tuple[str, ...] = (
            call["kind"], call["contract"], call["consumer"], _tail(call), _cause(call)["address"]
        )
        by_root.setdefault(root_key, []).append(call)
    groups: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    for key, calls in by_root.items():
        alone = len(calls) == 1 and calls[0]["address"] == key[4]
        groups.setdefault((*key[:4], "" if alone else key[4]), []).extend(calls)
    out = []
    for key in sorted(groups, key=lambda k: (KIND_ORDER.index(k[0]), *k[1:])):
        calls = groups[key]
        first = calls[0]
        kind, contract = key[0], short_contract(first["contract"])
        where = _where(calls, _cause(first) if key[4] else None)
        if kind == "breaks":
            sentence = (
                f"after this plan {_who(first)} can no longer call {contract} at {where}: {first['after']['outcome']}"
            )
        elif kind == "heals":
            sentence = f"after this plan {_who(first)} can call {contract} at {where}"
        elif kind == "moves":
            sentence = (
                f"after this plan {_who(first)}'s calls to {contract} at {where} go to "
                f"{outcome_text(first['after'])[len('works via '):]}"
            )
        else:
            sentence = (
                f"after this plan {_who(first)}'s calls to {contract} at {where} still fail: "
                f"{first['before']['outcome']} -> {first['after']['outcome']}"
            )
        indirect = any(not c["direct"] for c in calls)
        out.append({"kind": kind, "sentence": sentence, "calls": calls, "indirect": indirect})
    return out


def named_impact(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    """The plan's impact with the names the rest of the plan uses (its ``names`` section: organisation.yaml, the
    TAK, the HSA file) in place of the TAK descriptions the impact carries, so a system reads the same in every
    section."""
    impact: Mapping[str, Any] = doc["impact"]
    names: Mapping[str, Mapping[str, str]] = doc.get("names") or {}
    systems, addresses = names.get("systems", {}), names.get("addresses", {})
    if not systems and not addresses:
        return impact

    def because(b: Mapping[str, Any]) -> dict[str, Any]:
        return {**b, "address_name": addresses.get(b["address"], b["address_name"])}

    calls = [
        {
            **c,
            "consumer_name": systems.get(c["consumer"], c["consumer_name"]),
            "address_name": addresses.get(c["address"], c["address_name"]),
            "because": [because(b) for b in c["because"]],
        }
        for c in impact["calls"]
    ]
    return {**impact, "calls": calls}


def impact_sections(impact: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The calls per kind, in kind order (empty kinds left out)."""
    out = []
    for kind in KIND_ORDER:
        calls = [c for c in impact["calls"] if c["kind"] == kind]
        if calls:
            out.append({"kind": kind, "label": KIND_LABELS[kind], "calls": calls})
    return out


def register(env: Any) -> None:
    """Add the impact helpers to the renderers' jinja2 environment."""
    env.globals["impact_groups"] = impact_groups
    env.globals["impact_sections"] = impact_sections
    env.globals["named_impact"] = named_impact
    env.filters["outcome_text"] = outcome_text
    env.filters["named"] = lambda d, id_key, name_key: _named(d[id_key], d[name_key])

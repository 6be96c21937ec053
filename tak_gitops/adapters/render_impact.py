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


def _group_key(call: Mapping[str, Any]) -> tuple[str, ...]:
    cause = _cause(call)
    tail = call["after"]["outcome"] if call["kind"] != "moves" else outcome_text(call["after"])
    return (call["kind"], call["contract"], call["consumer"], tail, cause["address"])


def _where(calls: list[Mapping[str, Any]], cause: Mapping[str, Any]) -> str:
    at = cause["address"]
    n = len(calls)
    if at in ("*", "SE"):
        return f"{n} address(es) (through the row on {at})"
    if n == 1 and calls[0]["address"] == at:
        return f"{_named(at, cause['address_name'])}"
    below = sum(1 for c in calls if c["address"] != at)
    own = n - below
    return f"{n} address(es)" + (f" ({own} itself and {below} under" if own else " under") + (
        f" {_named(at, cause['address_name'])}" + (")" if own else "")
    )


def impact_groups(impact: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Groups of calls, in kind order then by contract, consumer, outcome and cause, each with its sentence."""
    groups: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    for call in impact["calls"]:
        groups.setdefault(_group_key(call), []).append(call)
    out = []
    for key in sorted(groups, key=lambda k: (KIND_ORDER.index(k[0]), *k[1:])):
        calls = groups[key]
        first = calls[0]
        kind, contract = key[0], short_contract(first["contract"])
        where = _where(calls, _cause(first))
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
    env.filters["outcome_text"] = outcome_text
    env.filters["named"] = lambda d, id_key, name_key: _named(d[id_key], d[name_key])

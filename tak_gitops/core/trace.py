"""``tak-gitops trace``: VP's resolution of a call as a document (each address tried, names beside every HSA-id),
before and after a plan, its text rendering, and the list of addresses a consumer can call for a contract."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from tak_gitops.core.calls import Call, CallState, Step, resolve_call
from tak_gitops.core.hsa import EMPTY_TREE, ROOT, WILDCARD
from tak_gitops.core.snapshot import normalize_hsa_id

TRACE_FORMAT = "tak-gitops-trace"
TRACE_FORMAT_VERSION = "1.0"

NameOf = Callable[[str], str | None]
OTHER = "(any other address)"
"""The address that stands for every address neither the state nor the HSA file knows (parent ``SE``)."""


def _id(hsa_id: str, name_of: NameOf) -> dict[str, Any]:
    return {"hsa_id": hsa_id, "name": name_of(hsa_id)}


def _step(step: Step, routing: bool, name_of: NameOf) -> dict[str, Any]:
    out: dict[str, Any] = {
        "address": step.address,
        "name": name_of(step.address) if step.address not in (WILDCARD, OTHER) else None,
        "kind": step.kind,
        "found": step.found,
    }
    if routing:
        out["rows"] = [
            {"producer": p, "producer_name": name_of(p), "url": url, "profile": profile}
            for p, url, profile in step.rows
        ]
    return out


def call_document(call: Call, name_of: NameOf) -> dict[str, Any]:
    """One resolution: outcome, reason, both lookups' steps, and the route when the call works."""
    route = None
    if call.works:
        assert call.routing is not None
        p, url, profile = call.routing.rows[0]
        route = {"producer": p, "producer_name": name_of(p), "url": url, "profile": profile}
    return {
        "outcome": call.code or "works",
        "reason": call.reason,
        "route": route,
        "hsa_lookup": {"routing": call.hsa_lookup_routing, "authorization": call.hsa_lookup_authorization},
        "routing": [_step(s, True, name_of) for s in call.routing_steps],
        "authorization": [_step(s, False, name_of) for s in call.authorization_steps],
    }


def _header(env: str, consumer: str, contract: str, name_of: NameOf, hsa: dict[str, Any] | None,
            plan: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "format": TRACE_FORMAT,
        "format_version": TRACE_FORMAT_VERSION,
        "environment": env,
        "consumer": _id(consumer, name_of),
        "contract": contract,
        "hsa": hsa,
        "plan": plan,
    }


def trace_call(
    env: str,
    before: CallState,
    after: CallState | None,
    consumer: str,
    contract: str,
    address: str,
    *,
    name_of: NameOf,
    hsa: dict[str, Any] | None = None,
    plan: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The trace document of one call; ``after`` is the state once ``plan`` is executed (or None)."""
    consumer, address = normalize_hsa_id(consumer), normalize_hsa_id(address)
    doc = _header(env, consumer, contract, name_of, hsa, plan)
    doc["address"] = _id(address, name_of)
    b = resolve_call(before, consumer, contract, address)
    doc["before"] = call_document(b, name_of)
    if after is not None:
        a = resolve_call(after, consumer, contract, address)
        doc["after"] = call_document(a, name_of)
        doc["changed"] = a.outcome != b.outcome
    return doc


def _known_addresses(state: CallState, consumer: str, contract: str) -> set[str]:
    out = {la for la, ns in state.routings if ns == contract}
    out.update(la for c, la, ns in state.authorizations if c == consumer and ns == contract)
    tree = state.tree or EMPTY_TREE
    if state.hsa_lookup.routing(contract) or state.hsa_lookup.authorization(contract):
        for la in list(out):
            out.update(tree.descendants(la))
    out.discard(WILDCARD)
    out.discard(ROOT)
    return out


def _summary(call: Call, name_of: NameOf) -> dict[str, Any]:
    r, a = call.routing, call.authorization
    out: dict[str, Any] = {"outcome": call.code or "works"}
    if call.works:
        assert r is not None and a is not None
        p, url, profile = r.rows[0]
        out.update(
            routed_at=r.address, routed_kind=r.kind, authorized_at=a.address, authorized_kind=a.kind,
            producer=p, producer_name=name_of(p), url=url, profile=profile,
        )
    return out


def trace_addresses(
    env: str,
    before: CallState,
    after: CallState | None,
    consumer: str,
    contract: str,
    *,
    name_of: NameOf,
    hsa: dict[str, Any] | None = None,
    plan: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Every address the consumer can call for the contract (before or after the plan): the addresses the
    state's rows for the contract name, the HSA units below them, and one row for any other address."""
    consumer = normalize_hsa_id(consumer)
    doc = _header(env, consumer, contract, name_of, hsa, plan)
    states = [before] + ([after] if after is not None else [])
    candidates: set[str] = set()
    for s in states:
        candidates |= _known_addresses(s, consumer, contract)
    rows = []
    for la in [*sorted(candidates), OTHER]:
        calls = [resolve_call(s, consumer, contract, la) for s in states]
        if not any(c.works for c in calls):
            continue
        row: dict[str, Any] = {
            "address": la, "name": name_of(la) if la != OTHER else None, "before": _summary(calls[0], name_of)
        }
        if after is not None:
            row["after"] = _summary(calls[1], name_of)
            row["changed"] = calls[0].outcome != calls[1].outcome
        rows.append(row)
    doc["addresses"] = rows
    return doc


# ------------------------------------------------------------------------------------------------ rendering


def _named(hsa_id: str, name: str | None) -> str:
    return f'{hsa_id} "{name}"' if name else hsa_id


def _kind_text(step: dict[str, Any]) -> str:
    return {"exact": "exact", "ancestor": "ancestor", "SE": "SE (HSA root)", "*": "* (default)"}[step["kind"]]


def _lookup_lines(title: str, steps: Iterable[dict[str, Any]], routing: bool, on: bool) -> list[str]:
    lines = [f"  {title}{'' if on else ' (HSA lookup off for this contract)'}:"]
    for i, s in enumerate(steps, start=1):
        where = _named(s["address"], s["name"])
        if not s["found"]:
            found = "no row"
        elif routing:
            found = "; ".join(
                f"row -> {_named(r['producer'], r['producer_name'])} {r['profile']} {r['url']}" for r in s["rows"]
            )
        else:
            found = "authorized"
        lines.append(f"    {i}. {_kind_text(s):<14} {where}: {found}")
    return lines


def _call_lines(label: str, call: dict[str, Any]) -> list[str]:
    lines = [f"{label}:"]
    lines += _lookup_lines("routing (vagval)", call["routing"], True, call["hsa_lookup"]["routing"])
    lines += _lookup_lines(
        "authorization (anropsbehorighet)", call["authorization"], False, call["hsa_lookup"]["authorization"]
    )
    lines.append(f"  => {call['outcome']}: {call['reason']}")
    return lines


def _head_lines(doc: dict[str, Any]) -> list[str]:
    c = doc["consumer"]
    lines = [f"tak-gitops trace: {doc['environment']}", f"consumer {_named(c['hsa_id'], c['name'])}",
             f"contract {doc['contract']}"]
    if "address" in doc:
        a = doc["address"]
        lines.append(f"address  {_named(a['hsa_id'], a['name'])}")
    hsa = doc["hsa"]
    lines.append(
        f"hsa      {hsa['digest']} ({hsa['units']} units)" if hsa else "hsa      none (every address's parent is SE)"
    )
    if doc["plan"]:
        lines.append(f"plan     {doc['plan']['checksum']} ({doc['plan']['changes']} change(s))")
    return lines


def _summary_text(s: dict[str, Any]) -> str:
    if s["outcome"] != "works":
        return str(s["outcome"])
    return (
        f"works: routed at {s['routed_at']} ({s['routed_kind']}) -> "
        f"{_named(s['producer'], s['producer_name'])} {s['profile']} {s['url']}; "
        f"authorized at {s['authorized_at']} ({s['authorized_kind']})"
    )


def render_trace_text(doc: dict[str, Any]) -> str:
    """The trace as plain text (what `trace` prints by default)."""
    lines = _head_lines(doc)
    lines.append("")
    if "addresses" in doc:
        if not doc["addresses"]:
            lines.append("no address: the consumer cannot call this contract anywhere"
                         + (" (before or after the plan)" if doc["plan"] else ""))
        for row in doc["addresses"]:
            lines.append(f"  {_named(row['address'], row['name'])}")
            lines.append(f"      {'before' if 'after' in row else 'now'}: {_summary_text(row['before'])}")
            if "after" in row:
                mark = "after (changed)" if row["changed"] else "after"
                lines.append(f"      {mark}: {_summary_text(row['after'])}")
        return "\n".join(lines) + "\n"
    lines += _call_lines("before this plan" if "after" in doc else "now", doc["before"])
    if "after" in doc:
        lines.append("")
        lines += _call_lines("after this plan", doc["after"])
        lines.append("")
        b, a = doc["before"]["outcome"], doc["after"]["outcome"]
        lines.append(f"outcome: {b} -> {a}" if doc["changed"] else f"outcome: unchanged ({a})")
    return "\n".join(lines) + "\n"

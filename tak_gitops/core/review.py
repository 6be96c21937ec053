"""The plan as a reviewer reads it: consequences first, one tally, identical changes grouped, names beside ids.

:func:`review` turns a plan *document* into a :class:`Review` that the renderers (``adapters/render``) lay out
as text, markdown and annotations. Every distinct change (action and key) is in exactly one group of exactly
one section, so the sections add up to the tally by construction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

REMOVALS = ("remove-routing", "remove-authorization")
CHANGES = ("change-routing",)
ADDITIONS = ("add-logical-address", "add-system", "add-contract", "add-routing", "add-authorization")
NOUNS = {
    "add-logical-address": ("new logical address", "new logical addresses"),
    "add-system": ("new system", "new systems"),
    "add-contract": ("new contract", "new contracts"),
    "add-routing": ("routing", "routings"),
    "change-routing": ("routing", "routings"),
    "remove-routing": ("routing", "routings"),
    "add-authorization": ("authorization", "authorizations"),
    "remove-authorization": ("authorization", "authorizations"),
}
BANNER_WORDS = {
    "refused": "Refused",
    "error": "Refused:",
    "removal": "Removes",
    "cascade": "Cascade:",
    "call": "Breaks a call:",
}
_CONTRACT_RE = re.compile(r"^urn:riv:.*:([A-Za-z0-9]+?)(?:Responder)?:(\d+)$")
_BOUNDARY = "./:?&=-_"


def short_contract(namespace: str) -> str:
    """``urn:riv:...:GetCareContactsResponder:2`` -> ``GetCareContacts:2`` (for reading; plans keep namespaces)."""
    m = _CONTRACT_RE.match(namespace)
    return f"{m.group(1)}:{m.group(2)}" if m else namespace


def plural(n: int, one: str, many: str) -> str:
    """``1 routing``, ``2 routings``."""
    return f"{n} {one if n == 1 else many}"


def mark_change(old: str, new: str) -> tuple[str, str, str, str]:
    """``(prefix, old part, new part, suffix)``: the common prefix and suffix of two values, widened to the
    nearest URL separator so that a changed host or path segment shows whole."""
    if old == new:
        return old, "", "", ""
    n = min(len(old), len(new))
    p = 0
    while p < n and old[p] == new[p]:
        p += 1
    s = 0
    while s < n - p and old[len(old) - 1 - s] == new[len(new) - 1 - s]:
        s += 1
    while p > 0 and old[p - 1] not in _BOUNDARY:
        p -= 1
    while s > 0 and old[len(old) - s] not in _BOUNDARY:
        s -= 1
    return old[:p], old[p : len(old) - s], new[p : len(new) - s], old[len(old) - s :]


@dataclass(frozen=True)
class Names:
    """Readable names from the plan's ``names`` (and the descriptions of objects it creates)."""

    systems: Mapping[str, str]
    addresses: Mapping[str, str]

    def system(self, hsa_id: str | None) -> str | None:
        return self.systems.get(hsa_id) if hsa_id else None

    def address(self, hsa_id: str | None) -> str | None:
        if hsa_id == "*":
            return "standardbehörighet (every address)"
        return self.addresses.get(hsa_id) if hsa_id else None


@dataclass(frozen=True)
class Member:
    """One distinct change of a group and the short labels of the orders it is in."""

    change: Mapping[str, Any]
    orders: tuple[str, ...]

    @property
    def address(self) -> str:
        return str(self.change.get("address") or self.change.get("hsa_id") or self.change.get("namespace"))


@dataclass(frozen=True)
class Group:
    """Identical changes (same action, contract and values) of several addresses, shown as one line."""

    action: str
    members: tuple[Member, ...]

    @property
    def first(self) -> Mapping[str, Any]:
        return self.members[0].change

    @property
    def first_address(self) -> str:
        return self.members[0].address

    @property
    def count(self) -> int:
        return len(self.members)

    @property
    def contract(self) -> str | None:
        ns = self.first.get("contract")
        return str(ns) if ns else None

    @property
    def value(self) -> Mapping[str, str] | None:
        """The routing value the group adds, changes to, or removes."""
        v = self.first.get("before" if self.action == "remove-routing" else "after")
        return v if isinstance(v, Mapping) else None

    @property
    def field_changes(self) -> list[tuple[str, str, str]]:
        """``(field, before, after)`` for each changed field of a change-routing group."""
        c = self.first
        if self.action != "change-routing":
            return []
        return [(f, str(c["before"][f]), str(c["after"][f])) for f in c.get("changed", ())]

    @property
    def orders(self) -> tuple[str, ...]:
        return tuple(sorted({o for m in self.members for o in m.orders}))

    @property
    def noun(self) -> str:
        """``routing`` for one, ``9 routings`` for several."""
        one, many = NOUNS[self.action]
        return one if self.count == 1 else plural(self.count, one, many)


@dataclass(frozen=True)
class Banner:
    """One consequence a reviewer must see first: ``kind`` is refused, error, removal, cascade or call; ``text``
    follows the kind's word (:data:`BANNER_WORDS`); ``hint`` is the acknowledgement that would accept it."""

    kind: str
    text: str
    hint: str = ""


@dataclass(frozen=True)
class Tally:
    """Distinct changes to add, change and remove, and manual steps."""

    add: int
    change: int
    remove: int
    manual: int

    def line(self) -> str:
        return (
            f"{self.add} to add, {self.change} to change, {self.remove} to remove, "
            f"{plural(self.manual, 'manual step', 'manual steps')}"
        )


@dataclass
class Review:
    """Everything the renderers show, in reading order."""

    doc: Mapping[str, Any]
    names: Names
    order_labels: dict[str, str]
    banners: list[Banner] = field(default_factory=list)
    removals: list[Group] = field(default_factory=list)
    changes: list[Group] = field(default_factory=list)
    additions: list[Group] = field(default_factory=list)

    @property
    def tally(self) -> Tally:
        def total(groups: Iterable[Group]) -> int:
            return sum(g.count for g in groups)

        return Tally(total(self.additions), total(self.changes), total(self.removals), len(self.doc["manual_steps"]))

    @property
    def waves(self) -> list[int]:
        return sorted({int(o["wave"]) for o in self.doc["orders"]})


def _group_key(c: Mapping[str, Any]) -> tuple[Any, ...]:
    a = c["action"]
    if a in ("add-routing", "remove-routing"):
        v = c["after" if a == "add-routing" else "before"]
        return (a, c["contract"], v["producer"], v["profile"], v["url"])
    if a == "change-routing":
        fields = tuple((f, c["before"][f], c["after"][f]) for f in c.get("changed", ()))
        return (a, c["contract"], c["after"]["producer"], fields)
    if a in ("add-authorization", "remove-authorization"):
        return (a, c["contract"], c["consumer"])
    return (a,)  # new logical addresses, systems, contracts: one group each


def _change_key(c: Mapping[str, Any]) -> tuple[str, ...]:
    a = str(c["action"])
    if a in ("add-logical-address", "add-system"):
        return (a, str(c["hsa_id"]))
    if a == "add-contract":
        return (a, str(c["namespace"]))
    if a.endswith("authorization"):
        return (a, str(c["consumer"]), str(c["address"]), str(c["contract"]))
    return (a, str(c["address"]), str(c["contract"]))


def _groups(members: Iterable[Member], actions: Sequence[str]) -> list[Group]:
    by_key: dict[tuple[Any, ...], list[Member]] = {}
    for m in members:
        if m.change["action"] in actions:
            by_key.setdefault(_group_key(m.change), []).append(m)
    groups = [
        Group(str(ms[0].change["action"]), tuple(sorted(ms, key=lambda m: (m.address, _change_key(m.change)))))
        for ms in by_key.values()
    ]
    rank = {a: i for i, a in enumerate(actions)}
    return sorted(
        groups,
        key=lambda g: (rank[g.action], short_contract(g.contract or ""), g.contract or "", -g.count, g.first_address),
    )


def order_labels(orders: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Short labels for the plan's orders: ``W<wave>-<n>``, n counting the orders of the wave in plan order."""
    labels: dict[str, str] = {}
    seen: dict[int, int] = {}
    for o in orders:
        wave = int(o["wave"])
        seen[wave] = seen.get(wave, 0) + 1
        labels[str(o["id"])] = f"W{wave}-{seen[wave]}"
    return labels


def _banners(doc: Mapping[str, Any], removals: Sequence[Group], names: Names) -> list[Banner]:
    out = []
    for r in doc["refusals"]:
        text = f"by the {r['guard']} guard" + (f" ({r['org']})" if r.get("org") else "")
        if r["guard"] != "cascade":  # a cascade's own banner line says what it reaches
            text += ": " + str(r["message"]).split("; acknowledge", 1)[0]
        out.append(Banner("refused", text, str(r["acknowledge"])))
    if doc["errors"]:
        out.append(
            Banner("error", f"{plural(len(doc['errors']), 'error', 'errors')}; nothing may be applied until fixed")
        )
    for action in REMOVALS:
        groups = [g for g in removals if g.action == action]
        if groups:
            n = sum(g.count for g in groups)
            orgs = sorted({str(o["org"]) for o in doc["orders"] for c in o["changes"] if c["action"] == action})
            contracts = sorted({short_contract(g.contract or "") for g in groups})
            one, many = NOUNS[action]
            out.append(Banner("removal", f"{plural(n, one, many)} of {', '.join(orgs)} ({', '.join(contracts)})"))
    for c in doc["cascades"]:
        if not c["needs_acknowledgement"]:
            continue
        name = names.address(c["address"])
        where = f"{c['address']}" + (f' "{name}"' if name else "")
        reach = (
            f"reaches {plural(len(c['descendants']), 'address', 'addresses')} below it"
            if c["source"] == "hsa-file"
            else "may reach care units below it, unknown without an HSA file"
        )
        state = "acknowledged" if c["acknowledged"] else "not acknowledged"
        verb = {"remove": "removing", "change": "changing"}.get(c["change"], c["change"])
        who = f" of {c['consumer']}" if c.get("consumer") else ""
        out.append(
            Banner(
                "cascade",
                f"{verb} the {c['kind']}{who} on {where} for {short_contract(c['contract'])} {reach} "
                f"({state})",
                "" if c["acknowledged"] else f"--ack-cascade {c['address']}",
            )
        )
    impact = doc.get("impact")
    if isinstance(impact, Mapping):
        broken: dict[tuple[str, str, str], list[Mapping[str, Any]]] = {}
        for call in impact.get("calls") or ():
            if call["kind"] == "breaks":
                broken.setdefault((call["consumer"], call["contract"], call["after"]["outcome"]), []).append(call)
        for (consumer, contract, outcome), calls in sorted(broken.items()):
            name = names.system(consumer) or calls[0].get("consumer_name")
            who = consumer + (f' "{name}"' if name else "")
            first = calls[0]["address"]
            place = names.address(first) or calls[0].get("address_name")
            at = plural(len(calls), "address", "addresses")
            if len(calls) == 1:
                at = first + (f' "{place}"' if place else "")
            out.append(Banner("call", f"{who} can no longer call {short_contract(contract)} at {at} ({outcome})"))
    return out


def review(doc: Mapping[str, Any]) -> Review:
    """The review of a plan document."""
    raw = doc.get("names") or {}
    systems = dict(raw.get("systems") or {})
    addresses = dict(raw.get("addresses") or {})
    labels = order_labels(doc["orders"])
    members: dict[tuple[str, ...], tuple[Mapping[str, Any], list[str]]] = {}
    for o in doc["orders"]:
        for c in o["changes"]:
            key = _change_key(c)
            if key not in members:
                members[key] = (c, [])
            members[key][1].append(labels[str(o["id"])])
            # a new object's description names it when nothing else does
            if c["action"] == "add-system":
                systems.setdefault(str(c["hsa_id"]), str(c["description"]))
            elif c["action"] == "add-logical-address":
                addresses.setdefault(str(c["hsa_id"]), str(c["description"]))
    names = Names(systems, addresses)
    all_members = [Member(c, tuple(ls)) for c, ls in members.values()]
    out = Review(doc=doc, names=names, order_labels=labels)
    out.removals = _groups(all_members, REMOVALS)
    out.changes = _groups(all_members, CHANGES)
    out.additions = _groups(all_members, ADDITIONS)
    out.banners = _banners(doc, out.removals, names)
    return out

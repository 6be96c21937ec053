"""What a plan does to calls: the calls (consumer, contract, logical address) whose VP outcome the planned
changes alter, each resolved before and after with :mod:`core.calls`.

The calls considered for one change of a routing or authorization on address ``X`` for contract ``NS``:

* addresses: ``X`` and every HSA unit below it; for a row on ``*`` or ``SE``, every address the rows for
  ``NS`` name (before or after, ``SE`` included), the units below them, and :data:`OTHER`, which stands for
  every address neither the rows nor those subtrees hold (they all resolve alike: parent ``SE``). A call to
  the literal address ``*`` is not considered;
* consumers: for a routing, every consumer holding an authorization for ``NS`` (before or after) that VP's
  authorization lookup reaches from the address (exact, ``*``, an ancestor, ``SE``); for an authorization,
  its own consumer.

A call is in the impact when its outcome differs and the consumer is authorized for it before or after (a
consumer authorized in neither fails either way; only the VP code would flip). ``direct`` marks calls at an
address one of the changes names; the others are what the changes do elsewhere (cascades, captures, ``*``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress
from operator import itemgetter, or_
from typing import Any, Literal, Protocol

from tak_gitops.core.calls import CallState, Outcome, is_authorized, outcome_of
from tak_gitops.core.hsa import EMPTY_TREE, ROOT, WILDCARD, HsaTree, resolve_authorization, resolve_routing
from tak_gitops.core.snapshot import AuthorizationKey, RoutingKey, RoutingValue, Snapshot

OTHER = "(any other address)"
"""Every address that neither the rows for the contract nor the HSA subtrees below them hold."""

Kind = Literal["breaks", "heals", "moves", "fails-otherwise"]


class PlannedChange(Protocol):
    """What the impact reads of a planned change (a :class:`~tak_gitops.core.plan.model.Change` fits)."""

    @property
    def action(self) -> str: ...

    @property
    def key(self) -> tuple[str, ...]: ...

    @property
    def after(self) -> RoutingValue | None: ...

_ROW_ACTIONS = frozenset(
    {"add-routing", "change-routing", "remove-routing", "add-authorization", "remove-authorization"}
)


def kind_of(before: Outcome, after: Outcome) -> Kind:
    """breaks (works -> fails), heals (fails -> works), moves (another producer, URL or profile), or
    fails-otherwise (fails before and after with another VP code)."""
    works_b, works_a = before[0] == "works", after[0] == "works"
    if works_b and not works_a:
        return "breaks"
    if works_a and not works_b:
        return "heals"
    return "moves" if works_a else "fails-otherwise"


@dataclass(frozen=True)
class CallImpact:
    """One call whose outcome the plan changes; ``causes`` index the changes whose considered calls hold it."""

    consumer: str
    contract: str
    address: str
    before: Outcome
    after: Outcome
    direct: bool
    causes: tuple[int, ...]

    @property
    def kind(self) -> Kind:
        return kind_of(self.before, self.after)

    @property
    def sort_key(self) -> tuple[str, str, str]:
        return (self.contract, self.consumer, self.address)


def _outcome_dict(o: Outcome) -> dict[str, Any]:
    if o[0] != "works":
        return {"outcome": o[0]}
    return {"outcome": "works", "producer": o[1], "url": o[2], "profile": o[3]}


def impact_dict(
    c: CallImpact, changes: Sequence[PlannedChange], name_of: Callable[[str], str | None]
) -> dict[str, Any]:
    """The plan-document mapping of one call impact."""
    return {
        "consumer": c.consumer,
        "consumer_name": name_of(c.consumer),
        "contract": c.contract,
        "address": c.address,
        "address_name": None if c.address == OTHER else name_of(c.address),
        "kind": c.kind,
        "direct": c.direct,
        "before": _outcome_dict(c.before),
        "after": _outcome_dict(c.after),
        "because": [
            {
                "action": changes[i].action,
                "key": list(changes[i].key),
                "address": changes[i].key[-2],
                "address_name": name_of(changes[i].key[-2]),
            }
            for i in c.causes
        ],
    }


class _RoutingsAfter(Mapping[RoutingKey, RoutingValue]):
    """The routings once the changes are executed (TAK-web's rules, as ``core.plan.execute``), without a copy."""

    def __init__(self, current: Mapping[RoutingKey, RoutingValue], changes: Iterable[PlannedChange]) -> None:
        self.current = current
        self.overlay: dict[RoutingKey, RoutingValue | None] = {}
        for c in changes:
            if c.action in ("add-routing", "change-routing"):
                self.overlay[(c.key[0], c.key[1])] = c.after
            elif c.action == "remove-routing":
                self.overlay[(c.key[0], c.key[1])] = None

    def __getitem__(self, key: RoutingKey) -> RoutingValue:
        if key in self.overlay:
            value = self.overlay[key]
            if value is None:
                raise KeyError(key)
            return value
        return self.current[key]

    def __contains__(self, key: object) -> bool:
        if key in self.overlay:
            return self.overlay[key] is not None
        return key in self.current

    def __iter__(self) -> Iterator[RoutingKey]:
        for k in self.current:
            if k not in self.overlay:
                yield k
        for k, v in self.overlay.items():
            if v is not None:
                yield k

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _AuthorizationsAfter:
    """The authorizations once the changes are executed, as a membership test over the current set."""

    def __init__(self, current: frozenset[AuthorizationKey], changes: Iterable[PlannedChange]) -> None:
        self.current = current
        self.overlay: dict[AuthorizationKey, bool] = {}
        for c in changes:
            if c.action == "add-authorization":
                self.overlay[(c.key[0], c.key[1], c.key[2])] = True
            elif c.action == "remove-authorization":
                self.overlay[(c.key[0], c.key[1], c.key[2])] = False

    def __contains__(self, key: object) -> bool:
        found = self.overlay.get(key)  # type: ignore[call-overload]
        return key in self.current if found is None else found

    def __iter__(self) -> Iterator[AuthorizationKey]:
        for k in self.current:
            if k not in self.overlay:
                yield k
        yield from (k for k, v in self.overlay.items() if v)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _Index:
    """Per touched contract: which consumers hold an authorization on which address (of the addresses a call
    lookup can reach from where the changes are: ``needed``), and, for the contracts in ``wide`` (a routing
    change on ``*`` or SE reaches every address), every address the rows name, before or after."""

    def __init__(
        self,
        before: Snapshot,
        rows: Sequence[tuple[int, str, tuple[str, ...]]],
        needed: set[str],
        wide: set[str],
    ) -> None:
        contracts = {key[-1] for _, _, key in rows}
        self.consumers: dict[str, dict[str, set[str]]] = {ns: {} for ns in contracts}
        self.addresses: dict[str, set[str]] = {ns: set() for ns in contracts}
        consumers, addresses = self.consumers, self.addresses
        # only the rows a lookup can reach, picked a column at a time (the changes name a few of the
        # platform's addresses, and a plan for one organisation touches a few of its contracts)
        a_rows = before.authorization_rows
        kept = map(
            or_,
            map(needed.__contains__, map(itemgetter(1), a_rows)),
            map(wide.__contains__, map(itemgetter(2), a_rows)),
        )
        for c, la, ns in compress(a_rows, kept):
            by_la = consumers.get(ns)
            if by_la is None:
                continue
            found = by_la.get(la)
            if found is None:
                by_la[la] = {c}
                addresses[ns].add(la)
            else:
                found.add(c)
        r_keys = before.routings.keys()
        for la, ns in compress(r_keys, map(wide.__contains__, map(itemgetter(1), r_keys))):
            addresses[ns].add(la)
        for _, action, key in rows:
            if action == "add-authorization":
                c, la, ns = key
                consumers[ns].setdefault(la, set()).add(c)
            addresses[key[-1]].add(key[-2])

    def reaching(self, ns: str, address: str, chain: Iterable[str]) -> set[str]:
        """Consumers whose authorization lookup from ``address`` can reach one of their rows."""
        by_la = self.consumers[ns]
        out: set[str] = set()
        for la in (address, WILDCARD, *chain):
            found = by_la.get(la)
            if found:
                out |= found
        return out


def _routing_result(state: CallState, ns: str, address: str) -> tuple[str, ...]:
    """The routing part of an outcome: the row VP uses, or the VP code."""
    routings = state.routings
    la = resolve_routing(address, lambda x: (x, ns) in routings, state.tree, state.hsa_lookup.routing(ns))
    if la is None:
        return ("VP004",)
    if state.multi_routings and (la, ns) in state.multi_routings:
        return ("VP006",)
    return routings[(la, ns)]


def _causes(
    row_of: Mapping[int, tuple[str, tuple[str, ...]]],
    reached: Iterable[int],
    before: CallState,
    after: CallState,
    consumer: str,
    ns: str,
    address: str,
) -> tuple[int, ...]:
    """The changes that make the call's outcome differ: of those whose reach holds it, the ones on a row the
    call uses before or after (the routing or authorization matched); all of them when none is."""
    used: set[tuple[str, str]] = set()
    for state in (before, after):
        routings, auths = state.routings, state.authorizations
        r = resolve_routing(
            address, lambda x, rs=routings: (x, ns) in rs, state.tree, state.hsa_lookup.routing(ns)  # type: ignore[misc]
        )
        if r is not None:
            used.add(("routing", r))
        au = resolve_authorization(
            address, lambda x, xs=auths: (consumer, x, ns) in xs, state.tree, state.hsa_lookup.authorization(ns)  # type: ignore[misc]
        )
        if au is not None:
            used.add(("authorization", au))
    candidates = sorted(set(reached))
    found = tuple(
        i
        for i in candidates
        if ("routing" if row_of[i][0].endswith("routing") else "authorization", row_of[i][1][-2]) in used
    )
    return found or tuple(candidates)


def call_impact(
    before: Snapshot,
    changes: Sequence[PlannedChange],
    *,
    tree: HsaTree | None,
    hsa_lookup: Any,
) -> tuple[list[CallImpact], int]:
    """The calls whose outcome ``changes`` (executed in order on ``before``) alter, sorted by contract, consumer
    and address, and how many calls were considered. ``hsa_lookup`` is a :class:`~tak_gitops.core.calls.HsaLookup`;
    ``causes`` of each call index ``changes``."""
    t = tree or EMPTY_TREE
    b_state = CallState.from_snapshot(before, tree, hsa_lookup)
    a_state = CallState(
        _RoutingsAfter(before.routings, changes), _AuthorizationsAfter(before.authorizations, changes),
        tree, hsa_lookup,
    )
    rows = [(i, c.action, c.key) for i, c in enumerate(changes) if c.action in _ROW_ACTIONS]
    chains: dict[str, tuple[str, ...]] = {}

    def chain(la: str) -> tuple[str, ...]:
        found = chains.get(la)
        if found is None:
            found = chains[la] = tuple(t.ancestors(la)) if la != OTHER else (ROOT,)
        return found

    # What the routing changes' calls look up: their addresses and those below, with every ancestor; a change
    # on * or SE (routing or authorization) reaches every address of the contract.
    everywhere = {key[-1] for _, _action, key in rows if key[-2] in (WILDCARD, ROOT)}
    needed = {WILDCARD, ROOT}
    for _, action, key in rows:
        if action.endswith("routing") and key[0] not in (WILDCARD, ROOT):
            for a in (key[0], *t.descendants(key[0])):
                needed.add(a)
                needed.update(chain(a))
    index = _Index(before, rows, needed, everywhere)
    row_of = {i: (action, key) for i, action, key in rows}
    named = {key[-2] for _, _, key in rows}
    auth_changed = {(key[0], key[2]) for _, action, key in rows if action.endswith("authorization")}

    wide: dict[str, list[str]] = {}

    def addresses_for(la: str, ns: str) -> list[str]:
        if la not in (WILDCARD, ROOT):
            return [la, *t.descendants(la)]
        found = wide.get(ns)
        if found is None:
            known = {x for x in index.addresses[ns] if x != WILDCARD}
            for x in list(known):
                known.update(t.descendants(x))
            found = wide[ns] = [*sorted(known), OTHER]
        return found

    causes: dict[tuple[str, str, str], list[int]] = {}
    routed: dict[tuple[str, str], bool] = {}  # (ns, address) -> does its routing result change?

    def routing_moves(ns: str, a: str) -> bool:
        found = routed.get((ns, a))
        if found is None:
            found = routed[(ns, a)] = _routing_result(b_state, ns, a) != _routing_result(a_state, ns, a)
        return found

    for i, action, key in rows:
        if action.endswith("routing"):
            la, ns = key
            for a in addresses_for(la, ns):
                for c in index.reaching(ns, a, chain(a)):
                    causes.setdefault((c, ns, a), []).append(i)
        else:
            c, la, ns = key
            for a in addresses_for(la, ns):
                causes.setdefault((c, ns, a), []).append(i)
    out: list[CallImpact] = []
    for (c, ns, a), idx in causes.items():
        if (c, ns) not in auth_changed and not routing_moves(ns, a):
            continue  # neither the routing nor this consumer's authorizations differ: the outcome is the same
        b = outcome_of(b_state, c, ns, a)
        af = outcome_of(a_state, c, ns, a)
        if b == af:
            continue
        if not (is_authorized(b_state, c, ns, a) or is_authorized(a_state, c, ns, a)):
            continue
        out.append(CallImpact(c, ns, a, b, af, a in named, _causes(row_of, idx, b_state, a_state, c, ns, a)))
    out.sort(key=lambda x: x.sort_key)
    return out, len(causes)


def breaks_by_cause(impacts: Iterable[CallImpact], changes: Sequence[PlannedChange]) -> Mapping[str, list[CallImpact]]:
    """Calls that break or move at addresses no change names, keyed by the address of the change causing them
    (what the cascade guard asks to acknowledge)."""
    out: dict[str, list[CallImpact]] = {}
    for c in impacts:
        if c.direct or c.kind not in ("breaks", "moves"):
            continue
        for i in c.causes:
            out.setdefault(changes[i].key[-2], []).append(c)
    return out

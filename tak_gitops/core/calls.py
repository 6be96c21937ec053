"""VP's answer to one call (consumer, contract, logical address) over a TAK state: the call works, with the
routing and authorization rows used and the step each matched at, or it fails with VP's error code and why.

Public API (everything else is private):

* :class:`HsaLookup` - VP's per-contract HSA-lookup settings (``hsa.lookup.vagval`` / ``hsa.lookup.behorighet``:
  a default, on as in VP, and namespace prefixes that flip it); :meth:`HsaLookup.disabled_for` builds them
  from ``tak-gitops.yaml``'s ``hsa_lookup_disabled``.
* :class:`CallState` - the rows VP sees: :meth:`CallState.from_snapshot` (one valid row per key, as every
  snapshot holds) or :meth:`CallState.from_rows` (rows with validity dates, filtered on a day; several valid
  routings on one key are kept, which VP answers with VP006).
* :func:`resolve_call` - the full answer, a :class:`Call`: each step tried (:class:`Step`), the rows found,
  :attr:`Call.code` (``None``, ``VP004``, ``VP006``, ``VP007``), :attr:`Call.reason` and :attr:`Call.outcome`.
* :func:`outcome_of` - only the :data:`Outcome` (fast; what plan impact compares): ``("works", producer, url,
  profile)`` or ``(code,)``; :func:`is_authorized` - only whether the authorization lookup succeeds.

The rules (takdatahandler ``VagvalHandlerImpl``, ``BehorighetHandlerImpl``, ``HsaLookupUtil``; VP
``VagvalProcessor``, ``BehorighetProcessor``, ``VPRouter``), the lookup orders themselves in :mod:`core.hsa`:

* routing first: exact address, then (HSA lookup on) each HSA ancestor up to and including ``SE``, then ``*``;
  the first step with any valid row wins; no row is VP004, more than one VP006;
* then authorization: exact address, then ``*``, then (HSA lookup on) each ancestor up to ``SE``; none is VP007;
* an HSA-id not in the HSA file has parent ``SE``; HSA-ids are compared case-insensitively (upper-cased here);
  contract namespaces are compared as written.

Out of scope: the deprecated ``#`` delimiter routing (``A#B``, tried right to left, ``DefaultRoutingUtil``).
An address containing ``#`` is resolved as one plain HSA-id, which is what VP does when the delimiter setting is
empty; NTjP's TAK holds no such addresses (TAK-web refuses ``#`` in a logical address). VP010 (an empty URL) and
the RIV-TA profile check (VP005) happen after these lookups and are not modelled.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from tak_gitops.core.hsa import (
    EMPTY_TREE,
    ROOT,
    WILDCARD,
    HsaTree,
    authorization_order,
    resolve_authorization,
    resolve_routing,
    routing_order,
)
from tak_gitops.core.snapshot import AuthorizationKey, RoutingKey, RoutingValue, Snapshot, normalize_hsa_id

StepKind = Literal["exact", "ancestor", "SE", "*"]
Code = Literal["VP004", "VP006", "VP007"]
Outcome = tuple[str, ...]
"""``("works", producer, url, profile)`` or ``("VP004",)`` / ``("VP006",)`` / ``("VP007",)``."""


def _enabled(default: bool, excepted: tuple[str, ...], namespace: str) -> bool:
    for prefix in excepted:
        if prefix and namespace.startswith(prefix):
            return not default
    return default


@dataclass(frozen=True)
class HsaLookup:
    """Whether VP climbs the HSA tree for a contract, for routing and for authorization separately.

    As VP's ``HsaLookupUtil``: the default applies unless the namespace starts with one of the excepted
    prefixes (blank prefixes are ignored), which flips it.
    """

    routing_default: bool = True
    routing_excepted: tuple[str, ...] = ()
    authorization_default: bool = True
    authorization_excepted: tuple[str, ...] = ()

    @classmethod
    def disabled_for(cls, prefixes: Iterable[str]) -> HsaLookup:
        """On by default, off for contracts whose namespace starts with one of ``prefixes`` (both lookups)."""
        p = tuple(prefixes)
        return cls(routing_excepted=p, authorization_excepted=p)

    def routing(self, namespace: str) -> bool:
        return _enabled(self.routing_default, self.routing_excepted, namespace)

    def authorization(self, namespace: str) -> bool:
        return _enabled(self.authorization_default, self.authorization_excepted, namespace)


@dataclass(frozen=True)
class RoutingRow:
    """One vagval with its validity: ``[valid_from, valid_to]``, ISO dates, both inclusive, ``None`` = open."""

    address: str
    contract: str
    producer: str
    url: str
    profile: str
    valid_from: str | None = None
    valid_to: str | None = None


@dataclass(frozen=True)
class AuthorizationRow:
    """One anropsbehorighet with its validity (as :class:`RoutingRow`)."""

    consumer: str
    address: str
    contract: str
    valid_from: str | None = None
    valid_to: str | None = None


def _valid_on(start: str | None, end: str | None, day: str | None) -> bool:
    if day is None:
        return True
    return (start is None or start[:10] <= day) and (end is None or end[:10] >= day)


@dataclass(frozen=True)
class CallState:
    """The rows VP resolves calls against. HSA-ids are upper case; ``tree`` ``None`` means no HSA file (every
    address then has parent ``SE``). ``multi_routings`` holds the keys with more than one valid row."""

    routings: Mapping[RoutingKey, RoutingValue]
    authorizations: Collection[AuthorizationKey]
    tree: HsaTree | None = None
    hsa_lookup: HsaLookup = field(default_factory=HsaLookup)
    multi_routings: Mapping[RoutingKey, tuple[RoutingValue, ...]] = field(default_factory=dict)

    @classmethod
    def from_snapshot(
        cls, snapshot: Snapshot, tree: HsaTree | None = None, hsa_lookup: HsaLookup | None = None
    ) -> CallState:
        """The state of a snapshot (its rows are today's valid rows, one per routing key). No copy is made."""
        return cls(snapshot.routings, snapshot.authorizations, tree, hsa_lookup or HsaLookup())

    @classmethod
    def from_rows(
        cls,
        routings: Iterable[RoutingRow],
        authorizations: Iterable[AuthorizationRow],
        *,
        tree: HsaTree | None = None,
        hsa_lookup: HsaLookup | None = None,
        on: str | None = None,
    ) -> CallState:
        """The rows valid on day ``on`` (``YYYY-MM-DD``; ``None``: every row), HSA-ids upper-cased."""
        found: dict[RoutingKey, list[RoutingValue]] = {}
        for r in routings:
            if _valid_on(r.valid_from, r.valid_to, on):
                key = (normalize_hsa_id(r.address), r.contract)
                found.setdefault(key, []).append((normalize_hsa_id(r.producer), r.url, r.profile))
        auths = frozenset(
            (normalize_hsa_id(a.consumer), normalize_hsa_id(a.address), a.contract)
            for a in authorizations
            if _valid_on(a.valid_from, a.valid_to, on)
        )
        single = {k: v[0] for k, v in found.items()}
        multi = {k: tuple(v) for k, v in found.items() if len(v) > 1}
        return cls(single, auths, tree, hsa_lookup or HsaLookup(), multi)

    def routing_rows(self, address: str, contract: str) -> tuple[RoutingValue, ...]:
        """The valid routings on exactly ``address`` for ``contract``."""
        key = (address, contract)
        many = self.multi_routings.get(key)
        if many is not None:
            return many
        one = self.routings.get(key)
        return (one,) if one is not None else ()


@dataclass(frozen=True)
class Step:
    """One logical address VP tried: how it was reached and the valid rows found there (routing values, or
    the one authorization key)."""

    address: str
    kind: StepKind
    rows: tuple[tuple[str, ...], ...]

    @property
    def found(self) -> bool:
        return bool(self.rows)

    def describe(self) -> str:
        """``exact``, ``ancestor X``, ``SE`` or ``*``."""
        return f"ancestor {self.address}" if self.kind == "ancestor" else self.kind


def _kind(address: str, called: str) -> StepKind:
    if address == called:
        return "exact"
    if address == WILDCARD:
        return "*"
    if address == ROOT:
        return "SE"
    return "ancestor"


@dataclass(frozen=True)
class Call:
    """VP's resolution of one call: every step of both lookups up to the first match (all steps when none)."""

    consumer: str
    contract: str
    address: str
    routing_steps: tuple[Step, ...]
    authorization_steps: tuple[Step, ...]
    hsa_lookup_routing: bool
    hsa_lookup_authorization: bool

    @property
    def routing(self) -> Step | None:
        """The step whose routing VP uses, or None (VP004)."""
        last = self.routing_steps[-1]
        return last if last.found else None

    @property
    def authorization(self) -> Step | None:
        """The step whose authorization VP accepts, or None (VP007)."""
        last = self.authorization_steps[-1]
        return last if last.found else None

    @property
    def code(self) -> Code | None:
        """VP's error code, routing checked first as VP does; None when the call works."""
        r = self.routing
        if r is None:
            return "VP004"
        if len(r.rows) > 1:
            return "VP006"
        if self.authorization is None:
            return "VP007"
        return None

    @property
    def works(self) -> bool:
        return self.code is None

    @property
    def outcome(self) -> Outcome:
        code = self.code
        if code is not None:
            return (code,)
        r = self.routing
        assert r is not None
        return ("works", *r.rows[0])

    @property
    def reason(self) -> str:
        """One sentence: what matched, or what is missing."""
        code = self.code
        ns = self.contract
        if code == "VP004":
            where = "its HSA ancestors up to SE, or *" if self.hsa_lookup_routing else "* (HSA lookup is off)"
            return f"no valid routing for {ns} at {self.address}, {where}"
        r = self.routing
        assert r is not None
        if code == "VP006":
            return f"{len(r.rows)} valid routings for {ns} at {r.address} ({r.kind}); VP needs exactly one"
        if code == "VP007":
            where = "*, or its HSA ancestors up to SE" if self.hsa_lookup_authorization else "or * (HSA lookup is off)"
            return f"{self.consumer} holds no valid authorization for {ns} at {self.address}, {where}"
        a = self.authorization
        assert a is not None
        producer, url, profile = r.rows[0]
        return (
            f"routed at {r.address} ({r.kind}) to {producer} {url} ({profile}); "
            f"authorized at {a.address} ({a.kind})"
        )


def resolve_call(state: CallState, consumer: str, contract: str, address: str) -> Call:
    """Resolve one call as VP does; ``consumer`` and ``address`` in any case."""
    consumer = normalize_hsa_id(consumer)
    address = normalize_hsa_id(address)
    tree = state.tree or EMPTY_TREE
    on_r = state.hsa_lookup.routing(contract)
    on_a = state.hsa_lookup.authorization(contract)
    rsteps: list[Step] = []
    for la in routing_order(address, tree, on_r):
        step = Step(la, _kind(la, address), state.routing_rows(la, contract))
        rsteps.append(step)
        if step.found:
            break
    asteps: list[Step] = []
    auths = state.authorizations
    for la in authorization_order(address, tree, on_a):
        key = (consumer, la, contract)
        step = Step(la, _kind(la, address), (key,) if key in auths else ())
        asteps.append(step)
        if step.found:
            break
    return Call(consumer, contract, address, tuple(rsteps), tuple(asteps), on_r, on_a)


def outcome_of(state: CallState, consumer: str, contract: str, address: str) -> Outcome:
    """The :data:`Outcome` of one call, without the steps (HSA-ids already upper case)."""
    routings = state.routings
    multi = state.multi_routings
    la = resolve_routing(
        address, lambda x: (x, contract) in routings, state.tree, state.hsa_lookup.routing(contract)
    )
    if la is None:
        return ("VP004",)
    if multi and (la, contract) in multi:
        return ("VP006",)
    auths = state.authorizations
    if (
        resolve_authorization(
            address, lambda x: (consumer, x, contract) in auths, state.tree, state.hsa_lookup.authorization(contract)
        )
        is None
    ):
        return ("VP007",)
    return ("works", *routings[(la, contract)])


def is_authorized(state: CallState, consumer: str, contract: str, address: str) -> bool:
    """Whether VP's authorization lookup finds a row for the call (HSA-ids already upper case)."""
    auths = state.authorizations
    return (
        resolve_authorization(
            address, lambda x: (consumer, x, contract) in auths, state.tree, state.hsa_lookup.authorization(contract)
        )
        is not None
    )

"""One environment seen whole: every routing and authorization, desired or current, marked with its status.

A row is *current* when the TAK holds it and the desired files ask for it; *desired-only* when the files ask for
it and the TAK does not hold it (an order is needed, or one is pending in the ledger); *current-only* when the
TAK holds it and no file asks for it (drift, where an organisation managing the environment owns the system or
manages the grant; out of scope otherwise; or its removal is pending). A routing whose producer, URL or profile
differs gives two rows: the desired value (desired-only) and the current one (current-only).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal, TypeVar

from tak_gitops.core.desired import DesiredState, EnvironmentState, Organisation
from tak_gitops.core.hsa import EMPTY_TREE, HsaTree
from tak_gitops.core.ledger import FINAL_STATES, LedgerRecord
from tak_gitops.core.orders import document_lines
from tak_gitops.core.pending import PendingOrder
from tak_gitops.core.snapshot import Snapshot

Status = Literal["current", "desired-only", "current-only"]
T = TypeVar("T")


@dataclass(frozen=True)
class Mark:
    """A row's status and why: ``reason`` is ``""`` for current rows, else ``order-needed``, ``pending``,
    ``drift``, ``replaced`` (a routing whose desired value differs) or ``out-of-scope``; ``order`` names the
    pending order."""

    status: Status
    reason: str = ""
    order: str | None = None

    @property
    def label(self) -> str:
        if self.status == "current":
            return "current"
        if self.reason == "pending":
            what = "order pending" if self.status == "desired-only" else "removal pending"
            return f"{self.status} · {what} ({self.order})"
        return f"{self.status} · {self.reason.replace('-', ' ')}"


CURRENT = Mark("current")
ORDER_NEEDED = Mark("desired-only", "order-needed")
DRIFT = Mark("current-only", "drift")
OUT_OF_SCOPE = Mark("current-only", "out-of-scope")
REPLACED = Mark("current-only", "replaced")
"""The current value of a routing the desired files give another producer, URL or profile."""


@dataclass(frozen=True)
class RoutingRow:
    """A vägval, desired or current."""

    address: str
    contract: str
    producer: str
    url: str
    profile: str
    mark: Mark


@dataclass(frozen=True)
class AuthorizationRow:
    """An anropsbehörighet, desired or current."""

    consumer: str
    address: str
    contract: str
    mark: Mark


@dataclass(frozen=True)
class OrderInfo:
    """An order of the ledger that is not final (or diverged, or expired): what the site shows of it."""

    order_id: str
    org: str
    system: str
    kind: str
    state: str
    submitted_at: str | None
    ticket: str | None
    lines: int


@dataclass(frozen=True)
class EnvView:
    """Every marked row of one environment, the names to show and the indexes the pages read."""

    env: str
    platform: str
    snapshot_time: str | None
    snapshot_source: str
    routings: tuple[RoutingRow, ...]
    authorizations: tuple[AuthorizationRow, ...]
    address_names: Mapping[str, str]
    system_names: Mapping[str, str]
    contract_names: Mapping[str, str]
    owners: Mapping[str, str]
    """System HSA-id -> organisation key (the ownership registry)."""
    organisations: Mapping[str, Organisation]
    managing: frozenset[str]
    """Organisations with a desired file for this environment."""
    orders: tuple[OrderInfo, ...] = ()
    tree: HsaTree = field(default=EMPTY_TREE)
    hsa_lookup_disabled: tuple[str, ...] = ()
    """Contract namespace prefixes for which VP does not climb the HSA tree (``tak-gitops.yaml``)."""

    @cached_property
    def routings_by_address(self) -> Mapping[str, tuple[RoutingRow, ...]]:
        return _index(self.routings, lambda r: r.address)

    @cached_property
    def routings_by_producer(self) -> Mapping[str, tuple[RoutingRow, ...]]:
        return _index(self.routings, lambda r: r.producer)

    @cached_property
    def routings_by_contract(self) -> Mapping[str, tuple[RoutingRow, ...]]:
        return _index(self.routings, lambda r: r.contract)

    @cached_property
    def authorizations_by_address(self) -> Mapping[str, tuple[AuthorizationRow, ...]]:
        return _index(self.authorizations, lambda a: a.address)

    @cached_property
    def authorizations_by_consumer(self) -> Mapping[str, tuple[AuthorizationRow, ...]]:
        return _index(self.authorizations, lambda a: a.consumer)

    @cached_property
    def authorizations_by_contract(self) -> Mapping[str, tuple[AuthorizationRow, ...]]:
        return _index(self.authorizations, lambda a: a.contract)

    @cached_property
    def current_only_by_system(self) -> Mapping[str, tuple[tuple[RoutingRow, ...], tuple[AuthorizationRow, ...]]]:
        """System -> its current-only routings (as producer) and authorizations (as consumer)."""
        r = _index([x for x in self.routings if x.mark.status == "current-only"], lambda x: x.producer)
        a = _index([x for x in self.authorizations if x.mark.status == "current-only"], lambda x: x.consumer)
        return {k: (r.get(k, ()), a.get(k, ())) for k in set(r) | set(a)}

    @cached_property
    def addresses(self) -> tuple[str, ...]:
        """Every logical address a page is made for: named by the TAK or the files, used by a row, or an HSA
        unit below a routed address (served through its ancestor; not below ``SE``, which is all of them)."""
        found = set(self.address_names)
        found.update(self.routings_by_address)
        found.update(self.authorizations_by_address)
        if self.tree.parents:
            for la in self.routings_by_address:
                if la not in ("SE", "*"):
                    found.update(self.tree.descendants(la))
        return tuple(sorted(found))

    @cached_property
    def systems(self) -> tuple[str, ...]:
        """Every system a page is made for: named, owned, or used by a row."""
        found = set(self.system_names)
        found.update(self.routings_by_producer)
        found.update(self.authorizations_by_consumer)
        found.update(s for s, org in self.owners.items() if org in self.organisations)
        return tuple(sorted(found))

    @cached_property
    def contracts(self) -> tuple[str, ...]:
        found = set(self.contract_names)
        found.update(self.routings_by_contract)
        found.update(self.authorizations_by_contract)
        return tuple(sorted(found))

    @cached_property
    def systems_of(self) -> Mapping[str, tuple[str, ...]]:
        """Organisation key -> the systems it owns, sorted."""
        out: dict[str, list[str]] = {}
        for system, org in self.owners.items():
            out.setdefault(org, []).append(system)
        return {k: tuple(sorted(v)) for k, v in out.items()}


def _index(rows: Sequence[T], key: Callable[[T], str]) -> dict[str, tuple[T, ...]]:
    out: dict[str, list[T]] = {}
    for row in rows:
        k = key(row)
        bucket = out.get(k)
        if bucket is None:
            out[k] = [row]
        else:
            bucket.append(row)
    return {k: tuple(v) for k, v in out.items()}


def _pending_marks(pending: Sequence[PendingOrder]) -> dict[tuple[str, str, tuple[str, ...]], Mark]:
    """(section, kind, key) -> the mark of the first pending order (by id) that carries that line."""
    marks: dict[tuple[str, str, tuple[str, ...]], Mark] = {}
    for order in sorted(pending):
        for line in order.lines:
            status: Status = "desired-only" if line.section == "inkludera" else "current-only"
            marks.setdefault((line.section, line.kind, tuple(line.key)), Mark(status, "pending", order.order_id))
    return marks


def build_view(
    *,
    env: str,
    desired: DesiredState,
    snapshot: Snapshot,
    ledger: Sequence[LedgerRecord] = (),
    pending: Sequence[PendingOrder] = (),
    tree: HsaTree | None = None,
    hsa_lookup_disabled: tuple[str, ...] = (),
) -> EnvView:
    """Mark every row of ``env``: the desired rows against the snapshot, with the ledger's pending orders."""
    state = desired.environments.get(env) or EnvironmentState(env, {}, {}, {})
    managing = frozenset(state.orgs)
    owners = desired.owners
    marks = _pending_marks(pending)
    managed_pairs = {(g.contract, la) for g in state.grants if g.manage and g.org in managing for la in g.addresses}

    routings: list[RoutingRow] = []
    current_r = snapshot.routings
    for key, value in state.routings.items():
        now = current_r.get(key)
        if now == value:
            mark = CURRENT
        else:
            mark = marks.get(("inkludera", "vagval", key), ORDER_NEEDED)
        routings.append(RoutingRow(key[0], key[1], *value, mark))
    for key, value in current_r.items():
        wanted = state.routings.get(key)
        if wanted == value:
            continue
        mark = marks.get(("exkludera", "vagval", key)) or (
            REPLACED if wanted is not None else DRIFT if owners.get(value[0]) in managing else OUT_OF_SCOPE
        )
        routings.append(RoutingRow(key[0], key[1], *value, mark))

    authorizations: list[AuthorizationRow] = []
    wanted_a = state.authorization_orgs
    current_a = snapshot.authorizations
    for akey in wanted_a:
        if akey in current_a:
            mark = CURRENT
        else:
            mark = marks.get(("inkludera", "anropsbehorighet", akey), ORDER_NEEDED)
        authorizations.append(AuthorizationRow(*akey, mark))
    for akey in snapshot.authorization_rows:
        if akey in wanted_a:
            continue
        consumer, la, ns = akey
        mark = marks.get(("exkludera", "anropsbehorighet", akey)) or (
            DRIFT if owners.get(consumer) in managing or (ns, la) in managed_pairs else OUT_OF_SCOPE
        )
        authorizations.append(AuthorizationRow(*akey, mark))

    address_names = dict(snapshot.logical_addresses)
    for hsa_id, address in desired.addresses.items():
        if address.name:
            address_names.setdefault(hsa_id, address.name)
    system_names = dict(snapshot.systems)
    for hsa_id, system in desired.systems.items():
        system_names[hsa_id] = system.name
    contract_names = {ns: c.description for ns, c in snapshot.contracts.items()}
    orders = tuple(
        OrderInfo(
            order_id=r.order_id,
            org=r.org,
            system=r.system,
            kind=r.kind,
            state=r.state,
            submitted_at=r.submitted_at,
            ticket=r.ticket,
            lines=len(document_lines(r.document)),
        )
        for r in sorted(ledger, key=lambda r: r.order_id)
        if r.state not in FINAL_STATES
    )
    return EnvView(
        env=env,
        platform=snapshot.platform,
        snapshot_time=snapshot.snapshot_time,
        snapshot_source=snapshot.source,
        routings=tuple(sorted(routings, key=_routing_order)),
        authorizations=tuple(sorted(authorizations, key=_auth_order)),
        address_names=address_names,
        system_names=system_names,
        contract_names=contract_names,
        owners=dict(owners),
        organisations=dict(desired.organisations),
        managing=managing,
        orders=orders,
        tree=tree or EMPTY_TREE,
        hsa_lookup_disabled=hsa_lookup_disabled,
    )


_STATUS_ORDER = {"current": 0, "desired-only": 1, "current-only": 2}


def _routing_order(r: RoutingRow) -> tuple[str, str, int, str, str, str]:
    return (r.address, r.contract, _STATUS_ORDER[r.mark.status], r.producer, r.url, r.profile)


def _auth_order(a: AuthorizationRow) -> tuple[str, str, str, int]:
    return (a.consumer, a.address, a.contract, _STATUS_ORDER[a.mark.status])

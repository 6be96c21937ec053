"""What each page of one environment shows: the index, organisations, systems, contracts and logical addresses.

Every builder takes the :class:`~tak_gitops.core.site.view.EnvView` and returns a page model (plain frozen
values); the templates only lay them out. Long lists are folded and paged (:mod:`tak_gitops.core.site.lists`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from tak_gitops.core.site import paths
from tak_gitops.core.site.lists import Group, Section, flat, fold, inline_rows, section, short_contract
from tak_gitops.core.site.reach import Calls
from tak_gitops.core.site.view import AuthorizationRow, EnvView, RoutingRow

Continuations = list[tuple[str, str, Section]]
"""Continuation pages a builder made: (path, title, the section's rows for that page)."""


@dataclass(frozen=True)
class Endpoint:
    """A URL and profile a producer serves a contract at, with how many rows of each status use it."""

    url: str
    profile: str
    counts: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Aggregate:
    """Rows of one system (with URL and profile for producers) on a contract page, counted per status."""

    system: str
    status: str
    label: str
    count: int
    url: str = ""
    profile: str = ""


@dataclass(frozen=True)
class SystemPage:
    hsa_id: str
    name: str
    owner: str | None
    produced: tuple[Section, ...]
    consumed: tuple[Section, ...]


@dataclass(frozen=True)
class ContractPage:
    namespace: str
    short: str
    description: str
    producers: Section
    consumers: Section


@dataclass(frozen=True)
class AddressPage:
    hsa_id: str
    name: str
    ancestors: tuple[str, ...]
    """From the root (``SE``) down to the parent."""
    children: tuple[str, ...]
    children_total: int
    routings: Section
    callers: Section


@dataclass(frozen=True)
class IndexPage:
    env: str
    platform: str
    snapshot_time: str | None
    snapshot_source: str
    routing_counts: tuple[tuple[str, int], ...]
    authorization_counts: tuple[tuple[str, int], ...]
    orgs: tuple[tuple[str, str, int], ...]
    """(key, name, rows not current)"""
    systems: int
    contracts: int
    addresses: int
    open_orders: int


CHILDREN_SHOWN = 200
STATUSES = ("current", "desired-only", "current-only")


def _counts(marks: Sequence[str]) -> tuple[tuple[str, int], ...]:
    c = Counter(marks)
    return tuple((s, c[s]) for s in STATUSES)


def index_page(view: EnvView) -> IndexPage:
    not_current: Counter[str] = Counter()
    for r in view.routings:
        if r.mark.status != "current":
            not_current[view.owners.get(r.producer, "")] += 1
    for a in view.authorizations:
        if a.mark.status != "current":
            not_current[view.owners.get(a.consumer, "")] += 1
    return IndexPage(
        env=view.env,
        platform=view.platform,
        snapshot_time=view.snapshot_time,
        snapshot_source=view.snapshot_source,
        routing_counts=_counts([r.mark.status for r in view.routings]),
        authorization_counts=_counts([a.mark.status for a in view.authorizations]),
        orgs=tuple((k, o.name, not_current[k]) for k, o in sorted(view.organisations.items())),
        systems=len(view.systems),
        contracts=len(view.contracts),
        addresses=len(view.addresses),
        open_orders=len(view.orders),
    )


def by_contract(rows: Sequence[RoutingRow] | Sequence[AuthorizationRow]) -> dict[str, list[object]]:
    out: dict[str, list[object]] = {}
    for row in rows:
        out.setdefault(row.contract, []).append(row)
    return dict(sorted(out.items()))


def endpoints(rows: Sequence[RoutingRow]) -> tuple[Endpoint, ...]:
    counts: dict[tuple[str, str], Counter[str]] = {}
    for r in rows:
        counts.setdefault((r.url, r.profile), Counter())[r.mark.status] += 1
    return tuple(
        Endpoint(url, profile, tuple((s, n) for s in STATUSES if (n := c[s])))
        for (url, profile), c in sorted(counts.items())
    )


def address_of(row: object) -> str:
    return row.address  # type: ignore[attr-defined,no-any-return]


def system_page(view: EnvView, hsa_id: str, calls: Calls) -> tuple[SystemPage, Continuations]:
    """A producer's contracts with URL, profile and the addresses each serves (folded along the HSA tree); a
    consumer's contracts and the addresses it can call."""
    base = paths.system_page(hsa_id)
    produced = by_contract(view.routings_by_producer.get(hsa_id, ()))
    consumed: dict[str, list[object]] = {}
    for reach in calls.reach_of(hsa_id):
        consumed.setdefault(reach.contract, []).append(reach)
    consumed = dict(sorted(consumed.items()))
    inline = inline_rows(len(produced) + len(consumed))
    more: Continuations = []
    p_sections = []
    for ns, rows in produced.items():
        title = f"{short_contract(ns)}: addresses served"
        sec, pages = section(
            f"p-{paths.anchor(ns)}",
            title,
            "routing",
            fold(rows, address_of, view.tree),
            inline=inline,
            page=base,
            continuation=partial(paths.continuation_page, base, f"p-{ns}"),
            extra=(ns, endpoints(rows)),  # type: ignore[arg-type]
        )
        p_sections.append(sec)
        more += [(sec.more[n - 2], title, _page_section(sec, g)) for n, g in pages]
    c_sections = []
    for ns, reaches in consumed.items():
        title = f"{short_contract(ns)}: authorized addresses and VP's answer"
        sec, pages = section(
            f"c-{paths.anchor(ns)}",
            title,
            "reach",
            fold(reaches, address_of, view.tree),
            inline=inline,
            page=base,
            continuation=partial(paths.continuation_page, base, f"c-{ns}"),
            extra=(ns, ()),
        )
        c_sections.append(sec)
        more += [(sec.more[n - 2], title, _page_section(sec, g)) for n, g in pages]
    page = SystemPage(
        hsa_id=hsa_id,
        name=view.system_names.get(hsa_id, ""),
        owner=view.owners.get(hsa_id),
        produced=tuple(p_sections),
        consumed=tuple(c_sections),
    )
    return page, more


def _page_section(sec: Section, groups: tuple[Group, ...]) -> Section:
    return Section(sec.anchor, sec.title, sec.kind, groups, sec.total, (), None, sec.extra)


def contract_page(view: EnvView, namespace: str) -> tuple[ContractPage, Continuations]:
    """Who produces a contract where (per producer, URL and profile), and who may call it (per consumer)."""
    base = paths.contract_page(namespace)
    prod: Counter[tuple[str, str, str, str, str]] = Counter()
    for r in view.routings_by_contract.get(namespace, ()):
        prod[(r.producer, r.mark.status, r.mark.label, r.url, r.profile)] += 1
    cons: Counter[tuple[str, str, str]] = Counter()
    for a in view.authorizations_by_contract.get(namespace, ()):
        cons[(a.consumer, a.mark.status, a.mark.label)] += 1
    producers = [Aggregate(p, s, lab, n, u, pr) for (p, s, lab, u, pr), n in sorted(prod.items())]
    consumers = [Aggregate(c, s, lab, n) for (c, s, lab), n in sorted(cons.items())]
    inline = inline_rows(2)
    more: Continuations = []
    secs = []
    for anchor, title, rows in (("producers", "Produced by", producers), ("consumers", "May be called by", consumers)):
        sec, pages = section(
            anchor,
            title,
            anchor,
            flat(rows),
            inline=inline,
            page=base,
            continuation=partial(paths.continuation_page, base, anchor),
            extra=(namespace, ()),
        )
        secs.append(sec)
        more += [(sec.more[n - 2], title, _page_section(sec, g)) for n, g in pages]
    page = ContractPage(
        namespace=namespace,
        short=short_contract(namespace),
        description=view.contract_names.get(namespace, ""),
        producers=secs[0],
        consumers=secs[1],
    )
    return page, more


@dataclass(frozen=True)
class Served:
    """A routing on an address or (``via``) on one of its HSA ancestors."""

    address: str
    row: RoutingRow
    via: str | None = None


def address_page(view: EnvView, hsa_id: str, calls: Calls) -> tuple[AddressPage, Continuations]:
    """A logical address: its place in the HSA tree, the routings that serve it directly or through an
    ancestor, and the consumers that can call it."""
    base = paths.address_page(hsa_id)
    tree = view.tree
    ancestors = tuple(reversed(tuple(tree.ancestors(hsa_id)))) if hsa_id not in ("*", "SE") else ()
    kids = tree.children.get(hsa_id, ()) if tree.parents else ()
    routed = [Served(hsa_id, r) for r in view.routings_by_address.get(hsa_id, ())]
    for ancestor in reversed(ancestors):
        routed += [Served(hsa_id, r, ancestor) for r in view.routings_by_address.get(ancestor, ())]
    callers = list(calls.callers_of(hsa_id))
    inline = inline_rows(2)
    more: Continuations = []
    secs = []
    for anchor, title, kind, rows in (
        ("routings", "Routings that serve it", "served", routed),
        ("callers", "Consumers that can call it (as VP answers)", "caller", callers),
    ):
        sec, pages = section(
            anchor,
            title,
            kind,
            flat(rows),
            inline=inline,
            page=base,
            continuation=partial(paths.continuation_page, base, anchor),
        )
        secs.append(sec)
        more += [(sec.more[n - 2], title, _page_section(sec, g)) for n, g in pages]
    page = AddressPage(
        hsa_id=hsa_id,
        name=view.address_names.get(hsa_id) or tree.names.get(hsa_id, ""),
        ancestors=ancestors,
        children=kids[:CHILDREN_SHOWN],
        children_total=len(kids),
        routings=secs[0],
        callers=secs[1],
    )
    return page, more

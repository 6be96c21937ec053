"""Adoption: turn what an organisation has in the TAK today into desired-state documents.

``build_import`` takes a snapshot and the systems an organisation owns and returns plain documents (the contents
of ``organisation.yaml`` and ``<ENV>.yaml``) plus CSV address sets, grouped so they read well:

* routings grouped by producer, then by (contract, URL, profile), each with its addresses;
* authorizations grouped by consumer, then by the set of addresses, each entry listing the contracts that share
  exactly that set;
* address lists longer than ``inline_limit`` become CSV address sets, shared where two lists are identical;
* a producer or consumer with more than ``table_limit`` rows gets a CSV table instead: a routing table
  (``contract;address;name``) of every contract it serves at one URL, an authorization table
  (``contract;address``) of all its authorizations.

Planning right after an import is empty: the documents declare exactly the rows in the organisation's scope.
``missing_rows`` finds what an existing desired state lacks, for ``import --merge``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from tak_gitops.core.desired import EnvironmentState
from tak_gitops.core.snapshot import AuthorizationKey, RoutingKey, RoutingValue, Snapshot

DEFAULT_INLINE_LIMIT = 10
DEFAULT_TABLE_LIMIT = 50
ROUTING_HEADER = ("contract", "address", "name")
AUTHORIZATION_HEADER = ("contract", "address")

_CONTRACT_SHORT_RE = re.compile(r":([A-Za-z0-9_]+?)(?:Responder)?:(\d+)$")


@dataclass(frozen=True)
class ImportRows:
    """The rows of one organisation's scope: routings by key and authorizations."""

    routings: Mapping[RoutingKey, RoutingValue]
    authorizations: frozenset[AuthorizationKey]


@dataclass(frozen=True)
class ImportResult:
    """Documents for one organisation and environment. ``csv_sets`` maps a set name to (relative CSV path, rows)."""

    organisation: dict[str, object]
    environment: dict[str, object]
    csv_sets: Mapping[str, tuple[str, tuple[tuple[str, str], ...]]] = field(default_factory=dict)
    tables: Mapping[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    """CSV tables by path relative to the organisation folder: the header, then the rows."""


def contract_short_name(namespace: str) -> str:
    """``urn:riv:...:GetCareContactsResponder:2`` -> ``getcarecontacts-v2`` (used to name address sets)."""
    m = _CONTRACT_SHORT_RE.search(namespace)
    if not m:
        return re.sub(r"[^a-z0-9]+", "-", namespace.lower()).strip("-")[-40:]
    return f"{m.group(1).lower()}-v{m.group(2)}"


def system_name(description: str, hsa_id: str) -> str:
    """The system's name from a TAK description of the form ``Organisation -- System -- Other``."""
    parts = [p.strip() for p in description.split("--") if p.strip()]
    if len(parts) >= 2:
        return parts[1]
    return parts[0] if parts else hsa_id


def rows_in_scope(snapshot: Snapshot, owned: Iterable[str]) -> ImportRows:
    """The routings whose producer and the authorizations whose consumer the organisation owns."""
    systems = {s.upper() for s in owned}
    routings = {k: v for k, v in snapshot.routings.items() if v[0] in systems}
    auths = frozenset(a for a in snapshot.authorizations if a[0] in systems)
    return ImportRows(routings, auths)


def rows_by_owner(snapshot: Snapshot, owners: Mapping[str, str]) -> dict[str, ImportRows]:
    """:func:`rows_in_scope` of every organisation at once, in one pass over the snapshot: ``owners`` maps a
    system HSA-id (upper case) to its organisation."""
    routings: dict[str, dict[RoutingKey, RoutingValue]] = defaultdict(dict)
    for key, value in snapshot.routings.items():
        org = owners.get(value[0])
        if org is not None:
            routings[org][key] = value
    auths: dict[str, set[AuthorizationKey]] = defaultdict(set)
    for auth in snapshot.authorizations:
        org = owners.get(auth[0])
        if org is not None:
            auths[org].add(auth)
    orgs = sorted(set(owners.values()))
    return {org: ImportRows(routings.get(org, {}), frozenset(auths.get(org, ()))) for org in orgs}


def missing_rows(rows: ImportRows, state: EnvironmentState | None) -> ImportRows:
    """The rows of ``rows`` an existing desired environment does not declare (for ``import --merge``).

    A routing whose key the desired state declares with another value is not "missing": the existing file wins
    and the next plan shows the difference.
    """
    if state is None:
        return rows
    routings = {k: v for k, v in rows.routings.items() if k not in state.routings}
    auths = frozenset(a for a in rows.authorizations if a not in state.authorization_orgs)
    return ImportRows(routings, auths)


class _SetNamer:
    """Names address sets deterministically and shares one set between identical address lists."""

    def __init__(self, env: str, inline_limit: int, names: Mapping[str, str], reserved: Iterable[str]) -> None:
        self.env = env.lower()
        self.inline_limit = inline_limit
        self.names = names
        self.reserved = set(reserved)
        self.by_members: dict[tuple[str, ...], str] = {}
        self.sets: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {}

    def entries(self, addresses: Iterable[str], hint: str) -> list[object]:
        unique = set(addresses)
        # `*` is written inline: it is a wildcard, never a member of an address set.
        wildcard: list[object] = ["*"] if "*" in unique else []
        members = tuple(sorted(unique - {"*"}))
        if len(members) <= self.inline_limit:
            return wildcard + [self._entry(a) for a in members]
        name = self.by_members.get(members)
        if name is None:
            base = f"{self.env}-{hint}"
            name, n = base, 2
            while name in self.sets or name in self.reserved:
                name, n = f"{base}-{n}", n + 1
            self.by_members[members] = name
            rows = tuple((a, self.names.get(a, "")) for a in members)
            self.sets[name] = (f"addresses/{name}.csv", rows)
        return [*wildcard, {"set": name}]

    def _entry(self, address: str) -> object:
        name = self.names.get(address)
        if address == "*" or not name:
            return address
        return {"hsa_id": address, "name": name}


def build_import(
    snapshot: Snapshot,
    *,
    env: str,
    owned: Iterable[str],
    rows: ImportRows | None = None,
    environments: Iterable[str] = (),
    inline_limit: int = DEFAULT_INLINE_LIMIT,
    table_limit: int | None = DEFAULT_TABLE_LIMIT,
    reserved_set_names: Iterable[str] = (),
) -> ImportResult:
    """Build the organisation and environment documents for the organisation owning ``owned``.

    ``rows`` restricts the import to those rows (``missing_rows`` for a merge); by default every row in scope.
    ``reserved_set_names`` are address-set names already used by the organisation (never reused);
    ``table_limit`` None writes no tables.
    """
    owned_set = sorted({s.upper() for s in owned})
    scope = rows if rows is not None else rows_in_scope(snapshot, owned_set)
    namer = _SetNamer(env, inline_limit, snapshot.logical_addresses, reserved_set_names)

    producers: dict[str, dict[tuple[str, str, str], set[str]]] = defaultdict(lambda: defaultdict(set))
    for (la, ns), (producer, url, profile) in scope.routings.items():
        producers[producer][(ns, url, profile)].add(la)

    tables: dict[str, tuple[tuple[str, ...], ...]] = {}
    names = snapshot.logical_addresses
    producer_docs: list[dict[str, object]] = []
    for producer in sorted(producers):
        served = producers[producer]
        once = Counter(ns for ns, _url, _profile in served)
        tabled = table_limit is not None and sum(map(len, served.values())) > table_limit
        table_rows: list[tuple[str, ...]] = []
        contracts = []
        for (ns, url, profile), las in sorted(served.items()):
            served_at: dict[str, object] = {"contract": ns, "profile": profile, "url": url}
            if tabled and once[ns] == 1:
                table_rows.extend((ns, la, names.get(la, "")) for la in sorted(las))
            else:
                served_at["addresses"] = namer.entries(las, contract_short_name(ns))
            contracts.append(served_at)
        doc: dict[str, object] = {"system": producer}
        if table_rows:
            path = f"tables/{env}/{producer}-routings.csv"
            tables[path] = (ROUTING_HEADER, *table_rows)
            doc["routing_table"] = path
        doc["contracts"] = contracts
        producer_docs.append(doc)

    by_consumer: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for consumer, la, ns in scope.authorizations:
        by_consumer[consumer][ns].add(la)
    consumer_docs: list[dict[str, object]] = []
    for consumer in sorted(by_consumer):
        if table_limit is not None and sum(map(len, by_consumer[consumer].values())) > table_limit:
            path = f"tables/{env}/{consumer}-authorizations.csv"
            grants = by_consumer[consumer]
            tables[path] = (AUTHORIZATION_HEADER, *((ns, la) for ns in sorted(grants) for la in sorted(grants[ns])))
            consumer_docs.append({"system": consumer, "authorization_table": path})
            continue
        groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for ns, las in by_consumer[consumer].items():
            groups[tuple(sorted(las))].append(ns)
        entries = []
        for las_key, namespaces in sorted(groups.items(), key=lambda kv: (sorted(kv[1]), kv[0])):
            ns_sorted = sorted(namespaces)
            entries.append(
                {
                    "contracts": ns_sorted,
                    "addresses": namer.entries(las_key, contract_short_name(ns_sorted[0]) + "-consumer"),
                }
            )
        consumer_docs.append({"system": consumer, "authorizations": entries})

    env_doc: dict[str, object] = {}
    if producer_docs:
        env_doc["producers"] = producer_docs
    if consumer_docs:
        env_doc["consumers"] = consumer_docs

    envs = sorted(set(environments) | {env})
    systems_doc = []
    for hsa in owned_set:
        description = snapshot.systems.get(hsa)
        entry: dict[str, object] = {"hsa_id": hsa, "name": system_name(description or "", hsa)}
        if description:
            entry["description"] = description
        entry["environments"] = envs
        systems_doc.append(entry)
    org_doc: dict[str, object] = {"systems": systems_doc}
    if namer.sets:
        org_doc["address_sets"] = {name: {"csv": path} for name, (path, _rows) in sorted(namer.sets.items())}
    return ImportResult(
        organisation=org_doc, environment=env_doc, csv_sets=dict(sorted(namer.sets.items())), tables=tables
    )

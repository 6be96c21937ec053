"""The planner: desired state + snapshot (+ HSA tree, pending orders) -> an ordered, checked :class:`Plan`.

One entry point, :func:`make_plan`. It works on natural-key tuples with set and dict operations only, so a
national-scale TAK (150,000 routings, 300,000 authorizations) plans in about half a second once loaded.
"""

from __future__ import annotations

import gc
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from operator import itemgetter

from tak_gitops.core.canonical import digest
from tak_gitops.core.config import ProjectConfig
from tak_gitops.core.desired import DesiredState, EnvironmentState, Location
from tak_gitops.core.hsa import ROOT, WILDCARD, HsaTree, resolve_routing
from tak_gitops.core.pending import PendingOrder
from tak_gitops.core.plan.cascade import CascadeCandidate, HasRow, find_cascades
from tak_gitops.core.plan.guards import empty_snapshot_refusal, removal_refusals
from tak_gitops.core.plan.held import hold_pending
from tak_gitops.core.plan.model import (
    Change,
    Finding,
    ManualStep,
    PendingEntry,
    Plan,
    PlanInputs,
    Refusal,
)
from tak_gitops.core.plan.scope import build_scope
from tak_gitops.core.plan.waves import Placed, build_orders
from tak_gitops.core.snapshot import AuthorizationKey, RoutingKey, RoutingValue, Snapshot
from tak_gitops.errors import UsageError


@dataclass(frozen=True)
class Acknowledgements:
    """Acknowledgements given on the command line; merged with those in the desired files.

    ``cascades``: addresses whose cascade is accepted; ``removals``: organisation -> exact number of removals
    accepted over the guard; ``allow_empty_snapshot``: plan against a snapshot without rows.
    """

    cascades: frozenset[str] = frozenset()
    removals: Mapping[str, int] = field(default_factory=dict)
    allow_empty_snapshot: bool = False


_MAJOR_RE = re.compile(r":(\d+)$")


def contract_description(namespace: str) -> tuple[str, int]:
    """Description and major version for a contract created by an order, from its namespace
    (``urn:riv:...:GetCareContactsResponder:2`` -> ``("GetCareContacts", 2)``)."""
    m = _MAJOR_RE.search(namespace)
    major = int(m.group(1)) if m else 1
    parts = namespace.split(":")
    name = parts[-2] if m and len(parts) >= 2 else parts[-1]
    if name.endswith("Responder"):
        name = name[: -len("Responder")]
    return name, major


def _sort_findings(items: Iterable[Finding]) -> tuple[Finding, ...]:
    unique = set(items)
    return tuple(sorted(unique, key=lambda f: (f.path or "", f.line or 0, f.col or 0, f.code, f.org or "", f.message)))


def _at(code: str, message: str, org: str | None, location: Location | None) -> Finding:
    if location is None:
        return Finding(code, message, org)
    return Finding(code, message, org, location.path, location.line, location.col)


def pending_digest(pending: Iterable[PendingOrder]) -> str:
    """``sha256:`` of the pending orders' content (ids, states and lines)."""
    return digest(
        sorted(
            [p.order_id, p.env, p.state, [[ln.section, ln.kind, list(ln.key), ln.value] for ln in p.lines]]
            for p in pending
        )
    )


def make_plan(
    desired: DesiredState,
    snapshot: Snapshot,
    *,
    env: str,
    config: ProjectConfig,
    orgs: Collection[str] | None = None,
    hsa: HsaTree | None = None,
    pending: Iterable[PendingOrder] = (),
    acks: Acknowledgements | None = None,
) -> Plan:
    """Plan ``env`` for ``orgs`` (default: every organisation with a file for ``env``).

    The cyclic garbage collector is paused while planning: the planner allocates hundreds of thousands of
    small tuples and no cycles, and collection passes would otherwise cost a third of the time.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        return _make_plan(desired, snapshot, env=env, config=config, orgs=orgs, hsa=hsa, pending=pending, acks=acks)
    finally:
        if paused:
            gc.enable()


def _make_plan(
    desired: DesiredState,
    snapshot: Snapshot,
    *,
    env: str,
    config: ProjectConfig,
    orgs: Collection[str] | None,
    hsa: HsaTree | None,
    pending: Iterable[PendingOrder],
    acks: Acknowledgements | None,
) -> Plan:
    acks = acks or Acknowledgements()
    if env not in config.environments:
        raise UsageError(f"unknown environment {env!r}; known: {', '.join(sorted(config.environments)) or 'none'}")
    envcfg = config.environments[env]
    state = desired.environments.get(env) or EnvironmentState(env, {}, {}, {})
    owners = desired.owners
    warnings: list[Finding] = []
    errors: list[Finding] = []

    if orgs is None:
        planning = frozenset(state.orgs)
    else:
        planning = frozenset(o for o in orgs if o in state.orgs)
        for o in sorted(set(orgs) - planning):
            warnings.append(
                Finding("ORG_NOT_MANAGED", f"organisation {o!r} has no desired file for {env}: nothing is planned", o)
            )

    scope = build_scope(state, owners, planning, snapshot)
    errors.extend(scope.errors)
    s_r = snapshot.routings
    s_a = snapshot.authorizations
    a_rows = snapshot.authorization_rows  # the same rows, for scans

    # What exists today: installed contracts, logical addresses and systems (descriptions, or rows that use them).
    row_index: dict[str, set[str]] = {}

    def rows_mention(kind: str) -> set[str]:
        if kind not in row_index:
            if kind == "contracts":
                row_index[kind] = {ns for (_la, ns) in s_r} | {ns for (_c, _la, ns) in a_rows}
            elif kind == "addresses":
                row_index[kind] = {la for (la, _ns) in s_r} | {la for (_c, la, _ns) in a_rows}
            else:
                row_index[kind] = {v[0] for v in s_r.values()} | {c for (c, _la, _ns) in a_rows}
        return row_index[kind]

    def contract_known(ns: str) -> bool:
        return ns in snapshot.contracts or ns in rows_mention("contracts")

    new_contracts: dict[str, tuple[str, int]] = {}

    def check_contract(ns: str, org: str, location: Location | None) -> bool:
        if contract_known(ns):
            return True
        if envcfg.create_missing_contracts:
            new_contracts[ns] = contract_description(ns)
            return True
        errors.append(
            _at(
                "CONTRACT_NOT_INSTALLED",
                f"contract {ns} is not installed on {env}; have it installed first "
                f"(or set create_missing_contracts for {env})",
                org,
                location,
            )
        )
        return False

    placed: list[Placed] = []

    # Routings: adds and changes declared by planning organisations; takeovers need the desired file's consent.
    for key, value in scope.desired_routings.items():
        cur = s_r.get(key)
        if cur == value:
            continue
        org = scope.routing_org[key]
        if org not in planning:
            continue
        location = state.locations.get(key)
        if cur is not None and owners.get(cur[0]) != org and key not in state.orgs[org].takeovers:
            holder = owners.get(cur[0])
            whose = f"organisation {holder!r}" if holder else "no organisation (not in the ownership registry)"
            errors.append(
                _at(
                    "TAKEOVER",
                    f"({key[0]}, {key[1]}) is routed today to {cur[0]}, owned by {whose}; {org!r} may take it "
                    f"over only if its file lists it under `takeover`; no order is made for it",
                    org,
                    location,
                )
            )
            continue
        if not check_contract(key[1], org, location):
            continue
        if cur is None:
            change = Change("add-routing", key, after=value)
        else:
            change = Change("change-routing", key, before=cur, after=value)
        placed.append(Placed(org, "producer", value[0], change))

    # Routing removals: rows of planning organisations' producers that nobody desires.
    planning_systems = frozenset(s for s, o in owners.items() if o in planning)
    desired_routings = scope.desired_routings
    gone_r = [k for k, v in s_r.items() if v[0] in planning_systems and k not in desired_routings]
    for key in gone_r:
        cur = s_r[key]
        placed.append(Placed(owners[cur[0]], "remove-routings", cur[0], Change("remove-routing", key, before=cur)))

    # Authorization adds: a consumer's own declaration (consumer order) or a grant (the granting producer's order).
    for akey in [k for k in scope.desired_auths if k not in s_a]:
        wanting = scope.desired_auths[akey]
        consumer = akey[0]
        corg = owners.get(consumer)
        if corg is not None and corg in planning and corg in wanting:
            where = Placed(corg, "consumer", consumer, Change("add-authorization", akey))
        elif akey in scope.grant_of:
            gorg, producer = scope.grant_of[akey]
            where = Placed(gorg, "producer", producer, Change("add-authorization", akey))
        else:
            continue
        if not check_contract(akey[2], where.org, state.locations.get(akey)):
            continue
        placed.append(where)

    # Authorization removals: managed by a grant with `manage`, else by the consumer's owner.
    desired_auths = scope.desired_auths
    managers = scope.managed
    managed_las = frozenset(la for la, _ns in managers)
    # A plan for a few organisations keeps the current authorizations it can touch (for the guards too); a plan
    # for most takes the set difference first (a scan of the frozenset with dict lookups is four times slower).
    mine_a: list[AuthorizationKey] | None = None
    if 4 * len(planning_systems) < len(owners):
        mine_a = [k for k in a_rows if k[0] in planning_systems or k[1] in managed_las]
        gone_a = [k for k in mine_a if k not in desired_auths]
    else:
        gone_a = [k for k in s_a - desired_auths.keys() if k[0] in planning_systems or k[1] in managed_las]
    for akey in gone_a:
        managed = managers.get((akey[1], akey[2]))
        if managed is not None:
            placed.append(Placed(managed[0], "remove-authorizations", managed[1], Change("remove-authorization", akey)))
        elif akey[0] in planning_systems:
            change = Change("remove-authorization", akey)
            placed.append(Placed(owners[akey[0]], "remove-authorizations", akey[0], change))

    # Pending orders: identical lines are held back, contradicting ones are planned and warned about.
    pending_orders = sorted((p for p in pending if p.env == env), key=lambda p: p.order_id)
    placed, held, superseded = hold_pending(placed, pending_orders)
    warnings.extend(superseded)
    held_changes = [c for changes in held.values() for c in changes]

    # New logical addresses and systems referred to by additions.
    new_addresses: dict[str, str] = {}
    new_systems: dict[str, str] = {}
    missing_names: set[str] = set()
    unknown_systems: set[str] = set()
    known_addresses = snapshot.logical_addresses
    known_systems = snapshot.systems
    # In a fixed order: when two organisations need the same new address or system, the first one met is named in
    # the error (and takes the description), so the order must not depend on set iteration.
    for pl in sorted(placed, key=lambda p: (p.change.sort_key, p.org, p.kind, p.system)):
        c = pl.change
        if c.action in ("add-routing", "change-routing"):
            la = c.key[0]
            systems = [c.after[0]] if c.after is not None else []
            location = state.locations.get(c.key)
        elif c.action == "add-authorization":
            la = c.key[1]
            systems = [c.key[0]]
            location = state.locations.get(c.key)
        else:
            continue
        if (
            la != WILDCARD  # '*' (Standardbehörighet) is on every TAK, but the TAK-api lists it only when used
            and la not in new_addresses
            and la not in missing_names
            and la not in known_addresses
            and la not in rows_mention("addresses")
        ):
            addr = desired.addresses.get(la)
            if addr is None or not addr.name:
                missing_names.add(la)
                errors.append(
                    _at(
                        "ADDRESS_NAME_MISSING",
                        f"logical address {la} does not exist in the TAK yet; give it a name "
                        f"({{hsa_id: {la}, name: ...}}) so that it can be created",
                        pl.org,
                        location,
                    )
                )
            else:
                new_addresses[la] = addr.name
        for s in systems:
            if s in new_systems or s in unknown_systems or s in known_systems or s in rows_mention("systems"):
                continue
            sys = desired.systems.get(s)
            if sys is None:
                unknown_systems.add(s)
                errors.append(
                    _at(
                        "UNKNOWN_SYSTEM",
                        f"system {s} does not exist in the TAK and no organisation describes it in "
                        "organisation.yaml; it cannot be created",
                        pl.org,
                        location,
                    )
                )
            else:
                new_systems[s] = sys.description

    # The state after the plan (planned and pending changes), as lookups for cascades and warnings.
    added_r: dict[RoutingKey, RoutingValue] = {}
    removed_r: set[RoutingKey] = set()
    added_a: set[AuthorizationKey] = set()
    removed_a: set[AuthorizationKey] = set()
    for c in [pl.change for pl in placed] + held_changes:
        if c.action in ("add-routing", "change-routing"):
            assert c.after is not None
            added_r[(c.key[0], c.key[1])] = c.after
        elif c.action == "remove-routing":
            removed_r.add((c.key[0], c.key[1]))
        elif c.action == "add-authorization":
            added_a.add((c.key[0], c.key[1], c.key[2]))
        elif c.action == "remove-authorization":
            removed_a.add((c.key[0], c.key[1], c.key[2]))

    def routing_has(ns: str, after: bool) -> HasRow:
        if not after:
            return lambda la: (la, ns) in s_r
        return lambda la: (la, ns) in added_r or ((la, ns) in s_r and (la, ns) not in removed_r)

    def auth_has(consumer: str, ns: str, after: bool) -> HasRow:
        if not after:
            return lambda la: (consumer, la, ns) in s_a
        return lambda la: (
            (consumer, la, ns) in added_a or ((consumer, la, ns) in s_a and (consumer, la, ns) not in removed_a)
        )

    disabled = envcfg.hsa_lookup_disabled

    lookup_cache: dict[str, bool] = {}

    def hsa_lookup(ns: str) -> bool:
        found = lookup_cache.get(ns)
        if found is None:
            found = lookup_cache[ns] = not any(ns.startswith(p) for p in disabled)
        return found

    hsa_names: Mapping[str, str] = hsa.names if hsa is not None else {}

    def name_of(la: str) -> str | None:
        """A readable name: the HSA unit's, else the TAK description, else the desired name."""
        found = hsa_names.get(la) or snapshot.logical_addresses.get(la)
        if found:
            return found
        addr = desired.addresses.get(la)
        return addr.name if addr is not None else None

    def is_vg(la: str) -> bool:
        addr = desired.addresses.get(la)
        return snapshot.logical_addresses.get(la, "").startswith("VG:") or (
            addr is not None and (addr.kind == "VG" or (addr.name or "").startswith("VG:"))
        )

    ve_index: dict[str, list[str]] | None = None
    org_ves: dict[tuple[str, str], set[str]] | None = None

    def known_ves(org: str, la: str, ns: str) -> Collection[str]:
        nonlocal ve_index, org_ves
        if ve_index is None:
            ve_index = {}
            for a in desired.addresses.values():
                if a.vg:
                    ve_index.setdefault(a.vg, []).append(a.hsa_id)
        linked = ve_index.get(la)
        if linked:
            return linked
        if org_ves is None:
            org_ves = {}
            for (dla, dns), o in scope.routing_org.items():
                if (name_of(dla) or "").startswith("VE:"):
                    org_ves.setdefault((o, dns), set()).add(dla)
        return org_ves.get((org, ns), set())

    def acknowledged(org: str, la: str) -> bool:
        oe = state.orgs.get(org)
        return la in acks.cascades or (oe is not None and la in oe.acknowledged_cascades)

    candidates = [
        CascadeCandidate(pl.change.action, pl.change.key, pl.org)
        for pl in placed
        if pl.change.action not in ("add-logical-address", "add-system", "add-contract")
    ]
    cascades = find_cascades(
        candidates,
        tree=hsa,
        routing_has=routing_has,
        auth_has=auth_has,
        hsa_lookup=hsa_lookup,
        name_of=name_of,
        is_vg=is_vg,
        known_ves=known_ves,
        acknowledged=acknowledged,
    )
    refusals: list[Refusal] = []
    if cascades and hsa is None:
        warnings.append(
            Finding(
                "CASCADE_WITHOUT_HSA",
                "no HSA file was given: cascades are found by the TAK's 'VG:' description prefix and the care "
                "units below each care giver are not known; give --hsa FILE to see them",
            )
        )
    seen_refused: set[tuple[str, str]] = set()
    for cas in cascades:
        if cas.needs_acknowledgement and not cas.acknowledged and (cas.org, cas.address) not in seen_refused:
            seen_refused.add((cas.org, cas.address))
            oe = state.orgs.get(cas.org)
            hint = (
                f"; acknowledge with --ack-cascade {cas.address} or `acknowledge: {{cascades: [{cas.address}]}}` "
                f"in {oe.path}"
                if oe is not None
                else ""
            )
            refusals.append(
                Refusal(
                    "cascade",
                    cas.org,
                    f"{cas.change} of the {cas.kind} on {cas.address} for {cas.contract} cascades to "
                    f"{len(cas.descendants)} address(es) below it"
                    + (" (descendants unknown without an HSA file)" if cas.source == "description-prefix" else "")
                    + hint,
                    f"--ack-cascade {cas.address}",
                )
            )

    # Warnings on desired rows of the planning organisations.
    post_ns_count: Counter[str] | None = None

    def any_routing_after(ns: str) -> bool:
        nonlocal post_ns_count
        if post_ns_count is None:
            post_ns_count = Counter(k[1] for k in s_r)
            for k in removed_r:
                if k in s_r:
                    post_ns_count[k[1]] -= 1
            for k in added_r:
                if k not in s_r or k in removed_r:
                    post_ns_count[k[1]] += 1
        return post_ns_count[ns] > 0

    has_cache: dict[str, HasRow] = {}
    grant_of = scope.grant_of
    for akey, wanting in scope.desired_auths.items():
        consumer, la, ns = akey
        if la not in (WILDCARD, ROOT) and (la, ns) in s_r and (la, ns) not in removed_r:
            continue  # routed exactly, today and after: the common case
        aorg = owners.get(consumer)
        if aorg is None or aorg not in planning or aorg not in wanting:
            g = grant_of.get(akey)
            if g is None:
                continue
            aorg = g[0]
        if la == ROOT:
            warnings.append(
                _at(
                    "SE_ROW",
                    f"authorization of {consumer} on SE for {ns}: SE is the HSA root and acts as a catch-all only "
                    "where HSA lookup is on; use * (standardbehörighet)",
                    aorg,
                    state.locations.get(akey),
                )
            )
        if la in (WILDCARD, ROOT):
            ok = any_routing_after(ns)  # a catch-all: fine when anything is routed for the contract
        else:
            has = has_cache.get(ns)
            if has is None:
                has = has_cache[ns] = routing_has(ns, True)
            ok = resolve_routing(la, has, hsa, hsa_lookup(ns)) is not None
        if not ok:
            warnings.append(
                _at(
                    "NO_ROUTING_FOR_AUTHORIZATION",
                    f"{consumer} is authorized on {la} for {ns}, but no routing serves {la} for that contract "
                    "(neither exact, nor through the HSA tree, nor *)",
                    aorg,
                    state.locations.get(akey),
                )
            )
    for key in scope.desired_routings:
        if key[0] == ROOT and scope.routing_org[key] in planning:
            warnings.append(
                _at(
                    "SE_ROW",
                    f"routing on SE for {key[1]}: SE is the HSA root and acts as a catch-all only where HSA lookup "
                    "is on, before *; use * for a default routing",
                    scope.routing_org[key],
                    state.locations.get(key),
                )
            )

    # Manual steps: renames, description changes, addresses left unused.
    manual: set[ManualStep] = set()
    # a rename belongs to the first (by key) planning organisation whose desired rows use the address
    renamed: dict[str, tuple[str, str]] = {}
    for la, addr in desired.addresses.items():
        current = snapshot.logical_addresses.get(la)
        if addr.name and current is not None and current.strip() != addr.name.strip():
            renamed[la] = (current, addr.name)
    referenced: dict[str, str] = {}
    if renamed:
        for key, org in scope.routing_org.items():
            if key[0] in renamed and org in planning and (key[0] not in referenced or org < referenced[key[0]]):
                referenced[key[0]] = org
        for akey, wanting in scope.desired_auths.items():
            if akey[1] not in renamed:
                continue
            # the planning organisation the desire belongs to: the consumer's owner, else the granter
            aorg = owners.get(akey[0])
            if aorg is None or aorg not in planning or aorg not in wanting:
                granter = grant_of.get(akey)
                if granter is None:
                    continue
                aorg = granter[0]
            if akey[1] not in referenced or aorg < referenced[akey[1]]:
                referenced[akey[1]] = aorg
    for la, org in referenced.items():
        current, name = renamed[la]
        manual.add(
            ManualStep(
                "rename-logical-address",
                la,
                org,
                current,
                name,
                "Change the description of the logical address in TAK-web; orders cannot.",
            )
        )
    for s, sys in desired.systems.items():
        if sys.org not in planning or (sys.environments and env not in sys.environments):
            continue
        current = snapshot.systems.get(s)
        if current is not None and sys.description and current.strip() != sys.description.strip():
            manual.add(
                ManualStep(
                    "change-system-description",
                    s,
                    sys.org,
                    current,
                    sys.description,
                    "Change the description of the service component in TAK-web; orders cannot.",
                )
            )
    removal_las: dict[str, str] = {}
    for pl in placed:
        if pl.change.is_removal:
            la = pl.change.key[0] if pl.change.action == "remove-routing" else pl.change.key[1]
            if la not in removal_las or pl.org < removal_las[la]:
                removal_las[la] = pl.org
    if removal_las:
        removed_la = removal_las.__contains__
        used = Counter(filter(removed_la, map(itemgetter(0), s_r)))
        used.update(filter(removed_la, map(itemgetter(1), a_rows)))
        for k in removed_r:
            if k in s_r:
                used[k[0]] -= 1
        for ak in removed_a:
            if ak in s_a:
                used[ak[1]] -= 1
        for k in added_r:
            if k not in s_r or k in removed_r:
                used[k[0]] += 1
        for ak in added_a:
            if ak not in s_a or ak in removed_a:
                used[ak[1]] += 1
        for la, org in removal_las.items():
            if used[la] <= 0 and la not in (WILDCARD, ROOT):
                manual.add(
                    ManualStep(
                        "remove-logical-address",
                        la,
                        org,
                        snapshot.logical_addresses.get(la),
                        None,
                        "No routing or authorization uses this logical address after the plan; remove it in "
                        "TAK-web if it is no longer needed (orders cannot).",
                    )
                )

    # Guards.
    removals_by_org: Counter[str] = Counter(pl.org for pl in placed if pl.change.is_removal)
    if removals_by_org:
        # rows per organisation (a managed authorization counts for its manager); only planning organisations
        # have removals, and every authorization of theirs is in ``mine_a`` when that is set
        rows_a = a_rows if mine_a is None else mine_a
        rows_by_org: Counter[str] = Counter()
        per_system: Counter[str] = Counter(map(itemgetter(0), s_r.values()))
        if managers:
            rows_by_org.update(
                managers[(la, ns)][0] if (la, ns) in managers else owners.get(c, "") for (c, la, ns) in rows_a
            )
        else:
            per_system.update(map(itemgetter(0), rows_a))
        for system, n in per_system.items():
            owner = owners.get(system)
            if owner is not None:
                rows_by_org[owner] += n
        acked: dict[str, int | None] = {o: state.orgs[o].acknowledged_removals for o in planning}
        acked.update({o: n for o, n in acks.removals.items()})
        refusals.extend(
            removal_refusals(
                env=env,
                removals=removals_by_org,
                rows=rows_by_org,
                guards=config.guards,
                acknowledged=acked,
                paths={o: state.orgs[o].path for o in planning},
            )
        )
    if not s_r and not s_a:
        desired_rows = sum(1 for o in scope.routing_org.values() if o in planning) + sum(
            1 for w in scope.desired_auths.values() if w & planning
        )
        empty = empty_snapshot_refusal(
            env=env, current_rows=0, desired_rows=desired_rows, allowed=acks.allow_empty_snapshot
        )
        if empty is not None:
            refusals.append(empty)

    orders = build_orders(
        placed,
        org_envs=state.orgs,
        new_addresses=new_addresses,
        new_systems=new_systems,
        new_contracts=new_contracts,
    )
    pending_entries = tuple(
        PendingEntry(
            order_id=p.order_id,
            state=p.state,
            ticket=p.ticket,
            submitted_at=p.submitted_at,
            lines=len(p.lines),
            held=tuple(sorted(set(held.get(p.order_id, ())), key=lambda c: c.sort_key)),
        )
        for p in pending_orders
    )
    hsa_digest = None
    if hsa is not None:
        hsa_digest = hsa.digest or digest(sorted(hsa.parents.items()))
    return Plan(
        environment=env,
        plattform=envcfg.plattform,
        organisations=tuple(sorted(planning)),
        inputs=PlanInputs(
            desired_digest=desired.digest(env),
            snapshot_digest=snapshot.digest,
            snapshot_time=snapshot.snapshot_time,
            snapshot_source=snapshot.source,
            hsa_digest=hsa_digest,
            pending_digest=pending_digest(pending_orders),
        ),
        orders=orders,
        cascades=tuple(cascades),
        manual_steps=tuple(sorted(manual, key=lambda m: (m.kind, m.hsa_id, m.org))),
        pending=pending_entries,
        warnings=_sort_findings(warnings),
        errors=_sort_findings(errors),
        refusals=tuple(sorted(set(refusals), key=lambda r: (r.guard, r.org or "", r.message))),
    )


__all__: list[str] = ["Acknowledgements", "make_plan", "contract_description", "pending_digest"]

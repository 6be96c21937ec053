"""Hypothesis strategies: small random TAK worlds (snapshot, desired state, HSA tree) for planner properties."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from tak_gitops.core.config import EnvironmentConfig, GuardConfig, ProjectConfig, TakApiTarget
from tak_gitops.core.desired import (
    Address,
    DesiredState,
    EnvironmentState,
    Grant,
    Organisation,
    OrgEnvironment,
    System,
)
from tak_gitops.core.hsa import HsaTree
from tak_gitops.core.snapshot import AuthorizationKey, Contract, RoutingKey, RoutingValue, Snapshot

ENV = "NTJP-TEST"
ORGS = ("org-a", "org-b", "org-c")
OWNERS = {"SE-A1": "org-a", "SE-A2": "org-a", "SE-B1": "org-b", "SE-C1": "org-c"}
SYSTEMS = (*OWNERS, "SE-X9")  # SE-X9 belongs to nobody
ADDRESSES = ("SE-VG1", "SE-VE11", "SE-VE12", "SE-VG2", "SE-VE21", "SE-LA3")
TREE = HsaTree(
    parents={"SE-VG1": "SE", "SE-VE11": "SE-VG1", "SE-VE12": "SE-VG1", "SE-VG2": "SE", "SE-VE21": "SE-VG2"},
    names={"SE-VG1": "Care giver 1", "SE-VE11": "Unit 11", "SE-VE12": "Unit 12", "SE-VG2": "Care giver 2"},
)
CONTRACTS = ("urn:riv:test:AlphaResponder:1", "urn:riv:test:BetaResponder:2")
URLS = ("https://a.example.se/1", "https://b.example.se/2")
PROFILES = ("RIVTABP21",)
NAMES = {la: f"{'VG' if 'VG' in la else 'VE'}: {la}" for la in ADDRESSES} | {"*": "Standardbehörighet"}

ROUTING_KEYS = tuple((la, ns) for la in ADDRESSES for ns in CONTRACTS)
AUTH_KEYS = tuple((c, la, ns) for c in SYSTEMS for la in (*ADDRESSES, "*") for ns in CONTRACTS)


def config() -> ProjectConfig:
    """Guards wide open: properties look at the changes, not at refusals."""
    return ProjectConfig(
        environments={ENV: EnvironmentConfig(plattform=ENV, tak_api=TakApiTarget(platform="NTJP", environment="TEST"))},
        guards=GuardConfig(max_removal_share=1.0, max_removals=10_000),
    )


def snapshot_of(routings: dict[RoutingKey, RoutingValue], auths: frozenset[AuthorizationKey]) -> Snapshot:
    return Snapshot(
        platform="NTJP",
        environment="TEST",
        snapshot_time=None,
        source="sim",
        routings=routings,
        authorizations=auths,
        logical_addresses={la: NAMES[la] for la in (*ADDRESSES, "*")},
        systems={s: f"System {s}" for s in SYSTEMS},
        contracts={ns: Contract(ns, ns.split(":")[-2], int(ns.split(":")[-1])) for ns in CONTRACTS},
    )


@st.composite
def snapshots(draw: st.DrawFn) -> Snapshot:
    keys = draw(st.lists(st.sampled_from(ROUTING_KEYS), unique=True, max_size=8))
    routings = {
        k: (draw(st.sampled_from(SYSTEMS)), draw(st.sampled_from(URLS)), draw(st.sampled_from(PROFILES))) for k in keys
    }
    auths = frozenset(draw(st.lists(st.sampled_from(AUTH_KEYS), unique=True, max_size=12)))
    return snapshot_of(routings, auths)


@dataclass(frozen=True)
class World:
    desired: DesiredState
    snapshot: Snapshot


def desired_state(
    routings: dict[RoutingKey, RoutingValue],
    routing_orgs: dict[RoutingKey, str],
    auth_orgs: dict[AuthorizationKey, set[str]],
    grants: list[Grant],
    managed: frozenset[str],
    allow_all_takeovers: bool = True,
) -> DesiredState:
    orgs = {
        o: OrgEnvironment(
            org=o,
            env=ENV,
            path=f"desired/{o}/{ENV}.yaml",
            comment=f"change of {o}",
            acknowledged_cascades=frozenset((*ADDRESSES, "*", "SE")),
            takeovers=frozenset(ROUTING_KEYS) if allow_all_takeovers else frozenset(),
        )
        for o in managed
    }
    state = EnvironmentState(
        env=ENV,
        routings=routings,
        routing_orgs=routing_orgs,
        authorization_orgs={k: frozenset(v) for k, v in auth_orgs.items()},
        grants=tuple(grants),
        orgs=orgs,
    )
    return DesiredState(
        organisations={o: Organisation(o, o.upper(), "000000-0000") for o in ORGS},
        owners=dict(OWNERS),
        systems={s: System(s, s, o, f"System {s}", frozenset({ENV})) for s, o in OWNERS.items()},
        addresses={la: Address(la, NAMES[la]) for la in (*ADDRESSES, "*")},
        environments={ENV: state},
    )


@st.composite
def worlds(draw: st.DrawFn, allow_all_takeovers: bool = True) -> World:
    snap = draw(snapshots())
    managed = frozenset(draw(st.lists(st.sampled_from(ORGS), unique=True, min_size=1)))
    routings: dict[RoutingKey, RoutingValue] = {}
    routing_orgs: dict[RoutingKey, str] = {}
    auth_orgs: dict[AuthorizationKey, set[str]] = {}
    grants: list[Grant] = []
    for org in sorted(managed):
        own = [s for s, o in OWNERS.items() if o == org]
        for key in draw(st.lists(st.sampled_from(ROUTING_KEYS), unique=True, max_size=5)):
            if key in routings:
                continue
            routings[key] = (draw(st.sampled_from(own)), draw(st.sampled_from(URLS)), PROFILES[0])
            routing_orgs[key] = org
        for consumer in own:
            for la, ns in draw(
                st.lists(st.sampled_from([(la, ns) for la in (*ADDRESSES, "*") for ns in CONTRACTS]), max_size=4)
            ):
                auth_orgs.setdefault((consumer, la, ns), set()).add(org)
        for _ in range(draw(st.integers(0, 2))):
            producer = draw(st.sampled_from(own))
            ns = draw(st.sampled_from(CONTRACTS))
            routed = sorted(la for (la, n), v in routings.items() if n == ns and v[0] == producer)
            explicit = draw(st.lists(st.sampled_from(routed), unique=True)) if routed and draw(st.booleans()) else []
            consumers = frozenset(draw(st.lists(st.sampled_from(SYSTEMS), min_size=1, max_size=2, unique=True)))
            g = Grant(org, producer, ns, consumers, frozenset(explicit), draw(st.booleans()))
            grants.append(g)
            for la in explicit or routed:
                for c in consumers:
                    auth_orgs.setdefault((c, la, ns), set()).add(org)
    desired = desired_state(routings, routing_orgs, auth_orgs, grants, managed, allow_all_takeovers)
    return World(desired, snap)


def desired_equal_to(snap: Snapshot) -> DesiredState:
    """A desired state in which every organisation declares exactly the rows of its systems today."""
    routings = {k: v for k, v in snap.routings.items() if v[0] in OWNERS}
    routing_orgs = {k: OWNERS[v[0]] for k, v in routings.items()}
    auth_orgs = {k: {OWNERS[k[0]]} for k in snap.authorizations if k[0] in OWNERS}
    return desired_state(routings, routing_orgs, auth_orgs, [], frozenset(ORGS))

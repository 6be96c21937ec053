"""A national-scale TAK as an adopting organisation finds it: address lists that rarely repeat, and a 1 % drift.

``generate(shape)`` makes the rows (by default 300 organisations, 60,000 logical addresses, 150,000 routings,
300,000 authorizations): each organisation owns two producers and two consumers; a producer serves a few
contracts, mostly on its own organisation's addresses, some on other organisations'; a consumer is authorized
on random addresses of every organisation, so lists are short and seldom identical. A few producers serve one
contract at two URLs. ``write_export`` saves the rows as TAK-api v2 responses (what `fetch --raw-dir` keeps),
``write_skeleton`` the repository without desired folders (`import` writes them), and ``drift`` the same TAK
after 1 % of changes (URLs moved, authorizations removed, new addresses routed) with the plan that must undo
exactly them. Deterministic for a seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from pathlib import Path

import orjson

ENV = "NTJP-PROD"
SNAPSHOT_TIME = "2026-11-20T02:31:07+0100"
PROFILE = "RIVTABP21"


@dataclass(frozen=True)
class Shape:
    """How large the TAK is."""

    orgs: int = 300
    addresses: int = 60_000
    routings: int = 150_000
    authorizations: int = 300_000
    contracts: int = 400

    def scaled(self, factor: float) -> Shape:
        """The same TAK ``factor`` times as large in rows (the organisations and contracts stay)."""
        return replace(
            self,
            addresses=int(self.addresses * factor),
            routings=int(self.routings * factor),
            authorizations=int(self.authorizations * factor),
        )


NATIONAL = Shape()


def org_key(o: int) -> str:
    return f"org-{o:03d}"


def producer(o: int, j: int) -> str:
    return f"SE{o:04d}000000-P{j}"


def consumer(o: int, j: int) -> str:
    return f"SE{o:04d}000000-K{j}"


def contract(c: int) -> str:
    return f"urn:riv:domain{c % 37}:area{c % 5}:Service{c}Responder:{1 + c % 3}"


@dataclass
class World:
    """The rows of one TAK: routings (address, contract) -> (producer, URL, profile); authorizations
    (consumer, address, contract); address names."""

    shape: Shape
    addresses: dict[str, str] = field(default_factory=dict)
    routings: dict[tuple[str, str], tuple[str, str, str]] = field(default_factory=dict)
    authorizations: set[tuple[str, str, str]] = field(default_factory=set)


def generate(shape: Shape = NATIONAL, seed: int = 19) -> World:
    rng = random.Random(seed)
    world = World(shape)
    per_org = max(1, shape.addresses // shape.orgs)
    own: list[list[str]] = []
    for o in range(shape.orgs):
        las = [f"SE{o:04d}0000-{n:05d}" for n in range(per_org)]
        own.append(las)
        world.addresses.update((la, f"Enhet {n} i organisation {o}") for n, la in enumerate(las))
    every = list(world.addresses)
    producers = [(o, j) for o in range(shape.orgs) for j in (1, 2)]
    per_producer = max(1, shape.routings // len(producers))
    served: dict[str, list[str]] = {}
    for o, j in producers:
        system = producer(o, j)
        contracts = rng.sample(range(shape.contracts), 6)
        served[system] = [contract(c) for c in contracts]
        urls = {contract(c): f"https://p{j}.org{o}.example.se/service{c}/{PROFILE.lower()}" for c in contracts}
        second = contract(contracts[0]) if (o + j) % 7 == 0 else None  # one contract at two URLs
        made, tries = 0, 0
        while made < per_producer and tries < per_producer * 20:
            tries += 1
            la = rng.choice(own[o]) if rng.random() < 0.8 else rng.choice(every)
            ns = rng.choice(served[system])
            if (la, ns) in world.routings:
                continue
            url = urls[ns] if ns != second or rng.random() < 0.5 else urls[ns].replace("://p", "://alt.p")
            world.routings[(la, ns)] = (system, url, PROFILE)
            made += 1
    keys = sorted(world.routings)  # a consumer is authorized where something is routed
    consumers = [consumer(o, j) for o in range(shape.orgs) for j in (1, 2)]
    per_consumer = max(1, shape.authorizations // len(consumers))
    for system in consumers:
        made, tries = 0, 0
        while made < per_consumer and tries < per_consumer * 20:
            tries += 1
            key = (system, *rng.choice(keys))
            if key in world.authorizations:
                continue
            world.authorizations.add(key)
            made += 1
    return world


@dataclass(frozen=True)
class Drift:
    """The TAK after a drift, and the plan changes that undo it: ``(action, key)`` each."""

    world: World
    expected: frozenset[tuple[str, tuple[str, ...]]]


def drift(world: World, share: float = 0.01, seed: int = 23) -> Drift:
    """1 % of the routings moved to another URL, 1 % of the authorizations removed and 1 % new addresses, each
    routed by a producer for a contract it serves: what the plan of the imported repository must undo."""
    rng = random.Random(seed)
    after = World(world.shape, dict(world.addresses), dict(world.routings), set(world.authorizations))
    expected: set[tuple[str, tuple[str, ...]]] = set()
    for key in rng.sample(sorted(world.routings), int(len(world.routings) * share)):
        system, url, profile = world.routings[key]
        after.routings[key] = (system, url.replace("https://", "https://moved."), profile)
        expected.add(("change-routing", key))
    for key in rng.sample(sorted(world.authorizations), int(len(world.authorizations) * share)):
        after.authorizations.discard(key)
        expected.add(("add-authorization", key))
    contract_of = {value: ns for (_la, ns), value in sorted(world.routings.items())}
    values = sorted(contract_of)
    for n in range(int(len(world.addresses) * share)):
        la = f"SE9999{n:06d}-NEW"
        after.addresses[la] = f"Ny enhet {n}"
        value = rng.choice(values)
        after.routings[(la, contract_of[value])] = value
        expected.add(("remove-routing", (la, contract_of[value])))
    return Drift(after, frozenset(expected))


def write_export(world: World, out: Path, *, indent: bool = False) -> None:
    """The TAK-api v2 responses of ``world`` (compact JSON, or pretty-printed with ``indent``)."""
    out.mkdir(parents=True, exist_ok=True)
    option = orjson.OPT_INDENT_2 if indent else 0
    cp = {"id": 4, "platform": "NTJP", "environment": "PROD", "snapshotTime": SNAPSHOT_TIME}
    namespaces = sorted({ns for _la, ns in world.routings} | {ns for _c, _la, ns in world.authorizations})
    contracts = {
        ns: {"id": 300 + i, "name": ns.rsplit(":", 2)[1].removesuffix("Responder"), "namespace": ns,
             "major": int(ns.rsplit(":", 1)[1]), "minor": 0}
        for i, ns in enumerate(namespaces)
    }
    las = {
        la: {"id": 20000 + i, "logicalAddress": la, "description": name}
        for i, (la, name) in enumerate(sorted(world.addresses.items()))
    }
    systems: dict[str, dict[str, object]] = {}

    def component(hsa: str) -> dict[str, object]:
        found = systems.get(hsa)
        if found is None:
            o = int(hsa[2:6])
            description = f"Organisation {o} -- System {hsa[-2:]}"
            found = systems[hsa] = {"id": 800 + len(systems), "hsaId": hsa, "description": description}
        return found

    productions = [
        {"id": 50000 + i, "physicalAddress": url, "rivtaProfile": profile, "serviceProducer": component(system),
         "logicalAddress": las[la], "serviceContract": contracts[ns]}
        for i, ((la, ns), (system, url, profile)) in enumerate(sorted(world.routings.items()))
    ]
    coops = [
        {"id": 100000 + i, "serviceConsumer": component(system), "logicalAddress": las[la],
         "serviceContract": contracts[ns]}
        for i, (system, la, ns) in enumerate(sorted(world.authorizations))
    ]
    (out / "connectionPoints.json").write_bytes(orjson.dumps([cp], option=option))
    (out / "installedContracts.json").write_bytes(
        orjson.dumps(
            [{"id": 1200 + i, "connectionPoint": cp, "serviceContract": c} for i, c in enumerate(contracts.values())],
            option=option,
        )
    )
    (out / "logicalAddresses.json").write_bytes(orjson.dumps(list(las.values()), option=option))
    (out / "serviceProductions.json").write_bytes(orjson.dumps(productions, option=option))
    (out / "cooperations.json").write_bytes(orjson.dumps(coops, option=option))


def write_skeleton(shape: Shape, root: Path) -> None:
    """``tak-gitops.yaml`` and ``ownership.yaml`` of the adopting repository; no organisation folder yet."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "tak-gitops.yaml").write_text(
        f"environments:\n  {ENV}:\n    plattform: {ENV}\n    tak_api: {{platform: NTJP, environment: PROD}}\n"
        "guards: {max_removal_share: 1.0, min_rows_for_share: 10, max_removals: 1000000}\n",
        encoding="utf-8",
    )
    lines = ["organisations:"]
    for o in range(shape.orgs):
        systems = ", ".join([producer(o, 1), producer(o, 2), consumer(o, 1), consumer(o, 2)])
        number = f'"{232100 + o}-0000"'
        lines += [f"  {org_key(o)}:", f"    name: Organisation {o}", f"    number: {number}"]
        lines.append(f"    systems: [{systems}]")
    (root / "ownership.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def plan_changes(document: dict[str, object]) -> frozenset[tuple[str, tuple[str, ...]]]:
    """``(action, key)`` of every change in a plan document's orders (refusing one planned twice)."""
    found: list[tuple[str, tuple[str, ...]]] = []
    for order in document["orders"]:  # type: ignore[attr-defined]
        for change in order["changes"]:
            action = change["action"]
            if action.endswith("authorization"):
                found.append((action, (change["consumer"], change["address"], change["contract"])))
            elif action.endswith("routing"):
                found.append((action, (change["address"], change["contract"])))
    if len(set(found)) != len(found):
        raise AssertionError("a change is planned twice")
    return frozenset(found)

"""A plan for some organisations reads only the folders that can change it, and is the same as from every folder.

The property writes random repositories (several organisations with producers, consumers, grants with and
without ``manage``, takeovers, CSV sets, lower-case spellings, addresses shared between organisations) and a
random current TAK, then compares, byte for byte, the plan document made from every folder with the one made
from the folders ``load_desired(plan_for=...)`` picks, for every organisation and for pairs.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tak_gitops.adapters.desired_loader import PlanFor, load_desired, load_desired_or_raise
from tak_gitops.core.canonical import pretty_json
from tak_gitops.core.config import ProjectConfig
from tak_gitops.core.desired import DesiredState, EnvironmentState, OrgEnvironment
from tak_gitops.core.hsa import HsaTree
from tak_gitops.core.plan import make_plan
from tak_gitops.core.relevance import IdMatcher, relevant_ids
from tak_gitops.core.snapshot import Contract, Snapshot

ENV = "NTJP-TEST"
ORGS = ("org-a", "org-b", "org-c", "org-d", "org-e")
SYSTEMS = {org: (f"SE23210000{i:02d}-P", f"SE23210000{i:02d}-C") for i, org in enumerate(ORGS)}
OWNER = {s: org for org, pair in SYSTEMS.items() for s in pair}
STRAY = "SE9999999999-X"  # a system nobody owns
ADDRESSES = {org: tuple(f"SE23210000{i:02d}-{n:04d}" for n in range(4)) for i, org in enumerate(ORGS)}
ALL_ADDRESSES = tuple(la for las in ADDRESSES.values() for la in las)
CONTRACTS = ("urn:riv:test:AlphaResponder:1", "urn:riv:test:BetaResponder:2")
URLS = ("https://a.example.se/1", "https://b.example.se/2")
# Address 0 of each organisation is a care giver with 1 and 2 below it; address 3 stands alone.
TREE = HsaTree(
    parents={la: (las[0] if n in (1, 2) else "SE") for las in ADDRESSES.values() for n, la in enumerate(las)},
    names={la: f"Unit {la}" for la in ALL_ADDRESSES},
)


def _config_text() -> str:
    return (
        "environments:\n"
        f"  {ENV}:\n    plattform: {ENV}\n    tak_api: {{platform: NTJP, environment: TEST}}\n"
        "  NTJP-QA:\n    plattform: NTJP-QA\n    tak_api: {platform: NTJP, environment: QA}\n"
        "guards: {max_removal_share: 1.0, max_removals: 10000}\n"
    )


def _ownership_text() -> str:
    lines = ["organisations:"]
    for i, org in enumerate(ORGS):
        lines += [f"  {org}:", f"    name: Organisation {i}", f'    number: "23210000{i:02d}"']
        lines.append(f"    systems: [{', '.join(SYSTEMS[org])}]")
    return "\n".join(lines) + "\n"


def _spell(draw: st.DrawFn, hsa_id: str) -> str:
    """HSA-ids are compared in upper case: files may spell them in lower case."""
    return hsa_id.lower() if draw(st.booleans()) else hsa_id


def _address(draw: st.DrawFn, la: str) -> str | dict[str, str]:
    """A bare HSA-id, or one with the name a new address is created with."""
    if la == "*":
        return la
    return {"hsa_id": _spell(draw, la), "name": f"VE: Unit {la}"} if draw(st.booleans()) else _spell(draw, la)


@st.composite
def repositories(draw: st.DrawFn) -> tuple[dict[str, str], Snapshot]:
    """(relative path -> file text, current TAK) of a valid repository."""
    files = {"tak-gitops.yaml": _config_text(), "ownership.yaml": _ownership_text()}
    taken: dict[tuple[str, str], str] = {}  # routing key -> declaring organisation (one declaration per key)
    wanted: list[tuple[str, str, str]] = []  # authorizations some file asks for
    for org in ORGS:
        if not draw(st.booleans()) and org != "org-a":
            continue  # no folder at all
        producer, consumer = SYSTEMS[org]
        own = ADDRESSES[org]
        # sparse, as a country is: an organisation routes its own addresses (and may take over one of the
        # next organisation's) and consumes the next organisation's, so most folders are irrelevant to a plan
        nxt = ADDRESSES[ORGS[(ORGS.index(org) + 1) % len(ORGS)]]
        organisation: dict[str, Any] = {
            "systems": [
                {"hsa_id": s, "name": f"System {s}", "description": f"{org} -- {s}", "environments": [ENV]}
                for s in SYSTEMS[org]
            ]
        }
        csv_set = draw(st.lists(st.sampled_from(own + nxt), unique=True, max_size=3))
        if csv_set:
            organisation["address_sets"] = {"partners": {"csv": "addresses/partners.csv"}}
            files[f"desired/{org}/addresses/partners.csv"] = "hsa-id;name\n" + "".join(
                f"{_spell(draw, la)};Unit {la}\n" for la in csv_set
            )
        files[f"desired/{org}/organisation.yaml"] = json.dumps(organisation, indent=1)
        if not draw(st.integers(0, 4)):
            continue  # a folder without a file for ENV: not managed there
        env: dict[str, Any] = {"comment": f"change of {org}"}
        if draw(st.booleans()):
            env["acknowledge"] = {"cascades": list(ALL_ADDRESSES)}
        routed: dict[str, list[str]] = {}
        contracts = []
        for ns in CONTRACTS:
            keys = draw(st.lists(st.sampled_from((*own, nxt[3], "*")), unique=True, max_size=3))
            keys = [la for la in keys if taken.setdefault((la, ns), org) == org]
            if keys:
                routed[ns] = keys
                contracts.append(
                    {
                        "contract": ns,
                        "profile": "RIVTABP21",
                        "url": draw(st.sampled_from(URLS)),
                        "addresses": [_address(draw, la) for la in keys],
                    }
                )
        if contracts:
            env["producers"] = [{"system": _spell(draw, producer), "contracts": contracts}]
            takeovers = [{"address": la, "contract": ns} for ns, las in routed.items() for la in las if la != "*"]
            env["takeover"] = takeovers[: draw(st.integers(0, len(takeovers)))]
        auths = draw(st.lists(st.tuples(st.sampled_from(CONTRACTS), st.sampled_from((*own, *nxt, "*"))), max_size=4))
        entries: list[dict[str, Any]] = [{"contracts": [ns], "addresses": [_spell(draw, la)]} for ns, la in auths]
        wanted += [(consumer, la, ns) for ns, la in auths]
        if csv_set and draw(st.booleans()):
            entries.append({"contracts": [draw(st.sampled_from(CONTRACTS))], "addresses": [{"set": "partners"}]})
        if entries:
            env["consumers"] = [{"system": consumer, "authorizations": entries}]
        grants = []
        for ns, las in sorted(routed.items()):
            if draw(st.booleans()):
                grant: dict[str, Any] = {
                    "producer": producer,
                    "contracts": [ns],
                    "consumers": draw(
                        st.lists(st.sampled_from((*OWNER, STRAY)), min_size=1, max_size=2, unique=True).map(sorted)
                    ),
                    "manage": draw(st.booleans()),
                }
                explicit = [la for la in las if la != "*"]
                if explicit and draw(st.booleans()):
                    grant["addresses"] = explicit[:1]
                grants.append(grant)
                wanted += [(c, la, ns) for c in grant["consumers"] for la in grant.get("addresses", las)]
        if grants:
            env["grants"] = grants
        files[f"desired/{org}/{ENV}.yaml"] = json.dumps(env, indent=1)
        if draw(st.booleans()):
            files[f"desired/{org}/NTJP-QA.yaml"] = json.dumps({"comment": "QA"})
    # The current TAK: rows on keys some file wants, held by any system (so that one organisation's rows today
    # are what another one's file asks for), and a few rows anywhere.
    systems = (*OWNER, STRAY)
    keys = draw(st.lists(st.sampled_from(sorted(taken)), unique=True)) if taken else []
    keys += draw(st.lists(st.tuples(st.sampled_from((*ALL_ADDRESSES, "*")), st.sampled_from(CONTRACTS)), max_size=3))
    routings = {key: (draw(st.sampled_from(systems)), draw(st.sampled_from(URLS)), "RIVTABP21") for key in keys}
    rows = draw(st.lists(st.sampled_from(wanted), unique=True)) if wanted else []
    rows = [(draw(st.sampled_from(systems)) if draw(st.booleans()) else c, la, ns) for c, la, ns in rows]
    rows += draw(
        st.lists(
            st.tuples(st.sampled_from(systems), st.sampled_from((*ALL_ADDRESSES, "*")), st.sampled_from(CONTRACTS)),
            max_size=3,
        )
    )
    auths = frozenset(rows)
    snapshot = Snapshot(
        platform="NTJP",
        environment="TEST",
        snapshot_time=None,
        source="sim",
        routings=routings,
        authorizations=auths,
        logical_addresses={la: f"VE: Unit {la}" for la in ALL_ADDRESSES[::2]} | {"*": "Standardbehörighet"},
        systems={s: f"System {s}" for s in systems[draw(st.integers(0, 3)) :: 3]},
        contracts={ns: Contract(ns, ns.split(":")[-2], int(ns[-1])) for ns in CONTRACTS},
    )
    return files, snapshot


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _plan_bytes(state: DesiredState, config: ProjectConfig, snapshot: Snapshot, orgs: list[str]) -> bytes:
    plan = make_plan(state, snapshot, env=ENV, config=config, orgs=orgs, hsa=TREE)
    return pretty_json(plan.to_document())


@given(repositories(), st.sampled_from([o for o in ORGS if o != "org-a"]))
def test_a_plan_from_the_relevant_folders_equals_the_plan_from_every_folder(
    repo: tuple[dict[str, str], Snapshot], second: str
) -> None:
    files, snapshot = repo
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _write(root, files)
        full = load_desired_or_raise(root)
        for orgs in [[org] for org in ORGS] + [["org-a", second]]:
            scoped = load_desired_or_raise(root, plan_for=PlanFor(ENV, tuple(orgs), snapshot))
            assert set(scoped.folders) <= set(full.folders)
            assert scoped.state.digest(ENV) == full.state.digest(ENV)
            assert _plan_bytes(scoped.state, scoped.config, snapshot, orgs) == _plan_bytes(
                full.state, full.config, snapshot, orgs
            ), f"plan for {orgs} from folders {scoped.folders} differs from the plan from every folder"


def _national_like(root: Path) -> None:
    """Six organisations in a ring: each consumes the next one's addresses, nobody else's."""
    files = {"tak-gitops.yaml": _config_text(), "ownership.yaml": _ownership_text()}
    for i, org in enumerate(ORGS):
        nxt = ORGS[(i + 1) % len(ORGS)]
        files[f"desired/{org}/organisation.yaml"] = json.dumps(
            {"systems": [{"hsa_id": s, "name": s, "environments": [ENV]} for s in SYSTEMS[org]]}
        )
        files[f"desired/{org}/{ENV}.yaml"] = json.dumps(
            {
                "producers": [
                    {
                        "system": SYSTEMS[org][0],
                        "contracts": [
                            {
                                "contract": CONTRACTS[0],
                                "profile": "RIVTABP21",
                                "url": URLS[0],
                                "addresses": list(ADDRESSES[org]),
                            }
                        ],
                    }
                ],
                "consumers": [
                    {
                        "system": SYSTEMS[org][1],
                        "authorizations": [{"contracts": [CONTRACTS[0]], "addresses": list(ADDRESSES[nxt])}],
                    }
                ],
            }
        )
    _write(root, files)


def test_a_plan_for_one_organisation_reads_its_neighbours_only(tmp_path: Path) -> None:
    _national_like(tmp_path)
    empty = Snapshot("NTJP", "TEST", None, "sim", {}, frozenset(), {}, {}, {})
    scoped = load_desired(tmp_path, plan_for=PlanFor(ENV, ("org-c",), empty))
    # org-b consumes org-c's addresses; org-c consumes org-d's
    assert scoped.folders == ("org-b", "org-c", "org-d")
    assert load_desired(tmp_path).folders == ORGS


def test_the_desired_digest_covers_the_files_of_the_environment_only(tmp_path: Path) -> None:
    _national_like(tmp_path)
    before = load_desired(tmp_path).state.digest(ENV)
    (tmp_path / "desired/org-e/NTJP-QA.yaml").write_text("comment: QA only\n", encoding="utf-8")
    assert load_desired(tmp_path).state.digest(ENV) == before  # another environment's file
    (tmp_path / "desired/org-e/addresses").mkdir()
    (tmp_path / "desired/org-e/addresses/spare.csv").write_text("hsa-id;name\n", encoding="utf-8")
    changed = load_desired(tmp_path).state.digest(ENV)
    assert changed != before  # any file of the organisation folder counts, read or not
    assert changed.startswith("sha256:") and len(changed) == len("sha256:") + 64


def test_relevant_ids_are_the_planning_organisations_rows_systems_and_routed_addresses() -> None:
    state = EnvironmentState(
        env=ENV,
        routings={
            ("SE-LA1", CONTRACTS[0]): ("SE-P1", URLS[0], "RIVTABP21"),
            ("SE-LA9", CONTRACTS[0]): ("SE-P9", URLS[0], "RIVTABP21"),
        },
        routing_orgs={("SE-LA1", CONTRACTS[0]): "org-a", ("SE-LA9", CONTRACTS[0]): "org-b"},
        authorization_orgs={
            ("SE-C1", "SE-LA7", CONTRACTS[1]): frozenset({"org-a"}),
            ("SE-C9", "SE-LA8", CONTRACTS[1]): frozenset({"org-b"}),
        },
        orgs={"org-a": OrgEnvironment("org-a", ENV, "p", takeovers=frozenset({("se-la4", CONTRACTS[0])}))},
    )
    desired = DesiredState(
        organisations={},
        owners={"SE-P1": "org-a", "SE-C1": "org-a", "SE-Q1": "org-a", "SE-P9": "org-b", "SE-C9": "org-b"},
        systems={},
        addresses={},
        environments={ENV: state},
    )
    snapshot = Snapshot(
        "NTJP", "TEST", None, "sim",
        {("SE-LA2", CONTRACTS[1]): ("SE-Q1", URLS[1], "RIVTABP21"),
         ("SE-LA3", CONTRACTS[1]): ("SE-P9", URLS[1], "RIVTABP21")},
        frozenset({("SE-C1", "SE-LA6", CONTRACTS[0])}), {}, {}, {},
    )  # fmt: skip
    assert relevant_ids(desired, ENV, ["org-a"], snapshot) == {
        "SE-P1", "SE-C1", "SE-Q1",  # owned systems
        "SE-LA1", "SE-LA7",  # addresses of its desired rows
        "SE-LA2",  # routed by its producer today
    }  # fmt: skip


def test_id_matcher_matches_whole_ids_in_any_case() -> None:
    m = IdMatcher(["SE2321000016-7P6B", "SE-X1"])
    assert m.mentions([b"addresses: [se2321000016-7p6b]\n"])
    assert m.mentions([b"hsa-id;name\n", b"SE2321000016-7P6B;Unit\n"])
    assert m.mentions([b"# was SE-X1 before\n"])  # a comment counts: reading more is safe
    assert not m.mentions([b"addresses: [SE2321000016-7P6BX, XSE-X1, SE-X12]\n"])
    assert not m.mentions([b"SE2321000016-7P6"])
    assert m.mentions([b'system: "SE\\x2DX1"\n'])  # an escape could spell an id: counted as a mention
    assert not m.mentions([])


def test_id_matcher_wildcard_and_ids_no_file_can_spell() -> None:
    assert IdMatcher(["*"]).mentions([b'addresses: ["*"]'])
    assert not IdMatcher(["*"]).mentions([b"addresses: [SE1]"])
    # a TAK address with a space cannot be named by a valid desired file
    assert not IdMatcher(["SE1 2"]).mentions([b"SE1 2"])


def test_id_matcher_with_many_prefixes_tokenizes() -> None:
    ids = [f"SE{i:010d}-1" for i in range(20)]  # 20 distinct 12-character prefixes
    m = IdMatcher(ids)
    assert m.prefixes is None
    assert m.mentions([b"x: [SE0000000019-1]"]) and not m.mentions([b"x: [SE0000000019-2]"])
    few = IdMatcher(ids[:3])
    assert few.prefixes == (b"SE0000000000", b"SE0000000001", b"SE0000000002")
    assert few.mentions([b"- se0000000002-1"]) and not few.mentions([b"- SE0000000003-1"])


def test_folders_that_keep_rows_the_organisation_no_longer_declares_are_read(tmp_path: Path) -> None:
    """org-a no longer declares two of its rows: org-b grants one (to org-a's consumer, which org-a's files no
    longer name) and org-c takes the other over. Both folders are read for org-a's plan, which removes nothing."""
    a_prod, a_cons = SYSTEMS["org-a"]
    b_prod, _ = SYSTEMS["org-b"]
    c_prod, _ = SYSTEMS["org-c"]
    a1, a2 = ADDRESSES["org-a"][1:3]
    b1 = ADDRESSES["org-b"][1]
    ns = CONTRACTS[0]

    def producing(system: str, las: list[str]) -> dict[str, Any]:
        return {
            "system": system,
            "contracts": [{"contract": ns, "profile": "RIVTABP21", "url": URLS[0], "addresses": las}],
        }

    files = {"tak-gitops.yaml": _config_text(), "ownership.yaml": _ownership_text()}
    for org in ORGS:
        files[f"desired/{org}/organisation.yaml"] = json.dumps(
            {"systems": [{"hsa_id": s, "name": s, "environments": [ENV]} for s in SYSTEMS[org]]}
        )
    files[f"desired/org-a/{ENV}.yaml"] = json.dumps({"producers": [producing(a_prod, [a1])]})
    files[f"desired/org-b/{ENV}.yaml"] = json.dumps(
        {
            "producers": [producing(b_prod, [b1])],
            "grants": [{"producer": b_prod, "contracts": [ns], "consumers": [a_cons]}],
        }
    )
    files[f"desired/org-c/{ENV}.yaml"] = json.dumps(
        {"producers": [producing(c_prod, [a2])], "takeover": [{"address": a2, "contract": ns}]}
    )
    d_prod = SYSTEMS["org-d"][0]
    files[f"desired/org-d/{ENV}.yaml"] = json.dumps({"producers": [producing(d_prod, [ADDRESSES["org-d"][1]])]})
    _write(tmp_path, files)
    snapshot = Snapshot(
        "NTJP", "TEST", None, "sim",
        {(a1, ns): (a_prod, URLS[0], "RIVTABP21"), (a2, ns): (a_prod, URLS[0], "RIVTABP21"),
         (b1, ns): (b_prod, URLS[0], "RIVTABP21")},
        frozenset({(a_cons, b1, ns)}),
        {la: f"VE: {la}" for la in ALL_ADDRESSES},
        {s: f"Organisation {ORGS.index(o)} -- {s}" for s, o in OWNER.items()},
        {ns: Contract(ns, "Alpha", 1)},
    )  # fmt: skip
    scoped = load_desired_or_raise(tmp_path, plan_for=PlanFor(ENV, ("org-a",), snapshot))
    assert scoped.folders == ("org-a", "org-b", "org-c")
    full = load_desired_or_raise(tmp_path)
    plan = make_plan(scoped.state, snapshot, env=ENV, config=scoped.config, orgs=["org-a"], hsa=TREE)
    assert plan.status == "no-changes" and not plan.errors
    assert _plan_bytes(scoped.state, scoped.config, snapshot, ["org-a"]) == _plan_bytes(
        full.state, full.config, snapshot, ["org-a"]
    )
    # without org-b and org-c the plan would remove both rows: the folders are needed, not just read
    alone = tmp_path / "alone"
    _write(alone, {k: v for k, v in files.items() if not k.startswith("desired/") or k.startswith("desired/org-a/")})
    only_a = load_desired_or_raise(alone)
    removing = make_plan(only_a.state, snapshot, env=ENV, config=only_a.config, orgs=["org-a"], hsa=TREE)
    assert sorted(c.key for c in removing.changes()) == [(a2, ns), (a_cons, b1, ns)]

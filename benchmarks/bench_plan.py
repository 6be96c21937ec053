"""Benchmark: `tak-gitops plan` at national scale, measured side by side in one run.

Generates a coherent world: 300 organisations, 60,000 logical addresses (200 per organisation: 10 care givers
with 19 care units each, all in an HSA file of 60,000 units), 150,000 routings and 300,000 authorizations.
The desired files are written as organisations write them: one producer with three contracts on CSV address
sets, one consumer whose long address lists are CSV sets. The TAK-api export (the same rows, with 1 % real
differences: URL changes, missing and extra authorizations) is saved as TAK-api v2 responses and as a snapshot
file. Phases run in separate processes so that each reports its own wall time and peak memory (VmHWM):

* ``bare-parse``: ``orjson.loads`` of every export file, all trees kept: the yardstick;
* ``full-plan``: load every organisation's desired files, the saved snapshot and the HSA file, plan all
  organisations, serialise the plan document;
* ``one-org``: the whole process ``tak-gitops plan --org ORG --snapshot ... --hsa ... --format json`` for three
  organisations with changes, in turn, ``--runs`` times each; median, min and max;
* ``core-20k`` and ``deepdiff-20k``: ``make_plan`` versus ``DeepDiff(current, desired, ignore_order=True)`` over
  the same 20,000 routings and 20,000 authorizations.

Usage: ``python benchmarks/bench_plan.py [--dir .bench/plan] [--skip-deepdiff]``

With ``--baseline DIR`` (another checkout, see ``side_by_side.py``) it instead runs, ``--runs`` rounds, the two
trees alternating: the ``full-plan`` phase, the whole process ``tak-gitops plan ... --format json`` of all
organisations and the three one-organisation plans; it reports median, min and max per tree (wall and CPU) and
checks that both trees wrote byte-identical plans.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import orjson

ORGS = 300
UNITS = 200  # logical addresses per organisation
VG_EVERY = 20  # one care giver, then 19 care units below it
N_CONTRACTS = 320
FILES = (
    "connectionPoints.json",
    "installedContracts.json",
    "serviceProductions.json",
    "cooperations.json",
    "logicalAddresses.json",
)
SNAPSHOT_TIME = "2026-11-20T02:31:07+0100"
ONE_ORGS = ("org-010", "org-011", "org-012")
"""The one-organisation plans: 100 URL changes, 50 authorizations to add, 20 to remove (each with its partners)."""


def contract(i: int) -> str:
    return f"urn:riv:clinicalprocess:domain{i % 40}:part:GetSomethingNumber{i}Responder:{1 + i % 3}"


def la(org: int, n: int) -> str:
    return f"SE{org:06d}0000-{n:05d}"


def la_name(org: int, n: int) -> str:
    if n % VG_EVERY == 0:
        return f"VG: Organisation {org} care giver {n}"
    return f"VE: Organisation {org} unit {n}"


def producer(org: int) -> str:
    return f"SE{org:06d}0000-PROD"


def consumer(org: int) -> str:
    return f"SE{org:06d}0000-CONS"


def url(org: int, c: int, old: bool = False) -> str:
    host = "old" if old else "tp"
    return f"https://{host}.org{org}.example.se/vp/GetSomethingNumber{c}/1/rivtabp21"


def org_contracts(org: int) -> tuple[int, int, int]:
    return (3 * org) % N_CONTRACTS, (3 * org + 1) % N_CONTRACTS, (3 * org + 2) % N_CONTRACTS


def desired_routings(org: int) -> list[tuple[str, int, int]]:
    """(address, contract index, org) of an organisation's routings: 500 per organisation."""
    a, b, c = org_contracts(org)
    rows = [(la(org, n), k, org) for k in (a, b) for n in range(UNITS)]
    rows += [(la(org, n), c, org) for n in range(UNITS // 2)]
    return rows


def desired_auths(org: int) -> list[tuple[str, str, int]]:
    """(consumer, address, contract index) of an organisation's consumer: 1,000 per organisation."""
    out = []
    for offset, contracts in ((1, 2), (2, 2), (3, 1)):
        other = (org + offset) % ORGS
        for k in org_contracts(other)[:contracts]:
            out += [(consumer(org), la(other, n), k) for n in range(UNITS)]
    return out


def generate_repo(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "tak-gitops.yaml").write_text(
        "environments:\n"
        "  NTJP-PROD:\n    plattform: NTJP-PROD\n    tak_api: {platform: NTJP, environment: PROD}\n"
        "guards: {max_removal_share: 0.3, min_rows_for_share: 10, max_removals: 100}\n",
        encoding="utf-8",
    )
    owners = ["organisations:"]
    for i in range(ORGS):
        key = f"org-{i:03d}"
        owners += [
            f"  {key}:",
            f"    name: Organisation {i}",
            f'    number: "{232100 + i}-0000"',
            f"    systems: [{producer(i)}, {consumer(i)}]",
        ]
        folder = root / "desired" / key
        (folder / "addresses").mkdir(parents=True, exist_ok=True)
        (folder / "addresses" / "units.csv").write_text(
            "hsa-id;name\n" + "".join(f"{la(i, n)};{la_name(i, n)}\n" for n in range(UNITS)), encoding="utf-8"
        )
        (folder / "addresses" / "half.csv").write_text(
            "hsa-id;name\n" + "".join(f"{la(i, n)};{la_name(i, n)}\n" for n in range(UNITS // 2)), encoding="utf-8"
        )
        for offset in (1, 2, 3):
            other = (i + offset) % ORGS
            (folder / "addresses" / f"partner-{offset}.csv").write_text(
                "hsa-id;name\n" + "".join(f"{la(other, n)};{la_name(other, n)}\n" for n in range(UNITS)),
                encoding="utf-8",
            )
        (folder / "organisation.yaml").write_text(
            "systems:\n"
            f"  - hsa_id: {producer(i)}\n    name: Producer {i}\n"
            f'    description: "Organisation {i} -- Producer {i}"\n    environments: [NTJP-PROD]\n'
            f"  - hsa_id: {consumer(i)}\n    name: Consumer {i}\n"
            f'    description: "Organisation {i} -- Consumer {i}"\n    environments: [NTJP-PROD]\n'
            "address_sets:\n  units: {csv: addresses/units.csv}\n  half: {csv: addresses/half.csv}\n"
            "  partner-1: {csv: addresses/partner-1.csv}\n  partner-2: {csv: addresses/partner-2.csv}\n"
            "  partner-3: {csv: addresses/partner-3.csv}\n",
            encoding="utf-8",
        )
        a, b, c = org_contracts(i)
        producers = "".join(
            f"      - contract: {contract(k)}\n        profile: RIVTABP21\n        url: {url(i, k)}\n"
            f"        addresses: [{{set: {s}}}]\n"
            for k, s in ((a, "units"), (b, "units"), (c, "half"))
        )
        auths = ""
        for offset, n_contracts in ((1, 2), (2, 2), (3, 1)):
            other = (i + offset) % ORGS
            cs = "".join(f"          - {contract(k)}\n" for k in org_contracts(other)[:n_contracts])
            auths += f"      - contracts:\n{cs}        addresses: [{{set: partner-{offset}}}]\n"
        (folder / "NTJP-PROD.yaml").write_text(
            f'comment: "Organisation {i}: yearly review"\n'
            f"producers:\n  - system: {producer(i)}\n    contracts:\n{producers}"
            f"consumers:\n  - system: {consumer(i)}\n    authorizations:\n{auths}",
            encoding="utf-8",
        )
    (root / "ownership.yaml").write_text("\n".join(owners) + "\n", encoding="utf-8")


def generate_export(out: Path) -> None:
    """The TAK-api v2 responses: the desired rows with 1 % differences."""
    out.mkdir(parents=True, exist_ok=True)
    cp = {"id": 4, "platform": "NTJP", "environment": "PROD", "snapshotTime": SNAPSHOT_TIME}
    contracts = [
        {"id": 300 + i, "name": f"GetSomethingNumber{i}", "namespace": contract(i), "major": 1 + i % 3, "minor": 0}
        for i in range(N_CONTRACTS)
    ]
    las = {}
    for o in range(ORGS):
        for n in range(UNITS):
            las[la(o, n)] = {"id": 20000 + o * UNITS + n, "logicalAddress": la(o, n), "description": la_name(o, n)}
    prods = {
        o: {"id": 800 + o, "hsaId": producer(o), "description": f"Organisation {o} -- Producer {o}"}
        for o in range(ORGS)
    }
    cons = {
        o: {"id": 1600 + o, "hsaId": consumer(o), "description": f"Organisation {o} -- Consumer {o}"}
        for o in range(ORGS)
    }
    productions = []
    coops = []
    for o in range(ORGS):
        c_old = org_contracts(o)[2]
        for address, k, _ in desired_routings(o):
            old = o % 10 == 0 and k == c_old  # 3,000 URL changes
            productions.append(
                {
                    "id": 50000 + len(productions),
                    "physicalAddress": url(o, k, old),
                    "rivtaProfile": "RIVTABP21",
                    "serviceProducer": prods[o],
                    "logicalAddress": las[address],
                    "serviceContract": contracts[k],
                }
            )
        auths = desired_auths(o)
        if o % 10 == 1:
            auths = auths[50:]  # 50 missing per such organisation: 1,500 additions
        for _c_hsa, address, k in auths:
            coops.append(
                {
                    "id": 100000 + len(coops),
                    "serviceConsumer": cons[o],
                    "logicalAddress": las[address],
                    "serviceContract": contracts[k],
                }
            )
        if o % 10 == 2:  # 20 authorizations nobody desires, on care units: 600 removals
            other = (o + 5) % ORGS
            for n in [*range(1, 20), 21]:  # care units only: no cascade
                coops.append(
                    {
                        "id": 100000 + len(coops),
                        "serviceConsumer": cons[o],
                        "logicalAddress": las[la(other, n)],
                        "serviceContract": contracts[org_contracts(other)[0]],
                    }
                )
    (out / "connectionPoints.json").write_bytes(orjson.dumps([cp]))
    (out / "installedContracts.json").write_bytes(
        orjson.dumps([{"id": 1200 + i, "connectionPoint": cp, "serviceContract": c} for i, c in enumerate(contracts)])
    )
    (out / "logicalAddresses.json").write_bytes(orjson.dumps(list(las.values())))
    (out / "serviceProductions.json").write_bytes(orjson.dumps(productions))
    (out / "cooperations.json").write_bytes(orjson.dumps(coops))


def generate_hsa(path: Path) -> None:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<FileGetHsaUnitsResponse xmlns="urn:riv:hsa:HsaWsResponder:3">',
        "<startDate>2026-11-20T01:25:00.000+01:00</startDate><endDate>2026-11-20T01:27:00.000+01:00</endDate>",
        "<hsaUnits>",
    ]
    for o in range(ORGS):
        for n in range(UNITS):
            vg = n - n % VG_EVERY
            vg_dn = f"o=Organisation {o} care giver {vg},l=Län {o % 21},c=SE"
            dn = vg_dn if n == vg else f"ou=Unit {n},{vg_dn}"
            lines.append(
                f"<hsaUnit><hsaIdentity>{la(o, n)}</hsaIdentity><DN>{dn}</DN><name>{la_name(o, n)[4:]}</name></hsaUnit>"
            )
    lines += ["</hsaUnits>", "</FileGetHsaUnitsResponse>"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _small_world(n: int) -> tuple[object, object, object]:
    """The same rows, 20,000 routings and 20,000 authorizations, for make_plan and DeepDiff side by side."""
    from tak_gitops.core.config import EnvironmentConfig, ProjectConfig, TakApiTarget
    from tak_gitops.core.desired import Address, DesiredState, EnvironmentState, Organisation, OrgEnvironment
    from tak_gitops.core.snapshot import Contract, Snapshot

    orgs = n // 500
    routings = {}
    routing_orgs = {}
    for o in range(orgs):
        for address, k, _ in desired_routings(o):
            routings[(address, contract(k))] = (producer(o), url(o, k), "RIVTABP21")
            routing_orgs[(address, contract(k))] = f"org-{o:03d}"
    auths = {}
    for o in range(orgs):
        for c_hsa, address, k in desired_auths(o)[: n // orgs]:
            auths[(c_hsa, address, contract(k))] = frozenset({f"org-{o:03d}"})
    current_r = {
        k: ((v[0], v[1].replace("tp.", "old."), v[2]) if i % 100 == 0 else v)
        for i, (k, v) in enumerate(routings.items())
    }
    current_a = frozenset(k for i, k in enumerate(auths) if i % 100 != 1)
    snap = Snapshot(
        platform="NTJP",
        environment="PROD",
        snapshot_time=None,
        source="bench",
        routings=current_r,
        authorizations=current_a,
        logical_addresses={la(o, m): la_name(o, m) for o in range(ORGS) for m in range(UNITS)},
        systems={s: s for o in range(ORGS) for s in (producer(o), consumer(o))},
        contracts={contract(i): Contract(contract(i), f"C{i}", 1 + i % 3) for i in range(N_CONTRACTS)},
    )
    state = EnvironmentState(
        env="NTJP-PROD",
        routings=routings,
        routing_orgs=routing_orgs,
        authorization_orgs=auths,
        orgs={f"org-{o:03d}": OrgEnvironment(f"org-{o:03d}", "NTJP-PROD", "x") for o in range(orgs)},
    )
    desired = DesiredState(
        organisations={f"org-{o:03d}": Organisation(f"org-{o:03d}", f"O{o}", "1") for o in range(ORGS)},
        owners={s: f"org-{o:03d}" for o in range(ORGS) for s in (producer(o), consumer(o))},
        systems={},
        addresses={a: Address(a, la_name(0, 1)) for a in ()},
        environments={"NTJP-PROD": state},
    )
    config = ProjectConfig(
        environments={
            "NTJP-PROD": EnvironmentConfig(
                plattform="NTJP-PROD", tak_api=TakApiTarget(platform="NTJP", environment="PROD")
            )
        }
    )
    return desired, snap, config


def _spread(seconds: list[float]) -> dict[str, float]:
    """Median, lowest and highest of some runs, rounded to milliseconds."""
    return {k: round(f(seconds), 3) for k, f in (("median", statistics.median), ("min", min), ("max", max))}


def run_phase(phase: str, base: Path) -> dict[str, object]:
    export, repo, saved, hsa = (
        base / "ntjp-prod",
        base / "repo",
        base / "ntjp-prod.snapshot.json",
        base / "hsacache.xml",
    )
    extra: dict[str, object] = {}
    if phase == "bare-parse":
        t0 = time.perf_counter()
        trees = [orjson.loads((export / f).read_bytes()) for f in FILES]
        seconds = time.perf_counter() - t0
        extra["rows"] = sum(len(t) for t in trees)
    elif phase == "full-plan":
        from tak_gitops.adapters.desired_loader import load_desired_or_raise
        from tak_gitops.adapters.hsafile import read_hsa_file
        from tak_gitops.adapters.snapshot_file import read_snapshot
        from tak_gitops.core.canonical import canonical_json
        from tak_gitops.core.plan import make_plan

        t0 = time.perf_counter()
        loaded = load_desired_or_raise(repo)
        t_desired = time.perf_counter() - t0
        snap = read_snapshot(saved)
        t_snap = time.perf_counter() - t0 - t_desired
        tree = read_hsa_file(hsa)
        t_hsa = time.perf_counter() - t0 - t_desired - t_snap
        t1 = time.perf_counter()
        plan = make_plan(loaded.state, snap, env="NTJP-PROD", config=loaded.config, hsa=tree)
        body = canonical_json(plan.to_document())
        t_plan = time.perf_counter() - t1
        seconds = time.perf_counter() - t0
        extra.update(
            load_desired=round(t_desired, 3),
            load_snapshot=round(t_snap, 3),
            load_hsa=round(t_hsa, 3),
            plan_and_document=round(t_plan, 3),
            summary=plan.summary(),
            status=plan.status,
            plan_bytes=len(body),
        )
    elif phase == "core-20k":
        from tak_gitops.core.plan import make_plan

        desired, snap, config = _small_world(20_000)
        t0 = time.perf_counter()
        plan = make_plan(desired, snap, env="NTJP-PROD", config=config)  # type: ignore[arg-type]
        seconds = time.perf_counter() - t0
        extra["changes"] = len(plan.changes())
    elif phase == "deepdiff-20k":
        from deepdiff import DeepDiff

        desired, snap, _config = _small_world(20_000)
        state = desired.environments["NTJP-PROD"]  # type: ignore[attr-defined]
        current = {
            "routings": [[*k, *v] for k, v in snap.routings.items()],  # type: ignore[attr-defined]
            "authorizations": [list(k) for k in snap.authorizations],
        }  # type: ignore[attr-defined]
        wanted = {
            "routings": [[*k, *v] for k, v in state.routings.items()],
            "authorizations": [list(k) for k in state.authorization_orgs],
        }
        t0 = time.perf_counter()
        diff = DeepDiff(current, wanted, ignore_order=True)
        seconds = time.perf_counter() - t0
        extra["diff_keys"] = sorted(diff.keys())
    else:
        raise SystemExit(f"unknown phase {phase}")
    return {"phase": phase, "seconds": round(seconds, 3), "peak_mib": round(_peak_mib(), 1), **extra}


def plan_command(base: Path, org: str | None, out: Path) -> list[str]:
    """``tak-gitops plan`` of the benchmark world, for one organisation or (``None``) all of them."""
    script = Path(sys.executable).with_name("tak-gitops")  # the command people run, else the module
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "tak_gitops"]
    return [
        *command, "plan", "--env", "NTJP-PROD", "--root", str(base / "repo"),
        "--snapshot", str(base / "ntjp-prod.snapshot.json"), "--hsa", str(base / "hsacache.xml"),
        *(["--org", org] if org else []), "--format", "json", "--allow-stale", "--out", str(out),
    ]  # fmt: skip


def against_baseline(base: Path, baseline: Path, runs: int) -> None:
    """The full plan (in-process phase and whole process) and the one-organisation plans of two trees, in turns."""
    import side_by_side as sbs

    trees = {"baseline": baseline, "this tree": sbs.HERE}
    for tree in trees.values():
        sbs.check_tree(tree)
    print(f"baseline {baseline}; this tree {sbs.HERE}; load average {sbs.load_average()}")
    names = ["full-plan", "plan-all", *(f"plan-{org}" for org in ONE_ORGS)]
    wall = {n: {t: [] for t in trees} for n in names}  # type: dict[str, dict[str, list[float]]]
    cpu = {n: {t: [] for t in trees} for n in names}  # type: dict[str, dict[str, list[float]]]
    phases: dict[str, list[dict[str, object]]] = {t: [] for t in trees}
    outputs: dict[str, dict[str, set[str]]] = {n: {t: set() for t in trees} for n in names[1:]}
    for order in sbs.rounds(trees, runs):
        for name, tree in order:
            w, c, done = sbs.timed_run([sys.executable, __file__, "--dir", str(base), "--phase", "full-plan"], tree)
            if done.returncode != 0:
                raise SystemExit(f"full-plan for {tree} exited {done.returncode}: {done.stderr[-2000:]}")
            got = json.loads(done.stdout.strip().splitlines()[-1])
            phases[name].append(got)
            wall["full-plan"][name].append(float(got["seconds"]))
            cpu["full-plan"][name].append(c)
            for org in (None, *ONE_ORGS):
                key = f"plan-{org or 'all'}"
                out = base / f"{key}-{name.replace(' ', '-')}.json"
                w, c, done = sbs.timed_run(plan_command(base, org, out), tree)
                if done.returncode not in (0, 2):
                    raise SystemExit(f"{key} for {tree} exited {done.returncode}: {done.stderr[-2000:]}")
                wall[key][name].append(w)
                cpu[key][name].append(c)
                outputs[key][name].add(hashlib.sha256(out.read_bytes()).hexdigest())
    print(f"load average after the runs {sbs.load_average()}")
    print("full-plan: the seconds inside the process (load, plan, document); cpu: the whole process")
    for n in names:
        sbs.report(n, wall[n], cpu[n])
    for name in trees:
        parts = ("load_desired", "load_snapshot", "load_hsa", "plan_and_document")
        medians = {p: statistics.median(float(g[p]) for g in phases[name]) for p in parts}  # type: ignore[arg-type]
        print(f"full-plan phases, {name} (medians): " + ", ".join(f"{p} {v:.3f} s" for p, v in medians.items()))
    same = True
    for key, found in outputs.items():
        digests = set().union(*found.values())
        ok = len(digests) == 1
        same = same and ok
        print(f"{key}: {'byte-identical' if ok else 'DIFFERENT'} in both trees, sha256 {', '.join(sorted(digests))}")
    if not same:
        raise SystemExit(1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dir", type=Path, default=Path(".bench/plan"))
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    ap.add_argument("--skip-deepdiff", action="store_true")
    ap.add_argument("--one-org-only", action="store_true", help="only the one-organisation plans")
    ap.add_argument("--runs", type=int, default=3, help="runs of each one-organisation plan")
    ap.add_argument("--baseline", type=Path, help="another checkout: time both trees side by side (see above)")
    args = ap.parse_args()
    base = args.dir.resolve()
    if args.phase:
        print(json.dumps(run_phase(args.phase, base)))
        return
    if not (base / "ntjp-prod.snapshot.json").is_file():
        from tak_gitops.adapters.snapshot_file import write_snapshot
        from tak_gitops.adapters.sources import read_source

        base.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        generate_repo(base / "repo")
        generate_export(base / "ntjp-prod")
        generate_hsa(base / "hsacache.xml")
        write_snapshot(
            base / "ntjp-prod.snapshot.json", read_source(base / "ntjp-prod", platform="NTJP", environment="PROD")
        )
        print(f"generated in {time.perf_counter() - t0:.1f} s under {base}")
    size = sum((base / "ntjp-prod" / f).stat().st_size for f in FILES)
    if args.baseline:
        against_baseline(base, args.baseline.resolve(), args.runs)
        return
    print(f"export {size / 1e6:.0f} MB; snapshot file {(base / 'ntjp-prod.snapshot.json').stat().st_size / 1e6:.0f} MB")
    results = {}
    phases = ["bare-parse", "full-plan", "core-20k"] + ([] if args.skip_deepdiff else ["deepdiff-20k"])
    if args.one_org_only:
        phases = []
    for phase in phases:
        done = subprocess.run(
            [sys.executable, __file__, "--dir", str(base), "--phase", phase], capture_output=True, text=True, check=True
        )
        results[phase] = json.loads(done.stdout.strip().splitlines()[-1])
        print(json.dumps(results[phase]))

    def whole_process(org: str) -> float:
        cmd = plan_command(base, org, base / f"plan-{org}.json")
        t0 = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True)
        seconds = time.perf_counter() - t0
        if done.returncode not in (0, 2):
            raise SystemExit(f"plan --org {org} exited {done.returncode}: {done.stderr[-2000:]}")
        return seconds

    # the organisations in turn, so that each sees the same machine; median and range per organisation
    times: dict[str, list[float]] = {o: [] for o in ONE_ORGS}
    for _ in range(args.runs):
        for org in ONE_ORGS:
            times[org].append(whole_process(org))
    per_org = {org: _spread(t) for org, t in times.items()}
    results["one-org"] = {"phase": "one-org", "median": max(s["median"] for s in per_org.values()), "per_org": per_org}
    print(json.dumps(results["one-org"]))
    if args.one_org_only:
        return
    full, bare = results["full-plan"], results["bare-parse"]
    print(
        f"full plan / bare orjson parse: {full['seconds']} s / {bare['seconds']} s = "
        f"{float(full['seconds']) / float(bare['seconds']):.2f}; peak {full['peak_mib']} MiB"
    )
    if "deepdiff-20k" in results:
        ratio = float(results["deepdiff-20k"]["seconds"]) / float(results["core-20k"]["seconds"])
        print(f"DeepDiff / make_plan at 20k+20k: {ratio:.0f}x")


if __name__ == "__main__":
    main()

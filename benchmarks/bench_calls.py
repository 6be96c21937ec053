"""Benchmark: what the impact on calls costs the national-scale plan, and one `tak-gitops trace` as a process.

Uses the world of ``bench_plan.py`` (300 organisations, 60,000 addresses in a 60,000-unit HSA file, 150,000
routings, 300,000 authorizations, 1 % differences: 3,000 URL changes, 1,500 authorizations to add, 600 to
remove), generated into ``--dir`` unless it is there already. Measured in turns, each run a fresh process:

* ``full-plan``: ``bench_plan.py``'s phase (load the desired files, the snapshot file and the HSA file, plan all
  organisations, serialise the plan document), once with this tree and once with ``--baseline`` (the same code
  with the impact left out of the planner), alternating, ``--runs`` times each: wall time, CPU time (user +
  system, which other load on the machine disturbs less) and peak memory (VmHWM);
* ``impact``: in the this-tree process, the time of :func:`~tak_gitops.core.impact.call_impact` alone on the
  plan's changes, and how many calls it considered and found changed;
* ``trace``: the whole process ``tak-gitops trace --snapshot ... --hsa ... --address ...`` for a call through a
  care giver, and without ``--address`` (every address the consumer can call for the contract).

Usage: ``python benchmarks/bench_calls.py --baseline DIR [--dir .bench/plan] [--runs 5]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE / "benchmarks"))

import bench_plan  # noqa: E402


def _stats(values: list[float]) -> str:
    return f"median {statistics.median(values):.3f}, min {min(values):.3f}, max {max(values):.3f}"


def _cpu() -> float:
    """CPU seconds (user + system) of the children waited for so far: robust against other load on the machine."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _full_plan(tree: Path, base: Path) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    cpu0 = _cpu()
    script = tree / "benchmarks" / "bench_plan.py"
    if not script.is_file():
        script = HERE / "benchmarks" / "bench_plan.py"
    done = subprocess.run(
        [sys.executable, str(script), "--dir", str(base), "--phase", "full-plan"],
        capture_output=True, text=True, check=True, env=env,
    )
    found: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    found["cpu"] = round(_cpu() - cpu0, 3)
    return found


def _impact_alone(base: Path) -> dict[str, object]:
    code = f"""
import json, time
from pathlib import Path
from tak_gitops.adapters.desired_loader import load_desired_or_raise
from tak_gitops.adapters.hsafile import read_hsa_file
from tak_gitops.adapters.snapshot_file import read_snapshot
from tak_gitops.core.calls import HsaLookup
from tak_gitops.core.impact import call_impact
from tak_gitops.core.plan import make_plan
base = Path({str(base)!r})
loaded = load_desired_or_raise(base / "repo")
snap = read_snapshot(base / "ntjp-prod.snapshot.json")
tree = read_hsa_file(base / "hsacache.xml")
plan = make_plan(loaded.state, snap, env="NTJP-PROD", config=loaded.config, hsa=tree)
changes = plan.changes()
best = None
for _ in range(3):
    t0 = time.perf_counter()
    impacts, considered = call_impact(snap, changes, tree=tree, hsa_lookup=HsaLookup())
    s = time.perf_counter() - t0
    best = s if best is None else min(best, s)
out = {{"plan": {{"seconds": round(best, 3), "changes": len(changes), "considered": considered,
                  "changed": len(impacts)}}}}
# a harder plan on the same TAK: 3,000 URL changes where consumers are authorized, 1,000 authorizations
# removed, and 10 consumers given a * authorization (every address of the contract considered)
from tak_gitops.core.plan import Change
routed = [k for k in snap.routings]
authorized = {{}}
for c, la, ns in snap.authorization_rows:
    if (la, ns) in snap.routings and (la, ns) not in authorized:
        authorized[(la, ns)] = c
keys = sorted(authorized)[:3000]
stress = [Change("change-routing", k, before=snap.routings[k],
                 after=(snap.routings[k][0], snap.routings[k][1] + "/v2", snap.routings[k][2])) for k in keys]
stress += [Change("remove-authorization", a) for a in sorted(snap.authorizations)[:1000]]
stress += [Change("add-authorization", (authorized[k], "*", k[1])) for k in keys[::300]]
best = None
for _ in range(3):
    t0 = time.perf_counter()
    impacts, considered = call_impact(snap, stress, tree=tree, hsa_lookup=HsaLookup())
    s = time.perf_counter() - t0
    best = s if best is None else min(best, s)
from collections import Counter
out["stress"] = {{"seconds": round(best, 3), "changes": len(stress), "considered": considered,
                 "changed": len(impacts), "kinds": dict(sorted(Counter(i.kind for i in impacts).items()))}}
print(json.dumps(out))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=HERE)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _trace(base: Path, with_address: bool) -> tuple[float, float]:
    o = 10
    args = [
        sys.executable, "-m", "tak_gitops", "trace", "--env", "NTJP-PROD", "--root", str(base / "repo"),
        "--snapshot", str(base / "ntjp-prod.snapshot.json"), "--hsa", str(base / "hsacache.xml"), "--allow-stale",
        "--consumer", bench_plan.consumer((o + 299) % bench_plan.ORGS),
        "--contract", bench_plan.contract(bench_plan.org_contracts(o)[0]), "--format", "json",
    ]
    if with_address:
        args += ["--address", bench_plan.la(o, 5)]
    cpu0 = _cpu()
    t0 = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, cwd=HERE)
    seconds = time.perf_counter() - t0
    if done.returncode not in (0, 3):
        raise SystemExit(f"trace failed ({done.returncode}): {done.stderr}")
    return seconds, _cpu() - cpu0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", type=Path, required=True, help="a checkout of the code without the impact")
    ap.add_argument("--dir", type=Path, default=Path(".bench/plan"))
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    base = args.dir.resolve()
    if not (base / "ntjp-prod.snapshot.json").is_file():
        subprocess.run([sys.executable, str(HERE / "benchmarks" / "bench_plan.py"), "--dir", str(base),
                        "--skip-deepdiff", "--runs", "1"], check=True, cwd=HERE)
    runs: dict[str, list[dict[str, object]]] = {"baseline": [], "this tree": []}
    for _ in range(args.runs):
        for name, tree in (("baseline", args.baseline.resolve()), ("this tree", HERE)):
            runs[name].append(_full_plan(tree, base))
    for name, found in runs.items():
        secs = [float(r["seconds"]) for r in found]  # type: ignore[arg-type]
        peak = [float(r["peak_mib"]) for r in found]  # type: ignore[arg-type]
        plan = [float(r["plan_and_document"]) for r in found]  # type: ignore[arg-type]
        cpu = [float(r["cpu"]) for r in found]  # type: ignore[arg-type]
        size = found[-1]["plan_bytes"]
        print(f"full plan, {name}: seconds {_stats(secs)}; CPU seconds {_stats(cpu)}; plan_and_document "
              f"{_stats(plan)}; peak MiB {_stats(peak)}; plan {size} bytes")
    b = statistics.median(float(r["seconds"]) for r in runs["baseline"])  # type: ignore[arg-type]
    t = statistics.median(float(r["seconds"]) for r in runs["this tree"])  # type: ignore[arg-type]
    print(f"full plan with impact / without, median wall: {t:.3f} s / {b:.3f} s = {t / b:.2f} "
          f"({(t / b - 1) * 100:+.0f} %)")
    bc = statistics.median(float(r["cpu"]) for r in runs["baseline"])  # type: ignore[arg-type]
    tc = statistics.median(float(r["cpu"]) for r in runs["this tree"])  # type: ignore[arg-type]
    print(f"full plan with impact / without, median CPU: {tc:.3f} s / {bc:.3f} s = {tc / bc:.2f} "
          f"({(tc / bc - 1) * 100:+.0f} %)")
    print("impact alone (best of 3, in one process):", json.dumps(_impact_alone(base)))
    for with_address in (True, False):
        measured = [_trace(base, with_address) for _ in range(args.runs)]
        label = "one call" if with_address else "every address"
        print(f"trace, whole process, {label}: wall {_stats([m[0] for m in measured])} s; "
              f"CPU {_stats([m[1] for m in measured])} s")


if __name__ == "__main__":
    main()

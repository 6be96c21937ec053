"""Benchmark: read a national-scale TAK-api export into a snapshot, save it, load it back.

Generates a directory of TAK-api v2 responses (all includes) with 300,000 authorizations and 150,000 routings,
then runs each phase in its own Python process and reports wall time and peak memory (VmHWM) of that process:

* ``bare-parse``: ``orjson.loads`` of every response file, all parsed trees kept (what a reader that
  parses the whole export first would hold);
* ``bare-parse-each``: ``orjson.loads`` of one file at a time, each tree dropped before the next;
* ``read-export``: ``read_source(dir)`` -> Snapshot (the TAK-api directory reader);
* ``write-snapshot``: read the export, then ``write_snapshot`` (time of the write alone);
* ``load-snapshot``: ``read_snapshot(saved)`` -> Snapshot, structure and file digest verified.

Usage: ``python benchmarks/bench_snapshot.py [--dir .bench/snapshot] [--authorizations N] [--routings N]``.

With ``--baseline DIR`` (another checkout, see ``side_by_side.py``) it instead runs the three phases that use the
package (read-export, write-snapshot, load-snapshot) for both trees, alternating, ``--repeat`` rounds: median,
min and max per tree (wall and CPU), and checks that both trees read the same snapshot and write the same file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import subprocess
import sys
import time
from pathlib import Path

import orjson

PHASES = ("bare-parse", "bare-parse-each", "read-export", "write-snapshot", "load-snapshot")
FILES = ("connectionPoints.json", "installedContracts.json", "serviceProductions.json", "cooperations.json",
         "logicalAddresses.json")


def generate(out: Path, n_auth: int, n_rout: int, seed: int = 7) -> None:
    """Write a TAK-api-shaped export: realistic id and text shapes, one routing per (LA, contract)."""
    rnd = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    cp = {"id": 4, "platform": "NTJP", "environment": "PROD", "snapshotTime": "2026-11-20T02:31:07+0100"}
    contracts = [
        {"id": 300 + i, "name": f"GetSomethingNumber{i}",
         "namespace": f"urn:riv:clinicalprocess:domain{i % 40}:part:GetSomethingNumber{i}Responder:{1 + i % 3}",
         "major": 1 + i % 3, "minor": 0}
        for i in range(320)
    ]
    n_la = max(1, n_rout // 3)
    las = [{"id": 20000 + i, "logicalAddress": f"SE2321000{i % 900:03d}-{i:06X}",
            "description": f"VE: Region {i % 21} - Vårdenhet nummer {i}"} for i in range(n_la)]
    producers = [{"id": 800 + i, "hsaId": f"SE16232100{i:04d}-P{i:03X}",
                  "description": f"Region {i % 21} -- Producentsystem {i}"} for i in range(400)]
    consumers = [{"id": 1600 + i, "hsaId": f"SE55655942{i:02d}-C{i:03X}",
                  "description": f"Leverantör {i} AB -- Konsumentsystem {i}"} for i in range(600)]
    productions = []
    seen: set[tuple[int, int]] = set()
    while len(productions) < n_rout:
        la = rnd.randrange(n_la)
        c = rnd.randrange(len(contracts))
        if (la, c) in seen:
            continue
        seen.add((la, c))
        p = producers[rnd.randrange(len(producers))]
        productions.append({
            "id": 50000 + len(productions),
            "physicalAddress": f"https://{p['hsaId'].lower()}.sjunet.org:443/vp/{contracts[c]['name']}/1/rivtabp21",
            "rivtaProfile": "RIVTABP21" if c % 5 else "RIVTABP20",
            "serviceProducer": p, "logicalAddress": las[la], "serviceContract": contracts[c],
        })
    coops = []
    seen3: set[tuple[int, int, int]] = set()
    while len(coops) < n_auth:
        k = rnd.randrange(len(consumers))
        la = rnd.randrange(n_la)
        c = rnd.randrange(len(contracts))
        if (k, la, c) in seen3:
            continue
        seen3.add((k, la, c))
        coops.append({"id": 100000 + len(coops), "serviceConsumer": consumers[k], "logicalAddress": las[la],
                      "serviceContract": contracts[c]})
    (out / "connectionPoints.json").write_bytes(orjson.dumps([cp]))
    (out / "installedContracts.json").write_bytes(orjson.dumps(
        [{"id": 1200 + i, "connectionPoint": cp, "serviceContract": c} for i, c in enumerate(contracts)]))
    (out / "logicalAddresses.json").write_bytes(orjson.dumps(las))
    (out / "serviceProductions.json").write_bytes(orjson.dumps(productions))
    (out / "cooperations.json").write_bytes(orjson.dumps(coops))


def _peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_phase(phase: str, directory: Path) -> None:
    """Run one phase in this process and print one JSON line: phase, seconds, peak MiB."""
    from tak_gitops.adapters.snapshot_file import read_snapshot, write_snapshot
    from tak_gitops.adapters.sources import read_source

    saved = directory.parent / (directory.name + ".snapshot.json")
    extra: dict[str, object] = {}
    if phase == "bare-parse":
        t0 = time.perf_counter()
        trees = [orjson.loads((directory / f).read_bytes()) for f in FILES]
        seconds = time.perf_counter() - t0
        extra["rows"] = sum(len(t) for t in trees)
    elif phase == "bare-parse-each":
        t0 = time.perf_counter()
        rows = 0
        for f in FILES:
            tree = orjson.loads((directory / f).read_bytes())
            rows += len(tree)
            del tree
        seconds = time.perf_counter() - t0
        extra["rows"] = rows
    elif phase == "read-export":
        t0 = time.perf_counter()
        snap = read_source(directory, platform="NTJP", environment="PROD")
        seconds = time.perf_counter() - t0
        extra.update(routings=len(snap.routings), authorizations=len(snap.authorizations), digest=snap.digest)
    elif phase == "write-snapshot":
        snap = read_source(directory, platform="NTJP", environment="PROD")
        t0 = time.perf_counter()
        write_snapshot(saved, snap)
        seconds = time.perf_counter() - t0
        extra["bytes"] = saved.stat().st_size
        extra["sha256"] = hashlib.sha256(saved.read_bytes()).hexdigest()
    elif phase == "load-snapshot":
        t0 = time.perf_counter()
        snap = read_snapshot(saved)
        seconds = time.perf_counter() - t0
        extra.update(routings=len(snap.routings), authorizations=len(snap.authorizations))
    else:
        raise SystemExit(f"unknown phase {phase}")
    print(json.dumps({"phase": phase, "seconds": round(seconds, 3), "peak_mib": round(_peak_kib() / 1024, 1),
                      **extra}))


def against_baseline(directory: Path, baseline: Path, runs: int) -> None:
    """The phases that use the package, for two trees in turns; the same snapshot and file required of both."""
    import side_by_side as sbs

    trees = {"baseline": baseline, "this tree": sbs.HERE}
    for tree in trees.values():
        sbs.check_tree(tree)
    print(f"baseline {baseline}; this tree {sbs.HERE}; load average {sbs.load_average()}")
    timed = ("read-export", "write-snapshot", "load-snapshot")
    wall = {p: {t: [] for t in trees} for p in timed}  # type: dict[str, dict[str, list[float]]]
    cpu = {p: {t: [] for t in trees} for p in timed}  # type: dict[str, dict[str, list[float]]]
    found: dict[str, set[str]] = {"digest": set(), "sha256": set()}
    for order in sbs.rounds(trees, runs):
        for phase in timed:
            for name, tree in order:
                w, c, done = sbs.timed_run([sys.executable, __file__, "--phase", phase, "--dir", str(directory)], tree)
                if done.returncode != 0:
                    raise SystemExit(f"{phase} for {tree} exited {done.returncode}: {done.stderr[-2000:]}")
                got = json.loads(done.stdout.strip().splitlines()[-1])
                wall[phase][name].append(float(got["seconds"]))
                cpu[phase][name].append(c)
                for key in found:
                    if key in got:
                        found[key].add(str(got[key]))
    print(f"load average after the runs {sbs.load_average()}")
    print("wall: the phase inside its process; cpu: the whole process")
    for phase in timed:
        sbs.report(phase, wall[phase], cpu[phase])
    same = all(len(v) == 1 for v in found.values())
    print(f"snapshot digest {', '.join(sorted(found['digest']))}; written file sha256 "
          f"{', '.join(sorted(found['sha256']))}: {'the same in both trees' if same else 'DIFFERENT'}")
    if not same:
        raise SystemExit(1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dir", type=Path, default=Path(".bench/snapshot/ntjp-prod"))
    ap.add_argument("--authorizations", type=int, default=300_000)
    ap.add_argument("--routings", type=int, default=150_000)
    ap.add_argument("--repeat", type=int, default=3, help="runs per phase; the best time and its peak are kept")
    ap.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    ap.add_argument("--baseline", type=Path, help="another checkout: time both trees side by side (see above)")
    args = ap.parse_args()
    if args.phase:
        run_phase(args.phase, args.dir)
        return
    marker = args.dir / ".generated"
    want = f"{args.authorizations} {args.routings}"
    if not marker.is_file() or marker.read_text() != want:
        t0 = time.perf_counter()
        generate(args.dir, args.authorizations, args.routings)
        marker.write_text(want)
        print(f"generated {args.dir} in {time.perf_counter() - t0:.1f} s")
    size = sum((args.dir / f).stat().st_size for f in FILES)
    print(f"export: {args.authorizations} authorizations, {args.routings} routings, {size / 2**20:.1f} MiB in "
          f"{len(FILES)} files; python {sys.version.split()[0]}, orjson {orjson.__version__}")
    if args.baseline:
        against_baseline(args.dir, args.baseline.resolve(), args.repeat)
        return
    # Phases run round-robin, so load from other processes spreads over all of them; the best time is kept.
    results: dict[str, dict[str, object]] = {}
    for _ in range(args.repeat):
        for phase in PHASES:
            out = subprocess.run([sys.executable, __file__, "--phase", phase, "--dir", str(args.dir)],
                                 check=True, capture_output=True, text=True).stdout
            got = json.loads(out.strip().splitlines()[-1])
            best = results.get(phase)
            if best is None or got["seconds"] < best["seconds"]:  # type: ignore[operator]
                results[phase] = got
    print(f"{'phase':<17}{'seconds':>9}{'peak MiB':>10}  details")
    for phase, r in results.items():
        details = ", ".join(f"{k}={v}" for k, v in r.items() if k not in ("phase", "seconds", "peak_mib"))
        print(f"{phase:<17}{r['seconds']:>9.3f}{r['peak_mib']:>10.1f}  {details}")

    def ratio(a: str, b: str, key: str) -> float:
        return float(results[a][key]) / float(results[b][key])  # type: ignore[arg-type]

    print(f"read-export / bare-parse time:      {ratio('read-export', 'bare-parse', 'seconds'):.2f}x (goal <= 1.5x)")
    print(f"read-export / bare-parse peak:      {ratio('read-export', 'bare-parse', 'peak_mib'):.2f}x (goal <= 1.0x)")
    print(f"read-export / bare-parse-each time: {ratio('read-export', 'bare-parse-each', 'seconds'):.2f}x")
    print(f"read-export / bare-parse-each peak: {ratio('read-export', 'bare-parse-each', 'peak_mib'):.2f}x")
    print(f"load-snapshot speed-up over read-export: {ratio('read-export', 'load-snapshot', 'seconds'):.1f}x "
          "(goal >= 5x)")


if __name__ == "__main__":
    main()

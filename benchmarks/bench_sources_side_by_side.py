"""Benchmark: the export reader (``read_source`` of a TAK-api directory) of two source trees, side by side.

Each run reads the export in a fresh process with one tree first on ``PYTHONPATH``, alternating between the
trees, and reports CPU time (user + system, what the reader itself costs, steady under load from other
processes) and wall time: median, min and max per tree. Make the export with ``bench_snapshot.py``; check out
the other tree with ``git archive REV | tar -x -C DIR``.

Usage: ``python benchmarks/bench_sources_side_by_side.py --before DIR --after DIR --export DIR [--runs 7]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

READ = (
    "import resource, time\n"
    "from pathlib import Path\n"
    "from tak_gitops.adapters.sources import read_source\n"
    "r0 = resource.getrusage(resource.RUSAGE_SELF); t0 = time.perf_counter()\n"
    "snap = read_source(Path({export!r}), platform='NTJP', environment='PROD')\n"
    "r1 = resource.getrusage(resource.RUSAGE_SELF)\n"
    "print(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime, time.perf_counter() - t0, snap.digest)\n"
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--before", type=Path, required=True)
    ap.add_argument("--after", type=Path, required=True)
    ap.add_argument("--export", type=Path, required=True)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    cpu: dict[str, list[float]] = {k: [] for k in trees}
    wall: dict[str, list[float]] = {k: [] for k in trees}
    digests: dict[str, set[str]] = {k: set() for k in trees}
    code = READ.format(export=str(args.export.resolve()))
    for _ in range(args.runs):
        for name, tree in trees.items():
            done = subprocess.run(
                [sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(tree)}, cwd=tree,
                capture_output=True, text=True, check=True,
            )
            c, w, d = done.stdout.split()
            cpu[name].append(float(c))
            wall[name].append(float(w))
            digests[name].add(d)
    for name in trees:
        print(f"{name:7} {trees[name]}: cpu median {statistics.median(cpu[name]):.3f} s "
              f"(min {min(cpu[name]):.3f}, max {max(cpu[name]):.3f}); "
              f"wall median {statistics.median(wall[name]):.3f} s "
              f"(min {min(wall[name]):.3f}, max {max(wall[name]):.3f}); {args.runs} runs")
    print(f"after / before, cpu medians: {statistics.median(cpu['after']) / statistics.median(cpu['before']):.3f}; "
          f"same snapshot digest: {digests['before'] == digests['after'] and len(digests['after']) == 1}")


if __name__ == "__main__":
    main()

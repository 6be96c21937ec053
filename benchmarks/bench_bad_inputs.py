"""Benchmark: every case of the bad-input corpus (tests/bad_inputs/), its worst time and peak memory.

    python benchmarks/bench_bad_inputs.py [--runs 3] [--case NAME ...] [--json OUT]

Each run of a case is one fresh process: it lays the case over the base repository (as the corpus test does),
imports tak-gitops, then times the command alone (``validate``, or the case's ``command.json``) and reports
its peak resident memory (``ru_maxrss``, which includes the interpreter and the imports: about the
``after imports`` figure printed first). The worst time and the highest peak of ``--runs`` runs are reported
per case, slowest first; the goal is every case under 2 s and 200 MiB.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent
CORPUS = HERE / "tests" / "bad_inputs"
GOAL_SECONDS = 2.0
GOAL_MIB = 200.0

WORKER = r"""
import contextlib, io, json, os, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from tests.foundation.test_bad_inputs import build_case
from tak_gitops.cli import main
case, target = sys.argv[2], Path(sys.argv[3])
repo = build_case(case, target / "repo")
command = Path(sys.argv[1], "tests", "bad_inputs", case, "command.json")
args = json.loads(command.read_text()) if command.is_file() else ["validate"]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
os.chdir(repo)
out, err = io.StringIO(), io.StringIO()
start = time.perf_counter()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    try:
        main(args)
    except SystemExit as exc:
        code = exc.code
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_kib": peak, "before_kib": before, "exit": code,
                  "traceback": "Traceback" in out.getvalue() + err.getvalue()}))
"""


def run_case(case: str) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-bad-"))
    try:
        done = subprocess.run(
            [sys.executable, "-c", WORKER, str(HERE), case, str(tmp)], capture_output=True, text=True, check=True
        )
        return dict(json.loads(done.stdout.splitlines()[-1]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--case", action="append", help="only this case (repeatable)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    cases = args.case or sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith("_"))
    rows = []
    for case in cases:
        runs = [run_case(case) for _ in range(args.runs)]
        rows.append(
            {
                "case": case,
                "worst_seconds": max(r["seconds"] for r in runs),
                "peak_mib": max(r["peak_kib"] for r in runs) / 1024,
                "after_imports_mib": min(r["before_kib"] for r in runs) / 1024,
                "exit": runs[0]["exit"],
                "traceback": any(r["traceback"] for r in runs),
            }
        )
    rows.sort(key=lambda r: -r["worst_seconds"])
    print(f"{len(rows)} cases, worst of {args.runs} runs each; goal: under {GOAL_SECONDS:g} s and {GOAL_MIB:g} MiB")
    print(f"{'case':44} {'worst s':>8} {'peak MiB':>9} {'exit':>4}")
    for r in rows:
        flag = " over the goal" if r["worst_seconds"] >= GOAL_SECONDS or r["peak_mib"] >= GOAL_MIB else ""
        flag += " TRACEBACK" if r["traceback"] else ""
        print(f"{r['case']:44} {r['worst_seconds']:8.3f} {r['peak_mib']:9.1f} {r['exit']!s:>4}{flag}")
    over = [r["case"] for r in rows if r["worst_seconds"] >= GOAL_SECONDS or r["peak_mib"] >= GOAL_MIB]
    imports = min(r["after_imports_mib"] for r in rows)
    print(f"after imports: {imports:.1f} MiB; over the goal: {', '.join(over) if over else 'none'}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

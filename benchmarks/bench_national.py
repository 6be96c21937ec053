"""Benchmark: an adopter's national-scale TAK (benchmarks/national.py), imported by `import --all`, then planned.

Writes the TAK-api export (150,000 routings, 300,000 authorizations, 60,000 addresses, 300 organisations, lists
that rarely repeat) and its 1 % drift, the repository skeleton, then times as whole processes, alternating:

* ``bare-FORMAT``: ``orjson.loads`` of every export file (the yardstick), for the export written compact, with
  ``json.dump``'s default separators and pretty-printed;
* ``fetch-FORMAT``: ``tak-gitops fetch --from EXPORT`` of that export to a snapshot;
* ``import``: ``tak-gitops import --all`` of all organisations into a fresh copy of the skeleton (the first run's
  repository is kept, and the plan right after it must be empty);
* ``plan-cold``: ``tak-gitops plan --snapshot DRIFT`` of every organisation without the load cache
  (``TAK_GITOPS_NO_CACHE=1``), checked to hold exactly the drift; ``plan``: the same with the cache warm;
* ``plan-new-snapshot``: the same with the load cache warm but the snapshot not read before (its entry in the
  cache removed first, outside the timing);
* ``plan-one``: the same for one organisation (``--org org-010``), cache warm;
* ``validate-cold`` and ``validate``: ``tak-gitops validate`` without and with the cache.

Before the rounds, one ``validate`` and one ``plan`` fill the caches (untimed). Each figure: median, min and max
of --runs runs, wall time and peak memory (VmHWM of the child, from
/usr/bin/time's maximum resident set size).

    python benchmarks/bench_national.py [--dir .bench/national] [--runs 5] [--scale 1.0] [--phases ...]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import national
import orjson

EXE = str(Path(sys.executable).with_name("tak-gitops"))
PY = sys.executable
BARE = (
    "import orjson,sys,pathlib;d=pathlib.Path(sys.argv[1]);"
    "t=[orjson.loads(p.read_bytes()) for p in sorted(d.glob('*.json'))];print(sum(map(len,t)))"
)


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int, str]:
    """Wall seconds, peak MiB, exit code and stdout of ``cmd`` run under /usr/bin/time."""
    t0 = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *cmd], cwd=cwd, capture_output=True, text=True, check=False,
        env={**os.environ, **env},
    )
    seconds = time.perf_counter() - t0
    peak_kib = int(done.stderr.strip().splitlines()[-1])
    return seconds, peak_kib / 1024, done.returncode, done.stdout


def prepare(base: Path, scale: float) -> None:
    shape = national.NATIONAL.scaled(scale)
    marker = base / "shape.json"
    if marker.is_file() and json.loads(marker.read_text()) == shape.__dict__:
        return
    shutil.rmtree(base, ignore_errors=True)
    world = national.generate(shape)
    drifted = national.drift(world)
    national.write_export(world, base / "export")
    national.write_export(drifted.world, base / "drift")
    national.write_skeleton(shape, base / "skeleton")
    (base / "expected.json").write_text(json.dumps(sorted([a, list(k)] for a, k in drifted.expected)))
    rows = {p.name: orjson.loads(p.read_bytes()) for p in sorted((base / "export").glob("*.json"))}
    for name, dump in (("default", lambda v: json.dumps(v, ensure_ascii=False)),
                       ("pretty", lambda v: json.dumps(v, ensure_ascii=False, indent=2))):
        (base / name).mkdir()
        for file, value in rows.items():
            (base / name / file).write_text(dump(value), encoding="utf-8")
    del rows
    for name in ("export", "drift"):
        subprocess.run(
            [EXE, "fetch", "--env", national.ENV, "--from", str(base / name), "--allow-stale", "-o",
             str(base / f"{name}.snapshot.json")],
            cwd=base / "skeleton", check=True, capture_output=True,
        )
    shutil.copytree(base / "skeleton", base / "repo")
    code = subprocess.run(
        [EXE, "import", "--env", national.ENV, "--all", "--snapshot", str(base / "export.snapshot.json"),
         "--allow-stale"],
        cwd=base / "repo", capture_output=True, check=False,
    ).returncode
    assert code == 0, "import failed"
    marker.write_text(json.dumps(shape.__dict__))


FORMATS = {"compact": "export", "default": "default", "pretty": "pretty"}


def phase_command(phase: str, base: Path, n: int) -> tuple[list[str], Path, dict[str, str]]:
    repo = base / "repo"
    plan = [EXE, "plan", "--env", national.ENV, "--allow-stale", "--format", "json"]
    cold = {"TAK_GITOPS_NO_CACHE": "1"}
    kind, _dash, variant = phase.partition("-")
    if kind == "bare":
        return [PY, "-c", BARE, str(base / FORMATS[variant])], base, {}
    if kind == "fetch":
        return [EXE, "fetch", "--env", national.ENV, "--from", str(base / FORMATS[variant]), "--allow-stale", "-o",
                str(base / f"fetch-{variant}.snapshot.json")], repo, {}
    if phase == "import":
        target = base / f"import-{n}"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(base / "skeleton", target)
        return [EXE, "import", "--env", national.ENV, "--all", "--snapshot", str(base / "export.snapshot.json"),
                "--allow-stale"], target, {}
    if phase == "plan-empty":
        return [*plan, "--snapshot", str(base / "export.snapshot.json")], repo, {}
    if phase in ("plan", "plan-cold"):
        return [*plan, "--snapshot", str(base / "drift.snapshot.json")], repo, cold if phase == "plan-cold" else {}
    if phase == "plan-new-snapshot":  # the load cache warm, the snapshot never read before (its entry removed)
        for entry in (repo / ".tak-gitops" / "cache").glob("snapshot-*.rows"):
            entry.unlink()
        return [*plan, "--snapshot", str(base / "drift.snapshot.json")], repo, {}
    if phase == "plan-one":
        return [*plan, "--snapshot", str(base / "drift.snapshot.json"), "--org", "org-010"], repo, {}
    if phase in ("validate", "validate-cold"):
        return [EXE, "validate"], repo, cold if phase == "validate-cold" else {}
    raise SystemExit(f"unknown phase {phase}")


def check(phase: str, base: Path, code: int, out: str) -> None:
    if phase == "plan-empty":
        assert code == 0 and json.loads(out)["status"] == "no-changes", "the plan after import is not empty"
    if phase in ("plan", "plan-cold", "plan-new-snapshot"):
        expected = frozenset((a, tuple(k)) for a, k in json.loads((base / "expected.json").read_text()))
        assert code == 2 and national.plan_changes(json.loads(out)) == expected, "the plan is not the drift"
    if phase == "plan-one":
        assert code == 2, f"{phase} exited {code}"
    if phase.startswith(("import", "validate", "fetch", "bare")):
        assert code == 0, f"{phase} exited {code}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dir", type=Path, default=Path(".bench/national"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--phases", nargs="+", default=[
        "bare-compact", "fetch-compact", "bare-default", "fetch-default", "bare-pretty", "fetch-pretty", "import",
        "plan-empty", "plan-cold", "plan", "plan-new-snapshot", "plan-one", "validate-cold", "validate"])
    args = ap.parse_args()
    base = args.dir.resolve()
    t0 = time.perf_counter()
    prepare(base, args.scale)
    print(f"prepared {base} at scale {args.scale} in {time.perf_counter() - t0:.1f} s")
    # The warm phases meet the caches of earlier runs of the same inputs: fill them once, untimed, so that the
    # first round is not a cold one.
    for warm_up in ("validate", "plan"):
        cmd, cwd, env = phase_command(warm_up, base, 0)
        timed(cmd, cwd, env)
    results: dict[str, list[tuple[float, float]]] = {p: [] for p in args.phases}
    for n in range(args.runs):
        for phase in args.phases:  # alternating: one run of each phase, then the next round
            cmd, cwd, env = phase_command(phase, base, n)
            seconds, peak, code, out = timed(cmd, cwd, env)
            check(phase, base, code, out)
            results[phase].append((seconds, peak))
    for phase, runs in results.items():
        secs = [s for s, _p in runs]
        peaks = [p for _s, p in runs]
        print(
            f"{phase:14s} median {statistics.median(secs):7.3f} s (min {min(secs):.3f}, max {max(secs):.3f})  "
            f"peak {statistics.median(peaks):6.0f} MiB (min {min(peaks):.0f}, max {max(peaks):.0f})  runs {len(runs)}"
        )


if __name__ == "__main__":
    main()

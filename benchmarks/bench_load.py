"""Benchmark: ``load_desired`` (read and validate every desired/<org>/ folder) of this tree against another one.

    python benchmarks/bench_load.py --baseline DIR [--repo REPO] [--runs 5] [--phases] [--no-compare]

``DIR`` is a checkout of the code to compare with (e.g. ``git worktree add /tmp/base main`` or
``git archive main | tar -x -C /tmp/base``); its ``tak_gitops`` package is imported instead of this tree's.
``REPO`` defaults to a national-scale repository generated with ``bench_plan.generate_repo`` (300 organisations,
150,000 routings, 300,000 authorizations, 1,500 CSV address sets).

Each run starts one process per tree, in turns (baseline, this tree; then this tree, baseline; ...), which times
two loads of the repository: the first one in the process (as in ``tak-gitops plan``) and a second one (warm:
imports done, memory already taken from the system). The best, the median and the range of ``--runs`` are
reported for each tree and each, side by side, with the CPU seconds of each load (median and range: steadier than
wall time when other processes share the cores) and the load average before and after the runs.

With ``--phases``, each tree also reports the CPU seconds of each phase of a load (YAML files, CSV parsing,
the validator's organisation and environment passes), best of 5 in one process.

Unless ``--no-compare``, both trees then load the benchmark repository, this repository's example tree and
every case of the bad-input corpus (tests/bad_inputs/), and the script checks that they give the same
diagnostics in the same order and the same DesiredState: every mapping with the same items in the same order.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from side_by_side import load_average, rounds

HERE = Path(__file__).resolve().parent.parent
CORPUS = HERE / "tests" / "bad_inputs"

WORKER = r"""
import dataclasses, json, pickle, sys, time
from collections.abc import Mapping
mode, out, *repos = sys.argv[1:]
import tak_gitops
from tak_gitops.adapters.desired_loader import load_desired

def plain(value, field=""):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return (type(value).__name__, tuple((f.name, plain(getattr(value, f.name), f.name)) for f in fields))
    if field == "locations":  # looked up only (the load cache gives a ColumnLocations): compared whatever the order
        return ("dict", tuple(sorted(((plain(k), plain(v)) for k, v in value.items()), key=repr)))
    if isinstance(value, Mapping):  # a dict, or the load cache's ColumnAddresses: in its order
        return ("dict", tuple((plain(k), plain(v)) for k, v in value.items()))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted((plain(v) for v in value), key=repr)))
    if isinstance(value, (tuple, list)):
        return tuple(plain(v) for v in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value

if mode == "phases":
    import collections
    from tak_gitops.adapters import desired_loader
    try:  # the rule families of core/validate/
        from tak_gitops.core.validate.environment import EnvironmentRules as env_owner
        from tak_gitops.core.validate.organisation import OrganisationRules as org_owner
    except ImportError:  # a tree from before the split: one _Validator class
        from tak_gitops.core.validate import _Validator as org_owner
        env_owner = org_owner
    spent = collections.Counter()
    def timed(owner, name, label):
        function = getattr(owner, name)
        def wrapper(*args, **kwargs):
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] += time.process_time() - start
        setattr(owner, name, wrapper)
    timed(desired_loader, "load_yaml_file", "yaml")
    timed(desired_loader, "parse_csv", "parse_csv")
    timed(desired_loader, "read_text", "read_csv")
    timed(desired_loader, "validate_desired", "validate")
    timed(org_owner, "organisation", "organisation")
    timed(env_owner, "environment", "environment")
    load_desired(repos[0])
    best = None
    for _ in range(5):
        spent.clear()
        start = time.process_time()
        load_desired(repos[0])
        total = time.process_time() - start
        if best is None or total < best["total"]:
            best = {**spent, "total": total}
    print(json.dumps(best))
elif mode == "time":
    seconds, cpu = [], []
    for _ in range(2):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = load_desired(repos[0])
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        assert result.ok, result.diagnostics[:3]
        del result
    print(json.dumps({"first": seconds[0], "second": seconds[1], "first_cpu": cpu[0], "second_cpu": cpu[1],
                      "package": tak_gitops.__file__}))
else:
    results = []
    from tak_gitops.errors import TakGitopsError
    for repo in repos:
        try:
            result = load_desired(repo)
        except TakGitopsError as exc:  # a bad configuration or registry
            found = getattr(exc, "diagnostics", ())
            results.append((repo, [(str(d), d.severity.value) for d in found], (type(exc).__name__, str(exc))))
            continue
        results.append((repo, [(str(d), d.severity.value) for d in result.diagnostics], plain(result.state)))
    with open(out, "wb") as handle:
        pickle.dump(results, handle)
"""


def run_worker(tree: Path, mode: str, out: str, repos: list[str]) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, "-P", "-c", WORKER, mode, out, *repos], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"worker for {tree} failed:\n{done.stderr[-3000:]}")
    if mode in ("time", "phases"):
        answer: dict[str, Any] = json.loads(done.stdout)
        if mode == "time" and not answer["package"].startswith(str(tree)):
            raise SystemExit(f"worker for {tree} imported {answer['package']}")
        return answer
    return {}


def first_difference(a: Any, b: Any, where: str = "") -> str | None:
    """Where two plain structures first differ (None when equal)."""
    if type(a) is not type(b):
        return f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, tuple):
        if len(a) != len(b):
            return f"{where}: {len(a)} items != {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{where}[{i}]")
            if found is not None:
                return found
        return None
    return None if a == b or (a != a and b != b) else f"{where}: {a!r} != {b!r}"


def build_case(case: Path, target: Path) -> None:
    shutil.copytree(CORPUS / "_base", target)
    for file in sorted(case.rglob("*")):
        if file.is_file() and file.name != "expected.txt":
            dest = target / file.relative_to(case)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, dest)


def compare(baseline: Path, repo: Path, tmp: Path) -> None:
    repos = [str(repo), str(HERE)]
    for case in sorted(p for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith("_")):
        target = tmp / "cases" / case.name
        build_case(case, target)
        if (target / "tak-gitops.yaml").is_file():
            repos.append(str(target))
    dumps = {}
    for name, tree in (("baseline", baseline), ("this tree", HERE)):
        out = str(tmp / f"{name.replace(' ', '-')}.pickle")
        run_worker(tree, "dump", out, repos)
        with open(out, "rb") as handle:
            dumps[name] = pickle.load(handle)
    failures = 0
    for (repo, old_diags, old_state), (_repo, new_diags, new_state) in zip(
        dumps["baseline"], dumps["this tree"], strict=True
    ):
        problem = first_difference(tuple(old_diags), tuple(new_diags), "diagnostics") or first_difference(
            old_state, new_state, "state"
        )
        if problem is not None:
            failures += 1
            print(f"DIFFERENT {repo}: {problem}")
    print(
        f"compared {len(repos)} repositories (the benchmark repository, the example tree, "
        f"{len(repos) - 2} bad-input cases): {'all identical' if not failures else f'{failures} differ'}"
    )
    if failures:
        raise SystemExit(1)


PHASES = (
    ("yaml", "YAML files (load_yaml_file)"),
    ("organisation", "organisation rules (systems, CSV sets)"),
    ("environment", "environment rules (routings, authorizations)"),
    ("parse_csv", "parse_csv"),
    ("read_csv", "reading the CSV files (read_text)"),
    ("other", "the rest (folders, paths, configuration, state)"),
    ("total", "load_desired"),
)


def phases(baseline: Path, repo: Path) -> None:
    """CPU seconds of each phase of a (second) load, best of 5 in one process per tree."""
    found = {
        name: run_worker(tree, "phases", "", [str(repo)])
        for name, tree in (("baseline", baseline), ("this tree", HERE))
    }
    for answer in found.values():
        measured = ("yaml", "parse_csv", "read_csv", "organisation", "environment")
        answer["other"] = answer["total"] - sum(answer.get(k, 0.0) for k in measured)
    print("| phase (CPU seconds) | baseline | this tree |\n|---|---|---|")
    for key, label in PHASES:
        print(f"| {label} | {found['baseline'].get(key, 0.0):.3f} | {found['this tree'].get(key, 0.0):.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", type=Path, required=True, help="a checkout of the code to compare with")
    parser.add_argument("--repo", type=Path, default=None, help="the repository to load (default: generated)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-compare", action="store_true", help="only time, do not compare the results")
    parser.add_argument("--phases", action="store_true", help="also the CPU seconds of each phase of a load")
    args = parser.parse_args()
    baseline = args.baseline.resolve()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        repo = args.repo
        if repo is None:
            sys.path.insert(0, str(HERE / "benchmarks"))
            from bench_plan import generate_repo

            repo = tmp / "repo"
            generate_repo(repo)
        repo = repo.resolve()
        times: dict[tuple[str, str], list[float]] = {}
        cpu: dict[tuple[str, str], list[float]] = {}
        print(f"load average {load_average()}")
        for order in rounds({"baseline": baseline, "this tree": HERE}, args.runs):
            for name, tree in order:
                answer = run_worker(tree, "time", "", [str(repo)])
                for which in ("first", "second"):
                    times.setdefault((which, name), []).append(answer[which])
                    cpu.setdefault((which, name), []).append(answer[f"{which}_cpu"])
        for which in ("first", "second"):
            for name in ("baseline", "this tree"):
                values = times[(which, name)]
                print(
                    f"load_desired, {which} load in a process, {name}: best {min(values):.3f} s, "
                    f"median {statistics.median(values):.3f} s, max {max(values):.3f} s, "
                    f"runs {', '.join(f'{t:.3f}' for t in values)}"
                )
            old, new = min(times[(which, "baseline")]), min(times[(which, "this tree")])
            print(
                f"  {which} load, best of {args.runs}: {old:.3f} s -> {new:.3f} s "
                f"({(1 - new / old) * 100:.0f} % less, {old / new:.2f}x); medians "
                f"{statistics.median(times[(which, 'baseline')]):.3f} s -> "
                f"{statistics.median(times[(which, 'this tree')]):.3f} s"
            )
            for name in ("baseline", "this tree"):
                values = cpu[(which, name)]
                print(
                    f"  {which} load, CPU seconds, {name}: median {statistics.median(values):.3f} s "
                    f"(min {min(values):.3f}, max {max(values):.3f})"
                )
            old_cpu, new_cpu = (statistics.median(cpu[(which, n)]) for n in ("baseline", "this tree"))
            print(f"  {which} load, CPU medians, this tree / baseline: {new_cpu / old_cpu:.3f}")
        print(f"load average after the runs {load_average()}")
        if args.phases:
            phases(baseline, repo)
        if not args.no_compare:
            compare(baseline, repo, tmp)


if __name__ == "__main__":
    main()

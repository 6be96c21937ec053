"""Benchmark: `tak-gitops validate` on 300 organisation folders with 100,000 logical addresses in total.

Generates a repository the way organisations write one: short address lists inline in the environment
files, long ones as CSV address sets; every organisation has two systems, three routed contracts, a consumer
with authorizations and a grant. Then times `tak-gitops validate` as a subprocess (best of --runs).

    python benchmarks/bench_validate.py [--orgs 300] [--addresses 100000] [--runs 3] [--keep DIR] [--baseline DIR]

It also composes every generated YAML file with ruamel.yaml's C-backed loader and with its pure-Python
loader, side by side in the same run, to show why the loader uses the C path.

With ``--baseline DIR`` (another checkout, see ``side_by_side.py``) it instead times ``validate`` of both trees,
alternating, ``--runs`` times each: median, min and max (wall and CPU), and checks that both print the same.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONTRACTS = (
    "urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2",
    "urn:riv:clinicalprocess:activity:request:ProcessRequestResponder:1",
    "urn:riv:clinicalprocess:healthcond:certificate:CertificateStatusUpdateForCareResponder:3",
)
INLINE = 12  # addresses written inline per organisation; the rest go to a CSV set


def generate(root: Path, orgs: int, addresses: int) -> None:
    """Write tak-gitops.yaml, ownership.yaml and desired/<org>/ for ``orgs`` organisations."""
    (root / "tak-gitops.yaml").write_text(
        "environments:\n"
        "  NTJP-PROD:\n    plattform: NTJP-PROD\n    tak_api: {platform: NTJP, environment: PROD}\n"
        "  NTJP-QA:\n    plattform: NTJP-QA\n    tak_api: {platform: NTJP, environment: QA}\n",
        encoding="utf-8",
    )
    owner_lines = ["organisations:"]
    per_org = addresses // orgs
    extra = addresses - per_org * orgs
    for i in range(orgs):
        key = f"org-{i:03d}"
        producer, consumer = f"SE{i:06d}0000-PROD", f"SE{i:06d}0000-CONS"
        owner_lines += [
            f"  {key}:",
            f"    name: Organisation {i}",
            f'    number: "{232100 + i}-0000"',
            f"    systems: [{producer}, {consumer}]",
        ]
        folder = root / "desired" / key
        (folder / "addresses").mkdir(parents=True)
        count = per_org + (1 if i < extra else 0)
        ids = [f"SE{i:06d}0000-{n:05d}" for n in range(count)]
        inline, in_csv = ids[:INLINE], ids[INLINE:]
        (folder / "addresses" / "units.csv").write_text(
            "hsa-id;name\n" + "".join(f"{a};VE: Organisation {i} unit {a[-5:]}\n" for a in in_csv),
            encoding="utf-8",
        )
        (folder / "organisation.yaml").write_text(
            "systems:\n"
            f"  - hsa_id: {producer}\n    name: Producer {i}\n    environments: [NTJP-QA, NTJP-PROD]\n"
            f"  - hsa_id: {consumer}\n    name: Consumer {i}\n    environments: [NTJP-QA, NTJP-PROD]\n"
            "address_sets:\n  units:\n    csv: addresses/units.csv\n",
            encoding="utf-8",
        )
        inline_yaml = "".join(f"          - {{hsa_id: {a}, name: Unit {a[-5:]}}}\n" for a in inline)
        contracts = "".join(
            f"      - contract: {c}\n        profile: RIVTABP21\n"
            f"        url: https://org{i}.example.se/rivta/{n}/rivtabp21\n"
            "        addresses:\n" + inline_yaml + "          - {set: units}\n"
            for n, c in enumerate(CONTRACTS)
        )
        other = f"org-{(i + 1) % orgs:03d}"
        (folder / "NTJP-PROD.yaml").write_text(
            f'comment: "Organisation {i}"\n'
            f"producers:\n  - system: {producer}\n    contracts:\n{contracts}"
            f"consumers:\n  - system: {consumer}\n    authorizations:\n"
            f"      - contracts:\n          - {CONTRACTS[0]}\n        addresses:\n"
            + "".join(f"          - {a}\n" for a in inline[:3])
            + f"grants:\n  - producer: {producer}\n    contracts:\n      - {CONTRACTS[1]}\n"
            f"    consumers: [SE{(i + 1) % orgs:06d}0000-CONS]  # {other}'s consumer\n",
            encoding="utf-8",
        )
    (root / "ownership.yaml").write_text("\n".join(owner_lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orgs", type=int, default=300)
    parser.add_argument("--addresses", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None, help="generate into this directory and keep it")
    parser.add_argument("--baseline", type=Path, default=None, help="another checkout: time both side by side")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        generate(root, args.orgs, args.addresses)
        yaml_bytes = sum(p.stat().st_size for p in root.rglob("*.yaml"))
        csv_bytes = sum(p.stat().st_size for p in root.rglob("*.csv"))
        print(
            f"generated {args.orgs} organisations, {args.addresses} addresses: "
            f"{yaml_bytes / 1e6:.2f} MB YAML, {csv_bytes / 1e6:.2f} MB CSV"
        )
        if args.baseline:
            against_baseline(root, args.baseline.resolve(), args.runs)
            return
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "tak_gitops", "validate", str(root)], capture_output=True, text=True
            )
            times.append(time.perf_counter() - start)
            if done.returncode != 0:
                print(done.stdout[:2000], done.stderr[:2000])
                raise SystemExit(f"validate exited {done.returncode}")
        print(f"tak-gitops validate: best {min(times):.2f} s, runs {', '.join(f'{t:.2f}' for t in times)} s")
        compose_times = {pure: compose_all(root, pure) for pure in (False, True)}
        print(
            f"compose all YAML: C loader {compose_times[False]:.2f} s, pure-Python loader {compose_times[True]:.2f} s "
            f"(ratio {compose_times[True] / compose_times[False]:.1f}x)"
        )


def against_baseline(root: Path, baseline: Path, runs: int) -> None:
    """``tak-gitops validate`` of two trees, in turns; the same output required of both."""
    import side_by_side as sbs

    trees = {"baseline": baseline, "this tree": sbs.HERE}
    for tree in trees.values():
        sbs.check_tree(tree)
    print(f"baseline {baseline}; this tree {sbs.HERE}; load average {sbs.load_average()}")
    wall: dict[str, list[float]] = {t: [] for t in trees}
    cpu: dict[str, list[float]] = {t: [] for t in trees}
    outputs = set()
    for order in sbs.rounds(trees, runs):
        for name, tree in order:
            w, c, done = sbs.timed_run([sys.executable, "-P", "-m", "tak_gitops", "validate", str(root)], tree)
            if done.returncode != 0:
                raise SystemExit(f"validate of {tree} exited {done.returncode}: {done.stderr[-2000:]}")
            wall[name].append(w)
            cpu[name].append(c)
            outputs.add((done.stdout, done.stderr))
    print(f"load average after the runs {sbs.load_average()}")
    sbs.report("tak-gitops validate", wall, cpu)
    print(f"output of both trees: {'identical' if len(outputs) == 1 else 'DIFFERENT'}")
    if len(outputs) != 1:
        raise SystemExit(1)


def compose_all(root: Path, pure: bool) -> float:
    """Seconds to compose (parse with positions) every YAML file under ``root``."""
    from ruamel.yaml import YAML

    texts = [p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.yaml"))]
    start = time.perf_counter()
    for text in texts:
        YAML(typ="safe", pure=pure).compose(text)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()

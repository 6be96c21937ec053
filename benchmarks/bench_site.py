"""Benchmark: `tak-gitops site` at national scale: time, peak memory, largest page, total size, search latency.

The world is the plan benchmark's (``bench_plan``): 300 organisations, 60,000 logical addresses in an HSA file
of 60,000 units, 150,000 routings and 300,000 authorizations, the desired files and a TAK-api export with 1 %
differences, saved as a snapshot. The build runs as the command does (``tak-gitops site --snapshot ... --hsa
...``) in a child process, best of ``--runs``, with its peak memory (``ru_maxrss`` of the child). Then headless
Chromium opens the built site from the file system and times, for a few queries, typing to the results shown
(loading the shards the query needs included), in a fresh page each time.

Usage: ``python benchmarks/bench_site.py [--dir .bench/site] [--runs 3] [--no-browser]``
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_plan  # noqa: E402

QUERIES = ("SE000123", "00123", "Organisation 17 care giver", "GetSomethingNumber45", "tp.org12.example.se")


def prepare(base: Path) -> tuple[Path, Path, Path]:
    repo, export, hsa = base / "repo", base / "export", base / "hsacache.xml"
    snapshot = base / "snapshot.json"
    if not (repo / "tak-gitops.yaml").exists():
        bench_plan.generate_repo(repo)
    if not (export / "cooperations.json").exists():
        bench_plan.generate_export(export)
    if not hsa.exists():
        bench_plan.generate_hsa(hsa)
    if not snapshot.exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "tak_gitops",
                "fetch",
                "--env",
                "NTJP-PROD",
                "--config",
                str(repo / "tak-gitops.yaml"),
                "--from",
                str(export),
                "--allow-stale",
                "-o",
                str(snapshot),
            ],
            check=True,
            capture_output=True,
        )
    return repo, snapshot, hsa


def build(repo: Path, snapshot: Path, hsa: Path, out: Path) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (the command and its workers), peak MiB of the largest process, its output."""
    shutil.rmtree(out, ignore_errors=True)  # every run writes a new site (removing the old one is not timed)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_before = usage.ru_utime + usage.ru_stime
    start = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tak_gitops",
            "site",
            "--env",
            "NTJP-PROD",
            "--root",
            str(repo),
            "--snapshot",
            str(snapshot),
            "--hsa",
            str(hsa),
            "--allow-stale",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, usage.ru_utime + usage.ru_stime - cpu_before, usage.ru_maxrss / 1024, done.stdout.strip()


def sizes(out: Path) -> tuple[int, int, int, str, int, int]:
    pages = total = largest = shards = biggest_shard = 0
    name = ""
    for root, _dirs, files in os.walk(out):
        for f in files:
            p = Path(root) / f
            n = p.stat().st_size
            total += n
            if f.endswith(".html"):
                pages += 1
                if n > largest:
                    largest, name = n, str(p.relative_to(out))
            elif "/search/" in str(p):
                shards += 1
                biggest_shard = max(biggest_shard, n)
    return pages, total, largest, name, shards, biggest_shard


def search_times(out: Path) -> list[tuple[str, float, float, int]]:
    """(query, ms from typing to results in the page, ms the page reports for the lookup, results)."""
    from playwright.sync_api import sync_playwright

    found = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for query in QUERIES:
            page = browser.new_page()
            page.goto((out / "NTJP-PROD" / "index.html").as_uri())
            took = page.evaluate(
                """q => new Promise(done => {
                    const box = document.getElementById('results'), input = document.getElementById('q');
                    const t0 = performance.now();
                    new MutationObserver((_, obs) => {
                        if (box.getAttribute('data-query') === q) {
                            obs.disconnect();
                            done([performance.now() - t0, parseFloat(box.getAttribute('data-ms') || '0'),
                                  box.querySelectorAll('a').length]);
                        }
                    }).observe(box, {attributes: true, childList: true});
                    input.value = q; input.dispatchEvent(new Event('input'));
                })""",
                query,
            )
            found.append((query, took[0] - 60.0, took[1], int(took[2])))  # less the 60 ms typing debounce
            page.close()
        browser.close()
    return found


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", type=Path, default=Path(".bench/site"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args()
    repo, snapshot, hsa = prepare(args.dir)
    out = args.dir / "out"
    runs = []
    cpus = []
    for _ in range(args.runs):
        load = os.getloadavg()[0]
        seconds, cpu, peak, said = build(repo, snapshot, hsa, out)
        runs.append(seconds)
        cpus.append(cpu)
        print(f"build {seconds:.2f} s wall, {cpu:.2f} s CPU, peak {peak:.0f} MiB (load average {load:.1f}): {said}")
    runs.sort()
    cpus.sort()
    print(
        f"CPU time: median {cpus[len(cpus) // 2]:.2f} s, min {cpus[0]:.2f}, max {cpus[-1]:.2f}; {os.cpu_count()} CPUs"
    )
    print(
        f"tak-gitops site: median {runs[len(runs) // 2]:.2f} s, min {runs[0]:.2f}, max {runs[-1]:.2f} "
        f"({len(runs)} runs)"
    )
    pages, total, largest, name, shards, biggest_shard = sizes(out)
    print(
        f"{pages} pages, {total / 1e6:.1f} MB in all; largest page {name} {largest / 1e3:.0f} kB; "
        f"{shards} search files, largest {biggest_shard / 1e3:.0f} kB"
    )
    if not args.no_browser:
        for query, ms, lookup, n in search_times(out):
            print(f"search {query!r}: {ms:.0f} ms to results (lookup {lookup:.1f} ms), {n} shown")


if __name__ == "__main__":
    main()

"""Benchmark: building BS JSON orders from a large plan, and an apply with the files submitter.

Builds a plan of --orders producer orders with --lines routing changes each (URL changes on care units), then
times, in one run: build_orders (pure), an apply of every order through the ledger (the files submitter: two
fsyncs an order, its record and its file, and one per directory for the run) and reading the ledger back (what
`orders list` and the planner's pending orders do).

    python benchmarks/bench_apply.py [--orders 300] [--lines 100] [--runs 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from tak_gitops.adapters.apply_runner import run_apply
from tak_gitops.adapters.ledger_store import LedgerStore, pending_orders
from tak_gitops.adapters.submit import FilesSubmitter
from tak_gitops.core.canonical import digest
from tak_gitops.core.config import EnvironmentConfig, OrderConfig, TakApiTarget
from tak_gitops.core.orders import build_orders

GCC2 = "urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2"


def make_plan(orders: int, lines: int) -> dict[str, Any]:
    out = []
    for i in range(orders):
        producer = f"SE{i:06d}0000-PROD"
        changes = []
        for j in range(lines):
            address = f"SE{i:06d}0000-{j:05d}"
            changes.append(
                {
                    "action": "change-routing",
                    "address": address,
                    "contract": GCC2,
                    "before": {"producer": producer, "url": f"https://old{i}.example.se/gcc/2", "profile": "RIVTABP21"},
                    "after": {"producer": producer, "url": f"https://new{i}.example.se/gcc/2", "profile": "RIVTABP21"},
                    "changed": ["url"],
                }
            )
        out.append(
            {
                "id": f"w1-org-{i:03d}-producer-{producer}",
                "wave": 1,
                "kind": "producer",
                "org": f"org-{i:03d}",
                "system": producer,
                "comment": "Byte av värd",
                "change_date": None,
                "changes": changes,
            }
        )
    body = {
        "format": "tak-gitops-plan",
        "format_version": "1.0",
        "environment": "NTJP-PROD",
        "plattform": "NTJP-PROD",
        "orders": out,
    }
    return {**body, "checksum": digest(body)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--lines", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    plan = make_plan(args.orders, args.lines)
    env = EnvironmentConfig(plattform="NTJP-PROD", tak_api=TakApiTarget(platform="NTJP", environment="PROD"))
    now = dt.datetime.now(dt.UTC)
    runs: dict[str, list[float]] = {"build": [], "apply": [], "read": []}
    for _ in range(args.runs):
        t0 = time.perf_counter()
        built = build_orders(plan, OrderConfig(), env, now=now)
        t1 = time.perf_counter()
        root = Path(tempfile.mkdtemp(prefix="bench-apply-"))
        try:
            store = LedgerStore(root, "NTJP-PROD")
            report = run_apply(
                store,
                built,
                FilesSubmitter(root / "out", "NTJP-PROD"),
                plan_checksum=plan["checksum"],
                pr_url=None,
                commit=None,
                clock=lambda: dt.datetime.now(dt.UTC),
            )
            t2 = time.perf_counter()
            pending = pending_orders(root, "NTJP-PROD")
            t3 = time.perf_counter()
            assert len(report.sent) == args.orders and len(pending) == args.orders
        finally:
            shutil.rmtree(root)
        for name, value in (("build", t1 - t0), ("apply", t2 - t1), ("read", t3 - t2)):
            runs[name].append(value)
    total = args.orders * args.lines
    med = {name: statistics.median(values) for name, values in runs.items()}
    spread = {name: f"(min {min(v):.3f}, max {max(v):.3f}, {len(v)} runs)" for name, v in runs.items()}
    print(f"{args.orders} orders x {args.lines} lines = {total} routing lines; medians")
    print(f"build_orders:             {med['build']:.3f} s {spread['build']} ({total / med['build']:,.0f} lines/s)")
    per_order = med["apply"] / args.orders * 1000
    print(f"apply (files, fsync):     {med['apply']:.3f} s {spread['apply']} ({per_order:.1f} ms/order)")
    print(f"read ledger, pending:     {med['read']:.3f} s {spread['read']}")


if __name__ == "__main__":
    main()

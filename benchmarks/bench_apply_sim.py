"""Benchmark: orders per second through the reference TAK's TAK-web over 127.0.0.1 (the tak-web submitter).

Seeds a reference TAK with a regional-scale snapshot, then submits --orders small orders (one authorization each)
with the project's `tak-web` submitter on one keep-alive connection, and reports orders per second. Each run
also measures the same with the server's answer written the stdlib's default way (status line and headers in one
send, the body in another, Nagle's algorithm on), side by side, alternating, so the ratio is of one machine state.

    python benchmarks/bench_apply_sim.py [--orders 300] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench_sim import CONTRACTS, snapshot

from tak_gitops.adapters.submit import TakWebSubmitter
from tak_gitops.core.config import SubmitterConfig
from tak_gitops.sim.clock import DEFAULT_ZONE, FixedClock
from tak_gitops.sim.db import Database
from tak_gitops.sim.seed import seed_from_snapshot
from tak_gitops.sim.server import SimConfig, SimServer
from tak_gitops.sim.server.plumbing import Plumbing

ENV = {"TAK_WEB_USERNAME": "bench", "TAK_WEB_PASSWORD": "bench"}


def order(i: int) -> dict[str, object]:
    return {
        "plattform": "NTJP-PROD",
        "formatVersion": 1.0,
        "version": 1,
        "bestallningsTidpunkt": "2025-05-20T09:00:00+0200",
        "genomforandeTidpunkt": "2025-05-20T09:00:00+0200",
        "utforare": "bench",
        "kommentar": f"bench {i}",
        "inkludera": {
            "anropsbehorigheter": [
                {
                    "tjanstekonsument": "SE2321000032-C001",
                    "logiskAdress": f"SE2321000032-{i:06d}",
                    "tjanstekontrakt": CONTRACTS[(i + 5) % len(CONTRACTS)],
                }
            ]
        },
    }


def run(orders: int, *, default_writes: bool, tmp: Path, n: int) -> float:
    """Orders per second for one fresh reference TAK."""
    saved = (Plumbing.disable_nagle_algorithm, Plumbing.wbufsize)
    if default_writes:
        Plumbing.disable_nagle_algorithm, Plumbing.wbufsize = False, 0
    clock = FixedClock(datetime(2025, 5, 20, 10, 0, tzinfo=DEFAULT_ZONE))
    db = Database(tmp / f"tak-{n}.sqlite")
    seed_from_snapshot(db, snapshot(20_000, 40_000), moment=clock.now())
    try:
        with SimServer(db, SimConfig(users={"bench": "bench"}, clock=clock)) as server:
            submitter = TakWebSubmitter(
                SubmitterConfig(kind="tak-web", url=server.tak_web_url), base_dir=tmp, environ=ENV
            )
            submitter.open()
            documents = [order(i) for i in range(orders)]
            t0 = time.perf_counter()
            for i, document in enumerate(documents):
                outcome = submitter.submit(f"o{i}", f"k{i}", document)
                assert outcome.result == "submitted", (outcome.detail, outcome.messages)
            elapsed = time.perf_counter() - t0
            submitter.close()
    finally:
        Plumbing.disable_nagle_algorithm, Plumbing.wbufsize = saved
        db.close()
    return orders / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    fast: list[float] = []
    slow: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.runs):
            fast.append(run(args.orders, default_writes=False, tmp=Path(tmp), n=2 * n))
            slow.append(run(args.orders, default_writes=True, tmp=Path(tmp), n=2 * n + 1))
    for label, values in (("one send, TCP_NODELAY", fast), ("stdlib default writes", slow)):
        print(
            f"{label}: median {statistics.median(values):.1f} orders/s "
            f"(min {min(values):.1f}, max {max(values):.1f}, {len(values)} runs of {args.orders} orders)"
        )


if __name__ == "__main__":
    main()

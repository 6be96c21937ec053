"""Benchmark: the reference TAK at regional scale.

Seeds a TAK with --routings routings and --authorizations authorizations (from a Snapshot), executes one order
that changes the URL of --changes routings and adds --changes authorizations, publishes, and reads the whole
TAK back through the project's TAK-api client over 127.0.0.1. Prints the time of each step.

    python benchmarks/bench_sim.py [--routings 20000] [--authorizations 40000] [--changes 1000]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import datetime
from pathlib import Path

from tak_gitops.adapters.takapi import Credentials, TakApiClient
from tak_gitops.core.config import TakApiConfig
from tak_gitops.core.snapshot import Contract, Snapshot
from tak_gitops.sim.clock import DEFAULT_ZONE, FixedClock
from tak_gitops.sim.db import Database
from tak_gitops.sim.execute import execute
from tak_gitops.sim.publish import publish
from tak_gitops.sim.seed import seed_from_snapshot
from tak_gitops.sim.server import SimConfig, SimServer

CONTRACTS = [f"urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:{i}" for i in range(1, 11)]


def snapshot(routings: int, authorizations: int) -> Snapshot:
    las = [f"SE2321000032-{i:06d}" for i in range(max(routings, authorizations) // len(CONTRACTS) + 1)]
    r = []
    for i in range(routings):
        la, ns = las[i // len(CONTRACTS)], CONTRACTS[i % len(CONTRACTS)]
        r.append(
            (
                (la, ns),
                (f"SE2321000032-P{i % 50:03d}", f"https://tp{i % 50}.example.se/vp/{i % 10}/rivtabp21", "RIVTABP21"),
            )
        )
    a = [
        (f"SE2321000032-C{i % 40:03d}", las[i // 40 % len(las)], CONTRACTS[i % len(CONTRACTS)])
        for i in range(authorizations)
    ]
    return Snapshot.build(
        platform="NTJP",
        environment="PROD",
        snapshot_time=None,
        source="bench",
        routings=r,
        authorizations=set(a),
        contracts=[Contract(ns, ns.rsplit(":", 2)[1], 2) for ns in CONTRACTS],
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--routings", type=int, default=20000)
    parser.add_argument("--authorizations", type=int, default=40000)
    parser.add_argument("--changes", type=int, default=1000)
    args = parser.parse_args()
    clock = FixedClock(datetime(2025, 5, 20, 10, 0, tzinfo=DEFAULT_ZONE))
    snap = snapshot(args.routings, args.authorizations)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "tak.sqlite")
        t0 = time.perf_counter()
        seed_from_snapshot(db, snap, moment=clock.now())
        t_seed = time.perf_counter() - t0

        keys = sorted(snap.routings)[: args.changes]
        vagval = [
            {
                "tjanstekomponent": snap.routings[k][0],
                "logiskAdress": k[0],
                "tjanstekontrakt": k[1],
                "rivtaprofil": "RIVTABP21",
                "adress": f"https://new.example.se/vp/{i % 7}/rivtabp21",
            }
            for i, k in enumerate(keys)
        ]
        grants = [
            {"tjanstekonsument": "SE2321000032-CNEW", "logiskAdress": k[0], "tjanstekontrakt": k[1]} for k in keys
        ]
        order = json.dumps(
            {
                "plattform": "NTJP-PROD",
                "formatVersion": 1.0,
                "version": 1,
                "bestallningsTidpunkt": "2025-05-20T09:00:00+0200",
                "genomforandeTidpunkt": "2025-05-20T09:00:00+0200",
                "utforare": "bench",
                "kommentar": "bench",
                "inkludera": {
                    "tjanstekomponenter": [{"hsaId": "SE2321000032-CNEW", "beskrivning": "ny konsument"}],
                    "anropsbehorigheter": grants,
                    "vagval": vagval,
                },
            }
        )
        t0 = time.perf_counter()
        outcome = execute(db, order, user="admin", platform="NTJP-PROD", zone=DEFAULT_ZONE, now=clock.now())
        t_exec = time.perf_counter() - t0
        assert outcome.ok, outcome.errors[:3]

        t0 = time.perf_counter()
        publish(db, "admin", clock=clock)
        t_pub = time.perf_counter() - t0

        with SimServer(db, SimConfig(api_users={"b": "b"}, clock=clock)) as server:
            cfg = TakApiConfig(base_url=server.tak_api_url)
            t0 = time.perf_counter()
            with TakApiClient(cfg, Credentials("b", "b")) as client:
                fetched = client.fetch("NTJP", "PROD", Path(tmp) / "raw")
            t_fetch = time.perf_counter() - t0
        assert len(fetched.routings) == args.routings
        assert len(fetched.authorizations) == args.authorizations + args.changes
    print(
        f"rows: {args.routings} routings, {args.authorizations} authorizations; order: {args.changes} URL changes "
        f"+ {args.changes} grants"
    )
    print(f"seed {t_seed:.2f} s | execute order {t_exec:.2f} s | publish {t_pub:.2f} s | TAK-api fetch {t_fetch:.2f} s")


if __name__ == "__main__":
    main()

"""The reference TAK seeded from the bundled examples serves what the project's own readers expect.

The TAK-api client (tak_gitops.adapters.takapi) fetches from the simulator over 127.0.0.1; its snapshot must
equal the one read directly from the seed file, and the one read from the saved TAK-api responses.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from simdata import EXAMPLES

from tak_gitops.adapters.snapshot_file import read_snapshot
from tak_gitops.adapters.sources import read_pv_file, read_takapi_dir
from tak_gitops.adapters.takapi import Credentials, TakApiClient
from tak_gitops.core.config import TakApiConfig
from tak_gitops.core.snapshot import Snapshot
from tak_gitops.sim.clock import DEFAULT_ZONE, FixedClock
from tak_gitops.sim.db import Database
from tak_gitops.sim.files import seed_file
from tak_gitops.sim.server import SimConfig, SimServer

pytestmark = pytest.mark.e2e

PV = EXAMPLES / "ntjp-prod-pubversion.json"
SNAPSHOT = EXAMPLES / "ntjp-prod.snapshot.json"
TODAY = date(2026, 11, 20)


def fetch(seed: Path, tmp_path: Path) -> Snapshot:
    clock = FixedClock(datetime(2026, 11, 20, 9, 0, tzinfo=DEFAULT_ZONE))
    db = Database(":memory:")
    seed_file(db, seed, moment=clock.now())
    with SimServer(db, SimConfig(api_users={"reader": "pw"}, clock=clock)) as server:
        cfg = TakApiConfig(base_url=server.tak_api_url, timeout_seconds=10)
        with TakApiClient(cfg, Credentials("reader", "pw")) as client:
            return client.fetch("NTJP", "PROD", tmp_path / "raw")


def test_pubversion_seed_serves_the_same_tak(tmp_path: Path) -> None:
    served = fetch(PV, tmp_path)
    direct = read_pv_file(PV, platform="NTJP", environment="PROD", today=TODAY)
    assert dict(served.routings) == dict(direct.routings)
    assert served.authorizations == direct.authorizations
    assert {ns: (c.description, c.major) for ns, c in served.contracts.items()} == {
        ns: (c.description, c.major) for ns, c in direct.contracts.items()
    }


def test_served_responses_read_like_the_saved_tak_api_responses(tmp_path: Path) -> None:
    served = fetch(PV, tmp_path)
    saved = read_takapi_dir(EXAMPLES / "ntjp-prod", platform="NTJP", environment="PROD")
    assert dict(served.routings) == dict(saved.routings)
    assert served.authorizations == saved.authorizations


def test_snapshot_seed_serves_the_same_tak(tmp_path: Path) -> None:
    served = fetch(SNAPSHOT, tmp_path)
    saved = read_snapshot(SNAPSHOT)
    assert dict(served.routings) == dict(saved.routings)
    assert served.authorizations == saved.authorizations

"""Fixtures for the reference TAK: a seeded in-memory database and a fixed clock (D is controlled by tests)."""

from __future__ import annotations

from datetime import datetime

import pytest
from simdata import example_snapshot

from tak_gitops.sim.clock import DEFAULT_ZONE, FixedClock
from tak_gitops.sim.db import Database
from tak_gitops.sim.seed import seed_from_snapshot


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2025, 5, 20, 10, 0, 0, tzinfo=DEFAULT_ZONE))


@pytest.fixture
def tak(clock: FixedClock) -> Database:
    db = Database(":memory:")
    seed_from_snapshot(db, example_snapshot(), moment=clock.now())
    return db

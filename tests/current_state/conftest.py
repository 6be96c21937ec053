"""Fixtures: the fake TAK-api server and the bundled example TAK."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .fake_takapi import FakeTakApi, load_example, serve

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


@pytest.fixture
def fake_api() -> Iterator[FakeTakApi]:
    with serve(FakeTakApi(load_example())) as state:
        yield state

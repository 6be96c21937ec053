"""One reference TAK per test module (reset between tests), and the credentials in the environment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tak_gitops.sim.server import SimServer

from .helpers import CREDENTIALS, serving, sim_config


@pytest.fixture(scope="module")
def credentials() -> Iterator[dict[str, str]]:
    with pytest.MonkeyPatch.context() as mp:
        for name, value in CREDENTIALS.items():
            mp.setenv(name, value)
        yield CREDENTIALS


@pytest.fixture(scope="module")
def prod_sim(credentials: dict[str, str]) -> Iterator[SimServer]:
    """The reference TAK of NTJP-PROD on 127.0.0.1:<free port>; tests seed it with :func:`helpers.reset`."""
    with serving(sim_config()) as sim:
        yield sim

"""The example's pages byte for byte: the organisation page of Region Sörmland, the plan, a care unit's page and
the search shard that holds ``4kmn``. Regenerate after a deliberate change with
``UPDATE_GOLDEN=1 python -m pytest tests/site_map/test_site_golden.py``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
PAGES = (
    "NTJP-PROD/org/region-sormland.html",
    "NTJP-PROD/plan.html",
    "NTJP-PROD/address/SE2321000032-4KMU.html",
)


@pytest.mark.parametrize("page", PAGES)
def test_page_matches_golden(example_site: Path, page: str) -> None:
    got = (example_site / page).read_bytes()
    path = GOLDEN / page.replace("/", "__")
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(got)
    assert got == path.read_bytes()


def test_same_inputs_same_site(example_site: Path, tmp_path: Path) -> None:
    from tests.site_map.conftest import build_example

    other = tmp_path / "again"
    assert build_example(other, "--plan", str(example_site.parent / "plan.json")).returncode == 0
    first = sorted(p.relative_to(example_site) for p in example_site.rglob("*") if p.is_file())
    second = sorted(p.relative_to(other) for p in other.rglob("*") if p.is_file())
    assert first == second
    assert all((example_site / p).read_bytes() == (other / p).read_bytes() for p in first)

"""A saved TAK-api response directory is read only for the connection point it was saved for."""

from __future__ import annotations

from pathlib import Path

import pytest

from tak_gitops.adapters.sources import read_takapi_dir
from tak_gitops.errors import SourceError


def test_a_response_directory_read_for_another_environment_is_refused() -> None:
    directory = Path(__file__).resolve().parents[2] / "examples" / "ntjp-prod"
    with pytest.raises(SourceError) as exc:
        read_takapi_dir(directory, platform="NTJP", environment="QA")
    assert str(exc.value) == (
        f"{directory / 'installedContracts.json'}: installedContracts[0].connectionPoint: this directory holds the TAK "
        "of NTJP/PROD, not NTJP/QA: read it for NTJP/PROD, or fetch NTJP/QA into a directory of its own"
    )

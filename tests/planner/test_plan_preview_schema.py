"""A plan made with acknowledgement flags records them in ``inputs.acknowledged_by_flags``, a key the plan
JSON Schema declares (an array of the flags as given, never empty)."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from tak_gitops.cli import main

from .helpers import ROOT, validator


def test_a_preview_plan_records_its_flags_and_matches_the_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("desired", "ownership.yaml", "tak-gitops.yaml"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    out = tmp_path / "plan.json"
    with pytest.raises(SystemExit) as exc:
        main([
            "plan", "--env", "NTJP-PROD", "--repo", str(tmp_path),
            "--snapshot", str(ROOT / "examples" / "ntjp-prod.snapshot.json"), "--allow-stale",
            "--hsa", str(ROOT / "examples" / "hsa" / "hsacache.xml"),
            "--ack-removals", "region-sormland=4", "--ack-cascade", "SE2321000032-4KMT", "--out", str(out),
        ])
    assert exc.value.code == 2, capsys.readouterr().err
    doc = json.loads(out.read_text("utf-8"))
    assert doc["inputs"]["acknowledged_by_flags"] == [
        "--ack-cascade SE2321000032-4KMT",
        "--ack-removals region-sormland=4",
    ]
    check = validator()
    check.validate(doc)
    assert "acknowledged_by_flags" in check.schema["properties"]["inputs"]["properties"]
    for wrong in ("--ack-cascade SE2321000032-4KMT", [], [4]):
        bad = copy.deepcopy(doc)
        bad["inputs"]["acknowledged_by_flags"] = wrong
        with pytest.raises(jsonschema.ValidationError):
            check.validate(bad)

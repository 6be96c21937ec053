"""`tak-gitops trace` on the bundled example: golden text and JSON, exit codes, and refusals of bad input.

Regenerate the golden files after a deliberate change with ``TAK_GITOPS_REGEN_GOLDEN=1 python -m pytest
tests/calls`` and review the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import orjson
import pytest

from tak_gitops.cli import main
from tests.conftest import ROOT

GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("TAK_GITOPS_REGEN_GOLDEN") == "1"
EXAMPLE = [
    "--env", "NTJP-PROD", "--export", "examples/ntjp-prod", "--hsa", "examples/hsa/hsacache.xml", "--allow-stale",
]
GCC = "urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2"
PROCESS_REQUEST = "urn:riv:clinicalprocess:activity:request:ProcessRequestResponder:1"
E_TJANSTER = "SE2321000016-92V4"  # Inera AB -- 1177 Vårdguidens e-tjänster
COSMIC = "SE162321000156-4H4F"  # Landstinget i Värmland -- Cosmic


def check(name: str, text: str) -> None:
    # the plan's checksum changes with every change of the plan format; the golden file keeps its place
    text = re.sub(r"^plan     sha256:[0-9a-f]{64} ", "plan     sha256:<checksum of plan.json> ", text, flags=re.M)
    path = GOLDEN / name
    if REGEN:
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"missing golden file {path}; run with TAK_GITOPS_REGEN_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def run(capsys: pytest.CaptureFixture[str], command: str, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main([command, *args])
    code = info.value.code
    captured = capsys.readouterr()
    return (code if isinstance(code, int) else 1), captured.out, captured.err


@pytest.fixture
def repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(ROOT)
    return ROOT


@pytest.fixture
def plan_file(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    out = tmp_path / "plan.json"
    code, _, _ = run(capsys, "plan", *EXAMPLE, "--out", str(out))
    assert code == 2
    return out


def test_works_through_a_care_giver(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # a care unit two levels below the VG Vår VC Katrineholm HB: routed and authorized on the VG's rows
    code, out, _ = run(capsys, "trace", *EXAMPLE, "--consumer", E_TJANSTER, "--contract", GCC,
                       "--address", "se2321000032-4kmv")
    assert code == 0
    check("trace-works-through-vg.txt", out)


def test_fails_vp007(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # routed exactly, but Cosmic holds no authorization on the care giver, on *, or on SE
    code, out, _ = run(capsys, "trace", *EXAMPLE, "--consumer", COSMIC, "--contract", GCC,
                       "--address", "SE2321000032-4KMN")
    assert code == 3
    check("trace-vp007.txt", out)


def test_authorized_through_star(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "trace", *EXAMPLE, "--consumer", COSMIC, "--contract", PROCESS_REQUEST,
                       "--address", "SE162321000156-4CXH")
    assert code == 0
    check("trace-via-star.txt", out)
    code, out, _ = run(capsys, "trace", *EXAMPLE, "--consumer", COSMIC, "--contract", PROCESS_REQUEST,
                       "--address", "SE162321000156-4CXH", "--format", "json")
    assert code == 0
    check("trace-via-star.json", out)
    doc = orjson.loads(out)
    assert doc["before"]["outcome"] == "works"
    assert [s["kind"] for s in doc["before"]["authorization"]] == ["exact", "*"]


def test_after_the_plan(repo: Path, plan_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the plan removes Cosmic's authorization on Sörmlands landsting: works today, VP007 after
    code, out, _ = run(capsys, "trace", *EXAMPLE, "--consumer", COSMIC, "--contract", GCC,
                       "--address", "SE2321000032-1000", "--plan", str(plan_file))
    assert code == 3
    check("trace-after-plan-vp007.txt", out.replace(plan_file.name, "plan.json"))


def test_every_address_a_consumer_can_call(repo: Path, plan_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "trace", *EXAMPLE, "--consumer", E_TJANSTER, "--contract", GCC,
                       "--plan", str(plan_file))
    assert code == 0
    check("trace-addresses-after-plan.txt", out)
    code, out, _ = run(capsys, "trace", *EXAMPLE, "--consumer", COSMIC, "--contract", PROCESS_REQUEST,
                       "--format", "json")
    doc = orjson.loads(out)
    # authorized on *: every routed address, and any other address falls through to nothing (no routing on *)
    assert [row["address"] for row in doc["addresses"]] == [
        "SE162321000024-0016023", "SE162321000024-0050137", "SE162321000156-4CXH", "SE2321000065-TEST0008",
    ]
    assert {row["before"]["authorized_kind"] for row in doc["addresses"]} == {"*"}


def test_no_hsa_file_every_parent_is_se(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = [a for a in EXAMPLE if a not in ("--hsa", "examples/hsa/hsacache.xml")]
    code, out, _ = run(capsys, "trace", *args, "--consumer", E_TJANSTER, "--contract", GCC,
                       "--address", "SE2321000032-4KMV", "--format", "json")
    assert code == 3
    doc = orjson.loads(out)
    assert doc["hsa"] is None
    assert [s["address"] for s in doc["before"]["routing"]] == ["SE2321000032-4KMV", "SE", "*"]
    assert doc["before"]["outcome"] == "VP004"


def test_bad_input_is_refused(repo: Path, tmp_path: Path, plan_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = [*EXAMPLE, "--consumer", COSMIC, "--contract", GCC]
    code, _, err = run(capsys, "trace", *base, "--address", "  ")
    assert code == 2 and "--address must not be empty" in err
    code, _, err = run(capsys, "trace", "--env", "NOPE-PROD", "--export", "examples/ntjp-prod",
                       "--consumer", COSMIC, "--contract", GCC)
    assert code == 2 and "unknown environment 'NOPE-PROD'" in err
    broken = tmp_path / "broken.json"
    broken.write_bytes(b"{not json")
    code, _, err = run(capsys, "trace", *base, "--plan", str(broken))
    assert code != 0 and "not valid JSON" in err
    # a plan edited after it was made is refused by its checksum
    doc = orjson.loads(plan_file.read_bytes())
    doc["orders"][0]["changes"] = []
    tampered = tmp_path / "tampered.json"
    tampered.write_bytes(orjson.dumps(doc))
    code, _, err = run(capsys, "trace", *base, "--plan", str(tampered))
    assert code == 5 and "checksum does not match" in err
    # a plan made against another TAK
    other = tmp_path / "other.json"
    doc = orjson.loads(plan_file.read_bytes())
    doc["inputs"]["snapshot_digest"] = "sha256:" + "0" * 64
    from tak_gitops.core.plan import compute_checksum

    doc["checksum"] = compute_checksum(doc)
    other.write_bytes(orjson.dumps(doc))
    code, _, err = run(capsys, "trace", *base, "--plan", str(other))
    assert code == 2 and "was made against snapshot" in err
    for e in (err,):
        assert "Traceback" not in e

"""`tak-gitops plan` as a user runs it: exit codes, the plan file, split comments, convergence on the example."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest

from tak_gitops.adapters.hsafile import read_hsa_file
from tak_gitops.adapters.snapshot_file import write_snapshot
from tak_gitops.adapters.sources import read_source
from tak_gitops.cli import main
from tak_gitops.core.plan import apply_changes, read_plan_document
from tests.conftest import ROOT
from tests.planner.helpers import validator

EXAMPLE = ["--env", "NTJP-PROD", "--export", "examples/ntjp-prod", "--hsa", "examples/hsa/hsacache.xml"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(["plan", *args])
    code = info.value.code
    captured = capsys.readouterr()
    return (code if isinstance(code, int) else 1), captured.out, captured.err


@pytest.fixture
def repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(ROOT)
    return ROOT


def test_usage_problems_exit_1_not_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--env", "NOPE-PROD", "--export", "examples/ntjp-prod")
    assert code == 1 and "unknown environment 'NOPE-PROD'" in err
    code, _, err = run(capsys, "--env", "NTJP-PROD")
    assert code == 1 and "give exactly one of --snapshot FILE, --export PATH or --fetch" in err
    code, _, err = run(capsys, *EXAMPLE, "--allow-stale", "--ack-removals", "inera")
    assert code == 1 and "--ack-removals 'inera': give ORG=N" in err
    code, _, err = run(capsys, *EXAMPLE, "--allow-stale", "--org", "region-nowhere")
    assert code == 1 and "--org region-nowhere: not an organisation" in err
    code, _, err = run(capsys, "--env", "NTJP-PROD", "--bogus")
    assert code == 1 and "No such option" in err
    assert "Traceback" not in err


def test_stale_snapshot_is_refused_without_allow_stale(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, *EXAMPLE)
    assert code == 1 and "--allow-stale" in err


def test_refused_plan_is_written_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Sörmland's file without its acknowledgement: removing the VG 4KMT's rows breaks the calls of 1177
    # Vårdguidens e-tjänster at the two care units below it, which no change names: the cascade guard refuses
    for name in ("tak-gitops.yaml", "ownership.yaml", "desired", "examples"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, tmp_path / name)
    sormland = tmp_path / "desired" / "region-sormland" / "NTJP-PROD.yaml"
    text = sormland.read_text(encoding="utf-8")
    sormland.write_text(text.replace("  cascades: [SE2321000032-4KMT]", "  cascades: []"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "plan.json"
    args = [*EXAMPLE, "--allow-stale", "--org", "region-sormland", "--out", str(out), "--no-color"]
    code, text, _ = run(capsys, *args)
    assert code == 1
    doc = orjson.loads(out.read_bytes())
    validator().validate(doc)
    assert doc["status"] == "refused" and [r["guard"] for r in doc["refusals"]] == ["cascade"]
    assert doc["refusals"][0]["acknowledge"] == "--ack-cascade SE2321000032-4KMT"
    assert "2 call(s) stop working at 2 other address(es)" in doc["refusals"][0]["message"]
    refused = (
        "! Refused by the cascade guard (region-sormland)\n"
        "    acknowledge with: --ack-cascade SE2321000032-4KMT\n"
    )
    assert refused in text
    code, _, _ = run(capsys, *args, "--ack-cascade", "se2321000032-4kmt")
    assert code == 2
    assert read_plan_document(orjson.loads(out.read_bytes())).status == "changes"


def test_markdown_parts_are_written(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parts = tmp_path / "parts"
    code, md, _ = run(
        capsys,
        *EXAMPLE,
        "--allow-stale",
        "--format",
        "markdown",
        "--markdown-parts",
        str(parts),
        "--comment-limit",
        "4000",
    )
    assert code == 2
    files = sorted(parts.iterdir(), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    assert len(files) > 2
    assert all(len(p.read_text(encoding="utf-8")) <= 4000 for p in files)
    assert files[0].name == "plan-NTJP-PROD-1.md"
    first = files[0].read_text(encoding="utf-8").splitlines()
    assert first[0].startswith(f"<!-- tak-gitops:plan:NTJP-PROD part=1/{len(files)} labels=")
    assert first[1] == f"**tak-gitops plan NTJP-PROD (part 1/{len(files)})**"


def test_executing_the_example_plan_converges(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plan.json"
    code, _, _ = run(capsys, *EXAMPLE, "--allow-stale", "--out", str(out))
    assert code == 2
    plan = read_plan_document(orjson.loads(out.read_bytes()))
    before = read_source(ROOT / "examples" / "ntjp-prod", platform="NTJP", environment="PROD")
    after = apply_changes(before, plan)
    write_snapshot(tmp_path / "after.snapshot.json", after)
    shutil.copy(ROOT / "examples" / "hsa" / "hsacache.xml", tmp_path / "hsa.xml")
    code, text, _ = run(
        capsys,
        "--env",
        "NTJP-PROD",
        "--snapshot",
        str(tmp_path / "after.snapshot.json"),
        "--hsa",
        str(tmp_path / "hsa.xml"),
        "--allow-stale",
        "--no-color",
    )
    assert code == 0, text
    assert "No changes. The TAK matches the desired state" in text
    assert read_hsa_file(tmp_path / "hsa.xml").digest == plan.inputs.hsa_digest


def test_plan_with_fetch_reads_the_tak_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import datetime, timedelta, timezone

    from current_state.fake_takapi import PASSWORD, USER, FakeTakApi, load_example, serve

    for name in ("ownership.yaml", "desired", "examples"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, tmp_path / name)
    with serve(FakeTakApi(load_example())) as api:
        config = (ROOT / "tak-gitops.yaml").read_text(encoding="utf-8")
        config = config.replace('tak_api: {base_url: "https://api.ntjp.se/coop/api/v2"}', "")
        config += f"tak_api:\n  base_url: {api.base_url}\n  timeout_seconds: 5\n  max_attempts: 2\n"
        (tmp_path / "tak-gitops.yaml").write_text(config, encoding="utf-8")
        api.data["connectionPoints"][0]["snapshotTime"] = (
            datetime.now(timezone(timedelta(hours=1))) - timedelta(hours=2)
        ).strftime("%Y-%m-%dT%H:%M:%S%z")
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("TAK_API_USERNAME", USER)
        monkeypatch.setenv("TAK_API_PASSWORD", PASSWORD)
        out = tmp_path / "plan.json"
        code, _, err = run(
            capsys, "--env", "NTJP-PROD", "--fetch", "--hsa", "examples/hsa/hsacache.xml", "--out", str(out)
        )
    assert code == 2, err
    fetched = orjson.loads(out.read_bytes())
    expected = orjson.loads((ROOT / "tests" / "planner" / "golden" / "example-ntjp-prod.json").read_bytes())
    assert fetched["orders"] == expected["orders"]
    assert fetched["inputs"]["snapshot_digest"] == expected["inputs"]["snapshot_digest"]
    assert PASSWORD not in out.read_text(encoding="utf-8") + err


def test_pending_orders_come_from_the_ledger_adapter(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tak_gitops.core.pending import PendingLine, PendingOrder

    seen: list[tuple[Path, str, str]] = []

    def pending_orders(root: Path, env: str, ledger_dir: str = "orders") -> tuple[PendingOrder, ...]:
        seen.append((root, env, ledger_dir))
        line = PendingLine(
            "inkludera",
            "anropsbehorighet",
            (
                "SE162321000156-4H4F",
                "5565594230-WEBCERT",
                "urn:riv:clinicalprocess:healthcond:certificate:ListCertificatesForCareWithQAResponder:3",
            ),
        )
        return (
            PendingOrder("20261120-region-varmland-1", env, "submitted", "2026-11-20T10:00:00+0100", None, (line,)),
        )

    monkeypatch.setattr("tak_gitops.cli.plan.pending_orders", pending_orders)
    out = tmp_path / "plan.json"
    code, _, _ = run(capsys, *EXAMPLE, "--allow-stale", "--out", str(out))
    assert code == 2
    assert seen == [(ROOT, "NTJP-PROD", "orders")]
    doc = orjson.loads(out.read_bytes())
    [pending] = doc["pending"]
    assert pending["order_id"] == "20261120-region-varmland-1" and pending["held"][0]["action"] == "add-authorization"
    assert doc["summary"]["add-authorization"] == 3

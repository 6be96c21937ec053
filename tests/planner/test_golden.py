"""Golden files: the exact text, markdown, JSON (and GitHub annotations) of the seed scenarios and the bundled
example. Regenerate after a deliberate change with ``TAK_GITOPS_REGEN_GOLDEN=1 python -m pytest tests/planner``
and review the diff."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import orjson
import pytest

from tak_gitops.adapters.render import render_github, render_markdown, render_text
from tak_gitops.cli import main
from tak_gitops.core.canonical import pretty_json
from tak_gitops.core.plan import Plan, make_plan
from tests.conftest import ROOT
from tests.planner import fixtures as fx
from tests.planner.helpers import document, validator

GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("TAK_GITOPS_REGEN_GOLDEN") == "1"


def check(name: str, text: str) -> None:
    path = GOLDEN / name
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"missing golden file {path}; run with TAK_GITOPS_REGEN_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def _scenario_smi() -> Plan:
    return make_plan(
        fx.example_desired(),
        fx.example_snapshot(),
        env=fx.ENV,
        config=fx.config(),
        hsa=fx.example_hsa(),
        orgs=["inera", "region-varmland"],
    )


def _scenario_gcc() -> Plan:
    return make_plan(
        fx.example_desired(),
        fx.example_snapshot(),
        env=fx.ENV,
        config=fx.config(),
        hsa=fx.example_hsa(),
        orgs=["region-sormland"],
    )


def _scenario_remiss() -> Plan:
    return make_plan(
        fx.desired_state(fx.remiss_builder()),
        fx.remiss_snapshot(),
        env=fx.ENV,
        config=fx.config(),
        hsa=fx.example_hsa(),
    )


def _first_connection(tickets: bool) -> Plan:
    """Region Värmland's Proxy connects to CertificateStatusUpdateForCare for the first time and grants Webcert
    its first cooperation with Tolkcentralen; NTJP-PROD requires a förstudie for first connections (seed
    004_3f93b05f7ad19afc.txt). Without a ticket the plan is refused; with one on the contract entry it goes
    into the order's kommentar."""
    b = fx.example_builder()
    comment = "Anslutning av Proxy för CertificateStatusUpdateForCare"
    b.orgs["region-varmland"] = replace(
        b.orgs["region-varmland"],
        comment=comment,
        forstudie_routings={(fx.PROXY, fx.CSU3): "TSK-13001"} if tickets else {},
    )
    return make_plan(
        fx.desired_state(b),
        fx.example_snapshot(),
        env=fx.ENV,
        config=fx.config(require_forstudie=True),
        hsa=fx.example_hsa(),
        orgs=["region-varmland"],
    )


SCENARIOS: dict[str, Callable[[], Plan]] = {
    "scenario-1-smi-certificates": _scenario_smi,
    "scenario-2-getcarecontacts": _scenario_gcc,
    "scenario-3-electronic-referral": _scenario_remiss,
    "scenario-4-first-connection-without-forstudie": lambda: _first_connection(False),
    "scenario-5-first-connection-with-forstudie": lambda: _first_connection(True),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_seed_scenario_golden(name: str) -> None:
    doc = document(SCENARIOS[name]())
    check(f"{name}.json", pretty_json(doc).decode())
    check(f"{name}.txt", render_text(doc))
    check(f"{name}.md", render_markdown(doc))


def test_scenario_contents() -> None:
    smi = SCENARIOS["scenario-1-smi-certificates"]()
    assert smi.organisations == ("inera", "region-varmland")
    assert {c.key for c in smi.changes() if c.action == "add-logical-address"} == {(fx.HVT,)}
    gcc = SCENARIOS["scenario-2-getcarecontacts"]()
    assert sum(c.action == "change-routing" for c in gcc.changes()) == 9
    assert [c.address for c in gcc.cascades] == [fx.KMT, fx.KMT]
    remiss = SCENARIOS["scenario-3-electronic-referral"]()
    assert sorted(c.key for c in remiss.changes() if c.action == "add-authorization") == sorted(
        [(fx.COSMIC, "*", fx.PR1), (fx.COSMIC, "*", fx.PRC1), (fx.COSMIC, "*", fx.PRO2)]
    )
    assert sum(c.action == "add-routing" for c in remiss.changes()) == 9


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    code = exit_info.value.code
    return int(code) if isinstance(code, int) else 1, capsys.readouterr().out


def test_bundled_example_golden(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    base = ["plan", "--env", "NTJP-PROD", "--export", "examples/ntjp-prod", "--hsa", "examples/hsa/hsacache.xml"]
    base.append("--allow-stale")
    out = tmp_path / "plan.json"
    code, text = _cli(capsys, *base, "--format", "text", "--no-color", "--out", str(out))
    assert code == 2
    check("example-ntjp-prod.txt", text)
    doc = orjson.loads(out.read_bytes())
    validator().validate(doc)
    check("example-ntjp-prod.json", out.read_text(encoding="utf-8"))
    code, md = _cli(capsys, *base, "--format", "markdown")
    assert code == 2 and md == render_markdown(doc)
    check("example-ntjp-prod.md", md)
    code, gh = _cli(capsys, *base, "--format", "github")
    assert code == 2 and gh == render_github(doc)
    check("example-ntjp-prod.github", gh)
    code, js = _cli(capsys, *base, "--format", "json")
    assert code == 2 and js == out.read_text(encoding="utf-8")

"""First connections and feasibility studies (förstudie, seed 004_3f93b05f7ad19afc.txt): the platform owner
requires an approved one the first time a producer connects to a contract and the first time a consumer
establishes cooperation with a logical address; its ticket goes into the order (Beställningsstödet carries it in
"Övrig information")."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from tak_gitops.adapters.desired_loader import load_desired, load_desired_or_raise
from tak_gitops.core.orders import build_orders
from tak_gitops.core.plan import make_plan
from tests.conftest import ROOT
from tests.planner import fixtures as fx

NOW = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)


def _repo(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "desired", tmp_path / "desired")
    for name in ("tak-gitops.yaml", "ownership.yaml"):
        shutil.copyfile(ROOT / name, tmp_path / name)
    return tmp_path


def test_tickets_are_read_from_contract_and_authorization_entries_and_the_file(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    prod = repo / "desired" / "region-varmland" / "NTJP-PROD.yaml"
    text = prod.read_text(encoding="utf-8")
    text = text.replace(
        "        url: https://tph2.liv.sjunet.org",
        "        forstudie: TSK-13001\n        url: https://tph2.liv.sjunet.org",
        1,
    )
    text = text.replace("      - contracts:", "      - forstudie: TSK-13002\n        contracts:", 1)
    prod.write_text("forstudie: TSK-13000\n" + text, encoding="utf-8")
    org_env = load_desired_or_raise(repo).state.environments["NTJP-PROD"].orgs["region-varmland"]
    assert org_env.forstudie == "TSK-13000"
    assert org_env.forstudie_routings == {(fx.PROXY, fx.CSU3): "TSK-13001"}
    assert set(org_env.forstudie_authorizations.values()) == {"TSK-13002"}
    assert (fx.COSMIC, fx.WEBCERT_LA) in org_env.forstudie_authorizations


@pytest.mark.parametrize(("bad", "code"), [('"TSK 1"', "TG207"), ('"-x"', "TG207"), ("[TSK-1]", "TG105")])
def test_a_malformed_ticket_is_a_located_error(tmp_path: Path, bad: str, code: str) -> None:
    repo = _repo(tmp_path)
    prod = repo / "desired" / "region-varmland" / "NTJP-PROD.yaml"
    prod.write_text(f"forstudie: {bad}\n" + prod.read_text(encoding="utf-8"), encoding="utf-8")
    result = load_desired(repo)
    [found] = [d for d in result.diagnostics if d.path.endswith("region-varmland/NTJP-PROD.yaml") and d.line == 1]
    assert (found.code, found.severity, found.message.split(":")[0]) == (code, "error", "forstudie")


def _plan(tickets: dict[tuple[str, str], str], file_ticket: str | None = None, required: bool = True):  # type: ignore[no-untyped-def]
    b = fx.example_builder()
    b.orgs["region-varmland"] = replace(
        b.orgs["region-varmland"], comment="Anslutning", forstudie=file_ticket, forstudie_routings=tickets
    )
    return make_plan(
        fx.desired_state(b),
        fx.example_snapshot(),
        env=fx.ENV,
        config=fx.config(require_forstudie=required),
        hsa=fx.example_hsa(),
        orgs=["region-varmland"],
    )


def test_without_a_ticket_the_first_connections_refuse_the_plan_and_are_named() -> None:
    plan = _plan({})
    assert plan.status == "refused"
    assert sorted(e.message.split(" for the first time")[0] for e in plan.errors) == [
        f"first connection in NTJP-PROD: consumer {fx.WEBCERT} establishes cooperation with logical address {fx.HVT}",
        f"first connection in NTJP-PROD: producer {fx.PROXY} connects to {fx.CSU3}",
    ]
    # Cosmic's new authorization on Webcert's address is no first cooperation: Cosmic is authorized there already
    assert all(fx.COSMIC not in e.message for e in plan.errors)


def test_an_environment_that_does_not_require_it_plans_as_before() -> None:
    assert _plan({}, required=False).errors == ()


def test_the_ticket_goes_into_the_orders_kommentar() -> None:
    plan = _plan({(fx.PROXY, fx.CSU3): "TSK-13001"})
    assert plan.errors == ()
    doc = plan.to_document()
    built = build_orders(doc, fx.config().orders, fx.config().environments[fx.ENV], now=NOW)
    kommentar = {o.plan_order_id: o.document["kommentar"] for o in built}
    assert kommentar["w1-region-varmland-producer-SE162321000156-B3K"].startswith("Förstudie TSK-13001: Anslutning")
    # the other orders make no first connection: their kommentar has no ticket
    assert [k for i, k in kommentar.items() if "TSK-13001" in k] == [
        kommentar["w1-region-varmland-producer-SE162321000156-B3K"]
    ]


def test_a_file_wide_ticket_covers_every_first_connection() -> None:
    plan = _plan({}, file_ticket="TSK-13000")
    assert plan.errors == ()
    assert [o.comment for o in plan.orders if o.kind == "producer"] == ["Förstudie TSK-13000: Anslutning"]

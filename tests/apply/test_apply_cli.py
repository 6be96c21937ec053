"""`tak-gitops apply` and `tak-gitops orders` end to end, over real HTTP on 127.0.0.1 against the fake TAK-web."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from apply_cli_helpers import run, write_plan, write_repo, write_snapshot_file
from apply_plans import GCC2, SCENARIOS, seal
from apply_plans import plan as make_plan
from fake_takweb import FakeTakWeb

from tak_gitops.adapters.desired_loader import load_desired_or_raise
from tak_gitops.adapters.ledger_store import LedgerStore

PROD = "NTJP-PROD"
EXAMPLE = SCENARIOS["ntjp-prod-example"]


@pytest.fixture
def server() -> Iterator[FakeTakWeb]:
    with FakeTakWeb() as fake:
        yield fake


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: FakeTakWeb) -> Path:
    write_repo(tmp_path, url=server.base_url)
    monkeypatch.setenv("TAK_WEB_USERNAME", "tak-gitops")
    monkeypatch.setenv("TAK_WEB_PASSWORD", "s3cret")
    return tmp_path


def plan(root: Path, orders: list[dict[str, Any]], **kwargs: Any) -> dict[str, Any]:
    """A plan made from the repository's desired files as they are now."""
    return make_plan(orders, desired_digest=load_desired_or_raise(root).state.digest(PROD), **kwargs)


def states(root: Path) -> list[str]:
    return [r.state for r in LedgerStore(root, PROD).records()]


def apply_args(root: Path, plan_file: Path, *extra: str) -> list[str]:
    return [
        "apply",
        str(plan_file),
        "--root",
        str(root),
        "--pr",
        "https://github.com/example/tak-desired/pull/42",
        "--commit",
        "9f03834c3a41376b",
        *extra,
    ]


def test_dry_run_prints_orders_and_writes_nothing(
    repo: Path, server: FakeTakWeb, capsys: pytest.CaptureFixture[str]
) -> None:
    plan_file = write_plan(repo / "plan.json", plan(repo, EXAMPLE))
    code, out, err = run(apply_args(repo, plan_file), capsys)
    assert code == 0, err
    assert out.startswith("dry run for NTJP-PROD: 6 order(s); nothing is written. Add --yes to submit with 'tak-web'.")
    assert out.count("\n# order w") == 6
    assert "# 11 routing/authorization line(s)" in out
    assert '"plattform": "NTJP-PROD"' in out
    assert not (repo / "orders").exists()
    assert server.received == [] and server.logins == 0


def test_apply_submits_once_and_a_second_apply_does_nothing(
    repo: Path, server: FakeTakWeb, capsys: pytest.CaptureFixture[str]
) -> None:
    plan_file = write_plan(repo / "plan.json", plan(repo, EXAMPLE))
    code, out, err = run(apply_args(repo, plan_file, "--yes"), capsys)
    assert code == 0, err
    assert states(repo) == ["submitted"] * 6
    assert len(server.received) == 6
    assert [o["kommentar"].split(" | ")[1] for o in server.received] == [
        "PR https://github.com/example/tak-desired/pull/42"
    ] * 6
    assert "NTJP-PROD: 6 order(s) submitted now, 0 not sent in this run" in out
    records = LedgerStore(repo, PROD).records()
    assert records[0].responses[0]["report"][0].startswith("inkludera logiskadress Nyskapad: SE162321000156-4HVT")
    assert not (repo / "orders" / PROD / ".lock").exists()
    # again: nothing is sent
    code, out, err = run(apply_args(repo, plan_file, "--yes"), capsys)
    assert code == 0, err
    assert len(server.received) == 6
    assert out.endswith("NTJP-PROD: every order of this plan is already in the ledger; nothing to send\n")
    assert out.count(": already submitted\n") == 6
    assert server.logins == 1
    # a dry run now says so too
    code, out, _ = run(apply_args(repo, plan_file), capsys)
    assert out.count("already submitted") == 6


def test_default_files_submitter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_repo(tmp_path, kind="files")
    plan_file = write_plan(tmp_path / "plan.json", plan(tmp_path, SCENARIOS["intygstjanster-smi"]))
    code, out, err = run(apply_args(tmp_path, plan_file, "--yes"), capsys)
    assert code == 0, err
    written = sorted((tmp_path / "out" / "orders" / PROD).glob("*.json"))
    assert [p.stem for p in written] == [r.order_id for r in LedgerStore(tmp_path, PROD).records()]
    assert json.loads(written[0].read_text("utf-8"))["inkludera"]["logiskadresser"][0]["hsaId"] == (
        "SE162321000156-4HVT"
    )


def test_tampered_plan_exit_5(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = plan(repo, EXAMPLE)
    routing = next(c for c in doc["orders"][0]["changes"] if c["action"] == "add-routing")
    routing["after"]["url"] = "https://evil.example.se/send-message-to-care/v2.0"
    plan_file = write_plan(repo / "plan.json", doc)
    code, _, err = run(apply_args(repo, plan_file, "--yes"), capsys)
    assert code == 5
    assert "the plan was changed after it was made: it records checksum sha256:" in err
    assert not (repo / "orders").exists()


def test_stale_desired_state_exit_4(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    planned = plan(repo, EXAMPLE)
    plan_file = write_plan(repo / "plan.json", planned)
    # after the plan was made, somebody changes the desired files
    varmland = repo / "desired" / "region-varmland" / "NTJP-PROD.yaml"
    text = varmland.read_text("utf-8")
    varmland.write_text(
        text.replace("Försäkringskassans nya intyg SMI", "Försäkringskassans intyg SMI, steg 2"), encoding="utf-8"
    )
    now = load_desired_or_raise(repo).state.digest(PROD)
    assert now != planned["inputs"]["desired_digest"]
    code, _, err = run(apply_args(repo, plan_file, "--yes"), capsys)
    assert code == 4
    assert err == (
        f"error: the desired state of NTJP-PROD changed since the plan was made (plan "
        f"{planned['inputs']['desired_digest']}, now {now}); run `tak-gitops plan` again and review the new plan\n"
    )
    assert not (repo / "orders").exists()


def test_a_plan_the_desired_files_do_not_make_is_stale_even_against_its_own_snapshot(
    repo: Path, server: FakeTakWeb, capsys: pytest.CaptureFixture[str]
) -> None:
    gcc = ("SE2321000016-92V4", "SE2321000032-4KMT", GCC2)
    old = write_snapshot_file(repo / "old.snapshot.json", {}, {gcc}, "2025-12-01T02:31:07+0100")
    plan_file = write_plan(repo / "plan.json", plan(repo, EXAMPLE, snapshot_digest=old.digest))
    # the snapshot the plan names: re-planning from the desired files gives their plan, not these orders
    code, _, err = run(
        apply_args(repo, plan_file, "--yes", "--snapshot", str(repo / "old.snapshot.json"), "--allow-stale"), capsys
    )
    assert code == 4
    assert err.startswith(f"error: re-planning against the current TAK (snapshot {old.digest}, 2025-12-01T02:31:07+0100"
                          ", the one the plan was made against) does not give the reviewed plan:\n")
    assert "\n  orders differ:\n" in err
    assert err.rstrip().endswith("run `tak-gitops plan` again and review the new plan")
    # and it is too old to be the current TAK at all without --allow-stale
    code, _, err = run(apply_args(repo, plan_file, "--yes", "--snapshot", str(repo / "old.snapshot.json")), capsys)
    assert code == 1 and "hours old (limit 36 hours)" in err
    assert server.received == []


def test_a_refused_plan_is_never_applied(repo: Path, server: FakeTakWeb, capsys: pytest.CaptureFixture[str]) -> None:
    refusals = [
        {
            "guard": "removals",
            "org": "region-sormland",
            "message": "4 removals, over the limit of 3",
            "acknowledge": "--ack-removals region-sormland=4",
        },
        {
            "guard": "cascade",
            "org": "region-sormland",
            "message": "removing SE2321000032-4KMT cascades",
            "acknowledge": "--ack-cascade SE2321000032-4KMT",
        },
    ]
    doc = plan(repo, SCENARIOS["remove-logical-addressee"], refusals=refusals)
    doc["status"] = "refused"
    plan_file = write_plan(repo / "plan.json", seal(doc))
    code, _, err = run(apply_args(repo, plan_file, "--yes"), capsys)
    assert code == 3
    assert (
        "removals (region-sormland): 4 removals, over the limit of 3 - acknowledge it in the desired files "
        "(--ack-removals region-sormland=4 previews that), plan again" in err
    )
    assert "(--ack-cascade SE2321000032-4KMT previews that)" in err
    # acknowledgements offered at apply: apply takes none
    code, _, err = run(apply_args(repo, plan_file, "--yes", "--ack-removals", "region-sormland=4"), capsys)
    assert code == 2 and "No such option '--ack-removals'" in err
    assert server.received == []


def test_plan_with_errors_is_refused(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = plan(repo, EXAMPLE)
    doc["errors"] = [{"code": "TAKEOVER", "message": "SE2321000065-TEST0008 is routed by SE2321000065-C0SM"}]
    doc["status"] = "refused"
    plan_file = write_plan(repo / "plan.json", seal(doc))
    code, _, err = run(apply_args(repo, plan_file, "--yes"), capsys)
    assert code == 3
    assert "TAKEOVER: SE2321000065-TEST0008 is routed by SE2321000065-C0SM (cannot be acknowledged)" in err


def test_locked_environment_exit_6(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import datetime as dt

    LedgerStore(repo, PROD).acquire("apply of PR 41", now=dt.datetime.now(dt.UTC))
    plan_file = write_plan(repo / "plan.json", plan(repo, EXAMPLE))
    code, _, err = run(apply_args(repo, plan_file, "--yes"), capsys)
    assert code == 6
    assert "environment NTJP-PROD is locked by apply of PR 41" in err
    code, out, err = run(["orders", "unlock", "--env", PROD, "--root", str(repo)], capsys)
    assert code == 6 and "add --force" in err
    code, out, err = run(["orders", "unlock", "--env", PROD, "--root", str(repo), "--force"], capsys)
    assert code == 0 and out == "removed the lock of NTJP-PROD held by apply of PR 41\n"


def test_bad_plan_file_messages(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "broken.json").write_text("{")
    code, _, err = run(apply_args(repo, repo / "broken.json"), capsys)
    assert code == 1 and "broken.json: not JSON" in err and "Traceback" not in err
    doc = plan(repo, EXAMPLE)
    doc["format_version"] = "2.0"
    code, _, err = run(apply_args(repo, write_plan(repo / "v2.json", seal(doc))), capsys)
    assert code == 1 and "plan format_version '2.0' is not supported" in err


@pytest.mark.parametrize(
    ("fault", "state", "message"),
    [
        ("500", "unknown", "TAK-web answered HTTP 500; the order may have been executed"),
        ("timeout", "unknown", "no answer within 2 s"),
        ("drop", "unknown", "the connection dropped"),
        ("error", "rejected", "TAK-web refused the order: Skapa Vägval: RivTaProfil med namn = RIVTABP99 finns inte."),
    ],
)
def test_fault_on_the_second_order(
    repo: Path, server: FakeTakWeb, capsys: pytest.CaptureFixture[str], fault: str, state: str, message: str
) -> None:
    server.timeout_seconds = 3
    server.faults = [None, fault]
    plan_file = write_plan(repo / "plan.json", plan(repo, EXAMPLE))
    code, out, err = run(apply_args(repo, plan_file, "--yes"), capsys)
    assert code == 1
    records = LedgerStore(repo, PROD).records()
    assert [r.state for r in records] == ["submitted", state, "planned", "planned", "planned", "planned"]
    assert f"error: order {records[1].order_id} ended {state}: {message}" in err
    next_step = {
        "unknown": "re-run apply to send the rest; `tak-gitops orders reconcile` settles the order in doubt",
        "rejected": "it is not sent again with this plan: fix the cause and plan again (re-running this plan sends "
        "only the orders after it)",
    }[state]
    assert err.rstrip().endswith(f". 4 later order(s) were not sent; {next_step}")
    assert out.count("not-reached") == 4
    assert len(server.received) == 2
    # re-run: the rest goes in, the order in doubt (or refused) is never sent again
    code, out, err = run(apply_args(repo, plan_file, "--yes"), capsys)
    assert code == 0, err
    assert states(repo) == ["submitted", state, "submitted", "submitted", "submitted", "submitted"]
    bodies = [json.dumps(o, sort_keys=True) for o in server.received]
    assert len(bodies) == 6 and len(set(bodies)) == 6


def test_orders_commands(repo: Path, server: FakeTakWeb, capsys: pytest.CaptureFixture[str]) -> None:
    plan_file = write_plan(repo / "plan.json", plan(repo, SCENARIOS["remove-logical-addressee"]))
    assert run(apply_args(repo, plan_file, "--yes"), capsys)[0] == 0
    base = ["--env", PROD, "--root", str(repo)]
    code, out, _ = run(["orders", "list", *base], capsys)
    assert code == 0
    assert out.splitlines()[-1] == "NTJP-PROD: 2 submitted"
    first, second = LedgerStore(repo, PROD).records()
    code, out, _ = run(["orders", "set-ticket", first.idempotency_key[7:17], "TSK-12518", *base], capsys)
    assert out == f"{first.order_id}: ticket TSK-12518\n"
    code, out, _ = run(["orders", "show", first.order_id, *base], capsys)
    assert json.loads(out)["ticket"] == "TSK-12518"
    snap = repo / "snapshot.json"
    write_snapshot_file(snap, {}, {("SE2321000016-92V4", "SE2321000032-4KMT", GCC2)}, "2025-12-09T02:31:07+0100")
    code, out, err = run(["orders", "reconcile", *base, "--snapshot", str(snap)], capsys)
    assert code == 0, err
    assert f"{first.order_id}: submitted; 2 line(s), 1 waiting, 0 diverged" in out
    assert f"{second.order_id}: submitted -> executed; 2 line(s), 0 waiting, 0 diverged" in out
    code, out, _ = run(["orders", "list", *base, "--state", "executed"], capsys)
    assert second.order_id in out and first.order_id not in out
    code, _, err = run(["orders", "show", "nope", *base], capsys)
    assert code == 1 and "no order 'nope'" in err


def test_tak_web_unreachable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    write_repo(tmp_path, url=f"http://127.0.0.1:{port}/tak-web", max_attempts=2)
    monkeypatch.setenv("TAK_WEB_USERNAME", "tak-gitops")
    monkeypatch.setenv("TAK_WEB_PASSWORD", "s3cret")
    plan_file = write_plan(tmp_path / "plan.json", plan(tmp_path, EXAMPLE))
    code, _, err = run(apply_args(tmp_path, plan_file, "--yes"), capsys)
    assert code == 1
    assert err.splitlines()[-1] == (
        f"error: TAK-web login at http://127.0.0.1:{port}/tak-web/auth/login failed: cannot connect to "
        f"http://127.0.0.1:{port}/tak-web: ConnectError after 2 attempt(s)"
    )
    assert not list((tmp_path / "orders" / PROD).glob("*.json"))
    assert not (tmp_path / "orders" / PROD / ".lock").exists()


def test_describe_difference() -> None:
    from tak_gitops.cli.apply_checks import describe_difference

    reviewed = make_plan(SCENARIOS["intygstjanster-smi"] + SCENARIOS["consumer-authorization"])
    replanned = make_plan(SCENARIOS["intygstjanster-smi"] + SCENARIOS["remove-logical-addressee"][:1])
    assert describe_difference(reviewed, replanned) == [
        f"  + remove-authorization SE162321000156-4H4F on SE2321000032-1000 {GCC2}",
        f"  + remove-authorization SE2321000016-92V4 on SE2321000032-4KMT {GCC2}",
        "  - add-authorization SE162321000156-4H4F on 5565594230-WEBCERT "
        "urn:riv:clinicalprocess:healthcond:certificate:ListCertificatesForCareWithQAResponder:3",
    ]
    assert describe_difference(reviewed, reviewed) == ["  (the same changes, grouped into orders or waves differently)"]

"""The bundled example repository against the reference TAK over real HTTP, through the CLI:
fetch (TAK-api) → plan → apply (tak-web submitter) → publish → fetch → reconcile → plan, with and without faults.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tak_gitops.sim.server import FaultPlan, FaultRule, SimServer

from .helpers import (
    HSA_FILE,
    PROD,
    example_db,
    ledger_records,
    publish,
    received_keys,
    reset,
    run,
    wait_for_orders,
    write_example_repo,
)

pytestmark = pytest.mark.e2e

CREATE = "/tak-web/rest/create"
TIMEOUT = 1.0
"""The submitter's and the TAK-api client's timeout in the fault runs (seconds)."""


def fetch(root: Path) -> str:
    code, out, err = run(
        [
            "fetch",
            "--env",
            PROD,
            "--root",
            str(root),
            "--raw-dir",
            str(root / "raw"),
            "-o",
            str(root / "snapshot.json"),
        ]
    )
    assert code == 0, err
    assert out.startswith(f"wrote {root / 'snapshot.json'}: NTJP/PROD from tak-api, snapshot time "), out
    return out


def plan(root: Path, out: Path | None = None) -> tuple[int, str]:
    args = [
        "plan",
        "--env",
        PROD,
        "--root",
        str(root),
        "--snapshot",
        str(root / "snapshot.json"),
        "--hsa",
        str(HSA_FILE),
    ]
    code, stdout, err = run(args + (["--out", str(out)] if out else []))
    assert code in (0, 2), stdout + err
    return code, stdout


def apply(root: Path, plan_file: Path) -> tuple[int, str, str]:
    return run(
        ["apply", str(plan_file), "--yes", "--root", str(root), "--snapshot", str(root / "snapshot.json"),
         "--hsa", str(HSA_FILE)]
    )


def reconcile(root: Path) -> str:
    code, out, err = run(
        ["orders", "reconcile", "--env", PROD, "--root", str(root), "--snapshot", str(root / "snapshot.json")]
    )
    assert code == 0, err
    return out


def publish_ok(sim: SimServer) -> str:
    answer = publish(sim)
    assert answer.status_code == 200, answer.text
    version: str = answer.json()["version"]
    return version


def states(root: Path) -> Counter[str]:
    return Counter(r["state"] for r in ledger_records(root))


def assert_exactly_once(sim: SimServer, root: Path) -> None:
    """The TAK executed no order content twice, and every executed ledger order is one the TAK executed."""
    received = received_keys(sim, PROD)
    assert [k for k, n in received.items() if n > 1] == []
    records = ledger_records(root)
    executed = {r["idempotency_key"] for r in records if r["state"] == "executed"}
    assert set(received) <= executed
    # an executed order the TAK never received is one expired by hand whose lines a later order carried out
    for r in records:
        if r["state"] == "executed" and r["idempotency_key"] not in received:
            assert [e["state"] for e in r["history"]][-2:] == ["expired", "executed"], r["order_id"]


def test_example_converges_and_a_second_apply_sends_nothing(prod_sim: SimServer, tmp_path: Path) -> None:
    reset(prod_sim, example_db())
    root = write_example_repo(tmp_path / "repo", prod_sim)
    fetch(root)
    code, out = plan(root, tmp_path / "plan.json")
    assert code == 2
    doc = json.loads((tmp_path / "plan.json").read_text("utf-8"))
    assert doc["status"] == "changes" and len(doc["orders"]) == 7
    assert "11 to add, 9 to change, 4 to remove, 2 manual steps in 7 orders, 4 waves" in out

    code, out, err = apply(root, tmp_path / "plan.json")
    assert code == 0, err
    assert f"{PROD}: 7 order(s) submitted now, 0 not sent in this run" in out
    assert states(root) == {"submitted": 7}
    assert len(prod_sim.state.received) == 7 and all(o.executed for o in prod_sim.state.received)

    # before a publication the TAK-api still shows the old TAK: the orders are pending, nothing is planned twice
    fetch(root)
    code, out = plan(root)
    assert code == 0 and "No changes. The TAK matches the desired state" in out and "Pending orders (7;" in out
    assert "submitted -> executed" not in reconcile(root)

    assert publish_ok(prod_sim) == "2"
    fetch(root)
    out = reconcile(root)
    assert out.count("submitted -> executed") == 7
    assert out.splitlines()[-1].startswith(f"{PROD}: 7 order(s) updated from snapshot sha256:")
    assert states(root) == {"executed": 7}
    code, out = plan(root, tmp_path / "plan2.json")
    assert code == 0 and "No changes. The TAK matches the desired state" in out
    assert "to add" not in out
    headings = ("Cascades", "Manual steps in TAK-web", "Pending orders", "Warnings", "Errors")
    assert not any(f"\n{h} (" in out for h in headings)
    assert_exactly_once(prod_sim, root)

    # an executed order cannot be expired by hand (only one in doubt or waiting can)
    first = ledger_records(root)[0]["order_id"]
    code, out, err = run(["orders", "expire", first, "--env", PROD, "--root", str(root), "--reason", "gone"])
    assert (code, out) == (1, "")
    assert err == (f"error: order {first} is executed; only a submitted or unknown order can be expired by hand\n")
    assert states(root) == {"executed": 7}

    # the same plan again: every order is already in the ledger, nothing reaches the TAK
    code, out, err = apply(root, tmp_path / "plan.json")
    assert code == 0, err
    assert out.count(": already executed") == 7
    assert out.splitlines()[-1] == f"{PROD}: every order of this plan is already in the ledger; nothing to send"
    # and the new, empty plan has nothing to apply
    code, out, err = apply(root, tmp_path / "plan2.json")
    assert code == 0 and out == f"{PROD}: the plan has no orders; nothing to do\n", err
    assert len(prod_sim.state.received) == 7


FAULTS = {
    # the first order answers 503 (retried: it surely did not arrive), then 500 without reaching TAK-web's
    # execution: in doubt, never sent again
    "http-500": ([FaultRule(path=CREATE, method="POST", status=503), FaultRule(path=CREATE, status=500)], False),
    # the first order is executed after the submitter gave up waiting: in doubt, and in fact done
    "timeout": ([FaultRule(path=CREATE, method="POST", delay=TIMEOUT + 1.0)], True),
    # the connection of the first order closes after its body was read, before anything ran
    "dropped": ([FaultRule(path=CREATE, method="POST", drop=True)], False),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_faults_lose_and_duplicate_nothing_and_the_plan_converges(
    prod_sim: SimServer, tmp_path: Path, fault: str
) -> None:
    rules, executed_anyway = FAULTS[fault]
    reset(
        prod_sim,
        example_db(),
        FaultPlan(
            [
                *rules,
                # the TAK-api misbehaves too: fetch retries a 503 and a dropped connection
                FaultRule(path="/coop/api/v2/cooperations", status=503),
                FaultRule(path="/coop/api/v2/serviceProductions", drop=True),
            ]
        ),
    )
    root = write_example_repo(tmp_path / "repo", prod_sim, timeout=TIMEOUT)
    fetch(root)
    assert plan(root, tmp_path / "plan.json")[0] == 2

    code, out, err = apply(root, tmp_path / "plan.json")
    assert code == 1
    first = ledger_records(root)[0]
    assert first["plan_order_id"] == "w1-inera-producer-SE5565594230-B8N"
    assert first["state"] == "unknown"
    assert f"error: order {first['order_id']} ended unknown: " in err
    assert (
        "6 later order(s) were not sent; re-run apply to send the rest; `tak-gitops orders reconcile` settles the "
        "order in doubt" in err
    )
    assert states(root) == {"unknown": 1, "planned": 6}
    wait_for_orders(prod_sim, 1 if executed_anyway else 0)
    assert len(prod_sim.state.received) == (1 if executed_anyway else 0)

    # the faults have passed: the same plan again sends the rest, and not the order in doubt
    code, out, err = apply(root, tmp_path / "plan.json")
    assert code == 0, err
    assert f"{first['order_id']}: already unknown" not in out  # the table says it instead
    assert f"{PROD}: 6 order(s) submitted now, 1 not sent in this run" in out
    assert out.count("skipped") == 1
    assert states(root) == {"unknown": 1, "submitted": 6}

    publish_ok(prod_sim)
    fetch(root)
    out = reconcile(root)
    assert out.count("submitted -> executed") == 6
    if executed_anyway:
        # the publication shows the order in doubt: reconcile settles it
        assert f"{first['order_id']}: unknown -> executed" in out
        assert states(root) == {"executed": 7}
    else:
        # it never arrived: it waits, the plan shows it pending and does not order it again
        assert f"{first['order_id']}: unknown; 1 line(s), 1 waiting, 0 diverged" in out
        code, out = plan(root)
        assert code == 0 and "Pending orders (1;" in out
        # the documented procedure: expire it by hand, plan again, apply, publish, reconcile
        code, out, err = run(
            ["orders", "expire", first["order_id"], "--env", PROD, "--root", str(root), "--reason", "not in the TAK"]
        )
        assert code == 0, err
        assert out == f"{first['order_id']}: unknown -> expired; the next plan orders its changes again\n"
        code, out = plan(root, tmp_path / "plan-again.json")
        assert code == 2 and "in 1 order, 1 wave" in out
        code, out, err = apply(root, tmp_path / "plan-again.json")
        assert code == 0 and f"{PROD}: 1 order(s) submitted now, 0 not sent in this run" in out, err
        publish_ok(prod_sim)
        fetch(root)
        out = reconcile(root)
        assert out.count("submitted -> executed") == 1
        # the expired order's lines are in the TAK now, carried out by the new order: it is executed too
        assert f"{first['order_id']}: expired -> executed" in out
        assert states(root) == {"executed": 8}

    code, out = plan(root)
    assert code == 0 and "No changes. The TAK matches the desired state" in out and "Pending orders" not in out
    assert_exactly_once(prod_sim, root)
    history = [e["state"] for e in ledger_records(root)[0]["history"]]
    assert history[:3] == ["planned", "submitting", "unknown"]

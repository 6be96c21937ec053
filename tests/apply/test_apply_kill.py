"""An apply killed with SIGKILL (a real subprocess) and run again submits every order exactly once."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from apply_cli_helpers import CURRENT, real_plan, spawn, write_plan, write_repo
from fake_takweb import FakeTakWeb

from tak_gitops.adapters.ledger_store import LedgerStore

PROD = "NTJP-PROD"
pytestmark = pytest.mark.slow


@pytest.fixture
def server() -> Iterator[FakeTakWeb]:
    with FakeTakWeb() as fake:
        yield fake


def wait_until(proc: subprocess.Popen[str], condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if proc.poll() is not None:
            raise AssertionError(f"apply ended early ({proc.returncode}): {proc.communicate()}")
        time.sleep(0.02)
    raise AssertionError("timed out")


def states(root: Path) -> list[str]:
    return [r.state for r in LedgerStore(root, PROD).records()]


def check_ledger_intact(root: Path, n: int, *, clean: bool) -> None:
    """Every record reads; after a kill a temporary file may be left, which the next apply removes."""
    directory = root / "orders" / PROD
    assert len(LedgerStore(root, PROD).records()) == n
    for path in directory.glob("*.json"):
        json.loads(path.read_text("utf-8"))
    if clean:
        assert list(directory.glob(".*.tmp")) == []


def finish(root: Path, plan_file: Path) -> tuple[int, str, str]:
    proc = spawn(["apply", str(plan_file), "--yes", *CURRENT, "--root", str(root)], root)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


def test_killed_between_two_orders(tmp_path: Path, server: FakeTakWeb) -> None:
    write_repo(tmp_path, url=server.base_url)
    doc = real_plan(tmp_path)
    n = len(doc["orders"])
    plan_file = write_plan(tmp_path / "plan.json", doc)
    proc = spawn(["apply", str(plan_file), "--yes", *CURRENT, "--root", str(tmp_path), "--pause", "30"], tmp_path)
    try:
        # the first order is answered and recorded; the process now waits before the second one
        wait_until(
            proc, lambda: (tmp_path / "orders" / PROD).is_dir() and states(tmp_path)[:2] == ["submitted", "planned"]
        )
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert len(server.received) == 1
    assert states(tmp_path) == ["submitted"] + ["planned"] * (n - 1)
    check_ledger_intact(tmp_path, n, clean=False)
    # the killed apply left its lock; its process is gone, so the lock is stale and the re-run takes it over
    assert (tmp_path / "orders" / PROD / ".lock").exists()
    code, out, err = finish(tmp_path, plan_file)
    assert code == 0, err
    assert states(tmp_path) == ["submitted"] * n
    bodies = [
        json.dumps(o["inkludera"], sort_keys=True) + json.dumps(o["exkludera"], sort_keys=True) for o in server.received
    ]
    assert len(bodies) == n and len(set(bodies)) == n
    assert f"{n - 1} order(s) submitted now, 1 not sent in this run" in out
    check_ledger_intact(tmp_path, n, clean=True)


def test_killed_while_an_order_is_in_flight(tmp_path: Path, server: FakeTakWeb) -> None:
    write_repo(tmp_path, url=server.base_url)
    doc = real_plan(tmp_path)
    n = len(doc["orders"])
    plan_file = write_plan(tmp_path / "plan.json", doc)
    server.faults = [None, "hold"]
    proc = spawn(["apply", str(plan_file), "--yes", *CURRENT, "--root", str(tmp_path)], tmp_path)
    try:
        assert server.wait_for_orders(2, timeout=20)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
    server.release.set()
    assert states(tmp_path) == ["submitted", "submitting"] + ["planned"] * (n - 2)
    check_ledger_intact(tmp_path, n, clean=False)
    code, out, err = finish(tmp_path, plan_file)
    assert code == 0, err
    records = LedgerStore(tmp_path, PROD).records()
    assert [r.state for r in records] == ["submitted", "unknown"] + ["submitted"] * (n - 2)
    assert records[1].history[-1].note == "an earlier apply stopped while sending; it may have arrived"
    assert "an earlier apply stopped while sending it; not sent again" in out
    # TAK-web received the in-flight order once, and nothing was sent twice
    assert len(server.received) == n
    assert len({json.dumps(o, sort_keys=True) for o in server.received}) == n
    check_ledger_intact(tmp_path, n, clean=True)
    # and a third apply does nothing at all
    code, out, err = finish(tmp_path, plan_file)
    assert code == 0, err
    assert len(server.received) == n

"""The environment lock under contention: an atomic takeover of a stale lock, empty locks, the exit-6 messages."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import threading
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from apply_plans import SCENARIOS, plan

from tak_gitops.adapters import env_lock
from tak_gitops.adapters.apply_runner import run_apply
from tak_gitops.adapters.ledger_store import LOCK_GRACE, LedgerStore
from tak_gitops.adapters.submit import SubmitOutcome
from tak_gitops.core.config import EnvironmentConfig, OrderConfig, TakApiTarget
from tak_gitops.core.orders import build_orders
from tak_gitops.errors import ExitCode, LockedError

ENV = EnvironmentConfig(plattform="NTJP-PROD", tak_api=TakApiTarget(platform="NTJP", environment="PROD"))
CONTENDERS = 4
ROUNDS = 20


class CountingSubmitter:
    """Counts every order handed over, across all contenders."""

    name = "counting"
    replay_safe = False

    def __init__(self, sent: Counter[str], guard: threading.Lock) -> None:
        self.sent, self.guard = sent, guard

    def open(self) -> None:
        return None

    def submit(self, order_id: str, key: str, document: Mapping[str, Any]) -> SubmitOutcome:
        with self.guard:
            self.sent[order_id] += 1
        time.sleep(0.001)
        return SubmitOutcome("submitted", "counted")

    def close(self) -> None:
        return None


def _stale_lock(store: LedgerStore) -> None:
    """The lock of an apply that died an hour ago (expired)."""
    store.directory.mkdir(parents=True, exist_ok=True)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
    body = {"owner": "dead apply", "pid": 1, "host": "elsewhere", "nonce": "0" * 16, "env": store.env,
            "created": past.isoformat(), "expires": (past + dt.timedelta(hours=1)).isoformat()}
    store.lock_path.write_text(json.dumps(body), encoding="utf-8")


def test_contenders_over_a_stale_lock_one_holds_it_no_order_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    orders = build_orders(plan(SCENARIOS["ntjp-prod-example"]), OrderConfig(), ENV, now=dt.datetime.now(dt.UTC))
    assert len(orders) > 3
    rng = random.Random(11)
    # widen the window between judging the lock stale and claiming it, as a slow disk or a preempted process would
    monkeypatch.setattr(env_lock, "before_takeover", lambda: time.sleep(rng.random() * 0.02))
    for n in range(ROUNDS):
        root = tmp_path / f"round-{n}"
        _stale_lock(LedgerStore(root, "NTJP-PROD"))
        sent: Counter[str] = Counter()
        guard = threading.Lock()
        holding, most, holders, refused = [0], [0], [0], [0]
        start = threading.Barrier(CONTENDERS)

        def contend(i: int, root: Path = root, sent: Counter[str] = sent, guard: threading.Lock = guard,
                    holding: list[int] = holding, most: list[int] = most, holders: list[int] = holders,
                    refused: list[int] = refused, start: threading.Barrier = start) -> None:
            store = LedgerStore(root, "NTJP-PROD")
            start.wait()
            try:
                lock = store.acquire(f"contender {i}", now=dt.datetime.now(dt.UTC))
            except LockedError as exc:
                assert exc.exit_code == ExitCode.LOCKED
                with guard:
                    refused[0] += 1
                return
            with guard:
                holding[0] += 1
                holders[0] += 1
                most[0] = max(most[0], holding[0])
            with lock.held():
                run_apply(store, orders, CountingSubmitter(sent, guard), plan_checksum="sha256:race", pr_url=None,
                          commit=None, clock=lambda: dt.datetime.now(dt.UTC), lock=lock)
                with guard:
                    holding[0] -= 1

        threads = [threading.Thread(target=contend, args=(i,)) for i in range(CONTENDERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert most[0] == 1, f"round {n}: {most[0]} contenders held the lock at once"
        assert holders[0] >= 1 and holders[0] + refused[0] == CONTENDERS
        assert sent == Counter({o.order_id: 1 for o in orders}), f"round {n}: {sent}"
        assert not list((root / "orders" / "NTJP-PROD").glob(".*")), "no claim or temp file is left behind"


def test_an_empty_lock_is_live_for_a_grace_period_then_stale(tmp_path: Path) -> None:
    store = LedgerStore(tmp_path, "NTJP-PROD")
    store.directory.mkdir(parents=True)
    store.lock_path.write_bytes(b"")  # an apply killed between creating and writing the lock
    with pytest.raises(LockedError) as err:
        store.acquire("next apply", now=dt.datetime.now(dt.UTC))
    assert err.value.exit_code == ExitCode.LOCKED
    assert f"run `tak-gitops orders unlock --env NTJP-PROD --root {tmp_path}`" in str(err.value)
    assert "--force" not in str(err.value)
    old = time.time() - LOCK_GRACE.total_seconds() - 5
    os.utime(store.lock_path, (old, old))
    lock = store.acquire("next apply", now=dt.datetime.now(dt.UTC))
    assert json.loads(store.lock_path.read_text())["owner"] == "next apply"
    lock.release()
    assert not store.lock_path.exists()


def test_the_exit_6_message_names_the_command_that_clears_a_live_lock(tmp_path: Path) -> None:
    store = LedgerStore(tmp_path, "NTJP-PROD")
    store.acquire("apply of PR 41", now=dt.datetime.now(dt.UTC))
    with pytest.raises(LockedError) as err:
        LedgerStore(tmp_path, "NTJP-PROD").acquire("apply of PR 42", now=dt.datetime.now(dt.UTC))
    assert err.value.exit_code == ExitCode.LOCKED
    assert f"`tak-gitops orders unlock --env NTJP-PROD --root {tmp_path} --force` if that apply is dead" in str(
        err.value
    )
    assert LedgerStore(Path("."), "NTJP-PROD").unlock_command() == "tak-gitops orders unlock --env NTJP-PROD"

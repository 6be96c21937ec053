"""Submitting a plan's orders exactly once: ledger first, then the submitter, then the ledger again.

For each order, in wave order:

1. a record in state ``planned`` is written for every order of the plan before anything is sent;
2. the record goes to ``submitting`` (written atomically) just before the order leaves;
3. the outcome moves it to ``submitted``, ``rejected``, ``unknown`` or back to ``planned`` (surely not sent).

For a submitter whose replay is harmless (files, an idempotent order API) steps 1 and 2 need not survive a
crash: the ``planned`` records are not fsynced, ``submitting`` is written only with the outcome, and directory
fsyncs wait for the end of the run, so an order costs two fsyncs (the order file and its record).

An apply killed at any point and run again finds every order in the ledger by its idempotency key: orders
``submitted`` / ``unknown`` / ``executed`` / ... are not sent again; ``planned`` ones are sent; a ``submitting``
one (the process died while sending) becomes ``unknown``, unless the submitter's replay is harmless (files,
an idempotent order API), in which case it is sent again. The run stops at the first order that is rejected,
unknown or not sent, so that a later wave never goes in over a failed earlier one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from tak_gitops.adapters.atomic import directory_syncs_deferred
from tak_gitops.adapters.ledger_store import EnvLock, LedgerStore
from tak_gitops.adapters.submit import SubmitOutcome, Submitter
from tak_gitops.core.ledger import OPEN_STATES, LedgerRecord, LineResult, iso, new_record, transition
from tak_gitops.core.orders import BuiltOrder


@dataclass(frozen=True)
class OrderResult:
    """One order's fate in this run: ``action`` is sent / skipped / stopped / not-reached."""

    order_id: str
    wave: int
    state: str
    action: str
    detail: str


@dataclass
class ApplyReport:
    results: list[OrderResult] = field(default_factory=list)

    @property
    def failed(self) -> list[OrderResult]:
        return [r for r in self.results if r.action in ("stopped", "not-reached")]

    @property
    def sent(self) -> list[OrderResult]:
        return [r for r in self.results if r.action == "sent" and r.state == "submitted"]


def match_records(
    store: LedgerStore, built: Sequence[BuiltOrder], plan_checksum: str
) -> dict[str, LedgerRecord | None]:
    """For each built order, the ledger record it already has: an open one with the same key, or one of this
    very plan (any state). Orders of another plan whose record is closed (executed, rejected, ...) get a new one."""
    by_key: dict[str, list[LedgerRecord]] = {}
    for record in store.records():
        by_key.setdefault(record.idempotency_key, []).append(record)
    out: dict[str, LedgerRecord | None] = {}
    for order in built:
        same = by_key.get(order.idempotency_key, [])
        open_ = [r for r in same if r.state in OPEN_STATES]
        this_plan = [r for r in same if r.plan_checksum == plan_checksum]
        found = open_ or this_plan
        out[order.order_id] = found[0] if found else None
    return out


def _free_id(store: LedgerStore, order_id: str) -> str:
    candidate, n = order_id, 1
    while store.path_of(candidate).exists():
        n += 1
        candidate = f"{order_id}-r{n}"
    return candidate


def _lines(outcome: SubmitOutcome) -> tuple[LineResult, ...]:
    return tuple(LineResult(line.section, line.group, line.key, line.status, line.text) for line in outcome.lines)


def run_apply(
    store: LedgerStore,
    built: Sequence[BuiltOrder],
    submitter: Submitter,
    *,
    plan_checksum: str,
    pr_url: str | None,
    commit: str | None,
    clock: Callable[[], dt.datetime],
    lock: EnvLock | None = None,
    pause_seconds: float = 0.0,
    echo: Callable[[str], None] = lambda _: None,
) -> ApplyReport:
    """Submit every order of ``built`` that the ledger does not hold yet, exactly once. See the module doc."""
    replay_safe = submitter.replay_safe
    with directory_syncs_deferred() if replay_safe else contextlib.nullcontext():
        return _run_apply(
            store, built, submitter, plan_checksum, pr_url, commit, clock, lock, pause_seconds, echo, replay_safe
        )


def _run_apply(
    store: LedgerStore,
    built: Sequence[BuiltOrder],
    submitter: Submitter,
    plan_checksum: str,
    pr_url: str | None,
    commit: str | None,
    clock: Callable[[], dt.datetime],
    lock: EnvLock | None,
    pause_seconds: float,
    echo: Callable[[str], None],
    replay_safe: bool,
) -> ApplyReport:
    report = ApplyReport()
    existing = match_records(store, built, plan_checksum)
    records: list[LedgerRecord] = []
    for order in built:
        record = existing[order.order_id]
        if record is None:
            fresh = new_record(order, plan_checksum=plan_checksum, now=clock(), pr_url=pr_url, commit=commit)
            oid = _free_id(store, order.order_id)
            if oid != order.order_id:
                fresh = replace(fresh, order_id=oid)
            store.save(fresh, sync=not replay_safe)  # a lost `planned` record is made again, harmlessly
            record = fresh
        records.append(record)

    stopped: str | None = None
    first_send = True
    for record in records:
        if stopped is not None:
            report.results.append(OrderResult(record.order_id, record.wave, record.state, "not-reached", stopped))
            continue
        if record.state == "submitting":
            if submitter.replay_safe:
                record = transition(
                    record,
                    "planned",
                    now=clock(),
                    note=f"an earlier apply stopped while sending; {submitter.name} may send again",
                )
            else:
                record = transition(
                    record, "unknown", now=clock(), note="an earlier apply stopped while sending; it may have arrived"
                )
                store.save(record)
                report.results.append(
                    OrderResult(
                        record.order_id,
                        record.wave,
                        "unknown",
                        "skipped",
                        "an earlier apply stopped while sending it; not sent again, run `tak-gitops orders reconcile`",
                    )
                )
                continue
        if record.state != "planned":
            report.results.append(
                OrderResult(record.order_id, record.wave, record.state, "skipped", f"already {record.state}")
            )
            continue
        if not first_send and pause_seconds > 0:
            time.sleep(pause_seconds)
        first_send = False
        record = transition(
            record, "submitting", now=clock(), note=f"sending with {submitter.name}", submitter=submitter.name
        )
        if not replay_safe:  # sending again is harmless for the others: the record is written with the outcome
            store.save(record)
        outcome = submitter.submit(record.order_id, record.idempotency_key, record.document)
        now = clock()
        response = outcome.to_response(submitter.name, iso(now))
        responses = (*record.responses, response)
        if outcome.result == "submitted":
            record = transition(
                record,
                "submitted",
                now=now,
                note=outcome.detail,
                responses=responses,
                lines=_lines(outcome),
                ticket=outcome.ticket or record.ticket,
            )
        elif outcome.result == "rejected":
            record = transition(
                record, "rejected", now=now, note=outcome.detail, responses=responses, messages=outcome.messages
            )
        elif outcome.result == "unknown":
            record = transition(record, "unknown", now=now, note=outcome.detail, responses=responses)
        else:
            record = transition(record, "planned", now=now, note=outcome.detail, responses=responses)
        store.save(record)
        echo(f"{record.order_id}: {record.state} ({outcome.detail})")
        if lock is not None:
            lock.refresh(now)
        if outcome.result == "submitted":
            report.results.append(OrderResult(record.order_id, record.wave, record.state, "sent", outcome.detail))
            continue
        report.results.append(OrderResult(record.order_id, record.wave, record.state, "stopped", outcome.detail))
        stopped = f"not sent: apply stopped after {record.order_id} ended {record.state}"
    return report

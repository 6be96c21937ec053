"""The order ledger's rules: states, allowed transitions, the record, reconcile and expiry. Pure.

Every order apply hands over gets a :class:`LedgerRecord` (stored as ``orders/<ENV>/<order-id>.json`` by
:mod:`tak_gitops.adapters.ledger_store`). States::

    planned ──► submitting ──► submitted ──► executed
       ▲            │   │          │   └───► diverged   (the TAK shows something else)
       └────────────┘   │          └───────► expired    (not seen executed within orders.expire_after_days)
     (surely not sent)  ├──► rejected                   (TAK-web refused the order)
                        └──► unknown ──► submitted / executed / diverged / expired
                            (may have been accepted: never sent again, reconcile decides)

``submitting`` is written *before* the order leaves; an apply that dies there does not know whether the
order arrived, so the next apply moves it to ``unknown`` (or, for a submitter whose replay is harmless, sends
it again). An order in doubt that a publication does not show can be expired by hand (:func:`expire_by_hand`,
``tak-gitops orders expire``), so that the next plan orders its changes again. ``expired`` and ``diverged``
orders can still be seen executed later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from tak_gitops.core.orders import BuiltOrder, document_lines
from tak_gitops.core.pending import PendingLine, PendingOrder
from tak_gitops.core.plan.record import Record, plain
from tak_gitops.core.snapshot import Snapshot
from tak_gitops.errors import LedgerError

State = Literal["planned", "submitting", "submitted", "unknown", "executed", "rejected", "diverged", "expired"]
STATES: tuple[State, ...] = (
    "planned",
    "submitting",
    "submitted",
    "unknown",
    "executed",
    "rejected",
    "diverged",
    "expired",
)

TRANSITIONS: Mapping[str, frozenset[str]] = {
    "planned": frozenset({"submitting"}),
    "submitting": frozenset({"submitted", "unknown", "rejected", "planned"}),
    "submitted": frozenset({"executed", "diverged", "expired"}),
    "unknown": frozenset({"submitted", "executed", "diverged", "expired"}),
    "expired": frozenset({"executed", "diverged"}),
    "diverged": frozenset({"executed"}),
    "executed": frozenset(),
    "rejected": frozenset(),
}

PENDING_STATES = frozenset({"submitted", "unknown"})
"""Orders the planner must treat as in flight."""
OPEN_STATES = frozenset({"planned", "submitting", "submitted", "unknown"})
"""Orders an apply must not create again."""
RECONCILE_STATES = frozenset({"submitted", "unknown", "expired", "diverged"})
"""Orders reconcile looks at."""
FINAL_STATES = frozenset({"executed", "rejected"})

LineStatus = Literal["done", "waiting", "diverged"]
RECORD_FORMAT = "tak-gitops-order"
RECORD_FORMAT_VERSION = 1


def iso(moment: dt.datetime) -> str:
    """A record time stamp: ISO-8601 with offset, seconds precision."""
    return moment.replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Event(Record):
    """One step of an order's life: the state entered, when, and why."""

    state: str
    at: str
    note: str = ""


@dataclass(frozen=True)
class LineResult(Record):
    """The status of one routing or authorization line: from TAK-web's report or from reconcile."""

    section: str
    kind: str
    key: tuple[str, ...]
    status: str
    detail: str = ""


@dataclass(frozen=True)
class LedgerRecord:
    """Everything known about one order. Stored pretty-printed with sorted keys."""

    order_id: str
    idempotency_key: str
    env: str
    plattform: str
    plan_order_id: str
    plan_checksum: str
    wave: int
    org: str
    system: str
    kind: str
    state: str
    document: Mapping[str, Any]
    created: str
    updated: str
    submitter: str | None = None
    submitted_at: str | None = None
    ticket: str | None = None
    pr_url: str | None = None
    commit: str | None = None
    history: tuple[Event, ...] = ()
    responses: tuple[Mapping[str, Any], ...] = ()
    lines: tuple[LineResult, ...] = ()
    messages: tuple[str, ...] = field(default=())
    previous: tuple[tuple[str, ...], ...] = ()
    """Changed routings as planned before the change: (address, contract, producer, url, profile)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": RECORD_FORMAT,
            "format_version": RECORD_FORMAT_VERSION,
            "order_id": self.order_id,
            "idempotency_key": self.idempotency_key,
            "env": self.env,
            "plattform": self.plattform,
            "plan_order_id": self.plan_order_id,
            "plan_checksum": self.plan_checksum,
            "wave": self.wave,
            "org": self.org,
            "system": self.system,
            "kind": self.kind,
            "state": self.state,
            "document": dict(self.document),
            "created": self.created,
            "updated": self.updated,
            "submitter": self.submitter,
            "submitted_at": self.submitted_at,
            "ticket": self.ticket,
            "pr_url": self.pr_url,
            "commit": self.commit,
            "history": plain(self.history),
            "responses": [dict(r) for r in self.responses],
            "lines": plain(self.lines),
            "messages": list(self.messages),
            "previous": plain(self.previous),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str) -> LedgerRecord:
        """Read a stored record; a wrong shape raises :class:`LedgerError` naming ``where`` and the key."""
        if data.get("format") != RECORD_FORMAT:
            raise LedgerError(f"{where}: not a tak-gitops order record (format {data.get('format')!r})")
        if data.get("format_version") != RECORD_FORMAT_VERSION:
            raise LedgerError(f"{where}: unknown record format_version {data.get('format_version')!r}")
        try:
            record = cls(
                order_id=str(data["order_id"]),
                idempotency_key=str(data["idempotency_key"]),
                env=str(data["env"]),
                plattform=str(data["plattform"]),
                plan_order_id=str(data["plan_order_id"]),
                plan_checksum=str(data["plan_checksum"]),
                wave=int(data["wave"]),
                org=str(data["org"]),
                system=str(data["system"]),
                kind=str(data["kind"]),
                state=str(data["state"]),
                document=dict(data["document"]),
                created=str(data["created"]),
                updated=str(data["updated"]),
                submitter=data.get("submitter"),
                submitted_at=data.get("submitted_at"),
                ticket=data.get("ticket"),
                pr_url=data.get("pr_url"),
                commit=data.get("commit"),
                history=tuple(Event.from_dict(e) for e in data["history"]),
                responses=tuple(dict(r) for r in data.get("responses") or ()),
                lines=tuple(
                    LineResult(
                        str(x["section"]), str(x["kind"]), tuple(x["key"]), str(x["status"]), str(x.get("detail", ""))
                    )
                    for x in data.get("lines") or ()
                ),
                messages=tuple(str(m) for m in data.get("messages") or ()),
                previous=tuple(tuple(str(x) for x in p) for p in data.get("previous") or ()),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise LedgerError(f"{where}: malformed order record ({type(exc).__name__}: {exc})") from exc
        if record.state not in TRANSITIONS:
            raise LedgerError(f"{where}: unknown state {record.state!r}")
        return record


def new_record(
    order: BuiltOrder, *, plan_checksum: str, now: dt.datetime, pr_url: str | None = None, commit: str | None = None
) -> LedgerRecord:
    """A record in state ``planned`` for a freshly built order."""
    at = iso(now)
    return LedgerRecord(
        order_id=order.order_id,
        idempotency_key=order.idempotency_key,
        env=order.env,
        plattform=order.plattform,
        plan_order_id=order.plan_order_id,
        plan_checksum=plan_checksum,
        wave=order.wave,
        org=order.org,
        system=order.system,
        kind=order.kind,
        state="planned",
        document=order.document,
        created=at,
        updated=at,
        pr_url=pr_url,
        commit=commit,
        history=(Event("planned", at, "built from the plan"),),
        previous=order.previous,
    )


def transition(
    record: LedgerRecord,
    state: str,
    *,
    now: dt.datetime,
    note: str = "",
    **changes: Any,
) -> LedgerRecord:
    """Move ``record`` to ``state`` (raising :class:`LedgerError` when not allowed), with an event."""
    if state not in TRANSITIONS.get(record.state, frozenset()):
        raise LedgerError(f"order {record.order_id}: cannot go from {record.state} to {state}")
    at = iso(now)
    if state == "submitted" and record.submitted_at is None and "submitted_at" not in changes:
        changes["submitted_at"] = at
    return replace(record, state=state, updated=at, history=(*record.history, Event(state, at, note)), **changes)


def with_ticket(record: LedgerRecord, ticket: str, *, now: dt.datetime) -> LedgerRecord:
    """Record the service desk's ticket number (any state)."""
    ticket = ticket.strip()
    if not ticket or any(c.isspace() for c in ticket):
        raise LedgerError(f"ticket {ticket!r} must be one word, e.g. TSK-12518")
    at = iso(now)
    return replace(
        record, ticket=ticket, updated=at, history=(*record.history, Event(record.state, at, f"ticket {ticket}"))
    )


def line_status(
    section: str,
    kind: str,
    key: tuple[str, ...],
    value: tuple[str, str, str] | None,
    snapshot: Snapshot,
    previous: tuple[str, str, str] | None = None,
) -> tuple[LineStatus, str]:
    """Compare one order line with the TAK: done, waiting (not visible yet) or diverged (something else).

    A changed routing that still shows its ``previous`` value is waiting, not diverged."""
    if kind == "vagval":
        la, ns = key
        current = snapshot.routings.get((la, ns))
        if section == "exkludera":
            return ("done", "routing absent") if current is None else ("waiting", "routing still present")
        if current is None:
            return "waiting", "routing not in the TAK yet"
        if value is not None and tuple(current) == tuple(value):
            return "done", "routing as ordered"
        if previous is not None and tuple(current) == tuple(previous):
            return "waiting", "routing still as before the change"
        return "diverged", f"routed to {' '.join(current)} instead"
    consumer, la, ns = key
    present = (consumer, la, ns) in snapshot.authorizations
    if section == "exkludera":
        return ("waiting", "authorization still present") if present else ("done", "authorization absent")
    return ("done", "authorization present") if present else ("waiting", "authorization not in the TAK yet")


def reconcile_lines(record: LedgerRecord, snapshot: Snapshot) -> tuple[LineResult, ...]:
    """Each routing and authorization line of ``record`` compared with ``snapshot``."""
    before = {(p[0], p[1]): (p[2], p[3], p[4]) for p in record.previous if len(p) == 5}
    return tuple(
        LineResult(
            section,
            kind,
            key,
            *line_status(
                section, kind, key, value, snapshot, before.get((key[0], key[1])) if kind == "vagval" else None
            ),
        )
        for section, kind, key, value in document_lines(record.document)
    )


def reconcile(record: LedgerRecord, snapshot: Snapshot, *, now: dt.datetime, expire_after_days: int) -> LedgerRecord:
    """Move a submitted / unknown / expired / diverged order by what ``snapshot`` shows.

    Every line done → executed; any line diverged → diverged; otherwise the order waits, and a submitted or
    unknown order older than ``expire_after_days`` expires. Other states are returned unchanged.
    """
    if record.state not in RECONCILE_STATES:
        return record
    lines = reconcile_lines(record, snapshot)
    note = f"snapshot {snapshot.digest[:19]} ({snapshot.snapshot_time or 'no time'})"
    diverged = [line for line in lines if line.status == "diverged"]
    if lines and all(line.status == "done" for line in lines):
        return transition(record, "executed", now=now, note=note, lines=lines)
    if diverged:
        if record.state == "diverged":
            return replace(record, lines=lines)
        return transition(record, "diverged", now=now, note=f"{note}: {len(diverged)} line(s) differ", lines=lines)
    if is_overdue(record, now=now, expire_after_days=expire_after_days) and record.state in PENDING_STATES:
        return transition(record, "expired", now=now, note=f"not executed within {expire_after_days} days", lines=lines)
    return replace(record, lines=lines)


def is_overdue(record: LedgerRecord, *, now: dt.datetime, expire_after_days: int) -> bool:
    """True when the order was handed over more than ``expire_after_days`` ago."""
    since = record.submitted_at or record.created
    try:
        start = dt.datetime.fromisoformat(since)
    except ValueError as exc:
        raise LedgerError(f"order {record.order_id}: bad time stamp {since!r}") from exc
    return now - start > dt.timedelta(days=expire_after_days)


def expire(record: LedgerRecord, *, now: dt.datetime, expire_after_days: int) -> LedgerRecord:
    """Expire a submitted or unknown order that is overdue; anything else is returned unchanged."""
    if record.state in PENDING_STATES and is_overdue(record, now=now, expire_after_days=expire_after_days):
        return transition(record, "expired", now=now, note=f"not executed within {expire_after_days} days")
    return record


def expire_by_hand(record: LedgerRecord, *, now: dt.datetime, reason: str) -> LedgerRecord:
    """Give up on a submitted or unknown order now, before ``expire_after_days``: TAK-web has no trace of it
    (an order in doubt after a 500 or a dropped connection that a publication does not show). It stops being
    pending, so the next plan orders its changes again; seen executed later, it still becomes executed."""
    if record.state not in PENDING_STATES:
        raise LedgerError(
            f"order {record.order_id} is {record.state}; only a submitted or unknown order can be expired by hand"
        )
    reason = " ".join(reason.split())
    if not reason:
        raise LedgerError("give the reason, e.g. --reason 'not in the TAK after publication 7'")
    return transition(record, "expired", now=now, note=f"expired by hand: {reason}")


def to_pending(record: LedgerRecord) -> PendingOrder:
    """The planner's view of an order in flight (state submitted or unknown)."""
    lines = tuple(
        PendingLine(section=section, kind=kind, key=key, value=value)  # type: ignore[arg-type]
        for section, kind, key, value in document_lines(record.document)
    )
    return PendingOrder(
        order_id=record.order_id,
        env=record.env,
        state=record.state,
        submitted_at=record.submitted_at,
        ticket=record.ticket,
        lines=lines,
    )


def pending(records: Iterable[LedgerRecord]) -> tuple[PendingOrder, ...]:
    """Every submitted or unknown order, as :class:`PendingOrder`, sorted by order id."""
    return tuple(sorted(to_pending(r) for r in records if r.state in PENDING_STATES))

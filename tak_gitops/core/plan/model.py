"""The plan: frozen values of the plan document of ``docs/plan-format.md`` (serialised by ``record``).

Everything a renderer or ``apply`` needs is here. :meth:`Plan.to_document` builds the JSON-ready mapping with its
``checksum``; nothing in it is a time of planning, so equal inputs give byte-identical documents.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, get_args

from tak_gitops.core.canonical import digest
from tak_gitops.core.plan.record import Record, plain
from tak_gitops.core.snapshot import RoutingValue

if TYPE_CHECKING:
    from tak_gitops.core.desired import Location

PLAN_FORMAT = "tak-gitops-plan"
PLAN_FORMAT_VERSION = "1.2"

Action = Literal[
    "add-logical-address",
    "add-system",
    "add-contract",
    "add-routing",
    "change-routing",
    "add-authorization",
    "remove-authorization",
    "remove-routing",
]

ACTIONS: tuple[Action, ...] = get_args(Action)
"""The actions in the order their changes run inside an order."""
ACTION_RANK: Mapping[str, int] = {a: i for i, a in enumerate(ACTIONS)}
ROW_ACTIONS = frozenset(
    {"add-routing", "change-routing", "remove-routing", "add-authorization", "remove-authorization"}
)
REMOVE_ACTIONS = frozenset({"remove-routing", "remove-authorization"})

OrderKind = Literal["producer", "consumer", "remove-authorizations", "remove-routings"]
WAVE_OF_KIND: Mapping[str, int] = {"producer": 1, "consumer": 2, "remove-authorizations": 3, "remove-routings": 4}

Status = Literal["no-changes", "changes", "refused"]

NAME_KINDS = ("systems", "addresses")


def _value_dict(value: RoutingValue) -> dict[str, str]:
    return {"producer": value[0], "url": value[1], "profile": value[2]}


def changed_fields(before: RoutingValue, after: RoutingValue) -> tuple[str, ...]:
    """Which of producer, url, profile differ between two routing values."""
    return tuple(n for n, b, a in zip(("producer", "url", "profile"), before, after, strict=True) if b != a)


@dataclass(frozen=True, order=True)
class Change(Record):
    """One line of an order, in natural keys.

    ``key`` is ``(hsa_id,)`` for a new logical address or system, ``(namespace,)`` for a new contract,
    ``(address, contract)`` for a routing and ``(consumer, address, contract)`` for an authorization.
    """

    action: str
    key: tuple[str, ...]
    before: RoutingValue | None = None
    after: RoutingValue | None = None
    description: str | None = None
    major: int | None = None

    @property
    def sort_key(self) -> tuple[int, tuple[str, ...]]:
        """Action rank, then key: the order of changes inside an order."""
        return (ACTION_RANK[self.action], self.key)

    @property
    def is_removal(self) -> bool:
        """True for remove-routing and remove-authorization."""
        return self.action in REMOVE_ACTIONS

    def to_dict(self) -> dict[str, Any]:
        """The plan-format mapping of this change."""
        a = self.action
        if a in ("add-logical-address", "add-system"):
            return {"action": a, "hsa_id": self.key[0], "description": self.description}
        if a == "add-contract":
            return {"action": a, "namespace": self.key[0], "description": self.description, "major": self.major}
        if a in ("add-authorization", "remove-authorization"):
            return {"action": a, "consumer": self.key[0], "address": self.key[1], "contract": self.key[2]}
        out: dict[str, Any] = {"action": a, "address": self.key[0], "contract": self.key[1]}
        if self.before is not None:
            out["before"] = _value_dict(self.before)
        if self.after is not None:
            out["after"] = _value_dict(self.after)
        if a == "change-routing" and self.before is not None and self.after is not None:
            out["changed"] = list(changed_fields(self.before, self.after))
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Change:
        """Read one change of a plan document (the inverse of :meth:`to_dict`)."""
        a = str(d["action"])
        if a not in ACTION_RANK:
            raise ValueError(f"unknown action {a!r}")
        if a in ("add-logical-address", "add-system"):
            return cls(a, (str(d["hsa_id"]),), description=d.get("description"))
        if a == "add-contract":
            major = d.get("major")
            return cls(a, (str(d["namespace"]),), description=d.get("description"), major=int(major) if major else None)
        if a in ("add-authorization", "remove-authorization"):
            return cls(a, (str(d["consumer"]), str(d["address"]), str(d["contract"])))

        def val(name: str) -> RoutingValue | None:
            v = d.get(name)
            return None if v is None else (str(v["producer"]), str(v["url"]), str(v["profile"]))

        return cls(a, (str(d["address"]), str(d["contract"])), before=val("before"), after=val("after"))


@dataclass(frozen=True)
class Order(Record):
    """The changes for one system of one organisation in one wave: what becomes one BS JSON order."""

    id: str
    wave: int
    kind: str
    org: str
    system: str
    comment: str | None
    change_date: str | None
    changes: tuple[Change, ...]


@dataclass(frozen=True, order=True)
class Descendant(Record):
    """An HSA unit below a cascading address: where its lookup lands today and after the plan (None: nowhere)."""

    address: str
    name: str | None
    today: str | None
    after: str | None


@dataclass(frozen=True)
class Cascade(Record):
    """A change on an address that other addresses resolve through (VG -> VE).

    ``kind`` is ``routing`` or ``authorization``; ``change`` is ``add``, ``change`` or ``remove``; ``source`` is
    ``hsa-file`` or ``desired-files`` (no HSA file: the care-giver links of the desired files); plans of format
    1.0 may say ``description-prefix``.
    ``needs_acknowledgement`` is true when the changes on the address break or move calls at addresses no change
    names (the plan's impact; the cascade guard refuses those until acknowledged).
    """

    kind: str
    change: str
    address: str
    contract: str
    consumer: str | None
    org: str
    source: str
    acknowledged: bool
    needs_acknowledgement: bool
    descendants: tuple[Descendant, ...]

    READ_DEFAULTS = {"org": "", "needs_acknowledgement": True}

    @property
    def sort_key(self) -> tuple[str, str, str, str, str]:
        return (self.address, self.contract, self.kind, self.consumer or "", self.change)


@dataclass(frozen=True, order=True)
class ManualStep(Record):
    """Something orders cannot do: rename or remove a logical address or system, change a description."""

    kind: str
    hsa_id: str
    org: str
    current: str | None
    desired: str | None
    message: str


@dataclass(frozen=True, order=True)
class Finding(Record):
    """A warning or an error of the plan, located in a desired file when it comes from one."""

    code: str
    message: str
    org: str | None = None
    path: str | None = None
    line: int | None = None
    col: int | None = None

    @classmethod
    def at(cls, code: str, message: str, org: str | None, location: Location | None) -> Finding:
        """A finding located at ``location`` in a desired file (unlocated when None)."""
        if location is None:
            return cls(code, message, org)
        return cls(code, message, org, location.path, location.line, location.col)

    def to_dict(self) -> dict[str, Any]:
        """The plan-format mapping: ``path``, ``line`` and ``col`` only for a located finding."""
        out = super().to_dict()
        if self.path is None:
            del out["path"], out["line"], out["col"]
        return out

    @property
    def where(self) -> str:
        """``path:line:col`` or an empty string."""
        if self.path is None:
            return ""
        return f"{self.path}:{self.line or 0}:{self.col or 0}"


@dataclass(frozen=True, order=True)
class Refusal(Record):
    """A safety guard that refused the plan, and the exact acknowledgement that would let it through."""

    guard: str
    org: str | None
    message: str
    acknowledge: str


@dataclass(frozen=True)
class PendingEntry(Record):
    """A pending order (submitted, not yet seen in the TAK) and the planned changes it already covers."""

    order_id: str
    state: str
    ticket: str | None
    submitted_at: str | None
    lines: int
    held: tuple[Change, ...] = ()


@dataclass(frozen=True)
class PlanInputs(Record):
    """Digests of everything the plan was made from."""

    desired_digest: str
    snapshot_digest: str
    snapshot_time: str | None
    snapshot_source: str
    hsa_digest: str | None
    pending_digest: str


@dataclass(frozen=True)
class Plan:
    """A complete plan for one environment and a set of organisations."""

    environment: str
    plattform: str
    organisations: tuple[str, ...]
    inputs: PlanInputs
    orders: tuple[Order, ...] = ()
    cascades: tuple[Cascade, ...] = ()
    manual_steps: tuple[ManualStep, ...] = ()
    pending: tuple[PendingEntry, ...] = ()
    warnings: tuple[Finding, ...] = ()
    errors: tuple[Finding, ...] = ()
    refusals: tuple[Refusal, ...] = ()
    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Readable names of the ids the plan mentions: ``systems`` and ``addresses``, each id -> name."""
    impact: Mapping[str, Any] | None = None
    """What the orders do to calls (``core/impact.py``): the document's ``impact`` section, or None (plans
    read from format 1.0)."""
    format_version: str = PLAN_FORMAT_VERSION
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Fields of a newer minor version this reader does not know; kept so that they are not lost."""

    @property
    def status(self) -> Status:
        """``refused`` (a guard or an error), ``changes`` (orders or manual steps) or ``no-changes``."""
        if self.errors or self.refusals:
            return "refused"
        if self.orders or self.manual_steps:
            return "changes"
        return "no-changes"

    @property
    def refused_by_guard(self) -> bool:
        """True when a safety guard (not an input error) refused the plan."""
        return bool(self.refusals)

    def changes(self) -> tuple[Change, ...]:
        """Every change of every order, in order."""
        return tuple(c for o in self.orders for c in o.changes)

    def summary(self) -> dict[str, int]:
        """Counts per action (distinct keys), orders, manual steps, pending, cascades, warnings, errors."""
        seen: dict[str, set[tuple[str, ...]]] = {a: set() for a in ACTIONS}
        for c in self.changes():
            seen[c.action].add(c.key)
        out: dict[str, int] = {a: len(seen[a]) for a in ACTIONS}
        out["orders"] = len(self.orders)
        out["manual_steps"] = len(self.manual_steps)
        out["pending"] = len(self.pending)
        out["cascades"] = len(self.cascades)
        out["warnings"] = len(self.warnings)
        out["errors"] = len(self.errors)
        return out

    def body(self) -> dict[str, Any]:
        """The document without its checksum."""
        doc: dict[str, Any] = dict(self.extra)
        doc.update(
            {
                "format": PLAN_FORMAT,
                "format_version": self.format_version,
                "environment": self.environment,
                "plattform": self.plattform,
                "organisations": list(self.organisations),
                "inputs": self.inputs.to_dict(),
                "status": self.status,
                "summary": self.summary(),
                "refusals": plain(self.refusals),
                "errors": plain(self.errors),
                "orders": plain(self.orders),
                "cascades": plain(self.cascades),
                "manual_steps": plain(self.manual_steps),
                "pending": plain(self.pending),
                "warnings": plain(self.warnings),
                "names": {kind: dict(sorted(self.names.get(kind, {}).items())) for kind in NAME_KINDS},
            }
        )
        if self.impact is not None:
            doc["impact"] = self.impact
        return doc

    def to_document(self) -> dict[str, Any]:
        """The plan document: :meth:`body` plus ``checksum`` (sha256 of the canonical JSON of the body)."""
        body = self.body()
        body["checksum"] = digest(body)
        return body

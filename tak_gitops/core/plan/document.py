"""Reading a plan document back: format checks, checksum verification, and the :class:`Plan` it describes.

``apply`` calls :func:`verify_checksum` on the reviewed file (never trusting the stored value alone) and
:func:`read_plan_document` to get the orders back as values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tak_gitops.core.canonical import digest
from tak_gitops.core.plan.model import (
    PLAN_FORMAT,
    Cascade,
    Change,
    Descendant,
    Finding,
    ManualStep,
    Order,
    PendingEntry,
    Plan,
    PlanInputs,
    Refusal,
)
from tak_gitops.errors import PlanFileError, TamperedPlanError

SUPPORTED_MAJOR = 1

_KNOWN_KEYS = frozenset(
    {
        "format",
        "format_version",
        "environment",
        "plattform",
        "organisations",
        "inputs",
        "status",
        "summary",
        "refusals",
        "errors",
        "orders",
        "cascades",
        "manual_steps",
        "pending",
        "warnings",
        "checksum",
    }
)


def compute_checksum(doc: Mapping[str, Any]) -> str:
    """``sha256:`` of the canonical JSON of ``doc`` without its ``checksum`` key."""
    return digest({k: v for k, v in doc.items() if k != "checksum"})


def verify_checksum(doc: Mapping[str, Any]) -> bool:
    """True when the document's recorded ``checksum`` matches its content."""
    recorded = doc.get("checksum")
    return isinstance(recorded, str) and recorded == compute_checksum(doc)


def _finding(d: Mapping[str, Any]) -> Finding:
    return Finding(
        code=str(d["code"]),
        message=str(d["message"]),
        org=d.get("org"),
        path=d.get("path"),
        line=d.get("line"),
        col=d.get("col"),
    )


def read_plan_document(doc: Mapping[str, Any], *, check: bool = True) -> Plan:
    """Turn a plan document into a :class:`Plan`.

    Raises :class:`PlanFileError` for a document of another format or an unknown major version or a broken
    shape, and :class:`TamperedPlanError` when ``check`` is set and the checksum does not match.
    """
    if not isinstance(doc, Mapping) or doc.get("format") != PLAN_FORMAT:
        raise PlanFileError(f"not a tak-gitops plan: 'format' must be {PLAN_FORMAT!r}")
    version = str(doc.get("format_version", ""))
    major = version.split(".", 1)[0]
    if not major.isdigit() or int(major) != SUPPORTED_MAJOR:
        raise PlanFileError(
            f"plan format version {version!r} is not supported (this tak-gitops reads {SUPPORTED_MAJOR}.x); "
            "make the plan again with this version"
        )
    if check and not verify_checksum(doc):
        raise TamperedPlanError(
            "the plan's checksum does not match its content: it was changed after it was made; make the plan again"
        )
    try:
        inputs = doc["inputs"]
        plan = Plan(
            environment=str(doc["environment"]),
            plattform=str(doc["plattform"]),
            organisations=tuple(str(o) for o in doc["organisations"]),
            inputs=PlanInputs(
                desired_digest=str(inputs["desired_digest"]),
                snapshot_digest=str(inputs["snapshot_digest"]),
                snapshot_time=inputs.get("snapshot_time"),
                snapshot_source=str(inputs["snapshot_source"]),
                hsa_digest=inputs.get("hsa_digest"),
                pending_digest=str(inputs["pending_digest"]),
            ),
            orders=tuple(
                Order(
                    id=str(o["id"]),
                    wave=int(o["wave"]),
                    kind=str(o["kind"]),
                    org=str(o["org"]),
                    system=str(o["system"]),
                    comment=o.get("comment"),
                    change_date=o.get("change_date"),
                    changes=tuple(Change.from_dict(c) for c in o["changes"]),
                )
                for o in doc["orders"]
            ),
            cascades=tuple(
                Cascade(
                    kind=str(c["kind"]),
                    change=str(c["change"]),
                    address=str(c["address"]),
                    contract=str(c["contract"]),
                    consumer=c.get("consumer"),
                    org=str(c.get("org", "")),
                    source=str(c["source"]),
                    acknowledged=bool(c["acknowledged"]),
                    needs_acknowledgement=bool(c.get("needs_acknowledgement", True)),
                    descendants=tuple(
                        Descendant(str(d["address"]), d.get("name"), d.get("today"), d.get("after"))
                        for d in c["descendants"]
                    ),
                )
                for c in doc.get("cascades", ())
            ),
            manual_steps=tuple(
                ManualStep(
                    kind=str(m["kind"]),
                    hsa_id=str(m["hsa_id"]),
                    org=str(m["org"]),
                    current=m.get("current"),
                    desired=m.get("desired"),
                    message=str(m["message"]),
                )
                for m in doc.get("manual_steps", ())
            ),
            pending=tuple(
                PendingEntry(
                    order_id=str(p["order_id"]),
                    state=str(p["state"]),
                    ticket=p.get("ticket"),
                    submitted_at=p.get("submitted_at"),
                    lines=int(p["lines"]),
                    held=tuple(Change.from_dict(c) for c in p.get("held", ())),
                )
                for p in doc.get("pending", ())
            ),
            warnings=tuple(_finding(w) for w in doc.get("warnings", ())),
            errors=tuple(_finding(e) for e in doc.get("errors", ())),
            refusals=tuple(
                Refusal(str(r["guard"]), r.get("org"), str(r["message"]), str(r["acknowledge"]))
                for r in doc.get("refusals", ())
            ),
            format_version=version,
            extra={k: v for k, v in doc.items() if k not in _KNOWN_KEYS},
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PlanFileError(f"the plan document is malformed: {exc!r}") from exc
    return plan

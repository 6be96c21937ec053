"""Reading a plan document back: format checks, checksum verification, and the :class:`Plan` it describes.

``apply`` calls :func:`verify_checksum` on the reviewed file (never trusting the stored value alone) and
:func:`read_plan_document` to get the orders back as values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tak_gitops.core.canonical import digest
from tak_gitops.core.plan.model import (
    NAME_KINDS,
    PLAN_FORMAT,
    Cascade,
    Finding,
    ManualStep,
    Order,
    PendingEntry,
    Plan,
    PlanInputs,
    Refusal,
)
from tak_gitops.core.plan_schema import PLAN_SCHEMA
from tak_gitops.errors import PlanFileError, TamperedPlanError

SUPPORTED_MAJOR = 1

_KNOWN_KEYS = frozenset(PLAN_SCHEMA["properties"])
"""The keys a plan document of this version has: the rest are kept as ``extra``."""


def compute_checksum(doc: Mapping[str, Any]) -> str:
    """``sha256:`` of the canonical JSON of ``doc`` without its ``checksum`` key."""
    return digest({k: v for k, v in doc.items() if k != "checksum"})


def verify_checksum(doc: Mapping[str, Any]) -> bool:
    """True when the document's recorded ``checksum`` matches its content."""
    recorded = doc.get("checksum")
    return isinstance(recorded, str) and recorded == compute_checksum(doc)


def _names(value: Any) -> dict[str, dict[str, str]]:
    if not isinstance(value, Mapping):
        raise TypeError("'names' must be a mapping")
    out: dict[str, dict[str, str]] = {}
    for kind in NAME_KINDS:
        names = value.get(kind) or {}
        if not isinstance(names, Mapping) or not all(isinstance(v, str) for v in names.values()):
            raise TypeError(f"'names.{kind}' must map ids to names")
        out[kind] = {str(k): v for k, v in names.items()}
    return out


def _impact(section: Any) -> Mapping[str, Any] | None:
    if section is None:
        return None
    if not isinstance(section, Mapping) or not isinstance(section.get("calls"), list):
        raise ValueError("'impact' must be an object with a 'calls' array")
    return section


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
            inputs=PlanInputs.from_dict(inputs),
            orders=tuple(Order.from_dict(o) for o in doc["orders"]),
            cascades=tuple(Cascade.from_dict(c) for c in doc.get("cascades", ())),
            manual_steps=tuple(ManualStep.from_dict(m) for m in doc.get("manual_steps", ())),
            pending=tuple(PendingEntry.from_dict(p) for p in doc.get("pending", ())),
            warnings=tuple(Finding.from_dict(w) for w in doc.get("warnings", ())),
            errors=tuple(Finding.from_dict(e) for e in doc.get("errors", ())),
            refusals=tuple(Refusal.from_dict(r) for r in doc.get("refusals", ())),
            names=_names(doc.get("names") or {}),
            impact=_impact(doc.get("impact")),
            format_version=version,
            extra={k: v for k, v in doc.items() if k not in _KNOWN_KEYS},
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PlanFileError(f"the plan document is malformed: {exc!r}") from exc
    return plan

"""The planner: ownership-scoped diff, cascades, guards, waves, and the plan document.

``make_plan`` is the one entry point; ``apply_changes`` executes a plan's changes by TAK-web's rules on a
snapshot; ``read_plan_document`` and ``verify_checksum`` read a plan file back.
"""

from tak_gitops.core.plan.document import compute_checksum, read_plan_document, verify_checksum
from tak_gitops.core.plan.execute import apply_changes
from tak_gitops.core.plan.model import (
    ACTIONS,
    PLAN_FORMAT,
    PLAN_FORMAT_VERSION,
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
from tak_gitops.core.plan.planner import Acknowledgements, make_plan

__all__ = [
    "ACTIONS",
    "PLAN_FORMAT",
    "PLAN_FORMAT_VERSION",
    "Acknowledgements",
    "Cascade",
    "Change",
    "Descendant",
    "Finding",
    "ManualStep",
    "Order",
    "PendingEntry",
    "Plan",
    "PlanInputs",
    "Refusal",
    "apply_changes",
    "compute_checksum",
    "make_plan",
    "read_plan_document",
    "verify_checksum",
]

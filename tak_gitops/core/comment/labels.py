"""The managed pull-request labels: what one plan asks for, what the pull request should carry, the changes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tak_gitops.core.comment.sticky import ExistingComment, parse_marker

LABEL_REMOVALS = "tak:removals"
LABEL_CASCADE = "tak:cascade"
LABEL_REFUSED = "tak:refused"
LABEL_NO_CHANGES = "tak:no-changes"
MANAGED_LABELS = (LABEL_CASCADE, LABEL_NO_CHANGES, LABEL_REFUSED, LABEL_REMOVALS)


def labels_for_plan(plan: Mapping[str, Any]) -> tuple[str, ...]:
    """The labels one plan document asks for (sorted)."""
    labels: set[str] = set()
    status = plan.get("status")
    if status == "refused":
        labels.add(LABEL_REFUSED)
    if status == "no-changes":
        labels.add(LABEL_NO_CHANGES)
    summary = plan.get("summary") or {}
    removals = any(str(k).startswith("remove-") and isinstance(v, int) and v > 0 for k, v in summary.items())
    for order in plan.get("orders") or ():
        for change in order.get("changes") or ():
            if str(change.get("action", "")).startswith("remove-"):
                removals = True
    if removals:
        labels.add(LABEL_REMOVALS)
    if plan.get("cascades"):
        labels.add(LABEL_CASCADE)
    return tuple(sorted(labels))


def pull_request_labels(per_env: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """The managed labels a pull request should carry given each environment's labels.

    Removals, cascades and refusals in any environment label the pull request; "no changes" only when every
    environment planned has no changes.
    """
    if not per_env:
        return ()
    union = {label for labels in per_env.values() for label in labels if label in MANAGED_LABELS}
    if not all(LABEL_NO_CHANGES in labels for labels in per_env.values()):
        union.discard(LABEL_NO_CHANGES)
    return tuple(sorted(union))


def env_labels_from_comments(comments: Iterable[ExistingComment]) -> dict[str, tuple[str, ...]]:
    """Each environment's labels, read from the marker of its first sticky part."""
    out: dict[str, tuple[str, ...]] = {}
    for c in comments:
        m = parse_marker(c.body)
        if m is not None and m.part == 1:
            out[m.env] = m.labels
    return dict(sorted(out.items()))


def label_changes(current: Iterable[str], wanted: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(labels to add, managed labels to remove) to go from ``current`` to ``wanted``."""
    cur = set(current)
    want = set(wanted)
    add = tuple(sorted(want - cur))
    remove = tuple(sorted(label for label in cur - want if label in MANAGED_LABELS))
    return add, remove

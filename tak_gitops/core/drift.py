"""Drift: what a scheduled plan with no desired change and the reconciled ledger say, as one issue per environment.

Pure. Three kinds of finding, kept apart as readers need them:

* rows changed outside the repository: the plan wants orders although nobody changed the desired state;
* orders diverged: the TAK shows something other than what an order asked for;
* orders expired: submitted orders the TAK has not shown within the configured time.

A plan a guard refused is drift as well (the TAK moved so far that the plan would remove too much).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tak_gitops.core.comment import record_id

DRIFT_LABEL = "tak:drift"
DRIFT_STATES = ("diverged", "expired")
_ISSUE_BUDGET = 60_000


def drift_marker(env: str) -> str:
    """The hidden marker that identifies the drift issue of ``env``."""
    return f"<!-- tak-gitops:drift:{env} -->"


@dataclass(frozen=True)
class DriftReport:
    """The findings of one environment."""

    env: str
    plan_status: str
    orders: int
    changes: int
    refusals: tuple[str, ...]
    diverged: tuple[Mapping[str, Any], ...]
    expired: tuple[Mapping[str, Any], ...]

    @property
    def has_drift(self) -> bool:
        return self.plan_status != "no-changes" or bool(self.diverged) or bool(self.expired)


def drift_report(env: str, plan: Mapping[str, Any], ledger: Sequence[Mapping[str, Any]]) -> DriftReport:
    """Findings from a plan document (made with no desired change) and the environment's ledger records."""
    orders = list(plan.get("orders") or ())
    changes = sum(len(o.get("changes") or ()) for o in orders)
    refusals = tuple(str(r.get("message", r)) for r in plan.get("refusals") or ())

    def by_state(state: str) -> tuple[Mapping[str, Any], ...]:
        return tuple(sorted((r for r in ledger if r.get("state") == state), key=record_id))

    return DriftReport(
        env=env,
        plan_status=str(plan.get("status", "changes")),
        orders=len(orders),
        changes=changes,
        refusals=refusals,
        diverged=by_state("diverged"),
        expired=by_state("expired"),
    )


def drift_title(env: str) -> str:
    return f"TAK drift in {env}"


def _record_line(r: Mapping[str, Any]) -> str:
    ticket = f", ticket {r['ticket']}" if r.get("ticket") else ""
    when = f", submitted {r['submitted_at']}" if r.get("submitted_at") else ""
    return f"- `{record_id(r)}` ({r.get('state')}{ticket}{when})"


def render_drift_issue(report: DriftReport, plan_markdown: str = "", *, commit: str | None = None) -> str:
    """The body of the drift issue. The plan's markdown is folded in when it fits; otherwise that is said."""
    at = f" at `{commit}`" if commit else ""
    head = [drift_marker(report.env), f"## {drift_title(report.env)}", ""]
    if not report.has_drift:
        head += [
            f"The last scheduled check{at} found no drift: the TAK matches the desired state and no order has "
            "diverged or expired.",
            "",
        ]
        return "\n".join(head)
    head += [
        f"The scheduled check{at} planned {report.env} against a fresh export with no change to the desired state.",
        "",
        "| finding | count |",
        "| --- | --- |",
        f"| rows changed outside the repository (changes a plan would order) | {report.changes} |",
        f"| orders diverged (the TAK shows something else) | {len(report.diverged)} |",
        f"| orders expired (not carried out in time) | {len(report.expired)} |",
        "",
    ]
    if report.refusals:
        head += ["### Plan refused", "", *(f"- {r}" for r in report.refusals), ""]
    if report.diverged:
        head += ["### Orders diverged", "", *(_record_line(r) for r in report.diverged), ""]
    if report.expired:
        head += ["### Orders expired", "", *(_record_line(r) for r in report.expired), ""]
    head += [
        "Fix it in a pull request: change the desired state to accept what the TAK shows, or re-order what it "
        "should show. This issue is updated by every check and closed when one finds no drift.",
        "",
    ]
    text = "\n".join(head)
    if plan_markdown:
        folded = f"<details><summary>The plan</summary>\n\n{plan_markdown.rstrip()}\n\n</details>\n"
        if len(text) + len(folded) <= _ISSUE_BUDGET and len((text + folded).encode("utf-8")) <= 4 * _ISSUE_BUDGET:
            text += "\n" + folded
        else:
            text += "\n**The plan is too long for this issue; it is attached to the workflow run as an artifact.**\n"
    return text

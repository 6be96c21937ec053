"""Safety guards: mass removals per organisation, and an empty current state.

A plan whose removals for one organisation exceed ``guards.max_removals``, or ``guards.max_removal_share`` of
that organisation's current rows in the environment (when it has at least ``guards.min_rows_for_share``), is
refused unless the organisation acknowledges exactly that number of removals. An empty snapshot while the
desired state has rows is refused unless explicitly allowed: a broken read never turns into mass removals.
"""

from __future__ import annotations

from collections.abc import Mapping

from tak_gitops.core.config import GuardConfig
from tak_gitops.core.plan.model import Refusal


def removal_refusals(
    *,
    env: str,
    removals: Mapping[str, int],
    rows: Mapping[str, int],
    guards: GuardConfig,
    acknowledged: Mapping[str, int | None],
    paths: Mapping[str, str],
) -> list[Refusal]:
    """One refusal per organisation whose removals exceed a limit and are not acknowledged with the exact count."""
    out = []
    for org in sorted(removals):
        n = removals[org]
        if n == 0:
            continue
        total = rows.get(org, 0)
        over_count = n > guards.max_removals
        over_share = total >= guards.min_rows_for_share and total > 0 and n > guards.max_removal_share * total
        if not (over_count or over_share):
            continue
        ack = acknowledged.get(org)
        if ack == n:
            continue
        limits = []
        if over_count:
            limits.append(f"more than {guards.max_removals}")
        if over_share:
            limits.append(f"{n / total:.0%} of its {total} current rows, more than {guards.max_removal_share:.0%}")
        why = f"{n} removals for {org!r} in {env} ({'; '.join(limits)})"
        if ack is not None:
            why += f"; acknowledged {ack}, which is not the exact count"
        where = paths.get(org)
        if where:
            why += f"; acknowledge with --ack-removals {org}={n} or `acknowledge: {{removals: {n}}}` in {where}"
        out.append(Refusal("removals", org, why, f"--ack-removals {org}={n}"))
    return out


def empty_snapshot_refusal(*, env: str, current_rows: int, desired_rows: int, allowed: bool) -> Refusal | None:
    """A refusal when the snapshot has no rows at all while the desired state has some."""
    if current_rows or not desired_rows or allowed:
        return None
    return Refusal(
        "empty-snapshot",
        None,
        f"the current state of {env} has no routings and no authorizations while the desired state has "
        f"{desired_rows}; a broken or empty export must not turn into a plan",
        "--allow-empty-snapshot",
    )

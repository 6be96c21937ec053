"""Safety guards: mass removals per organisation, and an empty current state.

A plan whose removals for one organisation exceed ``guards.max_removals``, or ``guards.max_removal_share`` of
that organisation's current rows in the environment (when it has at least ``guards.min_rows_for_share``), is
refused unless the organisation acknowledges exactly that number of removals. An empty snapshot while the
desired state has rows is refused unless explicitly allowed: a broken read never turns into mass removals.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from operator import itemgetter

from tak_gitops.core.config import GuardConfig
from tak_gitops.core.plan.context import PlanContext
from tak_gitops.core.plan.model import Refusal
from tak_gitops.core.plan.waves import Placed
from tak_gitops.core.snapshot import AuthorizationKey


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


def _rows_by_org(ctx: PlanContext, mine_a: Sequence[AuthorizationKey] | None) -> Counter[str]:
    """Current rows per organisation; a managed authorization counts for its manager. Only planning
    organisations have removals, and every authorization of theirs is in ``mine_a`` when that is set."""
    owners = ctx.owners
    managers = ctx.scope.managed
    rows_a = ctx.snapshot.authorization_rows if mine_a is None else mine_a
    rows_by_org: Counter[str] = Counter()
    per_system: Counter[str] = Counter(map(itemgetter(0), ctx.snapshot.routings.values()))
    if managers:
        rows_by_org.update(
            managers[(la, ns)][0] if (la, ns) in managers else owners.get(c, "") for (c, la, ns) in rows_a
        )
    else:
        per_system.update(map(itemgetter(0), rows_a))
    for system, n in per_system.items():
        owner = owners.get(system)
        if owner is not None:
            rows_by_org[owner] += n
    return rows_by_org


def guard_refusals(
    ctx: PlanContext, placed: Sequence[Placed], mine_a: Sequence[AuthorizationKey] | None, guards: GuardConfig
) -> list[Refusal]:
    """The refusals of the removal guard and of the empty-snapshot guard for one plan."""
    out: list[Refusal] = []
    state, planning, acks = ctx.state, ctx.planning, ctx.acks
    removals_by_org: Counter[str] = Counter(pl.org for pl in placed if pl.change.is_removal)
    if removals_by_org:
        acked: dict[str, int | None] = {o: state.orgs[o].acknowledged_removals for o in planning}
        acked.update({o: n for o, n in acks.removals.items()})
        out.extend(
            removal_refusals(
                env=ctx.env,
                removals=removals_by_org,
                rows=_rows_by_org(ctx, mine_a),
                guards=guards,
                acknowledged=acked,
                paths={o: state.orgs[o].path for o in planning},
            )
        )
    if not ctx.snapshot.routings and not ctx.snapshot.authorizations:
        scope = ctx.scope
        desired_rows = sum(1 for o in scope.routing_org.values() if o in planning) + sum(
            1 for w in scope.desired_auths.values() if w & planning
        )
        empty = empty_snapshot_refusal(
            env=ctx.env, current_rows=0, desired_rows=desired_rows, allowed=acks.allow_empty_snapshot
        )
        if empty is not None:
            out.append(empty)
    return out

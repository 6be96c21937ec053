"""The cascades of one plan's changes, and a refusal for each that needs an acknowledgement it lacks.

:func:`~tak_gitops.core.plan.cascade.find_cascades` does the resolving; this module feeds it the plan's
lookups (the HSA tree, the state after the plan, the care units known from the desired files).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from tak_gitops.core.plan.after import AfterState
from tak_gitops.core.plan.cascade import CascadeCandidate, find_cascades
from tak_gitops.core.plan.context import PlanContext
from tak_gitops.core.plan.model import Cascade, Finding, Refusal
from tak_gitops.core.plan.waves import Placed


class _KnownVes:
    """Care units (VE) known below a care giver from the desired files, for a plan without an HSA file."""

    def __init__(self, ctx: PlanContext) -> None:
        self.ctx = ctx
        self.ve_index: dict[str, list[str]] | None = None
        self.org_ves: dict[tuple[str, str], set[str]] | None = None

    def __call__(self, org: str, la: str, ns: str) -> Collection[str]:
        ctx = self.ctx
        if self.ve_index is None:
            self.ve_index = {}
            for a in ctx.desired.addresses.values():
                if a.vg:
                    self.ve_index.setdefault(a.vg, []).append(a.hsa_id)
        linked = self.ve_index.get(la)
        if linked:
            return linked
        if self.org_ves is None:
            self.org_ves = {}
            for (dla, dns), o in ctx.scope.routing_org.items():
                if (ctx.name_of(dla) or "").startswith("VE:"):
                    self.org_ves.setdefault((o, dns), set()).add(dla)
        return self.org_ves.get((org, ns), set())


def plan_cascades(ctx: PlanContext, placed: Sequence[Placed], after: AfterState) -> tuple[list[Cascade], list[Refusal]]:
    """The cascades of the placed changes and the refusals of those not acknowledged (one per org and address)."""
    candidates = [
        CascadeCandidate(pl.change.action, pl.change.key, pl.org)
        for pl in placed
        if pl.change.action not in ("add-logical-address", "add-system", "add-contract")
    ]
    cascades = find_cascades(
        candidates,
        tree=ctx.hsa,
        routing_has=after.routing_has,
        auth_has=after.auth_has,
        hsa_lookup=ctx.hsa_lookup,
        name_of=ctx.name_of,
        is_vg=ctx.is_vg,
        known_ves=_KnownVes(ctx),
        acknowledged=ctx.acknowledged_cascade,
    )
    if cascades and ctx.hsa is None:
        ctx.warnings.append(
            Finding(
                "CASCADE_WITHOUT_HSA",
                "no HSA file was given: cascades are found by the TAK's 'VG:' description prefix and the care "
                "units below each care giver are not known; give --hsa FILE to see them",
            )
        )
    refusals: list[Refusal] = []
    seen_refused: set[tuple[str, str]] = set()
    for cas in cascades:
        if cas.needs_acknowledgement and not cas.acknowledged and (cas.org, cas.address) not in seen_refused:
            seen_refused.add((cas.org, cas.address))
            oe = ctx.state.orgs.get(cas.org)
            hint = (
                f"; acknowledge with --ack-cascade {cas.address} or `acknowledge: {{cascades: [{cas.address}]}}` "
                f"in {oe.path}"
                if oe is not None
                else ""
            )
            refusals.append(
                Refusal(
                    "cascade",
                    cas.org,
                    f"{cas.change} of the {cas.kind} on {cas.address} for {cas.contract} cascades to "
                    f"{len(cas.descendants)} address(es) below it"
                    + (" (descendants unknown without an HSA file)" if cas.source == "description-prefix" else "")
                    + hint,
                    f"--ack-cascade {cas.address}",
                )
            )
    return cascades, refusals

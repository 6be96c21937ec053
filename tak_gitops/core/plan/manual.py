"""Manual steps: what orders cannot do and a person does in TAK-web (renames, descriptions, unused addresses).

Each step belongs to one planning organisation: a rename to the first (by name) whose desired rows use the
address, an unused address to the first whose removals leave it unused.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tak_gitops.core.desired import address_names
from tak_gitops.core.hsa import ROOT, WILDCARD
from tak_gitops.core.plan.after import AfterState
from tak_gitops.core.plan.context import PlanContext
from tak_gitops.core.plan.model import ManualStep
from tak_gitops.core.plan.row_warnings import desire_owner
from tak_gitops.core.plan.waves import Placed


def _renames(ctx: PlanContext) -> list[ManualStep]:
    desired, snapshot, scope = ctx.desired, ctx.snapshot, ctx.scope
    renamed: dict[str, tuple[str, str]] = {}
    # Every address with a new name, or (fewer rows than addresses: a plan for some organisations) those the
    # rows name; only those the planning organisations' rows name become steps.
    named: Iterable[tuple[str, str | None]]
    if len(scope.routing_org) + len(scope.desired_auths) < len(desired.addresses):
        candidates = {k[0] for k in scope.routing_org} | {k[1] for k in scope.desired_auths}
        named = [(la, a.name) for la in candidates if (a := desired.addresses.get(la)) is not None]
    else:
        named = address_names(desired.addresses)
    current_names = snapshot.logical_addresses
    for la, name in named:
        current = current_names.get(la)
        if name and current is not None and current.strip() != name.strip():
            renamed[la] = (current, name)
    referenced: dict[str, str] = {}
    if renamed:
        for key, org in scope.routing_org.items():
            if key[0] in renamed and org in ctx.planning and (key[0] not in referenced or org < referenced[key[0]]):
                referenced[key[0]] = org
        for akey, wanting in scope.desired_auths.items():
            if akey[1] not in renamed:
                continue
            aorg = desire_owner(ctx, akey, wanting)
            if aorg is None:
                continue
            if akey[1] not in referenced or aorg < referenced[akey[1]]:
                referenced[akey[1]] = aorg
    return [
        ManualStep(
            "rename-logical-address",
            la,
            org,
            renamed[la][0],
            renamed[la][1],
            "Change the description of the logical address in TAK-web; orders cannot.",
        )
        for la, org in referenced.items()
    ]


def _description_changes(ctx: PlanContext) -> list[ManualStep]:
    out = []
    for s, sys in ctx.desired.systems.items():
        if sys.org not in ctx.planning or (sys.environments and ctx.env not in sys.environments):
            continue
        current = ctx.snapshot.systems.get(s)
        if current is not None and sys.description and current.strip() != sys.description.strip():
            out.append(
                ManualStep(
                    "change-system-description",
                    s,
                    sys.org,
                    current,
                    sys.description,
                    "Change the description of the service component in TAK-web; orders cannot.",
                )
            )
    return out


def _unused_addresses(ctx: PlanContext, placed: Sequence[Placed], after: AfterState) -> list[ManualStep]:
    removal_las: dict[str, str] = {}
    for pl in placed:
        if pl.change.is_removal:
            la = pl.change.key[0] if pl.change.action == "remove-routing" else pl.change.key[1]
            if la not in removal_las or pl.org < removal_las[la]:
                removal_las[la] = pl.org
    if not removal_las:
        return []
    used = after.address_use(removal_las)
    return [
        ManualStep(
            "remove-logical-address",
            la,
            org,
            ctx.snapshot.logical_addresses.get(la),
            None,
            "No routing or authorization uses this logical address after the plan; remove it in "
            "TAK-web if it is no longer needed (orders cannot).",
        )
        for la, org in removal_las.items()
        if used[la] <= 0 and la not in (WILDCARD, ROOT)
    ]


def manual_steps(ctx: PlanContext, placed: Sequence[Placed], after: AfterState) -> tuple[ManualStep, ...]:
    """Every manual step of the plan, sorted by kind, address or system, organisation."""
    steps = {*_renames(ctx), *_description_changes(ctx), *_unused_addresses(ctx, placed, after)}
    return tuple(sorted(steps, key=lambda m: (m.kind, m.hsa_id, m.org)))

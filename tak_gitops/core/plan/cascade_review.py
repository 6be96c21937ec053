"""The cascades of one plan's changes: which addresses below a changed address resolve through it today and
where after, for the plan document (the cascade guard itself is the impact on calls, ``impact_review``).

:func:`~tak_gitops.core.plan.cascade.find_cascades` does the resolving; this module feeds it the plan's
lookups (the tree, the state after the plan).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tak_gitops.core.hsa import HsaTree
from tak_gitops.core.plan.after import AfterState
from tak_gitops.core.plan.cascade import CascadeCandidate, find_cascades
from tak_gitops.core.plan.context import PlanContext
from tak_gitops.core.plan.model import Cascade
from tak_gitops.core.plan.waves import Placed


def plan_cascades(
    ctx: PlanContext,
    placed: Sequence[Placed],
    after: AfterState,
    *,
    tree: HsaTree,
    source: str,
    needs: Callable[[str, str], bool],
) -> list[Cascade]:
    """The cascades of the placed changes over ``tree`` (``source``: ``hsa-file`` or ``desired-files``);
    ``needs(org, address)`` tells whether the changes on the address break or move calls elsewhere."""
    candidates = [
        CascadeCandidate(pl.change.action, pl.change.key, pl.org)
        for pl in placed
        if pl.change.action not in ("add-logical-address", "add-system", "add-contract")
    ]
    return find_cascades(
        candidates,
        tree=tree,
        source=source,
        routing_has=after.routing_has,
        auth_has=after.auth_has,
        hsa_lookup=ctx.hsa_lookup,
        name_of=ctx.name_of,
        acknowledged=ctx.acknowledged_cascade,
        needs=needs,
    )

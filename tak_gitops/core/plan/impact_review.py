"""The plan's impact on calls (``core/impact.py`` over the plan's orders) and the cascade guard built on it:
calls that break or move at addresses no change names refuse the plan until the change's address is
acknowledged; the direct effects of a change are shown, not refused.

Without an HSA file the tree is the care-giver links of the desired files (``vg:``): the impact is resolved
over the addresses the TAK and the desired files know, and a ``CASCADE_WITHOUT_HSA`` warning says so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from tak_gitops.core.calls import HsaLookup
from tak_gitops.core.desired import care_giver_links
from tak_gitops.core.hsa import HsaTree
from tak_gitops.core.impact import CallImpact, call_impact, impact_dict
from tak_gitops.core.plan.context import PlanContext
from tak_gitops.core.plan.model import Change, Finding, Order, Refusal

KINDS = ("breaks", "moves", "fails-otherwise", "heals")


def impact_tree(ctx: PlanContext) -> tuple[HsaTree, str]:
    """The tree the impact and the cascades resolve with, and where it comes from (``hsa-file`` or
    ``desired-files``)."""
    if ctx.hsa is not None:
        return ctx.hsa, "hsa-file"
    links = care_giver_links(ctx.desired.addresses)
    return HsaTree(parents=links, names={}), "desired-files"


def _outcome(o: tuple[str, ...]) -> str:
    return o[0]


def plan_impact(
    ctx: PlanContext, orders: Sequence[Order], tree: HsaTree
) -> tuple[dict[str, Any], list[Refusal], set[tuple[str, str]]]:
    """The plan document's ``impact`` section, the cascade refusals, and the (organisation, address) pairs
    whose changes break or move calls elsewhere (acknowledged or not)."""
    changes: list[Change] = [c for o in orders for c in o.changes]
    org_of = [o.org for o in orders for _ in o.changes]
    if ctx.hsa is None and any(c.action.endswith(("routing", "authorization")) for c in changes):
        ctx.warnings.append(
            Finding(
                "CASCADE_WITHOUT_HSA",
                "no HSA file was given: the impact on calls and the cascades are resolved over the addresses the "
                "TAK and the desired files know, with the care-giver links of the desired files (vg:) as the only "
                "tree; care units below a care giver that only the HSA file knows are not seen; give --hsa FILE "
                "to see them",
            )
        )
    lookup = HsaLookup.disabled_for(ctx.envcfg.hsa_lookup_disabled)
    impacts, considered = call_impact(ctx.snapshot, changes, tree=tree, hsa_lookup=lookup)
    # names from the HSA file, the TAK and the plan's own new objects only: the same whichever folders were read
    hsa_names = ctx.hsa.names if ctx.hsa is not None else {}
    tak_names = ctx.snapshot.logical_addresses
    systems = ctx.snapshot.systems
    new_names = {c.key[0]: c.description for c in changes if c.action in ("add-logical-address", "add-system")}

    def name_of(hsa_id: str) -> str | None:
        return hsa_names.get(hsa_id) or tak_names.get(hsa_id) or systems.get(hsa_id) or new_names.get(hsa_id)

    counts: Counter[str] = Counter(i.kind for i in impacts)
    section = {
        "considered": considered,
        "counts": {k: counts.get(k, 0) for k in KINDS},
        "calls": [impact_dict(i, changes, name_of) for i in impacts],
    }
    elsewhere: dict[tuple[str, str], list[CallImpact]] = {}
    for i in impacts:
        if i.direct or i.kind not in ("breaks", "moves"):
            continue
        for k in i.causes:
            elsewhere.setdefault((org_of[k], changes[k].key[-2]), []).append(i)
    refusals: list[Refusal] = []
    for (org, la), calls in sorted(elsewhere.items()):
        if ctx.acknowledged_cascade(org, la):
            continue
        calls = sorted(set(calls), key=lambda c: c.sort_key)
        broken = sum(1 for c in calls if c.kind == "breaks")
        moved = len(calls) - broken
        first = calls[0]
        oe = ctx.state.orgs.get(org)
        listed = '"*"' if la == "*" else la  # a bare * would be a YAML alias
        hint = (
            f"; acknowledge with --ack-cascade {la} or `acknowledge: {{cascades: [{listed}]}}` in {oe.path}"
            if oe is not None
            else ""
        )
        parts = (f"{broken} call(s) stop working" if broken else "", f"{moved} go elsewhere" if moved else "")
        what = " and ".join(p for p in parts if p)
        refusals.append(
            Refusal(
                "cascade",
                org,
                f"the changes on {la} reach beyond the addresses the plan names: {what} at "
                f"{len({c.address for c in calls})} other address(es) (e.g. {first.consumer} calling "
                f"{first.contract} at {first.address}: {_outcome(first.before)} -> {_outcome(first.after)})" + hint,
                f"--ack-cascade {la}",
            )
        )
    return section, refusals, set(elsewhere)

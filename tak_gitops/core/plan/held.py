"""Pending orders in a plan: changes already ordered and not yet visible in the TAK are held back.

A planned change identical to a line of a pending order (same key; for a routing also the same producer, URL
and profile) is not planned again. A planned change that contradicts a pending line (the same key, another
value or the other section) is planned and warned about: it supersedes that line.
"""

from __future__ import annotations

from collections.abc import Sequence

from tak_gitops.core.pending import PendingOrder
from tak_gitops.core.plan.model import Change, Finding
from tak_gitops.core.plan.waves import Placed
from tak_gitops.core.snapshot import RoutingValue


def hold_pending(
    placed: Sequence[Placed], pending: Sequence[PendingOrder]
) -> tuple[list[Placed], dict[str, list[Change]], list[Finding]]:
    """Split ``placed`` into the changes still to plan, those held per pending order id, and warnings."""
    if not pending:
        return list(placed), {}, []
    r_incl: dict[tuple[str, ...], tuple[RoutingValue, str]] = {}
    r_excl: dict[tuple[str, ...], str] = {}
    a_incl: dict[tuple[str, ...], str] = {}
    a_excl: dict[tuple[str, ...], str] = {}
    for p in pending:
        for ln in p.lines:
            if ln.kind == "vagval":
                if ln.section == "inkludera" and ln.value is not None:
                    r_incl[ln.key] = (ln.value, p.order_id)
                elif ln.section == "exkludera":
                    r_excl[ln.key] = p.order_id
            elif ln.section == "inkludera":
                a_incl[ln.key] = p.order_id
            else:
                a_excl[ln.key] = p.order_id
    kept: list[Placed] = []
    held: dict[str, list[Change]] = {}
    warnings: list[Finding] = []
    for pl in placed:
        c = pl.change
        same: str | None = None
        other: str | None = None
        if c.action in ("add-routing", "change-routing"):
            inc = r_incl.get(c.key)
            if inc is not None and inc[0] == c.after:
                same = inc[1]
            else:
                other = inc[1] if inc is not None else r_excl.get(c.key)
        elif c.action == "remove-routing":
            same = r_excl.get(c.key)
            other = None if same else (r_incl[c.key][1] if c.key in r_incl else None)
        elif c.action == "add-authorization":
            same = a_incl.get(c.key)
            other = None if same else a_excl.get(c.key)
        else:
            same = a_excl.get(c.key)
            other = None if same else a_incl.get(c.key)
        if same is not None:
            held.setdefault(same, []).append(c)
            continue
        if other is not None:
            warnings.append(
                Finding(
                    "PENDING_SUPERSEDED",
                    f"{c.action} {' '.join(c.key)} contradicts pending order {other}, which is not yet visible "
                    "in the TAK; it is planned again and supersedes that order's line",
                    pl.org,
                )
            )
        kept.append(pl)
    return kept, held, warnings

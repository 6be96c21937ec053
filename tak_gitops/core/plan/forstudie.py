"""First connections and their feasibility studies (förstudie): the platform owner requires an approved one the
first time a producer connects to a contract and the first time a consumer establishes cooperation with a
logical address. Where an environment requires it (``require_forstudie``), such a change without a ``forstudie:``
ticket is an error; every ticket of a first connection goes into its order's ``kommentar``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import compress
from operator import itemgetter

from tak_gitops.core.plan.context import PlanContext
from tak_gitops.core.plan.model import Finding
from tak_gitops.core.plan.waves import Placed

OrderKey = tuple[str, str, str]
"""(kind, org, system): one order of the plan."""
_ROUTING_ADDS = ("add-routing", "change-routing")


def forstudie_tickets(ctx: PlanContext, placed: Sequence[Placed]) -> Mapping[OrderKey, tuple[str, ...]]:
    """The tickets of each order's first connections, sorted; errors for those without one where required."""
    snapshot = ctx.snapshot
    # The (producer, contract) and (consumer, address) pairs of the TAK, for the producers and consumers the
    # changes add rows for: picked and built a column at a time.
    producers = {pl.change.after[0] for pl in placed if pl.change.action in _ROUTING_ADDS and pl.change.after}
    consumers = {pl.change.key[0] for pl in placed if pl.change.action == "add-authorization"}
    routings = snapshot.routings
    r_producers = list(map(itemgetter(0), routings.values()))
    producing = set(
        compress(
            zip(r_producers, map(itemgetter(1), routings.keys()), strict=True), map(producers.__contains__, r_producers)
        )
    )
    rows = snapshot.authorization_rows
    cooperating = set(compress(map(itemgetter(0, 1), rows), map(consumers.__contains__, map(itemgetter(0), rows))))
    tickets: dict[OrderKey, set[str]] = {}
    reported: set[tuple[str, str, str]] = set()
    for pl in sorted(placed, key=lambda p: (p.change.sort_key, p.org, p.kind, p.system)):
        c = pl.change
        oe = ctx.state.orgs.get(pl.org)
        if c.action in _ROUTING_ADDS and c.after is not None:
            producer, contract = c.after[0], c.key[1]
            if (producer, contract) in producing:
                continue
            first = ("producer", producer, contract)
            ticket = oe.forstudie_routings.get((producer, contract)) or oe.forstudie if oe else None
            what = (
                f"producer {producer} connects to {contract} for the first time (it has no routing for that contract "
                f"in the TAK yet)"
            )
            where = "on that contract entry"
        elif c.action == "add-authorization":
            consumer, address, contract = c.key
            if (consumer, address) in cooperating:
                continue
            first = ("consumer", consumer, address)
            if oe is None:
                ticket = None
            elif pl.kind == "consumer":
                ticket = oe.forstudie_authorizations.get((consumer, address)) or oe.forstudie
            else:  # a grant, in the granting producer's order: its contract entry's study, or the file's
                ticket = oe.forstudie_routings.get((pl.system, contract)) or oe.forstudie
            what = (
                f"consumer {consumer} establishes cooperation with logical address {address} for the first time "
                f"(it has no authorization on that address in the TAK yet)"
            )
            where = "on that authorization entry" if pl.kind == "consumer" else "on the granted contract's entry"
        else:
            continue
        if ticket:
            tickets.setdefault((pl.kind, pl.org, pl.system), set()).add(ticket)
        elif ctx.envcfg.require_forstudie and first not in reported:
            reported.add(first)
            ctx.errors.append(
                Finding.at(
                    "FORSTUDIE_MISSING",
                    f"first connection in {ctx.env}: {what}; {ctx.env} requires an approved feasibility study "
                    f"(förstudie) for it: give its ticket as `forstudie: <ticket>` {where} (or for the whole file)",
                    pl.org,
                    ctx.state.locations.get(c.key),
                )
            )
    return {key: tuple(sorted(found)) for key, found in tickets.items()}

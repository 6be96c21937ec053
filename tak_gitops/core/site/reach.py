"""Who can call what: the one place where "can call" is answered for the pages.

Today the answer is the authorization rows: a consumer can call an address for a contract when it holds a row
on that address, or on one of its HSA ancestors (shown as "through" that ancestor). When the VP call resolver
(through ancestors, ``SE`` and ``*``, with the routing it needs) is available in the core, these two functions
answer from it instead; the pages read nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from tak_gitops.core.site.view import AuthorizationRow, EnvView


@dataclass(frozen=True)
class Reach:
    """A row that lets ``row.consumer`` call ``address``: on the address itself (``via`` None) or on ``via``."""

    address: str
    row: AuthorizationRow
    via: str | None = None


def callers_of(view: EnvView, address: str) -> tuple[Reach, ...]:
    """The consumers that can call ``address``, one entry per authorization row that allows it."""
    out = [Reach(address, row) for row in view.authorizations_by_address.get(address, ())]
    if address != "*":
        for ancestor in view.tree.ancestors(address):
            out.extend(Reach(address, row, ancestor) for row in view.authorizations_by_address.get(ancestor, ()))
    return tuple(out)


def reach_of(view: EnvView, consumer: str) -> tuple[Reach, ...]:
    """What ``consumer`` can call: its authorization rows (an address, a care giver whose units it reaches
    through the HSA tree, or ``*``)."""
    return tuple(Reach(row.address, row) for row in view.authorizations_by_consumer.get(consumer, ()))

"""Who can call what, as VP answers it (:mod:`tak_gitops.core.calls`): the one place the pages ask.

A call (consumer, contract, logical address) is answered in two worlds: **now**, the rows the TAK holds, and
**after**, the rows once the orders are carried out (current and desired-only rows, and the current rows
nobody here manages; not the rows a plan removes or replaces). A call that works in both is *current*, one that
works only after is *desired-only*, one that works only now is *current-only*. VP climbs the HSA tree and tries
``SE`` and ``*`` (in its own order for routings and for authorizations), so an authorization on a care giver
lets a consumer call the care units below it where a routing serves them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from tak_gitops.core.calls import CallState, HsaLookup, outcome_of, resolve_call
from tak_gitops.core.hsa import WILDCARD
from tak_gitops.core.site.view import AuthorizationRow, EnvView, Mark, RoutingRow
from tak_gitops.core.snapshot import AuthorizationKey, RoutingKey, RoutingValue

CALL_CURRENT = Mark("current")
CALL_AFTER = Mark("desired-only", "after-the-orders")
CALL_NOW = Mark("current-only", "not-after-the-orders")


@dataclass(frozen=True)
class Reach:
    """One call and VP's answer: ``mark`` says in which world it works; ``via`` is where the authorization
    was found when not on the address itself (``*`` or an HSA ancestor); ``routed`` the address whose routing
    VP uses, ``producer`` and ``url`` where the call goes (in the world it works in, after first). ``answer``
    is VP's error code where the call fails in the row's own world (an authorization row without a routing)."""

    address: str
    consumer: str
    contract: str
    mark: Mark
    via: str | None = None
    routed: str | None = None
    producer: str = ""
    url: str = ""
    answer: str | None = None


def _in_after(mark: Mark) -> bool:
    return mark.status != "current-only" or mark.reason == "out-of-scope"


@dataclass(frozen=True)
class Worlds:
    """The TAK now and after the orders, as VP sees them."""

    now: CallState
    after: CallState

    @classmethod
    def of(cls, view: EnvView, hsa_lookup: HsaLookup | None = None) -> Worlds:
        lookup = hsa_lookup or HsaLookup.disabled_for(view.hsa_lookup_disabled)

        def state(routings: Iterable[RoutingRow], auths: Iterable[AuthorizationRow]) -> CallState:
            r: dict[RoutingKey, RoutingValue] = {
                (x.address, x.contract): (x.producer, x.url, x.profile) for x in routings
            }
            a: frozenset[AuthorizationKey] = frozenset((x.consumer, x.address, x.contract) for x in auths)
            return CallState(r, a, view.tree, lookup)

        now = state(
            (r for r in view.routings if r.mark.status != "desired-only"),
            (a for a in view.authorizations if a.mark.status != "desired-only"),
        )
        after = state(
            (r for r in view.routings if _in_after(r.mark)),
            (a for a in view.authorizations if _in_after(a.mark)),
        )
        return cls(now, after)


class Calls:
    """Answers for the pages of one environment (the two worlds are built once, on first use)."""

    def __init__(self, view: EnvView) -> None:
        self.view = view

    @cached_property
    def worlds(self) -> Worlds:
        return Worlds.of(self.view)

    def _reach(self, consumer: str, contract: str, address: str) -> Reach | None:
        worlds = self.worlds
        now = outcome_of(worlds.now, consumer, contract, address)[0] == "works"
        after = outcome_of(worlds.after, consumer, contract, address)[0] == "works"
        if not (now or after):
            return None
        mark = CALL_CURRENT if now and after else CALL_AFTER if after else CALL_NOW
        used = resolve_call(worlds.after if after else worlds.now, consumer, contract, address)
        auth, routing = used.authorization, used.routing
        assert auth is not None and routing is not None
        producer, url, _profile = routing.rows[0]
        return Reach(
            address=address,
            consumer=consumer,
            contract=contract,
            mark=mark,
            via=auth.address if auth.address != address else None,
            routed=routing.address,
            producer=producer,
            url=url,
        )

    def callers_of(self, address: str) -> tuple[Reach, ...]:
        """Every (consumer, contract) VP lets call ``address``, now or after the orders, sorted."""
        view = self.view
        candidates: set[tuple[str, str]] = set()
        places = [address, WILDCARD, *view.tree.ancestors(address)] if address != WILDCARD else [WILDCARD]
        for place in places:
            candidates.update((a.consumer, a.contract) for a in view.authorizations_by_address.get(place, ()))
        found = (self._reach(c, k, address) for c, k in sorted(candidates))
        return tuple(r for r in found if r is not None)

    def reach_of(self, consumer: str) -> tuple[Reach, ...]:
        """What ``consumer`` is authorized for, one entry per authorization row, with VP's answer for a call
        to that address in the row's own world (``answer`` is VP004 when no routing serves it)."""
        out = []
        for row in self.view.authorizations_by_consumer.get(consumer, ()):
            world = self.worlds.after if row.mark.status == "desired-only" else self.worlds.now
            outcome = outcome_of(world, consumer, row.contract, row.address)
            works = outcome[0] == "works"
            out.append(
                Reach(
                    address=row.address,
                    consumer=consumer,
                    contract=row.contract,
                    mark=row.mark,
                    producer=outcome[1] if works else "",
                    url=outcome[2] if works else "",
                    answer=None if works else outcome[0],
                )
            )
        return tuple(out)

"""VG -> VE cascades: which addresses below a changed address resolve through it today, and where after.

With the HSA tree, every unit below the address is resolved with VP's lookup order (``core.hsa``) on the
current rows and on the rows after the plan:

* ``remove``: units that resolve through the address today (they fall back to an ancestor, ``SE``, ``*``, or
  to nothing);
* ``change``: units that resolve through it today and still do (they get the new producer, URL or profile);
* ``add``: units that do not resolve through it today and will (captured).

Without an HSA file the TAK's ``VG:`` description prefix (or desired ``kind: VG``) marks an address as having
unknown descendants; the cascade then lists the care units the desired files place below it (``vg:``), or else the
``VE:`` units the organisation routes for the contract, less those with a row of their own today or after the plan
(a routing for the contract; for an authorization, the consumer's authorization for it): VP looks a unit's own
address up first, so such a unit never resolves through its VG, and the change cannot leave it without a row.
What it assumes, not knowing the tree: that each listed unit lies below the address and that nothing between them
has a row of its own; so the list can name units that in fact do not cascade, and misses units no desired file
names.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from tak_gitops.core.hsa import HsaTree, resolve_authorization, resolve_routing
from tak_gitops.core.plan.model import Cascade, Descendant

HasRow = Callable[[str], bool]

_CHANGE_OF_ACTION = {
    "add-routing": "add",
    "change-routing": "change",
    "remove-routing": "remove",
    "add-authorization": "add",
    "remove-authorization": "remove",
}


@dataclass(frozen=True)
class CascadeCandidate:
    """A planned row change that may cascade: the action, its key and the organisation it belongs to."""

    action: str
    key: tuple[str, ...]
    org: str


def _include(change: str, address: str, today: str | None, after: str | None) -> bool:
    if change == "remove":
        return today == address
    if change == "change":
        return today == address and after == address
    return after == address and today != address


def find_cascades(
    candidates: Iterable[CascadeCandidate],
    *,
    tree: HsaTree | None,
    routing_has: Callable[[str, bool], HasRow],
    auth_has: Callable[[str, str, bool], HasRow],
    hsa_lookup: Callable[[str], bool],
    name_of: Callable[[str], str | None],
    is_vg: Callable[[str], bool],
    known_ves: Callable[[str, str, str], Collection[str]],
    acknowledged: Callable[[str, str], bool],
) -> list[Cascade]:
    """Cascades of the planned changes.

    ``routing_has(contract, after)`` returns ``has_row(address)`` for routings of ``contract`` today
    (``after=False``) or after the plan; ``auth_has(consumer, contract, after)`` the same for a consumer's
    authorizations. ``known_ves(org, address, contract)`` lists care units known below a VG when there is no
    HSA file. ``acknowledged(org, address)`` tells whether the cascade on ``address`` was acknowledged.
    """
    out: list[Cascade] = []
    children = tree.children if tree is not None else {}
    for cand in candidates:
        change = _CHANGE_OF_ACTION[cand.action]
        is_routing = cand.action.endswith("routing")
        if is_routing:
            address, contract = cand.key
            consumer = None
        else:
            consumer, address, contract = cand.key
        if not hsa_lookup(contract):
            continue
        needs = change != "add"
        if tree is not None:
            if address not in children:
                continue
            if is_routing:
                today_has = routing_has(contract, False)
                after_has = routing_has(contract, True)
                resolve = resolve_routing
            else:
                assert consumer is not None
                today_has = auth_has(consumer, contract, False)
                after_has = auth_has(consumer, contract, True)
                resolve = resolve_authorization
            found = []
            for d in tree.descendants(address):
                today = resolve(d, today_has, tree, True)
                after = resolve(d, after_has, tree, True)
                if _include(change, address, today, after):
                    found.append(Descendant(d, name_of(d), today, after))
            if not found:
                continue
            source = "hsa-file"
        else:
            if change == "add" or not is_vg(address):
                continue
            if consumer is None:
                today_has, after_has = routing_has(contract, False), routing_has(contract, True)
            else:
                today_has, after_has = auth_has(consumer, contract, False), auth_has(consumer, contract, True)
            units = sorted(d for d in known_ves(cand.org, address, contract) if not (today_has(d) or after_has(d)))
            found = [Descendant(d, name_of(d), None, None) for d in units]
            source = "description-prefix"
        out.append(
            Cascade(
                kind="routing" if is_routing else "authorization",
                change=change,
                address=address,
                contract=contract,
                consumer=consumer,
                org=cand.org,
                source=source,
                acknowledged=acknowledged(cand.org, address),
                needs_acknowledgement=needs,
                descendants=tuple(found),
            )
        )
    out.sort(key=lambda c: c.sort_key)
    return out

"""VG -> VE cascades: which addresses below a changed address resolve through it today, and where after.

Every unit below the address is resolved with VP's lookup order (``core.hsa``) on the current rows and on the
rows after the plan:

* ``remove``: units that resolve through the address today (they fall back to an ancestor, ``SE``, ``*``, or
  to nothing);
* ``change``: units that resolve through it today and still do (they get the new producer, URL or profile);
* ``add``: units that do not resolve through it today and will (captured).

The tree is the HSA file's, or without one the care-giver links of the desired files (``source`` says which).
Whether a cascade needs an acknowledgement is the plan's impact on calls to say (``needs``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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
    tree: HsaTree,
    source: str,
    routing_has: Callable[[str, bool], HasRow],
    auth_has: Callable[[str, str, bool], HasRow],
    hsa_lookup: Callable[[str], bool],
    name_of: Callable[[str], str | None],
    acknowledged: Callable[[str, str], bool],
    needs: Callable[[str, str], bool],
) -> list[Cascade]:
    """Cascades of the planned changes.

    ``routing_has(contract, after)`` returns ``has_row(address)`` for routings of ``contract`` today
    (``after=False``) or after the plan; ``auth_has(consumer, contract, after)`` the same for a consumer's
    authorizations. ``acknowledged(org, address)`` tells whether the cascade on ``address`` was acknowledged,
    ``needs(org, address)`` whether the changes on it break or move calls elsewhere.
    """
    out: list[Cascade] = []
    children = tree.children
    for cand in candidates:
        change = _CHANGE_OF_ACTION[cand.action]
        is_routing = cand.action.endswith("routing")
        if is_routing:
            address, contract = cand.key
            consumer = None
        else:
            consumer, address, contract = cand.key
        if not hsa_lookup(contract) or address not in children:
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
                needs_acknowledgement=needs(cand.org, address),
                descendants=tuple(found),
            )
        )
    out.sort(key=lambda c: c.sort_key)
    return out

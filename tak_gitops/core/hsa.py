"""The HSA tree as the routing engine (VP) sees it, and VP's lookup order for routings and authorizations.

The tree comes from the HSA cache file: a unit's parent is the nearest DN ancestor present in the file,
else ``SE`` (the root). An HSA-id not in the file has parent ``SE`` too. Lookups are case-insensitive in TAK,
so every id here is upper case.

VP's resolution order (takdatahandler):

* routing for (address, contract): exact address, then each HSA ancestor up to and including ``SE``, then ``*``;
* authorization for (consumer, address, contract): exact address, then ``*``, then each HSA ancestor up to ``SE``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property

ROOT = "SE"
WILDCARD = "*"


@dataclass(frozen=True)
class HsaTree:
    """Parent links of HSA units: ``parents[child] = parent`` (upper case). ``names`` holds unit names."""

    parents: Mapping[str, str]
    names: Mapping[str, str] = field(default_factory=dict)
    source: str | None = None
    digest: str | None = None

    def parent(self, hsa_id: str) -> str | None:
        """The parent of ``hsa_id``: from the file, else ``SE``; the root itself has none."""
        if hsa_id == ROOT:
            return None
        return self.parents.get(hsa_id, ROOT)

    def ancestors(self, hsa_id: str) -> Iterator[str]:
        """Yield the parent, its parent, ... up to and including ``SE``. Stops on a cycle."""
        seen = {hsa_id}
        node = self.parent(hsa_id)
        while node is not None and node not in seen:
            yield node
            seen.add(node)
            node = self.parent(node)

    @cached_property
    def children(self) -> Mapping[str, tuple[str, ...]]:
        """Direct children of each unit, sorted."""
        out: dict[str, list[str]] = {}
        for child, parent in self.parents.items():
            out.setdefault(parent, []).append(child)
        return {k: tuple(sorted(v)) for k, v in out.items()}

    def descendants(self, hsa_id: str) -> Iterator[str]:
        """Yield every unit below ``hsa_id`` in the file, depth first, children in sorted order."""
        stack = list(reversed(self.children.get(hsa_id, ())))
        seen: set[str] = set()
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            yield node
            stack.extend(reversed(self.children.get(node, ())))

    def __contains__(self, hsa_id: object) -> bool:
        return hsa_id in self.parents


EMPTY_TREE = HsaTree(parents={})


def routing_order(address: str, tree: HsaTree | None, hsa_lookup: bool = True) -> Iterator[str]:
    """Yield the logical addresses VP tries for a routing, in order: ``address``, then (when HSA lookup is on)
    each HSA ancestor up to and including ``SE``, then ``*``. Without a tree every address's parent is ``SE``."""
    yield address
    if hsa_lookup:
        yield from (tree or EMPTY_TREE).ancestors(address)
    yield WILDCARD


def authorization_order(address: str, tree: HsaTree | None, hsa_lookup: bool = True) -> Iterator[str]:
    """Yield the logical addresses VP tries for an authorization, in order: ``address``, then ``*``, then (when
    HSA lookup is on) each HSA ancestor up to and including ``SE``."""
    yield address
    yield WILDCARD
    if hsa_lookup:
        yield from (tree or EMPTY_TREE).ancestors(address)


def resolve_routing(
    address: str, has_row: Callable[[str], bool], tree: HsaTree | None, hsa_lookup: bool = True
) -> str | None:
    """Return the logical address whose routing VP uses for ``address``, or None (VP004).

    ``has_row(la)`` tells whether a valid routing exists on ``la`` for the contract in question.
    """
    for la in routing_order(address, tree, hsa_lookup):
        if has_row(la):
            return la
    return None


def resolve_authorization(
    address: str, has_row: Callable[[str], bool], tree: HsaTree | None, hsa_lookup: bool = True
) -> str | None:
    """Return the logical address whose authorization VP uses for ``address``, or None (VP007).

    ``has_row(la)`` tells whether the consumer holds an authorization on ``la`` for the contract in question.
    Note the order differs from routing: ``*`` is tried right after the exact address.
    """
    for la in authorization_order(address, tree, hsa_lookup):
        if has_row(la):
            return la
    return None

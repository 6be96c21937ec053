"""The state after the plan: the current rows with the planned and pending changes, as cheap lookups.

Cascades, the warnings on desired rows and the manual steps ask what is routed or authorized today and after
the plan; :class:`AfterState` answers without copying the current rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Container, Iterable, Iterator, Mapping
from operator import itemgetter

from tak_gitops.core.plan.cascade import HasRow
from tak_gitops.core.plan.model import Change
from tak_gitops.core.snapshot import AuthorizationKey, RoutingKey, RoutingValue, Snapshot


class _RoutingsAfter(Mapping[RoutingKey, RoutingValue]):
    """The routings after the plan as a mapping over the current ones (no copy)."""

    def __init__(self, after: AfterState) -> None:
        self.a = after

    def __contains__(self, key: object) -> bool:
        a = self.a
        return key in a.added_r or (key in a.s_r and key not in a.removed_r)

    def __getitem__(self, key: RoutingKey) -> RoutingValue:
        a = self.a
        if key in a.added_r:
            return a.added_r[key]
        if key in a.removed_r:
            raise KeyError(key)
        return a.s_r[key]

    def __iter__(self) -> Iterator[RoutingKey]:
        a = self.a
        yield from (k for k in a.s_r if k not in a.removed_r and k not in a.added_r)
        yield from a.added_r

    def __len__(self) -> int:
        return sum(1 for _ in self)


class AfterState:
    """Rows added and removed by the plan (and the pending orders) over a snapshot."""

    def __init__(self, snapshot: Snapshot, changes: Iterable[Change]) -> None:
        self.s_r: Mapping[RoutingKey, RoutingValue] = snapshot.routings
        self.s_a: frozenset[AuthorizationKey] = snapshot.authorizations
        self.a_rows = snapshot.authorization_rows
        self.added_r: dict[RoutingKey, RoutingValue] = {}
        self.removed_r: set[RoutingKey] = set()
        self.added_a: set[AuthorizationKey] = set()
        self.removed_a: set[AuthorizationKey] = set()
        self._ns_count: Counter[str] | None = None
        for c in changes:
            if c.action in ("add-routing", "change-routing"):
                assert c.after is not None
                self.added_r[(c.key[0], c.key[1])] = c.after
            elif c.action == "remove-routing":
                self.removed_r.add((c.key[0], c.key[1]))
            elif c.action == "add-authorization":
                self.added_a.add((c.key[0], c.key[1], c.key[2]))
            elif c.action == "remove-authorization":
                self.removed_a.add((c.key[0], c.key[1], c.key[2]))

    def routing_has(self, ns: str, after: bool) -> HasRow:
        """``has_row(address)`` for routings of contract ``ns`` today (``after=False``) or after the plan."""
        s_r = self.s_r
        if not after:
            return lambda la: (la, ns) in s_r
        added_r, removed_r = self.added_r, self.removed_r
        return lambda la: (la, ns) in added_r or ((la, ns) in s_r and (la, ns) not in removed_r)

    def auth_has(self, consumer: str, ns: str, after: bool) -> HasRow:
        """``has_row(address)`` for ``consumer``'s authorizations on contract ``ns`` today or after the plan."""
        s_a = self.s_a
        if not after:
            return lambda la: (consumer, la, ns) in s_a
        added_a, removed_a = self.added_a, self.removed_a
        return lambda la: (
            (consumer, la, ns) in added_a or ((consumer, la, ns) in s_a and (consumer, la, ns) not in removed_a)
        )

    def routings(self) -> Mapping[RoutingKey, RoutingValue]:
        """The routings after the plan, as a read-only mapping over the current ones."""
        return _RoutingsAfter(self)

    def any_routing_after(self, ns: str) -> bool:
        """True when anything is routed for contract ``ns`` after the plan."""
        if self._ns_count is None:
            s_r, removed_r = self.s_r, self.removed_r
            count = Counter(k[1] for k in s_r)
            _count_changes(count, 1, s_r, removed_r, self.added_r)
            self._ns_count = count
        return self._ns_count[ns] > 0

    def address_use(self, addresses: Mapping[str, object]) -> Counter[str]:
        """How many routings and authorizations use each of ``addresses`` after the plan."""
        s_r, s_a, removed_r, removed_a = self.s_r, self.s_a, self.removed_r, self.removed_a
        wanted = addresses.__contains__
        used = Counter(filter(wanted, map(itemgetter(0), s_r)))
        used.update(filter(wanted, map(itemgetter(1), self.a_rows)))
        _count_changes(used, 0, s_r, removed_r, self.added_r)
        _count_changes(used, 1, s_a, removed_a, self.added_a)
        return used


def _count_changes(
    count: Counter[str],
    part: int,
    rows: Container[tuple[str, ...]],
    removed: Collection[tuple[str, ...]],
    added: Iterable[tuple[str, ...]],
) -> None:
    """Bring ``count`` (rows per key ``part``) from the snapshot's ``rows`` to after the plan: a removed row that
    exists counts one less, an added row that is new (or replaces a removed one) one more."""
    for key in removed:
        if key in rows:
            count[key[part]] -= 1
    for key in added:
        if key not in rows or key in removed:
            count[key[part]] += 1

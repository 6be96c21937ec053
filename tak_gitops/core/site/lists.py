"""Long lists on pages: rows folded along the HSA tree, and split so that no page grows past its budget.

A list is a :class:`Section` of :class:`Group` s. A group is the rows on one address, and below it (folded) the
rows on the addresses under it in the HSA tree that the same list holds, with their depth. A section shows as
many rows as its page allows; the rest go to continuation pages of ``PAGE_ROWS`` rows each.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from tak_gitops.core.hsa import HsaTree

PAGE_ROWS = 1000
"""Rows on a continuation page."""
ROW_BUDGET = 600
"""Rows shown inline on one page, over all its sections."""
MIN_INLINE = 10
"""A section shows at least this many rows inline, or none (when the page has too many sections)."""

_CONTRACT_RE = re.compile(r"^urn:riv:.*:([A-Za-z0-9_]+?)(?:Responder)?:(\d+)$")


@lru_cache(maxsize=1 << 14)
def short_contract(namespace: str) -> str:
    """``urn:riv:...:GetCareContactsResponder:2`` -> ``GetCareContacts:2``."""
    m = _CONTRACT_RE.match(namespace)
    return f"{m.group(1)}:{m.group(2)}" if m else namespace


@dataclass(frozen=True)
class Group:
    """The rows on one address (``head``), and the rows on addresses below it, each with its depth (1, 2, ...)."""

    head: tuple[Any, ...]
    members: tuple[tuple[int, tuple[Any, ...]], ...] = ()

    @cached_property
    def size(self) -> int:
        return len(self.head) + sum(len(rows) for _d, rows in self.members)


@dataclass(frozen=True)
class Section:
    """One list on a page: ``groups`` shown here, ``total`` rows in all, the continuation pages in ``more``
    (page 2, 3, ...), or ``elsewhere``: a page that shows the whole list."""

    anchor: str
    title: str
    kind: str
    groups: tuple[Group, ...]
    total: int
    more: tuple[str, ...] = ()
    elsewhere: str | None = None
    extra: Any = None

    @property
    def shown(self) -> int:
        return sum(g.size for g in self.groups)


def flat(rows: Sequence[Any]) -> tuple[Group, ...]:
    """One group per row (lists that are not folded)."""
    return tuple(Group((row,)) for row in rows)


def fold(rows: Sequence[Any], address_of: Callable[[Any], str], tree: HsaTree) -> tuple[Group, ...]:
    """Group ``rows`` by address and fold each address under its nearest HSA ancestor in the list. Groups keep
    the order of their first address in ``rows``; members are depth first, sorted by address."""
    by_address: dict[str, list[Any]] = {}
    for row in rows:
        by_address.setdefault(address_of(row), []).append(row)
    present = by_address.keys()
    parent_in_list: dict[str, str] = {}
    if tree.parents:
        for address in present:
            for ancestor in tree.ancestors(address):
                if ancestor in present:
                    parent_in_list[address] = ancestor
                    break
    children: dict[str, list[str]] = {}
    for child, parent in parent_in_list.items():
        children.setdefault(parent, []).append(child)
    groups: list[Group] = []
    for address, head in by_address.items():
        if address in parent_in_list:
            continue
        members: list[tuple[int, tuple[Any, ...]]] = []
        stack = [(1, c) for c in sorted(children.get(address, ()), reverse=True)]
        while stack:
            depth, node = stack.pop()
            members.append((depth, tuple(by_address[node])))
            stack.extend((depth + 1, c) for c in sorted(children.get(node, ()), reverse=True))
        groups.append(Group(tuple(head), tuple(members)))
    return tuple(groups)


def split(groups: Sequence[Group], first: int, rest: int = PAGE_ROWS) -> list[tuple[Group, ...]]:
    """Cut ``groups`` into pages: ``first`` rows on the first, ``rest`` on each next one. A group larger than a
    page is cut into pieces (the piece after a cut starts with its next rows as a group of its own)."""
    pages: list[list[Group]] = [[]]
    room = first
    for group in groups:
        for piece in _pieces(group, max(rest, 1)):
            if piece.size > room and (pages[-1] or len(pages) == 1):
                pages.append([])
                room = rest
            pages[-1].append(piece)
            room -= piece.size
    return [tuple(p) for p in pages]


def _pieces(group: Group, limit: int) -> list[Group]:
    if group.size <= limit:
        return [group]
    out: list[Group] = []
    head, members = group.head, list(group.members)
    current: list[tuple[int, tuple[Any, ...]]] = []
    size = len(head)
    for depth, rows in members:
        if size + len(rows) > limit and (current or head):
            out.append(Group(head, tuple(current)))
            head, current, size = (), [], 0
        current.append((depth, rows))
        size += len(rows)
    out.append(Group(head, tuple(current)))
    return out


def inline_rows(sections: int) -> int:
    """How many rows each of ``sections`` lists may show inline on one page."""
    if sections == 0:
        return ROW_BUDGET
    each = ROW_BUDGET // sections
    return each if each >= MIN_INLINE else 0


def section(
    anchor: str,
    title: str,
    kind: str,
    groups: Sequence[Group],
    *,
    inline: int,
    page: str | None = None,
    continuation: Callable[[int], str] | None = None,
    elsewhere: str | None = None,
    extra: Any = None,
) -> tuple[Section, list[tuple[int, tuple[Group, ...]]]]:
    """A section showing up to ``inline`` rows, and its continuation pages (number, groups). With
    ``elsewhere`` the rest is not paged here: the section links to the page that shows all of it."""
    total = sum(g.size for g in groups)
    pages = split(groups, inline)
    if len(pages) == 1 or elsewhere is not None:
        return Section(anchor, title, kind, pages[0], total, (), elsewhere if len(pages) > 1 else None, extra), []
    assert continuation is not None and page is not None
    numbered = [(n, p) for n, p in enumerate(pages[1:], start=2)]
    more = tuple(continuation(n) for n, _p in numbered)
    return Section(anchor, title, kind, pages[0], total, more, None, extra), numbered

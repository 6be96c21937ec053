"""The HTML of the rows of the site's lists, written in Python rather than in a template.

A national-scale site has about a million rows; a jinja2 macro call per row (and per link in it) took most of
the build time, so the rows are formatted here with every value escaped, and the templates place the whole list
with ``{{ rows(section) }}``. Links and names of addresses, systems and contracts are formatted once per page
depth and reused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup, escape

from tak_gitops.core.site.lists import Group, Section, short_contract
from tak_gitops.core.site.paths import Links
from tak_gitops.core.site.view import EnvView, Mark

_CONTINUED = '<div class="row cont">(continued)</div>'


def _e(value: object) -> str:
    return str(escape("" if value is None else value))


class RowWriter:
    """Formats rows for the pages at one depth (``env_root`` is the relative way to the environment folder)."""

    def __init__(self, view: EnvView, links: Links, env_root: str) -> None:
        self.view = view
        self.links = links
        self.root = env_root
        self._cache: dict[tuple[str, str], str] = {}
        self._urls = True
        self._kinds: dict[str, Callable[[Any, int], str]] = {
            "routing": self._routing,
            "routing-full": self._routing_full,
            "reach": self._reach,
            "authorization": self._authorization,
            "served": self._served,
            "caller": self._caller,
            "producers": self._aggregate,
            "consumers": self._aggregate,
            "change": self._change,
            "impact": self._impact,
            "list-system": lambda r, d: f'<div class="row">{self.system(r)}</div>',
            "list-address": lambda r, d: f'<div class="row">{self.address(r)}</div>',
            "list-contract": lambda r, d: (
                f'<div class="row">{self.contract(r)} <span class="name">{_e(r)}</span></div>'
            ),
        }

    def _link(self, label: str, href: str | None, cls: str) -> str:
        if href is None:
            return f'<span class="{cls}">{_e(label)}</span>'
        return f'<a href="{self.root}{_e(href)}" class="{cls}">{_e(label)}</a>'

    def address_id(self, hsa_id: str) -> str:
        key = ("ai", hsa_id)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._link(hsa_id, self.links.address(hsa_id), "id")
        return found

    def address(self, hsa_id: str) -> str:
        key = ("a", hsa_id)
        found = self._cache.get(key)
        if found is None:
            name = self.view.address_names.get(hsa_id) or self.view.tree.names.get(hsa_id, "")
            found = self._cache[key] = f'{self.address_id(hsa_id)} <span class="name">{_e(name)}</span>'
        return found

    def system_id(self, hsa_id: str) -> str:
        key = ("si", hsa_id)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._link(hsa_id, self.links.system(hsa_id), "id")
        return found

    def system(self, hsa_id: str) -> str:
        key = ("s", hsa_id)
        found = self._cache.get(key)
        if found is None:
            name = self.view.system_names.get(hsa_id, "")
            found = self._cache[key] = f'{self.system_id(hsa_id)} <span class="name">{_e(name)}</span>'
        return found

    def contract(self, namespace: str) -> str:
        key = ("c", namespace)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._link(short_contract(namespace), self.links.contract(namespace), "contract")
        return found

    def mark(self, mark: Mark) -> str:
        key = ("m", mark.label)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = f'<span class="mark {mark.status}">{_e(mark.label)}</span>'
        return found

    @staticmethod
    def _depth(depth: int) -> str:
        return f' style="--depth:{depth}"' if depth else ""

    def _via(self, via: str | None) -> str:
        return f' <span class="via">through {self.address_id(via)}</span>' if via else ""

    def _routing(self, r: Any, depth: int) -> str:
        url = f' <span class="url" title="{_e(r.profile)}">{_e(r.url)}</span>' if self._urls else ""
        head = f'<div class="row s-{r.mark.status}"{self._depth(depth)}>'
        return f"{head}{self.address(r.address)}{url} {self.mark(r.mark)}</div>"

    def _routing_full(self, r: Any, depth: int) -> str:
        return (
            f'<div class="row s-{r.mark.status}">{self.address(r.address)} {self.contract(r.contract)} → '
            f'{self.system_id(r.producer)} <span class="url">{_e(r.url)}</span> {self.mark(r.mark)}</div>'
        )

    def _answer(self, r: Any) -> str:
        if r.answer:
            return f' <span class="answer">VP says {_e(r.answer)}</span>'
        if r.routed and r.routed != r.address:
            return f' <span class="via">routed through {self.address_id(r.routed)}</span>'
        return ""

    def _reach(self, r: Any, depth: int) -> str:
        return (
            f'<div class="row s-{r.mark.status}"{self._depth(depth)}>{self.address(r.address)}'
            f"{self._answer(r)} {self.mark(r.mark)}</div>"
        )

    def _authorization(self, r: Any, depth: int) -> str:
        return (
            f'<div class="row s-{r.mark.status}"{self._depth(depth)}>{self.system(r.consumer)} on '
            f"{self.address(r.address)} {self.mark(r.mark)}</div>"
        )

    def _served(self, r: Any, depth: int) -> str:
        row = r.row
        return (
            f'<div class="row s-{row.mark.status}">{self.contract(row.contract)} → {self.system(row.producer)} '
            f'<span class="url">{_e(row.url)}</span> <span class="profile">{_e(row.profile)}</span>'
            f"{self._via(r.via)} {self.mark(row.mark)}</div>"
        )

    def _caller(self, r: Any, depth: int) -> str:
        via = f' <span class="via">authorized on {self.address_id(r.via)}</span>' if r.via else ""
        return (
            f'<div class="row s-{r.mark.status}">{self.system(r.consumer)} for {self.contract(r.contract)}{via}'
            f"{self._answer(r)} → {self.system_id(r.producer)} {self.mark(r.mark)}</div>"
        )

    def _aggregate(self, r: Any, depth: int) -> str:
        where = f' <span class="url">{_e(r.url)}</span> <span class="profile">{_e(r.profile)}</span>' if r.url else ""
        plural = "address" if r.count == 1 else "addresses"
        return (
            f'<div class="row s-{r.status}">{self.system(r.system)}{where} '
            f'<span class="count">{r.count} {plural}</span> '
            f'<span class="mark {r.status}">{_e(r.label)}</span></div>'
        )

    def _change(self, r: Any, depth: int) -> str:
        tags = "".join(f' <a class="tag" href="{self.root}{_e(href)}">{_e(label)}</a>' for label, href in r.links)
        return (
            f'<div class="row change" id="{_e(r.anchor)}"><a class="pin" href="#{_e(r.anchor)}">#</a> '
            f'<span class="sym">{_e(r.symbol)}</span> <span class="action">{_e(r.action)}</span> '
            f"{_e(r.text)}{tags}</div>"
        )

    def _impact(self, r: Any, depth: int) -> str:
        status = {"breaks": "current-only", "heals": "desired-only"}.get(r.kind, "current")
        how = "" if r.direct else ' <span class="via">through the HSA tree, SE or *</span>'
        return (
            f'<div class="row s-{status}"><span class="mark {status}">{_e(r.kind)}</span> '
            f"{self.system(r.consumer)} → {self.address(r.address)} for {self.contract(r.contract)}: "
            f'<span class="answer-before">{_e(r.before)}</span> ⟶ <span class="answer-after">{_e(r.after)}</span>'
            f"{how}</div>"
        )

    def group(self, kind: str, group: Group) -> str:
        fmt = self._kinds[kind]
        head = "".join(fmt(r, 0) for r in group.head)
        if not group.members:
            return head
        below = group.size - len(group.head)
        members = "".join(fmt(r, depth) for depth, rows in group.members for r in rows)
        head = head or _CONTINUED
        return (
            f'<details class="group"><summary>{head}'
            f'<span class="folded">{below} below in the HSA tree</span></summary>{members}</details>'
        )

    def rows(self, section: Section) -> Markup:
        """The rows of ``section`` shown on this page, folded groups as ``<details>``."""
        endpoints = section.extra[1] if isinstance(section.extra, tuple) and len(section.extra) > 1 else ()
        self._urls = len(endpoints) != 1  # one URL for every row: the table above the list shows it
        body = "".join(self.group(section.kind, g) for g in section.groups)
        return Markup(f'<div class="rows">{body}</div>')

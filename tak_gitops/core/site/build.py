"""Every page of one environment's part of the site, as (path, template, model), and its search entries.

The adapter renders each :class:`PageSpec` with its template and writes it at ``path`` (relative to the
environment's folder). Nothing here reads or writes a file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from tak_gitops.core.site import paths
from tak_gitops.core.site.lists import PAGE_ROWS, Section, flat, section, short_contract
from tak_gitops.core.site.organisation import org_page
from tak_gitops.core.site.pages import address_page, contract_page, index_page, system_page
from tak_gitops.core.site.plan_page import plan_page
from tak_gitops.core.site.search import Entry
from tak_gitops.core.site.view import EnvView


@dataclass(frozen=True)
class PageSpec:
    """One page to write: where, with which template, the title and what it shows."""

    path: str
    template: str
    title: str
    model: Any


@dataclass(frozen=True)
class ListPage:
    """A continuation of a long list: the page it belongs to and the rows of this part."""

    back: str
    back_title: str
    number: int
    section: Section


def links_for(view: EnvView, has_plan: bool) -> paths.Links:
    return paths.Links.of(view.addresses, view.systems, view.contracts, view.organisations, has_plan)


def _continued(back: str, back_title: str, parts: list[tuple[str, str, Section]]) -> Iterator[PageSpec]:
    for path, title, sec in parts:
        number = int(path.rsplit("-", 1)[-1].removesuffix(".html"))  # continuation pages end in -<n>.html
        yield PageSpec(path, "list.html.j2", f"{title} ({number})", ListPage(back, back_title, number, sec))


def _list_pages(path: str, title: str, kind: str, items: tuple[str, ...]) -> Iterator[PageSpec]:
    sec, pages = section(
        "all",
        title,
        kind,
        flat(items),
        inline=PAGE_ROWS,
        page=path,
        continuation=partial(paths.continuation_page, path, "all"),
    )
    yield PageSpec(path, "list.html.j2", title, ListPage(paths.INDEX_PAGE, "index", 1, sec))
    for n, groups in pages:
        part = Section(sec.anchor, title, kind, groups, sec.total, sec.more)
        yield PageSpec(sec.more[n - 2], "list.html.j2", f"{title} ({n})", ListPage(path, title, n, part))


def env_pages(view: EnvView, plan: Mapping[str, Any] | None, now: dt.datetime) -> Iterator[PageSpec]:
    """Every page of ``view``'s environment, in a fixed order."""
    links = links_for(view, plan is not None)
    yield PageSpec(paths.INDEX_PAGE, "index.html.j2", view.env, index_page(view))
    if plan is not None:
        page, more = plan_page(plan, links)
        yield PageSpec(paths.PLAN_PAGE, "plan.html.j2", f"Plan {view.env}", page)
        yield from _continued(paths.PLAN_PAGE, "plan", more)
    for key in sorted(view.organisations):
        model = org_page(view, key, now)
        yield PageSpec(paths.org_page(key), "org.html.j2", model.name, model)
    for hsa_id in view.systems:
        spage, more = system_page(view, hsa_id)
        title = f"{hsa_id} {spage.name}".strip()
        yield PageSpec(paths.system_page(hsa_id), "system.html.j2", title, spage)
        yield from _continued(paths.system_page(hsa_id), hsa_id, more)
    for ns in view.contracts:
        cpage, more = contract_page(view, ns)
        yield PageSpec(paths.contract_page(ns), "contract.html.j2", short_contract(ns), cpage)
        yield from _continued(paths.contract_page(ns), short_contract(ns), more)
    for hsa_id in view.addresses:
        apage, more = address_page(view, hsa_id)
        yield PageSpec(paths.address_page(hsa_id), "address.html.j2", f"{hsa_id} {apage.name}".strip(), apage)
        yield from _continued(paths.address_page(hsa_id), hsa_id, more)
    yield from _list_pages("systems.html", "Systems", "list-system", view.systems)
    yield from _list_pages("contracts.html", "Contracts", "list-contract", view.contracts)
    yield from _list_pages("addresses.html", "Logical addresses", "list-address", view.addresses)


def search_entries(view: EnvView) -> list[Entry]:
    """What the search finds: organisations, systems, logical addresses, contracts and producer URLs."""
    out = [Entry("org", k, o.name, paths.org_page(k)) for k, o in view.organisations.items()]
    out += [Entry("system", s, view.system_names.get(s, ""), paths.system_page(s)) for s in view.systems]
    out += [Entry("address", a, view.address_names.get(a, ""), paths.address_page(a)) for a in view.addresses]
    out += [Entry("contract", ns, short_contract(ns), paths.contract_page(ns)) for ns in view.contracts]
    urls = {(r.url, r.producer, r.contract) for r in view.routings}
    out += [
        Entry("url", url, f"{producer} {short_contract(ns)}", f"{paths.system_page(producer)}#p-{paths.anchor(ns)}")
        for url, producer, ns in urls
    ]
    return out

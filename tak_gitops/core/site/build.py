"""Every page of one environment's part of the site, as (path, template, model), and its search entries.

The adapter renders each :class:`PageSpec` with its template and writes it at ``path`` (relative to the
environment's folder). Nothing here reads or writes a file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from tak_gitops.core.site import paths
from tak_gitops.core.site.lists import PAGE_ROWS, Section, flat, section, short_contract
from tak_gitops.core.site.organisation import org_page
from tak_gitops.core.site.pages import address_page, contract_page, index_page, system_page
from tak_gitops.core.site.plan_page import plan_page
from tak_gitops.core.site.reach import Calls
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


def env_pages(
    view: EnvView,
    plan: Mapping[str, Any] | None,
    now: dt.datetime,
    part: tuple[int, int] = (0, 1),
    calls: Calls | None = None,
) -> Iterator[PageSpec]:
    """Every page of ``view``'s environment, in a fixed order. With ``part=(k, n)`` only the k-th of n shares
    (a page and its continuations stay together), so that n processes can render the site side by side."""
    links = links_for(view, plan is not None)
    k, n = part
    calls = calls or Calls(view)
    units: list[Callable[[], Iterator[PageSpec]]] = [lambda: iter([_index(view)])]
    if plan is not None:
        units.append(partial(_plan, plan, links))
    units += [partial(_org, view, key, now) for key in sorted(view.organisations)]
    units += [partial(_system, view, hsa_id, calls) for hsa_id in view.systems]
    units += [partial(_contract, view, ns) for ns in view.contracts]
    units += [partial(_address, view, hsa_id, calls) for hsa_id in view.addresses]
    units.append(partial(_list_pages, "systems.html", "Systems", "list-system", view.systems))
    units.append(partial(_list_pages, "contracts.html", "Contracts", "list-contract", view.contracts))
    units.append(partial(_list_pages, "addresses.html", "Logical addresses", "list-address", view.addresses))
    for i, unit in enumerate(units):
        if i % n == k:
            yield from unit()


def _index(view: EnvView) -> PageSpec:
    return PageSpec(paths.INDEX_PAGE, "index.html.j2", view.env, index_page(view))


def _plan(plan: Mapping[str, Any], links: paths.Links) -> Iterator[PageSpec]:
    page, more = plan_page(plan, links)
    yield PageSpec(paths.PLAN_PAGE, "plan.html.j2", f"Plan {page.env}", page)
    yield from _continued(paths.PLAN_PAGE, "plan", more)


def _org(view: EnvView, key: str, now: dt.datetime) -> Iterator[PageSpec]:
    model = org_page(view, key, now)
    yield PageSpec(paths.org_page(key), "org.html.j2", model.name, model)


def _system(view: EnvView, hsa_id: str, calls: Calls) -> Iterator[PageSpec]:
    spage, more = system_page(view, hsa_id, calls)
    yield PageSpec(paths.system_page(hsa_id), "system.html.j2", f"{hsa_id} {spage.name}".strip(), spage)
    yield from _continued(paths.system_page(hsa_id), hsa_id, more)


def _contract(view: EnvView, ns: str) -> Iterator[PageSpec]:
    cpage, more = contract_page(view, ns)
    yield PageSpec(paths.contract_page(ns), "contract.html.j2", short_contract(ns), cpage)
    yield from _continued(paths.contract_page(ns), short_contract(ns), more)


def _address(view: EnvView, hsa_id: str, calls: Calls) -> Iterator[PageSpec]:
    apage, more = address_page(view, hsa_id, calls)
    yield PageSpec(paths.address_page(hsa_id), "address.html.j2", f"{hsa_id} {apage.name}".strip(), apage)
    yield from _continued(paths.address_page(hsa_id), hsa_id, more)


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

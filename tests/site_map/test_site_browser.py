"""The example site in headless Chromium: Region Sörmland's page, search, marks, console errors, every link."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.browser_support import artifact_dir
from tests.site_map.conftest import ROOT, broken_links

GCC = "urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2"
PRODUCER = "SE162321000032-00D1"
NEW_URL = "https://tp.regionsormland.se/vp/clinicalprocess/logistics/logistics/GetCareContacts/2/rivtabp21"
OLD_URL = "https://tp.landstingetsormland.se/vp/clinicalprocess/logistics/logistics/GetCareContacts/2/rivtabp21"


def _rows(page: Any, selector: str) -> list[tuple[str, str]]:
    """(text of the row's links, status class) of every row under ``selector``."""
    found = page.eval_on_selector_all(
        f"{selector} .row",
        """rows => rows.map(r => [Array.from(r.querySelectorAll('a.id')).map(a => a.textContent).join(' '),
                                  (r.className.match(/s-([a-z-]+)/) || [, ''])[1]])""",
    )
    return [(text, status) for text, status in found]


def _sormland_expected() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """What the files say, read here without the site's code: the desired addresses of 00D1 (the CSV set and
    SE2321000032-4CVG) at the new URL, and the export's routings of 00D1 for GetCareContacts:2 at the old one."""
    csv = (ROOT / "desired/region-sormland/addresses/care-givers.csv").read_text(encoding="utf-8").splitlines()
    desired = {line.split(";")[0] for line in csv[1:] if line and not line.startswith("#")} | {"SE2321000032-4CVG"}
    productions = json.loads((ROOT / "examples/ntjp-prod/serviceProductions.json").read_text(encoding="utf-8"))
    current = {
        p["logicalAddress"]["logicalAddress"]: p["physicalAddress"]
        for p in productions
        if p["serviceProducer"]["hsaId"] == PRODUCER and p["serviceContract"]["namespace"] == GCC
    }
    assert set(current.values()) == {OLD_URL}
    addresses = [(a, "desired-only") for a in desired] + [(a, "current-only") for a in current]
    cooperations = json.loads((ROOT / "examples/ntjp-prod/cooperations.json").read_text(encoding="utf-8"))
    on_them = {
        (c["serviceConsumer"]["hsaId"], c["logicalAddress"]["logicalAddress"])
        for c in cooperations
        if c["serviceContract"]["namespace"] == GCC and c["logicalAddress"]["logicalAddress"] in desired | set(current)
    }
    granted = {("SE2321000016-92V4", a) for a in desired}  # the grant in NTJP-PROD.yaml, manage: true
    consumers = [(f"{c} {a}", "current" if (c, a) in on_them else "desired-only") for c, a in granted]
    consumers += [(f"{c} {a}", "current-only") for c, a in on_them - granted]
    return sorted(addresses), sorted(consumers)


def test_sormland_page_lists_the_producers_addresses_and_consumers(example_site: Path, page: Any) -> None:
    page.goto((example_site / "NTJP-PROD/org/region-sormland.html").as_uri())
    assert page.inner_text("h1") == "Region Sörmland"
    served = f'[id="{PRODUCER}-p-{GCC.replace(":", ".")}"]'
    consumers = f'[id="{PRODUCER}-k-{GCC.replace(":", ".")}"]'
    expected_addresses, expected_consumers = _sormland_expected()
    assert sorted(_rows(page, served)) == expected_addresses
    assert sorted(_rows(page, consumers)) == expected_consumers
    assert len(expected_addresses) == 21 and len(expected_consumers) == 12
    page.screenshot(path=str(artifact_dir("site") / "region-sormland.png"), full_page=True)
    assert page.errors == []


def test_a_desired_only_row_is_marked(example_site: Path, page: Any) -> None:
    page.goto((example_site / "NTJP-PROD/address/SE2321000032-4CVG.html").as_uri())
    row = page.locator("#routings .row").first
    assert "s-desired-only" in (row.get_attribute("class") or "")
    assert row.locator(".mark").inner_text() == "desired-only · order needed"
    assert row.locator(".url").inner_text() == NEW_URL
    page.locator('.filters input[data-status="desired-only"]').uncheck()
    assert not row.is_visible()
    page.screenshot(path=str(artifact_dir("site") / "desired-only-address.png"), full_page=True)
    assert page.errors == []


def test_search_finds_the_care_giver_and_opens_its_page(example_site: Path, page: Any) -> None:
    page.goto((example_site / "NTJP-PROD/index.html").as_uri())
    page.fill("#q", "4KMN")
    result = page.locator('#results[data-query="4KMN"] a').first
    result.wait_for(timeout=5000)
    assert page.locator("#results a").count() == 1
    assert result.inner_text().endswith("SE2321000032-4KMN · VG: Sörmland - Familjedoktorerna i Strängnäs AB")
    page.screenshot(path=str(artifact_dir("site") / "search-4KMN.png"))
    result.click()
    page.wait_for_url("**/address/SE2321000032-4KMN.html")
    assert page.inner_text("h1") == "SE2321000032-4KMN VG: Sörmland - Familjedoktorerna i Strängnäs AB"
    assert page.errors == []


def test_search_by_name_contract_and_url(example_site: Path, page: Any) -> None:
    page.goto((example_site / "NTJP-PROD/index.html").as_uri())
    for query, first in (
        ("strängnäs familjedoktorerna", "SE2321000032-4KMN"),
        ("GetCareContacts", GCC),
        ("tp.regionsormland.se", NEW_URL),
    ):
        page.fill("#q", query)
        page.locator(f'#results[data-query="{query}"] a').first.wait_for(timeout=5000)
        texts = page.locator("#results a").all_inner_texts()
        assert any(first in t for t in texts), (query, texts)
    assert page.errors == []


def test_the_plan_page_links_each_change_to_its_pages(example_site: Path, page: Any) -> None:
    page.goto((example_site / "NTJP-PROD/plan.html").as_uri() + "#w1-region-sormland-producer-SE162321000032-00D1-1")
    change = page.locator('[id="w1-region-sormland-producer-SE162321000032-00D1-1"]')
    assert "new logical address" in change.inner_text()
    change.locator("a.tag", has_text="SE2321000032-4CVG").click()
    page.wait_for_url("**/address/SE2321000032-4CVG.html")
    page.screenshot(path=str(artifact_dir("site") / "plan-link-target.png"), full_page=True)
    assert page.errors == []


def test_no_console_errors_on_any_page(example_site: Path, page: Any) -> None:
    pages = sorted(example_site.rglob("*.html"))
    assert len(pages) == 49
    for html in pages:
        page.goto(html.as_uri())
        assert page.title().endswith("TAK integration map"), html
        assert page.evaluate("document.documentElement.scrollWidth") <= 900, f"{html} is wider than the window"
    assert page.errors == []
    for name in (
        "index.html",
        "plan.html",
        "system/SE162321000032-00D1.html",
        f"contract/{GCC.replace(':', '.')}.html",
    ):
        page.goto((example_site / "NTJP-PROD" / name).as_uri())
        page.screenshot(path=str(artifact_dir("site") / (name.replace("/", "_") + ".png")), full_page=True)


def test_every_link_resolves(example_site: Path) -> None:
    assert broken_links(example_site) == []


def test_can_call_is_what_vp_answers(example_site: Path, page: Any) -> None:
    """Care unit 4KMU has no row of its own: VP routes it through its care giver 4KMT and finds 1177's
    authorization there. The plan removes both, so the call works now and not after the orders."""
    page.goto((example_site / "NTJP-PROD/address/SE2321000032-4KMU.html").as_uri())
    callers = page.locator("#callers .row")
    assert callers.count() == 1
    assert callers.first.inner_text() == (
        "SE2321000016-92V4 1177 Vårdguidens e-tjänster for GetCareContacts:2 authorized on SE2321000032-4KMT "
        "routed through SE2321000032-4KMT → SE162321000032-00D1 current-only · not after the orders"
    )
    # 4CVG gets a routing and an authorization of its own (desired-only rows), but the call works today
    # already: VP routes it through its care giver 4KMN, where 1177 is authorized. So the call is current.
    page.goto((example_site / "NTJP-PROD/address/SE2321000032-4CVG.html").as_uri())
    assert page.locator("#routings .row").all_inner_texts() == [
        f"GetCareContacts:2 → {PRODUCER} Tjänsteplattform {NEW_URL} RIVTABP21 desired-only · order needed",
        f"GetCareContacts:2 → {PRODUCER} Tjänsteplattform {NEW_URL} RIVTABP21 through SE2321000032-4KMN "
        "desired-only · order needed",
        f"GetCareContacts:2 → {PRODUCER} Tjänsteplattform {OLD_URL} RIVTABP21 through SE2321000032-4KMN "
        "current-only · replaced",
    ]
    assert page.locator("#callers .row").first.inner_text() == (
        "SE2321000016-92V4 1177 Vårdguidens e-tjänster for GetCareContacts:2 → SE162321000032-00D1 current"
    )
    assert page.errors == []


def test_the_plan_page_shows_what_vp_will_answer_differently(example_site: Path, page: Any) -> None:
    page.goto((example_site / "NTJP-PROD/plan.html").as_uri() + "#impact")
    rows = page.locator("#impact .row")
    assert rows.count() == 17
    kinds = page.locator("#impact .row > .mark").all_inner_texts()
    assert (kinds.count("breaks"), kinds.count("heals"), kinds.count("moves")) == (4, 3, 10)
    broken = rows.filter(has_text="SE2321000032-4KMU")
    assert broken.inner_text() == (
        "breaks SE2321000016-92V4 1177 Vårdguidens e-tjänster → SE2321000032-4KMU Vår VC Katrineholm for "
        "GetCareContacts:2: "
        "works → SE162321000032-00D1 ⟶ VP004 through the HSA tree, SE or *"
    )
    broken.locator("a", has_text="SE2321000032-4KMU").click()
    page.wait_for_url("**/address/SE2321000032-4KMU.html")
    assert page.errors == []

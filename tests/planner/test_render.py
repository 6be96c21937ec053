"""Renderers: exact GitHub annotations, colour on demand, markdown splitting that never loses a line."""

from __future__ import annotations

import re

from tak_gitops.adapters.render import render_github, render_markdown, render_text, short_contract
from tak_gitops.core.comment import split_markdown
from tak_gitops.core.plan import make_plan
from tak_gitops.core.snapshot import Snapshot
from tests.planner import fixtures as fx
from tests.planner.helpers import document


def test_short_contract_names() -> None:
    assert short_contract(fx.GCC2) == "GetCareContacts:2"
    assert short_contract("not-a-namespace") == "not-a-namespace"


def test_github_annotations_locate_errors_and_escape() -> None:
    b = fx.example_builder()
    b.route("region-varmland", fx.COSMIC, fx.PR1, fx.URL_PR1, {fx.TEST0008: None})
    plan = make_plan(fx.desired_state(b), fx.example_snapshot(), env=fx.ENV, config=fx.config(), hsa=fx.example_hsa())
    lines = render_github(document(plan)).splitlines()
    assert lines[0].startswith("::error file=desired/region-varmland/NTJP-PROD.yaml,line=")
    assert ",title=TAKEOVER::(SE2321000065-TEST0008, urn" in lines[0]
    assert lines[1:] == [
        "::notice title=cascade::remove of the authorization on SE2321000032-4KMT "
        '"VG: Sörmland - Vår VC Katrineholm HB" for GetCareContacts:2 '
        "(urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2) cascades to 2 address(es) below it "
        "(acknowledged)",
        "::notice title=cascade::remove of the routing on SE2321000032-4KMT "
        '"VG: Sörmland - Vår VC Katrineholm HB" for GetCareContacts:2 '
        "(urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2) cascades to 2 address(es) below it "
        "(acknowledged)",
    ]
    doc = document(plan)
    doc["errors"][0]["message"] = "50% done\nnext, line"
    assert render_github(doc).splitlines()[0].endswith("::50%25 done%0Anext, line")


def test_text_is_coloured_only_when_asked() -> None:
    doc = document(make_plan(fx.example_desired(), fx.example_snapshot(), env=fx.ENV, config=fx.config()))
    assert "\x1b[" not in render_text(doc, color=False)
    coloured = render_text(doc, color=True)
    assert '  \x1b[31m-\x1b[0m 2 routings of GetCareContacts:2 from SE162321000032-00D1 "Tjänsteplattform"' in coloured
    assert "\x1b[2mhttps://tp.\x1b[0m{\x1b[31mlandstingetsormland\x1b[0m -> \x1b[32mregionsormland\x1b[0m}" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == render_text(doc, color=False)


def _big_plan_markdown() -> str:
    """A plan removing 1,500 routings: far over one comment."""
    las = [f"SE2321000032-9{i:04d}" for i in range(1500)]
    snap = fx.example_snapshot()
    routings = dict(snap.routings)
    for la in las:
        routings[(la, fx.GCC2)] = (fx.TP_SORM, fx.URL_GCC2, fx.P21)
    big = Snapshot.build(
        platform=snap.platform,
        environment=snap.environment,
        snapshot_time=snap.snapshot_time,
        source=snap.source,
        routings=routings.items(),
        authorizations=snap.authorizations,
        logical_addresses={**snap.logical_addresses, **{la: f"VE: unit {la}" for la in las}},
        systems=snap.systems,
        contracts=snap.contracts.values(),
    )
    b = fx.example_builder()
    b.org("region-sormland", acknowledged_cascades=frozenset({fx.KMT}), acknowledged_removals=1504)
    plan = make_plan(fx.desired_state(b), big, env=fx.ENV, config=fx.config(), hsa=fx.example_hsa())
    assert plan.status == "changes"
    return render_markdown(document(plan))


def _balanced(part: str) -> bool:
    fences = sum(1 for line in part.splitlines() if line.strip().startswith("```"))
    return fences % 2 == 0 and part.count("<details") == part.count("</details>")


def test_split_markdown_keeps_every_removal_and_never_breaks_blocks() -> None:
    text = _big_plan_markdown()
    limit = 20000
    parts = split_markdown(text, limit, title="tak-gitops plan NTJP-PROD")
    assert len(parts) > 3
    n = len(parts)
    for i, part in enumerate(parts, start=1):
        assert len(part) <= limit
        assert part.splitlines()[0].startswith(f"**tak-gitops plan NTJP-PROD (part {i}/{n}")
        assert _balanced(part)
    # the 1,500 removed routings are one group; its addresses are folded below it, each exactly once in the parts
    removals = text[text.index("### Removals") : text.index("### Cascades")]
    removal_rows = [line for line in removals.splitlines() if line.startswith("  - <code>SE2321000032-9")]
    assert len(removal_rows) == 1500
    joined = [line for part in parts for line in part.splitlines()]
    for row in removal_rows:
        assert joined.count(row) == 1
    # every part that continues the folded addresses re-opens the <details> before them
    for part in parts:
        lines = part.splitlines()
        for k, line in enumerate(lines):
            if line in removal_rows:
                assert any(x.lstrip().startswith("<details><summary>1500 addresses") for x in lines[:k])
    # nothing else is lost either: the original lines appear in the parts, in order
    assert _subsequence([line for line in text.splitlines() if line.strip()], joined)


def _subsequence(needles: list[str], haystack: list[str]) -> bool:
    it = iter(haystack)
    return all(any(line == h for h in it) for line in needles)


def test_split_markdown_leaves_short_comments_alone_and_never_splits_a_fence() -> None:
    assert split_markdown("short\n", 100) == ["short\n"]
    fence = "```diff\n" + "".join(f"+ line {i}\n" for i in range(200)) + "```\n"
    text = "### A\n\nintro\n\n" + fence + "\n### B\n\nend\n"
    parts = split_markdown(text, 1000)
    assert len(parts) > 1
    assert all(len(p) <= 1000 and _balanced(p) for p in parts)
    joined = [line for p in parts for line in p.splitlines()]
    assert all(joined.count(f"+ line {i}") == 1 for i in range(200))
    assert _subsequence([line for line in text.splitlines() if line.strip()], joined)
    # a fence that fits stays whole in one part
    small = "### A\n\n" + "x" * 900 + "\n\n### B\n\n```\nkeep\ntogether\n```\n"
    assert any("```\nkeep\ntogether\n```" in p for p in split_markdown(small, 600))

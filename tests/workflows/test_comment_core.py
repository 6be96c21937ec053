"""The pure comment logic: splitting, sticky planning, labels, the orders comment."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from tak_gitops.core.comment import (
    ExistingComment,
    StickyMarker,
    StickyPlan,
    label_changes,
    labels_for_plan,
    parse_marker,
    plan_sticky,
    pull_request_labels,
    render_orders_comment,
    split_markdown,
    sticky_parts,
)

from .plans import plan_doc, plan_markdown

SMALL = """## Summary

| action | count |
| --- | --- |
| remove-routing | 2 |

## Removals

- remove-routing SE2321000032-4KMT GCC2
  - cascade: SE2321000032-4KMU
  - cascade: SE2321000032-4KMV
- remove-routing SE162321000032-000N GCC2

<details><summary>Unchanged</summary>

```
line one
line two
line three
```

</details>
"""


def test_a_body_that_fits_is_returned_unchanged() -> None:
    assert split_markdown(SMALL) == [SMALL]


def test_split_cuts_at_sections_keeps_a_removal_with_its_cascade_and_a_details_block_whole() -> None:
    assert split_markdown(SMALL, 170, title="plan") == [
        "**plan (part 1/3)**\n\n## Summary\n\n| action | count |\n| --- | --- |\n| remove-routing | 2 |\n\n",
        "**plan (part 2/3, continued)**\n\n## Removals\n\n- remove-routing SE2321000032-4KMT GCC2\n"
        "  - cascade: SE2321000032-4KMU\n  - cascade: SE2321000032-4KMV\n",
        "**plan (part 3/3, continued)**\n\n- remove-routing SE162321000032-000N GCC2\n\n"
        "<details><summary>Unchanged</summary>\n\n```\nline one\nline two\nline three\n```\n\n</details>\n",
    ]


def test_a_fence_too_large_for_one_part_is_closed_and_reopened_and_a_table_repeats_its_header() -> None:
    body = "```diff\n" + "\n".join(f"+ row {i:03d}" for i in range(40)) + "\n```\n"
    parts = split_markdown(body, 200, title="p")
    assert len(parts) == 3
    for part in parts:
        lines = part.rstrip("\n").split("\n")
        assert lines[2] == "```diff" and lines[-1] == "```"
    assert [x for p in parts for x in p.split("\n") if x.startswith("+")] == [f"+ row {i:03d}" for i in range(40)]
    table = "| a | b |\n| --- | --- |\n" + "\n".join(f"| {i} | x{i} |" for i in range(60)) + "\n"
    parts = split_markdown(table, 200, title="p")
    assert len(parts) > 1
    assert all(p.split("\n")[2:4] == ["| a | b |", "| --- | --- |"] for p in parts)
    rows = [line for p in parts for line in p.split("\n")[4:] if line]
    assert rows == [f"| {i} | x{i} |" for i in range(60)]


def test_byte_budget_applies_as_well_as_the_character_budget() -> None:
    body = "\n".join("- ➖ Sörmland – Vårdcentral Ängelholm 𝄞" for _ in range(200)) + "\n"
    parts = split_markdown(body, 60_000, byte_limit=2_000, title="p")
    assert len(parts) > 1
    assert all(len(p.encode("utf-8")) <= 2_000 for p in parts)
    assert "".join(line + "\n" for p in parts for line in p.split("\n")[2:] if line) == body


def test_a_line_longer_than_a_part_is_cut_by_code_point() -> None:
    body = "å" * 500
    parts = split_markdown(body, 100, title="p")
    assert all(len(p) <= 100 for p in parts)
    assert "".join(p.split("\n", 2)[2] for p in parts) == body


# ---- properties -----------------------------------------------------------------------------------------------

_text = st.text(alphabet=st.sampled_from("abcåäö 𝄞-:`|"), min_size=0, max_size=60)


@st.composite
def markdown_docs(draw: st.DrawFn) -> str:
    blocks: list[str] = []
    for _ in range(draw(st.integers(1, 25))):
        kind = draw(st.sampled_from(["heading", "entry", "fence", "details", "table", "para", "blank"]))
        if kind == "heading":
            blocks.append("## " + draw(_text).replace("`", ""))
        elif kind == "entry":
            kids = draw(st.lists(_text, max_size=4))
            blocks.append("\n".join(["- remove-routing " + draw(_text), *("  - cascade " + k for k in kids)]))
        elif kind == "fence":
            rows = draw(st.lists(_text.map(lambda t: t.replace("`", "")), max_size=30))
            blocks.append("\n".join(["```", *rows, "```"]))
        elif kind == "details":
            rows = draw(st.lists(_text.map(lambda t: "x " + t.replace("`", "").replace("<", "")), max_size=30))
            blocks.append("\n".join(["<details><summary>More</summary>", "", *rows, "", "</details>"]))
        elif kind == "table":
            rows = draw(st.lists(_text.map(lambda t: "| " + t.replace("|", "") + " |"), max_size=30))
            blocks.append("\n".join(["| h |", "| --- |", *rows]))
        elif kind == "para":
            blocks.append(draw(_text).lstrip("-*+#|<` 0123456789") or "p")
        else:
            blocks.append("")
    return "\n".join(blocks) + "\n"


def _content_lines(parts: list[str]) -> list[str]:
    out = []
    for p in parts:
        out.extend(p.split("\n")[2:] if len(parts) > 1 else p.split("\n"))
    return out


@given(markdown_docs(), st.integers(min_value=300, max_value=3_000), st.integers(min_value=600, max_value=6_000))
def test_split_properties(body: str, limit: int, byte_limit: int) -> None:
    parts = split_markdown(body, limit, byte_limit=byte_limit, title="t")
    for part in parts:
        assert len(part) <= limit
        assert len(part.encode("utf-8")) <= byte_limit
        lines = part.split("\n")
        assert sum(1 for x in lines if x.strip() == "```") % 2 == 0, "a code fence left open"
        assert sum(x.count("<details") for x in lines) == sum(x.count("</details>") for x in lines)
    if len(parts) > 1:
        assert [p.split("\n")[0] for p in parts] == [
            f"**t (part 1/{len(parts)})**",
            *(f"**t (part {i}/{len(parts)}, continued)**" for i in range(2, len(parts) + 1)),
        ]
    # Nothing is dropped: every removal and cascade line appears whole, in order.
    wanted = [x for x in body.split("\n") if x.startswith(("- remove-routing", "  - cascade"))]
    got = [x for x in _content_lines(parts) if x.startswith(("- remove-routing", "  - cascade"))]
    assert got == wanted


# ---- sticky comments ------------------------------------------------------------------------------------------


def test_marker_round_trip_and_sticky_parts_carry_labels_on_the_first_part() -> None:
    marker = StickyMarker("NTJP-PROD", 1, 3, ("tak:cascade", "tak:removals"))
    assert marker.render() == "<!-- tak-gitops:plan:NTJP-PROD part=1/3 labels=tak:cascade,tak:removals -->"
    assert parse_marker(marker.render() + "\nbody") == marker
    assert parse_marker("<!-- tak-gitops:plan:NTJP-PROD -->\n") is None
    parts = sticky_parts("NTJP-QA", plan_markdown("NTJP-QA", removals=700), ["tak:removals"])
    assert len(parts) == 3
    assert [parse_marker(p) for p in parts] == [
        StickyMarker("NTJP-QA", 1, 3, ("tak:removals",)),
        StickyMarker("NTJP-QA", 2, 3),
        StickyMarker("NTJP-QA", 3, 3),
    ]
    assert all(len(p) <= 60_000 for p in parts)


def test_plan_sticky_updates_in_place_creates_missing_and_deletes_surplus() -> None:
    a1 = StickyMarker("NTJP-PROD", 1, 2).render() + "\nold 1"
    a2 = StickyMarker("NTJP-PROD", 2, 2).render() + "\nold 2"
    qa = StickyMarker("NTJP-QA", 1, 1).render() + "\nqa"
    existing = [ExistingComment(7, a2), ExistingComment(3, a1), ExistingComment(5, qa), ExistingComment(9, "hi")]
    new = [StickyMarker("NTJP-PROD", 1, 3).render() + "\nn1", "n2", "n3"]
    assert plan_sticky(existing, "NTJP-PROD", new) == StickyPlan(
        update=((3, new[0]), (7, "n2")), unchanged=(), create=("n3",), delete=()
    )
    assert plan_sticky(existing, "NTJP-PROD", [a1]) == StickyPlan(update=(), unchanged=(3,), create=(), delete=(7,))
    assert plan_sticky(existing, "NTJP-TEST", ["x"]) == StickyPlan(update=(), unchanged=(), create=("x",), delete=())


# ---- labels ---------------------------------------------------------------------------------------------------


def test_labels_for_plans() -> None:
    assert labels_for_plan(plan_doc("NTJP-PROD")) == ("tak:no-changes",)
    assert labels_for_plan(plan_doc("NTJP-PROD", adds=2)) == ()
    assert labels_for_plan(plan_doc("NTJP-PROD", removals=1, cascade=True)) == ("tak:cascade", "tak:removals")
    assert labels_for_plan(plan_doc("NTJP-PROD", removals=40, refused=True)) == ("tak:refused", "tak:removals")


def test_pull_request_labels_union_and_no_changes_only_when_every_environment_has_none() -> None:
    assert pull_request_labels({}) == ()
    assert pull_request_labels({"NTJP-QA": ("tak:no-changes",), "NTJP-PROD": ("tak:removals",)}) == ("tak:removals",)
    assert pull_request_labels({"NTJP-QA": ("tak:no-changes",), "NTJP-PROD": ("tak:no-changes",)}) == (
        "tak:no-changes",
    )
    assert label_changes(["bug", "tak:removals", "tak:no-changes"], ["tak:cascade", "tak:removals"]) == (
        ("tak:cascade",),
        ("tak:no-changes",),
    )


def test_orders_comment() -> None:
    records = [
        {"order_id": "b-2", "org": "inera", "wave": 2, "state": "submitted", "ticket": None},
        {"order_id": "a-1", "org": "region-varmland", "wave": 1, "state": "submitted", "ticket": "TSK-12518"},
    ]
    assert render_orders_comment("NTJP-PROD", records, commit="abc123") == (
        "<!-- tak-gitops:orders:NTJP-PROD -->\n"
        "### tak-gitops apply: orders for NTJP-PROD\n"
        "\n"
        "Applied at `abc123`.\n"
        "\n"
        "| order | organisation | wave | state | ticket |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| `a-1` | region-varmland | 1 | submitted | TSK-12518 |\n"
        "| `b-2` | inera | 2 | submitted | – |\n"
        "\n"
        "2 order(s). Their records are in `orders/NTJP-PROD/`; the scheduled check moves them to executed when the "
        "TAK shows them.\n"
    )
    assert re.search("No orders were created", render_orders_comment("NTJP-QA", []))


# ---- drift ----------------------------------------------------------------------------------------------------


def test_drift_report_and_issue_body() -> None:
    from tak_gitops.core.drift import drift_report, render_drift_issue

    ledger = [
        {"order_id": "w1-b", "state": "expired", "submitted_at": "2025-01-02T10:00:00+0100"},
        {"order_id": "w1-a", "state": "diverged", "ticket": "TSK-7"},
        {"order_id": "w1-c", "state": "executed"},
    ]
    report = drift_report("NTJP-PROD", plan_doc("NTJP-PROD", removals=1, adds=2), ledger)
    assert (report.has_drift, report.orders, report.changes) == (True, 1, 3)
    assert render_drift_issue(report, commit="abc") == (
        "<!-- tak-gitops:drift:NTJP-PROD -->\n"
        "## TAK drift in NTJP-PROD\n"
        "\n"
        "The scheduled check at `abc` planned NTJP-PROD against a fresh export with no change to the desired state.\n"
        "\n"
        "| finding | count |\n"
        "| --- | --- |\n"
        "| rows changed outside the repository (changes a plan would order) | 3 |\n"
        "| orders diverged (the TAK shows something else) | 1 |\n"
        "| orders expired (not carried out in time) | 1 |\n"
        "\n"
        "### Orders diverged\n"
        "\n"
        "- `w1-a` (diverged, ticket TSK-7)\n"
        "\n"
        "### Orders expired\n"
        "\n"
        "- `w1-b` (expired, submitted 2025-01-02T10:00:00+0100)\n"
        "\n"
        "Fix it in a pull request: change the desired state to accept what the TAK shows, or re-order what it "
        "should show. This issue is updated by every check and closed when one finds no drift.\n"
    )
    clean = drift_report("NTJP-PROD", plan_doc("NTJP-PROD"), [{"order_id": "x", "state": "executed"}])
    assert not clean.has_drift
    assert render_drift_issue(clean) == (
        "<!-- tak-gitops:drift:NTJP-PROD -->\n## TAK drift in NTJP-PROD\n\nThe last scheduled check found no drift: "
        "the TAK matches the desired state and no order has diverged or expired.\n"
    )
    refused = drift_report("NTJP-PROD", plan_doc("NTJP-PROD", removals=40, refused=True), [])
    body = render_drift_issue(refused, "x" * 70_000)
    assert "### Plan refused\n\n- 40 removals exceed the limit\n" in body
    assert body.endswith(
        "**The plan is too long for this issue; it is attached to the workflow run as an artifact.**\n"
    )
    assert "<details><summary>The plan</summary>\n\n## p\n\n</details>\n" in render_drift_issue(refused, "## p\n")


@given(
    st.lists(st.sampled_from(["NTJP-PROD", "NTJP-QA", None]), max_size=8),
    st.integers(min_value=1, max_value=5),
)
def test_applying_a_sticky_plan_converges(existing_envs: list[str | None], n: int) -> None:
    """After the plan is carried out, the environment's comments are the parts in order, and re-planning is a no-op."""
    comments = {
        i + 1: (StickyMarker(env, 1, 1).render() + f"\nold {i}" if env else f"review {i}")
        for i, env in enumerate(existing_envs)
    }
    parts = [StickyMarker("NTJP-PROD", i, n).render() + f"\nnew {i}" for i in range(1, n + 1)]
    plan = plan_sticky([ExistingComment(k, v) for k, v in comments.items()], "NTJP-PROD", parts)
    next_id = max(comments, default=0)
    for cid, body in plan.update:
        comments[cid] = body
    for body in plan.create:
        next_id += 1
        comments[next_id] = body
    for cid in plan.delete:
        del comments[cid]
    mine = [body for _, body in sorted(comments.items()) if (m := parse_marker(body)) and m.env == "NTJP-PROD"]
    assert mine == parts
    others = [b for b in comments.values() if not ((m := parse_marker(b)) and m.env == "NTJP-PROD")]
    assert len(others) == sum(1 for e in existing_envs if e != "NTJP-PROD")
    again = plan_sticky([ExistingComment(k, v) for k, v in comments.items()], "NTJP-PROD", parts)
    assert (again.update, again.create, again.delete) == ((), (), ())

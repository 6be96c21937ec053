"""The plan a reviewer reads: the sections add up to the tally, names stand beside ids, the changed part of a value
is marked, colour follows NO_COLOR / FORCE_COLOR, and `show` renders a saved plan exactly as `plan` did."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tak_gitops.adapters.render import Footer, color_wanted, render_github, render_markdown, render_text
from tak_gitops.cli import main
from tak_gitops.core.plan import ACTIONS
from tak_gitops.core.review import mark_change, review
from tests.planner.helpers import document
from tests.planner.review_docs import big_doc, example_doc
from tests.planner.test_golden import SCENARIOS

_SECTION_RE = re.compile(r"^(?:### )?(Removals|Changes|Additions) \((\d+)\)$", re.MULTILINE)
_TALLY_RE = re.compile(r"(\d+) to add, (\d+) to change, (\d+) to remove, (\d+) manual steps?")


def _docs() -> dict[str, dict[str, Any]]:
    docs = {name: document(make()) for name, make in SCENARIOS.items()}
    docs["example"] = example_doc()
    docs["5000-changes"] = big_doc()
    return docs


@pytest.fixture(scope="module")
def docs() -> dict[str, dict[str, Any]]:
    return _docs()


def test_sections_add_up_to_the_tally_and_the_summary(docs: dict[str, dict[str, Any]]) -> None:
    for name, doc in docs.items():
        r = review(doc)
        s = doc["summary"]
        tally = r.tally
        assert tally.add == sum(s[a] for a in ACTIONS if a.startswith("add-")), name
        assert tally.change == s["change-routing"], name
        assert tally.remove == s["remove-routing"] + s["remove-authorization"], name
        assert tally.manual == s["manual_steps"], name
        # every distinct change is in exactly one group
        grouped = [m.change for g in r.removals + r.changes + r.additions for m in g.members]
        distinct = {orjson.dumps(c, option=orjson.OPT_SORT_KEYS) for o in doc["orders"] for c in o["changes"]}
        assert len(grouped) == len(distinct) == tally.add + tally.change + tally.remove, name
        # and the rendered headings say the same numbers as the rendered tally line
        for text in (render_text(doc), render_markdown(doc)):
            m = _TALLY_RE.search(text)
            assert m is not None, name
            add, change, remove, manual = map(int, m.groups())
            assert (add, change, remove, manual) == (tally.add, tally.change, tally.remove, tally.manual)
            sections = {k: int(v) for k, v in _SECTION_RE.findall(text)}
            assert sections.get("Additions", 0) == add and sections.get("Changes", 0) == change
            assert sections.get("Removals", 0) == remove
            assert sum(sections.values()) == add + change + remove


def test_identical_changes_are_one_group_with_the_url_change_marked(docs: dict[str, dict[str, Any]]) -> None:
    doc = docs["example"]
    [moves] = review(doc).changes
    assert moves.count == 9 and moves.field_changes[0][0] == "url"
    text = render_text(doc)
    assert (
        "  ~ 9 routings of GetCareContacts:2 to SE162321000032-00D1 \"Tjänsteplattform\"  [W1-2]\n"
        "      url https://tp.{landstingetsormland -> regionsormland}.se/vp/clinicalprocess/logistics/logistics/"
        "GetCareContacts/2/rivtabp21\n"
        '        SE2321000032-1000 "VG: Sörmlands landsting"\n'
    ) in text
    md = render_markdown(doc)
    assert "<code>https://tp.<del>landstingetsormland</del><ins>regionsormland</ins>.se/vp/" in md
    assert "<details><summary>9 addresses</summary>" in md


def test_names_stand_beside_ids_everywhere(docs: dict[str, dict[str, Any]]) -> None:
    doc = docs["example"]
    assert doc["names"]["systems"]["SE162321000156-4H4F"] == "Cosmic"  # organisation.yaml
    assert doc["names"]["addresses"]["SE2321000032-4KMU"] == "Vår VC Katrineholm"  # the HSA file
    assert 'SE162321000156-4H4F "Cosmic"' in render_text(doc)
    assert "<code>SE162321000156-4H4F</code> Cosmic" in render_markdown(doc)
    assert '<abbr title="urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2">GetCareContacts:2' in (
        render_markdown(doc)
    )
    assert 'on SE2321000032-4KMT "VG: Sörmland - Vår VC Katrineholm HB" for GetCareContacts:2' in render_github(doc)


def test_consequences_come_first(docs: dict[str, dict[str, Any]]) -> None:
    text = render_text(docs["example"])
    lines = text.splitlines()
    assert lines[2:5] == [
        "! Removes 2 routings of region-sormland (GetCareContacts:2)",
        "! Removes 2 authorizations of region-sormland (GetCareContacts:2)",
        '! Cascade: removing the authorization of SE2321000016-92V4 on SE2321000032-4KMT "VG: Sörmland - Vår VC '
        'Katrineholm HB" for GetCareContacts:2 reaches 2 addresses below it (acknowledged)',
    ]
    assert text.index("11 to add, 9 to change, 4 to remove, 2 manual steps") < text.index("Removals (4)")
    assert text.index("Removals (4)") < text.index("Inputs\n  plan     sha256:")


def test_mark_change_widens_to_separators() -> None:
    assert mark_change("https://a.old.se/x", "https://a.new.se/x") == ("https://a.", "old", "new", ".se/x")
    assert mark_change("https://tp.landstingetsormland.se/p", "https://tp.regionsormland.se/p") == (
        "https://tp.",
        "landstingetsormland",
        "regionsormland",
        ".se/p",
    )
    assert mark_change("RIVTABP20", "RIVTABP21") == ("", "RIVTABP20", "RIVTABP21", "")
    assert mark_change("same", "same") == ("same", "", "", "")


@given(st.text(alphabet="ab./:", max_size=12), st.text(alphabet="ab./:", max_size=12))
def test_mark_change_puts_both_values_back_together(old: str, new: str) -> None:
    prefix, was, now, suffix = mark_change(old, new)
    assert prefix + was + suffix == old and prefix + now + suffix == new


def test_colour_follows_no_color_and_force_color() -> None:
    assert color_wanted(True, None, {}) is True
    assert color_wanted(False, None, {}) is False
    assert color_wanted(True, None, {"NO_COLOR": "1"}) is False
    assert color_wanted(False, None, {"FORCE_COLOR": "1"}) is True
    assert color_wanted(True, None, {"NO_COLOR": "1", "FORCE_COLOR": "1"}) is False
    assert color_wanted(False, True, {"NO_COLOR": "1"}) is True  # --color wins
    assert color_wanted(True, False, {"FORCE_COLOR": "1"}) is False


def test_footer_links_the_actions_run() -> None:
    env = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/r", "GITHUB_RUN_ID": "42"}
    assert Footer.from_environment(env).run_url == "https://github.com/o/r/actions/runs/42"
    assert Footer.from_environment({}).run_url is None
    assert Footer.from_environment({**env, "GITHUB_RUN_ID": "42)[x](y"}).run_url is None
    md = render_markdown(example_doc(), footer=Footer.from_environment(env))
    assert "[The CI run that made this plan](https://github.com/o/r/actions/runs/42)." in md
    assert "Merging applies this plan to **NTJP-PROD**" in md


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


PLAN_ARGS = ("--env", "NTJP-PROD", "--export", "examples/ntjp-prod", "--hsa", "examples/hsa/hsacache.xml")


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "github"])
def test_show_renders_a_saved_plan_as_plan_did(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_RUN_ID", raising=False)
    out = tmp_path / "plan.json"
    code, fresh, _ = _cli(capsys, "plan", *PLAN_ARGS, "--allow-stale", "--out", str(out), "--format", fmt)
    assert code == 2
    code, shown, _ = _cli(capsys, "show", str(out), "--format", fmt)
    assert code == 0 and shown == fresh


def test_show_refuses_an_edited_or_broken_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plan.json"
    _cli(capsys, "plan", *PLAN_ARGS, "--allow-stale", "--out", str(out), "--format", "json")
    doc = orjson.loads(out.read_bytes())
    doc["names"]["systems"]["SE162321000156-4H4F"] = "Someone else"
    out.write_bytes(orjson.dumps(doc))
    code, shown, err = _cli(capsys, "show", str(out))
    assert code == 5 and shown == "" and "checksum does not match" in err
    out.write_text("{not json", encoding="utf-8")
    code, _, err = _cli(capsys, "show", str(out))
    assert code == 1 and err.startswith(f"error: {out}: not JSON")


def test_the_readme_quick_start_shows_this_output(capsys: pytest.CaptureFixture[str]) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("It prints (shortened here") :]
    block = block[block.index("```\n") + 4 :]
    block = block[: block.index("\n```")]
    code, out, _ = _cli(capsys, "plan", *PLAN_ARGS, "--allow-stale", "--no-color")
    assert code == 2
    shown = [line for line in block.splitlines() if line.strip() != "..."]
    assert len(shown) >= 10
    lines = out.splitlines()
    position = [lines.index(line) for line in shown]  # every line shown is in the output, in this order
    assert position == sorted(position)

"""Plan comments as GitHub shows them: every comment part rendered with GFM (``cmarkgfm``, GitHub's cmark fork)
and GitHub's markdown stylesheet (npm ``github-markdown-css``, installed by ``.ci/run``) in headless Chromium at
900 px. Nothing may scroll sideways, the banner must be in the first 600 px, and each part is screenshotted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from tak_gitops.adapters.render import render_markdown
from tak_gitops.core.comment import labels_for_plan, sticky_parts
from tests.browser_support import ROOT, artifact_dir
from tests.planner.review_docs import big_doc, example_doc

CSS = ROOT / ".tak-gitops" / "npm" / "node_modules" / "github-markdown-css" / "github-markdown-light.css"

# Every element that can be wider than the comment column; <details> are opened before measuring.
_OVERFLOW_JS = """() => {
  document.querySelectorAll('details').forEach(d => d.open = true);
  const out = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) out.push('page ' + root.scrollWidth + ' > ' + root.clientWidth);
  for (const el of document.querySelectorAll('.markdown-body, .markdown-body *')) {
    const kinds = ['TABLE', 'PRE', 'P', 'LI', 'UL', 'OL', 'BLOCKQUOTE', 'DETAILS', 'DIV', 'H2', 'H3'];
    if (!kinds.includes(el.tagName)) continue;
    if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0)
      out.push(el.tagName + ' ' + el.scrollWidth + ' > ' + el.clientWidth + ': ' + el.textContent.slice(0, 80));
  }
  return out;
}"""


def _html(markdown: str) -> str:
    if not CSS.is_file():
        pytest.fail(
            f"GitHub's markdown stylesheet is missing ({CSS}): npm install --prefix .tak-gitops/npm "
            "github-markdown-css@5 (as .ci/run does)",
            pytrace=False,
        )
    body = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    # GitHub's comment body: the stylesheet's .markdown-body with the padding of a comment box.
    return (
        "<!doctype html><html><head><meta charset='utf-8'><style>"
        + CSS.read_text(encoding="utf-8")
        + "body{margin:0} .markdown-body{box-sizing:border-box;max-width:900px;padding:16px;}"
        "</style></head><body><article class='markdown-body'>" + body + "</article></body></html>"
    )


def _check_parts(page: Any, name: str, doc: dict[str, Any]) -> list[Path]:  # noqa: F811
    parts = sticky_parts(doc["environment"], render_markdown(doc), labels_for_plan(doc))
    shots = []
    out = artifact_dir("comments", name)
    for old in out.glob("part-*.png"):
        old.unlink()
    for i, part in enumerate(parts, start=1):
        page.set_content(_html(part))
        if i == 1:
            banner = page.locator("blockquote").first
            assert banner.count() == 1
            box = banner.bounding_box()
            assert box is not None and box["y"] + box["height"] <= 600, f"{name}: the banner ends at {box}"
        shot = out / f"part-{i}.png"
        page.screenshot(path=str(shot), full_page=True)
        shots.append(shot)
        overflow = page.evaluate(_OVERFLOW_JS)
        assert overflow == [], f"{name} part {i} scrolls sideways: {overflow[:5]}"
    assert page.errors == []
    return shots


def test_example_comment_fits_githubs_column(page: Any) -> None:  # noqa: F811
    shots = _check_parts(page, "example", example_doc())
    assert len(shots) == 1 and shots[0].stat().st_size > 10_000


def test_5000_change_comment_fits_githubs_column(page: Any) -> None:  # noqa: F811
    shots = _check_parts(page, "5000-changes", big_doc())
    assert len(shots) >= 2

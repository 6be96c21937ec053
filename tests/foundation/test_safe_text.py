"""Foreign text made harmless: exact escapes for a terminal, markdown and GitHub annotations, and the
repository's file-access policy on files a corpus case cannot hold (a device, a file larger than it says)."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tak_gitops.adapters.file_access import read_file
from tak_gitops.core.safe_text import (
    CONTROL_IN_CSV,
    CONTROL_IN_VALUE,
    csv_controls_possible,
    for_annotation,
    for_annotation_property,
    for_code_span,
    for_markdown,
    for_terminal,
)

ZWSP = "\u200b"


def test_for_terminal_writes_controls_as_visible_escapes() -> None:
    assert (
        for_terminal("Evil\x00name\x1b[31m red\u202eevil\x9b\x7f") == "Evil\\x00name\\x1b[31m red\\u202eevil\\x9b\\x7f"
    )
    assert for_terminal("tab\tand\nnewline stay") == "tab\tand\nnewline stay"


def test_for_markdown_breaks_mentions_links_html_and_table_cells() -> None:
    assert for_markdown("@org/everyone please look") == f"@{ZWSP}org/everyone please look"
    assert for_markdown("[click](https://evil.example)") == "\\[click\\](https://evil.example)"
    assert for_markdown("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)>"
    assert for_markdown("a | b\nc") == "a \\| b c"
    assert for_markdown("# not a heading") == "\\# not a heading"
    assert for_markdown("- not a list") == "\\- not a list"
    assert for_markdown("1. not a list") == "1\\. not a list"
    assert for_markdown("path\\to") == "path\\\\to"
    assert for_markdown("ESC \x1b[2J") == "ESC \\\\x1b\\[2J"


def test_for_markdown_keeps_code_spans_but_not_their_pipes() -> None:
    assert for_markdown("write `acknowledge: {cascades: [X]}` in a|b") == (
        "write `acknowledge: {cascades: [X]}` in a\\|b"
    )
    assert for_markdown("`a|b` @x") == f"`a\\|b` @{ZWSP}x"


def test_for_code_span_and_annotations() -> None:
    assert for_code_span("a`b|c\nd") == "a\u02cbb\u2223c d"
    assert for_annotation("50% done\r\nnext\x1b") == "50%25 done\\x0d%0Anext\\x1b"  # a CR is shown, not kept
    assert for_annotation_property("desired/a:b,c.yaml") == "desired/a%3Ab%2Cc.yaml"


@given(st.text())
def test_escaped_text_holds_no_control_character(text: str) -> None:
    for escaped in (for_terminal(text), for_markdown(text), for_annotation(text), for_code_span(text)):
        assert CONTROL_IN_VALUE.search(escaped) is None
    assert "\n" not in for_markdown(text) and "\r" not in for_markdown(text)
    assert "\n" not in for_annotation(text) and "\r" not in for_annotation(text)


def test_a_device_is_refused_not_read() -> None:
    data, problem = read_file(Path("/dev/zero"), "zero")
    assert data is None and problem is not None
    assert (problem.code, problem.line, problem.col) == ("TG111", 0, 0)
    assert problem.message.startswith("a device, not read:")


def test_a_file_that_says_it_is_empty_is_read_only_up_to_the_cap(tmp_path: Path) -> None:
    # /proc files report size 0 and then give more: the cap holds whatever the size says
    data, problem = read_file(Path("/proc/self/status"), "status", max_bytes=64)
    assert data is None and problem is not None and problem.code == "TG102"
    small = tmp_path / "small.yaml"
    small.write_bytes(b"a: 1\n")
    assert read_file(small, "small.yaml", root=tmp_path) == (b"a: 1\n", None)


def test_no_path_leaves_the_root(tmp_path: Path) -> None:
    inside = tmp_path / "repo"
    inside.mkdir()
    (tmp_path / "secret").write_text("x", encoding="utf-8")
    data, problem = read_file(inside / ".." / "secret", "../secret", root=inside)
    assert data is None and problem is not None and problem.code == "TG111"
    assert "a path outside the repository" in problem.message
    os.symlink(tmp_path, inside / "up")
    data, problem = read_file(inside / "up" / "secret", "up/secret", root=inside)
    assert data is None and problem is not None
    assert (problem.path, problem.code) == ("up", "TG111")


@given(st.text(alphabet=st.sampled_from(list("a;\r\n\t\x00\x1b\u202e\x85 ")), max_size=40))
def test_the_fast_csv_check_agrees_with_the_pattern(text: str) -> None:
    assert csv_controls_possible(text) == (CONTROL_IN_CSV.search(text) is not None)

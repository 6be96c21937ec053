"""The YAML loader: positions, scalar types, and every refusal as a diagnostic (never an exception)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tak_gitops.adapters.yaml_loader import MAX_ALIAS_NODES, load_yaml_file, load_yaml_text
from tak_gitops.core.nodes import Node


def diag_lines(text: str) -> list[str]:
    return [str(d) for d in load_yaml_text(text, "f.yaml")[1]]


def test_positions_and_scalars() -> None:
    root, problems = load_yaml_text(
        "a: text\nb: 12\nc: 2025-12-08\nd: true\ne: ~\nf: 1.5\ng: '+4654619135'\nh: [x, {y: 1}]\n", "f.yaml"
    )
    assert problems == []
    assert root is not None
    assert root.to_python() == {
        "a": "text",
        "b": 12,
        "c": dt.date(2025, 12, 8),
        "d": True,
        "e": None,
        "f": 1.5,
        "g": "+4654619135",
        "h": ["x", {"y": 1}],
    }
    h = root.get("h")
    assert h is not None and (h.line, h.col) == (8, 4)
    y = h.seq()[1].get("y")
    assert y is not None and (y.path, y.line, y.col) == ("f.yaml", 8, 12)
    key = root.key_node("c")
    assert key is not None and (key.line, key.col) == (3, 1)


def test_empty_document_is_an_empty_mapping() -> None:
    assert load_yaml_text("# nothing\n", "f.yaml") == (Node("map", {}, "f.yaml", 1, 1), [])


def test_syntax_error_has_line_and_column() -> None:
    assert diag_lines("a: [1, 2\nb: 3\n") == [
        "f.yaml:2:2: TG100 did not find expected ',' or ']' (while parsing a flow sequence)"
    ]


def test_duplicate_keys_are_all_reported() -> None:
    assert diag_lines("a: 1\nb: 2\na: 3\nb: 4\n") == [
        "f.yaml:3:1: TG104 duplicate key 'a' (first at line 1, column 1)",
        "f.yaml:4:1: TG104 duplicate key 'b' (first at line 2, column 1)",
    ]


def test_aliases_within_the_bound_are_expanded() -> None:
    root, problems = load_yaml_text("a: &x [1, 2]\nb: *x\n", "f.yaml")
    assert problems == []
    assert root is not None and root.to_python() == {"a": [1, 2], "b": [1, 2]}


def test_billion_laughs_is_refused() -> None:
    levels = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 9)]
    root, problems = load_yaml_text("\n".join(levels) + "\n", "f.yaml")
    assert root is None
    assert [d.code for d in problems] == ["TG103"]
    assert f"more than {MAX_ALIAS_NODES} nodes" in problems[0].message


def test_file_size_bound(tmp_path: Path) -> None:
    file = tmp_path / "big.yaml"
    file.write_text("a: " + "x" * 200 + "\n", encoding="utf-8")
    root, problems = load_yaml_file(file, "big.yaml", max_bytes=100)
    assert root is None
    assert [str(d) for d in problems] == [
        "big.yaml:0:0: TG102 the file is 204 bytes; the limit is 100 bytes (move long address lists to CSV sets)"
    ]


def test_utf8_bom_is_accepted_and_latin1_is_refused(tmp_path: Path) -> None:
    good = tmp_path / "bom.yaml"
    good.write_bytes("\ufeffname: Värmland\n".encode())
    root, problems = load_yaml_file(good, "bom.yaml")
    assert problems == [] and root is not None and root.to_python() == {"name": "Värmland"}
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("a: 1\nname: V\xe4rmland\n".encode("latin-1"))
    root, problems = load_yaml_file(bad, "latin1.yaml")
    assert root is None
    assert [str(d) for d in problems] == [
        "latin1.yaml:2:8: TG101 the file is not valid UTF-8 (byte 0xe4); save it as UTF-8"
    ]


def test_unreadable_file(tmp_path: Path) -> None:
    root, problems = load_yaml_file(tmp_path / "missing.yaml", "missing.yaml")
    assert root is None
    assert [d.code for d in problems] == ["TG108"]


def test_refused_features() -> None:
    assert diag_lines("? [1]\n: 2\n<<: {a: 1}\nb: !secret x\n") == [
        "f.yaml:1:3: TG109 a mapping key must be a plain value, not a list or mapping",
        "f.yaml:3:1: TG109 merge keys ('<<') are not allowed in desired files",
        "f.yaml:4:4: TG109 YAML tag '!secret' is not allowed in desired files",
    ]


@given(st.text(max_size=200))
def test_any_text_gives_nodes_or_diagnostics_never_an_exception(text: str) -> None:
    root, problems = load_yaml_text(text, "f.yaml")
    assert root is not None or problems

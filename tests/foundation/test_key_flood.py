"""A flood of unknown top-level keys is refused from the parser's events, before the document is composed
(``yaml_guards.structure_problems``), with exactly the diagnostics the composed document's shape check gives."""

from __future__ import annotations

from hypothesis import event, given
from hypothesis import strategies as st

from tak_gitops.adapters.yaml_guards import MAX_DEPTH, structure_problems
from tak_gitops.adapters.yaml_loader import load_yaml_text
from tak_gitops.core import codes
from tak_gitops.core.desired_model import EnvironmentFile
from tak_gitops.core.validate.diagnostics import summary
from tak_gitops.core.validate.shape import top_level_keys, unknown_key_message
from tak_gitops.errors import Diagnostic

ALLOWED = top_level_keys(EnvironmentFile)
PATH = "desired/alpha/NTJP-PROD.yaml"


def shown(diagnostics: list[Diagnostic] | None) -> list[str] | None:
    if diagnostics is None:
        return None
    return [f"{d.line}:{d.col} {d.code} {d.message}" for d in diagnostics]


def test_a_flood_is_listed_up_to_the_cap_and_counted() -> None:
    text = (
        "comment: x\n"
        "comemnt: y\n"  # a typo: listed with its suggestion
        "k1: {a: [1, 2]}\n"
        "k2:\n  - nested:\n      deeper: [x, y]\n"
        "producers: []\n"
        "k1: again\n"  # a duplicate: TG104, and not counted twice
        "'k3': &anchor v\n"
        "k4: *anchor\n"
        "k5: |\n  block text\n  k6: not a key\n"
        + "".join(f"e{i}: {i}\n" for i in range(6))  # more lines at column 1 than the schema has keys
    )
    assert shown(structure_problems(text, PATH, ALLOWED, 2)) == [
        "2:1 TG106 unknown key 'comemnt' (did you mean 'comment'?)",
        "3:1 TG106 unknown key 'k1'",
        "4:1 TG106 10 more unknown keys in this file",
        "8:1 TG104 duplicate key 'k1' (first at line 3, column 1)",
    ]


def test_within_the_cap_or_not_a_mapping_or_not_yaml_nothing_is_refused() -> None:
    assert structure_problems("comment: x\nk1: 1\nk2: 2\nk3: 3\nk4: 4\n", PATH, ALLOWED, 4) is None
    assert structure_problems("- a\n- b\n" * 50, PATH, ALLOWED, 2) is None
    assert structure_problems("a: 1\nb: 2\nc: 3\n[unclosed\nd: 4\n" * 10, PATH, ALLOWED, 2) is None
    few_lines = "{" + ", ".join(f"k{i}: 1" for i in range(100)) + "}\n"  # one line: composed and checked as usual
    assert structure_problems(few_lines, PATH, ALLOWED, 2) is None


KEYS = st.one_of(
    st.sampled_from([*ALLOWED[:4], "k1", "x y", "1", "true", "'q'", '"k1"', "null"]),
    st.from_regex(r"k[0-9]{1,3}", fullmatch=True),
)
VALUES = st.sampled_from(
    [
        " 1",
        " text",
        " [a, {b: [c]}]",
        " {a: 1, b: [2, 3]}",
        "\n  - a\n  - {b: c}\n",
        "\n  inner: 1\n  more: [x]\n",
        " *a",
        " |\n  k1: inside a block scalar\n",
        " ''",
        " ~",
    ]
)


@given(st.lists(st.tuples(KEYS, VALUES), min_size=10, max_size=60), st.integers(0, 4))
def test_the_flood_scan_agrees_with_the_composed_document(entries: list[tuple[str, str]], listed: int) -> None:
    text = "anchor: &a v\n" + "".join(
        f"{key}:{value}" + ("" if value.endswith("\n") else "\n") for key, value in entries
    )
    root, problems = load_yaml_text(text, PATH)
    if root is None:
        event("not a document")
        return  # not a document: composing reports it, and so the scan leaves it alone
    found = structure_problems(text, PATH, ALLOWED, listed)
    unknown = [(key, k.line, k.col) for key, (k, _v) in root.value.items() if key not in ALLOWED]
    if len(unknown) <= listed:
        event("within the cap")
        assert found is None
        return
    lines = sum(1 for line in text.splitlines() if line[:1] not in ("", " ", "#", "-"))
    if lines <= len(ALLOWED) + listed:
        event("too few lines")
        assert found is None  # too few lines for a flood: the shape check lists them
        return
    expected = [Diagnostic(PATH, ln, col, codes.UNKNOWN_KEY, unknown_key_message(k, ALLOWED)) for k, ln, col in unknown]
    expected[listed:] = [
        Diagnostic(PATH, *unknown[listed][1:], codes.UNKNOWN_KEY, summary(len(unknown) - listed, codes.UNKNOWN_KEY))
    ]
    duplicates = [p for p in problems if p.code == codes.DUPLICATE_KEY]
    if len(duplicates) > listed:
        rest = duplicates[listed]
        duplicates[listed:] = [
            Diagnostic(PATH, rest.line, rest.col, rest.code, summary(len(duplicates) - listed, rest.code))
        ]
    event("a flood")
    assert shown(found) == shown(expected + duplicates)


def test_a_second_document_is_left_to_the_composer() -> None:
    text = "comment: x\n---\n" + "".join(f"k{i}: 1\n" for i in range(40))
    assert structure_problems(text, PATH, ALLOWED, 2) is None
    assert load_yaml_text(text, PATH)[1][0].code == codes.UNSUPPORTED_YAML


def test_the_depth_of_a_second_document_is_settled_before_the_composer_sees_it() -> None:
    text = "comment: x\n" + "".join(f"k{i}: 1\n" for i in range(40)) + "---\n" + "[" * 100_000 + "]" * 100_000 + "\n"
    found = structure_problems(text, PATH, ALLOWED, 2)
    assert found is not None and [(d.line, d.col, d.code) for d in found] == [(43, 65, codes.NESTING_TOO_DEEP)]


def test_a_flood_in_a_file_whose_depth_is_scanned_is_still_refused() -> None:
    """Many flow collections make the depth bound too loose to skip the scan: the flood must still be found in
    the same pass (it was once dropped at the end of the document, and the flood composed: 3.6 s for the
    corpus case ``unknown-keys-flood-nested-values``)."""
    text = "comment: x\n" + "".join(f"k{i}: [{{a: [1, {{b: c}}]}}]\n" for i in range(40))
    assert text.count("[") + text.count("{") > MAX_DEPTH  # the depth is scanned
    found = structure_problems(text, PATH, ALLOWED, 2)
    assert found is not None and [d.code for d in found] == [codes.UNKNOWN_KEY] * 3
    # and with a second document after it, the composer's refusal is what is reported
    assert structure_problems(text + "---\nother: 1\n", PATH, ALLOWED, 2) is None

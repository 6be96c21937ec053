"""The fast paths of the loaders give exactly what the straightforward code gives."""

from __future__ import annotations

import csv
import gc
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest.mock import patch

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from tak_gitops.adapters.csv_sets import _simple_csv_rows, parse_csv
from tak_gitops.adapters.hsafile import _DnKeys, split_dn
from tak_gitops.adapters.snapshot_file import encode_snapshot, read_snapshot
from tak_gitops.adapters.sources import FREEZE_AFTER_OBJECTS, gc_paused
from tak_gitops.adapters.yaml_guards import control_problems
from tak_gitops.adapters.yaml_loader import _Walker, load_yaml_text
from tak_gitops.core import codes
from tak_gitops.core.config import EnvironmentConfig, OwnershipRegistry, ProjectConfig, TakApiTarget
from tak_gitops.core.desired import Address
from tak_gitops.core.nodes import Node
from tak_gitops.core.safe_text import CONTROL_IN_CSV
from tak_gitops.core.snapshot import Contract, Snapshot
from tak_gitops.core.validate import CsvRow, CsvSet, OrgInput, _Validator, validate_desired
from tak_gitops.errors import Diagnostic, SourceError


def reference_parse_csv(text: str, path: str) -> tuple[CsvSet, list[Diagnostic]]:
    """The CSV parser as first written: every line through the csv module (after the control-character
    rule, which refuses the whole text)."""
    controls = control_problems(text, path, CONTROL_IN_CSV)
    if controls:
        return CsvSet(path, ()), controls
    rows: list[CsvRow] = []
    problems: list[Diagnostic] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True)
    first_data = True
    try:
        for fields in reader:
            line = reader.line_num
            if not fields or all(not f.strip() for f in fields) or fields[0].lstrip().startswith("#"):
                continue
            cells = [f.strip() for f in fields]
            if first_data and cells[0].lower() in ("hsa-id", "hsa_id", "hsaid"):
                first_data = False
                continue
            first_data = False
            if len(cells) < 2 or len(cells) > 4:
                problems.append(
                    Diagnostic(
                        path,
                        line,
                        1,
                        codes.CSV_MALFORMED,
                        f"expected hsa-id;name[;kind;vg] (2 to 4 fields separated by ';'), found {len(cells)}",
                    )
                )
                continue
            kind = cells[2].upper() if len(cells) > 2 and cells[2] else None
            if kind is not None and kind not in ("VG", "VE"):
                col = len(fields[0]) + len(fields[1]) + 3
                problems.append(
                    Diagnostic(path, line, col, codes.CSV_MALFORMED, f"kind must be VG or VE, not {cells[2]!r}")
                )
                continue
            vg = cells[3] if len(cells) > 3 and cells[3] else None
            col_vg = len(fields[0]) + len(fields[1]) + len(fields[2]) + 4 if vg else 0
            rows.append(CsvRow(cells[0], cells[1] or None, kind, vg, line, col_vg))
    except csv.Error as exc:
        problems.append(Diagnostic(path, reader.line_num, 1, codes.CSV_MALFORMED, f"malformed CSV: {exc}"))
    return CsvSet(path, tuple(rows)), problems


LINE = st.lists(st.text(alphabet=st.sampled_from(list("SE1-AB xVGEve#\t")), max_size=8), min_size=0, max_size=5).map(
    ";".join
)


@given(st.lists(LINE, max_size=8), st.sampled_from(["", "\n"]))
def test_plain_csv_parses_as_the_csv_module_does(lines: list[str], end: str) -> None:
    text = "\n".join(lines) + end
    assert parse_csv(text, "a.csv") == reference_parse_csv(text, "a.csv")


@given(st.text(alphabet=st.sampled_from(list('SE1-AB;"\n\r #\x00xVGE\t')), max_size=80))
def test_any_csv_parses_as_the_csv_module_does(text: str) -> None:
    assert parse_csv(text, "a.csv") == reference_parse_csv(text, "a.csv")


SIMPLE_LINE = st.tuples(
    st.text(alphabet=st.sampled_from(list("SE1-Ab# ")), max_size=6),
    st.text(alphabet=st.sampled_from(list("VG: Ab#-\u00a0")), max_size=6),
).map(";".join)


@given(
    st.sampled_from(["", "hsa-id;name\n", "HSA_ID ; name;kind;vg\n", "hsaid\n", "SE1-A\n"]),
    st.lists(SIMPLE_LINE, max_size=8),
    st.sampled_from(["", "\n"]),
)
def test_simple_csv_parses_as_the_csv_module_does(header: str, lines: list[str], end: str) -> None:
    text = header + "\n".join(lines) + end
    assert parse_csv(text, "a.csv") == reference_parse_csv(text, "a.csv")


def test_a_simple_csv_set_is_split_a_column_at_a_time() -> None:
    text = "hsa-id;name\nSE1-A;VE: A\nSE1-B;\n"
    assert _simple_csv_rows(text) == [CsvRow("SE1-A", "VE: A", None, None, 2, 0), CsvRow("SE1-B", None, None, None, 3)]
    assert parse_csv(text, "a.csv") == reference_parse_csv(text, "a.csv")
    assert [_simple_csv_rows(t) for t in ("SE1-A;A\n\n", "# x\nSE1-A;A", "SE1-A ;A", "SE1-A;A;VE", ";A")] == [None] * 5


def test_header_comments_and_blank_lines() -> None:
    text = "# sets\n\nHSA-id;name\n SE1-A ; A \nSE1-B;B;ve;SE1-VG\nSE1-C\n"
    assert parse_csv(text, "a.csv") == reference_parse_csv(text, "a.csv")
    parsed, problems = parse_csv(text, "a.csv")
    assert parsed.rows == (CsvRow("SE1-A", "A", None, None, 4, 0), CsvRow("SE1-B", "B", "VE", "SE1-VG", 5, 12))
    assert [str(d) for d in problems] == [
        "a.csv:6:1: TG110 expected hsa-id;name[;kind;vg] (2 to 4 fields separated by ';'), found 1"
    ]


DN_PART = st.text(alphabet=st.sampled_from(list("aB =,\\Öx")), max_size=6)


@given(st.lists(DN_PART, min_size=1, max_size=5).map(",".join))
def test_dn_keys_are_split_dn(dn: str) -> None:
    keys = _DnKeys()
    assert keys(dn) == tuple(split_dn(dn)) == tuple(reference_split_dn(dn))
    assert keys(dn) == tuple(split_dn(dn))  # from the RDN cache the second time


def reference_split_dn(dn: str) -> list[str]:
    """split_dn as first written: one character at a time."""
    parts: list[str] = []
    current: list[str] = []
    escaped = False
    for ch in dn:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            current.append(ch)
            escaped = True
        elif ch == ",":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    out = []
    for rdn in parts:
        attr, sep, value = rdn.partition("=")
        out.append(f"{attr.strip().lower()}{sep}{value.strip().casefold()}")
    return out


def _small_snapshot() -> Snapshot:
    return Snapshot(
        platform="NTJP",
        environment="PROD",
        snapshot_time=None,
        source="test",
        routings={("SE1-A", "urn:riv:a:AResponder:1"): ("SE1-P", "https://p.example.se/a", "RIVTABP21")},
        authorizations=frozenset(
            {("SE1-C", "SE1-A", "urn:riv:a:AResponder:1"), ("SE1-C", "*", "urn:riv:a:AResponder:1")}
        ),
        logical_addresses={"SE1-A": "VE: A"},
        systems={"SE1-P": "P", "SE1-C": "C"},
        contracts={"urn:riv:a:AResponder:1": Contract("urn:riv:a:AResponder:1", "A", 1, 0)},
    )


def _damaged(tmp_path: Path, edit: Callable[[dict[str, Any]], None]) -> str:
    doc = orjson.loads(encode_snapshot(_small_snapshot()))
    edit(doc)
    p = tmp_path / "s.json"
    p.write_bytes(orjson.dumps(doc))
    with pytest.raises(SourceError) as exc:
        read_snapshot(p)
    return str(exc.value).removeprefix(f"{p}: ")


def test_snapshot_rows_read_fast_are_the_rows(tmp_path: Path) -> None:
    p = tmp_path / "s.json"
    p.write_bytes(encode_snapshot(_small_snapshot()))
    assert read_snapshot(p) == _small_snapshot()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda d: d["authorizations"].__setitem__(0, -1),
            "'authorizations' refers to a string index outside the string table",
        ),
        (
            lambda d: d.update(authorizations=d["authorizations"][:3] * 2),
            "'authorizations' rows are not in canonical (sorted, unique) order",
        ),
        (
            lambda d: d["routings"].__setitem__(0, 1.0),
            "damaged snapshot file: TypeError: list indices must be integers or slices, not float",
        ),
        (
            lambda d: d["systems"].__setitem__(0, "x"),
            "damaged snapshot file: TypeError: '<' not supported between instances of 'int' and 'str'",
        ),
    ],
)
def test_damaged_rows_are_reported_as_before(
    tmp_path: Path, edit: Callable[[dict[str, Any]], None], message: str
) -> None:
    assert _damaged(tmp_path, edit) == message


def _compose_plain(text: str) -> Node | None:
    """A document composed with ruamel's own resolver (the per-scalar version lookup)."""
    yaml = YAML(typ="safe", pure=False)
    composed = yaml.compose(text)
    return None if composed is None else _Walker("a.yaml").walk(composed)


@pytest.mark.parametrize(
    "text",
    [
        "a: yes\nb: 1_000\nc: 0x1f\nd: 2025-12-08\ne: ~\nf: .inf\ng: '1'\nh: [on, off, 1.5e3]\n",
        "%YAML 1.1\n---\na: yes\nb: 0b101\nc: 1:20\n",
        "%YAML 1.2\n---\na: yes\nb: 0o17\nc: 2001-12-14t21:59:43.10-05:00\n",
        "- {set: units}\n- SE2321000016-A1\n- '*'\n",
    ],
)
def test_yaml_scalars_resolve_as_with_ruamels_resolver(text: str) -> None:
    assert load_yaml_text(text, "a.yaml")[0] == _compose_plain(text)


SMALL_CONFIG = ProjectConfig(
    environments={
        "NTJP-PROD": EnvironmentConfig(plattform="NTJP-PROD", tak_api=TakApiTarget(platform="NTJP", environment="PROD"))
    }
)
SMALL_REGISTRY = OwnershipRegistry.model_validate(
    {"organisations": {"org-a": {"name": "A", "number": "1", "systems": ["SE1-PA"]}}}
)
CSV_ID = st.sampled_from(["SE9-LA1", "se9-la1", "SE9-LA2", "SE9-LA3", "SE9 LA4", "", "SE9-LA5\nX", "*"])
CSV_ROW = st.tuples(
    CSV_ID,
    st.sampled_from([None, "VG: One", "VE: Two", "Other"]),
    st.sampled_from([None, "VG", "VE"]),
    st.sampled_from([None, None, None, "SE9-VG1", "SE9 VG"]),
)


def _csv_org(sets: list[list[tuple[str, str | None, str | None, str | None]]]) -> OrgInput:
    org_yaml = "systems:\n  - {hsa_id: SE1-PA, name: P, environments: [NTJP-PROD]}\naddress_sets:\n" + "".join(
        f"  s{i}: {{csv: s{i}.csv}}\n" for i in range(len(sets))
    )
    root, problems = load_yaml_text(org_yaml, "desired/org-a/organisation.yaml")
    assert problems == []
    csv_sets = {
        f"s{i}.csv": CsvSet(
            f"desired/org-a/s{i}.csv",
            tuple(CsvRow(h, n, k, vg, line, 20 if vg else 0) for line, (h, n, k, vg) in enumerate(rows, start=2)),
        )
        for i, rows in enumerate(sets)
    }
    return OrgInput("org-a", "desired/org-a", "desired/org-a/organisation.yaml", root, csv_sets=csv_sets)


@given(st.lists(st.lists(CSV_ROW, max_size=6), min_size=1, max_size=3))
def test_csv_sets_checked_by_column_as_row_by_row(
    sets: list[list[tuple[str, str | None, str | None, str | None]]],
) -> None:
    org = _csv_org(sets)
    fast_state, fast_diagnostics = validate_desired(SMALL_CONFIG, SMALL_REGISTRY, [org])
    with patch.object(_Validator, "_plain_csv_set", lambda self, parsed: None):
        slow_state, slow_diagnostics = validate_desired(SMALL_CONFIG, SMALL_REGISTRY, [org])
    assert fast_diagnostics == slow_diagnostics
    assert fast_state.addresses == slow_state.addresses
    assert fast_state.digest("NTJP-PROD") == slow_state.digest("NTJP-PROD")


def test_a_plain_csv_set_takes_the_column_path() -> None:
    plain = CsvSet("a.csv", (CsvRow("se9-la1", "VE: One", "VE", None, 2), CsvRow("SE9-LA2", None, None, None, 3)))
    validator = _Validator(SMALL_CONFIG, SMALL_REGISTRY)
    assert validator._plain_csv_set(plain) == ("SE9-LA1", "SE9-LA2")
    assert validator.addresses == {
        "SE9-LA1": Address("SE9-LA1", "VE: One", "VE", None),
        "SE9-LA2": Address("SE9-LA2", None, None, None),
    }
    with_vg = CsvSet("b.csv", (CsvRow("SE9-LA3", "x", None, "SE9-VG", 2, 12),))
    twice = CsvSet("c.csv", (CsvRow("SE9-LA3", "x", None, None, 2), CsvRow("se9-la3", "x", None, None, 3)))
    bad = CsvSet("d.csv", (CsvRow("SE9 LA3", "x", None, None, 2),))
    assert [validator._plain_csv_set(c) for c in (with_vg, twice, bad, CsvSet("e.csv", ()))] == [None] * 4


def test_gc_paused_pauses_the_collector_and_freezes_only_national_scale_data() -> None:
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    with gc_paused():
        assert not gc.isenabled()
        small = [(i,) for i in range(1000)]
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    try:
        with gc_paused():
            large = [(i, str(i)) for i in range(2 * FREEZE_AFTER_OBJECTS)]
        assert gc.isenabled() and gc.get_freeze_count() >= frozen + 2 * FREEZE_AFTER_OBJECTS
    finally:
        gc.unfreeze()
    assert len(small) + len(large) == 1000 + 2 * FREEZE_AFTER_OBJECTS

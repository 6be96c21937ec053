"""Fuzzing of every reader of pull-request and TAK input: the YAML loader, the CSV reader and the export readers
get generated and mutated inputs, and every outcome is a result or a project error, never another exception
(and never a crash: the inputs include deep nesting, control characters, huge counts and broken gzip)."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tak_gitops.adapters.desired_loader import parse_csv
from tak_gitops.adapters.sources import read_source
from tak_gitops.adapters.sources.jsonfile import gunzip
from tak_gitops.adapters.yaml_guards import MAX_DEPTH
from tak_gitops.adapters.yaml_loader import load_yaml_text
from tak_gitops.core.nodes import Node
from tak_gitops.core.snapshot import Snapshot
from tak_gitops.errors import SourceError
from tests.conftest import ROOT

BASE = ROOT / "tests" / "bad_inputs" / "_base"
SEEDS_YAML = [p.read_text(encoding="utf-8") for p in sorted(BASE.rglob("*.yaml"))]
SEED_CSV = (BASE / "desired" / "alpha" / "addresses" / "clinics.csv").read_text(encoding="utf-8")
SEED_PV = (ROOT / "examples" / "ntjp-prod-pubversion.json").read_bytes()
YAML_CHARS = list("ab:-[]{},&*!|>'\"#?%@`\n\t \\0.\x1b\u202e\x85") + ["- ", ": ", "\n  ", "&a ", "*a", "<<: "]


def _pieces(alphabet: list[str], low: int, high: int) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(alphabet), min_size=low, max_size=high).map("".join)


@st.composite
def mutated(draw: st.DrawFn, seeds: list[str], alphabet: list[str]) -> str:
    """One of ``seeds`` with a few pieces inserted, deleted or replaced at drawn places."""
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "delete", "replace", "repeat"]))
        piece = draw(_pieces(alphabet, 1, 8))
        if op == "insert":
            text = text[:at] + piece + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)) :]
        elif op == "replace":
            text = text[:at] + piece + text[at + len(piece) :]
        else:  # a piece repeated many times: nesting, floods
            text = text[:at] + piece * draw(st.integers(10, 3000)) + text[at:]
    return text


def _depth(node: Node) -> int:
    deepest, stack = 0, [(node, 1)]
    while stack:
        here, depth = stack.pop()
        deepest = max(deepest, depth)
        if here.kind == "seq":
            stack.extend((child, depth + 1) for child in here.value)
        elif here.kind == "map":
            stack.extend((value, depth + 1) for _key, value in here.value.values())
    return deepest


def _check_yaml(text: str) -> None:
    root, problems = load_yaml_text(text, "f.yaml")
    assert all(p.code.startswith("TG1") and p.path == "f.yaml" and p.line >= 0 for p in problems)
    if root is None:
        assert problems  # nothing is refused silently
    else:
        assert _depth(root) <= MAX_DEPTH


@given(mutated(SEEDS_YAML, YAML_CHARS))
def test_mutated_desired_files_load_or_give_diagnostics(text: str) -> None:
    _check_yaml(text)


@given(_pieces(YAML_CHARS, 0, 200))
def test_generated_yaml_loads_or_gives_diagnostics(text: str) -> None:
    _check_yaml(text)


@given(st.integers(1, 200_000), st.sampled_from(["[", "{a: ", "- ", "&x [", "{? "]))
def test_any_nesting_depth_loads_or_gives_diagnostics(depth: int, opener: str) -> None:
    _check_yaml("k: " + opener * depth + "x\n")


@given(mutated([SEED_CSV, SEED_CSV.replace("\n", "\r\n")], list(';"\n\r\t #\x00\x1b\u202e\x9bSE-1') + ["\r\n"]))
def test_mutated_csv_parses_or_gives_diagnostics(text: str) -> None:
    parsed, problems = parse_csv(text, "a.csv")
    assert all(p.code in ("TG110", "TG113") and p.path == "a.csv" for p in problems)
    # A row may carry an empty HSA-id (``;name``): the address rules refuse it at its line (TG200), not the reader.
    assert all(row.line >= 1 and isinstance(row.hsa_id, str) for row in parsed.rows)


def test_a_csv_row_without_hsa_id_is_kept_for_the_address_rules() -> None:
    parsed, problems = parse_csv(';n"ame\nSE2321000001-1001;VE: Alpha clinic 1\n', "a.csv")
    assert problems == []
    assert [(r.hsa_id, r.name, r.line) for r in parsed.rows] == [
        ("", 'n"ame', 1),
        ("SE2321000001-1001", "VE: Alpha clinic 1", 2),
    ]


@given(st.text(max_size=300))
def test_any_text_as_csv_parses_or_gives_diagnostics(text: str) -> None:
    parsed, problems = parse_csv(text, "a.csv")
    assert all(p.code in ("TG110", "TG113") for p in problems)
    assert len(parsed.rows) <= text.count("\n") + 1


def _read(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    try:
        snapshot = read_source(path, platform="NTJP", environment="PROD")
    except SourceError as exc:
        assert str(exc)
        return
    assert isinstance(snapshot, Snapshot)


@given(mutated([SEED_PV.decode("utf-8")], list('{}[],:"0123456789.-eE tnulfasr\\') + ['"logiskAdress"', "null"]))
def test_mutated_pubversion_reads_or_gives_a_source_error(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    tmp_path = tmp_path_factory.mktemp("pv")
    _read(tmp_path, "pv.json", text.encode("utf-8"))


@given(st.binary(max_size=200), st.booleans())
def test_any_bytes_as_an_export_read_or_give_a_source_error(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, zipped: bool
) -> None:
    tmp_path = tmp_path_factory.mktemp("bin")
    _read(tmp_path, "x.json", gzip.compress(data, mtime=0) if zipped else data)


@given(st.integers(0, len(gzip.compress(SEED_PV, mtime=0))), st.binary(max_size=16))
def test_cut_or_padded_gzip_exports_read_or_give_a_source_error(
    tmp_path_factory: pytest.TempPathFactory, cut: int, tail: bytes
) -> None:
    tmp_path = tmp_path_factory.mktemp("gz")
    _read(tmp_path, "pv.json.gz", gzip.compress(SEED_PV, mtime=0)[:cut] + tail)


@given(st.integers(1, 3000))
def test_deep_json_exports_give_a_source_error(tmp_path_factory: pytest.TempPathFactory, depth: int) -> None:
    tmp_path = tmp_path_factory.mktemp("deep")
    _read(tmp_path, "deep.json", b"[" * depth + b"]" * depth)


def test_gunzip_is_gzip_decompress_within_the_cap() -> None:
    members = gzip.compress(b"[1,", mtime=0) + gzip.compress(b"2]", mtime=0)
    assert gunzip(members, Path("x.gz")) == gzip.decompress(members) == b"[1,2]"
    assert orjson.loads(gunzip(gzip.compress(SEED_PV, mtime=0), Path("x.gz"))) == orjson.loads(SEED_PV)


TAKAPI = ROOT / "examples" / "ntjp-prod"
TAKAPI_FILES = sorted(p.name for p in TAKAPI.iterdir())


@given(
    st.sampled_from(TAKAPI_FILES),
    mutated([(TAKAPI / name).read_text(encoding="utf-8") for name in TAKAPI_FILES], list('{}[],:"0-9 ntl\\')),
)
def test_mutated_takapi_responses_read_or_give_a_source_error(
    tmp_path_factory: pytest.TempPathFactory, name: str, text: str
) -> None:
    directory = tmp_path_factory.mktemp("takapi")
    for other in TAKAPI_FILES:
        (directory / other).write_bytes((TAKAPI / other).read_bytes())
    (directory / name).write_text(text, encoding="utf-8")
    try:
        snapshot = read_source(directory, platform="NTJP", environment="PROD")
    except SourceError as exc:
        assert str(exc)
        return
    assert isinstance(snapshot, Snapshot)

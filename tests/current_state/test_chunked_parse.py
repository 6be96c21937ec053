"""Large TAK-api responses are parsed in pieces; the rows and errors are the same as a whole parse."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tak_gitops.adapters.sources import iter_array, jsonfile, read_source
from tak_gitops.errors import SourceError

from .conftest import EXAMPLES


def compact_copy(tmp: Path) -> Path:
    d = tmp / "api"
    shutil.copytree(EXAMPLES / "ntjp-prod", d)
    for f in d.iterdir():
        f.write_bytes(orjson.dumps(json.loads(f.read_text(encoding="utf-8"))))
    return d


def test_pieces_hold_the_same_rows(tmp_path: Path) -> None:
    d = compact_copy(tmp_path)
    whole = json.loads((d / "cooperations.json").read_text(encoding="utf-8"))
    pieces = list(iter_array(d / "cooperations.json", "cooperations", chunk_bytes=600))
    assert len(pieces) > 5
    assert [o for o, _ in pieces] == [sum(len(p) for _, p in pieces[:i]) for i in range(len(pieces))]
    assert [r for _, p in pieces for r in p] == whole


FORMATTINGS = {
    "compact": lambda rows: orjson.dumps(rows),
    "json.dump default separators": lambda rows: json.dumps(rows, ensure_ascii=False).encode("utf-8"),
    "pretty-printed": lambda rows: json.dumps(rows, ensure_ascii=False, indent=2).encode("utf-8"),
    "pretty-printed, CRLF and tabs": lambda rows: json.dumps(rows, indent="\t").replace("\n", "\r\n").encode(),
}


@pytest.mark.parametrize("formatting", sorted(FORMATTINGS))
def test_every_formatting_is_read_in_pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, formatting: str) -> None:
    d = compact_copy(tmp_path)
    whole = json.loads((d / "cooperations.json").read_text(encoding="utf-8"))
    (d / "cooperations.json").write_bytes(FORMATTINGS[formatting](whole))
    whole_parses: list[Path] = []
    real_parse = jsonfile._parse
    monkeypatch.setattr(jsonfile, "_parse", lambda data, path: whole_parses.append(path) or real_parse(data, path))
    pieces = list(iter_array(d / "cooperations.json", "cooperations", chunk_bytes=600))
    assert len(pieces) > 5 and whole_parses == []
    assert [r for _, p in pieces for r in p] == whole


def test_a_cut_inside_a_string_falls_back_to_a_whole_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = compact_copy(tmp_path)
    rows = json.loads((d / "cooperations.json").read_text(encoding="utf-8"))
    for r in rows:
        r["serviceContract"]["name"] = 'tricky "},{" text },{ more },{ and more'
    (d / "cooperations.json").write_bytes(orjson.dumps(rows))
    whole_parses = []
    real_parse = jsonfile._parse
    monkeypatch.setattr(jsonfile, "_parse", lambda data, path: whole_parses.append(path) or real_parse(data, path))
    for size in range(150, 450, 7):
        got = [r for _, p in iter_array(d / "cooperations.json", "cooperations", chunk_bytes=size) for r in p]
        assert got == rows
    assert whole_parses  # some cuts fell inside a string and took the fallback


def test_chunked_reading_gives_the_same_snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = compact_copy(tmp_path)
    whole = read_source(d, platform="NTJP", environment="PROD")
    monkeypatch.setattr(jsonfile, "CHUNK_BYTES", 500)
    assert read_source(d, platform="NTJP", environment="PROD") == whole


def test_row_labels_count_across_pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = compact_copy(tmp_path)
    rows = json.loads((d / "serviceProductions.json").read_text(encoding="utf-8"))
    del rows[19]["serviceProducer"]
    (d / "serviceProductions.json").write_bytes(orjson.dumps(rows))
    monkeypatch.setattr(jsonfile, "CHUNK_BYTES", 700)
    with pytest.raises(SourceError) as exc:
        read_source(d, platform="NTJP", environment="PROD")
    assert str(exc.value) == (f"{d / 'serviceProductions.json'}: serviceProductions[19]: missing key "
                              "'serviceProducer' (fetched without include=serviceProducer,logicalAddress,"
                              "serviceContract,physicalAddress?)")


def test_truncated_compact_file_reports_the_position(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = compact_copy(tmp_path)
    data = (d / "cooperations.json").read_bytes()
    (d / "cooperations.json").write_bytes(data[: len(data) - 40])
    monkeypatch.setattr(jsonfile, "CHUNK_BYTES", 500)
    with pytest.raises(SourceError) as exc:
        read_source(d, platform="NTJP", environment="PROD")
    assert str(exc.value).startswith(f"{d / 'cooperations.json'}: not valid JSON (truncated or corrupt?): ")
    assert "at line 1 column " in str(exc.value)


HOSTILE = [
    "}, {", "},{", "}\n  ,\n  {", "}\r\n\t,\t{", '"}, {"', '{"a": 1}, {"b": 2}',  # cut look-alikes
    'quoted \\"}, {\\" text', "ends in a backslash \\", '\\"}, {"x', "\\\\", '\\', '"',  # escapes, backslashes
    "åäö – “}, {” \u2028 \U0001f600 }, {", "\u00e9}\u00a0,\u00a0{",  # unicode, non-JSON white space
]


def hostile_rows(tmp: Path) -> list[dict[str, object]]:
    """The example's serviceProductions and copies of them (at addresses of their own) with hostile strings in
    the string values a row has room for, and a nested array of objects (cut look-alikes that are not between
    two rows)."""
    rows = json.loads((EXAMPLES / "ntjp-prod" / "serviceProductions.json").read_text(encoding="utf-8"))
    for i, r in enumerate(rows * 3):
        h = HOSTILE[i % len(HOSTILE)]
        r = copy.deepcopy(r)
        r["serviceContract"]["name"] = h
        r["serviceProducer"]["description"] = h + h
        r["logicalAddress"]["description"] = h[::-1]
        r["logicalAddress"]["logicalAddress"] = f"SE2321000016-H{i:04}"  # a routing key of its own
        r["extra"] = [{"note": h}, {"note": h}, [h, {"k": {h: [h]}}]]
        rows.append(r)
    return rows


@pytest.mark.parametrize("formatting", sorted(FORMATTINGS))
def test_hostile_strings_read_in_pieces_are_the_rows_of_a_whole_parse(tmp_path: Path, formatting: str) -> None:
    rows = hostile_rows(tmp_path)
    path = tmp_path / "serviceProductions.json"
    path.write_bytes(FORMATTINGS[formatting](rows))
    whole = orjson.loads(path.read_bytes())
    split = 0
    for size in [*range(40, 1200, 13), 5000]:
        pieces = list(iter_array(path, "serviceProductions", chunk_bytes=size))
        assert [r for _, p in pieces for r in p] == whole
        assert [o for o, _ in pieces] == [sum(len(p) for _, p in pieces[:i]) for i in range(len(pieces))]
        split += len(pieces) > 1
    assert split > 50  # most sizes were read in several pieces


_HOSTILE_TEXT = st.text(st.sampled_from(list('{}[],:"\\ \t\r\nxå\u2028\U0001f600')), max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(_HOSTILE_TEXT, min_size=1, max_size=40), formatting=st.sampled_from(sorted(FORMATTINGS)),
       size=st.integers(1, 300))
def test_any_strings_read_in_pieces_are_the_rows_of_a_whole_parse(tmp_path: Path, values: list[str],
                                                                   formatting: str, size: int) -> None:
    rows = [{"a": v, "b": {"c": v, "d": [{"e": v}, {"f": v}]}} for v in values]
    path = tmp_path / "rows.json"
    path.write_bytes(FORMATTINGS[formatting](rows))
    assert [r for _, p in iter_array(path, "rows", chunk_bytes=size) for r in p] == orjson.loads(path.read_bytes())


@pytest.mark.parametrize("formatting", sorted(FORMATTINGS))
def test_hostile_strings_give_the_snapshot_of_a_whole_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            formatting: str) -> None:
    d = compact_copy(tmp_path)
    (d / "serviceProductions.json").write_bytes(FORMATTINGS[formatting](hostile_rows(tmp_path)))
    whole = read_source(d, platform="NTJP", environment="PROD")
    for size in (60, 333, 700):
        monkeypatch.setattr(jsonfile, "CHUNK_BYTES", size)
        assert read_source(d, platform="NTJP", environment="PROD") == whole


@pytest.mark.parametrize("formatting", sorted(FORMATTINGS))
def test_a_bad_row_among_hostile_strings_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  formatting: str) -> None:
    d = compact_copy(tmp_path)
    rows = hostile_rows(tmp_path)
    rows[40]["physicalAddress"] = ["}, {"]
    (d / "serviceProductions.json").write_bytes(FORMATTINGS[formatting](rows))
    for size in (60, 333, 10**9):
        monkeypatch.setattr(jsonfile, "CHUNK_BYTES", size)
        with pytest.raises(SourceError) as exc:
            read_source(d, platform="NTJP", environment="PROD")
        assert str(exc.value) == (f"{d / 'serviceProductions.json'}: serviceProductions[40]: 'physicalAddress' "
                                  "must be a non-empty string, found ['}, {']")


@pytest.mark.parametrize("formatting", sorted(FORMATTINGS))
@pytest.mark.parametrize("ending", [b"}", b"]]", b"],", b"", b"] x"])
def test_an_array_not_closed_at_the_end_is_not_valid_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          formatting: str, ending: bytes) -> None:
    d = compact_copy(tmp_path)
    rows = json.loads((d / "serviceProductions.json").read_text(encoding="utf-8"))
    data = FORMATTINGS[formatting](rows).rstrip()  # (no string that looks like a cut: every cut is a true one)
    (d / "serviceProductions.json").write_bytes(data[:-1] + ending + b"\n")
    monkeypatch.setattr(jsonfile, "CHUNK_BYTES", 300)
    with pytest.raises(SourceError) as exc:
        read_source(d, platform="NTJP", environment="PROD")
    assert str(exc.value).startswith(f"{d / 'serviceProductions.json'}: not valid JSON (truncated or corrupt?): ")

"""Large TAK-api responses are parsed in pieces; the rows and errors are the same as a whole parse."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import orjson
import pytest

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

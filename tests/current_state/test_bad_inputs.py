"""Bad input to every reader: a clear SourceError naming the file and the row, and no traceback from the CLI."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tak_gitops.adapters.hsafile import read_hsa_files
from tak_gitops.adapters.snapshot_file import read_snapshot
from tak_gitops.adapters.sources import read_source
from tak_gitops.cli import main
from tak_gitops.errors import SnapshotRefused, SourceError

from .conftest import EXAMPLES
from .test_sources import as_export_pv, as_takdump, pv_doc, write

GCC2 = "urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2"
TODAY = date(2026, 11, 21)


def api_dir(tmp: Path, edit: Callable[[dict[str, Any]], None] | None = None, file: str = "") -> Path:
    d = tmp / "api"
    shutil.copytree(EXAMPLES / "ntjp-prod", d)
    if edit:
        doc = json.loads((d / file).read_text())
        edit(doc)
        write(d / file, doc)
    return d


def truncate(path: Path) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


# ------------------------------------------------------------------------------------------- TAK-api directory

def _api_truncated(tmp: Path) -> tuple[Path, str]:
    d = api_dir(tmp)
    truncate(d / "serviceProductions.json")
    return d, f"{d / 'serviceProductions.json'}: not valid JSON (truncated or corrupt?): "


def _api_wrong_shape(tmp: Path) -> tuple[Path, str]:
    d = api_dir(tmp)
    write(d / "cooperations.json", {"cooperations": []})
    return d, f"{d / 'cooperations.json'}: expected a JSON array of cooperations, found dict"


def _api_missing_include(tmp: Path) -> tuple[Path, str]:
    def edit(doc: Any) -> None:
        del doc[3]["serviceConsumer"]
    d = api_dir(tmp, edit, "cooperations.json")
    return d, (f"{d / 'cooperations.json'}: cooperations[3]: missing key 'serviceConsumer' (fetched without "
               "include=serviceConsumer,logicalAddress,serviceContract?)")


def _api_missing_key(tmp: Path) -> tuple[Path, str]:
    def edit(doc: Any) -> None:
        del doc[5]["logicalAddress"]["logicalAddress"]
    d = api_dir(tmp, edit, "serviceProductions.json")
    return d, f"{d / 'serviceProductions.json'}: serviceProductions[5].logicalAddress: missing key 'logicalAddress'"


def _api_missing_url(tmp: Path) -> tuple[Path, str]:
    def edit(doc: Any) -> None:
        del doc[2]["physicalAddress"]
    d = api_dir(tmp, edit, "serviceProductions.json")
    return d, f"{d / 'serviceProductions.json'}: serviceProductions[2]: missing key 'physicalAddress'"


def _api_bad_logical_address_row(tmp: Path) -> tuple[Path, str]:
    def edit(doc: Any) -> None:
        doc[4] = {"description": "no address"}
    d = api_dir(tmp, edit, "logicalAddresses.json")
    return d, f"{d / 'logicalAddresses.json'}: logicalAddresses[4]: missing key 'logicalAddress'"


def _api_unknown_cp(tmp: Path) -> tuple[Path, str]:
    def edit(doc: Any) -> None:
        doc[0]["environment"] = "QA2"
    d = api_dir(tmp, edit, "connectionPoints.json")
    return d, (f"{d / 'connectionPoints.json'}: no connection point NTJP/PROD; the TAK-api has: NTJP/QA, NTJP/QA2, "
               "SLL/PROD")


def _api_mixed_case_duplicate(tmp: Path) -> tuple[Path, str]:
    def edit(doc: Any) -> None:
        dup = json.loads(json.dumps(doc[12]))
        dup["logicalAddress"]["logicalAddress"] = dup["logicalAddress"]["logicalAddress"].lower()
        doc.append(dup)
    d = api_dir(tmp, edit, "serviceProductions.json")
    return d, (f"{d / 'serviceProductions.json'}: 1 routing key(s) occur more than once (TAK keeps one routing per "
               f"logical address and contract):\n  - (SE2321000032-4KML, {GCC2}) in serviceProductions[12], "
               "serviceProductions[23]")


# ------------------------------------------------------------------------------------- published version / dump

def _pv(tmp: Path, doc: Any, name: str = "pv.json") -> Path:
    return write(tmp / name, doc)


def _pv_truncated(tmp: Path) -> tuple[Path, str]:
    p = truncate(_pv(tmp, pv_doc()))
    return p, f"{p}: not valid JSON (truncated or corrupt?): "


def _pv_wrong_shape(tmp: Path) -> tuple[Path, str]:
    doc = pv_doc()
    doc["data"]["vagval"] = {"1": {}}
    p = _pv(tmp, doc)
    return p, f"{p}: 'data.vagval' must be an array, found dict"


def _pv_not_a_pv(tmp: Path) -> tuple[Path, str]:
    p = _pv(tmp, {"formatVersion": "1", "rows": []})
    return p, f"{p}: not a TAK published version: expected an object with 'data' holding the TAK tables"


def _pv_missing_key(tmp: Path) -> tuple[Path, str]:
    doc = pv_doc()
    del doc["data"]["vagval"][4]["relationships"]
    p = _pv(tmp, doc)
    return p, f"{p}: vagval[4]: missing key 'relationships'"


def _pv_unknown_id(tmp: Path) -> tuple[Path, str]:
    doc = pv_doc()
    doc["data"]["anropsbehorighet"][2]["relationships"]["logiskAdress"] = 999999
    p = _pv(tmp, doc)
    return p, (f"{p}: anropsbehorighet[2]: relationships.logiskAdress refers to logiskadress 999999, which is not "
               "in the file")


def _pv_mixed_case_address(tmp: Path) -> tuple[Path, str]:
    doc = pv_doc()
    las = doc["data"]["logiskadress"]
    las.append({"id": 1, "hsaId": las[3]["hsaId"].lower(), "beskrivning": "dup", "pubversion": "913"})
    p = _pv(tmp, doc)
    return p, (f"{p}: logiskadress[{len(las) - 1}]: HSA-id {las[3]['hsaId'].lower()!r} occurs twice (also in "
               "logiskadress[3]; HSA-ids are case-insensitive)")


def _pv_duplicate_routing(tmp: Path) -> tuple[Path, str]:
    doc = pv_doc()
    vv = doc["data"]["vagval"]
    vv.append(json.loads(json.dumps(vv[10])) | {"id": 1})
    p = _pv(tmp, doc)
    la = next(r["hsaId"] for r in doc["data"]["logiskadress"] if r["id"] == vv[10]["relationships"]["logiskadress"])
    ns = next(r["namnrymd"] for r in doc["data"]["tjanstekontrakt"]
              if r["id"] == vv[10]["relationships"]["tjanstekontrakt"])
    return p, (f"{p}: 1 routing key(s) occur more than once (TAK keeps one routing per logical address and "
               f"contract):\n  - ({la}, {ns}) in vagval[10], vagval[{len(vv) - 1}]")


def _pv_bad_date(tmp: Path) -> tuple[Path, str]:
    doc = pv_doc()
    doc["data"]["anropsbehorighet"][0]["tomTidpunkt"] = 20991231
    p = _pv(tmp, doc)
    return p, f"{p}: anropsbehorighet[0]: 'tomTidpunkt' must be a date-time, found 20991231"


def _dump_unknown_consumer(tmp: Path) -> tuple[Path, str]:
    doc = as_takdump(pv_doc())
    doc["data"]["anropsbehorighet"][6]["relationships"]["tjanstekonsument"] = 4242
    p = _pv(tmp, doc, "takdump_ntjp_prod.json")
    return p, (f"{p}: anropsbehorighet[6]: relationships.tjanstekonsument refers to tjanstekomponent 4242, which is "
               "not in the file")


def _dump_truncated(tmp: Path) -> tuple[Path, str]:
    p = truncate(_pv(tmp, as_takdump(pv_doc()), "takdump_ntjp_prod.json"))
    return p, f"{p}: not valid JSON (truncated or corrupt?): "


# ------------------------------------------------------------------------------------------------- /export/pv

def _xpv_unknown_url(tmp: Path) -> tuple[Path, str]:
    doc = as_export_pv(pv_doc())
    doc["data"]["vagval"][7]["relationships"]["anropsadress"] = "https://nowhere.example/x"
    p = _pv(tmp, doc)
    return p, (f"{p}: vagval[7]: relationships.anropsadress 'https://nowhere.example/x' is not an anropsadress in "
               "the file")


def _xpv_ambiguous_url(tmp: Path) -> tuple[Path, str]:
    doc = as_export_pv(pv_doc())
    url = doc["data"]["vagval"][1]["relationships"]["anropsadress"]
    doc["data"]["anropsadress"].append({"id": 1, "adress": url, "pubversion": "913",
                                        "relationships": {"rivtaprofil": "RIVTABP20",
                                                          "tjanstekomponent": "SE5565594230-B31"}})
    p = _pv(tmp, doc)
    return p, (f"{p}: vagval[1]: relationships.anropsadress {url!r} is ambiguous: it belongs to "
               "SE5565594230-B31 (RIVTABP20), SE5565594230-B8N (RIVTABP21)")


def _xpv_missing_key(tmp: Path) -> tuple[Path, str]:
    doc = as_export_pv(pv_doc())
    del doc["data"]["anropsbehorighet"][3]["relationships"]["tjanstekontrakt"]
    p = _pv(tmp, doc)
    return p, f"{p}: anropsbehorighet[3]: missing relationships.tjanstekontrakt"


def _xpv_mixed_case_duplicate(tmp: Path) -> tuple[Path, str]:
    doc = as_export_pv(pv_doc())
    vv = doc["data"]["vagval"]
    dup = json.loads(json.dumps(vv[20]))
    dup["relationships"]["logiskAdress"] = dup["relationships"]["logiskAdress"].lower()
    vv.append(dup)
    p = _pv(tmp, doc)
    rel = vv[20]["relationships"]
    return p, (f"{p}: 1 routing key(s) occur more than once (TAK keeps one routing per logical address and "
               f"contract):\n  - ({rel['logiskAdress']}, {rel['tjanstekontrakt']}) in vagval[20], "
               f"vagval[{len(vv) - 1}]")


def _xpv_truncated(tmp: Path) -> tuple[Path, str]:
    p = truncate(_pv(tmp, as_export_pv(pv_doc())))
    return p, f"{p}: not valid JSON (truncated or corrupt?): "


def _xpv_wrong_shape(tmp: Path) -> tuple[Path, str]:
    doc = as_export_pv(pv_doc())
    doc["data"]["anropsadress"][0]["relationships"]["tjanstekomponent"] = 17
    p = _pv(tmp, doc)
    return p, f"{p}: anropsadress[0]: relationships.rivtaprofil and .tjanstekomponent must be names"


READER_CASES = {
    "tak-api truncated": _api_truncated,
    "tak-api wrong shape": _api_wrong_shape,
    "tak-api fetched without include": _api_missing_include,
    "tak-api missing key": _api_missing_key,
    "tak-api missing URL": _api_missing_url,
    "tak-api unknown connection point": _api_unknown_cp,
    "tak-api logicalAddresses missing key": _api_bad_logical_address_row,
    "tak-api mixed-case duplicate routing": _api_mixed_case_duplicate,
    "pubversion truncated": _pv_truncated,
    "pubversion wrong shape": _pv_wrong_shape,
    "pubversion not a published version": _pv_not_a_pv,
    "pubversion missing key": _pv_missing_key,
    "pubversion unknown id": _pv_unknown_id,
    "pubversion mixed-case duplicate address": _pv_mixed_case_address,
    "pubversion duplicate routing": _pv_duplicate_routing,
    "pubversion bad date": _pv_bad_date,
    "takdump unknown consumer id": _dump_unknown_consumer,
    "takdump truncated": _dump_truncated,
    "export-pv unknown URL": _xpv_unknown_url,
    "export-pv ambiguous URL": _xpv_ambiguous_url,
    "export-pv missing key": _xpv_missing_key,
    "export-pv mixed-case duplicate routing": _xpv_mixed_case_duplicate,
    "export-pv truncated": _xpv_truncated,
    "export-pv wrong shape": _xpv_wrong_shape,
}
DUPLICATES = {"tak-api mixed-case duplicate routing", "pubversion duplicate routing",
              "export-pv mixed-case duplicate routing"}


@pytest.mark.parametrize("case", sorted(READER_CASES))
def test_reader_bad_input(case: str, tmp_path: Path) -> None:
    path, expected = READER_CASES[case](tmp_path)
    with pytest.raises(SourceError) as exc:
        read_source(path, platform="NTJP", environment="PROD", today=TODAY)
    assert isinstance(exc.value, SnapshotRefused) == (case in DUPLICATES)
    if expected.endswith(": "):
        assert str(exc.value).startswith(expected)
        assert " line " in str(exc.value) and " column " in str(exc.value)
    else:
        assert str(exc.value) == expected


@pytest.mark.parametrize("case", sorted(READER_CASES))
def test_cli_reports_bad_input_without_traceback(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path, expected = READER_CASES[case](tmp_path)
    with pytest.raises(SystemExit) as exit_:
        main(["fetch", "--env", "NTJP-PROD", "--from", str(path), "--today", "2026-11-21", "--allow-stale",
              "-o", str(tmp_path / "out.json")])
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {expected}")
    assert "Traceback" not in err
    assert not (tmp_path / "out.json").exists()


# ------------------------------------------------------------------------------------------------------ HSA file

HSA_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<FileGetHsaUnitsResponse xmlns="urn:riv:hsa:HsaWsResponder:3">'


def unit(h: str, dn: str | None, name: str | None) -> str:
    parts = [f"<hsaIdentity>{h}</hsaIdentity>"]
    if dn is not None:
        parts.append(f"<DN>{dn}</DN>")
    if name is not None:
        parts.append(f"<name>{name}</name>")
    return "<hsaUnit>" + "".join(parts) + "</hsaUnit>"


def hsa_file(tmp: Path, *units: str, close: bool = True) -> Path:
    p = tmp / "hsacache.xml"
    tail = "</hsaUnits></FileGetHsaUnitsResponse>\n" if close else ""
    p.write_text(HSA_HEAD + "<hsaUnits>" + "".join(units) + tail, encoding="utf-8")
    return p


def test_hsa_truncated(tmp_path: Path) -> None:
    p = truncate(_copy(EXAMPLES / "hsa" / "hsacache.xml", tmp_path / "hsacache.xml"))
    with pytest.raises(SourceError) as exc:
        read_hsa_files([p])
    assert str(exc.value).startswith(f"{p}: not valid XML at line ")


def _copy(src: Path, dst: Path) -> Path:
    dst.write_bytes(src.read_bytes())
    return dst


def test_hsa_wrong_shape(tmp_path: Path) -> None:
    p = tmp_path / "units.xml"
    p.write_text("<units><unit><id>SE1</id></unit></units>")
    with pytest.raises(SourceError) as exc:
        read_hsa_files([p])
    assert str(exc.value) == (f"{p}: no hsaUnit elements in namespace urn:riv:hsa:HsaWsResponder:3: not an HSA "
                              "cache file")


def test_hsa_units_missing_a_field_are_skipped_and_counted(tmp_path: Path) -> None:
    p = hsa_file(tmp_path, unit("SE1-A", "o=A,c=SE", "A"), unit("SE1-B", None, "B"),
                 unit("SE1-C", "ou=C,o=A,c=SE", None), unit("SE1-D", "ou=D,o=A,c=SE", "D"))
    got = read_hsa_files([p])
    assert (got.units, got.skipped) == (4, 2)
    assert dict(got.tree.parents) == {"SE1-A": "SE", "SE1-D": "SE1-A"}


def test_hsa_mixed_case_duplicate(tmp_path: Path) -> None:
    p = hsa_file(tmp_path, unit("SE1-A", "o=A,c=SE", "A"), unit("se1-a", "o=A2,c=SE", "A2"))
    with pytest.raises(SourceError) as exc:
        read_hsa_files([p])
    assert str(exc.value) == (f"{p}: hsaUnit[1]: hsaIdentity SE1-A occurs twice (also {p}: hsaUnit[0]; HSA-ids are "
                              "compared case-insensitively)")


def test_hsa_unclosed_document(tmp_path: Path) -> None:
    p = hsa_file(tmp_path, unit("SE1-A", "o=A,c=SE", "A"), close=False)
    with pytest.raises(SourceError) as exc:
        read_hsa_files([p])
    assert str(exc.value) == f"{p}: not valid XML at line 2 column 155: no element found"


# ------------------------------------------------------------------------------------------------- snapshot file

def test_snapshot_truncated(tmp_path: Path) -> None:
    p = truncate(_copy(EXAMPLES / "ntjp-prod.snapshot.json", tmp_path / "s.json"))
    with pytest.raises(SourceError) as exc:
        read_snapshot(p)
    assert str(exc.value).startswith(f"{p}: not a snapshot file (invalid JSON at line 1 column ")

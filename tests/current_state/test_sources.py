"""Readers of saved TAK sources: TAK-api response directory, published version, takdump, /export/pv."""

from __future__ import annotations

import copy
import gzip
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tak_gitops.adapters.sources import detect_format, read_source
from tak_gitops.core.snapshot import Contract, Snapshot
from tak_gitops.errors import SourceError

from .conftest import EXAMPLES

GCC2 = "urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2"
PR1 = "urn:riv:clinicalprocess:activity:request:ProcessRequestResponder:1"
CDC3 = "urn:riv:clinicalprocess:healthcond:certificate:CreateDraftCertificateResponder:3"
LCQA3 = "urn:riv:clinicalprocess:healthcond:certificate:ListCertificatesForCareWithQAResponder:3"
OLD_GCC = "https://tp.landstingetsormland.se/vp/clinicalprocess/logistics/logistics/GetCareContacts/2/rivtabp21"
TODAY = date(2026, 11, 21)


def pv_doc() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((EXAMPLES / "ntjp-prod-pubversion.json").read_text(encoding="utf-8"))
    return doc


def as_takdump(doc: dict[str, Any]) -> dict[str, Any]:
    """What TakExport.groovy writes: tjanstekomponent renamed tjanstekonsument in anropsbehorighet."""
    out = copy.deepcopy(doc)
    out["tidpunkt_version"] = out["tidpunkt"]
    out["tidpunkt"] = "2026-11-20T00:01:02Z"
    out["utforare"] = "TakExport script"
    for row in out["data"]["anropsbehorighet"]:
        row["relationships"]["tjanstekonsument"] = row["relationships"].pop("tjanstekomponent")
    return out


def as_export_pv(doc: dict[str, Any]) -> dict[str, Any]:
    """What tak-services /export/pv returns: relationships as natural keys."""
    out = copy.deepcopy(doc)
    data = out["data"]
    by = {t: {r["id"]: r for r in data[t]} for t in ("rivtaprofil", "tjanstekontrakt", "logiskadress",
                                                   "tjanstekomponent", "anropsadress")}
    for r in data["anropsadress"]:
        rel = r["relationships"]
        r["relationships"] = {"rivtaprofil": by["rivtaprofil"][rel["rivtaprofil"]]["namn"],
                              "tjanstekomponent": by["tjanstekomponent"][rel["tjanstekomponent"]]["hsaId"]}
    for r in data["anropsbehorighet"]:
        rel = r["relationships"]
        r["relationships"] = {"logiskAdress": by["logiskadress"][rel["logiskAdress"]]["hsaId"],
                              "tjanstekonsument": by["tjanstekomponent"][rel["tjanstekomponent"]]["hsaId"],
                              "tjanstekontrakt": by["tjanstekontrakt"][rel["tjanstekontrakt"]]["namnrymd"]}
    for r in data["vagval"]:
        rel = r["relationships"]
        r["relationships"] = {"logiskAdress": by["logiskadress"][rel["logiskadress"]]["hsaId"],
                              "anropsadress": by["anropsadress"][rel["anropsadress"]]["adress"],
                              "tjanstekontrakt": by["tjanstekontrakt"][rel["tjanstekontrakt"]]["namnrymd"]}
    return out


def write(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def takapi() -> Snapshot:
    return read_source(EXAMPLES / "ntjp-prod", platform="NTJP", environment="PROD")


def test_takapi_directory_rows() -> None:
    snap = takapi()
    assert (snap.platform, snap.environment, snap.source) == ("NTJP", "PROD", "tak-api")
    assert snap.snapshot_time == "2026-11-20T02:31:07+0100"
    assert (len(snap.routings), len(snap.authorizations)) == (23, 16)
    assert snap.routings[("SE2321000032-4KMT", GCC2)] == ("SE162321000032-00D1", OLD_GCC, "RIVTABP21")
    assert snap.routings[("SE2321000065-TEST0008", PR1)] == (
        "SE2321000065-C0SM", "https://cosmic.ltkronoberg.se/remiss/ProcessRequest/1/rivtabp21", "RIVTABP21")
    assert ("SE162321000156-4H4F", "*", PR1) in snap.authorizations
    assert ("SE162321000024-1177", "5565594230-WEBCERT", CDC3) in snap.authorizations
    assert ("SE162321000156-4H4F", "5565594230-WEBCERT", LCQA3) not in snap.authorizations
    assert snap.logical_addresses["*"] == "Standardbehörighet"
    assert snap.logical_addresses["SE162321000032-000N"] == "Sörmland - NPÖ2 - NCS_Cross"
    assert snap.systems["SE2321000016-92V4"] == "Inera AB -- 1177 Vårdguidens e-tjänster"
    assert snap.contracts[GCC2] == Contract(GCC2, "GetCareContacts", 2, 0)
    assert len(snap.contracts) == 10


def test_hsa_ids_are_upper_cased_and_wildcards_kept(tmp_path: Path) -> None:
    d = tmp_path / "api"
    d.mkdir()
    for f in (EXAMPLES / "ntjp-prod").iterdir():
        (d / f.name).write_bytes(f.read_bytes())
    coops = json.loads((d / "cooperations.json").read_text())
    coops[0]["serviceConsumer"]["hsaId"] = "se162321000156-4h4f"
    coops[0]["logicalAddress"]["logicalAddress"] = " 5565594230-webcert "
    write(d / "cooperations.json", coops)
    snap = read_source(d, platform="NTJP", environment="PROD")
    assert ("SE162321000156-4H4F", "5565594230-WEBCERT", CDC3) in snap.authorizations
    assert snap.authorizations == takapi().authorizations


def test_pubversion_reads_the_same_rows_as_the_takapi_directory() -> None:
    snap = read_source(EXAMPLES / "ntjp-prod-pubversion.json", platform="NTJP", environment="PROD", today=TODAY)
    api = takapi()
    assert snap.source == "pubversion"
    assert snap.snapshot_time == "2026-11-20T00:58:41+0100"
    assert snap.routings == api.routings
    assert snap.authorizations == api.authorizations
    assert snap.logical_addresses == api.logical_addresses
    assert snap.contracts == api.contracts
    # The published version lists every component, also one whose only row is not valid yet.
    assert dict(snap.systems) == {**api.systems,
                                  "SE5565594230-B31": "Inera AB -- Intygstjänster -- Intygstjänsten och Mina Intyg"}


def test_pubversion_drops_rows_not_valid_today() -> None:
    path = EXAMPLES / "ntjp-prod-pubversion.json"
    before = read_source(path, platform="NTJP", environment="PROD", today=date(2019, 5, 12))
    # 2019-05-12: only the expired vagval (2012-02-01 .. 2019-05-12) is valid; everything else starts 2019-05-13.
    assert before.routings == {("SE2321000032-4KMT", GCC2): (
        "SE162321000032-00D1", "http://tp.lds.se/vp/GetCareContacts/2/rivtabp21", "RIVTABP20")}
    assert before.authorizations == frozenset()
    future = read_source(path, platform="NTJP", environment="PROD", today=date(2099, 6, 1))
    assert ("SE5565594230-B31", "5565594230-WEBCERT", LCQA3) in future.authorizations


def test_takdump_is_detected_and_read(tmp_path: Path) -> None:
    path = write(tmp_path / "takdump_ntjp_prod.json", as_takdump(pv_doc()))
    snap = read_source(path, platform="NTJP", environment="PROD", today=TODAY)
    assert snap.source == "takdump"
    assert snap.snapshot_time == "2026-11-20T00:01:02Z"
    assert (snap.routings, snap.authorizations) == (takapi().routings, takapi().authorizations)


def test_export_pv_is_detected_and_read(tmp_path: Path) -> None:
    path = write(tmp_path / "pv.json", as_export_pv(pv_doc()))
    snap = read_source(path, platform="NTJP", environment="PROD", today=TODAY)
    assert snap.source == "export-pv"
    assert (snap.routings, snap.authorizations) == (takapi().routings, takapi().authorizations)


def test_gzipped_pubversion(tmp_path: Path) -> None:
    path = tmp_path / "PubVersion-913.json"
    path.write_bytes(gzip.compress((EXAMPLES / "ntjp-prod-pubversion.json").read_bytes()))
    snap = read_source(path, platform="NTJP", environment="PROD", today=TODAY)
    assert snap.routings == takapi().routings


def test_detection_by_shape() -> None:
    doc = pv_doc()
    assert detect_format(doc) == "pubversion"
    assert detect_format(as_takdump(doc)) == "takdump"
    assert detect_format(as_export_pv(doc)) == "export-pv"
    assert detect_format([{"id": 1}]) is None
    assert detect_format({"data": []}) is None


def test_named_format_overrides_detection_and_mismatch_is_an_error(tmp_path: Path) -> None:
    path = EXAMPLES / "ntjp-prod-pubversion.json"
    snap = read_source(path, platform="NTJP", environment="PROD", format="takdump", today=TODAY)
    assert snap.source == "takdump"
    with pytest.raises(SourceError) as exc:
        read_source(path, platform="NTJP", environment="PROD", format="export-pv", today=TODAY)
    assert str(exc.value) == f"{path}: --format export-pv does not match the file, which looks like pubversion"
    with pytest.raises(SourceError) as exc:
        read_source(path, platform="NTJP", environment="PROD", format="tak-api")
    assert str(exc.value) == f"{path}: --format tak-api needs a directory of saved TAK-api responses"


def test_takapi_connection_point_is_chosen_by_platform_and_environment() -> None:
    with pytest.raises(SourceError) as exc:
        read_source(EXAMPLES / "ntjp-prod", platform="NTJP", environment="TEST")
    assert str(exc.value) == (f"{EXAMPLES / 'ntjp-prod' / 'connectionPoints.json'}: no connection point NTJP/TEST; "
                              "the TAK-api has: NTJP/PROD, NTJP/QA, SLL/PROD")


def test_missing_path_unknown_format_and_incomplete_directory(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as exc:
        read_source(tmp_path / "nope.json", platform="NTJP", environment="PROD")
    assert str(exc.value) == f"{tmp_path / 'nope.json'}: no such file or directory"
    with pytest.raises(SourceError) as exc:
        read_source(tmp_path, platform="NTJP", environment="PROD", format="csv")
    assert str(exc.value) == f"{tmp_path}: unknown format 'csv'; use one of tak-api, pubversion, takdump, export-pv"
    with pytest.raises(SourceError) as exc:
        read_source(tmp_path, platform="NTJP", environment="PROD")
    assert str(exc.value) == f"{tmp_path}: a TAK-api response directory needs connectionPoints.json"
    (tmp_path / "empty.json").write_text("  \n")
    with pytest.raises(SourceError) as exc:
        read_source(tmp_path / "empty.json", platform="NTJP", environment="PROD")
    assert str(exc.value) == f"{tmp_path / 'empty.json'}: the file is empty"
    with pytest.raises(SourceError) as exc:
        read_source(EXAMPLES / "ntjp-prod" / "cooperations.json", platform="NTJP", environment="PROD")
    assert str(exc.value).endswith("cooperations.json: this is a JSON array, not a published version; give the "
                                   "directory of saved TAK-api responses instead")

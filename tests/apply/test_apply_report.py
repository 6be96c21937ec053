"""TAK-web's /rest/create answers: reports, validation errors, runtime errors."""

from __future__ import annotations

from tak_gitops.adapters.takweb_report import parse_answer

CSU3 = "urn:riv:clinicalprocess:healthcond:certificate:CertificateStatusUpdateForCareResponder:3"
GCC2 = "urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2"
OLD = "https://tp.landstingetsormland.se/vp/clinicalprocess/logistics/logistics/GetCareContacts/2/rivtabp21"
CSU3_URL = "https://tph2.liv.sjunet.org:50001/WebCertFormStatusUpdateWebService/FormStatusUpdate/3_0/rivtabp21"
NEW = "https://tp.regionsormland.se/vp/clinicalprocess/logistics/logistics/GetCareContacts/2/rivtabp21"

REPORT = f"""Plattform: NTJP-PROD
Format Version: 1.0
Version: 1
Beställningstidpunkt: 2025-12-01T09:15:42+0100
Genomförandetidpunkt: 2025-12-08T12:00:00+0100
Utförare: Region Värmland - tak-gitops
Kommentar: Förstudie TSK-12518: Försäkringskassans nya intyg SMI | tak-gitops 9b191f181e

Inkludera:
Logiska adresser:
Nyskapad: SE162321000156-4HVT - Tolkcentralen Värmland
Anropsbehörigheter:
Nyskapad: SE162321000156-4HVT - SE5565594230-B8N - {CSU3} (2025-12-08 - 2125-12-08)
Vägval:
Nyskapad: SE162321000156-4HVT - {CSU3} - SE162321000156-B3K - RIVTABP21 - {CSU3_URL} (2025-12-08 - 2125-12-08)
Deaktiverad: SE2321000032-1000 - {GCC2} - SE162321000032-00D1 - RIVTABP21 - {OLD} (2014-03-01 - 2025-12-07)
Nyskapad: SE2321000032-1000 - {GCC2} - SE162321000032-00D1 - RIVTABP21 - {NEW} (2025-12-08 - 2125-12-08)

Exkludera:
Anropsbehörigheter:
Existerar ej: SE2321000032-4KMT - SE2321000016-92V4 - {GCC2}
Vägval:
Borttagen: SE162321000032-000N - {GCC2} - SE162321000032-00D1 - RIVTABP21 - {OLD} (2025-12-10 - 2125-12-10)
"""


def test_report_lines_and_metadata() -> None:
    answer = parse_answer(REPORT)
    assert answer.kind == "report"
    assert answer.metadata["Plattform"] == "NTJP-PROD"
    assert answer.metadata["Kommentar"].endswith("tak-gitops 9b191f181e")
    assert [(x.section, x.group, x.status, x.key) for x in answer.lines] == [
        ("inkludera", "logiskadress", "Nyskapad", ("SE162321000156-4HVT",)),
        ("inkludera", "anropsbehorighet", "Nyskapad", ("SE5565594230-B8N", "SE162321000156-4HVT", CSU3)),
        ("inkludera", "vagval", "Nyskapad", ("SE162321000156-4HVT", CSU3)),
        ("inkludera", "vagval", "Deaktiverad", ("SE2321000032-1000", GCC2)),
        ("inkludera", "vagval", "Nyskapad", ("SE2321000032-1000", GCC2)),
        ("exkludera", "anropsbehorighet", "Existerar ej", ("SE2321000016-92V4", "SE2321000032-4KMT", GCC2)),
        ("exkludera", "vagval", "Borttagen", ("SE162321000032-000N", GCC2)),
    ]
    assert answer.lines[3].value == ("SE162321000032-00D1", OLD, "RIVTABP21")
    assert answer.lines[4].value == ("SE162321000032-00D1", NEW, "RIVTABP21")
    assert [w.key for w in answer.warnings] == [("SE2321000016-92V4", "SE2321000032-4KMT", GCC2)]


def test_validation_errors() -> None:
    answer = parse_answer(
        "JsonBestallning ERROR:::\nSkapa Vägval: RivTaProfil med namn = RIVTABP99 finns inte.\n"
        "Skapa Anropsbehörighet: Logisk Adress med HSAId = SE2321000099-E123 finns inte.\n"
    )
    assert answer.kind == "rejected"
    assert answer.messages == (
        "Skapa Vägval: RivTaProfil med namn = RIVTABP99 finns inte.",
        "Skapa Anropsbehörighet: Logisk Adress med HSAId = SE2321000099-E123 finns inte.",
    )


def test_parse_failure_and_runtime_error() -> None:
    assert parse_answer("JsonBestallning ERROR::: {}").messages == (
        "TAK-web could not parse the order (JSON parse failure; TAK-web gives no detail)",
    )
    runtime = parse_answer("RUNTIME ERROR:::\njava.lang.NullPointerException")
    assert runtime.kind == "runtime-error"
    assert runtime.messages == ("java.lang.NullPointerException",)


def test_unrecognised_text() -> None:
    html = parse_answer("<!DOCTYPE html><html><form action='/tak-web/auth/login'>")
    assert html.kind == "unrecognised"
    assert html.messages == ("<!DOCTYPE html><html><form action='/tak-web/auth/login'>",)
    assert parse_answer("").kind == "unrecognised"

"""Test data for the reference TAK: a small NTJP-PROD built from the example data, and order builders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tak_gitops.core.snapshot import Contract, Snapshot

CDC3 = "urn:riv:clinicalprocess:healthcond:certificate:CreateDraftCertificateResponder:3"
LCQA3 = "urn:riv:clinicalprocess:healthcond:certificate:ListCertificatesForCareWithQAResponder:3"
CSU3 = "urn:riv:clinicalprocess:healthcond:certificate:CertificateStatusUpdateForCareResponder:3"
SMC2 = "urn:riv:clinicalprocess:healthcond:certificate:SendMessageToCareResponder:2"
GCC2 = "urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2"

WEBCERT = "SE5565594230-B8N"
INTYG = "SE5565594230-B31"
COSMIC = "SE162321000156-4H4F"
PROXY = "SE162321000156-B3K"
SORMLAND_TP = "SE162321000032-00D1"
E_TJANSTER = "SE2321000016-92V4"
WEBCERT_LA = "5565594230-WEBCERT"
KMT = "SE2321000032-4KMT"
KML = "SE2321000032-4KML"
HVT = "SE162321000156-4HVT"

CDC3_URL = "https://webcert.ntjp.intygstjanster.se/services/create-draft-certificate/v3.0"
GCC2_OLD = "https://tp.landstingetsormland.se/vp/clinicalprocess/logistics/logistics/GetCareContacts/2/rivtabp21"
GCC2_NEW = "https://tp.regionsormland.se/vp/clinicalprocess/logistics/logistics/GetCareContacts/2/rivtabp21"
CSU3_URL = "https://tph2.liv.sjunet.org:50001/WebCertFormStatusUpdateWebService/FormStatusUpdate/3_0/rivtabp21"

PLATFORM = "NTJP-PROD"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def example_snapshot() -> Snapshot:
    return Snapshot.build(
        platform="NTJP",
        environment="PROD",
        snapshot_time=None,
        source="test",
        routings=[
            ((WEBCERT_LA, CDC3), (WEBCERT, CDC3_URL, "RIVTABP21")),
            ((KMT, GCC2), (SORMLAND_TP, GCC2_OLD, "RIVTABP21")),
            ((KML, GCC2), (SORMLAND_TP, GCC2_OLD, "RIVTABP21")),
        ],
        authorizations=[
            (COSMIC, WEBCERT_LA, CDC3),
            (E_TJANSTER, KMT, GCC2),
            (E_TJANSTER, KML, GCC2),
        ],
        logical_addresses={
            WEBCERT_LA: "Inera - Webcert",
            KMT: "VG: Sörmland - Vår VC Katrineholm HB",
            KML: "VG: Sörmland - Achima Care AB",
        },
        systems={
            WEBCERT: "Inera AB -- Intygstjänster -- Webcert",
            INTYG: "Inera AB -- Intygstjänster -- Intygstjänsten och Mina Intyg",
            COSMIC: "Landstinget i Värmland -- Cosmic",
            PROXY: "Landstinget i Värmland -- Proxy",
            SORMLAND_TP: "Landstinget Sörmland -- Tjänsteplattform",
            E_TJANSTER: "Inera AB -- 1177 Vårdguidens e-tjänster",
        },
        contracts=[
            Contract(CDC3, "CreateDraftCertificate", 3),
            Contract(LCQA3, "ListCertificatesForCareWithQA", 3),
            Contract(CSU3, "CertificateStatusUpdateForCare", 3),
            Contract(SMC2, "SendMessageToCare", 2),
            Contract(GCC2, "GetCareContacts", 2),
        ],
    )


def order(
    *,
    inkludera: dict[str, Any] | None = None,
    exkludera: dict[str, Any] | None = None,
    genomforande: str = "2025-05-21T08:00:00+0200",
    plattform: str = PLATFORM,
    **extra: Any,
) -> str:
    """A BS JSON order as text."""
    doc: dict[str, Any] = {
        "plattform": plattform,
        "formatVersion": "1.0",
        "version": "1",
        "bestallningsTidpunkt": "2025-05-20T09:05:53+0200",
        "genomforandeTidpunkt": genomforande,
        "utforare": "Region Värmland - tak-gitops",
        "kommentar": "Förstudie TSK-12518",
        "inkludera": inkludera or {},
        "exkludera": exkludera or {},
    }
    doc.update(extra)
    return json.dumps(doc, ensure_ascii=False)


def vagval(la: str, ns: str, producer: str, url: str | None, profile: str = "RIVTABP21") -> dict[str, Any]:
    item: dict[str, Any] = {
        "tjanstekomponent": producer,
        "logiskAdress": la,
        "tjanstekontrakt": ns,
        "rivtaprofil": profile,
    }
    if url is not None:
        item["adress"] = url
    return item


def behorighet(consumer: str, la: str, ns: str) -> dict[str, Any]:
    return {"tjanstekonsument": consumer, "logiskAdress": la, "tjanstekontrakt": ns}

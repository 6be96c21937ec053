"""Regenerate the bundled example TAK (NTJP-PROD): TAK-api v2 responses, the same TAK as a published version,
and the HSA cache file. Run from the repository root: ``python examples/make_examples.py``; then
``tak-gitops fetch --env NTJP-PROD --from examples/ntjp-prod --allow-stale -o examples/ntjp-prod.snapshot.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
SNAPSHOT_TIME = "2026-11-20T02:31:07+0100"
EXPORT_TIME = "2026-11-20T00:58:41+0100"

C = "urn:riv:clinicalprocess:"
CONTRACTS = {  # short: (namespace, description, major, minor)
    "CDC3": (C + "healthcond:certificate:CreateDraftCertificateResponder:3", "CreateDraftCertificate", 3, 0),
    "LCQA3": (C + "healthcond:certificate:ListCertificatesForCareWithQAResponder:3", "ListCertificatesForCareWithQA", 3, 0),
    "CSU3": (C + "healthcond:certificate:CertificateStatusUpdateForCareResponder:3", "CertificateStatusUpdateForCare", 3, 0),
    "SMC2": (C + "healthcond:certificate:SendMessageToCareResponder:2", "SendMessageToCare", 2, 0),
    "GCC2": (C + "logistics:logistics:GetCareContactsResponder:2", "GetCareContacts", 2, 0),
    "PR1": (C + "activity:request:ProcessRequestResponder:1", "ProcessRequest", 1, 0),
    "PRC1": (C + "activity:request:ProcessRequestConfirmationResponder:1", "ProcessRequestConfirmation", 1, 0),
    "PRO2": (C + "activity:request:ProcessRequestOutcomeResponder:2", "ProcessRequestOutcome", 2, 0),
    "GCC3": (C + "logistics:logistics:GetCareContactsResponder:3", "GetCareContacts", 3, 0),
    "SMC1": (C + "healthcond:certificate:SendMessageToCareResponder:1", "SendMessageToCare", 1, 0),
}
SYSTEMS = {
    "SE5565594230-B8N": "Inera AB -- Intygstjänster -- Webcert",
    "SE5565594230-B31": "Inera AB -- Intygstjänster -- Intygstjänsten och Mina Intyg",
    "SE2321000016-92V4": "Inera AB -- 1177 Vårdguidens e-tjänster",
    "SE162321000156-4H4F": "Landstinget i Värmland -- Cosmic",
    "SE162321000032-00D1": "Landstinget Sörmland -- Tjänsteplattform",
    "SE162321000024-1177": "Landstinget i Uppsala län -- ejournalen",
    "SE2321000065-C0SM": "Region Kronoberg -- Cosmic",
}
REMISS = {
    "SE162321000156-4CXH": "VE: Värmland - Dagvårdsavdelningen barn- och ungdomsmedicin",
    "SE162321000024-0050137": "VE: Värmland - Barnneurologi",
    "SE162321000024-0016023": "VE: Värmland - Neurokirurgi",
}
CARE_GIVERS = {
    "SE2321000032-1000": "VG: Sörmlands landsting",
    "SE2321000032-4KML": "VG: Sörmland - Achima Care AB",
    "SE2321000032-4KMP": "VG: Sörmland - Familjedoktorerna i Eskilstuna AB",
    "SE2321000032-4KMN": "VG: Sörmland - Familjedoktorerna i Strängnäs AB",
    "SE2321000032-4KMQ": "VG: Sörmland - Kyrkbackens VC AB",
    "SE2321000032-4KMS": "VG: Sörmland - Praktikertjänst Aktieföretag",
    "SE2321000032-4KMR": "VG: Sörmland - VC Flen AB",
    "SE2321000032-4KMM": "VG: Sörmland - VC Smeden Ekonomiska Förening",
    "SE2321000032-4KMK": "VG: Sörmland - Vingåkers VC AB",
}
ADDRESSES = {
    "5565594230-WEBCERT": "Inera - Webcert",
    **REMISS,
    **CARE_GIVERS,
    "SE2321000032-4KMT": "VG: Sörmland - Vår VC Katrineholm HB",
    "SE162321000032-000N": "Sörmland - NPÖ2 - NCS_Cross",
    "SE2321000065-TEST0008": "Kronoberg - Cosmic",
    "*": "Standardbehörighet",
}
WEBCERT = "https://webcert.ntjp.intygstjanster.se/services/"
GCC_OLD = "https://tp.landstingetsormland.se/vp/clinicalprocess/logistics/logistics/GetCareContacts/2/rivtabp21"
COSMIC = "https://cosmic.liv.sjunet.org/remiss/"
ROUTINGS = [  # (LA, contract, producer, URL, profile)
    ("5565594230-WEBCERT", "CDC3", "SE5565594230-B8N", WEBCERT + "create-draft-certificate/v3.0", "RIVTABP21"),
    ("5565594230-WEBCERT", "LCQA3", "SE5565594230-B8N", WEBCERT + "list-certificates-for-care-with-qa/v3.0",
     "RIVTABP21"),
    *[(la, c, "SE162321000156-4H4F", COSMIC + url, "RIVTABP21") for la in REMISS for c, url in (
        ("PR1", "ProcessRequest/1/rivtabp21"), ("PRC1", "ProcessRequestConfirmation/1/rivtabp21"),
        ("PRO2", "ProcessRequestOutcome/2/rivtabp21"))],
    *[(la, "GCC2", "SE162321000032-00D1", GCC_OLD, "RIVTABP21") for la in CARE_GIVERS],
    ("SE2321000032-4KMT", "GCC2", "SE162321000032-00D1", GCC_OLD, "RIVTABP21"),
    ("SE162321000032-000N", "GCC2", "SE162321000032-00D1", GCC_OLD, "RIVTABP21"),
    ("SE2321000065-TEST0008", "PR1", "SE2321000065-C0SM", "https://cosmic.ltkronoberg.se/remiss/ProcessRequest/1/rivtabp21",
     "RIVTABP21"),
]
AUTHORIZATIONS = [  # (consumer, LA, contract)
    ("SE162321000156-4H4F", "5565594230-WEBCERT", "CDC3"),
    *[("SE162321000156-4H4F", "*", c) for c in ("PR1", "PRC1", "PRO2")],
    *[("SE2321000016-92V4", la, "GCC2") for la in CARE_GIVERS],
    ("SE2321000016-92V4", "SE2321000032-4KMT", "GCC2"),
    ("SE162321000156-4H4F", "SE2321000032-1000", "GCC2"),
    ("SE162321000024-1177", "5565594230-WEBCERT", "CDC3"),
]
# Rows only the published version holds: not valid today, so every reader drops them.
EXPIRED_ROUTING = ("SE2321000032-4KMT", "GCC2", "SE162321000032-00D1",
                   "http://tp.lds.se/vp/GetCareContacts/2/rivtabp21", "RIVTABP20")
FUTURE_AUTHORIZATION = ("SE5565594230-B31", "5565594230-WEBCERT", "LCQA3")


def ids(base: int, keys: list[str], step: int = 7) -> dict[str, int]:
    return {k: base + i * step for i, k in enumerate(keys)}


LA_ID = ids(20411, list(ADDRESSES), 13)
SYS_ID = ids(800, list(SYSTEMS), 3)
CON_ID = ids(301, list(CONTRACTS), 2)


def la_obj(la: str) -> dict[str, object]:
    return {"id": LA_ID[la], "logicalAddress": la, "description": ADDRESSES[la]}


def sys_obj(h: str) -> dict[str, object]:
    return {"id": SYS_ID[h], "hsaId": h, "description": SYSTEMS[h]}


def con_obj(short: str) -> dict[str, object]:
    ns, desc, major, minor = CONTRACTS[short]
    return {"id": CON_ID[short], "name": desc, "namespace": ns, "major": major, "minor": minor}


def dump(path: Path, doc: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def takapi() -> None:
    out = HERE / "ntjp-prod"
    cps = [
        {"id": 4, "platform": "NTJP", "environment": "PROD", "snapshotTime": SNAPSHOT_TIME},
        {"id": 5, "platform": "SLL", "environment": "PROD", "snapshotTime": "2026-11-20T02:05:44+0100"},
        {"id": 6, "platform": "NTJP", "environment": "QA", "snapshotTime": "2026-11-20T02:12:10+0100"},
    ]
    dump(out / "connectionPoints.json", cps)
    dump(out / "cooperations.json", [
        {"id": 100829 + 17 * i, "serviceConsumer": sys_obj(c), "logicalAddress": la_obj(la),
         "serviceContract": con_obj(k)} for i, (c, la, k) in enumerate(AUTHORIZATIONS)])
    dump(out / "serviceProductions.json", [
        {"id": 52311 + 11 * i, "physicalAddress": url, "rivtaProfile": prof, "serviceProducer": sys_obj(p),
         "logicalAddress": la_obj(la), "serviceContract": con_obj(k)} for i, (la, k, p, url, prof) in enumerate(ROUTINGS)])
    dump(out / "installedContracts.json", [
        {"id": 1203 + i, "connectionPoint": cps[0], "serviceContract": con_obj(k)} for i, k in enumerate(CONTRACTS)])
    routed = sorted({la for la, *_ in ROUTINGS})
    dump(out / "logicalAddresses.json", [la_obj(la) for la in routed])


def pubversion() -> None:
    profiles = {"RIVTABP20": 1, "RIVTABP21": 2}
    endpoints: dict[tuple[str, str, str], int] = {}
    for _, _, p, url, prof in [*ROUTINGS, EXPIRED_ROUTING]:
        endpoints.setdefault((p, url, prof), 501 + 4 * len(endpoints))
    valid = {"fromTidpunkt": "2019-05-13T00:00:00+0200", "tomTidpunkt": "2119-05-13T00:00:00+0200"}
    data = {
        "rivtaprofil": [{"id": i, "namn": n, "beskrivning": n.replace("RIVTABP", "RIV TA BP "), "pubversion": "913"}
                        for n, i in profiles.items()],
        "tjanstekontrakt": [{"id": CON_ID[k], "namnrymd": ns, "beskrivning": d, "majorVersion": ma, "minorVersion": mi,
                             "pubversion": "913"} for k, (ns, d, ma, mi) in CONTRACTS.items()],
        "logiskadress": [{"id": LA_ID[la], "hsaId": la, "beskrivning": d, "pubversion": "913"}
                         for la, d in ADDRESSES.items()],
        "tjanstekomponent": [{"id": SYS_ID[h], "hsaId": h, "beskrivning": d, "pubversion": "913"}
                             for h, d in SYSTEMS.items()],
        "anropsadress": [{"id": i, "adress": url, "pubversion": "913",
                          "relationships": {"rivtaprofil": profiles[prof], "tjanstekomponent": SYS_ID[p]}}
                         for (p, url, prof), i in endpoints.items()],
        "anropsbehorighet": [
            {"id": 7001 + i, "integrationsavtal": "AUTOTAKNING", **valid, "pubversion": "913",
             "relationships": {"logiskAdress": LA_ID[la], "tjanstekomponent": SYS_ID[c], "tjanstekontrakt": CON_ID[k]}}
            for i, (c, la, k) in enumerate(AUTHORIZATIONS)
        ] + [{"id": 7999, "integrationsavtal": "AUTOTAKNING", "fromTidpunkt": "2099-01-01T00:00:00+0100",
              "tomTidpunkt": "2199-01-01T00:00:00+0100", "pubversion": "913",
              "relationships": {"logiskAdress": LA_ID[FUTURE_AUTHORIZATION[1]],
                                "tjanstekomponent": SYS_ID[FUTURE_AUTHORIZATION[0]],
                                "tjanstekontrakt": CON_ID[FUTURE_AUTHORIZATION[2]]}}],
        "vagval": [{"id": 9001, "fromTidpunkt": "2012-02-01T00:00:00+0100", "tomTidpunkt": "2019-05-12T00:00:00+0200",
                    "pubversion": "412", "relationships": {
                        "anropsadress": endpoints[EXPIRED_ROUTING[2:]], "logiskadress": LA_ID[EXPIRED_ROUTING[0]],
                        "tjanstekontrakt": CON_ID[EXPIRED_ROUTING[1]]}}] + [
            {"id": 9101 + i, **valid, "pubversion": "913",
             "relationships": {"anropsadress": endpoints[(p, url, prof)], "logiskadress": LA_ID[la],
                               "tjanstekontrakt": CON_ID[k]}}
            for i, (la, k, p, url, prof) in enumerate(ROUTINGS)],
        "filter": [],
        "filtercategorization": [],
    }
    dump(HERE / "ntjp-prod-pubversion.json", {
        "formatVersion": "1", "version": "913", "tidpunkt": EXPORT_TIME, "utforare": "admin",
        "kommentar": "Publicerad version 913", "data": data})


HSA_UNITS = [
    ("SE", "c=SE", "Sverige"),
    ("SE162321000156-0001", "o=Landstinget i Värmland,l=Värmlands län,c=SE", "Landstinget i Värmland"),
    ("SE162321000156-4HVT", "ou=Tolkcentralen,o=Landstinget i Värmland,l=Värmlands län,c=SE", "Tolkcentralen Värmland"),
    ("SE162321000156-4CXH",
     "ou=Dagvårdsavdelningen barn- och ungdomsmedicin,o=Landstinget i Värmland,l=Värmlands län,c=SE",
     "Dagvårdsavdelningen barn- och ungdomsmedicin"),
    ("SE2321000032-1000", "o=Sörmlands landsting,l=Södermanlands län,c=SE", "Sörmlands landsting"),
    *[(h, f"o={n.removeprefix('VG: Sörmland - ')},l=Södermanlands län,c=SE", n.removeprefix("VG: Sörmland - "))
      for h, n in CARE_GIVERS.items() if h != "SE2321000032-1000"],
    ("SE2321000032-4KMT", "o=Vår VC Katrineholm HB,l=Södermanlands län,c=SE", "Vår VC Katrineholm HB"),
    ("SE2321000032-4CVG",
     "ou=VC Familjedoktorerna Strängnäs,o=Familjedoktorerna i Strängnäs AB,l=Södermanlands län,c=SE",
     "VC Familjedoktorerna Strängnäs"),
    ("SE2321000032-4KMU", "ou=Vår VC Katrineholm,o=Vår VC Katrineholm HB,l=Södermanlands län,c=SE",
     "Vår VC Katrineholm"),
    ("SE2321000032-4KMV", "ou=BVC,ou=Vår VC Katrineholm,o=Vår VC Katrineholm HB,l=Södermanlands län,c=SE",
     "Vår VC Katrineholm BVC"),
]


def hsa() -> None:
    units = "".join(
        f"    <hsaUnit>\n      <hsaIdentity>{escape(h)}</hsaIdentity>\n      <DN>{escape(dn)}</DN>\n"
        f"      <name>{escape(n)}</name>\n    </hsaUnit>\n" for h, dn, n in HSA_UNITS)
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<FileGetHsaUnitsResponse xmlns="urn:riv:hsa:HsaWsResponder:3">\n'
           "  <startDate>2026-11-20T01:25:00.000+01:00</startDate>\n  <endDate>2026-11-20T01:27:00.000+01:00</endDate>\n"
           f"  <hsaUnits>\n{units}  </hsaUnits>\n</FileGetHsaUnitsResponse>\n")
    (HERE / "hsa").mkdir(exist_ok=True)
    (HERE / "hsa" / "hsacache.xml").write_text(xml, encoding="utf-8")


if __name__ == "__main__":
    takapi()
    pubversion()
    hsa()

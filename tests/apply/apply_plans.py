"""Plan documents (docs/plan-format.md) for the seed scenarios, built as dicts, with their checksum.

The rows are the bundled NTJP-PROD example's (examples/ntjp-prod.snapshot.json and desired/): Intygstjänster SMI
on Tolkcentralen Värmland (Proxy and Intygstjänsten are new systems), Cosmic's consumer authorization,
GetCareContacts moving host in Sörmland (with a new care unit), removing logical addressees, and an electronic
referral (remiss) connection on an empty TAK. Together the first four are what the example needs: applied to
the reference TAK seeded with the example snapshot, every order executes.
"""

from __future__ import annotations

import copy
from typing import Any

from tak_gitops.core.canonical import digest

CDC3 = "urn:riv:clinicalprocess:healthcond:certificate:CreateDraftCertificateResponder:3"
LCQA3 = "urn:riv:clinicalprocess:healthcond:certificate:ListCertificatesForCareWithQAResponder:3"
CSU3 = "urn:riv:clinicalprocess:healthcond:certificate:CertificateStatusUpdateForCareResponder:3"
SMC2 = "urn:riv:clinicalprocess:healthcond:certificate:SendMessageToCareResponder:2"
GCC2 = "urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2"
PR1 = "urn:riv:clinicalprocess:activity:request:ProcessRequestResponder:1"
PRC1 = "urn:riv:clinicalprocess:activity:request:ProcessRequestConfirmationResponder:1"
PRO2 = "urn:riv:clinicalprocess:activity:request:ProcessRequestOutcomeResponder:2"

B8N = "SE5565594230-B8N"
B31 = "SE5565594230-B31"
V92 = "SE2321000016-92V4"
H4F = "SE162321000156-4H4F"
B3K = "SE162321000156-B3K"
D00 = "SE162321000032-00D1"
HVT = "SE162321000156-4HVT"
WEBCERT = "5565594230-WEBCERT"

SMI_COMMENT = "Förstudie TSK-12518: Försäkringskassans nya intyg SMI"
GCC_COMMENT = "Anslutning GetCareContacts för 1177 Vårdguidens e-tjänster"
CSU3_URL = "https://tph2.liv.sjunet.org:50001/WebCertFormStatusUpdateWebService/FormStatusUpdate/3_0/rivtabp21"
SMC2_URL = "https://webcert.ntjp.intygstjanster.se/services/send-message-to-care/v2.0"
GCC_OLD = "https://tp.landstingetsormland.se/vp/clinicalprocess/logistics/logistics/GetCareContacts/2/rivtabp21"
GCC_NEW = "https://tp.regionsormland.se/vp/clinicalprocess/logistics/logistics/GetCareContacts/2/rivtabp21"
CARE_GIVERS = (
    "SE2321000032-1000",
    "SE2321000032-4KML",
    "SE2321000032-4KMP",
    "SE2321000032-4KMN",
    "SE2321000032-4KMQ",
    "SE2321000032-4KMS",
    "SE2321000032-4KMR",
    "SE2321000032-4KMM",
    "SE2321000032-4KMK",
)
REMISS_UNITS = {
    "SE162321000156-4CXH": "VE: Värmland - Dagvårdsavdelningen barn- och ungdomsmedicin",
    "SE162321000024-0050137": "VE: Värmland - Barnneurologi",
    "SE162321000024-0016023": "VE: Värmland - Neurokirurgi",
}
REMISS_URLS = {
    PR1: "https://cosmic.liv.sjunet.org/remiss/ProcessRequest/1/rivtabp21",
    PRC1: "https://cosmic.liv.sjunet.org/remiss/ProcessRequestConfirmation/1/rivtabp21",
    PRO2: "https://cosmic.liv.sjunet.org/remiss/ProcessRequestOutcome/2/rivtabp21",
}


def route(producer: str, url: str, profile: str = "RIVTABP21") -> dict[str, str]:
    return {"producer": producer, "url": url, "profile": profile}


def add_routing(address: str, contract: str, producer: str, url: str) -> dict[str, Any]:
    return {"action": "add-routing", "address": address, "contract": contract, "after": route(producer, url)}


def grant(consumer: str, address: str, contract: str, action: str = "add-authorization") -> dict[str, Any]:
    return {"action": action, "consumer": consumer, "address": address, "contract": contract}


def order(
    wave: int, org: str, kind: str, system: str, comment: str, changes: list[dict[str, Any]], change_date: str | None
) -> dict[str, Any]:
    return {
        "id": f"w{wave}-{org}-{kind}-{system}",
        "wave": wave,
        "kind": kind,
        "org": org,
        "system": system,
        "comment": comment,
        "change_date": change_date,
        "changes": changes,
    }


def smi_orders() -> list[dict[str, Any]]:
    """Intygstjänster SMI: new address Tolkcentralen Värmland, CSU3 via Proxy, SMC2 via Webcert, two grants."""
    return [
        order(
            1,
            "inera",
            "producer",
            B8N,
            SMI_COMMENT,
            [
                {
                    "action": "add-system",
                    "hsa_id": B31,
                    "description": "Inera AB -- Intygstjänster -- Intygstjänsten och Mina Intyg",
                },
                add_routing(HVT, SMC2, B8N, SMC2_URL),
                grant(B31, HVT, SMC2),
            ],
            "2025-12-08",
        ),
        order(
            1,
            "region-varmland",
            "producer",
            B3K,
            SMI_COMMENT,
            [
                {"action": "add-logical-address", "hsa_id": HVT, "description": "Tolkcentralen Värmland"},
                {"action": "add-system", "hsa_id": B3K, "description": "Landstinget i Värmland -- Proxy"},
                add_routing(HVT, CSU3, B3K, CSU3_URL),
                grant(B8N, HVT, CSU3),
            ],
            "2025-12-08",
        ),
    ]


def consumer_orders() -> list[dict[str, Any]]:
    """Cosmic (Region Värmland) asks for ListCertificatesForCareWithQA on Webcert's address."""
    return [order(2, "region-varmland", "consumer", H4F, SMI_COMMENT, [grant(H4F, WEBCERT, LCQA3)], "2025-12-08")]


def url_change_orders() -> list[dict[str, Any]]:
    """GetCareContacts moves host for every Sörmland care giver; a new care unit gets a routing and 1177's grant."""
    changes: list[dict[str, Any]] = [
        {
            "action": "add-logical-address",
            "hsa_id": "SE2321000032-4CVG",
            "description": "VE: Sörmland - VC Familjedoktorerna Strängnäs",
        },
        add_routing("SE2321000032-4CVG", GCC2, D00, GCC_NEW),
    ]
    for address in sorted(CARE_GIVERS):
        changes.append(
            {
                "action": "change-routing",
                "address": address,
                "contract": GCC2,
                "before": route(D00, GCC_OLD),
                "after": route(D00, GCC_NEW),
                "changed": ["url"],
            }
        )
    changes.append(grant(V92, "SE2321000032-4CVG", GCC2))
    return [order(1, "region-sormland", "producer", D00, GCC_COMMENT, changes, None)]


def removal_orders() -> list[dict[str, Any]]:
    """Removing logical addressees: Vår VC Katrineholm (a cascade) and NPÖ2 NCS_Cross; Cosmic's stray grant."""
    return [
        order(
            3,
            "region-sormland",
            "producer",
            D00,
            GCC_COMMENT,
            [
                grant(V92, "SE2321000032-4KMT", GCC2, "remove-authorization"),
                grant(H4F, "SE2321000032-1000", GCC2, "remove-authorization"),
            ],
            None,
        ),
        order(
            4,
            "region-sormland",
            "producer",
            D00,
            GCC_COMMENT,
            [
                {
                    "action": "remove-routing",
                    "address": "SE162321000032-000N",
                    "contract": GCC2,
                    "before": route(D00, GCC_OLD),
                },
                {
                    "action": "remove-routing",
                    "address": "SE2321000032-4KMT",
                    "contract": GCC2,
                    "before": route(D00, GCC_OLD),
                },
            ],
            None,
        ),
    ]


def remiss_orders() -> list[dict[str, Any]]:
    """Electronic referral: Cosmic connected as producer for three contracts on three units, and as consumer."""
    producer: list[dict[str, Any]] = [
        {"action": "add-logical-address", "hsa_id": hsa, "description": name} for hsa, name in REMISS_UNITS.items()
    ]
    producer.append({"action": "add-system", "hsa_id": H4F, "description": "Landstinget i Värmland -- Cosmic"})
    for contract, url in REMISS_URLS.items():
        for hsa in REMISS_UNITS:
            producer.append(add_routing(hsa, contract, H4F, url))
    consumer = [grant(H4F, "*", contract) for contract in REMISS_URLS]
    comment = "Anslutning Elektronisk remiss: Cosmic som remittent och remissmottagare"
    return [
        order(1, "region-varmland", "producer", H4F, comment, producer, "2026-01-12"),
        order(2, "region-varmland", "consumer", H4F, comment, consumer, "2026-01-12"),
    ]


def plan(
    orders: list[dict[str, Any]],
    *,
    env: str = "NTJP-PROD",
    snapshot_digest: str = "sha256:" + "1" * 64,
    desired_digest: str = "sha256:" + "2" * 64,
    refusals: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A complete plan document with a correct checksum."""
    orders = sorted(copy.deepcopy(orders), key=lambda o: (o["wave"], o["id"]))
    doc: dict[str, Any] = {
        "format": "tak-gitops-plan",
        "format_version": "1.0",
        "environment": env,
        "plattform": env,
        "organisations": sorted({o["org"] for o in orders}),
        "inputs": {
            "desired_digest": desired_digest,
            "snapshot_digest": snapshot_digest,
            "snapshot_time": "2025-12-01T02:31:07+0100",
            "snapshot_source": "tak-api",
            "hsa_digest": "sha256:" + "3" * 64,
            "pending_digest": "sha256:" + "4" * 64,
        },
        "status": "refused" if refusals else ("changes" if orders else "no-changes"),
        "summary": {"orders": len(orders)},
        "refusals": refusals or [],
        "errors": [],
        "orders": orders,
        "cascades": [],
        "manual_steps": [],
        "pending": [],
        "warnings": [],
    }
    return seal(doc)


def seal(doc: dict[str, Any]) -> dict[str, Any]:
    """Set ``checksum`` as the planner does: sha256 of the canonical JSON without the checksum key."""
    body = {k: v for k, v in doc.items() if k != "checksum"}
    return {**body, "checksum": digest(body)}


SCENARIOS: dict[str, list[dict[str, Any]]] = {
    "intygstjanster-smi": smi_orders(),
    "consumer-authorization": consumer_orders(),
    "getcarecontacts-url-change": url_change_orders(),
    "remove-logical-addressee": removal_orders(),
    "elektronisk-remiss": remiss_orders(),
    "ntjp-prod-example": smi_orders() + consumer_orders() + url_change_orders() + removal_orders(),
}

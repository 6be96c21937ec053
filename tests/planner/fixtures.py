"""The bundled example (NTJP-PROD) and the seed scenarios as Python values: desired state, current TAK, HSA tree.

Everything comes from the seeds (see the shared example data): Inera's SMI certificates with Region Värmland's
new address 4HVT, Region Sörmland's GetCareContacts with the URL change, the new VE and the 1177 grant and the
4KMT care giver being removed, and the electronic referral standardbehörighet of Cosmic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from tak_gitops.core.config import EnvironmentConfig, GuardConfig, ProjectConfig, TakApiTarget
from tak_gitops.core.desired import (
    Address,
    DesiredState,
    EnvironmentState,
    Grant,
    Location,
    Organisation,
    OrgEnvironment,
    System,
)
from tak_gitops.core.hsa import HsaTree
from tak_gitops.core.snapshot import AuthorizationKey, Contract, RoutingKey, RoutingValue, Snapshot

ENV = "NTJP-PROD"
P21 = "RIVTABP21"

CDC3 = "urn:riv:clinicalprocess:healthcond:certificate:CreateDraftCertificateResponder:3"
LCQA3 = "urn:riv:clinicalprocess:healthcond:certificate:ListCertificatesForCareWithQAResponder:3"
CSU3 = "urn:riv:clinicalprocess:healthcond:certificate:CertificateStatusUpdateForCareResponder:3"
SMC2 = "urn:riv:clinicalprocess:healthcond:certificate:SendMessageToCareResponder:2"
GCC2 = "urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2"
PR1 = "urn:riv:clinicalprocess:activity:request:ProcessRequestResponder:1"
PRC1 = "urn:riv:clinicalprocess:activity:request:ProcessRequestConfirmationResponder:1"
PRO2 = "urn:riv:clinicalprocess:activity:request:ProcessRequestOutcomeResponder:2"
GCC3 = "urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:3"
SMC1 = "urn:riv:clinicalprocess:healthcond:certificate:SendMessageToCareResponder:1"

CONTRACTS = (
    Contract(CDC3, "CreateDraftCertificate", 3),
    Contract(LCQA3, "ListCertificatesForCareWithQA", 3),
    Contract(CSU3, "CertificateStatusUpdateForCare", 3),
    Contract(SMC2, "SendMessageToCare", 2),
    Contract(GCC2, "GetCareContacts", 2),
    Contract(PR1, "ProcessRequest", 1),
    Contract(PRC1, "ProcessRequestConfirmation", 1),
    Contract(PRO2, "ProcessRequestOutcome", 2),
    Contract(GCC3, "GetCareContacts", 3),
    Contract(SMC1, "SendMessageToCare", 1),
)

# Systems
WEBCERT = "SE5565594230-B8N"
INTYG = "SE5565594230-B31"
E1177 = "SE2321000016-92V4"
COSMIC = "SE162321000156-4H4F"
PROXY = "SE162321000156-B3K"
TP_SORM = "SE162321000032-00D1"
NCS = "SE162321000032-4LGG"
UPPSALA = "SE162321000024-1177"
KRONOBERG_COSMIC = "SE2321000065-C0SM"

# Addresses
WEBCERT_LA = "5565594230-WEBCERT"
HVT = "SE162321000156-4HVT"
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
KMT = "SE2321000032-4KMT"
CVG = "SE2321000032-4CVG"
NPO = "SE162321000032-000N"
TEST0008 = "SE2321000065-TEST0008"

URL_CDC3 = "https://webcert.ntjp.intygstjanster.se/services/create-draft-certificate/v3.0"
URL_LCQA3 = "https://webcert.ntjp.intygstjanster.se/services/list-certificates-for-care-with-qa/v3.0"
URL_SMC2 = "https://webcert.ntjp.intygstjanster.se/services/send-message-to-care/v2.0"
URL_CSU3 = "https://tph2.liv.sjunet.org:50001/WebCertFormStatusUpdateWebService/FormStatusUpdate/3_0/rivtabp21"
URL_PR1 = "https://cosmic.liv.sjunet.org/remiss/ProcessRequest/1/rivtabp21"
URL_PRC1 = "https://cosmic.liv.sjunet.org/remiss/ProcessRequestConfirmation/1/rivtabp21"
URL_PRO2 = "https://cosmic.liv.sjunet.org/remiss/ProcessRequestOutcome/2/rivtabp21"
URL_GCC2 = "https://tp.regionsormland.se/vp/clinicalprocess/logistics/logistics/GetCareContacts/2/rivtabp21"
URL_GCC2_OLD = "https://tp.landstingetsormland.se/vp/clinicalprocess/logistics/logistics/GetCareContacts/2/rivtabp21"
URL_KRONOBERG = "https://cosmic.ltkronoberg.se/remiss/ProcessRequest/1/rivtabp21"

ORG_NAMES = {
    "inera": ("Inera AB", "556559-4230"),
    "region-varmland": ("Region Värmland", "232100-0156"),
    "region-sormland": ("Region Sörmland", "232100-0032"),
}
SYSTEMS = {
    WEBCERT: ("inera", "Webcert", "Inera AB -- Intygstjänster -- Webcert"),
    INTYG: ("inera", "Intygstjänsten och Mina Intyg", "Inera AB -- Intygstjänster -- Intygstjänsten och Mina Intyg"),
    E1177: ("inera", "1177 Vårdguidens e-tjänster", "Inera AB -- 1177 Vårdguidens e-tjänster"),
    COSMIC: ("region-varmland", "Cosmic", "Landstinget i Värmland -- Cosmic"),
    PROXY: ("region-varmland", "Proxy", "Landstinget i Värmland -- Proxy"),
    TP_SORM: ("region-sormland", "Tjänsteplattform", "Landstinget Sörmland -- Tjänsteplattform"),
    NCS: ("region-sormland", "NCS Cross", "Landstinget Sörmland -- NCS Cross -- 1.0"),
}
COMMENTS = {
    "inera": "Förstudie TSK-12518: Försäkringskassans nya intyg SMI",
    "region-varmland": "Förstudie TSK-12518: Försäkringskassans nya intyg SMI",
    "region-sormland": "Anslutning GetCareContacts för 1177 Vårdguidens e-tjänster",
}


def config(**env_overrides: object) -> ProjectConfig:
    """The project configuration of the example: NTJP-QA and NTJP-PROD, default guards."""
    prod = {"plattform": "NTJP-PROD", "tak_api": TakApiTarget(platform="NTJP", environment="PROD")}
    prod.update(env_overrides)
    return ProjectConfig(
        environments={
            "NTJP-QA": EnvironmentConfig(plattform="NTJP-QA", tak_api=TakApiTarget(platform="NTJP", environment="QA")),
            "NTJP-PROD": EnvironmentConfig.model_validate(prod),
        },
        guards=GuardConfig(),
    )


def path_of(org: str, env: str = ENV) -> str:
    return f"desired/{org}/{env}.yaml"


class Builder:
    """Collects desired rows the way the loader resolves them, with file locations."""

    def __init__(self, env: str = ENV) -> None:
        self.env = env
        self.routings: dict[RoutingKey, RoutingValue] = {}
        self.routing_orgs: dict[RoutingKey, str] = {}
        self.auth_orgs: dict[AuthorizationKey, set[str]] = {}
        self.grants: list[Grant] = []
        self.orgs: dict[str, OrgEnvironment] = {}
        self.locations: dict[tuple[str, ...], Location] = {}
        self.addresses: dict[str, Address] = {}
        self._line: dict[str, int] = {}

    def _loc(self, org: str) -> Location:
        self._line[org] = self._line.get(org, 1) + 1
        return Location(path_of(org, self.env), self._line[org], 7)

    def org(self, org: str, **kw: object) -> Builder:
        base = {"org": org, "env": self.env, "path": path_of(org, self.env), "comment": COMMENTS.get(org)}
        base.update(kw)
        self.orgs[org] = OrgEnvironment(**base)  # type: ignore[arg-type]
        return self

    def address(self, hsa_id: str, name: str | None = None, kind: str | None = None, vg: str | None = None) -> None:
        prev = self.addresses.get(hsa_id)
        if prev is None or name:
            self.addresses[hsa_id] = Address(hsa_id, name, kind, vg)

    def route(self, org: str, producer: str, contract: str, url: str, addresses: Mapping[str, str | None]) -> Builder:
        for la, name in addresses.items():
            key = (la, contract)
            self.routings[key] = (producer, url, P21)
            self.routing_orgs[key] = org
            self.locations[key] = self._loc(org)
            self.address(la, name, "VG" if (name or "").startswith("VG:") else None)
        return self

    def authorize(self, org: str, consumer: str, contracts: Iterable[str], addresses: Iterable[str]) -> Builder:
        for ns in contracts:
            for la in addresses:
                key = (consumer, la, ns)
                self.auth_orgs.setdefault(key, set()).add(org)
                self.locations[key] = self._loc(org)
        return self

    def grant(
        self,
        org: str,
        producer: str,
        contract: str,
        consumers: Iterable[str],
        addresses: Iterable[str] = (),
        manage: bool = False,
    ) -> Builder:
        g = Grant(org, producer, contract, frozenset(consumers), frozenset(addresses), manage, self._loc(org))
        self.grants.append(g)
        las = g.addresses or {la for (la, ns), v in self.routings.items() if ns == contract and v[0] == producer}
        for la in las:
            for c in g.consumers:
                self.auth_orgs.setdefault((c, la, contract), set()).add(org)
        return self

    def state(self) -> EnvironmentState:
        return EnvironmentState(
            env=self.env,
            routings=dict(self.routings),
            routing_orgs=dict(self.routing_orgs),
            authorization_orgs={k: frozenset(v) for k, v in self.auth_orgs.items()},
            grants=tuple(self.grants),
            orgs=dict(self.orgs),
            locations=dict(self.locations),
        )


def desired_state(*builders: Builder, extra_addresses: Iterable[Address] = ()) -> DesiredState:
    """Wrap environment builders into a DesiredState with the example's organisations and systems."""
    addresses: dict[str, Address] = {}
    for b in builders:
        addresses.update(b.addresses)
    for a in extra_addresses:
        addresses[a.hsa_id] = a
    return DesiredState(
        organisations={k: Organisation(k, n, num) for k, (n, num) in ORG_NAMES.items()},
        owners={s: org for s, (org, _n, _d) in SYSTEMS.items()},
        systems={
            s: System(s, name, org, desc, frozenset({"NTJP-QA", "NTJP-PROD"}))
            for s, (org, name, desc) in SYSTEMS.items()
        },
        addresses=addresses,
        environments={b.env: b.state() for b in builders},
    )


def example_builder() -> Builder:
    """Desired NTJP-PROD of the bundled example."""
    b = Builder()
    b.org("inera").org("region-varmland").org("region-sormland", acknowledged_cascades=frozenset({KMT}))
    b.route("inera", WEBCERT, CDC3, URL_CDC3, {WEBCERT_LA: "Inera - Webcert"})
    b.route("inera", WEBCERT, LCQA3, URL_LCQA3, {WEBCERT_LA: "Inera - Webcert"})
    b.route("inera", WEBCERT, SMC2, URL_SMC2, {HVT: "Tolkcentralen Värmland"})
    b.grant("inera", WEBCERT, SMC2, [INTYG])
    b.route("region-varmland", PROXY, CSU3, URL_CSU3, {HVT: "Tolkcentralen Värmland"})
    b.route("region-varmland", COSMIC, PR1, URL_PR1, REMISS)
    b.route("region-varmland", COSMIC, PRC1, URL_PRC1, REMISS)
    b.route("region-varmland", COSMIC, PRO2, URL_PRO2, REMISS)
    for la in REMISS:
        b.address(la, REMISS[la], "VE")
    b.grant("region-varmland", PROXY, CSU3, [WEBCERT])
    b.authorize("region-varmland", COSMIC, [CDC3, LCQA3], [WEBCERT_LA])
    b.authorize("region-varmland", COSMIC, [PR1, PRC1, PRO2], ["*"])
    sormland = dict(CARE_GIVERS)
    sormland[CVG] = "VE: Sörmland - VC Familjedoktorerna Strängnäs"
    b.route("region-sormland", TP_SORM, GCC2, URL_GCC2, sormland)
    b.address(CVG, sormland[CVG], "VE")
    b.grant("region-sormland", TP_SORM, GCC2, [E1177], manage=True)
    return b


def example_desired() -> DesiredState:
    return desired_state(example_builder())


def example_snapshot() -> Snapshot:
    """Current NTJP-PROD of the bundled example: the desired rows with the listed differences."""
    routings: list[tuple[RoutingKey, RoutingValue]] = [
        ((WEBCERT_LA, CDC3), (WEBCERT, URL_CDC3, P21)),
        ((WEBCERT_LA, LCQA3), (WEBCERT, URL_LCQA3, P21)),
        ((TEST0008, PR1), (KRONOBERG_COSMIC, URL_KRONOBERG, P21)),
        ((NPO, GCC2), (TP_SORM, URL_GCC2_OLD, P21)),
        ((KMT, GCC2), (TP_SORM, URL_GCC2_OLD, P21)),
    ]
    for ns, url in ((PR1, URL_PR1), (PRC1, URL_PRC1), (PRO2, URL_PRO2)):
        routings += [((la, ns), (COSMIC, url, P21)) for la in REMISS]
    routings += [((la, GCC2), (TP_SORM, URL_GCC2_OLD, P21)) for la in CARE_GIVERS]
    auths: list[AuthorizationKey] = [
        (COSMIC, "*", PR1),
        (COSMIC, "*", PRC1),
        (COSMIC, "*", PRO2),
        (COSMIC, WEBCERT_LA, CDC3),
        (UPPSALA, WEBCERT_LA, CDC3),
        (E1177, KMT, GCC2),
        (COSMIC, "SE2321000032-1000", GCC2),
    ]
    auths += [(E1177, la, GCC2) for la in CARE_GIVERS]
    addresses = {WEBCERT_LA: "Inera - Webcert", "*": "Standardbehörighet", TEST0008: "Kronoberg - Cosmic"}
    addresses.update(REMISS)
    addresses.update(CARE_GIVERS)
    addresses[KMT] = "VG: Sörmland - Vår VC Katrineholm HB"
    addresses[NPO] = "Sörmland - NPÖ2 - NCS_Cross"
    # Proxy and Intygstjänsten have no row in the TAK yet: the export does not know them
    systems = {s: d for s, (_o, _n, d) in SYSTEMS.items() if s not in (PROXY, INTYG)}
    systems[UPPSALA] = "Landstinget i Uppsala län -- ejournalen"
    systems[KRONOBERG_COSMIC] = "Region Kronoberg -- Cosmic"
    return Snapshot.build(
        platform="NTJP",
        environment="PROD",
        snapshot_time="2025-01-20T02:31:07+0100",
        source="tak-api",
        routings=routings,
        authorizations=auths,
        logical_addresses=addresses,
        systems=systems,
        contracts=CONTRACTS,
    )


def example_hsa() -> HsaTree:
    """The HSA file of the example as parent links (DN ancestors)."""
    parents = {"SE2321000032-1000": "SE"}
    names = {"SE2321000032-1000": "Sörmlands landsting"}
    for la, name in CARE_GIVERS.items():
        parents[la] = "SE"
        names[la] = name.removeprefix("VG: ").removeprefix("Sörmland - ")
    parents[KMT] = "SE"
    names[KMT] = "Vår VC Katrineholm HB"
    parents[CVG] = "SE2321000032-4KMN"
    names[CVG] = "VC Familjedoktorerna Strängnäs"
    parents["SE2321000032-4KMU"] = KMT
    names["SE2321000032-4KMU"] = "Vår VC Katrineholm"
    parents["SE2321000032-4KMV"] = "SE2321000032-4KMU"
    names["SE2321000032-4KMV"] = "Vår VC Katrineholm BVC"
    parents["SE162321000156-0001"] = "SE"
    names["SE162321000156-0001"] = "Landstinget i Värmland"
    parents[HVT] = "SE162321000156-0001"
    names[HVT] = "Tolkcentralen Värmland"
    parents["SE162321000156-4CXH"] = "SE162321000156-0001"
    names["SE162321000156-4CXH"] = "Dagvårdsavdelningen barn- och ungdomsmedicin"
    return HsaTree(parents=parents, names=names, source="examples/hsa/hsacache.xml")


def remiss_builder() -> Builder:
    """Seed 3: electronic referral. Cosmic produces ProcessRequest* for three care units and holds a
    standardbehörighet (``*``) as consumer for the same contracts."""
    b = Builder()
    b.org("region-varmland", comment="Anslutning elektronisk remiss: standardbehörighet för Cosmic")
    b.route("region-varmland", COSMIC, PR1, URL_PR1, REMISS)
    b.route("region-varmland", COSMIC, PRC1, URL_PRC1, REMISS)
    b.route("region-varmland", COSMIC, PRO2, URL_PRO2, REMISS)
    b.authorize("region-varmland", COSMIC, [CDC3], [WEBCERT_LA])
    b.authorize("region-varmland", COSMIC, [PR1, PRC1, PRO2], ["*"])
    return b


def remiss_snapshot() -> Snapshot:
    """The example TAK before the electronic referral rows were ordered."""
    snap = example_snapshot()
    referral = (PR1, PRC1, PRO2)
    return Snapshot.build(
        platform=snap.platform,
        environment=snap.environment,
        snapshot_time=snap.snapshot_time,
        source=snap.source,
        routings=[(k, v) for k, v in snap.routings.items() if not (k[1] in referral and v[0] == COSMIC)],
        authorizations=[a for a in snap.authorizations if not (a[0] == COSMIC and a[2] in referral)],
        logical_addresses=snap.logical_addresses,
        systems=snap.systems,
        contracts=snap.contracts.values(),
    )

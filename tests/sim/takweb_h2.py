"""The rows TAK-web's own tests run against, re-created for the reference TAK.

Source: skltp/tak, ``tak-web/src/main/resources/data-h2.sql`` at commit b24fd1050f2b989605daac2adcb561b8bf31e77e
(the seed of ``BestallningServiceTests.java``). The same rows with the same ids (H2 numbers each table from 1 in
insert order; the contracts carry explicit ids 10-18), publication state (``pubVersion``), pending user
(``updatedBy``) and TAK's inverted ``deleted`` (``False`` -> live ``0``, ``None`` -> deleted). Users, settings,
filters and the published-version blobs are left out: order execution does not read them.
"""

from __future__ import annotations

from typing import Any

from tak_gitops.sim.db import Database

LIVE, DELETED = 0, None

# (id, namn, updatedBy, pubVersion, deleted)
RIVTAPROFIL = [
    (1, "RIVTABP20", None, "1", LIVE),
    (2, "RIVTABP21", None, "1", LIVE),
    (3, "RIVTABP30", "admin", "1", LIVE),
    (4, "RIVTABP40", "admin", None, LIVE),
    (5, "RIVTABP50", "admin", "1", DELETED),
    (6, "RIVTABP60", "skltp", None, LIVE),
    (7, "RIVTABP70", "admin", None, LIVE),
]

# (id, namnrymd, updatedBy, pubVersion)
TJANSTEKONTRAKT = [
    (10, "urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1", None, "1"),
    (11, "urn:riv:itinfra:tp:PingResponder:1", None, "1"),
    (12, "urn:riv:itintegration:registry:GetLogicalAddresseesByServiceContractResponder:1", None, "1"),
    (13, "urn:riv:itintegration:registry:GetSupportedServiceContractsResponder:1", None, "1"),
    (14, "urn:riv:itintegration:engagementindex:FindContentResponder:1", None, "1"),
    (15, "urn:riv:itintegration:engagementindex:ProcessNotificationResponder:1", None, "1"),
    (16, "urn:riv:itintegration:engagementindex:UpdateResponder:1", None, "1"),
    (17, "urn:riv:itintegration:registry:GetValidAffressResponder:1", "admin", None),
    (18, "urn:riv:itintegration:registry:UnpublishedContract:1", "skltp", None),
]

# (id, hsaId, updatedBy, pubVersion)
LOGISKADRESS = [
    (1, "HSA-VKK123", None, "1"),
    (2, "HSA-VKM345", None, "1"),
    (3, "HSA-VKY567", None, "1"),
    (4, "PING", None, "1"),
    (5, "5565594230", None, "1"),
    (6, "HSA-NYA-TEST-123", "admin", None),
    (7, "HSA-UNPUBLISHED-USER-SKLTP", "skltp", None),
]

# (id, hsaId, updatedBy, pubVersion)
TJANSTEKOMPONENT = [
    (1, "SCHEDULR", None, "1"),
    (2, "TP", None, "1"),
    (3, "PING-HSAID", None, "1"),
    (4, "EI-HSAID", None, "1"),
    (5, "VP-CACHAD-GETLOGICALADDRESSEESBYSERVICECONTRACT", None, "1"),
    (6, "5565594230", None, "1"),
    (7, "AGT-TIDBOK", None, "1"),
    (8, "HSA-NYA-TEST-123", "admin", None),
    (9, "HSA-NYA-UNPUBLISHED-SKLTP", "skltp", None),
]

# (id, adress, tjanstekomponent_id, rivTaProfil_id, updatedBy, pubVersion, deleted)
ANROPSADRESS = [
    (1, "http://33.33.33.33:8080/Schedulr-0.1/ws/GetSubjectOfCareSchedule/1", 1, 2, None, "1", LIVE),
    (2, "http://localhost:10000/test/Ping_Service", 2, 1, None, "1", LIVE),
    (3, "http://localhost:8081/skltp-ei/update-service/v1", 4, 2, None, "1", LIVE),
    (4, "http://localhost:8082/skltp-ei/find-content-service/v1", 4, 2, None, "1", LIVE),
    (5, "http://localhost:8081/skltp-ei/notification-service/v1", 4, 2, None, "1", LIVE),
    (6, "https://localhost:23001/vp/GetLogicalAddresseesByServiceContract/1/rivtabp21", 5, 2, None, "1", LIVE),
    (7, "http://localhost:8083/GetAggregatedSubjectOfCareSchedule/service/v1", 7, 2, None, "1", LIVE),
    (8, "http://localhost:8083/NyaServiceURL/service/v1", 4, 3, "admin", None, LIVE),
    (9, "http://unpublishedrivtaprofil:8083/NyaServiceURL/service/v1", 4, 1, "admin", None, LIVE),
    (10, "http://unpublishedrivtaprofil:8083/NyaServiceURL/service/v1", 4, 1, "skltp", None, DELETED),
    (11, "http://localhost:8088/NyaServiceURL/service/v1", 4, 2, None, "2", LIVE),
]

# (id, from, tom, logiskAdress_id, anropsAdress_id, tjanstekontrakt_id, updatedBy, pubVersion, deleted)
VAGVAL = [
    (1, "2013-05-24", "2113-05-24", 1, 1, 10, None, "1", LIVE),
    (2, "2013-05-24", "2113-05-24", 2, 1, 10, None, "1", LIVE),
    (3, "2013-05-24", "2113-05-24", 3, 1, 10, None, "1", LIVE),
    (4, "2013-05-28", "2113-05-28", 4, 2, 11, "admin", "1", DELETED),
    (5, "2013-08-24", "2113-08-24", 5, 6, 12, None, "1", LIVE),
    (6, "2013-08-24", "2113-08-24", 5, 4, 13, None, "1", LIVE),
    (7, "2013-08-24", "2113-08-24", 5, 5, 14, None, "1", LIVE),
    (8, "2013-08-24", "2113-08-24", 5, 3, 15, None, "1", LIVE),
    (9, "2013-08-24", "2113-08-24", 5, 7, 16, None, "1", LIVE),
    (10, "2013-08-24", "2113-08-24", 5, 7, 10, "admin", None, LIVE),
    (11, "2013-08-24", "2014-08-24", 5, 7, 11, "admin", "1", LIVE),
    (12, "2025-05-24", "2125-05-24", 1, 11, 11, None, "2", LIVE),
]

# (id, from, integrationsavtal, tom, logiskAdress_id, tjanstekonsument_id, tjanstekontrakt_id, updatedBy, pubVersion)
ANROPSBEHORIGHET = [
    (1, "2013-05-24", "I1", "2113-05-24", 1, 2, 10, None, "1"),
    (2, "2013-05-24", "I1", "2113-05-24", 2, 2, 10, None, "1"),
    (3, "2013-05-24", "I1", "2113-05-24", 3, 2, 10, None, "1"),
    (4, "2013-05-28", "I2", "2113-05-28", 4, 2, 11, None, "1"),
    (5, "2013-08-24", "EI", "2113-08-24", 5, 2, 12, None, "1"),
    (6, "2013-08-24", "I3", "2113-08-24", 5, 2, 11, None, "1"),
    (7, "2013-08-24", "EI", "2113-08-24", 5, 2, 13, None, "1"),
    (8, "2013-08-25", "I4", "2113-08-25", 5, 2, 14, None, "1"),
    (9, "2013-08-25", "Nya_I", "2113-08-25", 6, 8, 17, "admin", None),
    (10, "2025-05-24", "I1", "2125-05-24", 1, 2, 11, None, "2"),
]


def seed_tak_web_h2(db: Database) -> None:
    """Load the rows above into an empty reference TAK."""
    with db.transaction() as conn:

        def insert(table: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
            marks = ", ".join("?" * len(rows[0]))
            conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)

        insert("rivtaprofil", "id, namn, updatedBy, pubVersion, deleted", RIVTAPROFIL)
        insert(
            "tjanstekontrakt",
            "id, namnrymd, updatedBy, pubVersion, majorVersion, deleted",
            [(*r, 1, LIVE) for r in TJANSTEKONTRAKT],
        )
        for table, rows in (("logiskadress", LOGISKADRESS), ("tjanstekomponent", TJANSTEKOMPONENT)):
            insert(table, "id, hsaId, updatedBy, pubVersion, deleted", [(*r, LIVE) for r in rows])
        insert(
            "anropsadress",
            "id, adress, tjanstekomponent_id, rivTaProfil_id, updatedBy, pubVersion, deleted",
            ANROPSADRESS,
        )
        insert(
            "vagval",
            "id, fromTidpunkt, tomTidpunkt, logiskAdress_id, anropsAdress_id, tjanstekontrakt_id, updatedBy, "
            "pubVersion, deleted",
            VAGVAL,
        )
        insert(
            "anropsbehorighet",
            "id, fromTidpunkt, integrationsavtal, tomTidpunkt, logiskAdress_id, tjanstekonsument_id, "
            "tjanstekontrakt_id, updatedBy, pubVersion, deleted",
            [(*r, LIVE) for r in ANROPSBEHORIGHET],
        )


def dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every versioned table, for before/after comparisons."""
    tables = (
        "rivtaprofil",
        "tjanstekontrakt",
        "logiskadress",
        "tjanstekomponent",
        "anropsadress",
        "vagval",
        "anropsbehorighet",
    )
    with db.transaction() as conn:
        return {t: [tuple(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY id")] for t in tables}

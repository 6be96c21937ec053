"""TAK-web's own order tests, run against the reference TAK seeded as TAK-web's tests are.

Each test re-creates one test of skltp/tak
``tak-web/src/test/java/se/skltp/tak/web/service/BestallningServiceTests.java`` at commit
b24fd1050f2b989605daac2adcb561b8bf31e77e (named in its docstring) and asserts what that test asserts, often more
exactly. The orders are :mod:`takweb_orders` (the ``bestallning-test-*.json`` fixtures), the rows
:mod:`takweb_h2` (``data-h2.sql``). TAK-web's tests mock ``ConfigurationService``, so no platform is checked
there; here the instance's platform is the fixtures' ``SKLTP-TEST``. ``buildBestallningsData`` is
:func:`~tak_gitops.sim.execute.run` over a repository (reads only), ``execute`` writes. Every test starts from a
freshly seeded database.

``testBestallningsDataHashes`` is not re-created: it checks Java ``hashCode`` values that TAK-web's confirmation
page compares, which the reference TAK has no counterpart for.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from takweb_h2 import dump, seed_tak_web_h2
from takweb_orders import ACTIVITIES, PING, SCHEDULE, SUPPORTED, text

from tak_gitops.sim.clock import DEFAULT_ZONE
from tak_gitops.sim.db import Database, SqliteRepository
from tak_gitops.sim.execute import OrderParseError, Outcome, execute, parse_order, run
from tak_gitops.sim.report import render

PLATFORM = "SKLTP-TEST"
USER = "TEST_USER"
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=DEFAULT_ZONE)


@pytest.fixture
def h2() -> Database:
    db = Database(":memory:")
    seed_tak_web_h2(db)
    return db


def build(db: Database, name: str, platform: str = PLATFORM) -> Outcome:
    """``buildBestallningsData``: the phases over the database, nothing written."""
    with db.transaction() as conn:
        return run(SqliteRepository(conn), text(name), user=USER, platform=platform, zone=DEFAULT_ZONE)


def executed(db: Database, name: str) -> Outcome:
    """``buildBestallningsData`` then ``execute``."""
    return execute(db, text(name), user=USER, platform=PLATFORM, zone=DEFAULT_ZONE, now=NOW)


def groups(outcome: Outcome, section: str) -> dict[str, int]:
    """The report groups TAK-web's ``BestallningsRapport`` would hold (only those with lines), with their sizes."""
    assert outcome.report is not None
    lines = getattr(outcome.report, section)
    return {group: len(items) for group, items in lines.items() if items}


def one(db: Database, sql: str, *params: object) -> tuple[object, ...]:
    with db.transaction() as conn:
        row = conn.execute(sql, params).fetchone()
    assert row is not None
    return tuple(row)


# --- parsing -------------------------------------------------------------------------------------------------


def test_empty_string_throws_illegal_argument_exception() -> None:
    """testEmptyStringThrowsIllegalArgumentException: "" is no order."""
    with pytest.raises(OrderParseError, match="does not contain JSON object"):
        parse_order("")


def test_empty_json_throws_illegal_argument_exception() -> None:
    """testEmptyJsonThrowsIllegalArgumentException: "{}" lacks the mandatory ``plattform``."""
    with pytest.raises(OrderParseError, match="missing mandatory field: plattform"):
        parse_order("{}")


def test_parse_metadata() -> None:
    """testParseMetadata: the metadata fields are read as written."""
    order = parse_order(
        '{ "plattform" : "SKLTP-TEST", "formatVersion" : 1.0, "version" : 1, '
        '"bestallningsTidpunkt" : "2022-05-22T12:00:01+0000", "genomforandeTidpunkt" : "2022-05-24T12:00:01+0000",'
        '"utforare" : "TEST", "kommentar" : "HEJ" }'
    )
    assert (order.plattform, order.format_version, order.version, order.utforare, order.kommentar) == (
        "SKLTP-TEST",
        1.0,
        1,
        "TEST",
        "HEJ",
    )
    assert order.bestallning is not None and order.genomforande is not None
    assert order.bestallning.isoformat() == "2022-05-22T12:00:01+00:00"
    assert order.genomforande.isoformat() == "2022-05-24T12:00:01+00:00"


# --- bestallning-test-simple.json ------------------------------------------------------------------------


def test_build_bestallnings_data(h2: Database) -> None:
    """testBuildBestallningsData: the simple order builds without errors."""
    outcome = build(h2, "simple")
    assert (outcome.kind, outcome.errors) == ("report", [])


def test_build_bestallnings_data_check_platform(h2: Database) -> None:
    """testBuildBestallningsDataCheckPlatform: the instance's platform SKLTP-TEST accepts the order."""
    assert build(h2, "simple", platform="SKLTP-TEST").errors == []


def test_build_bestallnings_data_wrong_platform(h2: Database) -> None:
    """testBuildBestallningsDataWrongPlatform: exactly one error for another instance's platform."""
    outcome = build(h2, "simple", platform="ANOTHER-PLATFORM")
    assert outcome.errors == [
        "Beställningen avser plattform SKLTP-TEST, men den här instansen av tak-web hanterar ANOTHER-PLATFORM."
    ]


def test_bestallnings_rapport(h2: Database) -> None:
    """testBestallningsRapport: 7 metadata lines, the inkludera group sizes, no exkludera group, and the
    contract and HSA-ids in the text."""
    outcome = build(h2, "simple")
    assert outcome.report is not None
    assert len(outcome.report.metadata) == 7
    assert groups(outcome, "inkludera") == {
        "Logiska adresser": 1,
        "Tjänstekomponenter": 2,
        "Tjänstekontrakt": 1,
        "Anropsbehörigheter": 1,
        "Vägval": 1,
    }
    assert groups(outcome, "exkludera") == {}
    assert render(outcome) == "\n".join(
        [
            "Plattform: SKLTP-TEST",
            "Format Version: 1.0",
            "Version: 1",
            "Beställningstidpunkt: Sun May 22 14:00:01 CEST 2022",
            "Genomförandetidpunkt: Wed Dec 14 13:00:00 CET 2022",
            "Utförare: test",
            "Kommentar: ",
            "",
            "Inkludera:",
            "Logiska adresser:",
            "Nyskapad: TEST-001",
            "Tjänstekomponenter:",
            "Nyskapad: PROD-001",
            "Nyskapad: KONS-001",
            "Tjänstekontrakt:",
            f"Nyskapad: {ACTIVITIES}",
            "Anropsbehörigheter:",
            f"Nyskapad: TEST-001 - KONS-001 - {ACTIVITIES}  (2022-12-14 - 2122-12-14)",
            "Vägval:",
            f"Nyskapad: TEST-001 - {ACTIVITIES} - PROD-001 - RIVTABP21 - https://test.se (2022-12-14 - 2122-12-14)",
            "",
            "Exkludera:",
            "",
        ]
    )


def test_execute_bestallnings_data(h2: Database) -> None:
    """testExecuteBestallningsData: after execution the contract, address, both components, one authorization and
    one routing exist."""
    assert executed(h2, "simple").ok
    assert one(h2, "SELECT COUNT(*) FROM tjanstekontrakt WHERE namnrymd = ? AND deleted = 0", ACTIVITIES) == (1,)
    assert one(h2, "SELECT COUNT(*) FROM logiskadress WHERE hsaId = 'TEST-001' AND deleted = 0") == (1,)
    assert one(h2, "SELECT COUNT(*) FROM tjanstekomponent WHERE hsaId IN ('PROD-001', 'KONS-001')") == (2,)
    assert one(
        h2,
        """SELECT COUNT(*) FROM anropsbehorighet b JOIN logiskadress l ON l.id = b.logiskAdress_id
           JOIN tjanstekomponent k ON k.id = b.tjanstekonsument_id JOIN tjanstekontrakt c ON c.id = b.tjanstekontrakt_id
           WHERE l.hsaId = 'TEST-001' AND k.hsaId = 'KONS-001' AND c.namnrymd = ? AND b.deleted = 0""",
        ACTIVITIES,
    ) == (1,)
    assert one(
        h2,
        """SELECT COUNT(*) FROM vagval v JOIN logiskadress l ON l.id = v.logiskAdress_id
           JOIN tjanstekontrakt c ON c.id = v.tjanstekontrakt_id
           WHERE l.hsaId = 'TEST-001' AND c.namnrymd = ? AND v.deleted = 0""",
        ACTIVITIES,
    ) == (1,)


# --- validation fixtures ---------------------------------------------------------------------------------


def test_build_bestallnings_data_missing_url(h2: Database) -> None:
    """testBuildBestallningsDataMissingUrl: one error, the routing without ``adress``."""
    assert build(h2, "missing-url").errors == [
        "Det saknas information i beställningen för att kunna skapa Vägval. (Logisk adress: TEST-001, "
        f"Tjänstekontrakt: {ACTIVITIES}, Tjänstekomponent: PROD-001, RivTaProfil: RIVTABP21, Adress: null)"
    ]


def test_build_bestallnings_data_with_empty_fields(h2: Database) -> None:
    """testBuildBestallningsDataWithEmptyFields: three errors, one per empty key."""
    assert build(h2, "empty-fields").errors == [
        "Skapa Logisk Adress: HSA-ID får inte vara tomt",
        "Skapa Tjänstekomponent: HSA-ID får inte vara tomt",
        "Skapa Tjänstekontrakt: Namnrymd får inte vara tom",
    ]


def test_build_bestallnings_data_with_empty_address(h2: Database) -> None:
    """testBuildBestallningsDataWithEmptyAddress: exactly one error, containing "Adress får inte vara tom"."""
    assert build(h2, "empty-address").errors == ["Skapa Vägval: Adress får inte vara tom"]


def test_build_bestallnings_data_duplicates(h2: Database) -> None:
    """testBuildBestallningsDataDuplicates: four errors (authorization, routing, component, logical address)."""
    assert build(h2, "duplicates").errors == [
        f"Anropsbehörigheten [TEST-001, KONS-001, {ACTIVITIES}] får inte finnas på flera ställen i beställningen.",
        f"Vägvalet [TEST-001, {ACTIVITIES}] får inte finnas på flera ställen i beställningen.",
        "Tjänstekomponenten [KONS-001] får inte finnas på flera ställen i beställningen.",
        "Den logiska adressen [TEST-001] får inte finnas på flera ställen i beställningen.",
    ]


def test_build_bestallnings_data_missing_relations(h2: Database) -> None:
    """testBuildBestallningsDataMissingRelations: seven errors; the producer exists but is skltp's unpublished
    row."""
    assert build(h2, "missing-relations").errors == [
        "Skapa Anropsbehörighet: Tjänstekomponent med HSAId = NY-KONSUMENT finns inte.",
        "Skapa Anropsbehörighet: Tjänstekontrakt med namnrymd = urn:riv:a:b:c:UnknownContractResponder:2 finns inte.",
        "Skapa Anropsbehörighet: Logisk Adress med HSAId = NY-LOGISK-ADRESS finns inte.",
        "Skapa Vägval: RivTaProfil med namn = RIVTABP99 finns inte.",
        "Skapa Vägval: Tjänstekomponent med HSAId = HSA-NYA-UNPUBLISHED-SKLTP är opublicerad och skapad av skltp.",
        "Skapa Vägval: Logisk Adress med HSAId = NY-LOGISK-ADRESS finns inte.",
        "Skapa Vägval: Tjänstekontrakt med namnrymd = urn:riv:a:b:c:UnknownContractResponder:2 finns inte.",
    ]


# --- exkludera -------------------------------------------------------------------------------------------


def test_build_bestallnings_data_exkludera(h2: Database) -> None:
    """testBuildBestallningsDataExkludera: ending rows that started before D builds without errors."""
    outcome = build(h2, "exkludera_deaktivera")
    assert (outcome.kind, outcome.errors) == ("report", [])


def test_build_bestallnings_data_exkludera_no_error_if_missing(h2: Database) -> None:
    """testBuildBestallningsDataExkluderaNoErrorIfMissing: excluding what does not exist is no error."""
    outcome = build(h2, "exkludera-missing")
    assert (outcome.kind, outcome.errors) == ("report", [])


def test_build_bestallnings_data_exkludera_delete_plain_objekts(h2: Database) -> None:
    """testBuildBestallningsDataExkluderaDeletePlainObjekts: exkludera logical addresses, components and
    contracts are dropped (no group); authorizations and routings are reported."""
    outcome = build(h2, "exkludera-missing")
    assert groups(outcome, "exkludera") == {"Anropsbehörigheter": 1, "Vägval": 1}
    assert outcome.report is not None
    assert outcome.report.exkludera["Anropsbehörigheter"][0].status == "Existerar ej"
    # the routing of the fixture matches on (address, contract) only: row 6 exists and is ended at D - 1
    assert [(x.status, x.value) for x in outcome.report.exkludera["Vägval"]] == [
        (
            "Deaktiverad",
            f"5565594230 - {SUPPORTED} - EI-HSAID - RIVTABP21 - http://localhost:8082/skltp-ei/find-content-service/v1 "
            "(2013-08-24 - 2022-12-13)",
        )
    ]


def test_execute_bestallnings_data_exkludera(h2: Database) -> None:
    """testExecuteBestallningsDataExkludera: authorization 7 and routing 6 stay, not deleted, ended before
    today."""
    assert executed(h2, "exkludera_deaktivera").ok
    today = date.today().isoformat()
    for table, ident in (("anropsbehorighet", 7), ("vagval", 6)):
        deleted, tom = one(h2, f"SELECT deleted, tomTidpunkt FROM {table} WHERE id = ?", ident)
        assert deleted == 0
        assert isinstance(tom, str) and tom < today
        assert tom == "2022-12-13"


def test_do_not_save_deleted_after_build_bestallnings_data(h2: Database) -> None:
    """testDoNotSaveDeletedAfterBuildBestallningsData: building an order that removes authorization 10 and
    routing 12 (not started by D) leaves them in the database."""
    before = dump(h2)
    outcome = build(h2, "exkludera_delete")
    assert outcome.report is not None
    assert [x.status for x in outcome.report.exkludera["Anropsbehörigheter"] + outcome.report.exkludera["Vägval"]] == [
        "Borttagen",
        "Borttagen",
    ]
    assert dump(h2) == before
    assert one(h2, "SELECT deleted FROM anropsbehorighet WHERE id = 10") == (0,)
    assert one(h2, "SELECT deleted FROM vagval WHERE id = 12") == (0,)


def test_do_not_save_deaktiverad_after_build_bestallnings_data(h2: Database) -> None:
    """testDoNotSaveDeakvideradAfterBuildBestallningsData: building leaves the tom dates of 7 and 6 as they were."""
    before = dump(h2)
    assert build(h2, "exkludera_deaktivera").ok
    assert dump(h2) == before
    assert one(h2, "SELECT tomTidpunkt FROM anropsbehorighet WHERE id = 7") == ("2113-08-24",)
    assert one(h2, "SELECT tomTidpunkt FROM vagval WHERE id = 6") == ("2113-08-24",)


# --- updates of existing rows ----------------------------------------------------------------------------


def test_do_not_save_changed_after_build_bestallnings_data(h2: Database) -> None:
    """testDoNotSaveChangedAfterBuildBestallningsData: re-including 7 and 6 leaves their tom dates until
    execution."""
    before = dump(h2)
    outcome = build(h2, "update-vagval")
    assert outcome.report is not None
    assert [x.status for x in outcome.report.inkludera["Anropsbehörigheter"] + outcome.report.inkludera["Vägval"]] == [
        "Uppdaterad",
        "Uppdaterad",
    ]
    assert dump(h2) == before


def test_do_not_save_changed_after_build_bestallnings_data_1(h2: Database) -> None:
    """testDoNotSaveChangedAfterBuildBestallningsData1: authorization 1 and routing 1 keep their tom dates."""
    before = dump(h2)
    assert build(h2, "update-vagval1").ok
    assert dump(h2) == before
    assert one(h2, "SELECT tomTidpunkt FROM anropsbehorighet WHERE id = 1") == ("2113-05-24",)
    assert one(h2, "SELECT tomTidpunkt FROM vagval WHERE id = 1") == ("2113-05-24",)


def test_bestallnings_rapport_for_updated_vagval(h2: Database) -> None:
    """testBestallningsRapportForUpdatedVagval: one authorization line, two routing lines (the old one ended, the
    new one created), no other group; the contract, HSA-VKK123 and SCHEDULR in the text."""
    outcome = build(h2, "update-vagval1")
    assert outcome.report is not None
    assert len(outcome.report.metadata) == 7
    assert groups(outcome, "inkludera") == {"Anropsbehörigheter": 1, "Vägval": 2}
    assert groups(outcome, "exkludera") == {}
    assert [(x.status, x.value) for x in outcome.report.inkludera["Vägval"]] == [
        (
            "Deaktiverad",
            f"HSA-VKK123 - {SCHEDULE} - SCHEDULR - RIVTABP21 - "
            "http://33.33.33.33:8080/Schedulr-0.1/ws/GetSubjectOfCareSchedule/1 (2013-05-24 - 2023-01-23)",
        ),
        (
            "Nyskapad",
            f"HSA-VKK123 - {SCHEDULE} - SCHEDULR - RIVTABP21 - http://33.33.33.33:8080/ny-url "
            "(2023-01-24 - 2123-01-24)",
        ),
    ]
    report = render(outcome)
    assert all(part in report for part in (SCHEDULE, "HSA-VKK123", "SCHEDULR"))


def test_do_not_save_changed_after_build_bestallnings_data_2(h2: Database) -> None:
    """testDoNotSaveChangedAfterBuildBestallningsData2: authorization 10 and routing 12, not started by D, keep
    their from and tom dates until execution (then from moves back to D)."""
    before = dump(h2)
    outcome = build(h2, "update-vagval2")
    assert outcome.report is not None
    assert [x.value for x in outcome.report.inkludera["Anropsbehörigheter"]] == [
        f"HSA-VKK123 - TP - {PING}  (2023-01-24 - 2123-01-24)"
    ]
    assert dump(h2) == before
    assert one(h2, "SELECT fromTidpunkt, tomTidpunkt FROM anropsbehorighet WHERE id = 10") == (
        "2025-05-24",
        "2125-05-24",
    )
    assert one(h2, "SELECT fromTidpunkt, tomTidpunkt FROM vagval WHERE id = 12") == ("2025-05-24", "2125-05-24")


def test_do_not_save_changed_after_build_bestallnings_data_annan_anrops_adress(h2: Database) -> None:
    """testDoNotSaveChangedAfterBuildBestallningsData_AnnanAnropsAdress: a routing to another call address
    removes routing 12 and its call address 11 only when executed."""
    outcome = build(h2, "update-vagval3")
    assert outcome.report is not None
    assert [x.status for x in outcome.report.inkludera["Vägval"]] == ["Borttagen", "Nyskapad"]
    assert one(
        h2, "SELECT v.deleted, a.deleted FROM vagval v JOIN anropsadress a ON a.id = v.anropsAdress_id WHERE v.id = 12"
    ) == (0, 0)
    # executed, both go (the call address had no other routing), and the call address the new routing uses is
    # saved with the user's name (BestallningService.execute updates every call address the order holds)
    assert executed(h2, "update-vagval3").ok
    assert one(
        h2, "SELECT v.deleted, a.deleted FROM vagval v JOIN anropsadress a ON a.id = v.anropsAdress_id WHERE v.id = 12"
    ) == (None, None)
    assert one(h2, "SELECT updatedBy, pubVersion FROM anropsadress WHERE id = 7") == (USER, "1")

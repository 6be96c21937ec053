"""The reference TAK where it follows TAK-web's sources closely, one test per rule, each naming the skltp/tak file
(commit b24fd1050f2b989605daac2adcb561b8bf31e77e, ``tak-web/src/main/java/se/skltp/tak/web/``) it follows."""

from __future__ import annotations

import json
from datetime import tzinfo
from zoneinfo import ZoneInfo

from simdata import (
    CDC3,
    CDC3_URL,
    COSMIC,
    GCC2,
    INTYG,
    KML,
    KMT,
    SORMLAND_TP,
    WEBCERT,
    WEBCERT_LA,
    behorighet,
    example_snapshot,
    order,
    vagval,
)

from tak_gitops.sim.clock import DEFAULT_ZONE, FixedClock
from tak_gitops.sim.db import Database
from tak_gitops.sim.execute import Outcome, execute, parse_order
from tak_gitops.sim.publish import publish
from tak_gitops.sim.report import render
from tak_gitops.sim.seed import seed_from_snapshot


def run(db: Database, text: str, clock: FixedClock, zone: tzinfo = DEFAULT_ZONE) -> Outcome:
    return execute(db, text, user="admin", platform="NTJP-PROD", zone=zone, now=clock.now())


def test_an_empty_url_gives_one_error_a_blank_one_two(tak: Database, clock: FixedClock) -> None:
    """validator/EntityValidator.java, validateAnropsadress: rejectIfWrongLength names a length of 0 with the
    ``empty`` code; rejectIfEmptyOrWhitespace never fires (BestallningEntityErrors.getFieldValue answers the
    Field, not its value), so a blank URL fails the content and length rules instead."""
    empty = run(tak, order(inkludera={"vagval": [vagval(KML, CDC3, WEBCERT, "")]}), clock)
    assert empty.errors == ["Skapa Vägval: Adress får inte vara tom"]
    blank = run(tak, order(inkludera={"vagval": [vagval(KML, CDC3, WEBCERT, "   ")]}), clock)
    assert blank.errors == ["Skapa Vägval: Adress har ogiltigt innehåll", "Skapa Vägval: Adress har felaktig längd"]


def test_only_groups_with_lines_are_reported(tak: Database, clock: FixedClock) -> None:
    """dto/bestallning/BestallningsRapport.java, buildAvsnitt: a group is put into the section only when it has
    lines; toString prints the section headings always."""
    body = render(run(tak, order(inkludera={"anropsbehorigheter": [behorighet(INTYG, KML, GCC2)]}), clock))
    assert body.split("\n\n", 1)[1] == (
        f"Inkludera:\nAnropsbehörigheter:\nNyskapad: {KML} - {INTYG} - {GCC2}  (2025-05-21 - 2125-05-21)\n\n"
        "Exkludera:\n"
    )


def test_items_that_are_not_there_use_tak_webs_item_wording(tak: Database, clock: FixedClock) -> None:
    """dto/bestallning/VagvalBestallning.java and AnropsbehorighetBestallning.java, toString; used by
    BestallningsRapport.getReportData ("Existerar ej") and BestallningsDataValidator.validateHasRequiredFields."""
    text = order(
        exkludera={"vagval": [vagval(KML, CDC3, WEBCERT, None)], "anropsbehorigheter": [behorighet(INTYG, KMT, CDC3)]}
    )
    body = render(run(tak, text, clock))
    assert f"Existerar ej: Logisk adress: {KMT}, Tjänstekonsument: {INTYG}, Tjänstekontrakt: {CDC3}\n" in body
    assert (
        f"Existerar ej: Logisk adress: {KML}, Tjänstekontrakt: {CDC3}, Tjänstekomponent: {WEBCERT}, "
        "RivTaProfil: RIVTABP21, Adress: null\n"
    ) in body


def test_kommentar_is_cleaned_as_json_utils_does() -> None:
    """util/JsonUtils.java, cleanupString (JsonBestallning.setKommentar): null becomes "", trimmed, a newline
    becomes a space, carriage returns go, cut to 254 characters only when over 255."""
    assert parse_order(order(kommentar=None)).kommentar == ""
    assert parse_order(order(kommentar=" rad 1\r\nrad 2 ")).kommentar == "rad 1 rad 2"
    assert parse_order(order(kommentar="x" * 255)).kommentar == "x" * 255
    assert parse_order(order(kommentar="x" * 256)).kommentar == "x" * 254
    missing = {k: v for k, v in json.loads(order()).items() if k != "kommentar"}
    assert parse_order(json.dumps(missing)).kommentar == ""  # TAK-web writes it back as null and reads ""


def test_report_time_stamps_are_java_date_strings(tak: Database, clock: FixedClock) -> None:
    """dto/bestallning/BestallningsRapport.java, buildMetadata: ``getBestallningsTidpunkt().toString()``, a
    java.util.Date in the JVM's zone."""
    body = render(run(tak, order(), clock))
    assert (
        "Beställningstidpunkt: Tue May 20 09:05:53 CEST 2025\nGenomförandetidpunkt: Wed May 21 08:00:00 CEST 2025\n"
        in body
    )
    utc = render(run(tak, order(), clock, zone=ZoneInfo("UTC")))
    assert "Genomförandetidpunkt: Wed May 21 06:00:00 UTC 2025\n" in utc


def test_authorization_lines_have_two_spaces_before_the_dates(tak: Database, clock: FixedClock) -> None:
    """dto/bestallning/BestallningsRapport.java, transformToString(Anropsbehorighet): ``namnrymd + "  " + "("``;
    a routing line has one space (transformToString(Vagval))."""
    body = render(run(tak, order(inkludera={"anropsbehorigheter": [behorighet(INTYG, KML, GCC2)]}), clock))
    assert f"{GCC2}  (2025-05-21 - 2125-05-21)" in body


def test_plain_objects_are_trimmed_and_truncated_not_rejected(tak: Database, clock: FixedClock) -> None:
    """dto/bestallning/LogiskadressBestallning.java (and Tjanstekomponent-, TjanstekontraktBestallning):
    setHsaId, setNamnrymd and setBeskrivning go through JsonUtils.cleanupString."""
    text = order(
        inkludera={
            "logiskadresser": [{"hsaId": "  SE2321000032-4ZZZ\n", "beskrivning": "d" * 300}],
            "tjanstekomponenter": [{"hsaId": "SE2321000032-COMP"}],
        }
    )
    outcome = run(tak, text, clock)
    assert outcome.ok, outcome.errors
    with tak.transaction() as conn:
        la = conn.execute("SELECT hsaId, beskrivning FROM logiskadress WHERE hsaId = 'SE2321000032-4ZZZ'").fetchone()
        comp = conn.execute("SELECT beskrivning FROM tjanstekomponent WHERE hsaId = 'SE2321000032-COMP'").fetchone()
    assert (la["hsaId"], la["beskrivning"]) == ("SE2321000032-4ZZZ", "d" * 254)
    assert comp["beskrivning"] == ""


def test_a_referenced_call_address_is_the_users_pending_change(tak: Database, clock: FixedClock) -> None:
    """service/BestallningService.java, execute: ``anropsAdressService.update(aa, userName)`` for every call
    address of the order, an existing one too (EntityServiceBase.update sets updatedBy); it is then published
    with the user's other pending changes."""
    assert run(tak, order(inkludera={"vagval": [vagval(WEBCERT_LA, CDC3, WEBCERT, CDC3_URL)]}), clock).ok
    sql = "SELECT updatedBy, pubVersion FROM anropsadress WHERE adress = ?"
    with tak.transaction() as conn:
        assert tuple(conn.execute(sql, (CDC3_URL,)).fetchone()) == ("admin", "1")
    version = publish(tak, "admin", clock=clock)
    with tak.transaction() as conn:
        assert tuple(conn.execute(sql, (CDC3_URL,)).fetchone()) == (None, str(version))


def test_a_change_on_the_day_a_row_starts_ends_it_the_day_before(tak: Database, clock: FixedClock) -> None:
    """service/BestallningService.java, deactivateVagval and prepareAnropsbehorighetForDelete: a row is removed
    only when D is *before* its from date (``getFromDate().before(...)``); on its first day it is ended with
    tom = D - 1, one day before its from date, and TAK-web saves it so (no validation on this path)."""
    assert run(tak, order(inkludera={"vagval": [vagval(KMT, CDC3, SORMLAND_TP, "https://a.example.se/x")]}), clock).ok
    moved = order(inkludera={"vagval": [vagval(KMT, CDC3, SORMLAND_TP, "https://b.example.se/y")]})
    body = render(run(tak, moved, clock))
    assert (
        f"Deaktiverad: {KMT} - {CDC3} - {SORMLAND_TP} - RIVTABP21 - https://a.example.se/x (2025-05-21 - 2025-05-20)"
        in body
    )


def test_d_is_taken_in_the_tak_zone(tak: Database, clock: FixedClock) -> None:
    """dto/bestallning/BestallningsData.java: ``new SimpleDateFormat("yyyy-MM-dd").format(genomforandeTidpunkt)``
    in the JVM's default zone (``sim serve --zone``)."""
    late = order(
        genomforande="2025-05-20T23:30:00+0000", inkludera={"anropsbehorigheter": [behorighet(COSMIC, KML, GCC2)]}
    )
    assert "(2025-05-21 - 2125-05-21)" in render(run(tak, late, clock))
    other = Database(":memory:")
    seed_from_snapshot(other, example_snapshot(), moment=clock.now())
    assert "(2025-05-20 - 2125-05-20)" in render(run(other, late, clock, zone=ZoneInfo("UTC")))

"""TAK-web's ``BestallningService``: the phases of one order over a :class:`~tak_gitops.sim.execute.data.Repository`
(a phase runs only when the earlier ones found no error; errors inside a phase accumulate), then the write.

1. platform: ``plattform`` must equal this instance's platform;
2. duplicates across ``inkludera`` + ``exkludera``, routing and authorization ends (``exkludera``), and the plain
   objects (logical addresses, components, contracts) to create;
3. required fields, then references of every ``inkludera`` authorization and routing, and the call address;
4. routing and authorization starts (``inkludera``) with TAK's date rules;
5. the report.

Dates: D is the date of ``genomforandeTidpunkt`` in the instance's time zone, T = D + 100 years.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta, tzinfo

from tak_gitops.sim.db import (
    CreateAnropsadress,
    CreateBehorighet,
    CreatePlain,
    CreateVagval,
    Database,
    SetDates,
    SoftDelete,
    SqliteRepository,
    Touch,
    VagvalRow,
)
from tak_gitops.sim.execute import validator as v
from tak_gitops.sim.execute.data import Outcome, Repository, RunState, plus_years
from tak_gitops.sim.execute.entity import validate_adress, validate_beskrivning, validate_hsa, validate_namnrymd
from tak_gitops.sim.execute.order import Order, OrderParseError, PlainItem, VagvalItem
from tak_gitops.sim.execute.parse import parse_order
from tak_gitops.sim.execute.rapport import Report, ReportLine, Status, behorighet_text, metadata, vagval_text

PLATFORM_MISMATCH = "Beställningen avser plattform {order}, men den här instansen av tak-web hanterar {instance}."


def _vagval_line(status: Status, row: VagvalRow, tom: date) -> ReportLine:
    text = vagval_text(
        row.logisk_adress, row.tjanstekontrakt, row.tjanstekomponent, row.rivtaprofil, row.adress, row.from_date, tom
    )
    return ReportLine(status, text)


def deactivate_vagval(st: RunState, row: VagvalRow) -> ReportLine:
    """End a routing at D (``deactivateVagval``): soft delete when it has not started (and its call address when
    nothing else uses it), else tom = D - 1."""
    if st.d < row.from_date:
        st.changes.append(SoftDelete("vagval", row.id))
        st.deleted_vagval.add(row.id)
        others = [i for i in st.repo.live_vagval_ids_using(row.anropsadress_id) if i not in st.deleted_vagval]
        if not others:
            st.changes.append(SoftDelete("anropsadress", row.anropsadress_id))
        return _vagval_line("Borttagen", row, row.tom_date)
    tom = st.d - timedelta(days=1)
    st.changes.append(SetDates("vagval", row.id, row.from_date, tom))
    return _vagval_line("Deaktiverad", row, tom)


def prepare_for_delete(order: Order, st: RunState, report: Report) -> None:
    """``prepareVagvalForDelete`` and ``prepareAnropsbehorighetForDelete`` for every ``exkludera`` item
    (``exkludera`` components, contracts and logical addresses are ignored)."""
    for vv in order.exkludera.vagval:
        rows = (
            st.repo.overlapping_vagval(vv.logisk_adress, vv.tjanstekontrakt, st.d, st.t)
            if vv.logisk_adress is not None and vv.tjanstekontrakt is not None
            else []
        )
        if not v.validate_dubblett(rows, st.errors):
            continue
        report.exkludera["Vägval"].append(
            deactivate_vagval(st, rows[0]) if rows else ReportLine("Existerar ej", vv.text())
        )

    for ab in order.exkludera.anropsbehorigheter:
        brows = (
            st.repo.overlapping_behorighet(ab.logisk_adress, ab.tjanstekonsument, ab.tjanstekontrakt, st.d, st.t)
            if ab.logisk_adress is not None and ab.tjanstekonsument is not None and ab.tjanstekontrakt is not None
            else []
        )
        if not v.validate_dubblett(brows, st.errors):
            continue
        if not brows:
            report.exkludera["Anropsbehörigheter"].append(ReportLine("Existerar ej", ab.text()))
            continue
        b = brows[0]
        status: Status
        if st.d < b.from_date:
            st.changes.append(SoftDelete("anropsbehorighet", b.id))
            status, tom = "Borttagen", b.tom_date
        else:
            tom = st.d - timedelta(days=1)
            st.changes.append(SetDates("anropsbehorighet", b.id, b.from_date, tom))
            status = "Deaktiverad"
        text = behorighet_text(b.logisk_adress, b.tjanstekonsument, b.tjanstekontrakt, b.from_date, tom)
        report.exkludera["Anropsbehörigheter"].append(ReportLine(status, text))


_PLAIN_GROUPS = (
    ("logiskadress", "Logiska adresser", "Skapa Logisk Adress: "),
    ("tjanstekomponent", "Tjänstekomponenter", "Skapa Tjänstekomponent: "),
    ("tjanstekontrakt", "Tjänstekontrakt", "Skapa Tjänstekontrakt: "),
)


def _entity_problems(table: str, item: PlainItem) -> list[str]:
    if table == "tjanstekontrakt":
        return validate_namnrymd(item.key) + validate_beskrivning(item.beskrivning)
    return validate_hsa(item.key, allow_star=table == "logiskadress") + validate_beskrivning(item.beskrivning)


def prepare_plain_objects(order: Order, st: RunState, report: Report) -> None:
    """The ``inkludera`` logical addresses, components and contracts to create; an existing one is dropped from
    the order (descriptions cannot change this way)."""
    inc = order.inkludera
    lists = {
        "logiskadress": inc.logiskadresser,
        "tjanstekomponent": inc.tjanstekomponenter,
        "tjanstekontrakt": inc.tjanstekontrakt,
    }
    for table, group, prefix in _PLAIN_GROUPS:
        for item in lists[table]:
            if st.repo.find_plain(table, item.key) is not None:
                continue
            problems = _entity_problems(table, item)
            if problems:
                for p in problems:
                    st.errors.add(prefix + p)
                continue
            stored = item.key if table == "tjanstekontrakt" else item.key.upper()
            st.new_plain[(table, item.key)] = stored
            st.changes.append(CreatePlain(table, stored, item.beskrivning, item.major_version))
            report.inkludera[group].append(ReportLine("Nyskapad", stored))


def _anropsadress(st: RunState, producer: str, profile: str, url: str) -> bool:
    """``findOrCreateAnropsAdress`` and ``validateAnropAddress``; False after adding an error. An existing call
    address is saved again with the user's name (``execute`` updates every call address the order holds)."""
    p = "Skapa Vägval: "
    akey = (profile.lower(), producer.lower(), url)
    if akey in st.anropsadresser:
        return True
    existing = st.repo.find_anropsadress(producer, profile, url)
    if existing is None:
        problems = validate_adress(url)
        for problem in problems:
            st.errors.add(p + problem)
        if problems:
            return False
        st.anropsadresser.add(akey)
        st.changes.append(CreateAnropsadress(producer, profile, url))
    elif (other := v.unpublished_by_other(existing, st.user)) is not None:
        st.errors.add(p + f"Anropsadress ({url}, {profile}, {producer}) är opublicerad och skapad av {other}.")
        return False
    else:
        st.anropsadresser.add(akey)
        st.changes.append(Touch("anropsadress", existing.id))
    return True


def prepare_relations(order: Order, st: RunState) -> tuple[dict[int, tuple[str, ...]], dict[int, tuple[str, ...]]]:
    """``prepareComplexObjectsRelations``: the references of every ``inkludera`` authorization and routing;
    returns their resolved keys by position."""
    ab_keys: dict[int, tuple[str, ...]] = {}
    for i, ab in enumerate(order.inkludera.anropsbehorigheter):
        wanted = (ab.tjanstekonsument, ab.tjanstekontrakt, ab.logisk_adress)
        refs = v.validate_related_objects(st, "Skapa Anropsbehörighet: ", v.BEHORIGHET_REFERENCES, wanted)
        if refs is not None:
            consumer, contract, la = (r.key for r in refs)
            ab_keys[i] = (la, consumer, contract)

    vv_keys: dict[int, tuple[str, ...]] = {}
    for i, vv in enumerate(order.inkludera.vagval):
        needed = (vv.rivtaprofil, vv.tjanstekomponent, vv.logisk_adress, vv.tjanstekontrakt)
        refs = v.validate_related_objects(st, "Skapa Vägval: ", v.VAGVAL_REFERENCES, needed)
        if refs is None:
            continue
        profile, producer, la, contract = (r.key for r in refs)
        url = vv.adress or ""
        if _anropsadress(st, producer, profile, url):
            vv_keys[i] = (la, contract, producer, profile, url)
    return ab_keys, vv_keys


def _prepare_vagval(st: RunState, vv: VagvalItem, keys: tuple[str, ...], report: Report) -> None:
    """``prepareVagval``: create, extend the same routing, or end the old one and create the new one."""
    la, contract, producer, profile, url = keys
    assert vv.logisk_adress is not None and vv.tjanstekontrakt is not None
    vrows = st.repo.overlapping_vagval(vv.logisk_adress, vv.tjanstekontrakt, st.d, st.t)
    if not v.validate_dubblett(vrows, st.errors):
        return
    new_line = ReportLine("Nyskapad", vagval_text(la, contract, producer, profile, url, st.d, st.t))
    new_change = CreateVagval(la, contract, producer, profile, url, st.d, st.t)
    if not vrows:
        st.changes.append(new_change)
        report.inkludera["Vägval"].append(new_line)
        return
    ev = vrows[0]
    same = (
        ev.rivtaprofil.lower() == profile.lower()
        and ev.tjanstekomponent.lower() == producer.lower()
        and (ev.adress == url)
    )
    if same:
        start = st.d if st.d < ev.from_date else ev.from_date
        st.changes.append(SetDates("vagval", ev.id, start, st.t))
        text = vagval_text(
            ev.logisk_adress, ev.tjanstekontrakt, ev.tjanstekomponent, ev.rivtaprofil, ev.adress, start, st.t
        )
        report.inkludera["Vägval"].append(ReportLine("Uppdaterad", text))
    else:
        report.inkludera["Vägval"].append(deactivate_vagval(st, ev))
        st.changes.append(new_change)
        report.inkludera["Vägval"].append(new_line)


def prepare_complex_objects(
    order: Order,
    st: RunState,
    report: Report,
    ab_keys: dict[int, tuple[str, ...]],
    vv_keys: dict[int, tuple[str, ...]],
) -> None:
    """``prepareComplexObjects``: start (or extend) every ``inkludera`` authorization and routing."""
    for i, ab in enumerate(order.inkludera.anropsbehorigheter):
        la, consumer, contract = ab_keys[i]
        assert ab.logisk_adress is not None and ab.tjanstekonsument is not None and ab.tjanstekontrakt is not None
        rows = st.repo.overlapping_behorighet(ab.logisk_adress, ab.tjanstekonsument, ab.tjanstekontrakt, st.d, st.t)
        if not v.validate_dubblett(rows, st.errors):
            continue
        if not rows:
            st.changes.append(CreateBehorighet(la, consumer, contract, st.d, st.t))
            report.inkludera["Anropsbehörigheter"].append(
                ReportLine("Nyskapad", behorighet_text(la, consumer, contract, st.d, st.t))
            )
            continue
        e = rows[0]
        start = st.d if st.d < e.from_date else e.from_date
        st.changes.append(SetDates("anropsbehorighet", e.id, start, st.t))
        text = behorighet_text(e.logisk_adress, e.tjanstekonsument, e.tjanstekontrakt, start, st.t)
        report.inkludera["Anropsbehörigheter"].append(ReportLine("Uppdaterad", text))

    for i, vv in enumerate(order.inkludera.vagval):
        _prepare_vagval(st, vv, vv_keys[i], report)


def build(repo: Repository, order: Order, *, user: str, platform: str, zone: tzinfo) -> Outcome:
    """Run TAK-web's phases over ``repo`` (reads only) and return the errors or the report and changes."""
    if order.genomforande is None:
        return Outcome("runtime", message="genomforandeTidpunkt is missing")
    d = order.genomforande.astimezone(zone).date()
    st = RunState(d=d, t=plus_years(d, 100), user=user, repo=repo)

    # phase 1: platform
    if order.plattform != platform:
        return Outcome("errors", errors=[PLATFORM_MISMATCH.format(order=order.plattform, instance=platform)])

    report = Report(metadata=[])
    # phase 2: duplicates, ends, plain objects
    v.validate_duplicates(order, st.errors)
    prepare_for_delete(order, st, report)
    prepare_plain_objects(order, st, report)
    if st.errors:
        return Outcome("errors", errors=st.errors.list())

    # phase 3: required fields, then references and call addresses
    v.validate_required_fields(order, st.errors)
    if st.errors:
        return Outcome("errors", errors=st.errors.list())
    ab_keys, vv_keys = prepare_relations(order, st)
    if st.errors:
        return Outcome("errors", errors=st.errors.list())

    # phase 4: starts
    prepare_complex_objects(order, st, report, ab_keys, vv_keys)
    if st.errors:
        return Outcome("errors", errors=st.errors.list())

    # phase 5: report
    if order.bestallning is None:
        return Outcome("runtime", message="bestallningsTidpunkt is missing")
    report.metadata = metadata(order, zone)
    return Outcome("report", report=report, changes=st.changes)


def run(repo: Repository, text: str, *, user: str, platform: str, zone: tzinfo) -> Outcome:
    """Parse and build; a parse failure is an ``Outcome`` of kind ``parse``."""
    try:
        order = parse_order(text)
    except OrderParseError as exc:
        return Outcome("parse", message=str(exc))
    return build(repo, order, user=user, platform=platform, zone=zone)


def execute(db: Database, text: str, *, user: str, platform: str, zone: tzinfo, now: datetime) -> Outcome:
    """Parse, validate and, when valid, write one order in one transaction. Nothing is published."""
    try:
        with db.transaction() as conn:
            repo = SqliteRepository(conn)
            outcome = run(repo, text, user=user, platform=platform, zone=zone)
            if outcome.ok:
                repo.apply(outcome.changes, user=user, now=now.isoformat(timespec="seconds"))
            return outcome
    except (sqlite3.Error, LookupError) as exc:  # rolled back by the transaction
        return Outcome("runtime", message=str(exc))

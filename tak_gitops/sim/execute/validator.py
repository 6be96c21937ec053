"""TAK-web's ``BestallningsDataValidator``: duplicates inside the order, required fields, the objects an
authorization or routing refers to, and more than one live row in the database for one routing or authorization."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tak_gitops.sim.db import BehorighetRow, VagvalRow
from tak_gitops.sim.execute.data import ErrorSet, Ref, RunState, find
from tak_gitops.sim.execute.order import Order, null_text


def _lower(value: str | None) -> str:
    return "" if value is None else value.lower()


def _detect(errors: ErrorSet, items: list[Any], message: str, parts: Callable[[Any], list[str | None]]) -> None:
    keys = [tuple(_lower(p) for p in parts(item)) for item in items]
    for i, item in enumerate(items):
        if any(keys[i] == keys[j] for j in range(i + 1, len(items))):
            errors.add(message % ("[" + ", ".join(null_text(p) for p in parts(item)) + "]"))


def validate_duplicates(order: Order, errors: ErrorSet) -> None:
    """``validateDataDubletter``: an item in ``inkludera`` + ``exkludera`` twice (ignoring case)."""
    inc, exc = order.inkludera, order.exkludera
    _detect(
        errors,
        [*inc.anropsbehorigheter, *exc.anropsbehorigheter],
        "Anropsbehörigheten %s får inte finnas på flera ställen i beställningen.",
        lambda x: [x.logisk_adress, x.tjanstekonsument, x.tjanstekontrakt],
    )
    _detect(
        errors,
        [*inc.vagval, *exc.vagval],
        "Vägvalet %s får inte finnas på flera ställen i beställningen.",
        lambda x: [x.logisk_adress, x.tjanstekontrakt],
    )
    for items, message in (
        ([*inc.tjanstekontrakt, *exc.tjanstekontrakt], "Tjänstekontraktet %s"),
        ([*inc.tjanstekomponenter, *exc.tjanstekomponenter], "Tjänstekomponenten %s"),
        ([*inc.logiskadresser, *exc.logiskadresser], "Den logiska adressen %s"),
    ):
        _detect(errors, items, message + " får inte finnas på flera ställen i beställningen.", lambda x: [x.key])


def validate_required_fields(order: Order, errors: ErrorSet) -> None:
    """``validateHasRequiredFields`` for each of the four lists, in TAK-web's order."""
    checks: list[tuple[Sequence[Any], str, Callable[[Any], bool]]] = [
        (order.inkludera.vagval, "skapa Vägval", lambda v: v.has_required_fields_for_include()),
        (order.exkludera.vagval, "radera Vägval", lambda v: v.has_required_fields_for_exclude()),
        (order.inkludera.anropsbehorigheter, "skapa Anropsbehörighet", lambda a: a.has_required_fields()),
        (order.exkludera.anropsbehorigheter, "radera Anropsbehörighet", lambda a: a.has_required_fields()),
    ]
    for items, what, ok in checks:
        for item in items:
            if not ok(item):
                errors.add(f"Det saknas information i beställningen för att kunna {what}. ({item.text()})")


_Reference = tuple[str, str, str]
"""A kind of referenced object: its table, the message when it is missing, the one when it is unpublished."""

_COMPONENT = (
    "tjanstekomponent",
    "Tjänstekomponent med HSAId = {} finns inte.",
    "Tjänstekomponent med HSAId = {} är opublicerad och skapad av {}.",
)
_CONTRACT = (
    "tjanstekontrakt",
    "Tjänstekontrakt med namnrymd = {} finns inte.",
    "Tjänstekontrakt med namnrymd = {} är opublicerad och skapad av {}.",
)
_PROFILE = (
    "rivtaprofil",
    "RivTaProfil med namn = {} finns inte.",
    "RivTaProfil med namn = {} är opublicerad och skapad av {}.",
)
_LA_MISSING = "Logisk Adress med HSAId = {} finns inte."
_LA_UNPUBLISHED = " med HSAId = {} är opublicerad och skapad av {}."

BEHORIGHET_REFERENCES: tuple[_Reference, ...] = (
    _COMPONENT,
    _CONTRACT,
    ("logiskadress", _LA_MISSING, "LogiskAdress" + _LA_UNPUBLISHED),  # TAK-web's spelling for authorizations
)
"""What an authorization refers to, in TAK-web's order: consumer, contract, logical address."""
VAGVAL_REFERENCES: tuple[_Reference, ...] = (
    _PROFILE,
    _COMPONENT,
    ("logiskadress", _LA_MISSING, "Logisk Adress" + _LA_UNPUBLISHED),
    _CONTRACT,
)
"""What a routing refers to, in TAK-web's order: profile, producer, logical address, contract."""


def unpublished_by_other(row: Any, user: str) -> str | None:
    """The other user who created or changed ``row`` and has not published it, or None."""
    if row is None or row.pub_version is not None or row.updated_by in (None, user):
        return None
    return str(row.updated_by)


def validate_related_objects(
    st: RunState, prefix: str, kinds: Sequence[_Reference], keys: Sequence[str | None]
) -> list[Ref] | None:
    """``validateRelatedObjects``: each object (of ``kinds[i]``, key ``keys[i]``) must exist and not be another
    user's unpublished change. Returns the resolved objects, or None after adding the errors."""
    found: list[Ref] = []
    ok = True
    for (table, missing, unpublished), key in zip(kinds, keys, strict=True):
        assert key is not None  # the required fields were checked first
        ref = find(st, table, key)
        if ref is None:
            st.errors.add(prefix + missing.format(key))
            ok = False
            continue
        found.append(ref)
        if (other := unpublished_by_other(ref.row, st.user)) is not None:
            st.errors.add(prefix + unpublished.format(ref.key, other))
            ok = False
    return found if ok else None


def validate_dubblett(rows: Sequence[VagvalRow] | Sequence[BehorighetRow], errors: ErrorSet) -> bool:
    """``validateVagvalForDubblett`` / ``validateAnropsbehorighetForDubblett``: more than one live row overlaps
    [D, T]; True when the order can go on with this item."""
    if len(rows) < 2:
        return True
    first = rows[0]
    parts: tuple[str, ...]
    if isinstance(first, VagvalRow):
        what, parts = "ett vagval", (first.logisk_adress, first.tjanstekontrakt)
    else:
        what, parts = "en anropsbehörighet", (first.logisk_adress, first.tjanstekontrakt, first.tjanstekonsument)
    errors.add(f"Det finns mer än {what} i databasen med dessa parametrar {' - '.join(parts)}.")
    return False

"""New logical addresses, systems and contracts: what the plan's additions refer to that the TAK lacks.

A new address needs a name in the desired files and a new system a description in an organisation.yaml;
a new contract takes its description and major version from its namespace.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from tak_gitops.core.hsa import WILDCARD
from tak_gitops.core.plan.context import PlanContext
from tak_gitops.core.plan.model import Finding
from tak_gitops.core.plan.waves import Placed

_MAJOR_RE = re.compile(r":(\d+)$")


def contract_description(namespace: str) -> tuple[str, int]:
    """Description and major version for a contract created by an order, from its namespace
    (``urn:riv:...:GetCareContactsResponder:2`` -> ``("GetCareContacts", 2)``)."""
    m = _MAJOR_RE.search(namespace)
    major = int(m.group(1)) if m else 1
    parts = namespace.split(":")
    name = parts[-2] if m and len(parts) >= 2 else parts[-1]
    if name.endswith("Responder"):
        name = name[: -len("Responder")]
    return name, major


@dataclass
class NewObjects:
    """New logical addresses (hsa_id -> name) and systems (hsa_id -> description) the additions need."""

    addresses: dict[str, str] = field(default_factory=dict)
    systems: dict[str, str] = field(default_factory=dict)


WILDCARD_NAME = "Standardbehörighet"
"""The name of the logical address ``*`` when a plan creates it."""


def new_objects(ctx: PlanContext, placed: Sequence[Placed]) -> NewObjects:
    """The addresses and systems the additions refer to that the TAK does not have; an error for each that
    cannot be created (an address without a name, a system nobody describes)."""
    desired, snapshot = ctx.desired, ctx.snapshot
    locations = ctx.state.locations
    out = NewObjects()
    missing_names: set[str] = set()
    unknown_systems: set[str] = set()
    known_addresses = snapshot.logical_addresses
    known_systems = snapshot.systems
    # In a fixed order: when two organisations need the same new address or system, the first one met is named in
    # the error (and takes the description), so the order must not depend on set iteration.
    for pl in sorted(placed, key=lambda p: (p.change.sort_key, p.org, p.kind, p.system)):
        c = pl.change
        if c.action in ("add-routing", "change-routing"):
            la = c.key[0]
            systems = [c.after[0]] if c.after is not None else []
        elif c.action == "add-authorization":
            la = c.key[1]
            systems = [c.key[0]]
        else:
            continue
        location = locations.get(c.key)
        if la == WILDCARD:
            # '*' (standardbehörighet) is a logical address row like any other: TAK-web refuses a row on it when
            # the TAK lacks it ("Logisk Adress med HSAId = * finns inte."). The TAK-api lists it only when a row
            # uses it, so an export without it may still have it; TAK-web drops an existing one from the order.
            if WILDCARD not in known_addresses and WILDCARD not in ctx.rows_mention("addresses"):
                out.addresses.setdefault(WILDCARD, WILDCARD_NAME)
        elif (
            la not in out.addresses
            and la not in missing_names
            and la not in known_addresses
            and la not in ctx.rows_mention("addresses")
        ):
            addr = desired.addresses.get(la)
            if addr is None or not addr.name:
                missing_names.add(la)
                ctx.errors.append(
                    Finding.at(
                        "ADDRESS_NAME_MISSING",
                        f"logical address {la} does not exist in the TAK yet; give it a name "
                        f"({{hsa_id: {la}, name: ...}}) so that it can be created",
                        pl.org,
                        location,
                    )
                )
            else:
                out.addresses[la] = addr.name
        for s in systems:
            if s in out.systems or s in unknown_systems or s in known_systems or s in ctx.rows_mention("systems"):
                continue
            sys = desired.systems.get(s)
            if sys is None:
                unknown_systems.add(s)
                ctx.errors.append(
                    Finding.at(
                        "UNKNOWN_SYSTEM",
                        f"system {s} does not exist in the TAK and no organisation describes it in "
                        "organisation.yaml; it cannot be created",
                        pl.org,
                        location,
                    )
                )
            else:
                out.systems[s] = sys.description
    return out

"""apply_changes: TAK-web's execution rules on the normalized state."""

from __future__ import annotations

from tak_gitops.core.plan import Change, apply_changes
from tak_gitops.core.snapshot import Contract, Snapshot

NS = "urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2"
NEW_NS = "urn:riv:test:NewThingResponder:1"


def _snap() -> Snapshot:
    return Snapshot.build(
        platform="NTJP",
        environment="PROD",
        snapshot_time=None,
        source="sim",
        routings=[(("SE-A", NS), ("SE-P1", "https://a.se/1", "RIVTABP21"))],
        authorizations=[("SE-C1", "SE-A", NS)],
        logical_addresses={"SE-A": "VE: A"},
        systems={"SE-P1": "P1", "SE-C1": "C1"},
        contracts=[Contract(NS, "GetCareContacts", 2)],
    )


def test_include_replaces_the_row_of_its_key_and_exclude_matches_the_key_only() -> None:
    snap = _snap()
    changed = apply_changes(
        snap, [Change("change-routing", ("SE-A", NS), after=("SE-P2", "https://b.se/2", "RIVTABP21"))]
    )
    assert changed.routings == {("SE-A", NS): ("SE-P2", "https://b.se/2", "RIVTABP21")}
    # exkludera names the old producer and URL; TAK-web ends whatever row holds the key
    removed = apply_changes(changed, [Change("remove-routing", ("SE-A", NS), before=("SE-P1", "https://a.se/1", "X"))])
    assert removed.routings == {}
    assert snap.routings == {("SE-A", NS): ("SE-P1", "https://a.se/1", "RIVTABP21")}  # inputs are not changed


def test_authorizations_and_new_objects() -> None:
    snap = apply_changes(
        _snap(),
        [
            Change("add-logical-address", ("SE-B",), description="VE: B"),
            Change("add-logical-address", ("SE-A",), description="renamed?"),
            Change("add-system", ("SE-C2",), description="C2"),
            Change("add-contract", (NEW_NS,), description="NewThing", major=1),
            Change("add-authorization", ("SE-C2", "SE-B", NEW_NS)),
            Change("remove-authorization", ("SE-C1", "SE-A", NS)),
            Change("remove-authorization", ("SE-C9", "SE-A", NS)),  # "Existerar ej": not an error
        ],
    )
    assert snap.authorizations == frozenset({("SE-C2", "SE-B", NEW_NS)})
    assert snap.logical_addresses == {"SE-A": "VE: A", "SE-B": "VE: B"}  # an order never renames
    assert snap.systems["SE-C2"] == "C2"
    assert snap.contracts[NEW_NS] == Contract(NEW_NS, "NewThing", 1)

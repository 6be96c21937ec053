"""Property: on random small states the resolver agrees with a brute-force reading of VP's lookup order.

The brute force ranks every valid row by the position of its address in the list VP tries (routing: the
address, its ancestors up to SE, ``*``; authorization: the address, ``*``, its ancestors), takes the best rank,
and reads the outcome off it. It walks the parent links itself and compares HSA-ids case-insensitively
itself; it shares no code with the resolver.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tak_gitops.core.calls import AuthorizationRow, CallState, HsaLookup, RoutingRow, outcome_of, resolve_call
from tak_gitops.core.hsa import HsaTree

UNITS = ["U0", "U1", "U2", "U3", "U4", "U5"]
ADDRESSES = [*UNITS, "SE", "*", "OUTSIDE"]  # OUTSIDE is in no HSA file
CONTRACTS = ["urn:a:One:1", "urn:b:Three:1"]
CONSUMERS = ["C1", "C2"]
DAYS = [None, None, "2026-01-01", "2026-06-01", "2026-12-31"]
TODAY = "2026-06-01"


@st.composite
def trees(draw: st.DrawFn) -> dict[str, str] | None:
    if draw(st.integers(0, 7)) == 0:
        return None
    parents: dict[str, str] = {}
    for i, unit in enumerate(UNITS):
        if draw(st.integers(0, 4)) > 0:  # mostly in the file; a unit left out has parent SE
            parents[unit] = draw(st.sampled_from(["SE", *UNITS[max(0, i - 2):i]]))
    return parents


cased = st.sampled_from(ADDRESSES).flatmap(lambda a: st.sampled_from([a, a.lower()]))
validity = st.tuples(st.sampled_from(DAYS), st.sampled_from(DAYS))
routing_rows = st.builds(
    lambda la, ns, p, v: RoutingRow(la, ns, p, f"https://{p.lower()}.example/{ns[-7:]}", "RIVTABP21", *v),
    cased, st.sampled_from(CONTRACTS), st.sampled_from(["P1", "P2"]), validity,
)
authorization_rows = st.builds(
    lambda c, la, ns, v: AuthorizationRow(c, la, ns, *v),
    st.sampled_from(CONSUMERS).flatmap(lambda c: st.sampled_from([c, c.lower()])), cased,
    st.sampled_from(CONTRACTS), validity,
)
on_mostly = st.sampled_from([True, True, True, False])
settings_ = st.builds(
    HsaLookup,
    on_mostly, st.lists(st.sampled_from(["urn:a", "urn:a:One", "urn:b:Three:1", ""]), max_size=2).map(tuple),
    on_mostly, st.lists(st.sampled_from(["urn:a", "urn:a:One", "urn:b", ""]), max_size=2).map(tuple),
)


def _valid(start: str | None, end: str | None) -> bool:
    return not (start is not None and start > TODAY) and not (end is not None and end < TODAY)


def _climbs(default: bool, excepted: tuple[str, ...], ns: str) -> bool:
    matching = [p for p in excepted if p != "" and ns[: len(p)] == p]
    return (not default) if matching else default


def _chain(parents: dict[str, str] | None, address: str) -> list[str]:
    """The address's ancestors, nearest first, ending with SE (SE itself has none)."""
    out: list[str] = []
    node = address
    while node != "SE":
        node = (parents or {}).get(node, "SE")
        out.append(node)
    return out


def brute_force(
    routings: list[RoutingRow],
    auths: list[AuthorizationRow],
    parents: dict[str, str] | None,
    lookup: HsaLookup,
    consumer: str,
    ns: str,
    address: str,
) -> tuple[str, ...]:
    address = address.upper()
    chain = _chain(parents, address)
    r_order = [address] + (chain if _climbs(lookup.routing_default, lookup.routing_excepted, ns) else []) + ["*"]
    a_order = [address, "*"] + (
        chain if _climbs(lookup.authorization_default, lookup.authorization_excepted, ns) else []
    )
    candidates = [
        (r_order.index(row.address.upper()), row)
        for row in routings
        if row.contract == ns and _valid(row.valid_from, row.valid_to) and row.address.upper() in r_order
    ]
    if not candidates:
        return ("VP004",)
    best = min(rank for rank, _ in candidates)
    winners = [row for rank, row in candidates if rank == best]
    if len(winners) > 1:
        return ("VP006",)
    authorized = any(
        row.consumer.upper() == consumer.upper()
        and row.contract == ns
        and _valid(row.valid_from, row.valid_to)
        and row.address.upper() in a_order
        for row in auths
    )
    if not authorized:
        return ("VP007",)
    w = winners[0]
    return ("works", w.producer, w.url, w.profile)


@given(
    parents=trees(),
    routings=st.lists(routing_rows, min_size=1, max_size=14),
    auths=st.lists(authorization_rows, min_size=1, max_size=14),
    lookup=settings_,
)
def test_resolver_agrees_with_brute_force(
    parents: dict[str, str] | None, routings: list[RoutingRow], auths: list[AuthorizationRow], lookup: HsaLookup
) -> None:
    tree = HsaTree(parents=parents) if parents is not None else None
    state = CallState.from_rows(routings, auths, tree=tree, hsa_lookup=lookup, on=TODAY)
    for consumer in CONSUMERS:
        for ns in CONTRACTS:
            for address in ADDRESSES:
                for called in (address, address.lower()):
                    expected = brute_force(routings, auths, parents, lookup, consumer.lower(), ns, called)
                    call = resolve_call(state, consumer.lower(), ns, called)
                    assert call.outcome == expected, (consumer, ns, called)
                    assert outcome_of(state, consumer, ns, called.upper()) == expected

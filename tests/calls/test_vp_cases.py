"""The call resolver against the lookup cases of VP's own libraries, re-stated as a table.

Each row cites the test it re-creates: repository, path and test name. The rows put the case in terms of a
whole call: a routing case gives the consumer an authorization on ``*`` (so only routing decides), an
authorization case gives the contract a routing on ``*`` (so only authorization decides). Expected are the
outcome and every address each lookup tried, in order, as the tests' trace strings show them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tak_gitops.core.calls import (
    AuthorizationRow,
    CallState,
    HsaLookup,
    RoutingRow,
    outcome_of,
    resolve_call,
)
from tak_gitops.core.hsa import HsaTree

TDH = "skltp/takdatahandler"
VAGVAL_TESTS = "vagvalhandler/src/test/java/se/skl/tp/vagval"
BEHORIGHET_TESTS = "behorighethandler/src/test/java/se/skl/tp/behorighet"
TAKCACHE = "skltp/takcache"

# The HSA file of takdatahandler's tests (vagvalhandler/src/test/resources/hsacache.xml, the same units in
# behorighethandler's), as parent links: SE0000000001-1234 and -0000 sit below -0002, which sits below -0003,
# beside -0005; -0003 sits below -0004, whose parent is the root SE.
TREE = HsaTree(
    parents={
        "SE0000000000-1234": "SE0000000002-1234",
        "SE0000000001-1234": "SE0000000002-1234",
        "SE0000000002-1234": "SE0000000003-1234",
        "SE0000000005-1234": "SE0000000003-1234",
        "SE0000000003-1234": "SE0000000004-1234",
        "SE0000000004-1234": "SE",
    },
    names={"SE0000000003-1234": "Höglandets sjukvårdsområde"},
)
CHILD = "SE0000000001-1234"  # CHILD_OF_AUTHORIZED_RECEIVER_IN_HSA_TREE
MIDDLE = "SE0000000002-1234"
AUTHORIZED = "SE0000000003-1234"  # AUTHORIZED_RECEIVER_IN_HSA_TREE
PARENT = "SE0000000004-1234"  # PARENT_OF_AUTHORIZED_RECEIVER_IN_HSA_TREE
NS1 = "namnrymd-1"
NS2 = "namnrymd-2"
SENDER_1 = "sender-1"
SENDER_2 = "sender-2"


def r(address: str, url: str = "address-1", profile: str = "RIVTABP20", ns: str = NS1, **dates: str) -> RoutingRow:
    return RoutingRow(address, ns, "PRODUCER", url, profile, dates.get("start"), dates.get("end"))


def a(consumer: str, address: str, ns: str = NS1, **dates: str) -> AuthorizationRow:
    return AuthorizationRow(consumer, address, ns, dates.get("start"), dates.get("end"))


TODAY = "2026-06-15"
YESTERDAY = "2026-06-14"
TOMORROW = "2026-06-16"


@dataclass(frozen=True)
class Case:
    source: str
    routings: tuple[RoutingRow, ...]
    authorizations: tuple[AuthorizationRow, ...]
    call: tuple[str, str, str]
    outcome: tuple[str, ...]
    routing_trace: tuple[str, ...]
    authorization_trace: tuple[str, ...]
    tree: HsaTree | None = TREE
    hsa_lookup: HsaLookup = HsaLookup()


ANY_SENDER_1 = (a(SENDER_1, "*"),)
ROUTED_ANYWHERE = (r("*"),)

CASES = [
    # --- routing: vagvalhandler ------------------------------------------------------------------------
    Case(
        f"{TDH} {VAGVAL_TESTS}/VagvalHandlerTest.java testOneRoutingInfoFound, testTraceLoggingOneRoutingInfoFound",
        (r("receiver-1"),), ANY_SENDER_1, (SENDER_1, NS1, "receiver-1"),
        ("works", "PRODUCER", "address-1", "RIVTABP20"), ("RECEIVER-1",), ("RECEIVER-1", "*"),
    ),
    Case(
        f"{TDH} {VAGVAL_TESTS}/VagvalHandlerTest.java testOneRoutingInfoNoHsaCache",
        (r("receiver-1"),), ANY_SENDER_1, (SENDER_1, NS1, "receiver-1"),
        ("works", "PRODUCER", "address-1", "RIVTABP20"), ("RECEIVER-1",), ("RECEIVER-1", "*"), tree=None,
    ),
    Case(
        f"{TDH} {VAGVAL_TESTS}/VagvalHandlerTest.java testTwoRoutingInfoFound (two rows; skltp/vp "
        "VagvalProcessor.validateResponse answers VP006)",
        (r("receiver-1"), r("receiver-1", "address-2", "RIVTABP21")), ANY_SENDER_1, (SENDER_1, NS1, "receiver-1"),
        ("VP006",), ("RECEIVER-1",), ("RECEIVER-1", "*"),
    ),
    Case(
        f"{TDH} {VAGVAL_TESTS}/VagvalHandlerTest.java testNoRoutingInfoFound, testTraceLoggingNoRoutingInfoFound "
        "(trace receiver-1,(parent),SE,(default),*)",
        (), ANY_SENDER_1, (SENDER_1, NS1, "receiver-1"),
        ("VP004",), ("RECEIVER-1", "SE", "*"), ("RECEIVER-1", "*"), tree=None,
    ),
    Case(
        f"{TDH} {VAGVAL_TESTS}/HsaTreeClimbRoutingTest.java testRoutingShouldBeFoundOnChildInHsaTree, "
        "testTraceLoggingWhenRoutingFoundOnChildInHsaTree",
        (r(AUTHORIZED, "address-2", "RIVTABP21"),), ANY_SENDER_1, (SENDER_1, NS1, CHILD),
        ("works", "PRODUCER", "address-2", "RIVTABP21"), (CHILD, MIDDLE, AUTHORIZED), (CHILD, "*"),
    ),
    Case(
        f"{TDH} {VAGVAL_TESTS}/HsaTreeClimbRoutingTest.java testRoutingShouldNotBeFoundOnParentInHsaTree",
        (r(AUTHORIZED, "address-2", "RIVTABP21"),), ANY_SENDER_1, (SENDER_1, NS1, PARENT),
        ("VP004",), (PARENT, "SE", "*"), (PARENT, "*"),
    ),
    Case(
        f"{TDH} {VAGVAL_TESTS}/DefaultRoutingTest.java testOneRoutingInfoFoundByDefaultReceiver",
        (r("*", "address-2"),), ANY_SENDER_1, (SENDER_1, NS1, "receiver-1"),
        ("works", "PRODUCER", "address-2", "RIVTABP20"), ("RECEIVER-1", "SE", "*"), ("RECEIVER-1", "*"),
    ),
    Case(
        f"{TDH} {VAGVAL_TESTS}/DefaultRoutingTest.java testTraceLogWhenOneRoutingInfoFoundByDefaultReceiver "
        "(receiver-2 is not in the HSA file: its parent is SE)",
        (r("*", "address-2"),), ANY_SENDER_1, (SENDER_1, NS1, "receiver-2"),
        ("works", "PRODUCER", "address-2", "RIVTABP20"), ("RECEIVER-2", "SE", "*"), ("RECEIVER-2", "*"),
    ),
    Case(
        f"{TDH} {VAGVAL_TESTS}/DefaultRoutingTest.java testExplicitReceiverUsedBeforeDefaultRouting",
        (r("*", "address-2"), r("receiver-1", "address-1")), ANY_SENDER_1, (SENDER_1, NS1, "receiver-1"),
        ("works", "PRODUCER", "address-1", "RIVTABP20"), ("RECEIVER-1",), ("RECEIVER-1", "*"),
    ),
    Case(
        f"{TDH} {VAGVAL_TESTS}/DefaultRoutingTest.java testFoundByHsaClimbingUsedBeforeDefaultRouting",
        (r(AUTHORIZED, "address-2", "RIVTABP21"), r("*", "address-3", "RIVTABP21")), ANY_SENDER_1,
        (SENDER_1, NS1, CHILD),
        ("works", "PRODUCER", "address-2", "RIVTABP21"), (CHILD, MIDDLE, AUTHORIZED), (CHILD, "*"),
    ),
    Case(
        "a routing on SE is reached by the climb before * (skltp/takdatahandler VagvalHandlerImpl; "
        "hsa-cache DEFAULT_ROOTNODE)",
        (r("SE", "address-2"), r("*", "address-3")), ANY_SENDER_1, (SENDER_1, NS1, CHILD),
        ("works", "PRODUCER", "address-2", "RIVTABP20"), (CHILD, MIDDLE, AUTHORIZED, PARENT, "SE"), (CHILD, "*"),
    ),
    Case(
        "routing with HSA lookup off for the namespace prefix (skltp/vp HsaLookupVagvalProperties, "
        f"{TDH} VagvalHandlerImpl + HsaLookupUtil): the VG row is not reached, * is",
        (r(AUTHORIZED, "address-2"), r("*", "address-3")), ANY_SENDER_1, (SENDER_1, NS1, CHILD),
        ("works", "PRODUCER", "address-3", "RIVTABP20"), (CHILD, "*"), (CHILD, "*"),
        hsa_lookup=HsaLookup(routing_excepted=("namnrymd",)),
    ),
    # --- routing: takcache (the rows the handlers see) --------------------------------------------------
    Case(
        f"{TAKCACHE} src/test/java/se/skltp/takcache/vagval/VirtualiseringsInfoMapTest.java "
        "testVirtualiseringsMap_ReceiverCaseInsensitivity (upper-case row, lower-case call)",
        (r("RECEIVER-3", "address-2"),), ANY_SENDER_1, (SENDER_1, NS1, "receiver-3"),
        ("works", "PRODUCER", "address-2", "RIVTABP20"), ("RECEIVER-3",), ("RECEIVER-3", "*"),
    ),
    Case(
        f"{TAKCACHE} src/test/java/se/skltp/takcache/vagval/VirtualiseringsInfoMapTest.java "
        "testVirtualiseringsMap_ReceiverCaseInsensitivity (lower-case row, upper-case call)",
        (r("receiver-4", "address-2"),), ANY_SENDER_1, (SENDER_1, NS1, "RECEIVER-4"),
        ("works", "PRODUCER", "address-2", "RIVTABP20"), ("RECEIVER-4",), ("RECEIVER-4", "*"),
    ),
    Case(
        f"{TAKCACHE} src/test/java/se/skltp/takcache/vagval/VagvalHandlerTest.java testMultipleMatches",
        (r("receiver-1", "address-1", "RIVTABP21"), r("receiver-1", "address-2", "RIVTABP21")), ANY_SENDER_1,
        (SENDER_1, NS1, "receiver-1"),
        ("VP006",), ("RECEIVER-1",), ("RECEIVER-1", "*"),
    ),
    Case(
        f"{TAKCACHE} src/test/java/se/skltp/takcache/vagval/VagvalHandlerTest.java testNoMatchOnValidDates "
        "(one row ended, one not started)",
        (r("receiver-1", start="2026-01-01", end=YESTERDAY), r("receiver-1", "address-2", start=TOMORROW)),
        ANY_SENDER_1, (SENDER_1, NS1, "receiver-1"),
        ("VP004",), ("RECEIVER-1", "SE", "*"), ("RECEIVER-1", "*"),
    ),
    Case(
        "of an ended and a current row on one key only the current one is valid (skltp/takcache "
        "VirtualiseringsInfoMapTest.testVirtualiseringsMap, XmlGregorianCalendarUtil)",
        (r("receiver-1", "old", end=YESTERDAY), r("receiver-1", "new", start=TODAY)), ANY_SENDER_1,
        (SENDER_1, NS1, "receiver-1"),
        ("works", "PRODUCER", "new", "RIVTABP20"), ("RECEIVER-1",), ("RECEIVER-1", "*"),
    ),
    # --- authorization: behorighethandler ------------------------------------------------------------------
    Case(
        f"{TDH} {BEHORIGHET_TESTS}/BehorighetHandlerTest.java testSimpleAuthorizon, testTraceLogForSimpleAuthorizon",
        ROUTED_ANYWHERE, (a(SENDER_1, "receiver-1"),), (SENDER_1, NS1, "receiver-1"),
        ("works", "PRODUCER", "address-1", "RIVTABP20"), ("RECEIVER-1", "SE", "*"), ("RECEIVER-1",),
    ),
    Case(
        f"{TDH} {BEHORIGHET_TESTS}/BehorighetHandlerTest.java testSimpleAuthorizon (sender-2), "
        "testTraceLogNotAuthorized (trace receiver-1,(default),*,(parent),SE)",
        ROUTED_ANYWHERE, (a(SENDER_1, "receiver-1"),), (SENDER_2, NS1, "receiver-1"),
        ("VP007",), ("RECEIVER-1", "SE", "*"), ("RECEIVER-1", "*", "SE"),
    ),
    Case(
        f"{TDH} {BEHORIGHET_TESTS}/BehorighetHandlerTest.java testSimpleAuthorizonNoHsaCache",
        ROUTED_ANYWHERE, (a(SENDER_1, "receiver-1"),), (SENDER_2, NS1, "receiver-1"),
        ("VP007",), ("RECEIVER-1", "SE", "*"), ("RECEIVER-1", "*", "SE"), tree=None,
    ),
    Case(
        f"{TDH} {BEHORIGHET_TESTS}/BehorighetHandlerTest.java testIsAuthorizedByHsaTreeClimbing (the unit itself)",
        ROUTED_ANYWHERE, (a(SENDER_1, AUTHORIZED),), (SENDER_1, NS1, AUTHORIZED),
        ("works", "PRODUCER", "address-1", "RIVTABP20"), (AUTHORIZED, PARENT, "SE", "*"), (AUTHORIZED,),
    ),
    Case(
        f"{TDH} {BEHORIGHET_TESTS}/BehorighetHandlerTest.java testIsAuthorizedByHsaTreeClimbing (a child), "
        "testTraceLogWhenAuthorizedByHsaTreeClimbing",
        ROUTED_ANYWHERE, (a(SENDER_1, AUTHORIZED),), (SENDER_1, NS1, CHILD),
        ("works", "PRODUCER", "address-1", "RIVTABP20"), (CHILD, MIDDLE, AUTHORIZED, PARENT, "SE", "*"),
        (CHILD, "*", MIDDLE, AUTHORIZED),
    ),
    Case(
        f"{TDH} {BEHORIGHET_TESTS}/BehorighetHandlerTest.java testIsAuthorizedByHsaTreeClimbing (the parent)",
        ROUTED_ANYWHERE, (a(SENDER_1, AUTHORIZED),), (SENDER_1, NS1, PARENT),
        ("VP007",), (PARENT, "SE", "*"), (PARENT, "*", "SE"),
    ),
    Case(
        f"{TDH} {BEHORIGHET_TESTS}/BehorighetHandlerTest.java testHsaLookupDisabledForServiceContract (a child)",
        ROUTED_ANYWHERE, (a(SENDER_1, AUTHORIZED),), (SENDER_1, NS1, CHILD),
        ("VP007",), (CHILD, MIDDLE, AUTHORIZED, PARENT, "SE", "*"), (CHILD, "*"),
        hsa_lookup=HsaLookup(authorization_excepted=(NS1,)),
    ),
    Case(
        f"{TDH} {BEHORIGHET_TESTS}/BehorighetHandlerTest.java testHsaLookupDisabledForServiceContract (the unit)",
        ROUTED_ANYWHERE, (a(SENDER_1, AUTHORIZED),), (SENDER_1, NS1, AUTHORIZED),
        ("works", "PRODUCER", "address-1", "RIVTABP20"), (AUTHORIZED, PARENT, "SE", "*"), (AUTHORIZED,),
        hsa_lookup=HsaLookup(authorization_excepted=(NS1,)),
    ),
    Case(
        f"{TDH} {BEHORIGHET_TESTS}/BehorighetDefaultRouteTest.java testSimpleAuthorizonByDefaultRoute",
        ROUTED_ANYWHERE, (a(SENDER_1, "*"),), (SENDER_1, NS1, "receiver-1"),
        ("works", "PRODUCER", "address-1", "RIVTABP20"), ("RECEIVER-1", "SE", "*"), ("RECEIVER-1", "*"),
    ),
    Case(
        f"{TDH} {BEHORIGHET_TESTS}/BehorighetDefaultRouteTest.java "
        "testDefaultRouteShouldOnlyAuthorizeOnCorrectSenderAndNamnrymd",
        (r("*", ns=NS2),), (a(SENDER_1, "*"),), (SENDER_2, NS2, "receiver-1"),
        ("VP007",), ("RECEIVER-1", "SE", "*"), ("RECEIVER-1", "*", "SE"),
    ),
    Case(
        f"{TDH} {BEHORIGHET_TESTS}/BehorighetDefaultRouteTest.java testTraceLogAuthorizedByDefaultRouting",
        ROUTED_ANYWHERE, (a(SENDER_1, "*"),), (SENDER_1, NS1, "receiver-2"),
        ("works", "PRODUCER", "address-1", "RIVTABP20"), ("RECEIVER-2", "SE", "*"), ("RECEIVER-2", "*"),
    ),
    Case(
        "* is tried before the HSA ancestors for an authorization (skltp/takdatahandler "
        "BehorighetHandlerImpl.isAuthorized): an authorization on * and one on the VG both match, * first",
        ROUTED_ANYWHERE, (a(SENDER_1, "*"), a(SENDER_1, AUTHORIZED)), (SENDER_1, NS1, CHILD),
        ("works", "PRODUCER", "address-1", "RIVTABP20"), (CHILD, MIDDLE, AUTHORIZED, PARENT, "SE", "*"),
        (CHILD, "*"),
    ),
    # --- authorization: takcache ----------------------------------------------------------------------------
    Case(
        f"{TAKCACHE} src/test/java/se/skltp/takcache/behorighet/BehorighetHandlerTest.java testIsAuthorized "
        "(sender-3: one row ended, one not started)",
        ROUTED_ANYWHERE,
        (a(SENDER_1, "receiver-1"), a("sender-3", "receiver-1", end=YESTERDAY),
         a("sender-3", "receiver-1", start=TOMORROW)),
        ("sender-3", NS1, "receiver-1"),
        ("VP007",), ("RECEIVER-1", "SE", "*"), ("RECEIVER-1", "*", "SE"),
    ),
    Case(
        f"{TAKCACHE} src/test/java/se/skltp/takcache/behorighet/BehorighetHandlerTest.java "
        "testIsAuthorized_ReceiverCaseInsensitivity",
        ROUTED_ANYWHERE, (a(SENDER_1, "RECEIVER-3"),), (SENDER_1, NS1, "receiver-3"),
        ("works", "PRODUCER", "address-1", "RIVTABP20"), ("RECEIVER-3", "SE", "*"), ("RECEIVER-3",),
    ),
    Case(
        "both lookups fail: VP checks routing first and answers VP004 (skltp/vp VPRouter: VagvalProcessor "
        "before BehorighetProcessor)",
        (), (), (SENDER_1, NS1, CHILD),
        ("VP004",), (CHILD, MIDDLE, AUTHORIZED, PARENT, "SE", "*"), (CHILD, "*", MIDDLE, AUTHORIZED, PARENT, "SE"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.source for c in CASES])
def test_vp_lookup_case(case: Case) -> None:
    state = CallState.from_rows(
        case.routings, case.authorizations, tree=case.tree, hsa_lookup=case.hsa_lookup, on=TODAY
    )
    call = resolve_call(state, *case.call)
    assert call.outcome == case.outcome
    assert tuple(s.address for s in call.routing_steps) == case.routing_trace
    assert tuple(s.address for s in call.authorization_steps) == case.authorization_trace
    consumer, contract, address = case.call
    assert outcome_of(state, consumer.upper(), contract, address.upper()) == case.outcome


def test_steps_say_how_each_row_was_reached() -> None:
    state = CallState.from_rows(
        [r(AUTHORIZED, "address-2")], [a(SENDER_1, "*")], tree=TREE, on=TODAY
    )
    call = resolve_call(state, SENDER_1, NS1, CHILD)
    assert [s.describe() for s in call.routing_steps] == [
        "exact", f"ancestor {MIDDLE}", f"ancestor {AUTHORIZED}",
    ]
    assert [s.describe() for s in call.authorization_steps] == ["exact", "*"]
    assert call.reason == (
        f"routed at {AUTHORIZED} (ancestor) to PRODUCER address-2 (RIVTABP20); authorized at * (*)"
    )
    assert call.routing is not None and call.routing.rows == (("PRODUCER", "address-2", "RIVTABP20"),)


def test_reasons_of_failures() -> None:
    state = CallState.from_rows([], [a(SENDER_1, "receiver-1")], tree=TREE, on=TODAY)
    assert resolve_call(state, SENDER_1, NS1, "receiver-1").reason == (
        "no valid routing for namnrymd-1 at RECEIVER-1, its HSA ancestors up to SE, or *"
    )
    state = CallState.from_rows([r("*")], [], tree=TREE, on=TODAY, hsa_lookup=HsaLookup.disabled_for([NS1]))
    assert resolve_call(state, SENDER_1, NS1, "receiver-1").reason == (
        "SENDER-1 holds no valid authorization for namnrymd-1 at RECEIVER-1, or * (HSA lookup is off)"
    )
    state = CallState.from_rows([r("x"), r("x", "other")], [a(SENDER_1, "*")], on=TODAY)
    assert resolve_call(state, SENDER_1, NS1, "x").reason == (
        "2 valid routings for namnrymd-1 at X (exact); VP needs exactly one"
    )


def test_old_style_delimiter_is_a_plain_address() -> None:
    """Out of scope, documented: ``A#B`` is one address, as in VP with an empty delimiter setting
    (skltp/takdatahandler BehorighetHandlerTest.testIsNotAuthorizedByOldStyleDefaultRoutingWhenItsDisabled)."""
    state = CallState.from_rows([r("*")], [a(SENDER_1, "receiver-2")], tree=TREE, on=TODAY)
    call = resolve_call(state, SENDER_1, NS1, "receiver-1#receiver-2")
    assert call.code == "VP007"
    assert [s.address for s in call.authorization_steps] == ["RECEIVER-1#RECEIVER-2", "*", "SE"]


# skltp/takdatahandler common/src/test/java/se/skl/tp/vagval/util/HsaLookupUtilTest.java, one row per test.
HSA_LOOKUP_CASES = [
    ("defaultDisabledNoExceptionsShouldGiveFalse", HsaLookup(False, (), False, ()), False),
    ("defaultDisabledWithMatchingExceptionShouldGiveTrue", HsaLookup(False, ("a:b:c",), False, ("a:b:c",)), True),
    ("defaultEnabledWithStartMatchingExceptionShouldGiveFalse", HsaLookup.disabled_for(["x:y:z", "a:b"]), False),
    ("defaultEnabledWithNoMatchingExceptionShouldGiveTrue", HsaLookup.disabled_for(["", "a:b:c:d"]), True),
]


@pytest.mark.parametrize(("name", "settings", "expected"), HSA_LOOKUP_CASES, ids=[c[0] for c in HSA_LOOKUP_CASES])
def test_hsa_lookup_settings(name: str, settings: HsaLookup, expected: bool) -> None:
    assert settings.routing("a:b:c") is expected
    assert settings.authorization("a:b:c") is expected

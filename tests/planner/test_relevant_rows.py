"""A plan for some organisations from the rows :func:`restrict` keeps is the plan from every row.

The repositories are those of ``test_relevance`` (grants with and without ``manage``, takeovers, CSV sets,
lower-case spellings, addresses shared between organisations, a random current TAK). The whole load is
restricted for each organisation and for pairs, and the plan documents are compared byte for byte.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tak_gitops.adapters.desired_loader import load_desired_or_raise
from tak_gitops.core.desired import DesiredState, EnvironmentState, Grant
from tak_gitops.core.relevance import RowSelection, restrict, row_selection, selection_for
from tak_gitops.core.snapshot import Snapshot
from tests.planner.test_relevance import ENV, ORGS, _plan_bytes, _write, repositories


def _restricted(desired: DesiredState, orgs: list[str], snapshot: Snapshot) -> DesiredState:
    selection = selection_for(desired, ENV, orgs, snapshot)
    environments = dict(desired.environments)
    if ENV in environments:
        environments[ENV] = restrict(environments[ENV], selection)
    return replace(desired, environments=environments)


@given(repositories(), st.sampled_from([o for o in ORGS if o != "org-a"]))
def test_a_plan_from_the_kept_rows_equals_the_plan_from_every_row(
    repo: tuple[dict[str, str], Snapshot], second: str
) -> None:
    files, snapshot = repo
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _write(root, files)
        full = load_desired_or_raise(root)
        for orgs in [[org] for org in ORGS] + [["org-a", second]]:
            kept = _restricted(full.state, orgs, snapshot)
            assert _plan_bytes(kept, full.config, snapshot, orgs) == _plan_bytes(
                full.state, full.config, snapshot, orgs
            ), f"plan for {orgs} from the kept rows differs from the plan from every row"


NS = "urn:riv:test:AlphaResponder:1"
ROW = ("PRODUCER", "https://p.example.se", "RIVTABP21")


def test_the_selection_keeps_rows_naming_the_ids_and_what_grants_expand_over() -> None:
    grant = Grant("org-g", "SE-GP", NS, frozenset({"SE-C1"}), frozenset({"SE-GA"}), manage=False)
    selection = row_selection({"SE-C1", "SE-LA1"}, [grant])
    assert selection == RowSelection(
        ids=frozenset({"SE-C1", "SE-LA1"}),
        routing_addresses=frozenset({"SE-C1", "SE-LA1", "SE-GA"}),
        routing_producers=frozenset({"SE-C1", "SE-LA1", "SE-GP"}),
    )
    state = EnvironmentState(
        env=ENV,
        routings={
            ("SE-LA1", NS): ("SE-P9", *ROW[1:]),  # an address of the plan's rows
            ("SE-GA", NS): ("SE-P9", *ROW[1:]),  # an address a grant names
            ("SE-LA7", NS): ("SE-GP", *ROW[1:]),  # a grant's producer: the grant expands over it
            ("SE-LA8", NS): ("SE-P9", *ROW[1:]),  # nothing of the plan's
        },
        routing_orgs={("SE-LA1", NS): "o", ("SE-GA", NS): "o", ("SE-LA7", NS): "g", ("SE-LA8", NS): "o",
                      ("SE-LA9", NS): "o"},
        authorization_orgs={
            ("SE-C1", "SE-LA8", NS): frozenset({"a"}),  # its consumer
            ("SE-C9", "SE-LA1", NS): frozenset({"b"}),  # its address
            ("SE-C9", "SE-GA", NS): frozenset({"b"}),  # a grant's address is not the plan's for authorizations
        },
        grants=(grant,),
    )  # fmt: skip
    kept = restrict(state, selection)
    assert list(kept.routings) == [("SE-LA1", NS), ("SE-GA", NS), ("SE-LA7", NS)]
    # the declaring organisation of a kept routing stays, and so does one without a routing row
    assert kept.routing_orgs == {("SE-LA1", NS): "o", ("SE-GA", NS): "o", ("SE-LA7", NS): "g", ("SE-LA9", NS): "o"}
    assert list(kept.authorization_orgs) == [("SE-C1", "SE-LA8", NS), ("SE-C9", "SE-LA1", NS)]
    assert kept.grants == (grant,) and kept.orgs == state.orgs

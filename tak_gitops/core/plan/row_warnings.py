"""Warnings on the planning organisations' desired rows: rows on SE, authorizations no routing serves (VP's
routing lookup, ``core/calls.py``, on the state after the plan says what is missing).

The owner of an authorization is the consumer's organisation when it declares the row itself, else the
organisation that grants it (:func:`desire_owner`, shared with the manual steps).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import compress
from operator import itemgetter, not_

from tak_gitops.core.calls import CallState, HsaLookup, resolve_call
from tak_gitops.core.hsa import ROOT, WILDCARD, HsaTree
from tak_gitops.core.plan.after import AfterState
from tak_gitops.core.plan.context import PlanContext
from tak_gitops.core.plan.model import Finding
from tak_gitops.core.snapshot import AuthorizationKey

_CATCH_ALL = frozenset({WILDCARD, ROOT})
_ROUTING_KEY = itemgetter(1, 2)
"""The routing key (address, contract) an authorization key (consumer, address, contract) needs."""


def desire_owner(ctx: PlanContext, akey: AuthorizationKey, wanting: frozenset[str]) -> str | None:
    """The planning organisation a desired authorization belongs to: the consumer's owner, else the granter."""
    aorg = ctx.owners.get(akey[0])
    if aorg is None or aorg not in ctx.planning or aorg not in wanting:
        granter = ctx.scope.grant_of.get(akey)
        if granter is None:
            return None
        aorg = granter[0]
    return aorg


def row_warnings(ctx: PlanContext, after: AfterState, tree: HsaTree) -> None:
    """Append ``SE_ROW`` and ``NO_ROUTING_FOR_AUTHORIZATION`` warnings to ``ctx.warnings``."""
    warnings = ctx.warnings
    locations = ctx.state.locations
    scope = ctx.scope
    s_r = after.s_r
    removed_r = after.removed_r
    state_after: CallState | None = None
    desired = scope.desired_auths
    # The common case, routed exactly today and after, left out a column at a time: the rows whose (address,
    # contract) is a routing of the TAK that the plan keeps, on an address that is neither * nor SE.
    if 4 * len(desired) < len(s_r):  # few desired rows (a plan for some organisations): each looked up

        def kept_routing(key: tuple[str, str]) -> bool:
            return key in s_r and key not in removed_r and key[0] not in (WILDCARD, ROOT)

        kept_for: Callable[[tuple[str, str]], bool] = kept_routing
    else:
        keys = s_r.keys()
        kept = keys - removed_r
        kept.difference_update(compress(keys, map(_CATCH_ALL.__contains__, map(itemgetter(0), keys))))
        kept_for = kept.__contains__
    for akey in compress(desired, map(not_, map(kept_for, map(_ROUTING_KEY, desired)))):
        wanting = desired[akey]
        consumer, la, ns = akey
        aorg = desire_owner(ctx, akey, wanting)
        if aorg is None:
            continue
        if la == ROOT:
            warnings.append(
                Finding.at(
                    "SE_ROW",
                    f"authorization of {consumer} on SE for {ns}: SE is the HSA root and acts as a catch-all only "
                    "where HSA lookup is on; use * (standardbehörighet)",
                    aorg,
                    locations.get(akey),
                )
            )
        if la in (WILDCARD, ROOT):
            if after.any_routing_after(ns):  # a catch-all: fine when anything is routed for the contract
                continue
            missing = "no routing for this contract at any address"
        else:
            if state_after is None:
                lookup = HsaLookup.disabled_for(ctx.envcfg.hsa_lookup_disabled)
                state_after = CallState(after.routings(), frozenset(), tree, lookup)
            call = resolve_call(state_after, consumer, ns, la)
            if call.routing is not None:
                continue
            missing = f"VP would answer VP004: {call.reason}"
        warnings.append(
            Finding.at(
                "NO_ROUTING_FOR_AUTHORIZATION",
                f"{consumer} is authorized on {la} for {ns}, but {missing}",
                aorg,
                locations.get(akey),
            )
        )
    for key in scope.desired_routings:
        if key[0] == ROOT and scope.routing_org[key] in ctx.planning:
            warnings.append(
                Finding.at(
                    "SE_ROW",
                    f"routing on SE for {key[1]}: SE is the HSA root and acts as a catch-all only where HSA lookup "
                    "is on, before *; use * for a default routing",
                    scope.routing_org[key],
                    locations.get(key),
                )
            )

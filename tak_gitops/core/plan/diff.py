"""The row diff: which routings and authorizations the planning organisations add, change and remove.

Routings belong to the owner of their producer; a takeover of another owner's routing needs the desired
file's consent. An authorization is added by the consumer's own declaration (a consumer order) or by a grant
(the granting producer's order) and removed by the grant that manages it, else by the consumer's owner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import compress, filterfalse
from operator import ne

from tak_gitops.core.desired import Location
from tak_gitops.core.plan.context import PlanContext
from tak_gitops.core.plan.model import Change, Finding
from tak_gitops.core.plan.objects import contract_description
from tak_gitops.core.plan.waves import Placed
from tak_gitops.core.snapshot import AuthorizationKey


@dataclass
class RowDiff:
    """The planned row changes, the contracts they create, and the current authorizations a small plan kept.

    ``mine_a`` is set when the plan covers few organisations: every current authorization the plan can touch
    (the guards count rows on it); None when the diff took the set difference over all authorizations.
    """

    placed: list[Placed] = field(default_factory=list)
    new_contracts: dict[str, tuple[str, int]] = field(default_factory=dict)
    mine_a: list[AuthorizationKey] | None = None


class _Differ:
    """Collects the placed changes of one plan; the contract check is shared by routing and authorization adds."""

    def __init__(self, ctx: PlanContext) -> None:
        self.ctx = ctx
        self.out = RowDiff()

    def check_contract(self, ns: str, org: str, location: Location | None) -> bool:
        ctx = self.ctx
        if ns in ctx.snapshot.contracts or ns in ctx.rows_mention("contracts"):
            return True
        if ctx.envcfg.create_missing_contracts:
            self.out.new_contracts[ns] = contract_description(ns)
            return True
        ctx.errors.append(
            Finding.at(
                "CONTRACT_NOT_INSTALLED",
                f"contract {ns} is not installed on {ctx.env}; have it installed first "
                f"(or set create_missing_contracts for {ctx.env})",
                org,
                location,
            )
        )
        return False

    def routing_changes(self) -> None:
        """Adds and changes declared by planning organisations; takeovers need the desired file's consent."""
        ctx = self.ctx
        scope, state, owners, planning = ctx.scope, ctx.state, ctx.owners, ctx.planning
        s_r = ctx.snapshot.routings
        placed = self.out.placed
        desired = scope.desired_routings
        # the rows whose value differs from the TAK's (or that it lacks), in order: a C-level scan
        for key in compress(desired, map(ne, map(s_r.get, desired), desired.values())):
            value = desired[key]
            cur = s_r.get(key)
            org = scope.routing_org[key]
            if org not in planning:
                continue
            location = state.locations.get(key)
            if cur is not None and owners.get(cur[0]) != org and key not in state.orgs[org].takeovers:
                holder = owners.get(cur[0])
                whose = f"organisation {holder!r}" if holder else "no organisation (not in the ownership registry)"
                ctx.errors.append(
                    Finding.at(
                        "TAKEOVER",
                        f"({key[0]}, {key[1]}) is routed today to {cur[0]}, owned by {whose}; {org!r} may take it "
                        f"over only if its file lists it under `takeover`; no order is made for it",
                        org,
                        location,
                    )
                )
                continue
            if not self.check_contract(key[1], org, location):
                continue
            if cur is None:
                change = Change("add-routing", key, after=value)
            else:
                change = Change("change-routing", key, before=cur, after=value)
            placed.append(Placed(org, "producer", value[0], change))

    def routing_removals(self) -> None:
        """Rows of planning organisations' producers that nobody desires."""
        ctx = self.ctx
        s_r = ctx.snapshot.routings
        owners = ctx.owners
        planning_systems = ctx.planning_systems
        desired_routings = ctx.scope.desired_routings
        gone_r = [k for k, v in s_r.items() if v[0] in planning_systems and k not in desired_routings]
        placed = self.out.placed
        for key in gone_r:
            cur = s_r[key]
            placed.append(Placed(owners[cur[0]], "remove-routings", cur[0], Change("remove-routing", key, before=cur)))

    def authorization_adds(self) -> None:
        """A consumer's own declaration (consumer order) or a grant (the granting producer's order)."""
        ctx = self.ctx
        scope, owners, planning = ctx.scope, ctx.owners, ctx.planning
        s_a = ctx.snapshot.authorizations
        placed = self.out.placed
        for akey in list(filterfalse(s_a.__contains__, scope.desired_auths)):  # in order, a C-level scan
            wanting = scope.desired_auths[akey]
            consumer = akey[0]
            corg = owners.get(consumer)
            if corg is not None and corg in planning and corg in wanting:
                where = Placed(corg, "consumer", consumer, Change("add-authorization", akey))
            elif akey in scope.grant_of:
                gorg, producer = scope.grant_of[akey]
                where = Placed(gorg, "producer", producer, Change("add-authorization", akey))
            else:
                continue
            if not self.check_contract(akey[2], where.org, ctx.state.locations.get(akey)):
                continue
            placed.append(where)

    def authorization_removals(self) -> None:
        """Managed by a grant with ``manage``, else by the consumer's owner."""
        ctx = self.ctx
        owners = ctx.owners
        planning_systems = ctx.planning_systems
        desired_auths = ctx.scope.desired_auths
        managers = ctx.scope.managed
        managed_las = frozenset(la for la, _ns in managers)
        # A plan for a few organisations keeps the current authorizations it can touch (for the guards too); a
        # plan for most takes the set difference first (a scan of the frozenset with dict lookups is four times
        # slower).
        if 4 * len(planning_systems) < len(owners):
            mine_a = [k for k in ctx.snapshot.authorization_rows if k[0] in planning_systems or k[1] in managed_las]
            gone_a = [k for k in mine_a if k not in desired_auths]
            self.out.mine_a = mine_a
        else:
            s_a = ctx.snapshot.authorizations
            gone_a = [k for k in s_a - desired_auths.keys() if k[0] in planning_systems or k[1] in managed_las]
        placed = self.out.placed
        for akey in gone_a:
            managed = managers.get((akey[1], akey[2]))
            if managed is not None:
                change = Change("remove-authorization", akey)
                placed.append(Placed(managed[0], "remove-authorizations", managed[1], change))
            elif akey[0] in planning_systems:
                change = Change("remove-authorization", akey)
                placed.append(Placed(owners[akey[0]], "remove-authorizations", akey[0], change))


def diff_rows(ctx: PlanContext) -> RowDiff:
    """Every row change of the plan, placed with its organisation, order kind and target system."""
    differ = _Differ(ctx)
    differ.routing_changes()
    differ.routing_removals()
    differ.authorization_adds()
    differ.authorization_removals()
    return differ.out

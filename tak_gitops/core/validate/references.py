"""Rules of the references an ``<ENV>.yaml`` makes: to systems (owned, described, enabled), to address
lists and sets, and the grants that authorize other organisations' consumers on own addresses."""

from __future__ import annotations

from collections.abc import Mapping

from tak_gitops.core import codes
from tak_gitops.core.desired import Grant, Location
from tak_gitops.core.nodes import Node
from tak_gitops.core.rules import WILDCARD, did_you_mean
from tak_gitops.core.snapshot import AuthorizationKey
from tak_gitops.core.validate.diagnostics import loc_of
from tak_gitops.core.validate.inputs import ORGANISATION_FILE, OrgInput, seq
from tak_gitops.core.validate.organisation import OrganisationRules
from tak_gitops.core.validate.state import EnvBuild


class ReferenceRules(OrganisationRules):
    """System references, address lists and grants of an environment file."""

    def _system_ref(self, node: Node | None, org: str, env: str, role: str) -> str | None:
        """A producer/consumer/grant-producer reference: syntax, ownership, declared, enabled."""
        hsa = self._hsa(node, role)
        if hsa is None or node is None:
            return None
        if not self._owned(hsa, node, role, org):
            return hsa
        system = self.systems.get(hsa)
        if org in self._broken:
            return hsa
        if system is None or system.org != org:
            self.diags.error(
                node, codes.UNDECLARED_SYSTEM, f"{role} {node.value} is not described in {ORGANISATION_FILE}"
            )
        elif env not in system.environments:
            self.diags.error(
                node,
                codes.NOT_ENABLED,
                f"system {node.value} is not enabled for {env} (add it to the system's environments)",
            )
        return hsa

    def _entries(
        self, seq: Node | None, sets: Mapping[str, tuple[str, ...]], *, wildcard: bool
    ) -> list[tuple[tuple[str, ...], Location, int]]:
        """Expand an address list: ``(ids, location of the entry, entry number)`` per entry."""
        out: list[tuple[tuple[str, ...], Location, int]] = []
        for item in seq.seq() if seq is not None else ():
            if item.kind == "map" and "set" in item.value:
                set_node = item.get("set")
                name = set_node.str_value() if set_node is not None else None
                if name is None or set_node is None:
                    continue
                if name not in sets:
                    if self._quiet:
                        continue
                    self.diags.error(
                        set_node,
                        codes.UNKNOWN_SET,
                        f"address set {name!r} is not defined in {ORGANISATION_FILE}{did_you_mean(name, sets)}",
                    )
                    continue
                out.append((sets[name], loc_of(item), self._next_entry()))
                continue
            if item.kind == "scalar" and item.value == WILDCARD and wildcard:
                out.append(((WILDCARD,), loc_of(item), self._next_entry()))
                continue
            hsa = self._address_spec(item, "address")
            if hsa is not None:
                out.append(((hsa,), loc_of(item), self._next_entry()))
        return out

    def _authorize(self, key: AuthorizationKey, org: str, where: Location, build: EnvBuild) -> None:
        orgs = build.authorization_orgs.get(key)
        if orgs is None:
            build.authorization_orgs[key] = self._org_sets.setdefault(org, frozenset({org}))
            build.locations[key] = where
        elif org not in orgs:
            build.authorization_orgs[key] = orgs | {org}

    def _grant(
        self,
        node: Node,
        org: OrgInput,
        env: str,
        sets: Mapping[str, tuple[str, ...]],
        routed_here: tuple[Mapping[tuple[str, str], list[tuple[str, ...]]], set[str]],
        build: EnvBuild,
    ) -> None:
        """A grant: its producer routes the granted contracts and addresses in this file. A producer with a
        routing left out for a problem reported there is not reported again for what that routing held."""
        produced, unsure = routed_here
        producer_node = node.get("producer")
        producer = self._hsa(producer_node, "grant producer")
        if producer is not None and producer_node is not None:
            if not self._owned(producer, producer_node, "grant producer", org.key):
                producer = None
            elif not any(p == producer for p, _c in produced):
                if producer not in unsure:
                    self.diags.error(
                        producer_node,
                        codes.GRANT_NOT_ROUTED,
                        f"grant producer {producer_node.value} is not a producer in this file",
                    )
                producer = None
        contracts: list[tuple[str, Node]] = []
        for contract_node in seq(node.get("contracts")):
            contract = self._contract(contract_node)
            if contract is None:
                continue
            if producer is not None and (producer, contract) not in produced:
                if producer in unsure:
                    continue
                self.diags.error(
                    contract_node,
                    codes.GRANT_NOT_ROUTED,
                    f"producer {producer} does not serve {contract} in this file",
                )
                continue
            contracts.append((contract, contract_node))
        consumers = [c for c in (self._hsa(n, "grant consumer") for n in seq(node.get("consumers"))) if c]
        addresses_node = node.get("addresses")
        entries = self._entries(addresses_node, sets, wildcard=False) if addresses_node is not None else None
        manage_node = node.get("manage")
        manage = bool(manage_node is not None and manage_node.value is True)
        if producer is None:
            return
        where = loc_of(node)
        for contract, _contract_node in contracts:
            routed = set().union(*produced[(producer, contract)])
            if entries is None:
                granted = frozenset(routed)
                located = [(la, where) for la in sorted(routed)]
            else:
                located = []
                for ids, entry_where, _entry in entries:
                    for la in ids:
                        if la not in routed:
                            self.diags.error(
                                entry_where,
                                codes.GRANT_NOT_ROUTED,
                                f"address {la} is not routed to producer {producer} for {contract} in this file",
                            )
                            continue
                        located.append((la, entry_where))
                granted = frozenset(la for la, _w in located)
            build.grants.append(
                Grant(
                    org=org.key,
                    producer=producer,
                    contract=contract,
                    consumers=frozenset(consumers),
                    addresses=granted,
                    manage=manage,
                    location=where,
                )
            )
            for la, la_where in located:
                for consumer in consumers:
                    self._authorize((consumer, la, contract), org.key, la_where, build)

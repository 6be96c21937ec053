"""Rules of an ``<ENV>.yaml``: its comment, the routings its producers declare and the authorizations its
consumers ask for, resolved into the environment being built."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from itertools import product, repeat

from tak_gitops.core import codes
from tak_gitops.core.desired import OrgEnvironment
from tak_gitops.core.desired_model import EnvironmentFile
from tak_gitops.core.nodes import Node
from tak_gitops.core.rules import COMMENT_LIMIT, did_you_mean, url_problem
from tak_gitops.core.snapshot import AuthorizationKey, RoutingKey, RoutingValue
from tak_gitops.core.validate.inputs import OrgInput, seq
from tak_gitops.core.validate.references import ReferenceRules
from tak_gitops.core.validate.shape import check_shape
from tak_gitops.core.validate.state import RoutingDecl, none_known


class EnvironmentRules(ReferenceRules):
    """The rules of one organisation's ``<ENV>.yaml``."""

    def environment(self, org: OrgInput, env: str, path: str, root: Node, sets: Mapping[str, tuple[str, ...]]) -> None:
        model = check_shape(root, EnvironmentFile, self.diags)
        build = self.envs[env]
        self._quiet = org.key in self._broken
        env_config = self.config.environments[env]
        profiles = self.config.profiles_for(env)
        if root.kind != "map":
            return
        comment_node = root.get("comment")
        comment = comment_node.str_value() if comment_node is not None else None
        if comment is not None and comment_node is not None and len(comment.strip()) > COMMENT_LIMIT:
            self.diags.warning(
                comment_node,
                codes.COMMENT_TOO_LONG,
                f"comment is {len(comment.strip())} characters long; TAK keeps only the first {COMMENT_LIMIT}",
            )

        # producers: routings
        # (producer, contract) -> the address lists it routes here; their union is made only for a grant
        produced: dict[tuple[str, str], list[tuple[str, ...]]] = {}
        forstudie_routings: dict[tuple[str, str], str] = {}
        forstudie_authorizations: dict[tuple[str, str], str] = {}
        unsure: set[str] = set()  # producers with a routing left out for a problem reported at it
        for producer in seq(root.get("producers")):
            system = self._system_ref(producer.get("system"), org.key, env, "producer")
            for item in seq(producer.get("contracts")):
                contract = self._contract(item.get("contract"))
                ticket = _forstudie(item)
                if ticket is not None and system is not None and contract is not None:
                    forstudie_routings[(system, contract)] = ticket
                profile_node, url_node = item.get("profile"), item.get("url")
                profile = profile_node.str_value() if profile_node is not None else None
                url = url_node.str_value() if url_node is not None else None
                if profile is not None and profile_node is not None and profile not in profiles:
                    self.diags.error(
                        profile_node,
                        codes.UNKNOWN_PROFILE,
                        f"RIV-TA profile {profile!r} is not known in {env}{did_you_mean(profile, profiles)}",
                    )
                if url is not None and url_node is not None:
                    url_issue = url_problem(url, allow_http=env_config.allow_http)
                    if url_issue is not None:
                        kind, message = url_issue
                        self.diags.error(url_node, codes.HTTP_NOT_ALLOWED if kind == "http" else codes.BAD_URL, message)
                # `*` is the default routing: VP falls back to it when nothing nearer matches.
                entries = self._entries(item.get("addresses"), sets, wildcard=True)
                if system is None or contract is None or profile is None or url is None:
                    if system is not None:
                        unsure.add(system)
                    continue
                value: RoutingValue = (system, url, profile)
                routed = produced.setdefault((system, contract), [])
                routings, routing_orgs, locations = build.routings, build.routing_orgs, build.locations
                for ids, where, _entry in entries:
                    routed.append(ids)
                    # An entry is expanded once, for one contract, so a key declared already comes from another
                    # entry (the dict keeps each key of this entry once, as the set it may come from does).
                    keys: dict[RoutingKey, None] = dict.fromkeys(zip(ids, repeat(contract)))
                    if none_known(routings, keys):  # the usual case: insert a column at a time
                        routings.update(dict.fromkeys(keys, value))
                        routing_orgs.update(dict.fromkeys(keys, org.key))
                        locations.update(dict.fromkeys(keys, where))
                        continue
                    for key in keys:
                        if key not in routings:
                            routings[key] = value
                            routing_orgs[key] = org.key
                            locations[key] = where
                        else:
                            build.extra.setdefault(key, []).append(RoutingDecl(value, org.key, where))

        # consumers: authorizations
        for consumer in seq(root.get("consumers")):
            system = self._system_ref(consumer.get("system"), org.key, env, "consumer")
            for item in seq(consumer.get("authorizations")):
                contracts = [c for c in (self._contract(n) for n in seq(item.get("contracts"))) if c]
                entries = self._entries(item.get("addresses"), sets, wildcard=True)
                if system is None:
                    continue
                ticket = _forstudie(item)
                if ticket is not None:
                    forstudie_authorizations.update(dict.fromkeys(((system, a) for e in entries for a in e[0]), ticket))
                # _authorize, inlined: a consumer's lists are where the hundreds of thousands of keys come from
                auth_orgs, auth_locations, org_key = build.authorization_orgs, build.locations, org.key
                own = self._org_sets.setdefault(org_key, frozenset({org_key}))
                for ids, where, _entry in entries:
                    auth_keys: list[AuthorizationKey] = list(product((system,), ids, contracts))
                    if none_known(auth_orgs, auth_keys):  # the usual case: insert a column at a time
                        auth_orgs.update(zip(auth_keys, repeat(own)))
                        auth_locations.update(zip(auth_keys, repeat(where)))
                        continue
                    for auth_key in auth_keys:
                        orgs = auth_orgs.get(auth_key)
                        if orgs is None:
                            auth_orgs[auth_key] = own
                            auth_locations[auth_key] = where
                        elif org_key not in orgs:
                            auth_orgs[auth_key] = orgs | {org_key}

        # grants: authorizations for other organisations' consumers on own addresses
        for grant_node in seq(root.get("grants")):
            self._grant(grant_node, org, env, sets, (produced, unsure), build)

        takeovers: set[RoutingKey] = set()
        for item in seq(root.get("takeover")):
            taken = self._hsa(item.get("address"), "takeover address")
            taken_contract = self._contract(item.get("contract"))
            if taken is not None and taken_contract is not None:
                takeovers.add((taken, taken_contract))
        cascades: set[str] = set()
        removals: int | None = None
        acknowledge = root.get("acknowledge")
        if acknowledge is not None and acknowledge.kind == "map":
            for item in seq(acknowledge.get("cascades")):
                hsa = self._hsa(item, "acknowledged cascade", wildcard=True)
                if hsa is not None:
                    cascades.add(hsa)
        change_date: dt.date | None = None
        if model is not None:
            change_date = model.change_date
            removals = model.acknowledge.removals if model.acknowledge else None
        build.orgs[org.key] = OrgEnvironment(
            org=org.key,
            env=env,
            path=path,
            comment=comment.strip() if comment is not None else None,
            change_date=change_date,
            acknowledged_cascades=frozenset(cascades),
            acknowledged_removals=removals,
            takeovers=frozenset(takeovers),
            forstudie=_forstudie(root),
            forstudie_routings=forstudie_routings,
            forstudie_authorizations=forstudie_authorizations,
        )


def _forstudie(node: Node) -> str | None:
    """The ``forstudie:`` ticket of a map node, stripped (its shape is checked with the file's model)."""
    found = node.get("forstudie") if node.kind == "map" else None
    value = found.str_value() if found is not None else None
    return value.strip() if value is not None and value.strip() else None

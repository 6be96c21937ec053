"""The resolved desired state: what every organisation wants, per environment, in natural keys.

The YAML files (see ``desired_model``) are validated and then *resolved* into these plain, frozen values:
address sets expanded, HSA-ids upper-cased, every routing and authorization a tuple key. The planner consumes
only this module's types; it never sees YAML.

``Location`` points back into the files so that plan errors (a takeover, a conflict) can name file:line:col.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from tak_gitops.core.canonical import digest
from tak_gitops.core.snapshot import AuthorizationKey, RoutingKey, RoutingValue


@dataclass(frozen=True, order=True)
class Location:
    """A position in a desired file (1-based line and column)."""

    path: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Address:
    """A logical address as the desired files describe it. ``kind`` is ``VG``, ``VE`` or None; ``vg`` names the
    care giver (VG) a care unit (VE) belongs to, when the organisation says so."""

    hsa_id: str
    name: str | None = None
    kind: str | None = None
    vg: str | None = None


@dataclass(frozen=True)
class Contact:
    """A contact person or function mailbox."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class System:
    """A service component (tjanstekomponent) an organisation owns."""

    hsa_id: str
    name: str
    org: str
    description: str
    """The TAK `beskrivning` to use when the system must be created, e.g. ``Inera AB -- Intygstjänster -- Webcert``."""
    environments: frozenset[str]
    main_responsible: Contact | None = None
    technical_contact: Contact | None = None
    support: Contact | None = None


@dataclass(frozen=True)
class Organisation:
    """An organisation: its desired/ folder name (``key``), name and organisation number."""

    key: str
    name: str
    number: str
    team: str | None = None


@dataclass(frozen=True)
class Grant:
    """A producer side asking authorizations for consumers on its own addresses.

    ``manage`` means the organisation manages the grants of ``contract`` on ``addresses``: every authorization
    on those addresses for that contract that nobody desires is removed.
    """

    org: str
    producer: str
    contract: str
    consumers: frozenset[str]
    addresses: frozenset[str]
    manage: bool
    location: Location | None = None


@dataclass(frozen=True)
class OrgEnvironment:
    """What one organisation says about one environment, beyond rows: comment, date, acknowledgements."""

    org: str
    env: str
    path: str
    comment: str | None = None
    change_date: dt.date | None = None
    acknowledged_cascades: frozenset[str] = frozenset()
    acknowledged_removals: int | None = None
    takeovers: frozenset[RoutingKey] = frozenset()
    """Routing keys this organisation may take over from another owner (or from a system nobody owns)."""
    forstudie: str | None = None
    """The file's ``forstudie:`` ticket: for every first connection the file makes."""
    forstudie_routings: Mapping[tuple[str, str], str] = field(default_factory=dict, hash=False)
    """(producer, contract) -> the ``forstudie:`` of that contract entry."""
    forstudie_authorizations: Mapping[tuple[str, str], str] = field(default_factory=dict, hash=False)
    """(consumer, logical address) -> the ``forstudie:`` of the authorization entry naming them."""


@dataclass(frozen=True)
class EnvironmentState:
    """The desired rows of one environment, across every organisation that has a file for it.

    ``routings`` holds one value per key (validation refuses conflicting declarations). ``routing_orgs`` says
    which organisation declared each routing; ``authorization_orgs`` which organisations want each
    authorization (a consumer's own declaration or a grant from the producer side, or both).
    """

    env: str
    routings: Mapping[RoutingKey, RoutingValue]
    routing_orgs: Mapping[RoutingKey, str]
    authorization_orgs: Mapping[AuthorizationKey, frozenset[str]]
    grants: tuple[Grant, ...] = ()
    orgs: Mapping[str, OrgEnvironment] = field(default_factory=dict)
    """Organisations with a file for this environment. Organisations without one are not managed here."""
    locations: Mapping[tuple[str, ...], Location] = field(default_factory=dict)
    """Where each routing key (la, ns) and authorization key (consumer, la, ns) was declared."""

    @property
    def authorizations(self) -> frozenset[AuthorizationKey]:
        """Every desired authorization key."""
        return frozenset(self.authorization_orgs)


@dataclass(frozen=True)
class DesiredState:
    """Everything under desired/, resolved. ``owners`` maps system HSA-id -> organisation key (the registry)."""

    organisations: Mapping[str, Organisation]
    owners: Mapping[str, str]
    systems: Mapping[str, System]
    addresses: Mapping[str, Address]
    """Every logical address named anywhere, with the best name and kind known."""
    environments: Mapping[str, EnvironmentState]
    file_digests: Mapping[str, str] = field(default_factory=dict)
    """Per environment, the digest of the files the state was read from (set by the loader; see :meth:`digest`)."""

    def content(self, env: str) -> dict[str, object]:
        """The hashed content for one environment: everything that can change a plan for it."""
        state = self.environments.get(env)
        rows: dict[str, object] = {"env": env}
        if state is not None:
            rows["routings"] = sorted([*k, *v, state.routing_orgs.get(k, "")] for k, v in state.routings.items())
            rows["authorizations"] = sorted([*k, *sorted(o)] for k, o in state.authorization_orgs.items())
            rows["grants"] = sorted(
                [g.org, g.producer, g.contract, sorted(g.consumers), sorted(g.addresses), g.manage]
                for g in state.grants
            )
            rows["orgs"] = sorted(
                [
                    o.org,
                    o.comment,
                    o.change_date.isoformat() if o.change_date else None,
                    sorted(o.acknowledged_cascades),
                    o.acknowledged_removals,
                    sorted(o.takeovers),
                    *_forstudie_content(o),
                ]
                for o in state.orgs.values()
            )
        rows["owners"] = sorted(self.owners.items())
        rows["systems"] = sorted(
            [s.hsa_id, s.org, s.name, s.description, sorted(s.environments)] for s in self.systems.values()
        )
        rows["addresses"] = sorted([a.hsa_id, a.name, a.kind, a.vg] for a in self.addresses.values())
        return rows

    def digest(self, env: str) -> str:
        """What a plan for ``env`` records and apply re-checks: the digest of the files read for ``env`` when
        the state was loaded from a repository, else ``sha256:`` of :meth:`content` (a state built in memory)."""
        found = self.file_digests.get(env)
        return found if found is not None else digest(self.content(env))


def _forstudie_content(o: OrgEnvironment) -> list[object]:
    """The ``forstudie:`` references, for the digest: nothing when there are none (older digests stay)."""
    if o.forstudie is None and not o.forstudie_routings and not o.forstudie_authorizations:
        return []
    return [o.forstudie, sorted([*k, v] for k, v in o.forstudie_routings.items()),
            sorted([*k, v] for k, v in o.forstudie_authorizations.items())]


def care_giver_links(addresses: Mapping[str, Address]) -> dict[str, str]:
    """Address -> its care giver (``vg``), for every address with one. A mapping that keeps the addresses as
    columns (the load cache's) answers with its ``vg_links()`` instead of making every :class:`Address`."""
    fast = getattr(addresses, "vg_links", None)
    if callable(fast):
        links: dict[str, str] = fast()
        return links
    return {a.hsa_id: a.vg for a in addresses.values() if a.vg}


def address_names(addresses: Mapping[str, Address]) -> Iterable[tuple[str, str]]:
    """(HSA-id, name) of every address with a name; from a column mapping's ``names()`` when it has one."""
    fast = getattr(addresses, "names", None)
    if callable(fast):
        found: Iterable[tuple[str, str]] = fast()
        return found
    return [(a.hsa_id, a.name) for a in addresses.values() if a.name]

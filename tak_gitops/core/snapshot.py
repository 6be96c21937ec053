"""The normalized snapshot: the current TAK of one platform+environment, keyed on natural keys only.

Every reader (TAK-api v2 responses, published-version JSON, nightly ``takdump_*.json``, ``/export/pv``) ends
in a :class:`Snapshot`. Numeric ids never survive into it: they change every day.

Keys and values are plain tuples of strings so that national-scale TAKs (hundreds of thousands of rows) fit
in memory and diff as set operations:

* routing (vagval): ``(logical address, contract namespace) -> (producer HSA-id, URL, RIV-TA profile)``
* authorization (anropsbehorighet): ``(consumer HSA-id, logical address, contract namespace)``

HSA-ids are upper case. ``*`` (standardbehörighet / default routing) and ``SE`` (the HSA root) are kept as
they are: they are wildcards at run time and are never expanded here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from tak_gitops.core.canonical import digest

RoutingKey = tuple[str, str]
"""(logical address, contract namespace)"""

RoutingValue = tuple[str, str, str]
"""(producer HSA-id, URL, RIV-TA profile)"""

AuthorizationKey = tuple[str, str, str]
"""(consumer HSA-id, logical address, contract namespace)"""

SNAPSHOT_FORMAT = "tak-gitops-snapshot"
SNAPSHOT_FORMAT_VERSION = 2


@dataclass(frozen=True)
class Contract:
    """An installed service contract (tjanstekontrakt)."""

    namespace: str
    description: str
    major: int
    minor: int = 0


def normalize_hsa_id(value: str) -> str:
    """Upper-case an HSA-id; ``*`` stays ``*``. TAK compares HSA-ids case-insensitively."""
    return value.strip().upper()


@dataclass(frozen=True)
class Snapshot:
    """The current state of one TAK (one platform + environment), as read from one source.

    ``platform``/``environment`` are the TAK-api names (``NTJP``/``PROD``). ``snapshot_time`` is the source's
    own time stamp as an ISO-8601 string (TAK-api ``snapshotTime``, dump ``tidpunkt``), or ``None``.
    ``source`` says what it was read from (``tak-api``, ``pubversion``, ``takdump``, ``export-pv``, ``sim``).
    """

    platform: str
    environment: str
    snapshot_time: str | None
    source: str
    routings: Mapping[RoutingKey, RoutingValue]
    authorizations: frozenset[AuthorizationKey]
    logical_addresses: Mapping[str, str] = field(default_factory=dict)
    """HSA-id -> description, for every logical address the source mentions."""
    systems: Mapping[str, str] = field(default_factory=dict)
    """HSA-id -> description, for every service component (producer or consumer) the source mentions."""
    contracts: Mapping[str, Contract] = field(default_factory=dict)
    """namespace -> contract, for every contract installed on this TAK."""

    def content(self) -> dict[str, object]:
        """The hashed content: every row, sorted; no time stamp, no source name."""
        return {
            "platform": self.platform,
            "environment": self.environment,
            "routings": sorted([*k, *v] for k, v in self.routings.items()),
            "authorizations": sorted(self.authorizations),
            "logical_addresses": sorted(self.logical_addresses.items()),
            "systems": sorted(self.systems.items()),
            "contracts": sorted(
                (c.namespace, c.description, c.major, c.minor) for c in self.contracts.values()
            ),
        }

    @cached_property
    def digest(self) -> str:
        """``sha256:`` of the canonical content; equal for equal TAK content whatever the source or time."""
        return digest(self.content())

    @cached_property
    def authorization_rows(self) -> Sequence[AuthorizationKey]:
        """The authorizations as a sequence, for scans (counting, filtering). A reader sets them in the order it
        made them, which scans several times faster than the set's hash order (memory is read in order)."""
        return tuple(self.authorizations)

    @classmethod
    def empty(cls, platform: str, environment: str, source: str = "empty") -> Snapshot:
        """A snapshot with no rows (used in tests and for a TAK that does not exist yet)."""
        return cls(platform, environment, None, source, {}, frozenset())

    @classmethod
    def build(
        cls,
        *,
        platform: str,
        environment: str,
        snapshot_time: str | None,
        source: str,
        routings: Iterable[tuple[RoutingKey, RoutingValue]],
        authorizations: Iterable[AuthorizationKey],
        logical_addresses: Mapping[str, str] | None = None,
        systems: Mapping[str, str] | None = None,
        contracts: Iterable[Contract] = (),
    ) -> Snapshot:
        """Build a snapshot, upper-casing HSA-ids. Duplicate routing keys keep the last value; readers that
        must refuse duplicates check before calling this."""
        r = {
            (normalize_hsa_id(la), ns): (normalize_hsa_id(p), url, profile)
            for (la, ns), (p, url, profile) in routings
        }
        a = frozenset((normalize_hsa_id(c), normalize_hsa_id(la), ns) for c, la, ns in authorizations)
        return cls(
            platform=platform,
            environment=environment,
            snapshot_time=snapshot_time,
            source=source,
            routings=r,
            authorizations=a,
            logical_addresses={normalize_hsa_id(k): v for k, v in (logical_addresses or {}).items()},
            systems={normalize_hsa_id(k): v for k, v in (systems or {}).items()},
            contracts={c.namespace: c for c in contracts},
        )


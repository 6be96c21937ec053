"""Where each page of the site lives: safe file names for HSA-ids, contracts and organisations, and the links
between pages (relative to the environment's folder), given only for pages that exist."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]*")
_UNSAFE = re.compile(r"[^A-Za-z0-9.-]")


@lru_cache(maxsize=1 << 18)
def slug(value: str) -> str:
    """A file-name part for ``value``: the value itself when it is made of letters, digits, ``.`` and ``-``;
    ``:`` becomes ``.`` in a contract namespace (which has no dot); ``*`` is ``_all``; anything else is cleaned
    and suffixed with a short hash of the original, so that two values never share a file."""
    if value == "*":
        return "_all"
    if _SAFE.fullmatch(value):
        return value
    if "." not in value and _SAFE.fullmatch(value.replace(":", ".")):
        return value.replace(":", ".")
    cleaned = _UNSAFE.sub("_", value)[:80]
    if not cleaned[:1].isalnum():
        cleaned = "_" + cleaned
    return f"{cleaned}_{hashlib.sha256(value.encode('utf-8')).hexdigest()[:10]}"


def anchor(value: str) -> str:
    """An ``id`` for a ``#`` anchor inside a page (the same rule as :func:`slug`)."""
    return slug(value)


def address_page(hsa_id: str) -> str:
    return f"address/{slug(hsa_id)}.html"


def system_page(hsa_id: str) -> str:
    return f"system/{slug(hsa_id)}.html"


def contract_page(namespace: str) -> str:
    return f"contract/{slug(namespace)}.html"


def org_page(key: str) -> str:
    return f"org/{slug(key)}.html"


PLAN_PAGE = "plan.html"
INDEX_PAGE = "index.html"


def continuation_page(base: str, section: str, number: int) -> str:  # noqa: D103
    """Page ``number`` (2, 3, ...) of a long list that starts on the page ``base``."""
    return f"{base.removesuffix('.html')}--{slug(section)}-{number}.html"


@dataclass(frozen=True)
class Links:
    """Links to the pages that exist; ``None`` for a thing without a page (a link check must never fail)."""

    addresses: frozenset[str]
    systems: frozenset[str]
    contracts: frozenset[str]
    orgs: frozenset[str]
    has_plan: bool = False

    @classmethod
    def of(
        cls,
        addresses: Iterable[str],
        systems: Iterable[str],
        contracts: Iterable[str],
        orgs: Iterable[str],
        has_plan: bool = False,
    ) -> Links:
        return cls(frozenset(addresses), frozenset(systems), frozenset(contracts), frozenset(orgs), has_plan)

    def address(self, hsa_id: str) -> str | None:
        return address_page(hsa_id) if hsa_id in self.addresses else None

    def system(self, hsa_id: str) -> str | None:
        return system_page(hsa_id) if hsa_id in self.systems else None

    def contract(self, namespace: str) -> str | None:
        return contract_page(namespace) if namespace in self.contracts else None

    def org(self, key: str | None) -> str | None:
        return org_page(key) if key is not None and key in self.orgs else None

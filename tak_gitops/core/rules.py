"""Pure value rules of the TAK, checked locally before anything is ordered.

Each ``*_problem`` function returns None when the value is fine, else a message (without code or position).
The rules are TAK-web's own (see docs/desired-format.md): HSA-ids ``[0-9a-zA-Z_-]`` 1-255 long, URLs
``[0-9a-zA-Z_.:/-?&]`` 5-255 long, contract namespaces ``[0-9a-zA-Z_.:-]`` 1-255 long.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

HSA_ID_PATTERN = r"^[0-9a-zA-Z_\-]{1,255}$"
HSA_ID_OR_WILDCARD_PATTERN = r"^(\*|[0-9a-zA-Z_\-]{1,255})$"
URL_PATTERN = r"^https?://[0-9a-zA-Z_.:/\-?&]{1,247}$"
CONTRACT_PATTERN = r"^urn:riv:[0-9a-zA-Z_.:\-]*Responder:[0-9]+$"

_HSA_RE = re.compile(r"[0-9a-zA-Z_\-]{1,255}")
_URL_CHARS_RE = re.compile(r"[0-9a-zA-Z_.:/\-?&]+")
_URL_BAD_CHAR_RE = re.compile(r"[^0-9a-zA-Z_.:/\-?&]")
_HSA_BAD_CHAR_RE = re.compile(r"[^0-9a-zA-Z_\-]")
_CONTRACT_CHARS_RE = re.compile(r"[0-9a-zA-Z_.:\-]+")
_CONTRACT_SHAPE_RE = re.compile(r"urn:riv:(?:[0-9a-zA-Z_.\-]+:)+[0-9a-zA-Z_.\-]*Responder:[0-9]+")
_SPACE_RE = re.compile(r"\s+")
_ORG_KEY_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")

WILDCARD = "*"
MAX_LENGTH = 255
COMMENT_LIMIT = 254


def hsa_id_problem(value: str, *, allow_wildcard: bool = False) -> str | None:
    """Check an HSA-id against TAK's rule. ``*`` only where ``allow_wildcard``."""
    if _HSA_RE.fullmatch(value):
        return None
    if value == WILDCARD:
        if allow_wildcard:
            return None
        return "'*' is allowed only in producer routings and consumer authorizations, not in grants"
    if not value:
        return "HSA-id must not be empty"
    if len(value) > MAX_LENGTH:
        return f"HSA-id is {len(value)} characters long; TAK allows at most {MAX_LENGTH}"
    bad = _HSA_BAD_CHAR_RE.search(value)
    assert bad is not None
    return f"HSA-id {value!r} has the character {bad.group()!r}; TAK allows only 0-9 a-z A-Z _ -"


match_hsa_id = _HSA_RE.fullmatch
"""``match_hsa_id(value)`` is a match (truthy) for a well-formed HSA-id, else None: the fast test for hot loops."""


def is_hsa_id(value: str) -> bool:
    """True for a well-formed HSA-id (no wildcard)."""
    return _HSA_RE.fullmatch(value) is not None


def url_problem(url: str, *, allow_http: bool) -> tuple[str, str] | None:
    """Check a producer URL. Returns ``("url", message)`` for a malformed URL, ``("http", message)`` for an
    http:// URL where only https:// is allowed, or None."""
    if not (5 <= len(url) <= MAX_LENGTH):
        return "url", f"URL is {len(url)} characters long; TAK allows 5 to {MAX_LENGTH}"
    if not _URL_CHARS_RE.fullmatch(url):
        bad = _URL_BAD_CHAR_RE.search(url)
        assert bad is not None
        return "url", f"URL has the character {bad.group()!r}; TAK allows only 0-9 a-z A-Z _ . : / - ? &"
    lower = url.lower()
    if lower.startswith("https://") and len(url) > len("https://"):
        return None
    if lower.startswith("http://") and len(url) > len("http://"):
        if allow_http:
            return None
        return "http", "http:// URL is not allowed in this environment (set allow_http in tak-gitops.yaml)"
    return "url", "URL must start with https:// (or http:// where the environment allows it)"


def contract_problem(namespace: str) -> str | None:
    """Check a service contract namespace: ``urn:riv:<domain parts>:<Name>Responder:<major>``."""
    if not namespace:
        return "contract namespace must not be empty"
    if len(namespace) > MAX_LENGTH:
        return f"contract namespace is {len(namespace)} characters long; TAK allows at most {MAX_LENGTH}"
    if not _CONTRACT_CHARS_RE.fullmatch(namespace):
        return f"contract namespace {namespace!r} has characters TAK does not allow (only 0-9 a-z A-Z _ . : -)"
    if not _CONTRACT_SHAPE_RE.fullmatch(namespace):
        return (
            f"contract namespace {namespace!r} must look like urn:riv:<domain>:<Name>Responder:<major>, "
            "e.g. urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2"
        )
    return None


def org_key_problem(key: str) -> str | None:
    """Why ``key`` cannot be an organisation key (None when it can): the one rule for what a desired/ folder
    name, a CODEOWNERS path and a plan id hold. Letters, digits, ``.``, ``_`` and ``-``, at most 100, starting
    with a letter or digit (so never ``..``, a path or a space)."""
    if _ORG_KEY_RE.fullmatch(key) is not None:
        return None
    return (
        f"organisation key {key!r} cannot be a folder name: use letters, digits, '.', '_' and '-' "
        "(at most 100, starting with a letter or digit)"
    )


def repo_path_problem(path: str) -> str | None:
    """Why ``path`` cannot name a place in the repository, relative to the configuration file (None when it
    can): it must be relative, written with ``/``, without empty parts. Where it leads (it may not leave the
    checkout) is the loader's check: it depends on the files."""
    if not path or path.startswith("/") or "\\" in path or re.match(r"^[A-Za-z]:", path):
        return f"{path!r} must be a path in the repository, relative to this file and written with '/'"
    if "" in path.split("/")[:-1]:
        return f"{path!r} must be a path in the repository: without empty parts ('//')"
    return None


def normalize_name(name: str) -> str:
    """A name folded for near-duplicate detection: lower case, without white space.

    Near duplicates in the TAK differ by letter case or by spacing, including compound words written apart
    ("Tjänste plattform" / "Tjänsteplattform").
    """
    return _SPACE_RE.sub("", name).casefold()


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or an empty string when nothing is close."""
    options = sorted(set(choices))
    match = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
    if not match:
        folded = {c.casefold(): c for c in options}
        if value.casefold() in folded:
            match = [folded[value.casefold()]]
    return f" (did you mean {match[0]!r}?)" if match else ""


def near_duplicates(items: Iterable[tuple[str, object]]) -> list[list[object]]:
    """Group ``(key, payload)`` pairs whose keys are equal after :func:`normalize_name` but differ as written.

    Returns the groups (each the payloads in input order) that have at least two distinct spellings.
    """
    groups: dict[str, list[tuple[str, object]]] = {}
    for key, payload in items:
        groups.setdefault(normalize_name(key), []).append((key, payload))
    return [
        [payload for _key, payload in members]
        for members in groups.values()
        if len({key for key, _payload in members}) > 1
    ]

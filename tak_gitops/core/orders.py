"""The order builder: a plan's orders as BS JSON order documents ("JSON-beställning") that TAK-web executes.

Pure: a plan document (the dict of ``docs/plan-format.md``), the order settings, the environment settings,
the time of building and the pull request / commit → one :class:`BuiltOrder` per plan order, in plan order
(wave, then id). Each document has exactly the keys TAK-web's parser accepts (unknown keys fail a whole
order), all five arrays in both sections, upper-case HSA-ids and time stamps ``yyyy-MM-ddTHH:mm:ss+hhmm``.

Rules enforced before anything is emitted (tak-model-and-orders.md §7), raising :class:`PlanFileError`:

* the same routing key (address, contract) or authorization key (consumer, address, contract) never twice in
  one order, in either section, compared case-insensitively; the same for new addresses, systems and contracts;
* URLs match ``[0-9a-zA-Z_.:/\\-?&]{5,255}``, HSA-ids ``[0-9a-zA-Z_\\-]``, namespaces ``[0-9a-zA-Z_.:\\-]``.

Every new logical address, system and contract the plan creates is listed in ``inkludera`` of each order that
refers to it, so every order can be executed on its own, in any order (listing an existing one is harmless:
TAK-web drops it).

The idempotency key of an order is ``sha256`` of the canonical JSON of (environment, plattform, inkludera,
exkludera): it covers what the order does and where, never when it was built.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tak_gitops.core.canonical import digest
from tak_gitops.core.config import EnvironmentConfig, OrderConfig
from tak_gitops.errors import ConfigError, PlanFileError

SECTION_ARRAYS = ("tjanstekomponenter", "tjanstekontrakt", "logiskadresser", "anropsbehorigheter", "vagval")
"""The five arrays of an ``inkludera`` / ``exkludera`` section, in the order TAK-web documents them."""

KOMMENTAR_MAX = 254
GENOMFORANDE_HOUR = 12
"""TAK-web keeps only the date of ``genomforandeTidpunkt``, read in its own JVM time zone: noon local time
keeps that date the same in every time zone within ±11 hours."""

URL_RE = re.compile(r"^[0-9a-zA-Z_.:/\-?&]{5,255}$")
HSA_RE = re.compile(r"^[0-9A-Z_\-]{1,255}$")
NAMESPACE_RE = re.compile(r"^[0-9a-zA-Z_.:\-]{1,255}$")
PROFILE_RE = re.compile(r"^\S{1,255}$")
_ID_SAFE = re.compile(r"[^0-9A-Za-z._-]+")

_ROUTING_ADDS = ("add-routing", "change-routing")
_KNOWN_ACTIONS = frozenset(
    {
        "add-logical-address",
        "add-system",
        "add-contract",
        "add-routing",
        "change-routing",
        "remove-routing",
        "add-authorization",
        "remove-authorization",
    }
)


@dataclass(frozen=True)
class OrderMeta:
    """Where an apply comes from: the pull request and the commit of the desired state (both optional)."""

    pr_url: str | None = None
    commit: str | None = None


@dataclass(frozen=True)
class BuiltOrder:
    """One BS JSON order and what identifies it.

    ``order_id`` is ``<plan order id>-<first 10 hex digits of the key>``: readable, unique per content, a file name.
    """

    order_id: str
    idempotency_key: str
    env: str
    plattform: str
    plan_order_id: str
    wave: int
    org: str
    system: str
    kind: str
    document: dict[str, Any]
    previous: tuple[tuple[str, str, str, str, str], ...] = ()
    """For each changed routing, what it was when planned: (address, contract, producer, url, profile).
    Reconcile reads a routing still at this value as "waiting", not as "diverged"."""


def idempotency_key(env: str, plattform: str, inkludera: Mapping[str, Any], exkludera: Mapping[str, Any]) -> str:
    """``sha256:`` of canonical JSON of (env, plattform, inkludera, exkludera): no time stamps, no comment."""
    return digest({"env": env, "plattform": plattform, "inkludera": inkludera, "exkludera": exkludera})


def format_timestamp(moment: dt.datetime) -> str:
    """``yyyy-MM-ddTHH:mm:ss+hhmm``, the only offset form TAK-web's parser accepts (no colon, no ``Z``)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("order time stamps need a time zone")
    return moment.strftime("%Y-%m-%dT%H:%M:%S%z")


def clean_kommentar(text: str) -> str:
    """What TAK-web keeps of a comment: newlines removed, blanks collapsed, trimmed."""
    return " ".join(text.replace("\r", " ").replace("\n", " ").split())


def build_kommentar(comment: str | None, meta: OrderMeta, order_config: OrderConfig, ref: str) -> str:
    """The order's ``kommentar``: the desired comment, the PR, the commit, the orderer and the order reference
    (``tak-gitops <first 10 hex digits of the idempotency key>``, which ``orders show`` accepts).

    At most 254 characters: when too long, the desired comment is shortened (with ``…``); the trace (PR,
    commit, orderer, order id) is kept whole because the desk's ticket must lead back to the change.
    """
    trace: list[str] = []
    if meta.pr_url:
        trace.append(f"PR {meta.pr_url}")
    if meta.commit:
        trace.append(f"commit {meta.commit[:12]}")
    person = order_config.orderer
    if person is not None:
        who = ", ".join(p for p in (person.name, person.email, person.phone) if p)
        trace.append(f"beställare {who}")
    trace.append(f"tak-gitops {ref}")
    tail = clean_kommentar(" | ".join(trace))
    head = clean_kommentar(comment or "")
    if not head:
        return tail[:KOMMENTAR_MAX]
    room = KOMMENTAR_MAX - len(tail) - len(" | ")
    if room <= 1:
        return tail[:KOMMENTAR_MAX]
    if len(head) > room:
        head = head[: room - 1].rstrip() + "…"
    return f"{head} | {tail}"


def execution_date(change_date: str | None, today: dt.date, where: str) -> dt.date:
    """The order's start date D: the desired change date, or today when none is set or it has passed."""
    if not change_date:
        return today
    try:
        wanted = dt.date.fromisoformat(change_date)
    except ValueError as exc:
        raise PlanFileError(f"{where}: change_date {change_date!r} is not a date (YYYY-MM-DD)") from exc
    return max(wanted, today)


def _zone(order_config: OrderConfig) -> ZoneInfo:
    try:
        return ZoneInfo(order_config.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"orders.timezone {order_config.timezone!r} is not a known time zone") from exc


def _str(change: Mapping[str, Any], key: str, where: str) -> str:
    value = change.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PlanFileError(f"{where}: {change.get('action')} needs a non-empty {key!r}")
    return value.strip()


def _hsa(value: str, what: str, where: str, *, wildcard: bool = False) -> str:
    hsa = value.strip().upper()
    if wildcard and hsa == "*":
        return hsa
    if not HSA_RE.match(hsa):
        raise PlanFileError(f"{where}: {what} {value!r} is not a valid HSA-id (letters, digits, '-', '_')")
    return hsa


def _namespace(value: str, where: str) -> str:
    if not NAMESPACE_RE.match(value):
        raise PlanFileError(f"{where}: contract {value!r} has characters TAK does not allow in a namespace")
    return value


def _url(value: str, where: str) -> str:
    if not URL_RE.match(value):
        raise PlanFileError(
            f"{where}: URL {value!r} is refused by TAK-web: 5-255 characters of [0-9a-zA-Z_.:/-?&] only"
        )
    return value


def _profile(value: str, where: str) -> str:
    if not PROFILE_RE.match(value):
        raise PlanFileError(f"{where}: RIV-TA profile {value!r} is not a profile name")
    return value


def _routing_value(change: Mapping[str, Any], side: str, where: str) -> tuple[str, str, str]:
    value = change.get(side)
    if not isinstance(value, Mapping):
        raise PlanFileError(f"{where}: {change.get('action')} needs {side!r} with producer, url and profile")
    producer = _hsa(_str(value, "producer", where), "producer", where)
    url = _url(_str(value, "url", where), where)
    profile = _profile(_str(value, "profile", where), where)
    return producer, url, profile


@dataclass
class _Sections:
    """Collects one order's items and refuses duplicates across both sections, ignoring case."""

    where: str

    def __post_init__(self) -> None:
        self.inkludera: dict[str, list[dict[str, Any]]] = {name: [] for name in SECTION_ARRAYS}
        self.exkludera: dict[str, list[dict[str, Any]]] = {name: [] for name in SECTION_ARRAYS}
        self._seen: dict[tuple[str, ...], str] = {}

    def add(self, section: str, array: str, key: tuple[str, ...], item: dict[str, Any]) -> None:
        folded = (array, *(k.casefold() for k in key))
        if folded in self._seen:
            other = self._seen[folded]
            place = "twice in " + section if other == section else "in both inkludera and exkludera"
            raise PlanFileError(
                f"{self.where}: {array} {' / '.join(key)} appears {place}; TAK-web refuses an order with the "
                "same key in more than one place"
            )
        self._seen[folded] = section
        target = self.inkludera if section == "inkludera" else self.exkludera
        target[array].append(item)

    def has(self, array: str, key: str) -> bool:
        return (array, key.casefold()) in self._seen

    def sorted_sections(self) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[dict[str, Any]]]]:
        def order(sec: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
            return {
                "tjanstekomponenter": sorted(sec["tjanstekomponenter"], key=lambda i: i["hsaId"]),
                "tjanstekontrakt": sorted(sec["tjanstekontrakt"], key=lambda i: i["namnrymd"]),
                "logiskadresser": sorted(sec["logiskadresser"], key=lambda i: i["hsaId"]),
                "anropsbehorigheter": sorted(
                    sec["anropsbehorigheter"],
                    key=lambda i: (i["logiskAdress"], i["tjanstekonsument"], i["tjanstekontrakt"]),
                ),
                "vagval": sorted(sec["vagval"], key=lambda i: (i["logiskAdress"], i["tjanstekontrakt"])),
            }

        return order(self.inkludera), order(self.exkludera)


@dataclass(frozen=True)
class _NewObjects:
    """Every logical address, system and contract the plan creates, by upper-case id / namespace."""

    addresses: Mapping[str, dict[str, Any]]
    systems: Mapping[str, dict[str, Any]]
    contracts: Mapping[str, dict[str, Any]]


def _collect_new_objects(orders: Sequence[Mapping[str, Any]]) -> _NewObjects:
    addresses: dict[str, dict[str, Any]] = {}
    systems: dict[str, dict[str, Any]] = {}
    contracts: dict[str, dict[str, Any]] = {}
    for order in orders:
        where = f"plan order {order.get('id')}"
        for change in order.get("changes") or ():
            action = change.get("action")
            if action == "add-logical-address":
                hsa = _hsa(_str(change, "hsa_id", where), "logical address", where)
                addresses[hsa] = {"hsaId": hsa, "beskrivning": _str(change, "description", where)}
            elif action == "add-system":
                hsa = _hsa(_str(change, "hsa_id", where), "system", where)
                systems[hsa] = {"hsaId": hsa, "beskrivning": _str(change, "description", where)}
            elif action == "add-contract":
                ns = _namespace(_str(change, "namespace", where), where)
                major = change.get("major")
                if not isinstance(major, int) or isinstance(major, bool) or major < 0:
                    raise PlanFileError(f"{where}: add-contract {ns} needs an integer 'major'")
                contracts[ns.casefold()] = {
                    "namnrymd": ns,
                    "beskrivning": _str(change, "description", where),
                    "majorVersion": major,
                }
    return _NewObjects(addresses, systems, contracts)


def _previous(order: Mapping[str, Any], where: str) -> tuple[tuple[str, str, str, str, str], ...]:
    out = []
    for change in order.get("changes") or ():
        if change.get("action") == "change-routing" and isinstance(change.get("before"), Mapping):
            address = _hsa(_str(change, "address", where), "logical address", where, wildcard=True)
            producer, url, profile = _routing_value(change, "before", where)
            out.append((address, _str(change, "contract", where), producer, url, profile))
    return tuple(sorted(out))


def _fill_order(order: Mapping[str, Any], where: str, new: _NewObjects) -> _Sections:
    sections = _Sections(where)
    referenced_addresses: set[str] = set()
    referenced_systems: set[str] = set()
    referenced_contracts: set[str] = set()
    for change in order.get("changes") or ():
        action = change.get("action")
        if action not in _KNOWN_ACTIONS:
            raise PlanFileError(f"{where}: unknown change action {action!r}")
        if action == "add-logical-address":
            referenced_addresses.add(_hsa(_str(change, "hsa_id", where), "logical address", where))
        elif action == "add-system":
            referenced_systems.add(_hsa(_str(change, "hsa_id", where), "system", where))
        elif action == "add-contract":
            referenced_contracts.add(_str(change, "namespace", where).casefold())
        elif action in _ROUTING_ADDS or action == "remove-routing":
            address = _hsa(_str(change, "address", where), "logical address", where, wildcard=True)
            contract = _namespace(_str(change, "contract", where), where)
            side = "before" if action == "remove-routing" else "after"
            producer, url, profile = _routing_value(change, side, where)
            section = "exkludera" if action == "remove-routing" else "inkludera"
            item = {
                "tjanstekomponent": producer,
                "logiskAdress": address,
                "tjanstekontrakt": contract,
                "rivtaprofil": profile,
                "adress": url,
            }
            sections.add(section, "vagval", (address, contract), item)
            if section == "inkludera":
                referenced_addresses.add(address)
                referenced_systems.add(producer)
                referenced_contracts.add(contract.casefold())
        else:  # add-authorization / remove-authorization
            consumer = _hsa(_str(change, "consumer", where), "consumer", where)
            address = _hsa(_str(change, "address", where), "logical address", where, wildcard=True)
            contract = _namespace(_str(change, "contract", where), where)
            section = "exkludera" if action == "remove-authorization" else "inkludera"
            item = {"tjanstekonsument": consumer, "logiskAdress": address, "tjanstekontrakt": contract}
            sections.add(section, "anropsbehorigheter", (address, consumer, contract), item)
            if section == "inkludera":
                referenced_addresses.add(address)
                referenced_systems.add(consumer)
                referenced_contracts.add(contract.casefold())
    for hsa in sorted(referenced_addresses):
        if hsa in new.addresses:
            sections.add("inkludera", "logiskadresser", (hsa,), dict(new.addresses[hsa]))
    for hsa in sorted(referenced_systems):
        if hsa in new.systems:
            sections.add("inkludera", "tjanstekomponenter", (hsa,), dict(new.systems[hsa]))
    for ns in sorted(referenced_contracts):
        if ns in new.contracts:
            sections.add("inkludera", "tjanstekontrakt", (ns,), dict(new.contracts[ns]))
    return sections


def _safe_id(text: str) -> str:
    return _ID_SAFE.sub("-", text).strip("-") or "order"


def build_orders(
    plan: Mapping[str, Any],
    order_config: OrderConfig,
    env_config: EnvironmentConfig,
    *,
    now: dt.datetime,
    meta: OrderMeta | None = None,
) -> list[BuiltOrder]:
    """Build one BS JSON order per plan order with changes, in wave order then plan order id."""
    meta = meta or OrderMeta()
    env = plan.get("environment")
    if not isinstance(env, str) or not env:
        raise PlanFileError("the plan names no environment")
    plattform = env_config.plattform
    if plan.get("plattform") not in (None, plattform):
        raise PlanFileError(
            f"the plan targets plattform {plan.get('plattform')!r} but environment {env} is configured with "
            f"plattform {plattform!r}"
        )
    if now.tzinfo is None:
        raise ValueError("now must carry a time zone")
    zone = _zone(order_config)
    local_now = now.astimezone(zone)
    ordered = sorted(plan.get("orders") or (), key=lambda o: (int(o.get("wave") or 0), str(o.get("id"))))
    new = _collect_new_objects(ordered)
    built: list[BuiltOrder] = []
    for order in ordered:
        plan_id = str(order.get("id") or "")
        where = f"plan order {plan_id}"
        if not plan_id:
            raise PlanFileError("a plan order has no id")
        if not order.get("changes"):
            continue
        sections = _fill_order(order, where, new)
        inkludera, exkludera = sections.sorted_sections()
        key = idempotency_key(env, plattform, inkludera, exkludera)
        ref = key.removeprefix("sha256:")[:10]
        order_id = f"{_safe_id(plan_id)}-{ref}"
        day = execution_date(order.get("change_date"), local_now.date(), where)
        start = dt.datetime(day.year, day.month, day.day, GENOMFORANDE_HOUR, tzinfo=zone)
        document: dict[str, Any] = {
            "plattform": plattform,
            "formatVersion": 1.0,
            "version": 1,
            "bestallningsTidpunkt": format_timestamp(local_now.replace(microsecond=0)),
            "genomforandeTidpunkt": format_timestamp(start),
            "utforare": order_config.utforare,
            "kommentar": build_kommentar(order.get("comment"), meta, order_config, ref),
            "inkludera": inkludera,
            "exkludera": exkludera,
        }
        built.append(
            BuiltOrder(
                order_id=order_id,
                idempotency_key=key,
                env=env,
                plattform=plattform,
                plan_order_id=plan_id,
                wave=int(order.get("wave") or 0),
                org=str(order.get("org") or ""),
                system=str(order.get("system") or ""),
                kind=str(order.get("kind") or ""),
                document=document,
                previous=_previous(order, where),
            )
        )
    return built


def document_lines(document: Mapping[str, Any]) -> list[tuple[str, str, tuple[str, ...], tuple[str, str, str] | None]]:
    """The routing and authorization lines of an order document, in natural keys, sorted.

    Each line is (section, kind, key, value): ``vagval`` key (address, contract) with value (producer, url,
    profile) in inkludera and None in exkludera; ``anropsbehorighet`` key (consumer, address, contract).
    """
    lines: list[tuple[str, str, tuple[str, ...], tuple[str, str, str] | None]] = []
    for section in ("inkludera", "exkludera"):
        body = document.get(section) or {}
        for v in body.get("vagval") or ():
            key = (str(v["logiskAdress"]).upper(), str(v["tjanstekontrakt"]))
            value = (
                (str(v["tjanstekomponent"]).upper(), str(v["adress"]), str(v["rivtaprofil"]))
                if section == "inkludera"
                else None
            )
            lines.append((section, "vagval", key, value))
        for a in body.get("anropsbehorigheter") or ():
            akey = (str(a["tjanstekonsument"]).upper(), str(a["logiskAdress"]).upper(), str(a["tjanstekontrakt"]))
            lines.append((section, "anropsbehorighet", akey, None))
    return sorted(lines, key=lambda line: (line[0], line[1], line[2]))

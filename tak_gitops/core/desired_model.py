"""The shape of the desired-state files, as pydantic v2 models (frozen, unknown keys forbidden).

These models are the single source of the JSON Schemas in ``schemas/`` (editor completion) and of the shape
check in validation. Value rules that have their own diagnostic codes (HSA-id syntax, URLs, contract
namespaces, profiles) are *described* in the schema (``pattern``) but checked by ``core.rules`` so that each
problem gets a precise code; the models only check types and required keys.

The two platform files reuse :class:`tak_gitops.core.config.ProjectConfig` and
:class:`tak_gitops.core.config.OwnershipRegistry`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictInt,
    Tag,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from tak_gitops.core.rules import CONTRACT_PATTERN, HSA_ID_OR_WILDCARD_PATTERN, HSA_ID_PATTERN, URL_PATTERN

HsaId = Annotated[
    str,
    WithJsonSchema({"type": "string", "pattern": HSA_ID_PATTERN, "description": "an HSA-id, e.g. SE162321000156-B3K"}),
]
HsaIdOrWildcard = Annotated[
    str,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": HSA_ID_OR_WILDCARD_PATTERN,
            "description": "an HSA-id, or * (standardbehörighet: every current and future address)",
        }
    ),
]
FORSTUDIE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,63}$"
FORSTUDIE_DESCRIPTION = (
    "the ticket of the approved feasibility study (förstudie) for a first connection, e.g. TSK-12518; "
    "carried into the order's kommentar"
)

ContractNamespace = Annotated[
    str,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": CONTRACT_PATTERN,
            "description": "a service contract namespace, e.g. "
            "urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2",
        }
    ),
]
Url = Annotated[
    str,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": URL_PATTERN,
            "minLength": 5,
            "maxLength": 255,
            "description": "the producer's endpoint URL; TAK allows only 0-9 a-z A-Z _ . : / - ? &",
        }
    ),
]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _date_only(value: Any) -> Any:
    # YAML gives a date for `2025-12-08`; a quoted string is parsed by pydantic. Numbers are not dates here.
    if isinstance(value, bool | int | float):
        raise ValueError("change_date must be a date written YYYY-MM-DD")
    return value


# ---------------------------------------------------------------------------------------------- organisation.yaml


class Contact(_Strict):
    """A contact person or function mailbox."""

    name: str | None = Field(default=None, description="the person's or function's name")
    email: str | None = Field(default=None, description="e-mail address")
    phone: str | None = Field(default=None, description='phone number; quote it ("+4654619135")')


class Contacts(_Strict):
    """The contacts of a system, as the order form asks for them."""

    main_responsible: Contact | None = Field(default=None, description="main responsible (huvudansvarig)")
    technical: Contact | None = Field(default=None, description="technical contact (teknisk kontakt)")
    support: Contact | None = Field(default=None, description="support (driftsupport)")


class SystemSpec(_Strict):
    """A service component (tjänstekomponent) this organisation owns."""

    hsa_id: HsaId = Field(description="the system's HSA-id; must be listed under the organisation in ownership.yaml")
    name: str = Field(min_length=1, description="the system's name, e.g. Webcert")
    description: str | None = Field(
        default=None,
        description='TAK beskrivning for a new system; defaults to "<organisation name> -- <name>"',
    )
    contacts: Contacts | None = Field(default=None, description="contacts for this system")
    environments: tuple[str, ...] = Field(
        default=(), description="environments (keys of tak-gitops.yaml) this system may be used in"
    )


class AddressSpec(_Strict):
    """A logical address with what is known about it."""

    hsa_id: HsaId = Field(description="the logical address's HSA-id")
    name: str | None = Field(
        default=None, description="TAK beskrivning; required for an address that does not exist in the TAK yet"
    )
    kind: Literal["VG", "VE"] | None = Field(default=None, description="VG (care giver) or VE (care unit)")
    vg: HsaId | None = Field(default=None, description="for a VE: the HSA-id of its care giver (VG)")


class SetRef(_Strict):
    """Every address of a named address set (from organisation.yaml)."""

    set: str = Field(min_length=1, description="the name of an address set of this organisation")


def _entry_tag(value: Any) -> str:
    if isinstance(value, dict) and "set" in value:
        return "set"
    if isinstance(value, dict | AddressSpec):
        return "address"
    if isinstance(value, SetRef):
        return "set"
    return "hsa_id"


AddressEntry = Annotated[
    Annotated[HsaIdOrWildcard, Tag("hsa_id")] | Annotated[AddressSpec, Tag("address")] | Annotated[SetRef, Tag("set")],
    Discriminator(_entry_tag),
]
"""An address entry: a bare HSA-id, ``{hsa_id, name, kind, vg}`` or ``{set: name}``."""


def _set_entry_tag(value: Any) -> str:
    return "address" if isinstance(value, dict | AddressSpec) else "hsa_id"


SetMember = Annotated[
    Annotated[HsaId, Tag("hsa_id")] | Annotated[AddressSpec, Tag("address")],
    Discriminator(_set_entry_tag),
]


class AddressSet(_Strict):
    """A named list of logical addresses: inline (``addresses``) or in a CSV file (``csv``), not both."""

    description: str | None = Field(default=None, description="what the set holds")
    addresses: tuple[SetMember, ...] | None = Field(default=None, description="the addresses, inline")
    csv: str | None = Field(
        default=None,
        description="a CSV file relative to the organisation folder: hsa-id;name[;kind;vg] per line",
    )

    @model_validator(mode="after")
    def _one_source(self) -> AddressSet:
        if (self.addresses is None) == (self.csv is None):
            raise ValueError("an address set needs exactly one of `addresses` and `csv`")
        return self


class OrganisationFile(_Strict):
    """``desired/<org>/organisation.yaml``: the organisation's systems and address sets."""

    model_config = ConfigDict(title="tak-gitops organisation.yaml")

    systems: tuple[SystemSpec, ...] = Field(default=(), description="the systems this organisation owns")
    address_sets: dict[str, AddressSet] = Field(
        default_factory=dict, description="named address sets, used as {set: name} in environment files"
    )


# ---------------------------------------------------------------------------------------------- <ENV>.yaml


class ProducedContract(_Strict):
    """One contract a producer serves: where (URL, profile) and for which logical addresses."""

    contract: ContractNamespace = Field(description="the service contract namespace")
    profile: str = Field(description="the RIV-TA profile, e.g. RIVTABP21")
    url: Url = Field(description="the endpoint URL")
    addresses: tuple[AddressEntry, ...] = Field(
        min_length=1, description="the logical addresses routed to this producer for this contract"
    )
    forstudie: str | None = Field(
        default=None,
        pattern=FORSTUDIE_PATTERN,
        description=FORSTUDIE_DESCRIPTION + " (the producer's first connection to this contract)",
    )


class Producer(_Strict):
    """A producer system of this organisation and the routings (vägval) it wants."""

    system: HsaId = Field(description="the producer's HSA-id (a system of this organisation)")
    contracts: tuple[ProducedContract, ...] = Field(min_length=1, description="the contracts it serves")


class Authorization(_Strict):
    """Authorizations (anropsbehörigheter): every contract on every address."""

    contracts: tuple[ContractNamespace, ...] = Field(min_length=1, description="service contract namespaces")
    addresses: tuple[AddressEntry, ...] = Field(
        min_length=1, description='logical addresses; "*" is standardbehörighet (every address)'
    )
    forstudie: str | None = Field(
        default=None,
        pattern=FORSTUDIE_PATTERN,
        description=FORSTUDIE_DESCRIPTION + " (the consumer's first cooperation with these addresses)",
    )


class Consumer(_Strict):
    """A consumer system of this organisation and the authorizations it wants."""

    system: HsaId = Field(description="the consumer's HSA-id (a system of this organisation)")
    authorizations: tuple[Authorization, ...] = Field(min_length=1, description="what it may call")


class GrantSpec(_Strict):
    """Authorizations the producer side asks for other organisations' consumers, on its own addresses."""

    producer: HsaId = Field(description="one of this organisation's producers in this file")
    contracts: tuple[ContractNamespace, ...] = Field(min_length=1, description="contracts that producer serves")
    consumers: tuple[HsaId, ...] = Field(min_length=1, description="consumer systems of any organisation")
    addresses: tuple[AddressEntry, ...] | None = Field(
        default=None,
        description="defaults to every address the producer routes for each contract in this environment",
    )
    manage: StrictBool = Field(
        default=False,
        description="true: also remove authorizations on these addresses and contracts that nobody desires",
    )


class Takeover(_Strict):
    """A routing this organisation may take over from another owner."""

    address: HsaId = Field(description="the logical address")
    contract: ContractNamespace = Field(description="the service contract namespace")


class Acknowledge(_Strict):
    """Acknowledgements of what the safety guards would otherwise refuse."""

    cascades: tuple[HsaIdOrWildcard, ...] = Field(
        default=(),
        description="addresses (a VG, SE or *) whose changes may break or move calls at other addresses",
    )
    removals: StrictInt | None = Field(
        default=None, ge=0, description="the exact number of removals this change accepts over the guard"
    )


class EnvironmentFile(_Strict):
    """``desired/<org>/<ENV>.yaml``: what the organisation wants in one environment."""

    model_config = ConfigDict(title="tak-gitops environment file (desired/<org>/<ENV>.yaml)")

    comment: str | None = Field(default=None, description="carried into orders (kommentar); TAK keeps 254 chars")
    forstudie: str | None = Field(
        default=None,
        pattern=FORSTUDIE_PATTERN,
        description=FORSTUDIE_DESCRIPTION + " (every first connection this file makes)",
    )
    change_date: Annotated[dt.date | None, WithJsonSchema({"type": "string", "format": "date"})] = Field(
        default=None, description="optional genomforandeTidpunkt, YYYY-MM-DD"
    )
    producers: tuple[Producer, ...] = Field(default=(), description="routings, per producer system")
    consumers: tuple[Consumer, ...] = Field(default=(), description="authorizations, per consumer system")
    grants: tuple[GrantSpec, ...] = Field(default=(), description="authorizations granted on own addresses")
    takeover: tuple[Takeover, ...] = Field(default=(), description="routings that may be taken over")
    acknowledge: Acknowledge | None = Field(default=None, description="acknowledged guard refusals")

    _check_date = field_validator("change_date", mode="before")(_date_only)


SCHEMA_FILES: dict[str, type[BaseModel]] = {
    "organisation.schema.json": OrganisationFile,
    "environment.schema.json": EnvironmentFile,
}
"""Schema file name -> model, for the desired files (the platform files are added by :func:`json_schemas`)."""


def json_schemas() -> dict[str, bytes]:
    """Every JSON Schema file's name and exact content (key-sorted, indented JSON ending in a newline).

    The desired-state and platform files' schemas come from their models; the plan and order schemas are written
    out in :mod:`~tak_gitops.core.plan_schema` and :mod:`~tak_gitops.core.order_schema`.
    """
    from tak_gitops.core.canonical import pretty_json
    from tak_gitops.core.config import OwnershipRegistry, ProjectConfig
    from tak_gitops.core.order_schema import ORDER_SCHEMA
    from tak_gitops.core.plan_schema import PLAN_SCHEMA

    models: dict[str, type[BaseModel]] = {
        **SCHEMA_FILES,
        "config.schema.json": ProjectConfig,
        "ownership.schema.json": OwnershipRegistry,
    }
    schemas: dict[str, dict[str, Any]] = {"order.schema.json": ORDER_SCHEMA, "plan.schema.json": PLAN_SCHEMA}
    for name, model in models.items():
        schemas[name] = {"$schema": "https://json-schema.org/draft/2020-12/schema", **model.model_json_schema()}
    return {name: pretty_json(schemas[name]) for name in sorted(schemas)}

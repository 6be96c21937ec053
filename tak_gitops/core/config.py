"""The project configuration (``tak-gitops.yaml``) and the ownership registry (``ownership.yaml``).

Both are kept by the platform team on the protected branch. The models only describe shape and defaults;
reading the files (with line numbers) is the adapters' job.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tak_gitops.core.rules import repo_path_problem

ENV_NAME_RE = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TakApiTarget(_Strict):
    """Where this environment is found in the TAK-api v2 (``connectionPoints`` platform + environment)."""

    platform: str = Field(description="TAK-api connection point platform, e.g. NTJP or SLL")
    environment: str = Field(description="TAK-api connection point environment, e.g. PROD, QA, TEST")


class SubmitterConfig(_Strict):
    """How `apply --yes` hands orders over for this environment."""

    kind: Literal["files", "tak-web", "http"] = Field(
        default="files",
        description="files: write order documents for a person; tak-web: POST to TAK-web's REST endpoint; "
        "http: POST the JSON to a configured URL",
    )
    url: str | None = Field(
        default=None,
        description="tak-web: the TAK-web base URL (https://host/tak-web); http: the order endpoint",
    )
    out_dir: str = Field(default="out/orders", description="files: where order documents are written")
    username_env: str = Field(default="TAK_WEB_USERNAME", description="environment variable with the user name")
    password_env: str = Field(default="TAK_WEB_PASSWORD", description="environment variable with the password")
    token_env: str | None = Field(default=None, description="http: environment variable with a bearer token")
    client_cert: str | None = Field(default=None, description="path to the function certificate (PEM)")
    client_key: str | None = Field(default=None, description="path to the function certificate's key (PEM)")
    ca_bundle: str | None = Field(default=None, description="path to a CA bundle to verify the server")
    timeout_seconds: float = Field(default=60.0, gt=0)
    max_attempts: int = Field(default=4, ge=1, le=10)
    idempotent: bool = Field(
        default=False,
        description="http: the endpoint honours the Idempotency-Key header, so 5xx answers may be retried",
    )


class EnvironmentConfig(_Strict):
    """One target environment (one TAK)."""

    plattform: str = Field(description="the order's `plattform` code; must equal TAK-web's tak.platform")
    tak_api: TakApiTarget
    allow_http: bool = Field(default=False, description="allow http:// producer URLs (test platforms)")
    create_missing_contracts: bool = Field(
        default=False,
        description="list contracts missing from the TAK as new contracts in orders instead of an error",
    )
    riv_ta_profiles: tuple[str, ...] | None = Field(
        default=None, description="RIV-TA profiles known on this platform (defaults to the project list)"
    )
    hsa_lookup_disabled: tuple[str, ...] = Field(
        default=(),
        description="contract namespace prefixes for which VP does not climb the HSA tree",
    )
    submit: SubmitterConfig = Field(default_factory=SubmitterConfig)
    protected: bool = Field(default=False, description="production: apply needs a reviewed environment")
    require_forstudie: bool = Field(
        default=False,
        description="the platform owner requires an approved feasibility study (förstudie) for a producer's first "
        "connection to a contract and a consumer's first cooperation with a logical address: a plan with one and "
        "no `forstudie:` reference is refused",
    )

    @field_validator("plattform")
    @classmethod
    def _plattform(cls, v: str) -> str:
        if not v or v != v.strip():
            raise ValueError("plattform must be a non-empty code such as NTJP-PROD")
        return v


class GuardConfig(_Strict):
    """Safety guards against mass removal. Removals above either limit refuse the plan unless acknowledged."""

    max_removal_share: float = Field(
        default=0.3, ge=0, le=1, description="share of an organisation's current rows in this environment"
    )
    min_rows_for_share: int = Field(default=10, ge=0, description="the share applies from this many rows on")
    max_removals: int = Field(default=100, ge=0, description="absolute number of removals per organisation")


class SnapshotConfig(_Strict):
    """When a current-state source is refused."""

    max_age_hours: float = Field(default=36.0, gt=0, description="refuse snapshots older than this")
    max_shrink_share: float = Field(
        default=0.2, ge=0, le=1, description="refuse a snapshot that lost more than this share of rows"
    )


class Person(_Strict):
    """A contact person."""

    name: str
    email: str | None = None
    phone: str | None = None
    hsa_id: str | None = None


class OrderConfig(_Strict):
    """What goes into every order document."""

    utforare: str = Field(default="tak-gitops", description="the order's `utforare` (who made the order)")
    orderer: Person | None = Field(default=None, description="the orderer (beställare) named in kommentar")
    timezone: str = Field(default="Europe/Stockholm", description="time zone of order time stamps")
    expire_after_days: int = Field(default=30, ge=1, description="submitted orders not seen by then expire")
    repository_url: str | None = Field(default=None, description="base URL of this repository, for links")


class TakApiConfig(_Strict):
    """Where and how to read the TAK-api v2."""

    base_url: str = Field(default="https://api.ntjp.se/coop/api/v2")
    username_env: str = Field(default="TAK_API_USERNAME")
    password_env: str = Field(default="TAK_API_PASSWORD")
    credentials_file: str | None = Field(
        default=None, description="a file with `username:password` on one line (mode 0600)"
    )
    timeout_seconds: float = Field(default=120.0, gt=0)
    max_attempts: int = Field(default=4, ge=1, le=10)


class ProjectConfig(_Strict):
    """``tak-gitops.yaml`` at the root of a desired-state repository."""

    desired_dir: str = "desired"
    ownership: str = "ownership.yaml"
    ledger_dir: str = "orders"
    riv_ta_profiles: tuple[str, ...] = ("RIVTABP20", "RIVTABP21")
    environments: dict[str, EnvironmentConfig]
    guards: GuardConfig = Field(default_factory=GuardConfig)
    snapshot: SnapshotConfig = Field(default_factory=SnapshotConfig)
    orders: OrderConfig = Field(default_factory=OrderConfig)
    tak_api: TakApiConfig = Field(default_factory=TakApiConfig)

    @field_validator("desired_dir", "ownership", "ledger_dir")
    @classmethod
    def _inside(cls, v: str) -> str:
        problem = repo_path_problem(v)
        if problem is not None:
            raise ValueError(problem)
        return v

    @field_validator("environments")
    @classmethod
    def _env_names(cls, v: dict[str, EnvironmentConfig]) -> dict[str, EnvironmentConfig]:
        for name in v:
            if not ENV_NAME_RE.match(name):
                raise ValueError(f"environment name {name!r} must look like NTJP-PROD (upper case, dash)")
        return v

    def profiles_for(self, env: str) -> tuple[str, ...]:
        """The RIV-TA profiles known on ``env``."""
        return self.environments[env].riv_ta_profiles or self.riv_ta_profiles


class OwnedOrganisation(_Strict):
    """One organisation in the ownership registry."""

    name: str = Field(description="the organisation's name, e.g. Region Värmland")
    number: str = Field(description="Swedish organisation number, e.g. 232100-0156")
    team: str | None = Field(default=None, description="GitHub team that owns desired/<org>/ (CODEOWNERS)")
    systems: tuple[str, ...] = Field(default=(), description="HSA-ids of the systems this organisation owns")


class OwnershipRegistry(_Strict):
    """``ownership.yaml``: which organisation owns which system HSA-ids. Keys are desired/ folder names."""

    platform_team: str | None = Field(default=None, description="GitHub team owning config and registry")
    organisations: dict[str, OwnedOrganisation]

    def owner_of(self) -> dict[str, str]:
        """System HSA-id (upper case) -> organisation key."""
        return {s.upper(): org for org, o in self.organisations.items() for s in o.systems}

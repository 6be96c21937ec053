"""Validation of the desired-state files and their resolution into :class:`~tak_gitops.core.desired.DesiredState`.

Pure: the input is parsed documents (:class:`~tak_gitops.core.nodes.Node` trees with positions) and parsed CSV
rows; the output is the resolved state plus every problem found, as sorted
:class:`~tak_gitops.errors.Diagnostic` values. Nothing stops at the first problem.

Shape (types, required and unknown keys) is checked with the pydantic models of ``desired_model``; the value
rules (``core.rules``) and the cross-file rules (ownership, environments, address sets, routing conflicts,
grants) are plain loops over the node trees, so 100,000 addresses cost no model instance each.

The rules are split by family: ``shape`` (types, required and unknown keys), ``values`` and ``address_sets``
(single values and address notes), ``organisation``, ``references`` and ``environment`` (the files of one
folder), ``cross_file`` (rules over every folder) and ``resolve`` (the resolved state).
"""

from __future__ import annotations

from collections.abc import Sequence

from tak_gitops.core import codes
from tak_gitops.core.config import OwnershipRegistry, ProjectConfig
from tak_gitops.core.desired import DesiredState
from tak_gitops.core.rules import did_you_mean
from tak_gitops.core.validate.diagnostics import Diagnostics, has_errors
from tak_gitops.core.validate.inputs import ORGANISATION_FILE, CsvRow, CsvSet, OrgInput
from tak_gitops.core.validate.resolve import _Validator
from tak_gitops.core.validate.shape import check_shape
from tak_gitops.core.validate.values import check_registry, csv_references
from tak_gitops.errors import Diagnostic


def validate_desired(
    config: ProjectConfig,
    registry: OwnershipRegistry,
    orgs: Sequence[OrgInput],
) -> tuple[DesiredState, tuple[Diagnostic, ...]]:
    """Validate every organisation folder and resolve the desired state.

    Returns the state (complete only where the files are valid) and every diagnostic, sorted. The state must
    not be planned from when any diagnostic is an error.
    """
    v = _Validator(config, registry)
    env_names = sorted(config.environments)
    org_keys = sorted(registry.organisations)
    parsed: list[tuple[OrgInput, dict[str, tuple[str, ...]]]] = []
    for org in sorted(orgs, key=lambda o: o.key):
        for path in org.extra_files:
            v.diags.error(
                (path, 0, 0),
                codes.UNEXPECTED_FILE,
                "unexpected file: an organisation folder holds organisation.yaml, <ENV>.yaml and CSV address sets",
            )
        if org.key not in registry.organisations:
            v.diags.error(
                (org.folder, 0, 0),
                codes.UNKNOWN_ORGANISATION,
                f"folder {org.key!r} is not an organisation in ownership.yaml{did_you_mean(org.key, org_keys)}",
            )
            continue
        parsed.append((org, v.organisation(org)))
    for org, sets in parsed:
        for env, (path, root) in sorted(org.environments.items()):
            if env not in config.environments:
                v.diags.error(
                    (path, 1, 1),
                    codes.UNKNOWN_ENVIRONMENT,
                    f"environment {env!r} (from the file name) is not configured in tak-gitops.yaml"
                    f"{did_you_mean(env, env_names)}",
                )
                continue
            if root is not None:
                v.environment(org, env, path, root, sets)
    v.conflicts()
    v.near_duplicates()
    return v.state(), v.diags.items


__all__ = [
    "ORGANISATION_FILE",
    "CsvRow",
    "CsvSet",
    "Diagnostics",
    "OrgInput",
    "check_registry",
    "check_shape",
    "csv_references",
    "has_errors",
    "validate_desired",
]

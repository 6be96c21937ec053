"""Load a desired-state repository: configuration, ownership registry, desired/<org>/ folders and CSV sets.

The API other commands use::

    result = load_desired(path)          # LoadResult: config, ownership, state, diagnostics, root
    state = load_desired_or_raise(path)  # LoadResult; raises DesiredStateError when any error is found

``path`` is anything inside the repository (the root, ``desired/``, an organisation folder or a file): the
root is the nearest directory upward holding ``tak-gitops.yaml``. Validation covers the whole repository,
because its cross-file rules (ownership, routing conflicts) need every organisation; a plan for some
organisations (``plan_for``) reads the rows of the cached whole load it needs, or, cold, their folders and
those that mention their systems or addresses.
Diagnostic paths are relative to the current directory when the repository is under it, with ``/``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from tak_gitops.adapters import file_stamps, load_cache
from tak_gitops.adapters.config_paths import checkout, paths_inside
from tak_gitops.adapters.csv_sets import parse_csv
from tak_gitops.adapters.csv_tables import read_tables
from tak_gitops.adapters.desired_files import read_repo_files
from tak_gitops.adapters.file_access import MAX_FILE_BYTES, is_missing, list_folder, read_text, refusal
from tak_gitops.adapters.sources import gc_paused
from tak_gitops.adapters.yaml_loader import load_yaml_file
from tak_gitops.core import codes
from tak_gitops.core.config import OwnershipRegistry, ProjectConfig
from tak_gitops.core.desired import DesiredState
from tak_gitops.core.desired_model import EnvironmentFile, OrganisationFile
from tak_gitops.core.nodes import Node
from tak_gitops.core.relevance import IdMatcher, relevant_ids
from tak_gitops.core.snapshot import Snapshot
from tak_gitops.core.validate import (
    ORGANISATION_FILE,
    CsvRow,
    CsvSet,
    Diagnostics,
    OrgInput,
    check_registry,
    check_shape,
    csv_references,
    has_errors,
    validate_desired,
)
from tak_gitops.core.validate.shape import top_level_keys
from tak_gitops.errors import ConfigError, DesiredStateError, Diagnostic, UsageError

CONFIG_FILE = "tak-gitops.yaml"

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class LoadResult:
    """A loaded repository. ``state`` is complete only when ``diagnostics`` holds no error; for a plan for some
    organisations (``plan_for``) it holds only the rows of that environment such a plan reads."""

    config: ProjectConfig
    ownership: OwnershipRegistry
    state: DesiredState
    diagnostics: tuple[Diagnostic, ...]
    root: Path
    folders: tuple[str, ...] = ()
    """The organisation folders read: all of them, or those a plan for some organisations needs."""

    @property
    def ok(self) -> bool:
        """True when no diagnostic is an error."""
        return not has_errors(self.diagnostics)


def find_root(path: Path | str) -> Path:
    """The nearest directory at or above ``path`` holding ``tak-gitops.yaml``. UsageError when there is none."""
    start = Path(path)
    if not start.exists():
        raise UsageError(f"{start}: no such file or directory")
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for candidate in (here, *here.parents):
        if (candidate / CONFIG_FILE).is_file():
            return candidate
    raise UsageError(f"{start}: not inside a tak-gitops repository (no {CONFIG_FILE} here or in any parent)")


def display_path(file: Path, cwd: Path | None = None) -> str:
    """``file`` relative to the current directory when under it, else absolute; always with ``/``."""
    return _shown(file, (cwd or Path.cwd()).resolve())


def _shown(file: Path, base: Path) -> str:
    """:func:`display_path` with the (resolved) current directory given."""
    absolute = file if file.is_absolute() else (base / file)
    try:
        return absolute.relative_to(base).as_posix()
    except ValueError:
        return absolute.as_posix()


def _load_model(
    file: Path,
    model: type[M],
    cwd: Path | None,
    extra: Callable[[Node, Diagnostics], None] | None = None,
    base: Path | None = None,
) -> tuple[M | None, tuple[Diagnostic, ...]]:
    """Load and shape-check one configuration file, read under the file-access policy below ``base`` (by
    default the file's own folder: the configuration says where the registry is)."""
    shown = display_path(file, cwd)
    root, problems = load_yaml_file(file, shown, root=base or file.parent, top_keys=top_level_keys(model))
    diags = Diagnostics()
    diags.extend(problems)
    value = check_shape(root, model, diags) if root is not None else None
    if value is not None and root is not None and extra is not None:
        extra(root, diags)
    return (value if not has_errors(diags.items) else None), diags.items


def load_project_config(file: Path, cwd: Path | None = None) -> ProjectConfig:
    """Load one ``tak-gitops.yaml`` (without the ownership registry). ConfigError (with diagnostics) when bad."""
    config, config_diags = _load_model(file, ProjectConfig, cwd, partial(paths_inside, file.parent))
    if config is None:
        raise ConfigError(f"{display_path(file, cwd)} is invalid", config_diags)
    return config


def load_config(root: Path, cwd: Path | None = None) -> tuple[ProjectConfig, OwnershipRegistry]:
    """Load ``tak-gitops.yaml`` and the ownership registry it names. ConfigError (with diagnostics) when bad."""
    config = load_project_config(root / CONFIG_FILE, cwd)
    ownership_file = Path(os.path.normpath((root / config.ownership).absolute()))  # '..' taken lexically
    base = checkout(root) or ownership_file.parent  # anywhere in the checkout (config_paths), read as policy says
    registry, registry_diags = _load_model(ownership_file, OwnershipRegistry, cwd, check_registry, base=base)
    if registry is None:
        raise ConfigError(f"{display_path(ownership_file, cwd)} is invalid", registry_diags)
    return config, registry


_FILE_SUFFIXES = frozenset({".yaml", ".yml", ".json", ".csv"})
"""Names of desired files: a folder named so is refused."""

def load_org_folder(
    folder: Path,
    cwd: Path | None,
    diags: Diagnostics,
    max_bytes: int = MAX_FILE_BYTES,
    parsed_csv: dict[str, tuple[CsvRow, ...]] | None = None,
) -> OrgInput:
    """Read one ``desired/<org>/`` folder: its YAML files and the CSV sets organisation.yaml names.
    Every file is read under the file-access policy, with the folder as the root nothing may leave. Problems of
    reading (syntax, encoding, missing or malformed CSV, refused files) go to ``diags``. ``parsed_csv`` remembers
    the rows of CSV texts parsed without a problem, by text, across the folders of one load (a partner's list is
    often a copy of the producer's own)."""
    base = (cwd or Path.cwd()).resolve()
    org_file = folder / ORGANISATION_FILE
    org_path = _shown(org_file, base)
    present = os.path.lexists(org_file)
    org_root = None
    if present:
        org_root, problems = load_yaml_file(org_file, org_path, max_bytes, folder, top_level_keys(OrganisationFile))
        diags.extend(problems)
    environments: dict[str, tuple[str, Node | None]] = {}
    extra: list[str] = []
    listing = list_folder(folder)
    # A folder named like a desired file is refused; so are links and special files (reported with the
    # repository's files): the organisation then has no such file, and the error says why.
    diags.extend(
        refusal(_shown(entry, base), "a folder") for entry in listing.folders if entry.suffix in _FILE_SUFFIXES
    )
    for entry in listing.files:
        if entry.name == ORGANISATION_FILE:
            continue
        shown = _shown(entry, base)
        if entry.suffix == ".yaml":
            root, problems = load_yaml_file(entry, shown, max_bytes, folder, top_level_keys(EnvironmentFile))
            diags.extend(problems)
            environments[entry.stem] = (shown, root)
        elif entry.suffix in (".yml", ".json"):
            extra.append(shown)
    csv_sets: dict[str, CsvSet | None] = {}
    for written, node in csv_references(org_root):
        if written in csv_sets:
            continue
        file = folder / written
        shown = _shown(file, base)
        text, problem = read_text(file, shown, max_bytes, folder)
        if text is None:
            if is_missing(problem):
                diags.error(node, codes.CSV_MISSING, f"CSV address set {shown} does not exist")
            elif problem is not None:
                diags.extend([problem])
            csv_sets[written] = None
            continue
        rows = parsed_csv.get(text) if parsed_csv is not None else None
        if rows is not None:
            csv_sets[written] = CsvSet(shown, rows)
            continue
        parsed, problems = parse_csv(text, shown)
        diags.extend(problems)
        refused = any(p.code == codes.CONTROL_CHARACTER for p in problems)
        csv_sets[written] = parsed if not refused else None  # None: reported, not checked again
        if parsed_csv is not None and not problems:
            parsed_csv[text] = parsed.rows
    tables = read_tables(folder, partial(_shown, base=base), [r for _p, r in environments.values()], diags, max_bytes)
    return OrgInput(
        key=folder.name,
        folder=_shown(folder, base),
        organisation_path=org_path,
        organisation=org_root,
        organisation_present=present,
        environments=environments,
        csv_sets=csv_sets,
        extra_files=tuple(extra),
        tables=tables,
    )


def load_desired(
    path: Path | str = ".",
    *,
    cwd: Path | None = None,
    max_bytes: int = MAX_FILE_BYTES,
    plan_for: PlanFor | None = None,
    configured: tuple[ProjectConfig, OwnershipRegistry] | None = None,
) -> LoadResult:
    """Load and validate the repository containing ``path``. Raises ConfigError for a bad configuration or
    registry, UsageError when ``path`` is not in a repository; every other problem is a diagnostic.

    With ``plan_for``, only what a plan for those organisations reads: when the whole load (made without it)
    is cached, the rows of it that such a plan reads (:func:`tak_gitops.core.relevance.restrict`, the
    diagnostics of the whole load with them); else their folders and every other folder whose files mention an
    HSA-id of their rows (see :mod:`tak_gitops.core.relevance`). ``configured`` is what :func:`load_config`
    gave for this repository and ``cwd``, when the caller has it already.
    """
    root = find_root(path)
    with gc_paused():
        return _load_desired(root, cwd, max_bytes, plan_for, configured or load_config(root, cwd))


@dataclass(frozen=True)
class PlanFor:
    """What a plan will be made for: the environment, the planning organisations and the current TAK."""

    env: str
    orgs: tuple[str, ...]
    snapshot: Snapshot


def _load_desired(
    root: Path,
    cwd: Path | None,
    max_bytes: int,
    plan_for: PlanFor | None,
    configured: tuple[ProjectConfig, OwnershipRegistry],
) -> LoadResult:
    config, registry = configured
    cacheable = load_cache.usable(root)
    known = file_stamps.read_stamps(root) if cacheable else None
    files = read_repo_files(root, config, max_bytes, known)
    if cacheable:  # a whole load of exactly these files, or the part of it a plan for some organisations reads
        if files.stamps != known:
            file_stamps.write_stamps(root, files.stamps)
        key = load_cache.cache_key(files, max_bytes=max_bytes, cwd=(cwd or Path.cwd()).resolve())
        focus = (
            None if plan_for is None else load_cache.Focus(plan_for.env, frozenset(plan_for.orgs), plan_for.snapshot)
        )
        cached = load_cache.read_entry(root, key, focus)
        if cached is not None:
            return LoadResult(config, registry, *cached[:2], root, cached[2])
    diags = Diagnostics()
    folders = {name: root / config.desired_dir / name for name in files.folders}
    loaded: dict[str, OrgInput] = {}
    parsed_csv: dict[str, tuple[CsvRow, ...]] = {}

    def read(names: list[str]) -> tuple[DesiredState, tuple[Diagnostic, ...]]:
        for name in names:
            loaded[name] = load_org_folder(folders[name], cwd, diags, max_bytes, parsed_csv)
        return validate_desired(config, registry, [loaded[k] for k in sorted(loaded)])

    if plan_for is None:
        state, found = read(sorted(folders))
    else:
        state, found = read(sorted(set(plan_for.orgs) & folders.keys()))
        while True:  # once more after new folders: the ids come from the planning organisations' rows only
            matcher = IdMatcher(relevant_ids(state, plan_for.env, plan_for.orgs, plan_for.snapshot))
            more = [n for n in sorted(folders) if n not in loaded and matcher.mentions(files.folder_bytes(n))]
            if not more:
                break
            state, found = read(more)
    diags.extend(found)
    base = (cwd or Path.cwd()).resolve()
    diags.extend(replace(problem, path=_shown(root / problem.path, base)) for _folder, problem in files.problems)
    state = replace(state, file_digests=files.digests(config))
    result = LoadResult(config, registry, state, diags.items, root, tuple(sorted(loaded)))
    if cacheable and plan_for is None:
        load_cache.write_entry(root, key, result.state, result.diagnostics, result.folders)
    return result


def load_desired_or_raise(
    path: Path | str = ".", *, cwd: Path | None = None, plan_for: PlanFor | None = None
) -> LoadResult:
    """:func:`load_desired`, raising DesiredStateError when any diagnostic is an error."""
    result = load_desired(path, cwd=cwd, plan_for=plan_for)
    if not result.ok:
        raise DesiredStateError(result.diagnostics)
    return result

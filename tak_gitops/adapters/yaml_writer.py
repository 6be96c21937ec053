"""Writing desired-state YAML that people read and edit: block style, short address entries in flow style.

Uses ruamel.yaml's round-trip mode so that ``import --merge`` adds to existing files without reordering them or
losing their comments. Every file is written atomically.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import SingleQuotedScalarString

from tak_gitops.adapters.atomic import write_text_atomic
from tak_gitops.core.importer import ImportResult


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 4096
    y.preserve_quotes = True
    y.brace_single_entry_mapping_in_flow_sequence = True
    return y


def _flow_safe(value: Any) -> Any:
    # libyaml (the C loader that reads these files back) rejects a plain ':' inside [ ] and { }, which ruamel's
    # emitter would otherwise write unquoted: quote every such string in flow context.
    if isinstance(value, str) and ":" in value:
        return SingleQuotedScalarString(value)
    return value


def _flow_map(d: Mapping[str, Any]) -> CommentedMap:
    m = CommentedMap((k, _flow_safe(v)) for k, v in d.items())
    m.fa.set_flow_style()
    return m


def to_commented(obj: Any, *, key: str | None = None) -> Any:
    """Convert plain dicts and lists to ruamel's commented types with the house layout."""
    if isinstance(obj, Mapping):
        if key == "addresses_item" or (set(obj) <= {"hsa_id", "name", "kind", "vg", "set"}):
            return _flow_map(obj)
        m = CommentedMap()
        for k, v in obj.items():
            m[k] = to_commented(v, key=k)
        return m
    if isinstance(obj, list | tuple):
        seq = CommentedSeq(to_commented(v, key="addresses_item" if key == "addresses" else None) for v in obj)
        if key in ("consumers", "environments") and all(isinstance(v, str) and ":" not in v for v in obj) and (
            sum(len(v) for v in obj) < 60
        ):
            seq.fa.set_flow_style()
        return seq
    return obj


def dump(doc: Any, header: str | None = None) -> str:
    """Render ``doc`` (plain or commented) as YAML text, with ``header`` as leading comment lines."""
    buf = io.StringIO()
    if header:
        for line in header.splitlines():
            buf.write(f"# {line}".rstrip() + "\n")
    _yaml().dump(doc if isinstance(doc, CommentedMap) else to_commented(doc), buf)
    return buf.getvalue()


def load_roundtrip(path: Path) -> CommentedMap:
    """Load an existing YAML file keeping comments and order (for merging)."""
    data = _yaml().load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, CommentedMap) else CommentedMap()


def csv_text(rows: tuple[tuple[str, str], ...]) -> str:
    """An address set in the "Underlag för TAKning" shape, with a header line; fields quoted where needed."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(["hsa-id", "name"])
    writer.writerows(rows)
    return buf.getvalue()


def _find(seq: Any, field: str, value: str) -> Any:
    if not isinstance(seq, list):
        return None
    for item in seq:
        if isinstance(item, Mapping) and str(item.get(field, "")).upper() == value.upper():
            return item
    return None


def merge_environment(existing: CommentedMap, new: Mapping[str, Any]) -> CommentedMap:
    """Add the producers, contracts, addresses and authorizations of ``new`` that ``existing`` lacks, in place."""
    for section, key, child in (("producers", "system", "contracts"), ("consumers", "system", "authorizations")):
        for entry in new.get(section, []):
            target_list = existing.setdefault(section, CommentedSeq())
            current = _find(target_list, key, entry[key])
            if current is None:
                target_list.append(to_commented(entry))
                continue
            children = current.setdefault(child, CommentedSeq())
            for item in entry[child]:
                match = None
                if section == "producers":
                    match = next(
                        (
                            c
                            for c in children
                            if c.get("contract") == item["contract"]
                            and c.get("url") == item["url"]
                            and c.get("profile") == item["profile"]
                        ),
                        None,
                    )
                if match is None:
                    children.append(to_commented(item))
                else:
                    addresses = match.setdefault("addresses", CommentedSeq())
                    for a in item["addresses"]:
                        addresses.append(to_commented(a, key="addresses_item"))
    return existing


def merge_organisation(existing: CommentedMap, new: Mapping[str, Any], env: str) -> CommentedMap:
    """Add missing systems (and ``env`` to existing systems) and new address sets, in place."""
    systems = existing.setdefault("systems", CommentedSeq())
    for system in new.get("systems", []):
        current = _find(systems, "hsa_id", system["hsa_id"])
        if current is None:
            systems.append(to_commented(system))
            continue
        envs = current.setdefault("environments", CommentedSeq())
        if env not in envs:
            envs.append(env)
    new_sets = new.get("address_sets") or {}
    if new_sets:
        sets = existing.setdefault("address_sets", CommentedMap())
        for name, value in new_sets.items():
            if name not in sets:
                sets[name] = to_commented(value)
    return existing


def schema_line(kind: str) -> str:
    """The first line of a new desired file: editors with the YAML language server check it against its schema."""
    return f"# yaml-language-server: $schema=../../schemas/{kind}.schema.json\n"


def write_import(
    org_dir: Path, env: str, result: ImportResult, *, merge: bool, header: str
) -> list[Path]:
    """Write (or merge into) ``organisation.yaml``, ``<env>.yaml`` and the CSV sets; return the paths written."""
    written: list[Path] = []
    org_path = org_dir / "organisation.yaml"
    env_path = org_dir / f"{env}.yaml"
    if merge and org_path.exists():
        org_text = dump(merge_organisation(load_roundtrip(org_path), result.organisation, env))
    else:
        org_text = schema_line("organisation") + dump(result.organisation, header)
    if merge and env_path.exists():
        env_text = dump(merge_environment(load_roundtrip(env_path), result.environment))
    else:
        env_text = schema_line("environment") + dump(result.environment or {"producers": [], "consumers": []}, header)
    for _name, (rel, rows) in result.csv_sets.items():
        path = org_dir / rel
        write_text_atomic(path, csv_text(rows))
        written.append(path)
    write_text_atomic(org_path, org_text)
    write_text_atomic(env_path, env_text)
    return [org_path, env_path, *written]

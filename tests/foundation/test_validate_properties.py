"""Properties of validation: order independence and exact routing-conflict detection."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from tak_gitops.adapters.desired_loader import load_config, load_org_folder, parse_csv
from tak_gitops.adapters.yaml_loader import load_yaml_text
from tak_gitops.core.config import EnvironmentConfig, OwnershipRegistry, ProjectConfig, TakApiTarget
from tak_gitops.core.validate import Diagnostics, OrgInput, validate_desired
from tests.conftest import ROOT

GCC2 = "urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2"
CONFIG, REGISTRY = load_config(ROOT, ROOT)
_DIAGS = Diagnostics()
EXAMPLE = [load_org_folder(folder, ROOT, _DIAGS) for folder in sorted((ROOT / "desired").iterdir())]


@given(st.permutations(EXAMPLE))
def test_result_does_not_depend_on_folder_order(orgs: list[OrgInput]) -> None:
    state, diagnostics = validate_desired(CONFIG, REGISTRY, orgs)
    reference, reference_diagnostics = validate_desired(CONFIG, REGISTRY, EXAMPLE)
    assert diagnostics == reference_diagnostics == ()
    for env in CONFIG.environments:
        assert state.digest(env) == reference.digest(env)


SMALL_CONFIG = ProjectConfig(
    environments={
        "NTJP-PROD": EnvironmentConfig(plattform="NTJP-PROD", tak_api=TakApiTarget(platform="NTJP", environment="PROD"))
    }
)
SMALL_REGISTRY = OwnershipRegistry.model_validate(
    {
        "organisations": {
            "org-a": {"name": "A", "number": "1", "systems": ["SE1-PA", "SE1-PB"]},
            "org-b": {"name": "B", "number": "2", "systems": ["SE2-PA"]},
        }
    }
)
ORG_SYSTEMS = {"org-a": ["SE1-PA", "SE1-PB"], "org-b": ["SE2-PA"]}

declaration = st.tuples(
    st.sampled_from(["org-a", "org-b"]),
    st.integers(0, 1),  # which of the organisation's producers
    st.sampled_from(["SE9-LA1", "SE9-LA2", "SE9-LA3"]),
    st.sampled_from(["https://x.se/1", "https://x.se/2"]),
)


def _org_input(key: str, decls: list[tuple[int, str, str]]) -> OrgInput:
    systems = ORG_SYSTEMS[key]
    org_yaml = "systems:\n" + "".join(
        f"  - {{hsa_id: {s}, name: System {s}, environments: [NTJP-PROD]}}\n" for s in systems
    )
    org_root, problems = load_yaml_text(org_yaml, f"desired/{key}/organisation.yaml")
    assert problems == []
    producers = "".join(
        f"  - system: {systems[p % len(systems)]}\n    contracts:\n      - contract: {GCC2}\n"
        f"        profile: RIVTABP21\n        url: {url}\n        addresses: [{la}]\n"
        for p, la, url in decls
    )
    env_root, problems = load_yaml_text(
        f"producers:\n{producers}" if decls else "{}\n", f"desired/{key}/NTJP-PROD.yaml"
    )
    assert problems == []
    return OrgInput(
        key=key,
        folder=f"desired/{key}",
        organisation_path=f"desired/{key}/organisation.yaml",
        organisation=org_root,
        environments={"NTJP-PROD": (f"desired/{key}/NTJP-PROD.yaml", env_root)},
    )


@given(st.lists(declaration, max_size=8))
def test_conflicts_are_reported_exactly_when_values_differ(decls: list[tuple[str, int, str, str]]) -> None:
    per_org: dict[str, list[tuple[int, str, str]]] = {"org-a": [], "org-b": []}
    for org, producer, la, url in decls:
        per_org[org].append((producer, la, url))
    orgs = [_org_input(key, items) for key, items in per_org.items()]
    state, diagnostics = validate_desired(SMALL_CONFIG, SMALL_REGISTRY, orgs)
    values: dict[str, set[tuple[str, str]]] = {}
    for org, producer, la, url in decls:
        systems = ORG_SYSTEMS[org]
        values.setdefault(la, set()).add((systems[producer % len(systems)], url))
    conflicting = {la for la, v in values.items() if len(v) > 1}
    reported = {d.message.split(",")[0].removeprefix("routing (") for d in diagnostics if d.code == "TG303"}
    assert reported == conflicting
    count = {la: sum(1 for d in decls if d[2] == la) for la in conflicting}
    assert sum(1 for d in diagnostics if d.code == "TG303") == sum(count.values())
    routed = {la for la, _ns in state.environments["NTJP-PROD"].routings}
    assert routed == set(values)
    assert not [d for d in diagnostics if d.code not in ("TG303", "TG902")]


KEYS = [
    "systems", "hsa_id", "name", "environments", "address_sets", "addresses", "csv", "set", "kind", "vg",
    "comment", "change_date", "producers", "system", "contracts", "contract", "profile", "url", "consumers",
    "authorizations", "grants", "producer", "manage", "takeover", "address", "acknowledge", "cascades",
    "removals", "contacts", "support", "email",
]  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.sampled_from(["SE1-PA", "SE9-LA1", "*", "NTJP-PROD", "RIVTABP21", GCC2, "https://x.se/1", "VG", "2025-12-08"]),
    st.text(max_size=5),
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(KEYS), children, max_size=4),
    max_leaves=25,
)


@given(DOCUMENTS, DOCUMENTS)
def test_any_document_gives_diagnostics_never_an_exception(org_doc: object, env_doc: object) -> None:
    org_root, _ = load_yaml_text(json.dumps(org_doc), "desired/org-a/organisation.yaml")
    env_root, _ = load_yaml_text(json.dumps(env_doc), "desired/org-a/NTJP-PROD.yaml")
    org = OrgInput(
        key="org-a",
        folder="desired/org-a",
        organisation_path="desired/org-a/organisation.yaml",
        organisation=org_root,
        environments={"NTJP-PROD": ("desired/org-a/NTJP-PROD.yaml", env_root)},
    )
    state, diagnostics = validate_desired(SMALL_CONFIG, SMALL_REGISTRY, [org])
    assert all(d.code.startswith("TG") and d.line >= 0 for d in diagnostics)
    assert set(state.environments) == {"NTJP-PROD"}


@given(st.text(alphabet=st.sampled_from(list('SE1-AB;"\n\r #\x00xVGE')), max_size=80))
def test_any_csv_text_gives_rows_or_diagnostics_never_an_exception(text: str) -> None:
    parsed, problems = parse_csv(text, "a.csv")
    assert all(row.line >= 1 for row in parsed.rows)
    assert all(d.code in ("TG110", "TG113") and d.path == "a.csv" for d in problems)
    assert any(d.code == "TG113" for d in problems) == ("\x00" in text or "\r" in text.replace("\r\n", ""))

"""CSV routing and authorization tables in environment files: the same desired state as the inline YAML they
replace, with names and wildcards, and a routing table row's address positioned at the table's own line."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tak_gitops.adapters.csv_tables import parse_table
from tak_gitops.adapters.desired_loader import load_desired
from tak_gitops.core import codes

BASE = Path(__file__).resolve().parent.parent / "bad_inputs" / "_base"
REQ = "urn:riv:clinicalprocess:activity:request:ProcessRequestResponder:1"
GCC = "urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2"
INLINE = f"""producers:
  - system: SE2321000002-PROD
    contracts:
      - contract: {REQ}
        profile: RIVTABP21
        url: https://beta.example.se/ProcessRequest/1/rivtabp21
        addresses: [SE2321000002-0001, {{hsa_id: SE2321000002-0002, name: "Beta; clinic"}}]
      - contract: {GCC}
        profile: RIVTABP21
        url: https://beta.example.se/GetCareContacts/2/rivtabp21
        addresses: ["*"]
consumers:
  - system: SE2321000002-PROD
    authorizations:
      - contracts: [{GCC!r}]
        addresses: [SE2321000001-0001, SE2321000001-0002]
      - contracts: [{REQ!r}]
        addresses: ["*"]
"""
TABLED = f"""producers:
  - system: SE2321000002-PROD
    routing_table: tables/routings.csv
    contracts:
      - contract: {REQ}
        profile: RIVTABP21
        url: https://beta.example.se/ProcessRequest/1/rivtabp21
      - contract: {GCC}
        profile: RIVTABP21
        url: https://beta.example.se/GetCareContacts/2/rivtabp21
consumers:
  - system: SE2321000002-PROD
    authorization_table: tables/authorizations.csv
"""
ROUTINGS = f'contract;address;name\n{REQ};SE2321000002-0001;\n{REQ};SE2321000002-0002;"Beta; clinic"\n{GCC};*\n'
AUTHORIZATIONS = f"contract;address\n{GCC};SE2321000001-0001\n{GCC};SE2321000001-0002\n{REQ};*\n"


def _repo(tmp_path: Path, name: str, env_text: str, tables: dict[str, str]) -> Path:
    repo = tmp_path / name
    shutil.copytree(BASE, repo)
    (repo / "desired" / "beta" / "organisation.yaml").write_text(
        "systems:\n  - hsa_id: SE2321000002-PROD\n    name: Beta Journal\n    environments: [NTJP-PROD]\n",
        encoding="utf-8",
    )
    (repo / "desired" / "beta" / "NTJP-PROD.yaml").write_text(env_text, encoding="utf-8")
    for rel, text in tables.items():
        path = repo / "desired" / "beta" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return repo


def test_tables_give_the_state_inline_yaml_gives(tmp_path: Path) -> None:
    inline = load_desired(_repo(tmp_path, "inline", INLINE, {}), cwd=tmp_path)
    tables = {"tables/routings.csv": ROUTINGS, "tables/authorizations.csv": AUTHORIZATIONS}
    tabled = load_desired(_repo(tmp_path, "tabled", TABLED, tables), cwd=tmp_path)
    assert inline.ok and tabled.ok, (inline.diagnostics, tabled.diagnostics)
    a, b = inline.state.environments["NTJP-PROD"], tabled.state.environments["NTJP-PROD"]
    assert b.routings == a.routings
    assert b.authorization_orgs == a.authorization_orgs
    assert ("SE2321000002-0002", REQ) in b.routings and ("*", GCC) in b.routings
    assert tabled.state.addresses["SE2321000002-0002"].name == "Beta; clinic"


def test_a_table_row_is_reported_at_its_own_line(tmp_path: Path) -> None:
    rows = ROUTINGS.replace(f"{GCC};*\n", f"{GCC};SE2321000002-0002;Other name\n")
    repo = _repo(tmp_path, "named", TABLED, {"tables/routings.csv": rows, "tables/authorizations.csv": AUTHORIZATIONS})
    result = load_desired(repo, cwd=tmp_path)
    assert result.ok
    assert [(d.path, d.line, d.col, d.code) for d in result.diagnostics] == [
        ("named/desired/beta/tables/routings.csv", 4, len(GCC) + 2, codes.ADDRESS_NAME_DIFFERS)
    ]


_field = st.text(alphabet="abcXYZ019-_:*åé ", min_size=0, max_size=8)


@given(
    rows=st.lists(st.tuples(_field, _field, _field), max_size=12),
    names=st.booleans(),
    header=st.booleans(),
)
def test_the_column_fast_path_reads_what_the_row_path_reads(
    rows: list[tuple[str, str, str]], names: bool, header: bool
) -> None:
    lines = [";".join(r if names else r[:2]) for r in rows]
    text = ("contract;address;name\n" if header else "") + "".join(f"{line}\n" for line in lines)
    fast = parse_table(text, "t.csv", names=names)
    slow = parse_table("# forces the row path\n" + text, "t.csv", names=names)  # every line one further down
    assert [r._replace(line=r.line + 1) for r in fast[0].rows] == list(slow[0].rows)
    assert [dataclasses.replace(d, line=d.line + 1) for d in fast[1]] == slow[1]

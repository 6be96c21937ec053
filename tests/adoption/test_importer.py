from __future__ import annotations

from tak_gitops.adapters.yaml_writer import csv_text, dump, load_roundtrip, merge_environment
from tak_gitops.core.importer import (
    build_import,
    contract_short_name,
    missing_rows,
    rows_in_scope,
    system_name,
)
from tak_gitops.core.snapshot import Snapshot

GCC2 = "urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2"
PR1 = "urn:riv:clinicalprocess:activity:request:ProcessRequestResponder:1"
PRC1 = "urn:riv:clinicalprocess:activity:request:ProcessRequestConfirmationResponder:1"
TP = "SE162321000032-00D1"
URL = "https://tp.regionsormland.se/vp/clinicalprocess/logistics/logistics/GetCareContacts/2/rivtabp21"


def _snapshot() -> Snapshot:
    vgs = [f"SE2321000032-4KM{c}" for c in "KLMNPQRS"]
    return Snapshot.build(
        platform="NTJP",
        environment="PROD",
        snapshot_time=None,
        source="test",
        routings=[((la, GCC2), (TP, URL, "RIVTABP21")) for la in vgs]
        + [(("se2321000032-4cvg", GCC2), (TP, URL, "RIVTABP21"))]
        + [(("X-1", PR1), ("OTHER", "https://x/y", "RIVTABP21"))],
        authorizations=[("SE2321000016-92V4", la, GCC2) for la in vgs] + [(TP, "*", PR1), (TP, "*", PRC1)],
        logical_addresses={la: f"VG: {la[-4:]}" for la in vgs} | {"SE2321000032-4CVG": "VE: Strängnäs"},
        systems={TP: "Landstinget Sörmland -- Tjänsteplattform"},
    )


def test_short_names_and_system_names():
    assert contract_short_name(GCC2) == "getcarecontacts-v2"
    assert contract_short_name("urn:riv:foo:Bar:1") == "bar-v1"
    assert system_name("Inera AB -- Intygstjänster -- Webcert", "X") == "Intygstjänster"
    assert system_name("Proxy", "X") == "Proxy"
    assert system_name("", "SE1") == "SE1"


def test_import_groups_and_uses_address_sets_for_long_lists():
    snap = _snapshot()
    result = build_import(snap, env="NTJP-PROD", owned=[TP], inline_limit=5)
    assert result.environment == {
        "producers": [
            {
                "system": TP,
                "contracts": [
                    {
                        "contract": GCC2,
                        "profile": "RIVTABP21",
                        "url": URL,
                        "addresses": [{"set": "ntjp-prod-getcarecontacts-v2"}],
                    }
                ],
            }
        ],
        "consumers": [
            {"system": TP, "authorizations": [{"contracts": [PRC1, PR1], "addresses": ["*"]}]},
        ],
    }
    path, rows = result.csv_sets["ntjp-prod-getcarecontacts-v2"]
    assert path == "addresses/ntjp-prod-getcarecontacts-v2.csv"
    assert rows[0] == ("SE2321000032-4CVG", "VE: Strängnäs")
    assert len(rows) == 9
    assert result.organisation == {
        "systems": [
            {
                "hsa_id": TP,
                "name": "Tjänsteplattform",
                "description": "Landstinget Sörmland -- Tjänsteplattform",
                "environments": ["NTJP-PROD"],
            }
        ],
        "address_sets": {"ntjp-prod-getcarecontacts-v2": {"csv": "addresses/ntjp-prod-getcarecontacts-v2.csv"}},
    }


def test_rows_of_other_systems_are_never_imported():
    rows = rows_in_scope(_snapshot(), [TP.lower()])
    assert all(v[0] == TP for v in rows.routings.values())
    assert ("X-1", PR1) not in rows.routings
    assert all(a[0] == TP for a in rows.authorizations)


def test_reserved_set_names_are_not_reused():
    result = build_import(
        _snapshot(), env="NTJP-PROD", owned=[TP], inline_limit=5, reserved_set_names=["ntjp-prod-getcarecontacts-v2"]
    )
    assert list(result.csv_sets) == ["ntjp-prod-getcarecontacts-v2-2"]


def test_missing_rows_without_desired_state_is_everything():
    rows = rows_in_scope(_snapshot(), [TP])
    assert missing_rows(rows, None) == rows


def test_yaml_layout_is_readable():
    result = build_import(_snapshot(), env="NTJP-PROD", owned=[TP], inline_limit=20)
    text = dump(result.environment, "Imported from the TAK")
    assert text.splitlines()[:8] == [
        "# Imported from the TAK",
        "producers:",
        "  - system: SE162321000032-00D1",
        "    contracts:",
        "      - contract: urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2",
        "        profile: RIVTABP21",
        f"        url: {URL}",
        "        addresses:",
    ]
    assert "          - {hsa_id: SE2321000032-4CVG, name: 'VE: Strängnäs'}" in text.splitlines()
    assert csv_text((("SE1", "A;B"), ("SE2", "C"))) == 'hsa-id;name\nSE1;"A;B"\nSE2;C\n'


def test_merge_keeps_comments_and_order(tmp_path):
    path = tmp_path / "NTJP-PROD.yaml"
    path.write_text(
        "# my comment\n"
        "producers:\n"
        "  - system: SE162321000032-00D1   # the platform\n"
        "    contracts:\n"
        f"      - contract: {GCC2}\n"
        "        profile: RIVTABP21\n"
        f"        url: {URL}\n"
        "        addresses:\n"
        "          - SE2321000032-4KML    # keep me\n",
        encoding="utf-8",
    )
    new = {
        "producers": [
            {
                "system": TP,
                "contracts": [
                    {"contract": GCC2, "profile": "RIVTABP21", "url": URL, "addresses": ["SE2321000032-4KMM"]},
                    {"contract": PR1, "profile": "RIVTABP21", "url": "https://x/pr", "addresses": ["SE1"]},
                ],
            }
        ],
        "consumers": [{"system": TP, "authorizations": [{"contracts": [PR1], "addresses": ["*"]}]}],
    }
    out = dump(merge_environment(load_roundtrip(path), new))
    lines = out.splitlines()
    assert lines[0] == "# my comment"
    assert "  - system: SE162321000032-00D1   # the platform" in lines
    assert "          - SE2321000032-4KML    # keep me" in lines
    assert lines.index("          - SE2321000032-4KML    # keep me") < lines.index("          - SE2321000032-4KMM")
    assert f"      - contract: {PR1}" in lines
    assert "consumers:" in lines

"""The bundled example repository (desired/ built from the seeds) validates and resolves as documented."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from tak_gitops.adapters.desired_loader import find_root, load_desired, load_desired_or_raise, parse_csv
from tak_gitops.core.desired import Location
from tak_gitops.core.validate import CsvRow
from tak_gitops.errors import DesiredStateError, UsageError
from tests.conftest import ROOT

CDC3 = "urn:riv:clinicalprocess:healthcond:certificate:CreateDraftCertificateResponder:3"
LCQA3 = "urn:riv:clinicalprocess:healthcond:certificate:ListCertificatesForCareWithQAResponder:3"
CSU3 = "urn:riv:clinicalprocess:healthcond:certificate:CertificateStatusUpdateForCareResponder:3"
SMC2 = "urn:riv:clinicalprocess:healthcond:certificate:SendMessageToCareResponder:2"
GCC2 = "urn:riv:clinicalprocess:logistics:logistics:GetCareContactsResponder:2"
PR1 = "urn:riv:clinicalprocess:activity:request:ProcessRequestResponder:1"
PRC1 = "urn:riv:clinicalprocess:activity:request:ProcessRequestConfirmationResponder:1"
PRO2 = "urn:riv:clinicalprocess:activity:request:ProcessRequestOutcomeResponder:2"
B8N, B31, V4 = "SE5565594230-B8N", "SE5565594230-B31", "SE2321000016-92V4"
B3K, H4F, D1 = "SE162321000156-B3K", "SE162321000156-4H4F", "SE162321000032-00D1"
HVT, WEBCERT = "SE162321000156-4HVT", "5565594230-WEBCERT"
REMISS = ("SE162321000156-4CXH", "SE162321000024-0050137", "SE162321000024-0016023")
CARE_GIVERS = tuple(
    f"SE2321000032-{s}" for s in ("1000", "4KML", "4KMP", "4KMN", "4KMQ", "4KMS", "4KMR", "4KMM", "4KMK")
)
GCC_URL = "https://tp.regionsormland.se/vp/clinicalprocess/logistics/logistics/GetCareContacts/2/rivtabp21"


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        return load_desired(".")
    finally:
        os.chdir(cwd)


def test_example_is_valid(result) -> None:  # type: ignore[no-untyped-def]
    assert result.diagnostics == ()
    assert result.root == ROOT
    assert sorted(result.config.environments) == ["NTJP-PROD", "NTJP-QA", "NTJP-TEST", "SLL-PROD"]


def test_prod_routings(result) -> None:  # type: ignore[no-untyped-def]
    prod = result.state.environments["NTJP-PROD"]
    webcert = "https://webcert.ntjp.intygstjanster.se/services"
    expected = {
        (WEBCERT, CDC3): (B8N, f"{webcert}/create-draft-certificate/v3.0", "RIVTABP21"),
        (WEBCERT, LCQA3): (B8N, f"{webcert}/list-certificates-for-care-with-qa/v3.0", "RIVTABP21"),
        (HVT, SMC2): (B8N, f"{webcert}/send-message-to-care/v2.0", "RIVTABP21"),
        (HVT, CSU3): (
            B3K,
            "https://tph2.liv.sjunet.org:50001/WebCertFormStatusUpdateWebService/FormStatusUpdate/3_0/rivtabp21",
            "RIVTABP21",
        ),
    }
    cosmic = "https://cosmic.liv.sjunet.org/remiss"
    for la in REMISS:
        expected[(la, PR1)] = (H4F, f"{cosmic}/ProcessRequest/1/rivtabp21", "RIVTABP21")
        expected[(la, PRC1)] = (H4F, f"{cosmic}/ProcessRequestConfirmation/1/rivtabp21", "RIVTABP21")
        expected[(la, PRO2)] = (H4F, f"{cosmic}/ProcessRequestOutcome/2/rivtabp21", "RIVTABP21")
    for la in (*CARE_GIVERS, "SE2321000032-4CVG"):
        expected[(la, GCC2)] = (D1, GCC_URL, "RIVTABP21")
    assert dict(prod.routings) == expected
    assert {k: prod.routing_orgs[k] for k in [(HVT, SMC2), (HVT, CSU3), (REMISS[0], PR1)]} == {
        (HVT, SMC2): "inera",
        (HVT, CSU3): "region-varmland",
        (REMISS[0], PR1): "region-varmland",
    }
    assert ("SE2321000032-4KMT", GCC2) not in prod.routings


def test_prod_authorizations_from_consumers_and_grants(result) -> None:  # type: ignore[no-untyped-def]
    prod = result.state.environments["NTJP-PROD"]
    expected = {
        (H4F, WEBCERT, CDC3): {"region-varmland"},
        (H4F, WEBCERT, LCQA3): {"region-varmland"},
        (H4F, "*", PR1): {"region-varmland"},
        (H4F, "*", PRC1): {"region-varmland"},
        (H4F, "*", PRO2): {"region-varmland"},
        (B31, HVT, SMC2): {"inera"},
        (B8N, HVT, CSU3): {"region-varmland"},
    }
    for la in (*CARE_GIVERS, "SE2321000032-4CVG"):
        expected[(V4, la, GCC2)] = {"region-sormland"}
    assert {k: set(v) for k, v in prod.authorization_orgs.items()} == expected
    grants = {(g.org, g.producer, g.contract): (g.consumers, g.addresses, g.manage) for g in prod.grants}
    assert grants == {
        ("inera", B8N, SMC2): (frozenset({B31}), frozenset({HVT}), False),
        ("region-varmland", B3K, CSU3): (frozenset({B8N}), frozenset({HVT}), False),
        ("region-sormland", D1, GCC2): (frozenset({V4}), frozenset({*CARE_GIVERS, "SE2321000032-4CVG"}), True),
    }


def test_org_environments_and_locations(result) -> None:  # type: ignore[no-untyped-def]
    prod = result.state.environments["NTJP-PROD"]
    sormland = prod.orgs["region-sormland"]
    assert sormland.comment == "Anslutning GetCareContacts för 1177 Vårdguidens e-tjänster"
    assert sormland.acknowledged_cascades == frozenset({"SE2321000032-4KMT"})
    assert sormland.path == "desired/region-sormland/NTJP-PROD.yaml"
    assert sorted(prod.orgs) == ["inera", "region-sormland", "region-varmland"]
    assert prod.locations[(HVT, CSU3)] == Location("desired/region-varmland/NTJP-PROD.yaml", 12, 13)
    assert prod.locations[(CARE_GIVERS[0], GCC2)] == Location("desired/region-sormland/NTJP-PROD.yaml", 12, 13)
    qa = result.state.environments["NTJP-QA"]
    assert sorted(qa.orgs) == ["region-varmland"]
    assert list(qa.routings) == [(HVT, CSU3)]
    assert result.state.environments["NTJP-TEST"].orgs == {}


def test_systems_addresses_and_owners(result) -> None:  # type: ignore[no-untyped-def]
    state = result.state
    assert sorted(state.systems) == sorted([B8N, B31, V4, B3K, H4F, D1, "SE162321000032-4LGG"])
    proxy = state.systems[B3K]
    assert (proxy.name, proxy.org, proxy.description) == ("Proxy", "region-varmland", "Landstinget i Värmland -- Proxy")
    assert proxy.main_responsible is not None and proxy.main_responsible.phone == "+4654619135"
    assert proxy.environments == frozenset({"NTJP-QA", "NTJP-PROD"})
    assert state.addresses[HVT].name == "Tolkcentralen Värmland"
    assert state.addresses["SE2321000032-4KMN"].name == "VG: Sörmland - Familjedoktorerna i Strängnäs AB"
    assert state.owners[H4F] == "region-varmland"
    assert state.organisations["region-sormland"].number == "232100-0032"


def test_digest_is_stable_across_working_directories(result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "desired", copy / "desired")
    for name in ("tak-gitops.yaml", "ownership.yaml"):
        shutil.copyfile(ROOT / name, copy / name)
    other = load_desired(copy / "desired" / "inera")
    assert other.diagnostics == ()
    assert other.state.digest("NTJP-PROD") == result.state.digest("NTJP-PROD")
    assert other.state.environments["NTJP-PROD"].orgs["inera"].path.endswith("/desired/inera/NTJP-PROD.yaml")


def test_load_or_raise(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "desired", tmp_path / "desired")
    for name in ("tak-gitops.yaml", "ownership.yaml"):
        shutil.copyfile(ROOT / name, tmp_path / name)
    assert load_desired_or_raise(tmp_path).ok
    (tmp_path / "desired" / "inera" / "NTJP-QA.yaml").write_text("producers: 3\n", encoding="utf-8")
    with pytest.raises(DesiredStateError) as info:
        load_desired_or_raise(tmp_path, cwd=tmp_path)
    assert [str(d) for d in info.value.diagnostics] == [
        "desired/inera/NTJP-QA.yaml:1:12: TG105 producers: expected a list, got an integer"
    ]
    assert str(info.value) == "1 error(s) in the desired state"


def test_find_root(tmp_path: Path) -> None:
    assert find_root(ROOT / "desired" / "inera" / "NTJP-PROD.yaml") == ROOT
    with pytest.raises(UsageError, match="not inside a tak-gitops repository"):
        find_root(tmp_path)
    with pytest.raises(UsageError, match="no such file or directory"):
        find_root(tmp_path / "nope")


def test_change_date_and_removals(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "desired", tmp_path / "desired")
    for name in ("tak-gitops.yaml", "ownership.yaml"):
        shutil.copyfile(ROOT / name, tmp_path / name)
    prod = tmp_path / "desired" / "region-sormland" / "NTJP-PROD.yaml"
    prod.write_text(
        "change_date: 2025-12-08\n" + prod.read_text(encoding="utf-8") + "  removals: 12\n", encoding="utf-8"
    )
    org_env = load_desired_or_raise(tmp_path).state.environments["NTJP-PROD"].orgs["region-sormland"]
    assert org_env.change_date == dt.date(2025, 12, 8)
    assert org_env.acknowledged_removals == 12


def test_parse_csv() -> None:
    text = 'hsa-id;name;kind;vg\n# comment\n\nSE1-A;VE: A;VE;SE1-VG\n SE1-B ; B \nSE1-C;C;XX\n"SE1-D";"D; quoted"\n'
    parsed, problems = parse_csv(text, "a.csv")
    assert parsed.rows == (
        CsvRow("SE1-A", "VE: A", "VE", "SE1-VG", 4, 16),
        CsvRow("SE1-B", "B", None, None, 5, 0),
        CsvRow("SE1-D", "D; quoted", None, None, 7, 0),
    )
    assert [str(d) for d in problems] == ["a.csv:6:9: TG110 kind must be VG or VE, not 'XX'"]

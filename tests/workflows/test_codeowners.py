"""CODEOWNERS from the ownership registry, `tak-gitops codeowners`, and the environments a change touches."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tak_gitops.core.codeowners import affected_environments, affected_organisations, render_codeowners
from tak_gitops.core.config import EnvironmentConfig, OwnedOrganisation, OwnershipRegistry, ProjectConfig, TakApiTarget
from tak_gitops.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden"


def _config(**kw: object) -> ProjectConfig:
    envs = {
        name: EnvironmentConfig(plattform=name, tak_api=TakApiTarget(platform="NTJP", environment=name.split("-")[1]))
        for name in ("NTJP-QA", "NTJP-PROD")
    }
    return ProjectConfig(environments=envs, **kw)  # type: ignore[arg-type]


REGISTRY = OwnershipRegistry(
    platform_team="@example/tak-platform",
    organisations={
        "region-varmland": OwnedOrganisation(
            name="Region Värmland", number="232100-0156", team="@example/region-varmland"
        ),
        "inera": OwnedOrganisation(name="Inera AB", number="556559-4230", team="@example/inera"),
        "region-sormland": OwnedOrganisation(name="Region Sörmland", number="232100-0032"),  # no team of its own
    },
)


def test_codeowners_golden() -> None:
    text = render_codeowners(REGISTRY, _config(desired_dir="./orgs/", ledger_dir="ledger"))
    assert text == (GOLDEN / "CODEOWNERS").read_text(encoding="utf-8")
    assert render_codeowners(REGISTRY, _config(desired_dir="./orgs/", ledger_dir="ledger")) == text


def test_codeowners_refuses_what_github_cannot_read() -> None:
    with pytest.raises(ConfigError, match=r"ownership.yaml: platform_team: None is not a GitHub team"):
        render_codeowners(OwnershipRegistry(organisations={}), _config())
    bad_team = OwnershipRegistry(
        platform_team="@example/p",
        organisations={"a": OwnedOrganisation(name="A", number="1", team="example/a")},
    )
    with pytest.raises(ConfigError, match=r"organisations.a.team: 'example/a' is not a GitHub team"):
        render_codeowners(bad_team, _config())
    bad_key = OwnershipRegistry(
        platform_team="@example/p", organisations={"a b": OwnedOrganisation(name="A", number="1")}
    )
    with pytest.raises(ConfigError, match=r"organisation key 'a b' cannot be a folder name"):
        render_codeowners(bad_key, _config())


def test_the_committed_codeowners_is_current(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("codeowners", str(ROOT), "--check")
    assert result.code == 0, result.out + result.err


def test_codeowners_check_shows_a_diff_and_writing_fixes_it(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for name in ("tak-gitops.yaml", "ownership.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "desired", tmp_path / "desired")
    (tmp_path / "CODEOWNERS").write_text((ROOT / "CODEOWNERS").read_text().replace("@example/inera", "@example/old"))
    stale = run_cli("codeowners", str(tmp_path), "--check")
    assert stale.code == 1
    assert "-/desired/inera/ @example/old\n+/desired/inera/ @example/inera\n" in stale.out
    assert stale.err.endswith("is out of date: run `tak-gitops codeowners` and commit the result\n")
    assert run_cli("codeowners", str(tmp_path)).code == 0
    assert (tmp_path / "CODEOWNERS").read_text() == (ROOT / "CODEOWNERS").read_text()
    assert run_cli("codeowners", str(tmp_path), "--check").code == 0
    printed = run_cli("codeowners", str(tmp_path), "-o", "-")
    assert printed.out == (ROOT / "CODEOWNERS").read_text()


def test_affected_environments() -> None:
    config = _config()
    known = {"region-varmland": ["NTJP-QA", "NTJP-PROD"], "inera": ["NTJP-PROD"]}
    assert affected_environments(["desired/inera/NTJP-PROD.yaml"], config, known) == ("NTJP-PROD",)
    assert affected_environments(["./desired/region-varmland/NTJP-QA.yml"], config, known) == ("NTJP-QA",)
    assert affected_environments(["desired/region-varmland/addresses/remiss-units.csv"], config, known) == (
        "NTJP-PROD",
        "NTJP-QA",
    )
    assert affected_environments(["desired/inera/organisation.yaml"], config, known) == ("NTJP-PROD",)
    # An organisation with no environment file plans nothing; one the caller knows nothing of plans everywhere.
    assert affected_environments(["desired/acme/organisation.yaml"], config, {"acme": []}) == ()
    assert affected_environments(["desired/new-org/organisation.yaml"], config, known) == ("NTJP-PROD", "NTJP-QA")
    assert affected_environments(["ownership.yaml"], config, known) == ("NTJP-PROD", "NTJP-QA")
    assert affected_environments(["tak-gitops.yaml"], config, known) == ("NTJP-PROD", "NTJP-QA")
    # The ledger the apply job commits back, docs and the workflows plan nothing.
    assert affected_environments(["orders/NTJP-PROD/x.json", "README.md", ".github/workflows/ci.yml"], config) == ()


def test_affected_envs_command(run_cli) -> None:  # type: ignore[no-untyped-def]
    r = run_cli("affected-envs", "--root", str(ROOT), "desired/region-varmland/addresses/remiss-units.csv")
    assert (r.code, r.out) == (0, '["NTJP-PROD","NTJP-QA"]\n')
    r = run_cli("affected-envs", "--root", str(ROOT), "--all")
    assert r.out == '["NTJP-PROD","NTJP-QA","NTJP-TEST","SLL-PROD"]\n'


def test_affected_organisations() -> None:
    config = _config()
    known = ["inera", "region-varmland"]
    changed = ["desired/region-varmland/NTJP-QA.yaml", "./desired/inera/addresses/x.csv", "desired/unknown/a.yaml"]
    assert affected_organisations(changed, config, known) == ("inera", "region-varmland")
    assert affected_organisations(["orders/NTJP-PROD/x.json", "README.md"], config, known) == ()
    # The platform files can change any organisation's plan.
    assert affected_organisations(["desired/inera/NTJP-PROD.yaml", "ownership.yaml"], config, known) is None
    assert affected_organisations(["tak-gitops.yaml"], config, known) is None


def test_affected_orgs_command(run_cli) -> None:  # type: ignore[no-untyped-def]
    r = run_cli("affected-orgs", "--root", str(ROOT), "desired/region-varmland/NTJP-PROD.yaml", "desired/inera/x.csv")
    assert (r.code, r.out) == (0, "--org inera --org region-varmland\n")
    r = run_cli("affected-orgs", "--root", str(ROOT), "tak-gitops.yaml", "desired/inera/x.csv")
    assert (r.code, r.out) == (0, "")


def test_a_bad_registry_is_reported_with_its_lines(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shutil.copy(ROOT / "tak-gitops.yaml", tmp_path / "tak-gitops.yaml")
    (tmp_path / "ownership.yaml").write_text("platform_team: 3\norganisations: {}\n", encoding="utf-8")
    r = run_cli("codeowners", str(tmp_path), "--check")
    assert r.code == 1
    assert r.err.splitlines()[1].endswith("ownership.yaml:1:16: TG105 platform_team: expected a string, got an integer")
    r = run_cli("codeowners", str(tmp_path / "nowhere"))
    assert r.code == 2

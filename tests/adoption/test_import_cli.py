from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from tak_gitops.cli import _register, cli

ROOT = Path(__file__).resolve().parents[2]


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ("tak-gitops.yaml", "ownership.yaml"):
        shutil.copy(ROOT / name, repo / name)
    (repo / "desired").mkdir()
    return repo


def _run(*args: str):
    _register()
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_import_writes_files_that_validate(tmp_path):
    repo = _repo(tmp_path)
    res = _run("import", "--env", "NTJP-PROD", "--org", "region-sormland", "--export",
               str(ROOT / "examples/ntjp-prod"), "--root", str(repo), "--allow-stale")
    assert res.exit_code == 0, res.output
    assert res.output.splitlines() == [
        "imported 11 routing(s) and 0 authorization(s) for region-sormland in NTJP-PROD",
        "  wrote desired/region-sormland/organisation.yaml",
        "  wrote desired/region-sormland/NTJP-PROD.yaml",
        "  wrote desired/region-sormland/addresses/ntjp-prod-getcarecontacts-v2.csv",
    ]
    csv = (repo / "desired/region-sormland/addresses/ntjp-prod-getcarecontacts-v2.csv").read_text(encoding="utf-8")
    assert csv.splitlines()[0] == "hsa-id;name"
    assert "SE2321000032-4KMT;VG: Sörmland - Vår VC Katrineholm HB" in csv.splitlines()
    # each new file names its schema on its first line, as the README asks (the language server checks it)
    for name, schema in (("organisation.yaml", "organisation"), ("NTJP-PROD.yaml", "environment")):
        first = (repo / "desired/region-sormland" / name).read_text(encoding="utf-8").splitlines()[0]
        assert first == f"# yaml-language-server: $schema=../../schemas/{schema}.schema.json"
        assert (ROOT / "schemas" / f"{schema}.schema.json").is_file()
    res = _run("validate", str(repo))
    assert res.exit_code == 0, res.output


def test_import_refuses_to_overwrite_without_merge(tmp_path):
    repo = _repo(tmp_path)
    args = ("import", "--env", "NTJP-PROD", "--org", "region-varmland", "--export", str(ROOT / "examples/ntjp-prod"),
            "--root", str(repo), "--allow-stale")
    assert _run(*args).exit_code == 0
    before = (repo / "desired/region-varmland/NTJP-PROD.yaml").read_text(encoding="utf-8")
    res = CliRunner().invoke(cli, list(args))
    assert res.exit_code != 0
    assert "exists; use --merge" in str(res.exception)
    assert (repo / "desired/region-varmland/NTJP-PROD.yaml").read_text(encoding="utf-8") == before


def test_merge_into_existing_file_adds_only_what_is_missing(tmp_path):
    repo = _repo(tmp_path)
    org = repo / "desired/region-varmland"
    shutil.copytree(ROOT / "desired/region-varmland", org)
    before = (org / "NTJP-PROD.yaml").read_text(encoding="utf-8")
    res = _run("import", "--env", "NTJP-PROD", "--org", "region-varmland", "--export",
               str(ROOT / "examples/ntjp-prod"), "--root", str(repo), "--merge", "--allow-stale")
    assert res.exit_code == 0, res.output
    after = (org / "NTJP-PROD.yaml").read_text(encoding="utf-8")
    # Every original line survives, in order, comments included.
    original = before.splitlines()
    merged = after.splitlines()
    it = iter(merged)
    assert all(any(line == m for m in it) for line in original), "an original line was lost or moved"
    assert len(merged) == len(original) + 4
    assert "          - {hsa_id: SE2321000032-1000, name: 'VG: Sörmlands landsting'}" in merged
    assert _run("validate", str(repo)).exit_code == 0


def test_import_refuses_a_snapshot_of_another_environment(tmp_path):
    repo = _repo(tmp_path)
    res = CliRunner().invoke(cli, ["import", "--env", "NTJP-QA", "--org", "inera", "--export",
                                   str(ROOT / "examples/ntjp-prod"), "--root", str(repo), "--allow-stale"])
    assert res.exit_code != 0
    assert "installedContracts.json: installedContracts[0].connectionPoint: this directory holds the TAK of " \
        "NTJP/PROD, not NTJP/QA" in str(res.exception)
    assert not (repo / "desired" / "inera").exists()


def test_import_refuses_a_stale_export_unless_told(tmp_path):
    repo = _repo(tmp_path)
    res = CliRunner().invoke(cli, ["import", "--env", "NTJP-PROD", "--org", "inera", "--export",
                                   str(ROOT / "examples/ntjp-prod"), "--root", str(repo)])
    assert res.exit_code != 0
    assert "use --allow-stale to accept it" in str(res.exception)


def test_import_refuses_a_snapshot_file_of_another_environment(tmp_path):
    repo = _repo(tmp_path)
    snapshot = str(ROOT / "examples/ntjp-prod.snapshot.json")
    res = CliRunner().invoke(cli, ["import", "--env", "NTJP-QA", "--org", "inera", "--snapshot", snapshot,
                                   "--root", str(repo), "--allow-stale"])
    assert res.exit_code != 0
    assert "is a snapshot of NTJP/PROD, but NTJP-QA is NTJP/QA in tak-gitops.yaml" in str(res.exception)

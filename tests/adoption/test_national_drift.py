"""The national-scale benchmark's check at small scale: a generated TAK whose address lists rarely repeat,
imported for every organisation in one `import --all` (CSV tables for long lists), plans empty; after a 1 % drift
(URLs moved, authorizations removed, new addresses routed) the plan holds exactly the changes that undo it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import orjson
import pytest

from tak_gitops.cli import main

REPO = Path(__file__).resolve().parents[2]


def _national():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("national", REPO / "benchmarks" / "national.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["national"] = module
    spec.loader.exec_module(module)
    return module


national = _national()
SMALL = national.Shape(orgs=6, addresses=600, routings=1_500, authorizations=3_000, contracts=20)


def _run(
    args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    """The command as a process runs it: its exit code and standard output."""
    monkeypatch.chdir(cwd)
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    return int(exit_info.value.code or 0), capsys.readouterr().out


def test_import_all_then_drift(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    world = national.generate(SMALL)
    drifted = national.drift(world)
    national.write_export(world, tmp_path / "export")
    national.write_export(drifted.world, tmp_path / "drift", indent=True)
    repo = tmp_path / "repo"
    national.write_skeleton(SMALL, repo)

    importing = ["import", "--env", "NTJP-PROD", "--all", "--export", "../export", "--allow-stale"]
    code, out = _run(importing, repo, monkeypatch, capsys)
    assert code == 0, out
    assert out.count("imported ") == SMALL.orgs
    tables = sorted(p.relative_to(repo).as_posix() for p in repo.glob("desired/*/tables/NTJP-PROD/*.csv"))
    assert len(tables) == 4 * SMALL.orgs  # every producer and consumer has more rows than the table limit
    env_file = (repo / "desired" / "org-000" / "NTJP-PROD.yaml").read_text(encoding="utf-8")
    assert env_file.startswith("# yaml-language-server: $schema=../../schemas/environment.schema.json\n")
    assert "routing_table: tables/NTJP-PROD/SE0000000000-P1-routings.csv" in env_file

    plan_args = ["plan", "--env", "NTJP-PROD", "--allow-stale", "--format", "json", "--export"]
    code, out = _run([*plan_args, "../export"], repo, monkeypatch, capsys)
    assert code == 0, out
    assert orjson.loads(out)["status"] == "no-changes"

    assert len(list((repo / ".tak-gitops" / "cache").glob("*.entry"))) == 1  # the load, cached

    code, out = _run([*plan_args, "../drift"], repo, monkeypatch, capsys)  # from the cached load
    assert code == 2, out
    monkeypatch.setenv("TAK_GITOPS_NO_CACHE", "1")
    assert _run([*plan_args, "../drift"], repo, monkeypatch, capsys) == (code, out)  # parsed again: the same plan
    document = orjson.loads(out)
    assert national.plan_changes(document) == drifted.expected
    assert len(drifted.expected) == 15 + 30 + 6  # 1 % of routings, of authorizations, of addresses
    assert document["errors"] == [] and document["refusals"] == []

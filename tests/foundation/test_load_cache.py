"""The load cache: a warm load gives exactly the cold load's result; any change of a file misses; an entry that
does not decode is ignored and replaced; an entry git tracks (a pull request could forge one) is never used."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import orjson
import pytest

from tak_gitops.adapters import load_cache
from tak_gitops.adapters.desired_loader import PlanFor, load_desired
from tak_gitops.adapters.snapshot_file import read_snapshot

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("tak-gitops.yaml", "ownership.yaml"):
        shutil.copyfile(REPO / name, root / name)
    shutil.copytree(REPO / "desired", root / "desired")
    return root


def _entries(root: Path) -> list[Path]:
    return sorted((root / load_cache.CACHE_DIR).glob("*.json"))


def test_a_warm_load_is_the_cold_load(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TAK_GITOPS_NO_CACHE", raising=False)
    cold = load_desired(repo, cwd=repo)
    assert len(_entries(repo)) == 1
    reads: list[Path] = []
    with monkeypatch.context() as patched:
        patched.setattr("tak_gitops.adapters.desired_loader.load_org_folder", lambda folder, *a: reads.append(folder))
        warm = load_desired(repo, cwd=repo)
    assert reads == []  # nothing parsed
    assert warm == cold
    assert warm.state.environments == cold.state.environments and warm.diagnostics == cold.diagnostics
    snapshot = read_snapshot(REPO / "examples" / "ntjp-prod.snapshot.json")
    scoped = load_desired(repo, cwd=repo, plan_for=PlanFor("NTJP-PROD", ("region-sormland",), snapshot))
    assert scoped.state == cold.state  # the whole load serves a plan for some organisations


def test_any_change_misses(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TAK_GITOPS_NO_CACHE", raising=False)
    before = load_desired(repo, cwd=repo).state.digest("NTJP-PROD")
    env_file = repo / "desired" / "region-sormland" / "NTJP-PROD.yaml"
    env_file.write_text(env_file.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    changed = load_desired(repo, cwd=repo)
    assert len(_entries(repo)) == 2
    assert changed.state.digest("NTJP-PROD") != before


def test_an_entry_that_does_not_decode_is_ignored(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TAK_GITOPS_NO_CACHE", raising=False)
    cold = load_desired(repo, cwd=repo)
    (entry,) = _entries(repo)
    for garbage in (b"{", b"[]", orjson.dumps({"format": load_cache.FORMAT, "key": entry.stem, "state": {}})):
        entry.write_bytes(garbage)
        assert load_desired(repo, cwd=repo) == cold


def test_a_tracked_entry_is_never_trusted(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TAK_GITOPS_NO_CACHE", raising=False)
    cold = load_desired(repo, cwd=repo)
    (entry,) = _entries(repo)
    forged = orjson.loads(entry.read_bytes())
    forged["diagnostics"] = []
    forged["state"]["environments"][0]["routings"] = [[]] * 6  # what a pull request would like the plan to see
    forged["state"]["environments"][0]["routing_where"] = [[]] * 3
    entry.write_bytes(orjson.dumps(forged))
    assert load_desired(repo, cwd=repo) != cold  # the forged entry, untracked, is what a warm load reads
    git = ["git", "-C", str(repo), "-c", "user.email=t@example.se", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-f", "."], check=True)
    assert not load_cache.usable(repo)
    assert load_desired(repo, cwd=repo) == cold


def test_turned_off(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAK_GITOPS_NO_CACHE", "1")
    load_desired(repo, cwd=repo)
    assert _entries(repo) == []


def test_a_plan_for_few_folders_reads_them_and_for_most_reads_the_cache(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TAK_GITOPS_NO_CACHE", raising=False)
    registry = repo / "ownership.yaml"  # a fourth organisation, whose folder no plan of the others needs
    registry.write_text(
        registry.read_text(encoding="utf-8") + "  region-extra:\n    name: Region Extra\n    number: \"232100-0000\"\n",
        encoding="utf-8",
    )
    (repo / "desired" / "region-extra").mkdir()
    (repo / "desired" / "region-extra" / "organisation.yaml").write_text("systems: []\n", encoding="utf-8")
    cold = load_desired(repo, cwd=repo)
    assert cold.ok and len(cold.folders) == 4
    snapshot = read_snapshot(REPO / "examples" / "ntjp-prod.snapshot.json")
    for_inera = PlanFor("NTJP-PROD", ("inera",), snapshot)
    monkeypatch.setenv("TAK_GITOPS_NO_CACHE", "1")
    uncached = load_desired(repo, cwd=repo, plan_for=for_inera)
    monkeypatch.setenv("TAK_GITOPS_NO_CACHE", "")
    assert len(uncached.folders) < len(cold.folders)  # Inera's plan needs three of the four
    monkeypatch.setattr("tak_gitops.adapters.desired_loader.SUBSET_SHARE", 1)  # "few": not all
    few = load_desired(repo, cwd=repo, plan_for=for_inera)
    assert (few.folders, few.state, few.diagnostics) == (uncached.folders, uncached.state, uncached.diagnostics)
    monkeypatch.setattr("tak_gitops.adapters.desired_loader.SUBSET_SHARE", len(cold.folders))
    most = load_desired(repo, cwd=repo, plan_for=for_inera)
    assert (most.folders, most.state) == (cold.folders, cold.state)  # the whole cached load

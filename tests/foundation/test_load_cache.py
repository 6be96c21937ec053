"""The load cache: a warm load gives exactly the cold load's result; any change of a file misses; an entry that
does not decode is ignored and replaced; an entry git tracks (a pull request could forge one) is never used."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import orjson
import pytest

from tak_gitops.adapters import load_cache
from tak_gitops.adapters.desired_loader import PlanFor, load_config, load_desired
from tak_gitops.adapters.load_cache_codec import pack, unpack
from tak_gitops.adapters.snapshot_file import read_snapshot
from tak_gitops.core.canonical import pretty_json
from tak_gitops.core.desired import DesiredState
from tak_gitops.core.plan import make_plan
from tak_gitops.core.relevance import restrict, selection_for
from tak_gitops.core.snapshot import Snapshot
from tests.conftest import copy_example_repo, track_everything

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_example_repo(tmp_path / "repo")


def _entries(root: Path) -> list[Path]:
    return sorted((root / load_cache.CACHE_DIR).glob("*.entry"))


def test_a_warm_load_is_the_cold_load(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TAK_GITOPS_NO_CACHE", raising=False)
    cold = load_desired(repo, cwd=repo)
    assert len(_entries(repo)) == 1
    reads: list[Path] = []
    snapshot = read_snapshot(REPO / "examples" / "ntjp-prod.snapshot.json")
    with monkeypatch.context() as patched:
        patched.setattr("tak_gitops.adapters.desired_loader.load_org_folder", lambda folder, *a: reads.append(folder))
        warm = load_desired(repo, cwd=repo)
        # the whole load serves a plan for some organisations: the rows that plan reads
        scoped = load_desired(repo, cwd=repo, plan_for=PlanFor("NTJP-PROD", ("region-sormland",), snapshot))
    assert reads == []  # nothing parsed
    assert warm == cold
    assert warm.state.environments == cold.state.environments and warm.diagnostics == cold.diagnostics
    _assert_kept_rows(scoped.state, cold.state, "NTJP-PROD", ("region-sormland",), snapshot)
    assert (scoped.diagnostics, scoped.folders) == (cold.diagnostics, cold.folders)


def _assert_kept_rows(
    scoped: DesiredState, whole: DesiredState, env: str, orgs: tuple[str, ...], snapshot: Snapshot
) -> None:
    """``scoped`` is ``whole`` with the rows of ``env`` a plan for ``orgs`` reads, and plans as it does."""
    kept = restrict(whole.environments[env], selection_for(whole, env, orgs, snapshot))
    got = scoped.environments[env]
    assert (got.routings, got.routing_orgs, got.authorization_orgs) == (
        kept.routings,
        kept.routing_orgs,
        kept.authorization_orgs,
    )
    assert (got.grants, got.orgs) == (kept.grants, kept.orgs)
    assert 0 < len(got.routings) < len(whole.environments[env].routings)  # a real subset of the rows
    assert {k: got.locations[k] for k in got.routings} == {
        k: whole.environments[env].locations[k] for k in got.routings
    }
    assert {e: s for e, s in scoped.environments.items() if e != env} == {
        e: s for e, s in whole.environments.items() if e != env
    }
    assert (scoped.owners, scoped.systems, scoped.addresses, scoped.file_digests) == (
        whole.owners,
        whole.systems,
        whole.addresses,
        whole.file_digests,
    )
    assert _plan(scoped, env, orgs, snapshot) == _plan(whole, env, orgs, snapshot)


def _plan(state: DesiredState, env: str, orgs: tuple[str, ...], snapshot: Snapshot) -> bytes:
    config, _registry = load_config(REPO)
    return pretty_json(make_plan(state, snapshot, env=env, config=config, orgs=list(orgs)).to_document())


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
    good = entry.read_bytes()
    head, _sep, rest = good.partition(b"\n")
    sizes, _sep, body = rest.partition(b"\n")
    n_header, n_table, n_strings, n_data = map(int, sizes.split())
    damaged = [
        b"",
        b"{",
        orjson.dumps({"format": load_cache.FORMAT, "key": entry.stem, "state": {}}),  # an entry of format 3's shape
        good[: len(good) // 2],  # truncated
        good + b"\0\0\0\0",  # longer than its lengths say
        head + b"\n" + f"{n_header} {n_table} {n_strings + 1} {n_data}".encode() + b"\n" + body,  # a string short
        head + b"\n" + f"{n_header} {n_table} {n_strings} -4".encode() + b"\n" + body,
        head + b"\n" + b"x y z w\n" + body,
        good[:-1] + bytes([good[-1] ^ 0xFF]),  # a column value out of the string table (an IndexError)
        good.replace(b'"key":"' + entry.stem.encode(), b'"key":"' + b"0" * 64, 1),  # another key's entry
    ]
    for garbage in damaged:
        entry.write_bytes(garbage)
        assert load_desired(repo, cwd=repo) == cold


def _forged(entry: Path, state_of: Callable[[DesiredState], DesiredState]) -> bytes:
    """The entry with its state replaced and its diagnostics emptied, as a forger with this code would write it."""
    doc, state = unpack(entry.read_bytes())
    doc.pop("state")
    return pack({**doc, "diagnostics": []}, state_of(state))


def test_a_tracked_entry_is_never_trusted(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TAK_GITOPS_NO_CACHE", raising=False)
    cold = load_desired(repo, cwd=repo)
    (entry,) = _entries(repo)

    def no_routings(state: DesiredState) -> DesiredState:  # what a pull request would like the plan to see
        envs = {k: replace(e, routings={}, routing_orgs={}) for k, e in state.environments.items()}
        return replace(state, environments=envs)

    entry.write_bytes(_forged(entry, no_routings))
    assert load_desired(repo, cwd=repo) != cold  # the forged entry, untracked, is what a warm load reads
    track_everything(repo)
    assert not load_cache.usable(repo)
    assert load_desired(repo, cwd=repo) == cold


def test_turned_off(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAK_GITOPS_NO_CACHE", "1")
    load_desired(repo, cwd=repo)
    assert _entries(repo) == []


def test_a_plan_for_some_organisations_reads_their_folders_cold_and_the_rows_it_needs_warm(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TAK_GITOPS_NO_CACHE", raising=False)
    registry = repo / "ownership.yaml"  # a fourth organisation, whose folder no plan of the others needs
    registry.write_text(
        registry.read_text(encoding="utf-8") + '  region-extra:\n    name: Region Extra\n    number: "232100-0000"\n',
        encoding="utf-8",
    )
    (repo / "desired" / "region-extra").mkdir()
    (repo / "desired" / "region-extra" / "organisation.yaml").write_text("systems: []\n", encoding="utf-8")
    snapshot = read_snapshot(REPO / "examples" / "ntjp-prod.snapshot.json")
    for_inera = PlanFor("NTJP-PROD", ("inera",), snapshot)
    uncached = load_desired(repo, cwd=repo, plan_for=for_inera)
    assert _entries(repo) == []  # a load of some folders is not cached
    cold = load_desired(repo, cwd=repo)
    assert cold.ok and len(cold.folders) == 4
    assert len(uncached.folders) < len(cold.folders)  # Inera's plan needs three of the four
    warm = load_desired(repo, cwd=repo, plan_for=for_inera)
    assert warm.folders == cold.folders and warm.diagnostics == cold.diagnostics
    _assert_kept_rows(warm.state, cold.state, "NTJP-PROD", ("inera",), snapshot)
    assert _plan(uncached.state, "NTJP-PROD", ("inera",), snapshot) == _plan(
        cold.state, "NTJP-PROD", ("inera",), snapshot
    )

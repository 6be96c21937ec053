"""A saved snapshot read through the repository's cache is the snapshot the file holds (rows, their order, its
digest); a changed file misses; an entry that does not decode is ignored; an entry git tracks, or one forged to
show other rows, is never used where git lists files under ``.tak-gitops/``; the plan reads through it, apply
never does."""

from __future__ import annotations

from pathlib import Path

import pytest

from tak_gitops.adapters import snapshot_cache
from tak_gitops.adapters.desired_loader import load_config
from tak_gitops.adapters.load_cache import CACHE_DIR
from tak_gitops.adapters.snapshot_cache import read_snapshot_cached
from tak_gitops.adapters.snapshot_file import read_snapshot, write_snapshot
from tak_gitops.adapters.sources import read_source
from tak_gitops.cli.common import read_current
from tak_gitops.core.snapshot import Snapshot
from tak_gitops.errors import SourceError
from tests.conftest import track_everything

from .conftest import EXAMPLES

REPO = Path(__file__).resolve().parents[2]


def _entries(root: Path) -> list[Path]:
    return sorted((root / CACHE_DIR).glob("snapshot-*.rows"))


def _same(a: Snapshot, b: Snapshot) -> None:
    assert a == b
    assert list(a.routings.items()) == list(b.routings.items())
    assert list(a.authorization_rows) == list(b.authorization_rows)
    assert (list(a.logical_addresses.items()), list(a.systems.items())) == (
        list(b.logical_addresses.items()),
        list(b.systems.items()),
    )
    assert list(a.contracts.items()) == list(b.contracts.items())
    assert a.digest == b.digest


@pytest.fixture
def saved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.delenv("TAK_GITOPS_NO_CACHE", raising=False)
    root = tmp_path / "repo"
    root.mkdir()
    path = tmp_path / "ntjp-prod.snapshot.json"
    write_snapshot(path, read_source(EXAMPLES / "ntjp-prod", platform="NTJP", environment="PROD"))
    return root, path


def test_a_cached_read_is_the_file(saved: tuple[Path, Path]) -> None:
    root, path = saved
    from_file = read_snapshot(path)
    first = read_snapshot_cached(path, root)
    assert len(_entries(root)) == 1
    second = read_snapshot_cached(path, root)
    _same(first, from_file)
    _same(second, from_file)


def test_a_changed_file_misses_and_a_damaged_one_is_still_refused(saved: tuple[Path, Path]) -> None:
    root, path = saved
    read_snapshot_cached(path, root)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"PROD"', '"QA"', 1), encoding="utf-8")  # the file digest no longer matches
    with pytest.raises(SourceError, match="digest mismatch"):
        read_snapshot_cached(path, root)
    assert len(_entries(root)) == 1  # nothing cached for a refused file


def test_an_entry_that_does_not_decode_is_ignored(saved: tuple[Path, Path]) -> None:
    root, path = saved
    read_snapshot_cached(path, root)
    (entry,) = _entries(root)
    good = entry.read_bytes()
    for garbage in (b"", b"{}", good[:-3], good + b"\0\0\0\0", good[:-1] + bytes([good[-1] ^ 0xFF])):
        entry.write_bytes(garbage)
        _same(read_snapshot_cached(path, root), read_snapshot(path))
    assert entry.read_bytes() == good  # written again from the file


def _forge(entry: Path) -> None:
    """The entry rewritten to show no authorizations: what a pull request would like a plan to see."""
    forged = snapshot_cache._decode(entry.read_bytes())
    empty = Snapshot(
        forged.platform, forged.environment, forged.snapshot_time, forged.source, forged.routings, frozenset(),
        dict(forged.logical_addresses), dict(forged.systems), dict(forged.contracts),
    )  # fmt: skip
    entry.write_bytes(snapshot_cache._encode(empty))


def test_a_tracked_entry_is_never_used(saved: tuple[Path, Path]) -> None:
    root, path = saved
    read_snapshot_cached(path, root)
    (entry,) = _entries(root)
    _forge(entry)
    assert not read_snapshot_cached(path, root).authorizations  # untracked: the user's own files
    track_everything(root)  # a pull request that carries the forged entry
    _same(read_snapshot_cached(path, root), read_snapshot(path))


def test_turned_off_or_without_a_repository(saved: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    root, path = saved
    _same(read_snapshot_cached(path, None), read_snapshot(path))
    monkeypatch.setenv("TAK_GITOPS_NO_CACHE", "1")
    _same(read_snapshot_cached(path, root), read_snapshot(path))
    assert _entries(root) == []


def test_a_missing_file_is_the_readers_error(saved: tuple[Path, Path]) -> None:
    root, path = saved
    with pytest.raises(SourceError, match="cannot read snapshot"):
        read_snapshot_cached(path.with_name("absent.json"), root)


def test_only_the_newest_entries_are_kept(saved: tuple[Path, Path]) -> None:
    root, path = saved
    for n in range(snapshot_cache.KEEP + 2):
        copy = path.with_name(f"s{n}.json")
        snap = read_snapshot(path)
        write_snapshot(copy, Snapshot(snap.platform, snap.environment, f"2026-12-0{n + 1}T00:00:00Z", snap.source,
                                      snap.routings, snap.authorizations, snap.logical_addresses, snap.systems,
                                      snap.contracts))  # fmt: skip
        read_snapshot_cached(copy, root)
    assert len(_entries(root)) == snapshot_cache.KEEP


def test_the_plan_reads_through_the_cache_and_apply_does_not(saved: tuple[Path, Path]) -> None:
    root, path = saved
    config, _registry = load_config(REPO)
    common = {"env": "NTJP-PROD", "config": config, "export_path": None, "fetch": False, "allow_stale": True}
    read_current(snapshot_path=path, root=root, **common)  # as apply and the other commands read it
    assert _entries(root) == []
    read_current(snapshot_path=path, root=root, cached=True, **common)  # as plan reads it
    assert len(_entries(root)) == 1

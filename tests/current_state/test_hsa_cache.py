"""An HSA file read through the repository's cache is the tree the file holds (parents, names, their order, the
digest, the path it was read from); a changed file misses; an entry that does not decode is ignored; an entry
git tracks, or one forged to show another tree, is never used where git lists files under ``.tak-gitops/``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tak_gitops.adapters import hsa_cache
from tak_gitops.adapters.hsa_cache import read_hsa_file_cached
from tak_gitops.adapters.hsafile import read_hsa_file
from tak_gitops.adapters.load_cache import CACHE_DIR
from tak_gitops.core.hsa import HsaTree
from tak_gitops.errors import SourceError
from tests.conftest import track_everything

from .conftest import EXAMPLES


def _entries(root: Path) -> list[Path]:
    return sorted((root / CACHE_DIR).glob("hsa-*.units"))


def _same(a: HsaTree, b: HsaTree) -> None:
    assert a == b
    assert (list(a.parents.items()), list(a.names.items())) == (list(b.parents.items()), list(b.names.items()))
    assert (a.digest, a.source) == (b.digest, b.source)


@pytest.fixture
def saved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.delenv("TAK_GITOPS_NO_CACHE", raising=False)
    root = tmp_path / "repo"
    root.mkdir()
    path = tmp_path / "hsacache.xml"
    shutil.copyfile(EXAMPLES / "hsa" / "hsacache.xml", path)
    return root, path


def test_a_cached_read_is_the_file(saved: tuple[Path, Path]) -> None:
    root, path = saved
    first = read_hsa_file_cached(path, root)
    assert len(_entries(root)) == 1
    second = read_hsa_file_cached(path, root)
    _same(first, read_hsa_file(path))
    _same(second, read_hsa_file(path))
    moved = path.with_name("moved.xml")
    shutil.copyfile(path, moved)
    assert read_hsa_file_cached(moved, root).source == str(moved)  # the same bytes, named by where they are now


def test_a_changed_file_misses_and_a_bad_one_is_still_refused(saved: tuple[Path, Path]) -> None:
    root, path = saved
    read_hsa_file_cached(path, root)
    path.write_bytes(path.read_bytes()[:-40])  # cut short: not XML any more
    with pytest.raises(SourceError, match="not valid XML"):
        read_hsa_file_cached(path, root)
    assert len(_entries(root)) == 1
    with pytest.raises(SourceError, match="cannot read"):
        read_hsa_file_cached(path.with_name("absent.xml"), root)


def test_an_entry_that_does_not_decode_is_ignored(saved: tuple[Path, Path]) -> None:
    root, path = saved
    read_hsa_file_cached(path, root)
    (entry,) = _entries(root)
    good = entry.read_bytes()
    for garbage in (b"", b"{}", good[:-3], good + b"\0\0\0\0", good[:-1] + bytes([good[-1] ^ 0xFF])):
        entry.write_bytes(garbage)
        _same(read_hsa_file_cached(path, root), read_hsa_file(path))
    assert entry.read_bytes() == good


def test_a_tracked_entry_is_never_used(saved: tuple[Path, Path]) -> None:
    root, path = saved
    tree = read_hsa_file_cached(path, root)
    (entry,) = _entries(root)
    flat = HsaTree(parents={}, names=dict(tree.names), source=tree.source, digest=tree.digest)  # no care givers
    entry.write_bytes(hsa_cache._encode(flat))
    assert read_hsa_file_cached(path, root).parents == {}  # untracked: the user's own files
    track_everything(root)  # a pull request that carries the forged entry
    _same(read_hsa_file_cached(path, root), read_hsa_file(path))


def test_turned_off_or_without_a_repository(saved: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    root, path = saved
    _same(read_hsa_file_cached(path, None), read_hsa_file(path))
    monkeypatch.setenv("TAK_GITOPS_NO_CACHE", "1")
    _same(read_hsa_file_cached(path, root), read_hsa_file(path))
    assert _entries(root) == []

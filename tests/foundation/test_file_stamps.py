"""File stamps: a load reads only the desired files that changed since the last one, and the digests are those
of a load that reads every file, whatever was done to the files or to the stamps between the two."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import orjson
import pytest

from tak_gitops.adapters import desired_files, file_stamps
from tak_gitops.adapters.desired_loader import load_config, load_desired
from tests.conftest import copy_example_repo, track_everything

ENV = "NTJP-PROD"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("TAK_GITOPS_NO_CACHE", raising=False)
    monkeypatch.setattr(desired_files, "SETTLE_NS", 0)  # the files were written just now: count them settled
    return copy_example_repo(tmp_path / "repo")


def _digests_read_fresh(root: Path) -> dict[str, str]:
    config, _registry = load_config(root)
    return desired_files.read_repo_files(root, config).digests(config)


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = desired_files.read_file

    def counting(path: Path, shown: str, *args: object) -> tuple[bytes | None, object]:
        seen.append(shown)
        return real(path, shown, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(desired_files, "read_file", counting)
    return seen


def test_a_second_load_reads_no_unchanged_file(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_desired(repo, cwd=repo)
    stamps = file_stamps.read_stamps(repo)
    assert "ownership.yaml" in stamps and f"desired/inera/{ENV}.yaml" in stamps
    reads = _reads(monkeypatch)
    second = load_desired(repo, cwd=repo)
    assert reads == []
    assert second.state.file_digests == first.state.file_digests == _digests_read_fresh(repo)


def test_an_edit_is_seen_even_when_the_size_and_time_are_put_back(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_desired(repo, cwd=repo)
    env_file = repo / "desired" / "inera" / f"{ENV}.yaml"
    before = env_file.stat()
    text = env_file.read_bytes()
    env_file.write_bytes(text.replace(b"https://", b"https:/X", 1))  # the same size
    os.utime(env_file, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the modification time put back
    reads = _reads(monkeypatch)
    loaded = load_desired(repo, cwd=repo)
    assert reads == [f"desired/inera/{ENV}.yaml"]  # the change time moved: read again
    assert loaded.state.file_digests == _digests_read_fresh(repo)


def test_a_file_changed_just_now_is_not_recorded(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(desired_files, "SETTLE_NS", 10**18)  # everything is recent
    load_desired(repo, cwd=repo)
    assert file_stamps.read_stamps(repo) == {}
    reads = _reads(monkeypatch)
    load_desired(repo, cwd=repo)
    assert f"desired/inera/{ENV}.yaml" in reads


def test_a_file_replaced_by_a_link_is_refused_not_taken_from_the_stamps(repo: Path) -> None:
    load_desired(repo, cwd=repo)
    env_file = repo / "desired" / "inera" / f"{ENV}.yaml"
    outside = repo.parent / "outside.yaml"
    shutil.copyfile(env_file, outside)
    env_file.unlink()
    env_file.symlink_to(outside)
    loaded = load_desired(repo, cwd=repo)
    assert any(d.path == f"desired/inera/{ENV}.yaml" and d.severity == "error" for d in loaded.diagnostics)
    assert loaded.state.file_digests == _digests_read_fresh(repo)


@pytest.mark.parametrize(
    "forged",
    [
        b"{",
        b"[]",
        orjson.dumps({"format": file_stamps.STAMPS_FORMAT, "files": {"ownership.yaml": [1, 2, 3]}}),
        orjson.dumps({"format": file_stamps.STAMPS_FORMAT, "files": {"ownership.yaml": [1, 2, 3, 4, 5, "no-hex"]}}),
        orjson.dumps({"format": file_stamps.STAMPS_FORMAT, "files": {"ownership.yaml": ["1", 2, 3, 4, 5, "0" * 64]}}),
    ],
)
def test_stamps_that_do_not_decode_are_ignored(repo: Path, forged: bytes) -> None:
    load_desired(repo, cwd=repo)
    (repo / ".tak-gitops" / "cache" / file_stamps.STAMPS_FILE).write_bytes(forged)
    assert file_stamps.read_stamps(repo) == {}
    assert load_desired(repo, cwd=repo).state.file_digests == _digests_read_fresh(repo)


def test_tracked_stamps_are_never_trusted(repo: Path) -> None:
    load_desired(repo, cwd=repo)
    path = repo / ".tak-gitops" / "cache" / file_stamps.STAMPS_FILE
    doc = orjson.loads(path.read_bytes())
    for stamp in doc["files"].values():
        stamp[5] = "0" * 64  # every file "unchanged", with a digest of the forger's choosing
    path.write_bytes(orjson.dumps(doc))
    assert load_desired(repo, cwd=repo).state.file_digests != _digests_read_fresh(repo)  # the user's own cache
    track_everything(repo)  # a pull request that carries them
    assert load_desired(repo, cwd=repo).state.file_digests == _digests_read_fresh(repo)

"""A CSV text parsed once per load: the same state and the same diagnostics, each at its own file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import tak_gitops.adapters.desired_loader as loader
from tak_gitops.adapters.desired_loader import load_desired
from tests.conftest import ROOT

PARTNERS = "hsa-id;name\nSE2321000016-7P6B;Vårdcentral A\nSE2321000016-7P6C;Vårdcentral B\n"


def _copy_example(tmp_path: Path) -> Path:
    target = tmp_path / "repo"
    shutil.copytree(ROOT / "desired", target / "desired")
    for name in ("tak-gitops.yaml", "ownership.yaml"):
        shutil.copyfile(ROOT / name, target / name)
    return target


def _add_set(repo: Path, org: str, text: str) -> None:
    folder = repo / "desired" / org
    (folder / "addresses").mkdir(exist_ok=True)
    (folder / "addresses" / "shared.csv").write_text(text, encoding="utf-8")
    org_file = folder / "organisation.yaml"
    body = org_file.read_text(encoding="utf-8")
    assert "address_sets:" not in body or "shared:" not in body
    if "address_sets:" in body:
        body = body.replace("address_sets:\n", "address_sets:\n  shared: {csv: addresses/shared.csv}\n", 1)
    else:
        body += "address_sets:\n  shared: {csv: addresses/shared.csv}\n"
    org_file.write_text(body, encoding="utf-8")


def _without_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    original = loader.load_org_folder

    def uncached(folder, cwd, diags, max_bytes=loader.MAX_FILE_BYTES, parsed_csv=None):  # type: ignore[no-untyped-def]
        return original(folder, cwd, diags, max_bytes, None)

    monkeypatch.setattr(loader, "load_org_folder", uncached)


@pytest.mark.parametrize("text", [PARTNERS, PARTNERS + "not;a;valid;row;at all\n"])
def test_the_same_text_in_two_folders_gives_what_two_parses_give(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    repo = _copy_example(tmp_path)
    for org in ("inera", "region-sormland"):
        _add_set(repo, org, text)
    cached = load_desired(repo, cwd=repo)
    _without_cache(monkeypatch)
    parsed_twice = load_desired(repo, cwd=repo)
    assert cached.diagnostics == parsed_twice.diagnostics
    assert cached.state == parsed_twice.state
    if text != PARTNERS:  # a problem is reported at each file, not once
        assert [str(d) for d in cached.diagnostics if d.code == "TG110"] == [
            f"desired/{org}/addresses/shared.csv:4:1: TG110 expected hsa-id;name[;kind;vg] (2 to 4 fields separated "
            "by ';'), found 5"
            for org in ("inera", "region-sormland")
        ]

"""The bad-input corpus: every case under tests/bad_inputs/<case>/ is a set of files laid over the small valid
repository in tests/bad_inputs/_base/; `tak-gitops validate` must print exactly the case's expected.txt."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tak_gitops.cli import _register, cli

CORPUS = Path(__file__).resolve().parent.parent / "bad_inputs"
WARNING = re.compile(r"^\S+:\d+:\d+: TG9\d\d warning: ")
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith("_"))


def build_case(case: str, target: Path) -> Path:
    """Copy the base repository to ``target`` and lay the case's files over it."""
    shutil.copytree(CORPUS / "_base", target)
    source = CORPUS / case
    for file in sorted(source.rglob("*")):
        if file.is_file() and file.relative_to(source).as_posix() != "expected.txt":
            dest = target / file.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, dest)
    return target


def run_validate(repo: Path, *args: str) -> tuple[int, str, str]:
    _register()
    cwd = os.getcwd()
    os.chdir(repo)
    try:
        result = CliRunner().invoke(cli, ["validate", *args])
    finally:
        os.chdir(cwd)
    return result.exit_code, result.stdout, result.stderr


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30


def test_base_is_valid(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(CORPUS / "_base", repo)
    assert run_validate(repo) == (0, "", "valid: no problems found\n")


@pytest.mark.parametrize("case", CASES)
def test_bad_input(case: str, tmp_path: Path) -> None:
    repo = build_case(case, tmp_path / "repo")
    expected = (CORPUS / case / "expected.txt").read_text(encoding="utf-8")
    code, out, err = run_validate(repo)
    assert out == expected
    assert expected.strip(), f"{case}: expected.txt must not be empty"
    errors = sum(1 for line in expected.splitlines() if not WARNING.match(line))
    assert code == (1 if errors else 0)
    assert err == (f"{errors} error(s), {len(expected.splitlines()) - errors} warning(s)\n")

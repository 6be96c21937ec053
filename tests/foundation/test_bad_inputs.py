"""The bad-input corpus: every case under tests/bad_inputs/<case>/ is a set of files laid over the small valid
repository in tests/bad_inputs/_base/; `tak-gitops validate` must print exactly the case's expected.txt, exit
with the code its diagnostics imply, and print no traceback.

What git cannot carry or what would be too large to keep (symbolic links, FIFOs, devices, folders named like
files, files of a hundred thousand lines) a case describes in ``setup.json``, applied after the files are laid
over the base: a list of steps, each one of

* ``{"symlink": PATH, "to": TARGET}``, ``{"fifo": PATH}``, ``{"device": PATH}`` (the null device's numbers),
  ``{"folder": PATH}``, ``{"remove": PATH}``: PATH replaced by that;
* ``{"write": PATH, "head": TEXT, "repeat": TEXT, "times": N, "tail": TEXT, "append": BOOL}``: a generated
  file (``{i}`` in ``repeat`` is the repetition's number; ``append`` keeps what is there and adds to it);
  ``"gzip": true`` writes it gzip-compressed, piece by piece;
* ``{"git": "init"}``: the repository made a git checkout (as a pull request's files are).

A case with ``command.json`` (the arguments after ``tak-gitops``) runs that command instead of ``validate``:
its expected.txt is what the command prints on standard error (standard output stays empty) and
``exit.txt`` its exit code.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

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
        if file.is_file():
            relative = file.relative_to(source).as_posix()
            if relative in ("expected.txt", "setup.json", "command.json", "exit.txt"):
                continue
            dest = target / relative
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, dest)
    setup = source / "setup.json"
    for step in json.loads(setup.read_text(encoding="utf-8")) if setup.is_file() else ():
        apply_step(target, step)
    return target


def _clear(path: Path) -> None:
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
    path.parent.mkdir(parents=True, exist_ok=True)


def apply_step(target: Path, step: dict[str, Any]) -> None:
    """One step of a case's setup.json (see the module docstring)."""
    if "write" in step:
        path = target / step["write"]
        times, repeat = step.get("times", 0), step.get("repeat", "")
        path.parent.mkdir(parents=True, exist_ok=True)
        if step.get("gzip"):
            with gzip.open(path, "wb") as zipped:
                zipped.write(step.get("head", "").encode())
                block = (repeat * 65536).encode()
                for _ in range(times // 65536):
                    zipped.write(block)
                zipped.write((repeat * (times % 65536) + step.get("tail", "")).encode())
            return
        body = "".join(repeat.replace("{i}", str(i)) for i in range(times)) if "{i}" in repeat else repeat * times
        text = step.get("head", "") + body + step.get("tail", "")
        with path.open("a" if step.get("append") else "w", encoding="utf-8", newline="") as out:
            out.write(text)
        return
    if step.get("git") == "init":  # a git checkout, as a pull request's files are
        subprocess.run(["git", "init", "-q", str(target)], check=True)
        return
    kind, where = next((k, v) for k, v in step.items() if k != "to")
    path = target / where
    _clear(path)
    if kind == "symlink":
        path.symlink_to(step["to"])
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 3))
    elif kind == "folder":
        path.mkdir()
    elif kind != "remove":
        raise AssertionError(f"unknown setup step {step}")


def run_command(repo: Path, *args: str) -> tuple[int, str, str]:
    """``tak-gitops ARGS`` in ``repo``, as a process (its own error handling and exit code included)."""
    entry = "from tak_gitops.cli import main; main()"
    done = subprocess.run([sys.executable, "-c", entry, *args], cwd=repo, capture_output=True, text=True, timeout=60)
    return done.returncode, done.stdout, done.stderr


def run_validate(repo: Path, *args: str) -> tuple[int, str, str]:
    _register()
    cwd = os.getcwd()
    os.chdir(repo)
    try:
        result = CliRunner().invoke(cli, ["validate", *args])
    finally:
        os.chdir(cwd)
    # no traceback: the command ended with a project error's exit code, not an exception of its own
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.stdout, result.stderr


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 120


def test_base_is_valid(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(CORPUS / "_base", repo)
    assert run_validate(repo) == (0, "", "valid: no problems found\n")


@pytest.mark.parametrize("case", CASES)
def test_bad_input(case: str, tmp_path: Path) -> None:
    repo = build_case(case, tmp_path / "repo")
    expected = (CORPUS / case / "expected.txt").read_text(encoding="utf-8")
    command = CORPUS / case / "command.json"
    if command.is_file():
        code, out, err = run_command(repo, *json.loads(command.read_text(encoding="utf-8")))
        assert "Traceback" not in out + err
        assert (out, err) == ("", expected)
        assert code == int((CORPUS / case / "exit.txt").read_text(encoding="utf-8"))
        return
    code, out, err = run_validate(repo)
    assert "Traceback" not in out + err
    assert out == expected
    assert expected.strip(), f"{case}: expected.txt must not be empty"
    errors = sum(1 for line in expected.splitlines() if not WARNING.match(line))
    assert code == (1 if errors else 0)
    assert err == (f"{errors} error(s), {len(expected.splitlines()) - errors} warning(s)\n")

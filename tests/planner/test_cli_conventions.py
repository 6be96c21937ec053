"""Command-line conventions: an example in every command's --help, environment and organisation names completed,
old option spellings kept as hidden aliases that print a deprecation note, tables as wide as their cells."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import click
import pytest

import tak_gitops.cli.commands  # noqa: F401 - registers every command
from tak_gitops.cli import cli, main
from tak_gitops.cli.common import table
from tests.conftest import ROOT


def _commands(cmd: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    if isinstance(cmd, click.Group):
        for name, sub in cmd.commands.items():
            yield from _commands(sub, (*path, name))


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def test_every_command_shows_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    paths = list(_commands(cli))
    assert len(paths) > 20
    for path in paths:
        code, out, _ = _run(capsys, *path, "--help")
        assert code == 0
        example = out[out.index("Example:") :].splitlines()[1].strip() if "Example:" in out else ""
        assert example.startswith(("tak-gitops ", "git diff")), f"`tak-gitops {' '.join(path)} --help` has no example"
        if path:
            assert " ".join(path) in example or path[0] == "sim" and "sim" in example, (path, example)


def _complete(words: str) -> list[str]:
    env = {
        **os.environ,
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
        "_TAK_GITOPS_COMPLETE": "bash_complete",
    }
    done = subprocess.run(
        [sys.executable, "-c", "from tak_gitops.cli import main; main()"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return [line.split(",", 1)[1] for line in done.stdout.splitlines() if line.startswith("plain,")]


def test_environment_and_organisation_names_complete() -> None:
    assert _complete("tak-gitops plan --env NTJP-") == ["NTJP-PROD", "NTJP-QA", "NTJP-TEST"]
    assert _complete("tak-gitops plan --org region") == ["region-sormland", "region-varmland"]
    assert _complete("tak-gitops orders list --env NTJP-P") == ["NTJP-PROD"]
    assert _complete("tak-gitops import --org in") == ["inera"]


def test_old_spellings_still_work_with_a_deprecation_note(capsys: pytest.CaptureFixture[str]) -> None:
    args = ("--env", "NTJP-PROD", "--export", "examples/ntjp-prod", "--hsa", "examples/hsa/hsacache.xml")
    code, new, err = _run(capsys, "plan", *args, "--allow-stale", "--root", ".", "--format", "json")
    assert code == 2 and err == ""
    code, old, err = _run(capsys, "plan", *args, "--allow-stale", "--repo", ".", "--format", "json")
    assert code == 2 and old == new
    assert err == "note: --repo is deprecated; use --root (it means the same here)\n"
    code, out, _ = _run(capsys, "plan", "--help")
    assert "--repo" not in out and "--root DIRECTORY" in out
    code, out, _ = _run(capsys, "fetch", "--help")
    assert "--export-format" in out and "--format" not in out


def test_text_tables_are_as_wide_as_their_cells() -> None:
    long_id = "w3-region-sormland-remove-authorizations-SE162321000032-00D1-0123456789"
    lines = table(("order", "wave", "state"), [(long_id, 3, "planned"), ("w1-x", 12, "submitted")], right=(1,))
    assert lines == [
        "order" + " " * (len(long_id) - 5) + "  wave  state",
        long_id + "     3  planned",
        "w1-x" + " " * (len(long_id) - 4) + "    12  submitted",
    ]

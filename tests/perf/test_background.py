"""Reading in a forked child: the same result, the same errors, no child left behind."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

import pytest

from tak_gitops.adapters.background import Background
from tak_gitops.adapters.hsafile import read_hsa_file
from tak_gitops.errors import SourceError

EXAMPLE_HSA = Path(__file__).resolve().parents[2] / "examples" / "hsa" / "hsacache.xml"


def _children() -> set[int]:
    """Child processes of this process that are still to be collected (zombies included)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == os.getpid():
                found.add(int(entry.name))
    return found


def test_the_child_reads_what_the_parent_would() -> None:
    before = _children()
    reading = Background(partial(read_hsa_file, EXAMPLE_HSA))
    assert reading._pid != 0  # a child is at work
    tree = reading.result()
    assert tree == read_hsa_file(EXAMPLE_HSA)
    assert tree.parents and tree.digest
    assert _children() == before


def test_an_error_in_the_child_is_raised_whole_in_the_parent(tmp_path: Path) -> None:
    bad = tmp_path / "hsacache.xml"
    bad.write_text("<FileGetHsaUnitsResponse><hsaUnits>\n<hsaUnit>", encoding="utf-8")
    with pytest.raises(SourceError) as in_parent:
        read_hsa_file(bad)
    with pytest.raises(SourceError) as from_child:
        Background(partial(read_hsa_file, bad)).result()
    assert str(from_child.value) == str(in_parent.value)
    assert from_child.value.path == str(bad) and from_child.value.detail == in_parent.value.detail


def test_a_child_that_dies_without_an_answer_is_not_trusted() -> None:
    def work() -> int:
        if os.getpid() != parent:
            os._exit(3)  # the child dies: the parent does the work itself
        return 42

    parent = os.getpid()
    assert Background(work).result() == 42


def test_a_result_never_asked_for_leaves_no_child(tmp_path: Path) -> None:
    before = _children()
    reading = Background(partial(read_hsa_file, EXAMPLE_HSA))
    del reading
    assert _children() == before


def test_without_fork_the_work_is_done_in_the_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAK_GITOPS_NO_FORK", "1")
    reading = Background(os.getpid)
    assert reading._pid == 0
    assert reading.result() == os.getpid()

"""Reading in a worker process: the same result, the same errors, no worker left behind; small files in the caller."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

import pytest

from tak_gitops.adapters.background import WORKER_FROM_BYTES, Background, worth_a_worker
from tak_gitops.adapters.hsafile import read_hsa_file
from tak_gitops.errors import SourceError

EXAMPLE_HSA = Path(__file__).resolve().parents[2] / "examples" / "hsa" / "hsacache.xml"


def _workers() -> set[int]:
    """Worker processes of this process still to be collected (zombies included); the resource tracker that
    multiprocessing keeps for the life of the process is not a worker."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(fields[1]) == os.getpid() and b"resource_tracker" not in cmdline:
                found.add(int(entry.name))
    return found


def _exit_in_worker(caller: int) -> int:
    if os.getpid() != caller:
        os._exit(3)  # the worker dies: the caller does the work itself
    return 42


def test_the_worker_reads_what_the_caller_would() -> None:
    before = _workers()
    reading = Background(partial(read_hsa_file, EXAMPLE_HSA))
    assert reading.in_worker
    assert _workers() - before  # a worker is at work
    tree = reading.result()
    assert tree == read_hsa_file(EXAMPLE_HSA)
    assert tree.parents and tree.digest
    assert _workers() == before


def test_an_error_in_the_worker_is_raised_whole_in_the_caller(tmp_path: Path) -> None:
    bad = tmp_path / "hsacache.xml"
    bad.write_text("<FileGetHsaUnitsResponse><hsaUnits>\n<hsaUnit>", encoding="utf-8")
    with pytest.raises(SourceError) as in_caller:
        read_hsa_file(bad)
    with pytest.raises(SourceError) as from_worker:
        Background(partial(read_hsa_file, bad)).result()
    assert str(from_worker.value) == str(in_caller.value)
    assert from_worker.value.path == str(bad) and from_worker.value.detail == in_caller.value.detail


def test_a_worker_that_dies_without_an_answer_is_not_trusted() -> None:
    reading = Background(partial(_exit_in_worker, os.getpid()))
    assert reading.in_worker
    assert reading.result() == 42


def test_a_result_never_asked_for_leaves_no_worker() -> None:
    before = _workers()
    reading = Background(partial(read_hsa_file, EXAMPLE_HSA))
    del reading
    assert _workers() == before


def test_without_a_worker_the_work_is_done_in_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Background(os.getpid, worker=False).result() == os.getpid()
    monkeypatch.setenv("TAK_GITOPS_NO_WORKER", "1")
    reading = Background(os.getpid)
    assert not reading.in_worker
    assert reading.result() == os.getpid()


def test_only_a_large_file_is_worth_a_worker(tmp_path: Path) -> None:
    assert not worth_a_worker(EXAMPLE_HSA)
    assert not worth_a_worker(tmp_path / "missing.xml")
    large = tmp_path / "hsacache.xml"
    large.write_bytes(b" " * WORKER_FROM_BYTES)
    assert worth_a_worker(large)
    large.write_bytes(b" " * (WORKER_FROM_BYTES - 1))
    assert not worth_a_worker(large)

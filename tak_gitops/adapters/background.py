"""Work done in a worker process (``concurrent.futures``) while the caller goes on.

``plan`` reads the HSA file this way: parsing 60,000 units takes a core for a fifth of a second, and nothing
else depends on it until planning starts, so it overlaps reading the snapshot and the desired state (the gain
is in BENCHMARKS.md, "Plan"). The worker is a fresh interpreter (the ``spawn`` start method, the same on every
platform), so the work and its arguments must be picklable; the result and any error come back pickled, and an
error of the tool's own hierarchy is raised where the result is asked for, as it would be without the worker.

A fresh interpreter takes a quarter of a second to start (importing what the command imports), so a worker pays
off only for a large input: :func:`worth_a_worker` says so from the size of the file. Without a worker, or with
``TAK_GITOPS_NO_WORKER`` set, the work is done in the caller when the result is asked for. A worker that dies
without an answer (killed, out of memory) is not trusted: the work is done again in the caller.
"""

from __future__ import annotations

import multiprocessing
import os
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")

NO_WORKER_ENV = "TAK_GITOPS_NO_WORKER"
WORKER_FROM_BYTES = 4 << 20
"""Files smaller than this are read in the caller: they take less time to read than a worker takes to start."""


def worth_a_worker(path: Path) -> bool:
    """Whether reading ``path`` is worth a worker process (a file of at least :data:`WORKER_FROM_BYTES`)."""
    try:
        return path.stat().st_size >= WORKER_FROM_BYTES
    except OSError:
        return False  # the reader reports it, in the caller


def _shut(pool: ProcessPoolExecutor) -> None:
    """Finalizer of a result never asked for: cancel what has not started, wait for the worker to leave."""
    pool.shutdown(wait=True, cancel_futures=True)


class Background(Generic[T]):
    """The result of ``work``, computed in a worker process from the moment this object is made (unless
    ``worker`` is false or ``TAK_GITOPS_NO_WORKER`` is set: then in the caller, when the result is asked for)."""

    def __init__(self, work: Callable[[], T], *, worker: bool = True) -> None:
        self._work = work
        self._future: Future[T] | None = None
        self._finalizer: weakref.finalize[[ProcessPoolExecutor], Background[T]] | None = None
        if worker and not os.environ.get(NO_WORKER_ENV):
            pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            self._future = pool.submit(work)
            self._finalizer = weakref.finalize(self, _shut, pool)

    @property
    def in_worker(self) -> bool:
        """Whether a worker process was started for the work."""
        return self._future is not None

    def result(self) -> T:
        """The result (raising the work's error), waiting for the worker when it is still at work."""
        if self._future is None:
            return self._work()
        future, self._future = self._future, None
        try:
            return future.result()
        except BrokenProcessPool:
            return self._work()
        finally:
            assert self._finalizer is not None
            self._finalizer()

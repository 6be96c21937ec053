"""Work done in a forked child process while the parent goes on.

``plan`` reads the HSA file this way: parsing 60,000 units takes a core for a fifth of a second, and nothing
else depends on it until planning starts, so it overlaps reading the snapshot and the desired state. The child
sends its result back pickled over a pipe. An error of the tool's own hierarchy raised in the child is raised
again in the parent when the result is asked for, so errors surface where they would without the child.

Where ``os.fork`` does not exist, or ``TAK_GITOPS_NO_FORK`` is set, the work is done in the parent when the result
is asked for. A child that dies without an answer (killed, out of memory) is not trusted: the work is done
again in the parent.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

from tak_gitops.errors import TakGitopsError

T = TypeVar("T")


def _reap(pid: int, fd: int) -> None:
    """Finalizer of a result never asked for: stop the child and collect it."""
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.waitpid(pid, 0)
    with contextlib.suppress(OSError):
        os.close(fd)


class Background(Generic[T]):
    """The result of ``work``, computed in a child process from the moment this object is made."""

    def __init__(self, work: Callable[[], T]) -> None:
        self._work = work
        self._pid = 0
        self._fd = -1
        self._finalizer: weakref.finalize[[int, int], Background[T]] | None = None
        if hasattr(os, "fork") and not os.environ.get("TAK_GITOPS_NO_FORK"):
            self._start()

    def _start(self) -> None:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: compute, send, leave without running the parent's exit handlers
            code = 0
            try:
                os.close(read_end)
                try:
                    payload = pickle.dumps((True, self._work()), protocol=pickle.HIGHEST_PROTOCOL)
                except TakGitopsError as exc:
                    payload = pickle.dumps((False, exc), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_end, "wb") as out:
                    out.write(payload)
            except BaseException:  # noqa: BLE001 - the parent does the work again
                code = 1
            finally:
                os._exit(code)
        os.close(write_end)
        self._pid, self._fd = pid, read_end
        self._finalizer = weakref.finalize(self, _reap, pid, read_end)

    def result(self) -> T:
        """The result (raising the child's error), waiting for the child when it is still at work."""
        if not self._pid:
            return self._work()
        assert self._finalizer is not None
        self._finalizer.detach()
        with os.fdopen(self._fd, "rb") as pipe:
            data = pipe.read()
        _pid, status = os.waitpid(self._pid, 0)
        self._pid = 0
        if not data or os.waitstatus_to_exitcode(status) != 0:
            return self._work()
        ok, value = pickle.loads(data)
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

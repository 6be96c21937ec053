"""Side-by-side runs for the benchmarks: a process with another checkout's ``tak_gitops`` first on the path.

A baseline is a checkout of the code to compare with (``git worktree add DIR REV`` or
``git archive REV | tar -x -C DIR``). A process started with ``tree_env(DIR)`` imports that checkout's package
(``PYTHONPATH`` comes before the installed, editable package); ``check_tree`` proves it for each tree before
timing. Each timed run gives wall seconds and the CPU seconds (user + system) of the child process.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
"""This tree: the checkout the benchmark scripts belong to."""


def tree_env(tree: Path) -> dict[str, str]:
    """The environment of a process that imports ``tak_gitops`` from ``tree``."""
    return {**os.environ, "PYTHONPATH": str(tree)}


def check_tree(tree: Path) -> None:
    """Fail unless a process started with ``tree_env(tree)`` imports the package under ``tree``."""
    done = subprocess.run(
        [sys.executable, "-P", "-c", "import tak_gitops; print(tak_gitops.__file__)"],
        env=tree_env(tree), capture_output=True, text=True, check=True,
    )  # fmt: skip
    found = done.stdout.strip()
    if not found.startswith(str(tree) + os.sep):
        raise SystemExit(f"a process for {tree} imports {found}")


def timed_run(cmd: list[str], tree: Path) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Run ``cmd`` with ``tree``'s package: (wall seconds, CPU seconds of the child, the finished process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=tree_env(tree), capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu, done


def rounds(trees: dict[str, Path], runs: int) -> list[list[tuple[str, Path]]]:
    """The order of the trees in each of ``runs`` rounds: alternating, and which goes first alternates too."""
    pairs = list(trees.items())
    return [pairs if r % 2 == 0 else pairs[::-1] for r in range(runs)]


def spread(seconds: list[float]) -> str:
    return f"median {statistics.median(seconds):.3f} s (min {min(seconds):.3f}, max {max(seconds):.3f})"


def report(label: str, wall: dict[str, list[float]], cpu: dict[str, list[float]] | None = None) -> None:
    """Print each tree's median, min and max (wall, and CPU when given) and the ratio of the medians."""
    for name, seconds in wall.items():
        line = f"{label}, {name}: wall {spread(seconds)}"
        if cpu is not None:
            line += f"; cpu {spread(cpu[name])}"
        print(f"{line}; {len(seconds)} runs")
    (old, new) = (statistics.median(s) for s in wall.values())
    line = f"  {label}: this tree / baseline, wall medians {new / old:.3f}"
    if cpu is not None:
        (old_cpu, new_cpu) = (statistics.median(s) for s in cpu.values())
        line += f", cpu medians {new_cpu / old_cpu:.3f}"
    print(line)


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"

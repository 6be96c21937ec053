"""Benchmark: read a national-scale HSA cache file (``hsacache.xml``), side by side with bare parses, in one run.

Phases, run round-robin in this one process, best of ``--repeat`` rounds each:

* ``expat``: a bare ``xml.parsers.expat`` pass over the file (namespace processing as ElementTree sets it up,
  no handlers): the floor of any reader built on expat;
* ``expat-calls``: the same with no-op start, end and character-data handlers (``buffer_text``): the floor of a
  reader that sees each element in Python through expat handlers;
* ``iterparse``: a bare ``ET.iterparse`` pass (every element built, nothing read from it);
* ``reader``: ``read_hsa_files([file])`` -> tree, names, parents and digest;
* ``compare`` (with ``--compare FILE``): the same function from another version of ``hsafile.py``, e.g. from git:
  ``git show <rev>:tak_gitops/adapters/hsafile.py > .bench/hsafile_before.py``. Its result must be equal.

The cyclic garbage collector is paused during every phase (the reader pauses it itself). After the timed rounds,
each reader runs once more under ``tracemalloc`` for its peak of allocated memory (not timed).

Usage: ``python benchmarks/bench_hsa.py [--file hsacache.xml | --dir .bench/hsa] [--repeat 5] [--compare FILE]``;
without ``--file`` the file is generated as ``bench_plan.py`` generates it (60,000 units).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import sys
import time
import tracemalloc
import xml.etree.ElementTree as ET
import xml.parsers.expat
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_plan import generate_hsa  # noqa: E402

from tak_gitops.adapters.hsafile import read_hsa_files  # noqa: E402


def bare_expat(path: Path) -> None:
    parser = xml.parsers.expat.ParserCreate(namespace_separator="}")
    with open(path, "rb") as f:
        parser.ParseFile(f)


def expat_calls(path: Path) -> None:
    parser = xml.parsers.expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartElementHandler = lambda _tag, _attrs: None
    parser.EndElementHandler = lambda _tag: None
    parser.CharacterDataHandler = lambda _text: None
    with open(path, "rb") as f:
        parser.ParseFile(f)


def bare_iterparse(path: Path) -> None:
    for _event, _elem in ET.iterparse(path):
        pass


def load_reader(module_file: Path) -> Callable[[list[Path]], Any]:
    spec = importlib.util.spec_from_file_location("hsafile_compare", module_file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    reader: Callable[[list[Path]], Any] = module.read_hsa_files
    return reader


def summary(got: Any) -> tuple[object, ...]:
    tree = got.tree
    return dict(tree.parents), dict(tree.names), tree.digest, got.units, got.skipped


def peak_mib(run: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--file", type=Path, help="an hsacache.xml to read (default: generate one)")
    ap.add_argument("--dir", type=Path, default=Path(".bench/hsa"), help="where to generate the file")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--compare", type=Path, help="another version of tak_gitops/adapters/hsafile.py to time")
    args = ap.parse_args()
    path = args.file
    if path is None:
        args.dir.mkdir(parents=True, exist_ok=True)
        path = args.dir / "hsacache.xml"
        if not path.exists():
            generate_hsa(path)
    phases: dict[str, Callable[[], object]] = {
        "expat": lambda: bare_expat(path),
        "expat-calls": lambda: expat_calls(path),
        "iterparse": lambda: bare_iterparse(path),
        "reader": lambda: read_hsa_files([path]),
    }
    if args.compare:
        other = load_reader(args.compare)
        phases["compare"] = lambda: other([path])
        if summary(other([path])) != summary(read_hsa_files([path])):
            sys.exit("the two readers disagree")
    best = dict.fromkeys(phases, float("inf"))
    for _ in range(args.repeat):
        for name, run in phases.items():
            gc.disable()
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
            gc.enable()
            gc.collect()
    got = read_hsa_files([path])
    print(f"file: {path} ({path.stat().st_size / 2**20:.1f} MiB, {got.units} units), best of {args.repeat}")
    print(f"{'phase':<12} {'seconds':>8} {'/ reader':>9} {'peak MiB':>9}")
    for name, seconds in best.items():
        peak = f"{peak_mib(phases[name]):9.1f}" if name in ("reader", "compare") else f"{'':9}"
        print(f"{name:<12} {seconds:8.3f} {seconds / best['reader']:8.2f}x {peak}")


if __name__ == "__main__":
    main()

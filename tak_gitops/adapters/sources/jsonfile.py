"""Reading the JSON of current-TAK sources: whole files (gzip accepted, with an expansion cap) and large
arrays in pieces, with the garbage collector paused while the trees are built."""

from __future__ import annotations

import gc
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from tak_gitops.errors import SourceError

MAX_JSON_DEPTH = 1024
"""orjson's own nesting limit (it parses without recursing past it): deeper JSON is refused, not crashed on."""
FREEZE_AFTER_OBJECTS = 250_000
"""Objects a :func:`gc_paused` block must leave behind for them to be frozen (national-scale data, not a test's)."""


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building large acyclic structures (JSON trees, row tuples,
    document trees): at national scale its passes over the growing heap cost more than the building itself.

    When the block leaves more than :data:`FREEZE_AFTER_OBJECTS` new objects behind (a national-scale input),
    they are moved to the permanent generation (``gc.freeze``) as the collector resumes: they hold no
    reference cycles and are freed by reference counting as usual, but later collection passes no longer
    traverse them again and again (a few tenths of a second per plan)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_count()[0] > FREEZE_AFTER_OBJECTS:
            gc.freeze()
        if enabled:
            gc.enable()


MAX_EXPANDED_BYTES = 4 << 30
"""The most a gzip export may expand to, whatever its size."""
MAX_EXPANSION = 100
"""How many times its own size a gzip export may expand to (beyond :data:`FREE_EXPANSION_BYTES`): JSON
compresses ten to thirty times; a "gzip bomb" a thousand times and more."""
FREE_EXPANSION_BYTES = 64 << 20
_PIECE = 16 << 20


def gunzip(data: bytes, path: Path) -> bytes:
    """``data`` (one or more gzip members) decompressed, refusing once the output passes the expansion cap
    (decompressed piece by piece, so a bomb costs no more memory than the cap)."""
    limit = min(MAX_EXPANDED_BYTES, max(FREE_EXPANSION_BYTES, MAX_EXPANSION * len(data)))
    pieces: list[bytes] = []
    total = 0
    rest = data
    try:
        while rest:
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            chunk = inflater.decompress(rest, min(limit + 1 - total, _PIECE))
            while True:
                pieces.append(chunk)
                total += len(chunk)
                if total > limit:
                    raise SourceError(
                        f"the gzip file expands to more than {limit} bytes ({len(data)} bytes compressed); "
                        "a TAK export expands about ten to thirty times",
                        path=str(path),
                    )
                if inflater.eof or not inflater.unconsumed_tail:
                    break
                chunk = inflater.decompress(inflater.unconsumed_tail, min(limit + 1 - total, _PIECE))
            if not inflater.eof:
                raise EOFError("compressed file ended before the end-of-stream marker was reached")
            rest = inflater.unused_data
            if rest[:2] != b"\x1f\x8b":  # trailing zero padding is allowed, as gzip.decompress allows it
                if rest.strip(b"\x00"):
                    raise OSError("not a gzipped file after the first member")
                break
    except zlib.error as exc:
        raise SourceError(f"not a complete gzip file: {exc}", path=str(path)) from None
    except (OSError, EOFError) as exc:
        raise SourceError(f"not a complete gzip file: {exc}", path=str(path)) from None
    return pieces[0] if len(pieces) == 1 else b"".join(pieces)


def _read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}", path=str(path)) from None
    if data[:2] == b"\x1f\x8b":
        data = gunzip(data, path)
    if not data or data.isspace():  # (not data.strip(), without copying the file)
        raise SourceError("the file is empty", path=str(path))
    return data


def _parse(data: bytes, path: Path) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if exc.msg == "depth limit exceeded":
            raise SourceError(
                f"JSON nested more than {MAX_JSON_DEPTH} levels deep at line {exc.lineno} column {exc.colno}; "
                "a TAK export nests a few",
                path=str(path),
            ) from None
        raise SourceError(
            f"not valid JSON (truncated or corrupt?): {exc.msg} at line {exc.lineno} column {exc.colno}",
            path=str(path),
        ) from None


def load_json(path: Path) -> Any:
    """Parse one JSON file (gzip accepted) with orjson; a SourceError names the file, line and column."""
    return _parse(_read_bytes(path), path)


def list_of_objects(doc: Any, path: Path, what: str) -> list[dict[str, Any]]:
    """``doc`` itself when it is a JSON array; else a SourceError saying what was expected."""
    if not isinstance(doc, list):
        raise SourceError(f"expected a JSON array of {what}, found {type(doc).__name__}", path=str(path))
    return doc


_BETWEEN_OBJECTS = re.compile(rb"\}[ \t\r\n]*,[ \t\r\n]*\{")
"""Where one object of an array ends and the next begins, in any of JSON's white space."""
_WHITE_SPACE = re.compile(rb"[ \t\r\n]*")
_WHITE_SPACE_BYTES = b" \t\r\n"
"""JSON's white space."""

CHUNK_BYTES = 1 << 20
"""Large JSON arrays are parsed in pieces of about this size, so only one piece's tree is alive at a time. A
piece this small is read while its tree is still in the processor's cache: reading the serviceProductions and
cooperations of the national-scale export (benchmarks/national.py, json.dump's separators) took 1.47 s in
pieces of 8 MiB, 1.07 s in pieces of 1 MiB (0.5 MiB: 1.11 s; 2 MiB: 1.21 s; compact and pretty-printed alike)."""


def iter_array(path: Path, what: str, chunk_bytes: int | None = None) -> Iterator[tuple[int, list[Any]]]:
    """Yield ``(index of the first row, rows)`` pieces of the JSON array in ``path``.

    An array of objects is cut between two objects (``},{`` as the TAK-api sends it, ``}, {`` as ``json.dump``
    writes it, or with line breaks and indentation when pretty-printed) into pieces of about ``chunk_bytes``
    (default :data:`CHUNK_BYTES`), and each piece is parsed on its own; only the raw bytes and one piece's tree
    are held at a time. Anything else is parsed whole, and so is a file whose last character (white space
    aside) is not the ``]`` that closes the array.

    Exactness: the first piece begins at the first element, and a piece that parses ends where an element of
    the array ends, so the next piece begins at one too. A cut that falls inside a string (say a value holding
    ``}, {``) leaves the piece ending inside that string; one that falls between two objects nested in an
    element leaves it with a bracket unclosed: either way the piece does not parse, and the rest of the file
    is parsed whole. So the rows are those of a whole parse, and bad JSON is reported as a whole parse reports it.
    """
    chunk_bytes = chunk_bytes or CHUNK_BYTES
    data = _read_bytes(path)
    first = _WHITE_SPACE.match(data).end()  # type: ignore[union-attr]  # (it matches the empty string too)
    last = len(data) - 1
    while last > first and data[last] in _WHITE_SPACE_BYTES:
        last -= 1
    if len(data) <= 2 * chunk_bytes or data[first:first + 1] != b"[" or data[last:last + 1] != b"]":
        doc = list_of_objects(_parse(data, path), path, what)
        del data
        yield 0, doc
        return
    first += 1
    bounds: list[tuple[int, int]] = []
    start = first
    while True:
        cut = _BETWEEN_OBJECTS.search(data, start + chunk_bytes, last)
        if cut is None:
            bounds.append((start, last))
            break
        bounds.append((start, cut.start() + 1))
        start = cut.end() - 1
    offset = 0
    for a, b in bounds:
        try:
            part = orjson.loads(b"[" + data[a:b] + b"]")
        except orjson.JSONDecodeError:
            doc = list_of_objects(_parse(data, path), path, what)
            del data
            yield offset, doc[offset:]
            return
        yield offset, part
        offset += len(part)
        del part

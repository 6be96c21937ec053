"""The saved snapshot format: round trip, determinism, digest and format checks."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tak_gitops.adapters.snapshot_file import encode_snapshot, read_header, read_snapshot, write_snapshot
from tak_gitops.adapters.sources import read_source
from tak_gitops.core.canonical import digest
from tak_gitops.core.snapshot import Contract, Snapshot
from tak_gitops.errors import SourceError

from .conftest import EXAMPLES


def example() -> Snapshot:
    return read_source(EXAMPLES / "ntjp-prod", platform="NTJP", environment="PROD")


def test_round_trip_of_the_example(tmp_path: Path) -> None:
    snap = example()
    write_snapshot(tmp_path / "s.json", snap)
    back = read_snapshot(tmp_path / "s.json")
    assert back == snap
    assert back.digest == snap.digest == Snapshot(**{f: getattr(back, f) for f in (
        "platform", "environment", "snapshot_time", "source", "routings", "authorizations", "logical_addresses",
        "systems", "contracts")}).digest


def test_layout_is_a_string_table_and_flat_index_rows() -> None:
    snap = Snapshot.build(
        platform="NTJP", environment="PROD", snapshot_time="2026-11-20T02:31:07+0100", source="tak-api",
        routings=[(("se1-b", "urn:x:1"), ("se1-p", "https://p/1", "RIVTABP21"))],
        authorizations=[("SE1-C", "*", "urn:x:1"), ("SE1-C", "SE1-B", "urn:x:1")],
        logical_addresses={"SE1-B": "B"}, systems={"SE1-P": "P"}, contracts=[Contract("urn:x:1", "X", 1)],
    )
    doc = orjson.loads(encode_snapshot(snap))
    file_digest = doc["file_digest"]
    assert list(doc)[6:9] == ["digest", "file_digest", "counts"]
    assert file_digest == digest({k: v for k, v in doc.items() if k != "file_digest"})
    assert doc == {
        "format": "tak-gitops-snapshot", "version": 2, "platform": "NTJP", "environment": "PROD",
        "snapshot_time": "2026-11-20T02:31:07+0100", "source": "tak-api", "digest": snap.digest,
        "file_digest": file_digest,
        "counts": {"routings": 1, "authorizations": 2, "logical_addresses": 1, "systems": 1, "contracts": 1},
        "strings": ["*", "B", "P", "RIVTABP21", "SE1-B", "SE1-C", "SE1-P", "X", "https://p/1", "urn:x:1"],
        "routings": [4, 9, 6, 8, 3],
        "authorizations": [5, 0, 9, 5, 4, 9],
        "logical_addresses": [4, 1],
        "systems": [6, 2],
        "contracts": [9, 7, 1, 0],
    }


def test_writing_is_deterministic_whatever_the_insertion_order(tmp_path: Path) -> None:
    snap = example()
    shuffled = Snapshot(
        platform=snap.platform, environment=snap.environment, snapshot_time=snap.snapshot_time, source=snap.source,
        routings=dict(reversed(list(snap.routings.items()))), authorizations=frozenset(reversed(sorted(
            snap.authorizations))), logical_addresses=dict(reversed(list(snap.logical_addresses.items()))),
        systems=dict(reversed(list(snap.systems.items()))), contracts=dict(reversed(list(snap.contracts.items()))),
    )
    assert encode_snapshot(snap) == encode_snapshot(shuffled)
    write_snapshot(tmp_path / "a.json", snap)
    write_snapshot(tmp_path / "b.json", shuffled)
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp files left


def test_header() -> None:
    h = read_header(EXAMPLES / "ntjp-prod.snapshot.json")
    assert h["counts"] == {"routings": 23, "authorizations": 16, "logical_addresses": 17, "systems": 6,
                           "contracts": 10}
    assert (h["format"], h["version"], h["platform"], h["environment"]) == ("tak-gitops-snapshot", 2, "NTJP", "PROD")


def _edited(tmp_path: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    doc = json.loads((EXAMPLES / "ntjp-prod.snapshot.json").read_text(encoding="utf-8"))
    edit(doc)
    p = tmp_path / "s.json"
    p.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return p


def test_digest_mismatch_is_a_source_error(tmp_path: Path) -> None:
    def edit(doc: dict) -> None:  # type: ignore[type-arg]
        i = doc["strings"].index("https://cosmic.ltkronoberg.se/remiss/ProcessRequest/1/rivtabp21")
        doc["strings"][i] = "https://cosmic.ltkronoberg.se/remiss/ProcessRequest/1/rivtabp21x"
    p = _edited(tmp_path, edit)
    with pytest.raises(SourceError) as exc:
        read_snapshot(p)
    assert str(exc.value).startswith(f"{p}: snapshot digest mismatch: the file records sha256:")
    assert str(exc.value).endswith("(edited or damaged); fetch it again")


@pytest.mark.parametrize("edit", [
    lambda d: d.update(digest="sha256:" + "0" * 64),  # the recorded content digest alone
    lambda d: d["systems"].__setitem__(1, d["systems"][3]),  # another description, rows still canonical
    lambda d: d.update(snapshot_time="2026-11-21T02:31:07+0100"),
    lambda d: d["counts"].update(routings=24),
])
def test_any_edit_fails_the_file_digest(tmp_path: Path, edit) -> None:  # type: ignore[no-untyped-def]
    recorded = read_header(EXAMPLES / "ntjp-prod.snapshot.json")["file_digest"]
    p = _edited(tmp_path, edit)
    with pytest.raises(SourceError) as exc:
        read_snapshot(p)
    assert str(exc.value).startswith(f"{p}: snapshot digest mismatch: the file records {recorded} but its content "
                                     "hashes to sha256:")
    assert str(exc.value).endswith("(edited or damaged); fetch it again")


def test_the_loaded_digest_is_the_content_digest() -> None:
    back = read_snapshot(EXAMPLES / "ntjp-prod.snapshot.json")
    assert back.digest == digest(back.content()) == example().digest


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d.update(format="other"), "not a snapshot file: 'format' is not 'tak-gitops-snapshot'"),
    (lambda d: d.update(version=1), "snapshot format version 1 is not supported (expected 2); fetch it again"),
    (lambda d: d["routings"].append(0), "'routings' must be a flat array of 5-integer rows"),
    (lambda d: d["authorizations"].extend([999999, 0, 0]),
     "'authorizations' refers to a string index outside the string table"),
    (lambda d: d["routings"].__setitem__(3, len(d["strings"])),
     "'routings' refers to a string index outside the string table"),
    (lambda d: d["routings"].__setitem__(1, -1), "'routings' refers to a string index outside the string table"),
    (lambda d: d["systems"].__setitem__(1, len(d["strings"])),
     "'systems' refers to a string index outside the string table"),
    (lambda d: d.update(authorizations=d["authorizations"][3:] + d["authorizations"][:3]),
     "'authorizations' rows are not in canonical (sorted, unique) order"),
    (lambda d: d["strings"].reverse(), "'strings' is not sorted and unique"),
    (lambda d: d.pop("systems"), "damaged snapshot file: KeyError: 'systems'"),
    (lambda d: d.pop("file_digest"), "damaged snapshot file: KeyError: 'file_digest'"),
])
def test_damaged_files(tmp_path: Path, edit, message: str) -> None:  # type: ignore[no-untyped-def]
    p = _edited(tmp_path, edit)
    with pytest.raises(SourceError) as exc:
        read_snapshot(p)
    assert str(exc.value) == f"{p}: {message}"


hsa = st.from_regex(r"\A(SE[0-9]{4}-[A-Za-z0-9]{1,4}|\*)\Z")
ns = st.sampled_from(["urn:riv:a:AResponder:1", "urn:riv:b:BResponder:2", "urn:riv:c:CResponder:1"])
text = st.text(max_size=12)


@given(
    routings=st.lists(st.tuples(st.tuples(hsa, ns), st.tuples(hsa, text, st.sampled_from(["RIVTABP20", "RIVTABP21"]))),
                      max_size=15),
    auths=st.lists(st.tuples(hsa, hsa, ns), max_size=15),
    las=st.dictionaries(hsa, text, max_size=5),
    contracts=st.lists(st.builds(Contract, ns, text, st.integers(0, 9), st.integers(0, 9)), max_size=3),
    time=st.none() | st.just("2026-11-20T02:31:07+0100"),
)
def test_round_trip_property(routings, auths, las, contracts, time) -> None:  # type: ignore[no-untyped-def]
    import tempfile

    snap = Snapshot.build(platform="NTJP", environment="QA", snapshot_time=time, source="sim", routings=routings,
                          authorizations=auths, logical_addresses=las, systems=las, contracts=contracts)
    with tempfile.TemporaryDirectory() as d:
        write_snapshot(Path(d) / "s.json", snap)
        back = read_snapshot(Path(d) / "s.json")
        assert back == snap
        assert back.digest == snap.digest
        assert encode_snapshot(back) == (Path(d) / "s.json").read_bytes()
        # the rows for scans: every authorization once, in the file's (sorted) order
        assert list(back.authorization_rows) == sorted(snap.authorizations)
        assert sorted(snap.authorization_rows) == sorted(snap.authorizations)


def test_header_of_something_else(tmp_path: Path) -> None:
    p = tmp_path / "x.json"
    p.write_text("[1, 2]")
    with pytest.raises(SourceError) as exc:
        read_header(p)
    assert str(exc.value) == f"{p}: not a snapshot file: 'format' is not 'tak-gitops-snapshot'"


def test_digest_computed_while_writing_equals_the_content_digest(tmp_path: Path) -> None:
    fresh = read_source(EXAMPLES / "ntjp-prod", platform="NTJP", environment="PROD")
    assert "digest" not in fresh.__dict__
    write_snapshot(tmp_path / "s.json", fresh)
    written = fresh.__dict__["digest"]
    del fresh.__dict__["digest"]
    assert written == fresh.digest  # recomputed from Snapshot.content()


def _reference_encoding(snapshot: Snapshot) -> bytes:
    """The file as the writer wrote it before it skipped sorting rows already in order: every row mapped to
    string indexes and the index rows sorted."""
    table = sorted({s for k, v in snapshot.routings.items() for s in (*k, *v)}
                   | {s for row in snapshot.authorizations for s in row}
                   | {s for row in (*snapshot.logical_addresses.items(), *snapshot.systems.items()) for s in row}
                   | {s for c in snapshot.contracts.values() for s in (c.namespace, c.description)})
    ix = {s: i for i, s in enumerate(table)}
    rows = {
        "routings": sorted(tuple(ix[s] for s in (*k, *v)) for k, v in snapshot.routings.items()),
        "authorizations": sorted(tuple(ix[s] for s in row) for row in snapshot.authorizations),
        "logical_addresses": sorted((ix[k], ix[v]) for k, v in snapshot.logical_addresses.items()),
        "systems": sorted((ix[k], ix[v]) for k, v in snapshot.systems.items()),
        "contracts": sorted((ix[c.namespace], ix[c.description], c.major, c.minor)
                            for c in snapshot.contracts.values()),
    }
    head = {"format": "tak-gitops-snapshot", "version": 2, "platform": snapshot.platform,
            "environment": snapshot.environment, "snapshot_time": snapshot.snapshot_time, "source": snapshot.source,
            "digest": digest(snapshot.content())}
    body = {"counts": {k: len(v) for k, v in rows.items()}, "strings": table,
            **{k: [i for row in v for i in row] for k, v in rows.items()}}
    return orjson.dumps({**head, "file_digest": digest({**head, **body}), **body}) + b"\n"


@given(
    routings=st.dictionaries(st.tuples(hsa, ns), st.tuples(hsa, text, st.sampled_from(["RIVTABP20", "RIVTABP21"])),
                             max_size=12),
    auths=st.lists(st.tuples(hsa, hsa, ns), max_size=12, unique=True),
    las=st.dictionaries(hsa, text, max_size=5),
    contracts=st.dictionaries(ns, st.tuples(text, st.integers(0, 9), st.integers(0, 9)), max_size=4),
    order=st.sampled_from(["as drawn", "sorted", "reversed"]),
)
def test_rows_in_any_order_are_written_as_before(routings, auths, las, contracts, order) -> None:  # type: ignore[no-untyped-def]
    """The writer sorts only rows that are not in order yet: sorted, reversed or drawn in any order, the rows
    (the authorizations in the order a reader made them) give the same bytes as sorting every row."""
    def arranged(items):  # type: ignore[no-untyped-def]
        items = list(items)
        return {"as drawn": items, "sorted": sorted(items), "reversed": sorted(items, reverse=True)}[order]

    snap = Snapshot(
        platform="NTJP", environment="QA", snapshot_time=None, source="sim",
        routings=dict(arranged(routings.items())), authorizations=frozenset(auths),
        logical_addresses=dict(arranged(las.items())), systems=dict(arranged(las.items())),
        contracts={n: Contract(n, d, major, minor) for n, (d, major, minor) in arranged(contracts.items())},
    )
    snap.__dict__["authorization_rows"] = tuple(arranged(auths))
    assert encode_snapshot(snap) == _reference_encoding(snap)
    assert snap.__dict__["digest"] == digest(snap.content())

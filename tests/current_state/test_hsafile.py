"""The HSA cache file reader builds the tree as the routing engine does."""

from __future__ import annotations

from pathlib import Path

from tak_gitops.adapters.hsafile import read_hsa_file, read_hsa_files, split_dn

from .conftest import EXAMPLES
from .test_bad_inputs import hsa_file, unit


def test_example_tree() -> None:
    got = read_hsa_files([EXAMPLES / "hsa" / "hsacache.xml"])
    tree = got.tree
    assert (got.units, got.skipped) == (17, 0)
    assert tree.parent("SE2321000032-4KMV") == "SE2321000032-4KMU"
    assert tree.parent("SE2321000032-4KMU") == "SE2321000032-4KMT"
    assert tree.parent("SE2321000032-4KMT") == "SE"
    assert tree.parent("SE2321000032-4CVG") == "SE2321000032-4KMN"
    assert tree.parent("SE162321000156-4HVT") == "SE162321000156-0001"
    assert tree.parent("SE162321000024-0050137") == "SE"  # not in the file
    assert list(tree.descendants("SE2321000032-4KMT")) == ["SE2321000032-4KMU", "SE2321000032-4KMV"]
    assert tree.names["SE2321000032-4KMV"] == "Vår VC Katrineholm BVC"
    assert tree.digest is not None and tree.digest.startswith("sha256:")
    assert tree.source == str(EXAMPLES / "hsa" / "hsacache.xml")


def test_parent_is_the_nearest_dn_ancestor_in_the_file(tmp_path: Path) -> None:
    p = hsa_file(
        tmp_path,
        unit("SE1-VG", "o=Region,l=Län,c=SE", "Region"),
        # ou=Primärvård is not a unit in the file: skipped over
        unit("se1-ve", "ou=VC Exempel,ou=Primärvård,o=Region,l=Län,c=SE", "VC Exempel"),
        unit("SE1-X", "ou=X,o=Other,c=SE", "X"),
        unit("SE1-ESC", r"ou=A\, B,o=Region,l=Län,c=SE", "A, B"),
        unit("SE1-SP", "OU = Child , ou=A\\, B,o=Region,l=Län,c=SE", "Child"),
    )
    tree = read_hsa_file(p)
    assert dict(tree.parents) == {"SE1-VG": "SE", "SE1-VE": "SE1-VG", "SE1-X": "SE", "SE1-ESC": "SE1-VG",
                                  "SE1-SP": "SE1-ESC"}


def test_split_dn() -> None:
    assert split_dn(r"ou=A\, B , O=Region,c=SE") == [r"ou=a\, b", "o=region", "c=se"]


def test_digest_depends_on_content_not_on_order(tmp_path: Path) -> None:
    a = unit("SE1-A", "o=A,c=SE", "A")
    b = unit("SE1-B", "ou=B,o=A,c=SE", "B")
    (tmp_path / "1").mkdir()
    (tmp_path / "2").mkdir()
    t1 = read_hsa_file(hsa_file(tmp_path / "1", a, b))
    t2 = read_hsa_file(hsa_file(tmp_path / "2", b, a))
    assert t1.digest == t2.digest
    assert t1.parents == t2.parents


def test_several_files_build_one_tree(tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()
    (tmp_path / "m").mkdir()
    root = hsa_file(tmp_path / "c", unit("SE", "c=SE", "Sverige"))
    main = hsa_file(tmp_path / "m", unit("SE1-A", "o=A,c=SE", "A"))
    got = read_hsa_files([root, main])
    assert dict(got.tree.parents) == {"SE1-A": "SE"}
    assert got.units == 2

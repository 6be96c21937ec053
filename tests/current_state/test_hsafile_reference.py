"""The HSA file reader gives what a plain ElementTree reader gives: the same tree, digest, counts and errors."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tak_gitops.adapters import hsafile
from tak_gitops.adapters.hsafile import NS, read_hsa_files, split_dn
from tak_gitops.core.canonical import digest
from tak_gitops.errors import SourceError

from .test_bad_inputs import HSA_HEAD

UNIT, ID, DN, NAME = (f"{{{NS}}}{tag}" for tag in ("hsaUnit", "hsaIdentity", "DN", "name"))


def reference(paths: list[Path]) -> tuple[dict[str, str], dict[str, str], str, int, int]:
    """The reader written plainly: ``ET.iterparse``, ``findtext`` on each ``hsaUnit``, parents by walking up
    each unit's DN."""
    by_dn: dict[tuple[str, ...], str] = {}
    dns: dict[str, tuple[str, ...]] = {}
    names: dict[str, str] = {}
    first_seen: dict[str, str] = {}
    units = skipped = 0
    for path in paths:
        index = -1
        try:
            for _event, elem in ET.iterparse(path):
                if elem.tag != UNIT:
                    continue
                units += 1
                index += 1
                hsa_id = (elem.findtext(ID) or "").strip().upper()
                dn = (elem.findtext(DN) or "").strip()
                name = (elem.findtext(NAME) or "").strip()
                elem.clear()
                if not hsa_id or not dn or not name:
                    skipped += 1
                    continue
                if hsa_id in first_seen:
                    raise SourceError(
                        f"hsaIdentity {hsa_id} occurs twice (also {first_seen[hsa_id]}; HSA-ids are compared "
                        "case-insensitively)", path=str(path), row=f"hsaUnit[{index}]",
                    )
                first_seen[hsa_id] = f"{path}: hsaUnit[{index}]"
                key = tuple(split_dn(dn))
                by_dn[key] = hsa_id
                dns[hsa_id] = key
                names[hsa_id] = name
            if index < 0:
                raise SourceError(f"no hsaUnit elements in namespace {NS}: not an HSA cache file", path=str(path))
        except ET.ParseError as exc:
            line, col = exc.position
            reason = re.sub(r": line \d+, column \d+$", "", str(exc))
            raise SourceError(f"not valid XML at line {line} column {col + 1}: {reason}", path=str(path)) from None
    parents = {}
    for hsa_id, key in dns.items():
        if hsa_id != "SE":
            ancestors = (by_dn.get(key[cut:]) for cut in range(1, len(key)))
            parents[hsa_id] = next((a for a in ancestors if a is not None and a != hsa_id), "SE")
    content = sorted((k, parents.get(k, ""), names[k]) for k in dns)
    return parents, names, digest(content), units, skipped


def reader_outcome(paths: list[Path]) -> object:
    try:
        got = read_hsa_files(paths)
    except SourceError as exc:
        return str(exc)
    return dict(got.tree.parents), dict(got.tree.names), got.tree.digest, got.units, got.skipped


def reference_outcome(paths: list[Path]) -> object:
    try:
        return reference(paths)
    except SourceError as exc:
        return str(exc)


# ------------------------------------------------------------------------------------------- generated files

# DNs along the paths of one small tree, so that units find each other as parents, spelled with varying case
# and spaces; and some odd ones
LEVELS = (["c=SE"], ["o=A", "o=B", r"o=A\, B", "l=Län"], ["ou=X", "OU=x", "ou=Straße", "ou=Y"], ["ou=Z", "cn=W"])


@st.composite
def tree_dn(draw: st.DrawFn) -> str:
    rdns = [draw(st.sampled_from(level)) for level in LEVELS[: draw(st.integers(1, len(LEVELS)))]]
    spelled = [draw(st.sampled_from([r, r, r.upper(), r.lower(), r.replace("=", " = "), f" {r}\t"])) for r in rdns]
    return ",".join(reversed(spelled))


DNS = st.one_of(
    tree_dn(), tree_dn(),
    st.sampled_from(["c=SE", "ou=A,,c=SE", "ou", "ou=a\\", "ou=a\\ ,c=SE", "x=y=z,c=SE", "ou=ß,c=SE", "OU=SS,c=SE"]),
    st.just(""),
)
IDS = st.one_of(
    st.integers(0, 60).map(lambda n: f"SE1-{n:X}"),
    st.sampled_from(["SE", "se", "se1-a", " SE1-É ", "SE1-é", ""]),
)
NAMES = st.sampled_from(["A", " B ", "Vår VC", "C & D", "<E>", "F ]]> G", "\tH\n", ""])


def xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@st.composite
def field_text(draw: st.DrawFn, text: str) -> str:
    """``text`` as XML content, written one of the ways the parser must read back to the same string."""
    how = draw(st.sampled_from(["plain", "cdata", "refs", "comment", "child", "padded"]))
    cut = draw(st.integers(0, len(text)))
    if how == "cdata" and "]]>" not in text:
        return f"<![CDATA[{text}]]>"
    if how == "refs":
        return "".join(f"&#{ord(c)};" if c in ",=" else "&#x41;" if c == "A" else xml_escape(c) for c in text)
    if how == "comment":
        return xml_escape(text[:cut]) + "<!-- x -->" + xml_escape(text[cut:])
    if how == "child":  # the text after the first child element is not the field's text
        return xml_escape(text[:cut]) + "<b>inner</b>" + xml_escape(text[cut:])
    if how == "padded":
        return f" \n\t{xml_escape(text)}\r\n "
    return xml_escape(text)


@st.composite
def unit_xml(draw: st.DrawFn) -> str:
    fields = []
    for tag, values in (("hsaIdentity", IDS), ("DN", DNS), ("name", NAMES)):
        for _ in range(draw(st.sampled_from([1, 1, 1, 1, 1, 0, 2]))):  # missing, once, or twice (the first counts)
            text = draw(values)
            fields.append(f"<{tag}/>" if text == "" and draw(st.booleans()) else
                          f"<{tag}>{draw(field_text(text))}</{tag}>")
    nested = f"<hsaUnit><hsaIdentity>{draw(IDS)}</hsaIdentity><DN>ou=N,o=A,c=SE</DN><name>N</name></hsaUnit>"
    noise = [draw(st.sampled_from([
        '<o:DN xmlns:o="urn:other">ou=Other,c=SE</o:DN>',  # a DN in another namespace is not the unit's DN
        "<wrap><hsaIdentity>SE1-W</hsaIdentity></wrap>",  # nor is one below another element
        nested,  # a unit inside a unit is a unit of its own
        "<!-- comment -->",
        "text",
    ])) for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2])))]
    parts = draw(st.permutations(fields + noise))
    tag = draw(st.sampled_from(["hsaUnit"] * 6 + ["h:hsaUnit", "o:hsaUnit", "hsaunit"]))
    return f"<{tag}>{''.join(parts)}</{tag}>"


@st.composite
def hsa_document(draw: st.DrawFn) -> bytes:
    units = draw(st.lists(unit_xml(), max_size=8))
    body = ""
    for u in units:
        body += draw(st.sampled_from(["", "\n", "\n  ", "<group>", "</group>", "<x/>"])) + u
    body = _balance(body)
    encoding = draw(st.sampled_from(["UTF-8", "ISO-8859-1"]))
    head = HSA_HEAD.replace("UTF-8", encoding).replace('">', '" xmlns:h="urn:riv:hsa:HsaWsResponder:3" '
                                                           'xmlns:o="urn:other">', 1)
    text = f"{head}<startDate>2026-11-20</startDate><hsaUnits>{body}</hsaUnits></FileGetHsaUnitsResponse>\n"
    data = text.encode(encoding)
    damage = draw(st.sampled_from(["none"] * 4 + ["cut", "insert"]))
    at = draw(st.integers(0, len(data)))
    if damage == "cut":
        data = data[:at]
    elif damage == "insert":
        bad = draw(st.sampled_from([b"<", b"&", b"&nosuch;", b"</x>", b"\x01", b"<a b>", b"\xff", b"]]>"]))
        data = data[:at] + bad + data[at:]
    return data


def _balance(body: str) -> str:
    """Drop ``</group>`` tags that close nothing and close the groups left open, so the document is well formed."""
    depth = 0
    out = []
    for piece in re.split(r"(<group>|</group>)", body):
        if piece == "</group>":
            if depth == 0:
                continue
            depth -= 1
        elif piece == "<group>":
            depth += 1
        out.append(piece)
    return "".join(out) + "</group>" * depth


@given(docs=st.lists(hsa_document(), min_size=1, max_size=2), chunk=st.sampled_from([1, 7, 100, 1 << 16]))
def test_the_reader_agrees_with_a_plain_elementtree_reader(tmp_path_factory: pytest.TempPathFactory,
                                                           docs: list[bytes], chunk: int) -> None:
    folder = tmp_path_factory.mktemp("hsa")
    paths = []
    for i, data in enumerate(docs):
        paths.append(folder / f"hsacache{i}.xml")
        paths[-1].write_bytes(data)
    with mock.patch.object(hsafile, "_CHUNK", chunk):  # pieces fed to the parser cut anywhere
        assert reader_outcome(paths) == reference_outcome(paths)


# ------------------------------------------------------------------------------------------- cases spelled out


def write(tmp: Path, body: str, head: str = HSA_HEAD) -> Path:
    p = tmp / "hsacache.xml"
    p.write_text(f"{head}<hsaUnits>{body}</hsaUnits></FileGetHsaUnitsResponse>\n", encoding="utf-8")
    return p


def test_units_anywhere_fields_only_as_direct_children(tmp_path: Path) -> None:
    p = write(tmp_path, (
        "<group><hsaUnit><hsaIdentity> se1-a </hsaIdentity><DN>O = A , C=SE</DN><name>A<b>x</b>y</name>"
        "<hsaUnit><hsaIdentity>SE1-B</hsaIdentity><DN>ou=b,o=a,c=se</DN><name><![CDATA[B & <b>]]></name></hsaUnit>"
        "</hsaUnit></group>"
        '<o:hsaUnit xmlns:o="urn:other"><hsaIdentity>SE1-C</hsaIdentity><DN>o=C,c=SE</DN><name>C</name></o:hsaUnit>'
        "<hsaUnit><wrap><hsaIdentity>SE1-D</hsaIdentity></wrap><DN>o=D,c=SE</DN><name>D</name></hsaUnit>"
    ))
    got = read_hsa_files([p])
    assert (got.units, got.skipped) == (3, 1)
    assert dict(got.tree.parents) == {"SE1-A": "SE", "SE1-B": "SE1-A"}
    assert dict(got.tree.names) == {"SE1-A": "A", "SE1-B": "B & <b>"}
    assert got.tree.digest == digest([["SE1-A", "SE", "A"], ["SE1-B", "SE1-A", "B & <b>"]])


def test_an_entity_the_parser_cannot_expand_is_the_same_error(tmp_path: Path) -> None:
    head = HSA_HEAD.replace("\n", '\n<!DOCTYPE FileGetHsaUnitsResponse SYSTEM "hsa.dtd">\n')
    p = write(tmp_path, "<hsaUnit><hsaIdentity>SE1-A&x;</hsaIdentity></hsaUnit>", head=head)
    with pytest.raises(SourceError) as exc:
        read_hsa_files([p])
    assert str(exc.value) == f"{p}: not valid XML at line 3 column 100: undefined entity &x;"
    assert reference_outcome([p]) == str(exc.value)


def test_a_duplicate_before_bad_xml_is_reported_first(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    first = write(tmp_path / "a", "<hsaUnit><hsaIdentity>x</hsaIdentity></hsaUnit>"
                                  "<hsaUnit><hsaIdentity>SE1-A</hsaIdentity><DN>o=A,c=SE</DN><name>A</name></hsaUnit>")
    second = tmp_path / "b.xml"
    second.write_text(HSA_HEAD + "<hsaUnit><hsaIdentity>se1-a</hsaIdentity><DN>o=B,c=SE</DN><name>B</name>"
                      "</hsaUnit><hsaUnit>&bad;", encoding="utf-8")
    with pytest.raises(SourceError) as exc:
        read_hsa_files([first, second])
    assert str(exc.value) == (f"{second}: hsaUnit[0]: hsaIdentity SE1-A occurs twice (also {first}: hsaUnit[1]; "
                              "HSA-ids are compared case-insensitively)")


def test_a_very_deep_dn(tmp_path: Path) -> None:
    top = ",".join(f"ou=L{i}" for i in range(3000)) + ",c=SE"
    p = write(tmp_path, f"<hsaUnit><hsaIdentity>SE1-A</hsaIdentity><DN>{top}</DN><name>A</name></hsaUnit>"
                        f"<hsaUnit><hsaIdentity>SE1-B</hsaIdentity><DN>ou=B,{top.upper()}</DN><name>B</name></hsaUnit>")
    got = read_hsa_files([p])
    assert dict(got.tree.parents) == {"SE1-A": "SE", "SE1-B": "SE1-A"}
    assert reader_outcome([p]) == reference_outcome([p])

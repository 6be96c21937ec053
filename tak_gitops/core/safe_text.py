"""What text read from a pull request may hold, and foreign text made harmless for a terminal, a markdown
comment and a GitHub annotation (desired files, a TAK, an HSA file and remote answers are all foreign)."""

from __future__ import annotations

import re
from collections.abc import Iterator

_BIDI = "\u202a-\u202e\u2066-\u2069"
CONTROL_IN_YAML = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]")
"""Characters refused anywhere in a YAML file's text: C0 except tab and line breaks, DEL, C1, bidi controls."""
CONTROL_IN_VALUE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
"""Characters refused in a text value (what a double-quoted escape can produce): tab and newline are text."""
CONTROL_IN_CSV = re.compile(f"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]|\r(?!\n)")
"""Characters refused in a CSV set: tab too; a carriage return only as part of a CRLF line end."""
_CSV_CHARS = re.compile(f"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]")
_LONE_CR = re.compile("\r(?!\n)")


def csv_controls_possible(text: str) -> bool:
    """True when :data:`CONTROL_IN_CSV` may find something in ``text`` (two searches that scan fast, where the
    pattern with its look-ahead would step through every character)."""
    return _CSV_CHARS.search(text) is not None or ("\r" in text and _LONE_CR.search(text) is not None)


_TERMINAL_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
_MARKDOWN_SPECIAL = re.compile(r"[\\|\[\]<]|@|\r\n|\r|\n|^\s*(?:[#>+*-]|[0-9]+\.)")
"""What gives inline markdown a meaning the text did not mean: table cells, links written as markdown, HTML,
mentions, line breaks, and block markers at the start. A bare URL stays one (a routing's URL is meant)."""
_CODE_SPAN = re.compile(r"(`[^`\n]*`)")
"""A code span: nothing in it is rendered (a mention, link or tag in it stays text), but a pipe still ends a
table cell."""
_ZWSP = "\u200b"


def describe(char: str) -> str:
    """How a refused character is named in a message."""
    what = "bidirectional control" if "\u202a" <= char <= "\u2069" else "control character"
    return f"{what} U+{ord(char):04X}"


def find_controls(text: str, pattern: re.Pattern[str]) -> Iterator[tuple[int, int, str]]:
    """``(line, column, character)`` (1-based, lines split on ``\\n``) of each character of ``text`` that
    ``pattern`` refuses, in order."""
    for match in pattern.finditer(text):
        start = match.start()
        line_start = text.rfind("\n", 0, start) + 1
        yield text.count("\n", 0, start) + 1, start - line_start + 1, match.group()[0]


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def for_terminal(text: str) -> str:
    """``text`` with every control character (tab and newline excepted) and bidi control written as a visible
    escape (``\\x1b``, ``\\u202e``): nothing a terminal would act on."""
    return _TERMINAL_UNSAFE.sub(_escape_char, text)


def _markdown_char(match: re.Match[str]) -> str:
    found = match.group()
    if found in ("\r\n", "\r", "\n"):
        return " "  # a line break would end a table row or start a block
    if found == "@":
        return "@" + _ZWSP  # no mention
    if found == "<":
        return "&lt;"  # no HTML
    stripped = found.lstrip()
    return found[: len(found) - len(stripped)] + stripped[:-1] + "\\" + stripped[-1]


def for_markdown(text: str) -> str:
    """``text`` as literal markdown inline text: control characters escaped as for a terminal, and no
    ``@mention``, link, autolink, HTML or table cell break the text did not mean; one line. Code spans stay
    code spans (the messages quote YAML in them)."""
    parts = _CODE_SPAN.split(for_terminal(text))
    return "".join(
        part.replace("|", "\\|") if i % 2 else _MARKDOWN_SPECIAL.sub(_markdown_char, part)
        for i, part in enumerate(parts)
    )


def for_code_span(text: str) -> str:
    """``text`` inside a markdown code span (nothing in it is rendered): controls escaped, one line, and a
    backtick or table pipe (which would end the span or the cell) replaced by a look-alike."""
    cleaned = for_terminal(text).replace("\r", " ").replace("\n", " ")
    return cleaned.replace("`", "\u02cb").replace("|", "\u2223")


def for_annotation(text: str) -> str:
    """``text`` as the message of a GitHub workflow command (``::error ...::message``): controls escaped, and
    ``%``, CR and LF encoded as the runner expects."""
    return for_terminal(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def for_annotation_property(text: str) -> str:
    """``text`` as a property value of a workflow command (``file=``, ``title=``): as :func:`for_annotation`,
    and ``:`` and ``,`` encoded too."""
    return for_annotation(text).replace(":", "%3A").replace(",", "%2C")

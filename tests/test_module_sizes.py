"""The package stays in rooms a reader can hold: no module over 400 lines, no class over 200."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "tak_gitops"
MAX_MODULE_LINES = 400
MAX_CLASS_LINES = 200


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "_bundle" not in p.parts)


def test_no_module_over_400_lines() -> None:
    too_long = {
        str(p.relative_to(PACKAGE)): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}


def test_no_class_over_200_lines() -> None:
    too_long: dict[str, int] = {}
    for p in _modules():
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_CLASS_LINES:
                    too_long[f"{p.relative_to(PACKAGE)}:{node.name}"] = lines
    assert too_long == {}


def test_the_walk_sees_the_package() -> None:
    names = {str(p.relative_to(PACKAGE)) for p in _modules()}
    assert {"errors.py", "core/hsa.py", "cli/__init__.py"} <= names

"""The bundled example built into a site once per test session, and a link checker over its pages."""

from __future__ import annotations

import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-11-21T09:00:00+01:00"


def build_example(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "tak_gitops",
            "site",
            "--env",
            "NTJP-PROD",
            "--export",
            "examples/ntjp-prod",
            "--hsa",
            "examples/hsa/hsacache.xml",
            "--allow-stale",
            "--now",
            NOW,
            "-o",
            str(out),
            *extra,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site with the example's plan (the plan written by `tak-gitops plan --out`)."""
    tmp = tmp_path_factory.mktemp("site")
    plan = tmp / "plan.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tak_gitops",
            "plan",
            "--env",
            "NTJP-PROD",
            "--export",
            "examples/ntjp-prod",
            "--hsa",
            "examples/hsa/hsacache.xml",
            "--allow-stale",
            "--out",
            str(plan),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    out = tmp / "out"
    built = build_example(out, "--plan", str(plan))
    assert built.returncode == 0, built.stderr
    return out


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name in ("href", "src") and value is not None:
                self.refs.append(value)


def parse(path: Path) -> _Refs:
    parser = _Refs()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def broken_links(site: Path) -> list[str]:
    """Every href/src of every page that does not lead to a file of the site, or to an id in it."""
    pages = {p: parse(p) for p in site.rglob("*.html")}
    broken = []
    for source, refs in pages.items():
        for ref in refs.refs:
            parts = urlsplit(ref)
            if parts.scheme or parts.netloc:
                broken.append(f"{source.relative_to(site)}: {ref} leaves the site")
                continue
            target = (source.parent / unquote(parts.path)).resolve() if parts.path else source
            if not target.is_file() or site.resolve() not in target.parents:
                broken.append(f"{source.relative_to(site)}: {ref} (no such file)")
            elif parts.fragment and parts.fragment not in (pages.get(target) or parse(target)).ids:
                broken.append(f"{source.relative_to(site)}: {ref} (no such anchor)")
    return broken

"""Headless Chromium for the tests that look at rendered pages and comments.

Debian's ``chromium`` package (``/usr/bin/chromium``, installed by ``.ci/run``) driven by Playwright's Python
client with ``executable_path``: Playwright's own browser download is never used. The browser starts with the
flags a closed network needs (no background networking, no component updates, no sync) and a fresh profile.

Fixtures (import them into a test module or a ``conftest.py``):

* ``chromium`` (session): the launched browser;
* ``page`` (function): a new page 900 px wide whose console errors and page errors are collected in
  ``page.errors`` (a list of strings); a test asserts it is empty.

Screenshots go to :func:`artifact_dir` (``TAK_GITOPS_ARTIFACTS`` or ``.tak-gitops/test-artifacts`` under the
repository), which CI keeps.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    """The Chromium binary: ``TAK_GITOPS_CHROMIUM``, else Debian's ``chromium`` on PATH."""
    found = os.environ.get("TAK_GITOPS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail(
            "the browser tests need Chromium: apt-get install chromium (as .ci/run does), "
            "or set TAK_GITOPS_CHROMIUM to a Chromium binary",
            pytrace=False,
        )
    return found


def artifact_dir(*parts: str) -> Path:
    """A directory for test artifacts (screenshots), created on demand."""
    base = Path(os.environ.get("TAK_GITOPS_ARTIFACTS") or ROOT / ".tak-gitops" / "test-artifacts")
    out = base.joinpath(*parts)
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright gives every launch a new, empty profile directory of its own.
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 900, "height": 1200})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda msg: errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    pg.errors = errors
    try:
        yield pg
    finally:
        context.close()

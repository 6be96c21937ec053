"""Writing the static site: render every page model with the jinja2 templates in ``templates/site/`` and write
the pages, the assets and the search shards into a folder that replaces the output folder in one step.

The site is built in a new folder beside ``DIR`` and renamed into place, so a reader never sees half a site. An
existing ``DIR`` is replaced only when it is empty or a site this command wrote (it holds ``.tak-gitops-site``);
anything else is refused, so ``-o`` cannot wipe an unrelated folder.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import orjson

from tak_gitops.adapters.site_rows import RowWriter
from tak_gitops.core.site import paths
from tak_gitops.core.site.build import env_pages, links_for, search_entries
from tak_gitops.core.site.lists import short_contract
from tak_gitops.core.site.reach import Calls
from tak_gitops.core.site.search import SearchIndex, build_index
from tak_gitops.core.site.view import EnvView
from tak_gitops.errors import UsageError

MARKER = ".tak-gitops-site"
ASSETS = ("site.css", "site.js")


@dataclass(frozen=True)
class EnvSite:
    """One environment to write: its view and, when given, its latest plan document."""

    view: EnvView
    plan: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class SiteStats:
    """What a build wrote: pages, bytes in all, and the largest page."""

    pages: int
    total_bytes: int
    largest_page: str
    largest_bytes: int


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("tak_gitops", "templates/site"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["short"] = short_contract
    env.globals["slug"] = paths.slug
    env.globals["anchor"] = paths.anchor
    return env


def _check_target(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UsageError(f"-o {out}: not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise UsageError(
            f"-o {out}: the folder is not empty and was not written by `tak-gitops site` (no {MARKER}); "
            "give an empty or new folder"
        )


class _Writer:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.pages = 0
        self.total = 0
        self.largest = ("", 0)
        self.made: set[Path] = set()

    def write(self, rel: str, data: bytes, page: bool = True) -> None:
        target = self.base / rel
        if target.parent not in self.made:
            target.parent.mkdir(parents=True, exist_ok=True)
            self.made.add(target.parent)
        with open(target, "wb") as fh:
            fh.write(data)
        self.total += len(data)
        if page:
            self.pages += 1
            if len(data) > self.largest[1]:
                self.largest = (rel, len(data))


def _render_part(
    jenv: jinja2.Environment,
    base: Path,
    site: EnvSite,
    calls: Calls,
    now: dt.datetime,
    envs: Sequence[str],
    part: tuple[int, int],
) -> tuple[int, int, str, int]:
    """Render and write one share of an environment's pages; (pages, bytes, largest page, its bytes)."""
    view = site.view
    folder = paths.slug(view.env)
    writer = _Writer(base)
    links = links_for(view, site.plan is not None)
    templates: dict[str, jinja2.Template] = {}
    common = {"view": view, "links": links, "envs": envs, "built": now.replace(microsecond=0).isoformat()}
    rowwriters: dict[int, RowWriter] = {}
    for spec in env_pages(view, site.plan, now, part, calls):
        template = templates.get(spec.template)
        if template is None:
            template = templates[spec.template] = jenv.get_template(spec.template)
        depth = spec.path.count("/")
        rowwriter = rowwriters.get(depth)
        if rowwriter is None:
            rowwriter = rowwriters[depth] = RowWriter(view, links, "../" * depth)
        html = template.render(
            page=spec.model,
            title=spec.title,
            path=spec.path,
            env_root="../" * depth,
            root="../" * (depth + 1),
            rowwriter=rowwriter,
            **common,
        )
        writer.write(f"{folder}/{spec.path}", html.encode("utf-8"))
    return writer.pages, writer.total, *writer.largest


_SHARED: tuple[jinja2.Environment, Path, EnvSite, Calls, dt.datetime, Sequence[str]] | None = None
"""What forked workers render from (set before the fork: nothing is pickled but the share number)."""


def _work(part: tuple[int, int]) -> tuple[int, int, str, int]:
    assert _SHARED is not None
    return _render_part(*_SHARED, part)


def workers() -> int:
    """Processes to render with: the CPUs this process may use, at most 4; 1 where fork is not available."""
    if "fork" not in multiprocessing.get_all_start_methods() or os.environ.get("TAK_GITOPS_NO_FORK"):
        return 1
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def _render_env(
    jenv: jinja2.Environment, writer: _Writer, site: EnvSite, now: dt.datetime, envs: Sequence[str]
) -> None:
    global _SHARED
    n = workers()
    folder = paths.slug(site.view.env)
    site.view.current_only_by_system  # noqa: B018  (the indexes are built once, before the fork)
    for index in (
        "routings_by_address",
        "routings_by_producer",
        "routings_by_contract",
        "authorizations_by_address",
        "authorizations_by_consumer",
        "authorizations_by_contract",
        "addresses",
        "systems",
        "contracts",
    ):
        getattr(site.view, index)
    calls = Calls(site.view)
    calls.worlds  # noqa: B018  (built once, before the fork)
    if n == 1:
        results = [_render_part(jenv, writer.base, site, calls, now, envs, (0, 1))]
        _write_search(writer, folder, build_index(search_entries(site.view)))
    else:
        _SHARED = (jenv, writer.base, site, calls, now, envs)
        try:
            with multiprocessing.get_context("fork").Pool(n) as pool:
                pending = pool.map_async(_work, [(k, n) for k in range(n)])
                _write_search(writer, folder, build_index(search_entries(site.view)))
                results = pending.get()
        finally:
            _SHARED = None
    for pages, total, largest, size in results:
        writer.pages += pages
        writer.total += total
        if size > writer.largest[1]:
            writer.largest = (largest, size)


def _write_search(writer: _Writer, folder: str, index: SearchIndex) -> None:
    """``search/index.js`` (the shard prefixes and the tokens left out) and one ``search/sN.js`` per shard,
    each a call of ``TAK_SEARCH.add(...)``: scripts load from ``file://`` where ``fetch`` may not."""
    manifest = {
        "shards": [[s.prefix, f"s{n}.js"] for n, s in enumerate(index.shards)],
        "common": list(index.common),
        "entries": index.entries,
    }
    writer.write(f"{folder}/search/index.js", b"TAK_SEARCH.manifest(" + orjson.dumps(manifest) + b");\n", False)
    for n, shard in enumerate(index.shards):
        body = {
            "e": [[e.kind, e.key, e.name, e.path] for e in shard.entries],
            "t": [[t, list(ids)] for t, ids in shard.tokens],
        }
        data = b"TAK_SEARCH.add(" + orjson.dumps(f"s{n}.js") + b"," + orjson.dumps(body) + b");\n"
        writer.write(f"{folder}/search/s{n}.js", data, False)


def write_site(out: Path, sites: Iterable[EnvSite], now: dt.datetime) -> SiteStats:
    """Build the site for ``sites`` into ``out``, replacing what a previous build left there."""
    out = Path(out)
    _check_target(out)
    sites = list(sites)
    out.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        jenv = _environment()
        writer = _Writer(build)
        envs = [s.view.env for s in sites]
        (build / MARKER).write_text("written by tak-gitops site\n", encoding="utf-8")
        assets = resources.files("tak_gitops").joinpath("templates/site/assets")
        for name in ASSETS:
            writer.write(f"assets/{name}", assets.joinpath(name).read_bytes(), False)
        home = jenv.get_template("home.html.j2").render(
            envs=[(e, paths.slug(e)) for e in envs],
            sites=sites,
            root="",
            env_root="",
            title="TAK integration map",
            built=now.replace(microsecond=0).isoformat(),
        )
        writer.write("index.html", home.encode("utf-8"))
        for site in sites:
            _render_env(jenv, writer, site, now, envs)
        os.chmod(build, 0o755)
        _swap(build, out)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    return SiteStats(writer.pages, writer.total, *writer.largest)


def _swap(build: Path, out: Path) -> None:
    """Put ``build`` at ``out``; the old site (if any) is moved aside first and removed after."""
    old: Path | None = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
        os.rmdir(old)
        os.replace(out, old)
    os.replace(build, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)

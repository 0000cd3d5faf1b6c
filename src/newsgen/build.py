"""The build as a short list of named, timed steps.

    config  -> library (parse + check every article; parsed ones come from the cache)
            -> plan (every output page decided once; unchanged ones kept)
            -> static files, feeds, sitemaps
            -> render (Markdown + templates, through one Writer)
            -> publish (atomic swap), unless nothing changed at all
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from newsgen.cache import Cache, fingerprint
from newsgen.config import SiteConfig, check_base_url, load_config
from newsgen.errors import (
    BadValue,
    BuildError,
    ConfigError,
    ContentError,
    NewsgenError,
    Problem,
    Problems,
)
from newsgen.feeds import feeds
from newsgen.library import Library, load_library
from newsgen.models import parse_datetime
from newsgen.output import (
    Writer,
    check_output,
    clear_leftovers,
    has_spare,
    load_tree,
    staged,
    staging_path,
)
from newsgen.plan import Page, plan_pages
from newsgen.quick import quick_build, source_files, take
from newsgen.render import Progress, keep_unchanged, render_pages
from newsgen.sitemaps import SitemapEntry, news_sitemap, robots, sitemaps
from newsgen.templates import body_verbatim, make_environment
from newsgen.urls import href

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BuildOptions:
    drafts: bool = False
    future: bool = False
    now: str | None = None  # the build clock, as written on the command line; None: now
    strict: bool = False
    force: bool = False
    output: Path | None = None
    base_url: str | None = None
    jobs: int = 1  # processes rendering pages
    progress: Progress | None = None  # told (stage, done, total) as the build goes
    cache: bool = True  # False: use no cache, and do not keep one (--no-cache)


@dataclass(slots=True)
class BuildResult:
    output: Path
    pages: int = 0
    files: int = 0
    rendered: int = 0  # pages rendered; the others were kept from the previous build
    written: int = 0  # files with new bytes; the others were left as they were
    seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    held_back: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # about the cache
    owners: dict[str, str] = field(default_factory=dict)  # output path -> source that wrote it
    config: SiteConfig | None = None  # as built: with --base-url applied
    now: datetime | None = None  # the build clock it used

    @property
    def changes(self) -> str:
        """What this build did to the output, for the summary line."""
        if not self.written:
            return "nothing changed"
        return f"{self.rendered} rendered, {self.written} file{'s' * (self.written != 1)} changed"


def write_redirects(plan: list[Page], library: Library, writer: Writer) -> None:
    """_redirects (Netlify, Cloudflare Pages and others): a real 301 where the host reads it.

    The redirect pages themselves cover every other host.
    """
    base = library.config.base_path
    lines = sorted(f"{href(base, page.url)} {href(base, library.urls[page.slug])} 301"
                   for page in plan if page.kind == "redirect" and page.slug)
    if lines:
        writer.write_file("_redirects", "\n".join(lines) + "\n", "aliases")


def write_syndication(plan: list[Page], library: Library, writer: Writer) -> None:
    """Feeds, sitemaps (every page but 404 and redirects) and robots.txt."""
    config = library.config
    entries = [SitemapEntry(page.url, _last_change(page, library)) for page in plan
               if page.kind not in ("404", "redirect")]
    maps = sitemaps(config, entries)
    news = news_sitemap(library)
    files = [*feeds(library), *maps, *news,
             robots(config, ["sitemap.xml", *(f.path for f in news)])]
    for file in files:
        writer.write_file(file.path, file.text, "feeds and sitemaps")


def _last_change(page: Page, library: Library) -> datetime | None:
    """An article page changes with its article; a listing with the newest article on it."""
    shown = page.reads[:1] if page.kind == "article" else page.reads
    changes = [max(a.date, a.updated or a.date)
               for a in (library.by_slug[slug] for slug in shown)]
    return max(changes, default=None)


def copy_static(library: Library, writer: Writer) -> None:
    for rel, source in library.static.items():
        writer.copy(rel, source, f"static/{rel}")


def build_clock(text: str | None, config: SiteConfig) -> datetime:
    """The time publication is decided against: --now, or the real time.

    A fixed clock makes a build reproducible and lets an editor preview the
    site as it will be at a given time.
    """
    if not text:
        return datetime.now(UTC)
    try:
        return parse_datetime(text, config.timezone)
    except BadValue as exc:
        raise ConfigError(f"--now {exc}") from None


@contextmanager
def _step(result: BuildResult, name: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    result.steps[name] = time.perf_counter() - start
    log.info("%-8s %6.3f s", name, result.steps[name])


def build(site_dir: Path, options: BuildOptions = BuildOptions()) -> BuildResult:
    """Build the site in `site_dir`; raise NewsgenError with every problem on failure.

    Nothing in the output folder changes unless the whole build succeeds.
    """
    result = BuildResult(output=site_dir / "public")
    cache = Cache.of(site_dir, options.cache)
    try:
        return _build(site_dir, options, result, cache)
    except NewsgenError as exc:
        exc.notices = cache.notices
        raise
    finally:
        cache.close()
        result.notices = cache.notices


def _build(site_dir: Path, options: BuildOptions, result: BuildResult,
           cache: Cache) -> BuildResult:
    start = time.perf_counter()
    problems = Problems()
    overrides: dict[str, object] = {}
    if options.base_url:
        try:
            overrides["base_url"] = check_base_url(options.base_url)
        except BadValue as exc:
            raise ConfigError(f"--base-url {exc}") from None
    try:
        with _step(result, "config"):
            config: SiteConfig = load_config(site_dir, problems, overrides)
            output = options.output or config.output
            result.output = output
            check_output(site_dir, output, options.force)
            # A symlinked output (public -> /srv/www/bao) is built where it points:
            # staging beside the real folder, and the swap replaces that folder.
            output = output.resolve()
            now = build_clock(options.now, config)
            cache.open()
            previous = load_tree(cache, output)
            asked = fingerprint(config.digest, options.drafts, options.future, options.strict,
                                str(output))
            seen, files = time.time_ns(), source_files(site_dir) if cache.on else {}
        quick = None
        if cache.on:
            with _step(result, "quick"):
                quick = quick_build(cache, config, asked, now, output, previous, files, seen)
        if quick is not None:
            if not quick.staged:  # clear what an interrupted build left, as a full one would
                clear_leftovers(output, spare=has_spare(cache, output))
            problems.extend(quick.warnings)
            problems.check(ContentError, strict=options.strict)
            result.pages, result.files = quick.pages, quick.files
            result.rendered, result.written = quick.rendered, quick.written
            result.owners, result.held_back = quick.owners, quick.held_back
            result.config, result.now = config, now
            result.warnings = problems.warnings
            result.seconds = time.perf_counter() - start
            return result
        with _step(result, "load"):
            library = load_library(config, problems, now=now, drafts=options.drafts,
                                   future=options.future, strict=options.strict,
                                   progress=options.progress, cache=cache,
                                   jobs=options.jobs)
        writer = Writer(staging_path(output), problems, previous)
        with _step(result, "plan"):
            plan = plan_pages(library)
            todo, keys = keep_unchanged(plan, library, writer)
        with _step(result, "static"):
            write_syndication(plan, library, writer)
            write_redirects(plan, library, writer)
            copy_static(library, writer)
        problems.check(ContentError, strict=options.strict)
        if todo or writer.changed:
            with staged(cache, writer, output, keep=cache.on,
                        publishing=lambda: _step(result, "publish")):
                with _step(result, "render"):
                    writer.flush(page.path for page, _ in todo)
                    render_pages(todo, library, writer, problems, options.jobs,
                                 options.progress, cache)
                    writer.flush()  # the pictures the rendered bodies show
                problems.check(ContentError, strict=options.strict)
        else:  # clear what an interrupted build left, as a build that wrote would
            clear_leftovers(output, spare=has_spare(cache, output))
        if cache.on:
            take(cache, asked, files, seen, library, plan, writer.pages, keys.arounds,
                 body_verbatim(make_environment(config), "article.html"), dict(writer.owners),
                 problems.warnings, [h.message for h in library.held_back] + list(library.notes))
    except NewsgenError as exc:
        # Warnings found before the failure belong to the same report (once: --strict
        # has already turned them into errors).
        seen = {(p.path, p.line, p.message) for p in exc.problems}
        exc.problems = sorted([*exc.problems, *(p for p in problems.items
                                                if (p.path, p.line, p.message) not in seen)],
                              key=lambda p: (p.path, p.line))
        raise
    except OSError as exc:
        raise BuildError(f"{exc.filename}: {exc.strerror}") from exc
    result.pages = writer.pages
    result.files = len(writer.owners)
    result.rendered, result.written = writer.rendered, writer.written
    result.owners = dict(writer.owners)
    result.config, result.now = config, now
    result.warnings = problems.warnings
    result.held_back = [h.message for h in library.held_back] + list(library.notes)
    result.seconds = time.perf_counter() - start
    return result

"""Rendering the planned pages, across processes when there are many.

Markdown is most of a build's cost, and CPython renders it on one core at a
time, so large sites render in forked worker processes. Every output path is
claimed by the one Writer before any page renders, workers write their pages
straight into the staging folder, and what they report (pictures to copy,
problems) comes back in page order: the output is byte-identical whatever the
number of processes.

Before that, every page whose inputs (PageKeys) are those of the page the last
build left is kept as it is, and an article whose text and place did not
change takes its rendered body from the cache: a rebuild renders only what
an edit touched.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from newsgen.cache import Cache, fingerprint, pack
from newsgen.errors import NewsgenError, Problem, Problems
from newsgen.library import Library
from newsgen.markdown import Body, BodyRenderer
from newsgen.models import Article
from newsgen.output import Entry, Writer, place
from newsgen.pictures import beside_article_problem
from newsgen.plan import Page
from newsgen.templates import make_environment, render, template_digests
from newsgen.urls import output_path
from newsgen.views import PageKeys, ViewMaker, counts_were_read, reset_reads

CHUNK = 64  # pages a worker takes at a time: big enough to amortise, small to balance
PARALLEL_FROM = 400  # below this many pages, starting processes costs more than it saves
BODY_BATCH = 256  # rendered bodies held before they go into the cache


@dataclass(frozen=True, slots=True)
class Rendered:
    """What rendering one page left for the main process."""

    entry: Entry | None  # None: the page failed (its problems say why)
    new: bool  # its bytes differ from the previous build's page
    problems: tuple[Problem, ...]
    body: tuple[bytes, bytes] | None = None  # (key, packed Body) for the cache


def _still_there(pictures: tuple[tuple[str, str], ...], statics: tuple[str, ...],
                 library: Library) -> bool:
    """Whether what a body shows still exists; if not, rendering it again reports it."""
    config = library.config
    return all(name in library.static for name in statics) and all(
        (config.site_dir / source).is_file()
        and beside_article_problem(config, library.roots, config.site_dir / source, source)
        is None
        for source, _ in pictures)


Keys = tuple[bytes, bytes]  # a page's lean and full digests (PageKeys)


def keep_unchanged(plan: Sequence[Page], library: Library, writer: Writer
                   ) -> tuple[list[tuple[Page, Keys]], PageKeys]:
    """Claim every page's path, keep the pages whose inputs did not change; return the
    rest, and the keys."""
    env = make_environment(library.config)
    keys = PageKeys(library, template_digests(env, {page.template for page in plan}))
    todo: list[tuple[Page, Keys]] = []
    previous = writer.previous
    for page in plan:
        owner = library.by_slug[page.slug].source if page.slug else f"the {page.kind} page"
        if not writer.claim(page.path, owner, "an alias in " if page.kind == "redirect" else ""):
            continue
        lean, full = both = keys.keys(page)
        entry = previous.reusable(page.path, lean) or previous.reusable(page.path, full) \
            if previous else None
        if entry is not None and _still_there(entry.pictures, entry.needs, library):
            writer.keep(page.path, entry.key, entry)
            writer.pages += 1
            for source, rel in entry.pictures:
                writer.copy(rel, library.config.site_dir / source, owner)
        else:
            todo.append((page, both))
    for asset in library.assets:
        writer.copy(output_path(asset.url), asset.source, asset.used_by)
    return todo, keys


def body_key(context: bytes, article: Article, url: str) -> bytes:
    """What a rendered body is made from (`context`: the site's configuration)."""
    return fingerprint(context, article.source, article.body, article.body_line, url)


class PageRenderer:
    """Everything one process needs to render pages of one library."""

    def __init__(self, library: Library, writer: Writer, cache: Cache | None) -> None:
        self.library = library
        self.root = writer.root
        self.previous = writer.previous
        self.fresh = writer.fresh
        self.cache = cache
        self.env = make_environment(library.config)
        self.views = ViewMaker(library)
        self.bodies = BodyRenderer(library.config, library.static, library.roots)
        self.context = library.config.digest

    def body(self, page: Page, problems: Problems) -> tuple[Body, tuple[bytes, bytes] | None]:
        """The article's body, from the cache when its text and place are as before."""
        assert page.slug is not None
        article = self.library.by_slug[page.slug]
        key = body_key(self.context, article, page.url)
        cached = self.cache.body(key) if self.cache else None
        if isinstance(cached, tuple) and len(cached) == 3:
            body = Body(*cached)
            if _still_there(body.pictures, body.statics, self.library):
                return body, None
        found = Problems()
        body = self.bodies.render(article, page.url, found)
        problems.extend(found.items)
        fresh = (key, pack((body.html, body.pictures, body.statics))) \
            if self.cache and not found.items else None
        return body, fresh

    def render(self, page: Page, keys: Keys) -> Rendered:
        problems = Problems()
        body, fresh = Body("", (), ()), None
        try:
            if page.kind == "article":
                body, fresh = self.body(page, problems)
            reset_reads()
            html = render(self.env, page.template, self.views.context(page, body.html),
                          self.library.config.site_dir)
        except NewsgenError as exc:  # a template mistake: reported with the others
            return Rendered(None, False, (*problems.items, *exc.problems), fresh)
        key = keys[1] if counts_were_read() else keys[0]
        entry, new = place(self.root, page.path, html.encode("utf-8"), key, self.previous,
                           self.fresh, pictures=body.pictures, needs=body.statics)
        return Rendered(entry, new, tuple(problems.items), fresh)


_RENDERER: PageRenderer | None = None  # set before forking; workers inherit it


def _render_chunk(pages: Sequence[tuple[Page, Keys]]) -> list[Rendered]:
    assert _RENDERER is not None
    return [_RENDERER.render(page, key) for page, key in pages]


def _chunks(pages: Sequence[tuple[Page, Keys]]) -> list[Sequence[tuple[Page, Keys]]]:
    return [pages[i:i + CHUNK] for i in range(0, len(pages), CHUNK)]


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        os.cpu_count() or 1


Progress = Callable[[str, int, int], None]  # (stage, done, total)


def render_pages(todo: Sequence[tuple[Page, Keys]], library: Library, writer: Writer,
                 problems: Problems, jobs: int = 1, progress: Progress | None = None,
                 cache: Cache | None = None) -> None:
    """Render the pages `keep_unchanged` left, into the writer's staging folder."""
    global _RENDERER
    renderer = PageRenderer(library, writer, cache)
    forkable = "fork" in multiprocessing.get_all_start_methods()
    if jobs > 1 and len(todo) >= PARALLEL_FROM and forkable:
        _RENDERER = renderer
        try:
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                results = (r for chunk in pool.imap(_render_chunk, _chunks(todo)) for r in chunk)
                _collect(todo, results, library, writer, problems, progress, cache)
        finally:
            _RENDERER = None
    else:
        _collect(todo, (renderer.render(page, key) for page, key in todo), library, writer,
                 problems, progress, cache)


def _collect(todo: Sequence[tuple[Page, Keys]], results: Iterator[Rendered],
             library: Library, writer: Writer, problems: Problems,
             progress: Progress | None, cache: Cache | None) -> None:
    """Take the workers' reports in page order, so problems and copies are deterministic."""
    seen: set[Problem] = set()
    bodies: list[tuple[bytes, bytes]] = []
    for done, ((page, _), result) in enumerate(zip(todo, results, strict=True), 1):
        if progress is not None:
            progress("render", done, len(todo))
        if result.entry is not None:
            writer.page(page.path, result.entry, result.new)
            for source, rel in result.entry.pictures:
                assert page.slug is not None
                writer.copy(rel, library.config.site_dir / source,
                            library.by_slug[page.slug].source)
        if result.body is not None:
            bodies.append(result.body)
            if len(bodies) >= BODY_BATCH and cache is not None:
                cache.write([("INSERT OR REPLACE INTO bodies VALUES (?, ?)", bodies)])
                bodies = []
        for problem in result.problems:
            if problem not in seen:  # one template mistake is the same on every page
                seen.add(problem)
                problems.items.append(problem)
    if bodies and cache is not None:
        cache.write([("INSERT OR REPLACE INTO bodies VALUES (?, ?)", bodies)])

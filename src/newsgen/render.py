"""Rendering the planned pages, across processes when there are many.

Markdown is most of a build's cost, and CPython renders it on one core at a
time, so large sites render in forked worker processes. Every output path is
claimed by the one Writer before any page renders, workers write their pages
straight into the staging folder, and what they report (pictures to copy,
problems) comes back in page order: the output is byte-identical whatever the
number of processes.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from newsgen.errors import NewsgenError, Problem, Problems
from newsgen.library import Library
from newsgen.markdown import BodyRenderer
from newsgen.output import Writer
from newsgen.plan import Page
from newsgen.templates import make_environment, render
from newsgen.urls import output_path
from newsgen.views import ViewMaker

CHUNK = 64  # pages a worker takes at a time: big enough to amortise, small to balance
PARALLEL_FROM = 400  # below this many pages, starting processes costs more than it saves


@dataclass(frozen=True, slots=True)
class Rendered:
    """What rendering one page left for the main process: pictures to copy, problems."""

    pictures: tuple[tuple[Path, str], ...]
    problems: tuple[Problem, ...]


class PageRenderer:
    """Everything one process needs to render pages of one library."""

    def __init__(self, library: Library, root: Path) -> None:
        self.library = library
        self.root = root
        self.env = make_environment(library.config)
        self.views = ViewMaker(library)
        self.bodies = BodyRenderer(library.config, library.static)

    def render(self, page: Page) -> Rendered:
        problems = Problems()
        pictures: list[tuple[Path, str]] = []
        body = ""
        try:
            if page.kind == "article" and page.slug is not None:
                article = self.library.by_slug[page.slug]
                body, pictures = self.bodies.render(article, page.url, problems)
            html = render(self.env, page.template, self.views.context(page, body),
                          self.library.config.site_dir)
        except NewsgenError as exc:  # a template mistake: reported with the others
            return Rendered(tuple(pictures), (*problems.items, *exc.problems))
        (self.root / page.path).write_text(html, encoding="utf-8", newline="\n")
        return Rendered(tuple(pictures), tuple(problems.items))


_RENDERER: PageRenderer | None = None  # set before forking; workers inherit it


def _render_chunk(pages: Sequence[Page]) -> list[Rendered]:
    assert _RENDERER is not None
    return [_RENDERER.render(page) for page in pages]


def _chunks(pages: Sequence[Page]) -> list[Sequence[Page]]:
    return [pages[i:i + CHUNK] for i in range(0, len(pages), CHUNK)]


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        os.cpu_count() or 1


Progress = Callable[[str, int, int], None]  # (stage, done, total)


def render_pages(plan: Sequence[Page], library: Library, writer: Writer, problems: Problems,
                 jobs: int = 1, progress: Progress | None = None) -> None:
    global _RENDERER
    todo: list[Page] = []
    for page in plan:
        owner = library.by_slug[page.slug].source if page.slug else f"the {page.kind} page"
        if writer.claim(page.path, owner, "an alias in " if page.kind == "redirect" else ""):
            todo.append(page)
    renderer = PageRenderer(library, writer.root)
    forkable = "fork" in multiprocessing.get_all_start_methods()
    if jobs > 1 and len(todo) >= PARALLEL_FROM and forkable:
        _RENDERER = renderer
        try:
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                results = (r for chunk in pool.imap(_render_chunk, _chunks(todo)) for r in chunk)
                _collect(todo, results, library, writer, problems, progress)
        finally:
            _RENDERER = None
    else:
        _collect(todo, map(renderer.render, todo), library, writer, problems, progress)
    for asset in library.assets:
        writer.copy(output_path(asset.url), asset.source, asset.used_by)


def _collect(pages: Sequence[Page], results: Iterator[Rendered], library: Library,
             writer: Writer, problems: Problems, progress: Progress | None) -> None:
    """Take the workers' reports in page order, so problems and copies are deterministic."""
    seen: set[Problem] = set()
    for done, (page, result) in enumerate(zip(pages, results, strict=True), 1):
        writer.pages += 1
        if progress is not None:
            progress("render", done, len(pages))
        for source, url in result.pictures:
            assert page.slug is not None
            writer.copy(output_path(url), source, library.by_slug[page.slug].source)
        for problem in result.problems:
            if problem not in seen:  # one template mistake is the same on every page
                seen.add(problem)
                problems.items.append(problem)

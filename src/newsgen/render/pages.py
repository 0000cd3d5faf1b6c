"""Rendering bodies and pages, each as a query, across processes when there are many.

Markdown is most of a build's cost, and CPython renders it on one core at a
time, so large sites render in forked worker processes. A page renders inside
a tracker frame and comes back with what it read (and the body it rendered on
the way, with what that read), for the build to record. Results come back in
page order, so the output is byte-identical whatever the number of processes.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from newsgen.content.library import Library
from newsgen.engine.graph import Graph
from newsgen.engine.store import Packed, fingerprint, pack
from newsgen.engine.tracker import Frame, read, recording
from newsgen.errors import NewsgenError, Problem, Problems
from newsgen.output.writer import Entry, Tree, place
from newsgen.render.markdown import Body, BodyRenderer
from newsgen.render.plan import Page
from newsgen.render.templates import make_environment, render
from newsgen.render.views import ViewMaker

CHUNK = 64  # pages a worker takes at a time: big enough to amortise, small to balance
PARALLEL_FROM = 400  # below this many pages, starting processes costs more than it saves

Progress = Callable[[str, int, int], None]  # (stage, done, total)
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class MadeBody:
    """A body rendered by the body query, and what it read."""

    slug: str
    body: Body | None  # None: it failed (its problems say why), or it travels packed only
    frame: Frame
    problems: tuple[Problem, ...]
    packed: Packed | None = None  # the body as the store keeps it, made where it rendered
    digest: bytes = b""


@dataclass(frozen=True, slots=True)
class Rendered:
    """What rendering one page left for the main process."""

    data: bytes | None  # the page; None: it failed (problems say why), or it is on disk
    frame: Frame  # what the page read
    problems: tuple[Problem, ...]
    body: MadeBody | None = None  # the body it rendered on the way, if it had to
    pictures: tuple[tuple[str, str], ...] = ()  # (file beside the article, output path)
    key: bytes = b""  # a digest of everything it read: its inputs
    entry: Entry | None = None  # where it was written, when it was written by a worker
    new: bool = False  # its bytes differ from the previous build's page

    @property
    def failed(self) -> bool:
        return self.data is None and self.entry is None


def body_digest(body: Body) -> bytes:
    return fingerprint(body.html, body.pictures, body.statics)


class PageRenderer:
    """Everything one process needs to render bodies and pages of one library.

    `texts`: article file -> (body, line), for bodies to render; `bodies`: slug ->
    Body as recorded, for pages whose body did not change; `stale`: slugs whose
    body must be rendered again.
    """

    def __init__(self, library: Library, texts: Mapping[str, tuple[str, int]],
                 bodies: Mapping[str, Body], stale: set[str], graph: Graph) -> None:
        self.library = library
        self.texts = texts
        self.bodies = bodies
        self.stale = stale
        self.graph = graph  # for the digests of what a page read
        self.root: Path | None = None  # write pages here (a worker does); None: return them
        self.previous: Tree | None = None
        self.fresh = False
        self.env = make_environment(library.config)
        self.views = ViewMaker(library)
        self.renderer = BodyRenderer(library.config, library.static, library.roots,
                                     library.measures)

    def body(self, slug: str) -> MadeBody:
        """The body query: the article's text rendered for its page."""
        found = Problems()
        with recording() as frame:
            article = self.library.article(slug)
            read(f"text:{article.source}")
            text, line = self.texts[article.source]
            body = self.renderer.render(replace(article, body=text, body_line=line),
                                        self.library.url(slug), found)
        if found.errors:
            return MadeBody(slug, None, frame, tuple(found.items))
        return MadeBody(slug, body, frame, tuple(found.items), Packed(pack(body)),
                        body_digest(body))

    def render(self, page: Page) -> Rendered:
        problems: list[Problem] = []
        made: MadeBody | None = None
        body = Body("", (), ())
        if page.kind == "article":
            assert page.slug is not None
            if page.slug in self.stale:
                made = self.body(page.slug)
                problems += made.problems
                if made.body is None:
                    return Rendered(None, Frame(), tuple(problems), made)
                body = made.body
            else:
                body = self.bodies[page.slug]
        with recording() as frame:
            read(f"plan:{page.path}")
            read(f"template:{page.template}")
            if page.kind == "article":
                read(f"body:{page.slug}")
            try:
                html = render(self.env, page.template, self.views.context(page, body.html),
                              self.library.config.site_dir)
            except NewsgenError as exc:  # a template mistake: reported with the others
                return Rendered(None, frame, (*problems, *exc.problems), made)
        own = {f"body:{page.slug}": made.digest} if made and made.body else {}
        key = self.graph.inputs(frame, own)
        data = html.encode("utf-8")
        if self.root is None:
            return Rendered(data, frame, tuple(problems), made, body.pictures, key)
        entry, new = place(self.root, page.path, data, key, self.previous, self.fresh,
                           pictures=body.pictures, needs=body.statics)
        if made is not None:  # back to the main process packed: it only stores the body
            made = replace(made, body=None)
        return Rendered(None, frame, tuple(problems), made, body.pictures, key, entry, new)


_RENDERER: PageRenderer | None = None  # set before forking; workers inherit it


def _render_chunk(pages: Sequence[Page]) -> list[Rendered]:
    assert _RENDERER is not None
    return [_RENDERER.render(page) for page in pages]


def _body_chunk(slugs: Sequence[str]) -> list[MadeBody]:
    assert _RENDERER is not None
    return [_RENDERER.body(slug) for slug in slugs]


def _across(renderer: PageRenderer, items: Sequence[T],
            work: Callable[[Sequence[T]], list[R]], jobs: int,
            meanwhile: Callable[[], None] | None = None) -> Iterator[R]:
    """`work` over `items` in chunks, in forked processes when there are many; in order.
    `meanwhile` runs in this process once the work is handed out (else before it): the
    parent only waits for results, so what it does then is nearly free."""
    global _RENDERER
    chunks = [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]
    _RENDERER = renderer
    try:
        forkable = "fork" in multiprocessing.get_all_start_methods()
        if jobs > 1 and len(items) >= PARALLEL_FROM and forkable:
            # What the workers inherit stays out of their garbage collector: walking it
            # would copy every page of the inherited memory, and take as long as that.
            gc.freeze()
            try:
                with multiprocessing.get_context("fork").Pool(jobs) as pool:
                    results = pool.imap(work, chunks)
                    if meanwhile is not None:
                        meanwhile()
                    for done in results:
                        yield from done
            finally:
                gc.unfreeze()
        else:
            if meanwhile is not None:
                meanwhile()
            for chunk in chunks:
                yield from work(chunk)
    finally:
        _RENDERER = None


def render_bodies(renderer: PageRenderer, slugs: Sequence[str], jobs: int
                  ) -> Iterator[MadeBody]:
    return _across(renderer, slugs, _body_chunk, jobs)


def render_pages(renderer: PageRenderer, pages: Sequence[Page], jobs: int,
                 progress: Progress | None = None, meanwhile: Callable[[], None] | None = None
                 ) -> Iterator[Rendered]:
    for done, result in enumerate(_across(renderer, pages, _render_chunk, jobs, meanwhile), 1):
        if progress is not None:
            progress("render", done, len(pages))
        yield result

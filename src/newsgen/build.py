"""The build as a short list of named, timed steps.

    config  -> library (parse + check every article)
            -> plan (every output page decided once)
            -> render (Markdown + templates, through one Writer)
            -> static files -> publish (atomic swap)
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from newsgen.config import SiteConfig, load_config
from newsgen.errors import BuildError, ContentError, NewsgenError, Problem, Problems
from newsgen.library import Library, load_library
from newsgen.markdown import BodyRenderer
from newsgen.output import check_output, new_staging, publish
from newsgen.templates import make_environment, render
from newsgen.urls import output_path, section_url
from newsgen.views import PageView, SectionBlock, ViewMaker

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Page:
    """One output page, planned before anything renders.

    `reads` names the articles whose fields the page shows: what later work
    (incremental builds, serve) needs to know which pages an edit touches.
    """

    kind: str  # article | home | section | 404
    url: str  # site-relative
    template: str
    reads: tuple[str, ...] = ()
    slug: str | None = None  # article pages
    section: str | None = None  # section pages
    number: int = 1
    total: int = 1

    @property
    def path(self) -> str:
        return output_path(self.url)


@dataclass(frozen=True, slots=True)
class BuildOptions:
    drafts: bool = False
    strict: bool = False
    force: bool = False
    output: Path | None = None
    base_url: str | None = None


@dataclass(slots=True)
class BuildResult:
    output: Path
    pages: int = 0
    files: int = 0
    seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    held_back: list[str] = field(default_factory=list)


class Writer:
    """Writes every output file, and refuses to write one path twice (Pelican's writer).

    Two articles whose slugs map to one URL, or a static file shadowing a page,
    are caught here instead of one silently replacing the other.
    """

    def __init__(self, root: Path, problems: Problems) -> None:
        self.root = root
        self.problems = problems
        self.owners: dict[str, str] = {}
        self.pages = 0

    def _claim(self, rel: str, owner: str) -> bool:
        if rel in self.owners:
            if self.owners[rel] != owner:
                self.problems.error(f"{rel} would be written twice, for {self.owners[rel]} and "
                                    f"for {owner}; change a slug or the permalink pattern",
                                    owner if owner.endswith(".md") else "")
            return False
        self.owners[rel] = owner
        return True

    def write_page(self, rel: str, html: str, owner: str) -> None:
        if self._claim(rel, owner):
            target = self.root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(html, encoding="utf-8", newline="\n")
            self.pages += 1

    def copy(self, rel: str, source: Path, owner: str) -> None:
        key = f"file {source}"
        if rel in self.owners and self.owners[rel] == key:
            return  # the same picture used twice by one article
        if self._claim(rel, key if owner.startswith("static/") else owner):
            self.owners[rel] = key
            target = self.root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


def plan_pages(library: Library) -> list[Page]:
    config = library.config
    pages = [
        Page("home", "/", "home.html",
             reads=tuple(a.slug for a in _home_articles(library))),
        Page("404", "/404.html", "404.html"),
    ]
    for section in config.sections:
        articles = library.by_section[section.slug]
        total = max(1, -(-len(articles) // config.per_page))
        for number in range(1, total + 1):
            chunk = articles[(number - 1) * config.per_page:number * config.per_page]
            pages.append(Page("section", section_url(section.slug, number), "section.html",
                              reads=tuple(a.slug for a in chunk), section=section.slug,
                              number=number, total=total))
    for article in library.articles:
        shown = [a.slug for a in library.related[article.slug] if not hasattr(a, "url")]
        shown += [a.slug for a in library.older[article.slug]]
        pages.append(Page("article", library.urls[article.slug], "article.html",
                          reads=(article.slug, *shown), slug=article.slug))
    return pages


def _home_articles(library: Library) -> list:
    config = library.config
    chosen = list(library.articles[:config.home_latest])
    for section in config.sections:
        chosen += library.by_section[section.slug][:config.home_per_section]
    return chosen


def render_pages(plan: list[Page], library: Library, writer: Writer,
                 problems: Problems) -> None:
    config = library.config
    env = make_environment(config)
    views = ViewMaker(library)
    bodies = BodyRenderer(config, library.static)
    site = views.site()
    for page in plan:
        context: dict[str, object] = {"site": site}
        owner = page.kind + " page"
        if page.kind == "article":
            assert page.slug is not None
            article = library.by_slug[page.slug]
            owner = article.source
            html, pictures = bodies.render(article, library.urls[article.slug], problems)
            for source, url in pictures:
                writer.copy(output_path(url), source, article.source)
            view = views.article(article, html)
            context["article"] = view
            context["page"] = PageView("article", article.title, view.url, article.lead,
                                       article.section, draft=article.draft)
        elif page.kind == "section":
            assert page.section is not None
            section = config.section_by_slug[page.section]
            context["section"] = views.section(section)
            context["cards"] = tuple(views.card(library.by_slug[s]) for s in page.reads)
            context["pagination"] = views.pagination(section.slug, page.number, page.total)
            title = section.title if page.number == 1 else \
                f"{section.title} – {config.strings['page']} {page.number}"
            context["page"] = PageView("section", title, views.href(page.url),
                                       config.description, section.slug)
        elif page.kind == "home":
            context["latest"] = tuple(views.card(a)
                                      for a in library.articles[:config.home_latest])
            context["blocks"] = tuple(
                SectionBlock(views.section(s), tuple(
                    views.card(a) for a in library.by_section[s.slug][:config.home_per_section]))
                for s in config.sections
                if config.home_per_section and library.by_section[s.slug])
            context["page"] = PageView("home", "", views.href("/"), config.description, None)
        else:
            context["page"] = PageView(page.kind, str(config.strings["not_found_title"]),
                                       views.href(page.url), "", None)
        writer.write_page(page.path, render(env, page.template, context, config.site_dir),
                          owner)
    for asset in library.assets:
        writer.copy(output_path(asset.url), asset.source, asset.used_by)


def copy_static(library: Library, writer: Writer) -> None:
    for rel, source in library.static.items():
        writer.copy(rel, source, f"static/{rel}")


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
    start = time.perf_counter()
    problems = Problems()
    overrides: dict[str, object] = {}
    if options.base_url:
        overrides["base_url"] = options.base_url if options.base_url.endswith("/") \
            else options.base_url + "/"
    result = BuildResult(output=site_dir / "public")
    try:
        with _step(result, "config"):
            config: SiteConfig = load_config(site_dir, problems, overrides)
            output = options.output or config.output
            result.output = output
            check_output(site_dir, output, options.force)
        with _step(result, "load"):
            library = load_library(config, problems, drafts=options.drafts,
                                   strict=options.strict)
        with _step(result, "plan"):
            plan = plan_pages(library)
        staging = new_staging(output)
        try:
            writer = Writer(staging, problems)
            with _step(result, "render"):
                render_pages(plan, library, writer, problems)
            with _step(result, "static"):
                copy_static(library, writer)
            problems.check(ContentError, strict=options.strict)
            with _step(result, "publish"):
                publish(staging, output)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    except NewsgenError as exc:
        # Warnings found before the failure belong to the same report (once: --strict
        # has already turned them into errors).
        seen = {(p.path, p.line, p.message) for p in exc.problems}
        exc.problems = sorted([*exc.problems, *(p for p in problems.items
                                                if (p.path, p.line, p.message) not in seen)],
                              key=lambda p: (p.path, p.line))
        raise
    except OSError as exc:
        raise BuildError(f"cannot write the site: {exc.strerror}: {exc.filename}") from exc
    result.pages = writer.pages
    result.files = len(writer.owners)
    result.warnings = problems.warnings
    result.held_back = [a.source for a in library.held_back]
    result.seconds = time.perf_counter() - start
    return result

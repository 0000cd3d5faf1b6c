"""Every output page, decided once before anything renders.

Each planned page names the articles it shows (`reads`): what incremental
builds and `serve` need to know which pages an edit touches.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from newsgen.content.library import Library
from newsgen.engine.store import by_fields
from newsgen.urls import TAGS_URL, archive_url, listing_url, output_path, paged, search_url


@dataclass(frozen=True, slots=True)
class Page:
    __reduce__ = by_fields

    # article | home | latest (the home's next pages) | section | tag | tags | author |
    # month | day (archives) | redirect | 404 | search
    kind: str
    url: str  # site-relative
    template: str
    reads: tuple[str, ...] = ()  # slugs of the articles the page shows
    slug: str | None = None  # article pages, and the target of a redirect
    section: str | None = None  # a listing's name: section, tag, author, 2026-11, 2026-11-25
    number: int = 1  # page of a paginated listing
    total: int = 1

    @property
    def path(self) -> str:
        return output_path(self.url)


@dataclass(frozen=True, slots=True)
class Front:
    """The home page's stories, each shown once: the editor's top stories, the newest of
    the others, and one block per section of what neither shows."""

    featured: tuple[str, ...]  # "Tiêu điểm": the first leads the page
    latest: tuple[str, ...]  # "Tin mới nhất"
    blocks: dict[str, tuple[str, ...]]  # section slug -> its block, empty sections left out

    @property
    def shown(self) -> tuple[str, ...]:
        return (*self.featured, *self.latest, *(s for chunk in self.blocks.values() for s in chunk))


def home_articles(library: Library) -> Front:
    """What the home page shows (see Front). A block shows its section's pinned stories
    first, as many as the section's `home:` (else home_per_section)."""
    config = library.config
    featured = library.featured()[:config.home_featured]
    shown = set(featured)
    latest = tuple(itertools.islice((slug for slug in library.order() if slug not in shown),
                                    config.home_latest))
    shown.update(latest)
    blocks: dict[str, tuple[str, ...]] = {}
    for section in config.sections:
        size = config.home_per_section if section.home is None else section.home
        chunk: list[str] = []
        for slug in library.listing(section.slug):  # in order; stops once the block is full
            if len(chunk) >= size:
                break
            if slug not in shown:
                chunk.append(slug)
        if chunk:
            blocks[section.slug] = tuple(chunk)
    return Front(featured, latest, blocks)


def more_news(library: Library, front: Front) -> tuple[str, ...]:
    """What the home page's "Xem thêm" pages list: every story it does not show, newest
    first, so that a reader who goes on from the front page meets each story once."""
    shown = set(front.shown)
    return tuple(slug for slug in library.order() if slug not in shown)


def plan_pages(library: Library) -> list[Page]:
    config = library.config
    per_page = config.per_page
    front = home_articles(library)
    more = more_news(library, front)
    total = 1 + -(-len(more) // per_page)
    pages = [Page("home", "/", "home.html", reads=front.shown, total=total),
             Page("404", "/404.html", "404.html")]
    pages += [Page("latest", paged("/", n), "latest.html",
                   reads=more[(n - 2) * per_page:(n - 1) * per_page], number=n, total=total)
              for n in range(2, total + 1)]
    if config.search:
        pages.append(Page("search", search_url(config.language), "search.html"))
    for section in config.sections:
        pages += _listing("section", "section.html", section.slug,
                          library.listing(section.slug), per_page,
                          listing_url("section", section.slug))
    archives = config.archives
    for month in library.months() if archives.month or archives.day else ():
        if archives.month:
            pages += _listing("month", "archive.html", month, library.archive(month), per_page,
                              archive_url(archives.month, month))
        for day in library.days(month) if archives.day else ():
            pages += _listing("day", "archive.html", day, library.archive(day), per_page,
                              archive_url(archives.day, day))
    order = library.order()
    if library.has_tags():
        pages.append(Page("tags", TAGS_URL, "tags.html", reads=order))
    for kind in ("tag", "author"):
        for slug in library.terms(kind):
            pages += _listing(kind, f"{kind}.html", slug, library.members(kind, slug),
                              per_page, listing_url(kind, slug))
    for slug in order:
        linked = [s for s in library.related(slug) if isinstance(s, str)]
        pages.append(Page("article", library.url(slug), "article.html",
                          reads=(slug, *linked, *library.older(slug)), slug=slug))
    # Redirects last: every real page holds its address first, so an alias that
    # collides is the one reported.
    pages += [Page("redirect", alias, "redirect.html", reads=(slug,), slug=slug)
              for slug in order for alias in library.aliases(slug)]
    return pages


def _listing(kind: str, template: str, name: str, slugs: Sequence[str], per_page: int,
             first: str) -> list[Page]:
    """A listing's pages, `per_page` articles each, the first at the address `first`."""
    total = max(1, -(-len(slugs) // per_page))
    return [Page(kind, paged(first, number), template,
                 reads=tuple(slugs[(number - 1) * per_page:number * per_page]),
                 section=name, number=number, total=total)
            for number in range(1, total + 1)]

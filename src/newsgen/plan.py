"""Every output page, decided once before anything renders.

Each planned page names the articles it shows (`reads`): what incremental
builds and `serve` need to know which pages an edit touches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from newsgen.library import Library
from newsgen.models import Article
from newsgen.urls import TAGS_URL, listing_url, output_path


@dataclass(frozen=True, slots=True)
class Page:
    kind: str  # article | home | section | tag | tags | author | redirect | 404
    url: str  # site-relative
    template: str
    reads: tuple[str, ...] = ()  # slugs of the articles the page shows
    slug: str | None = None  # article pages, and the target of a redirect
    section: str | None = None  # section pages; the tag or author of their pages
    number: int = 1  # page of a paginated listing
    total: int = 1

    @property
    def path(self) -> str:
        return output_path(self.url)


def home_articles(library: Library) -> tuple[tuple[Article, ...], dict[str, tuple[Article, ...]]]:
    """The home page's latest list and its per-section blocks (empty sections left out)."""
    config = library.config
    blocks = {s.slug: library.by_section[s.slug][:config.home_per_section]
              for s in config.sections}
    return library.articles[:config.home_latest], {k: v for k, v in blocks.items() if v}


def plan_pages(library: Library) -> list[Page]:
    config = library.config
    latest, blocks = home_articles(library)
    shown = [a.slug for a in latest] + [a.slug for chunk in blocks.values() for a in chunk]
    pages = [Page("home", "/", "home.html", reads=tuple(shown)),
             Page("404", "/404.html", "404.html")]
    for section in config.sections:
        pages += _listing("section", "section.html", section.slug,
                          library.by_section[section.slug], config.per_page)
    if library.tags:
        pages.append(Page("tags", TAGS_URL, "tags.html",
                          reads=tuple(a.slug for a in library.articles)))
    for tag in library.tags.values():
        pages += _listing("tag", "tag.html", tag.slug, tag.articles, config.per_page)
    for author in library.authors.values():
        pages += _listing("author", "author.html", author.slug, author.articles, config.per_page)
    for article in library.articles:
        linked = [a.slug for a in library.related[article.slug] if isinstance(a, Article)]
        linked += [a.slug for a in library.older[article.slug]]
        pages.append(Page("article", library.urls[article.slug], "article.html",
                          reads=(article.slug, *linked), slug=article.slug))
    # Redirects last: every real page holds its address first, so an alias that
    # collides is the one reported.
    pages += [Page("redirect", alias, "redirect.html", reads=(article.slug,), slug=article.slug)
              for article in library.articles for alias in article.aliases]
    return pages


def _listing(kind: str, template: str, name: str, articles: Sequence[Article],
             per_page: int) -> list[Page]:
    total = max(1, -(-len(articles) // per_page))
    return [Page(kind, listing_url(kind, name, number), template,
                 reads=tuple(a.slug for a in articles[(number - 1) * per_page:number * per_page]),
                 section=name, number=number, total=total)
            for number in range(1, total + 1)]

"""Every output page, decided once before anything renders.

Each planned page names the articles it shows (`reads`): what incremental
builds and `serve` need to know which pages an edit touches.
"""

from __future__ import annotations

from dataclasses import dataclass

from newsgen.library import Library
from newsgen.models import Article
from newsgen.urls import output_path, section_url


@dataclass(frozen=True, slots=True)
class Page:
    kind: str  # article | home | section | 404
    url: str  # site-relative
    template: str
    reads: tuple[str, ...] = ()  # slugs of the articles the page shows
    slug: str | None = None  # article pages
    section: str | None = None  # section pages
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
        articles = library.by_section[section.slug]
        total = max(1, -(-len(articles) // config.per_page))
        for number in range(1, total + 1):
            chunk = articles[(number - 1) * config.per_page:number * config.per_page]
            pages.append(Page("section", section_url(section.slug, number), "section.html",
                              reads=tuple(a.slug for a in chunk), section=section.slug,
                              number=number, total=total))
    for article in library.articles:
        linked = [a.slug for a in library.related[article.slug] if isinstance(a, Article)]
        linked += [a.slug for a in library.older[article.slug]]
        pages.append(Page("article", library.urls[article.slug], "article.html",
                          reads=(article.slug, *linked), slug=article.slug))
    return pages

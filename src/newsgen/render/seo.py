"""What a page tells search engines and social sites: canonical address, Open Graph, JSON-LD.

Generated here in Python rather than assembled in templates, so the structured
data is always valid JSON with absolute URLs and dates with their offsets,
whatever an editor writes in a headline.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from markupsafe import Markup

from newsgen.content.config import SiteConfig
from newsgen.content.library import Library
from newsgen.content.models import Article
from newsgen.render.figures import shared
from newsgen.urls import absolute, listing_url, slugify


@dataclass(frozen=True, slots=True)
class MetaView:
    canonical: str  # absolute URL of the page
    og_type: str  # article | website
    image: str  # absolute URL of the page's picture for sharing (1200 px, 16x9), or ""
    published: str  # ISO 8601 with offset, articles only
    modified: str
    section: str  # section title, articles only
    tags: tuple[str, ...]
    json_ld: tuple[Markup, ...]  # each the content of one <script type="application/ld+json">
    image_width: int = 0
    image_height: int = 0
    image_alt: str = ""


def _json(data: object) -> Markup:
    """JSON safe inside <script>: '<', '>' and '&' escaped, so '</script>' in a title is inert.

    Compact, as search engines read it: with an indent, json.dumps uses its
    pure-Python encoder, which took half the time of building an article's views.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def page_meta(config: SiteConfig, url: str) -> MetaView:
    """Meta for a page that is not an article: home, listings, 404."""
    return MetaView(absolute(config.base_url, url), "website", "", "", "", "", (), ())


def person(config: SiteConfig, byline: str) -> dict[str, object]:
    """A byline as a schema.org Person: its page, and what site.yaml's authors: says."""
    slug = slugify(byline)
    known = config.author_by_slug.get(slug)
    found: dict[str, object] = {"@type": "Person", "name": known.name if known and known.name
                                else byline,
                                "url": absolute(config.base_url, listing_url("author", slug))}
    if known and known.bio:
        found["description"] = known.bio
    if known and known.photo.src:
        found["image"] = absolute(config.base_url, known.photo.src)
    return found


def article_meta(library: Library, article: Article) -> MetaView:
    config = library.config
    tz = config.timezone
    url = absolute(config.base_url, library.url(article.slug))
    hero = article.image
    pictures = shared(library.image(article.slug), config.pictures.renditions,
                      hero.focus if hero else (50, 50))
    images: list[object] = []
    for where, width, height in pictures:
        item: dict[str, object] = {"@type": "ImageObject", "url": absolute(config.base_url,
                                                                          where)}
        if width:
            item.update(width=width, height=height)
        if hero and hero.credit:
            item["creditText"] = hero.credit
        if hero and hero.caption:
            item["caption"] = hero.caption
        images.append(item)
    published = article.date.astimezone(tz).isoformat()
    modified = (article.updated or article.date).astimezone(tz).isoformat()
    section = config.section_by_slug[article.section]
    publisher: dict[str, object] = {"@type": "Organization", "name": config.publisher_name,
                                    "url": config.base_url}
    if config.publisher.logo:
        publisher["logo"] = {"@type": "ImageObject",
                             "url": absolute(config.base_url, config.publisher.logo)}
    news: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.lead,
        "image": images,
        "datePublished": published,
        "dateModified": modified,
        "author": [person(config, name) for name in article.authors],
        "publisher": publisher,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "articleSection": section.title,
        "keywords": list(article.tags),
        "inLanguage": config.language,
    }
    crumbs = [(str(config.strings["home"]), absolute(config.base_url, "/")),
              (section.title, absolute(config.base_url, listing_url("section", section.slug))),
              (article.title, url)]
    breadcrumb = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [{"@type": "ListItem", "position": n, "name": name, "item": item}
                            for n, (name, item) in enumerate(crumbs, 1)],
    }
    first = pictures[0] if pictures else ("", 0, 0)
    return MetaView(url, "article", absolute(config.base_url, first[0]) if first[0] else "",
                    published, modified, section.title, article.tags,
                    (_json(news), _json(breadcrumb)), first[1], first[2],
                    hero.alt if hero else "")

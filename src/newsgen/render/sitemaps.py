"""Sitemaps, the Google News sitemap and robots.txt: what search engines read.

Pure functions with no clock: `lastmod` comes from the articles and the news
window from the build clock, so the same input gives the same bytes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from newsgen.content.config import SiteConfig
from newsgen.content.library import Library
from newsgen.render.xmldoc import OutputFile, add, document, w3c
from newsgen.urls import absolute

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
NEWS_WINDOW = timedelta(days=2)  # Google News reads only articles of the last two days


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    url: str  # site-relative URL of a page: "/the-gioi/x/"
    lastmod: datetime | None


def sitemaps(config: SiteConfig, entries: Sequence[SitemapEntry],
             per_file: int = 50_000) -> list[OutputFile]:
    """sitemap.xml with every page, sorted by URL; an index of numbered files past `per_file`.

    50,000 URLs is the most one sitemap file may hold. Past it, sitemap.xml
    becomes a sitemap index, so the address given to search engines and in
    robots.txt never changes as the site grows. A URL given twice is listed
    once, with its newest lastmod.
    """
    if per_file < 1:
        raise ValueError("per_file must be at least 1")
    pages = _merge(entries)
    if len(pages) <= per_file:
        return [OutputFile("sitemap.xml", _urlset(config, pages))]
    chunks = [pages[i:i + per_file] for i in range(0, len(pages), per_file)]
    files = [OutputFile(f"sitemap-{n}.xml", _urlset(config, chunk))
             for n, chunk in enumerate(chunks, 1)]
    index = ET.Element("sitemapindex", {"xmlns": SITEMAP_NS})
    for file, chunk in zip(files, chunks, strict=True):
        item = add(index, "sitemap")
        add(item, "loc", absolute(config.base_url, "/" + file.path))
        newest = max((e.lastmod for e in chunk if e.lastmod is not None), default=None)
        if newest is not None:
            add(item, "lastmod", w3c(newest, config.timezone))
    return [OutputFile("sitemap.xml", document(index)), *files]


def _merge(entries: Iterable[SitemapEntry]) -> list[SitemapEntry]:
    newest: dict[str, datetime | None] = {}
    for entry in entries:
        known = newest.get(entry.url)
        if entry.url not in newest or (entry.lastmod is not None
                                       and (known is None or entry.lastmod > known)):
            newest[entry.url] = entry.lastmod
    return [SitemapEntry(url, newest[url]) for url in sorted(newest)]


def _urlset(config: SiteConfig, entries: Sequence[SitemapEntry]) -> str:
    urlset = ET.Element("urlset", {"xmlns": SITEMAP_NS})
    for entry in entries:
        url = add(urlset, "url")
        add(url, "loc", absolute(config.base_url, entry.url))
        if entry.lastmod is not None:
            add(url, "lastmod", w3c(entry.lastmod, config.timezone))
    return document(urlset)


def news_sitemap(library: Library, per_file: int = 1_000) -> list[OutputFile]:
    """news-sitemap.xml in the Google News format: the articles of the last two days.

    Google News reads only articles published in the last two days and at most
    1,000 URLs a file; past that the oldest are left out, as the newest are the
    ones worth finding first. The file is written even when no article is
    recent enough, so the address given to Google never answers 404.
    """
    config = library.config
    clock = library.clock
    recent = [library.article(slug) for slug in library.order()  # newest first
              if clock.reached(date := library.date(slug))
              and not clock.reached(date + NEWS_WINDOW)][:per_file]
    urlset = ET.Element("urlset", {"xmlns": SITEMAP_NS, "xmlns:news": NEWS_NS})
    for article in recent:
        url = add(urlset, "url")
        add(url, "loc", absolute(config.base_url, library.url(article.slug)))
        news = add(url, "news:news")
        publication = add(news, "news:publication")
        add(publication, "news:name", config.publisher_name)
        add(publication, "news:language", _news_language(config.language))
        add(news, "news:publication_date", w3c(article.date, config.timezone))
        add(news, "news:title", article.title)
    return [OutputFile("news-sitemap.xml", document(urlset))]


def _news_language(language: str) -> str:
    """Google News wants the bare ISO 639 code, and zh-cn or zh-tw for the two Chinese scripts."""
    primary, *rest = language.lower().split("-")
    if primary == "zh":
        return "zh-tw" if {"tw", "hk", "mo", "hant"} & set(rest) else "zh-cn"
    return primary


def robots(config: SiteConfig, sitemap_paths: Sequence[str]) -> OutputFile:
    """robots.txt allowing every crawler everywhere and naming each sitemap by its full URL.

    `sitemap_paths` are output paths ('sitemap.xml') or site paths ('/sitemap.xml').
    Crawlers read robots.txt only at the root of a host: a site under a base
    path (/news/) gets the file in its folder, and the host's own robots.txt
    must name the sitemaps for them to be found this way.
    """
    lines = ["User-agent: *", "Allow: /", ""]
    seen: set[str] = set()
    for path in sitemap_paths:
        url = absolute(config.base_url, "/" + path.lstrip("/"))
        if url not in seen:
            seen.add(url)
            lines.append(f"Sitemap: {url}")
    return OutputFile("robots.txt", "\n".join(lines) + "\n")

"""Atom and RSS feeds: the site's newest articles, for feed readers and aggregators.

Pure functions of the library with no clock: a feed's `updated` is its newest
item's, so two builds of the same site give the same bytes.
"""

from __future__ import annotations

import contextlib
import html
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime, tzinfo
from email.utils import format_datetime
from urllib.parse import urlsplit

from newsgen.content.config import Section, SiteConfig
from newsgen.content.library import Library
from newsgen.content.models import Article
from newsgen.render.figures import shared
from newsgen.render.xmldoc import OutputFile, add, document, w3c
from newsgen.urls import absolute, href, listing_url

ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_NS = "http://search.yahoo.com/mrss/"
DC_NS = "http://purl.org/dc/elements/1.1/"
ATOM_TYPE = "application/atom+xml"
RSS_TYPE = "application/rss+xml"
GENERATOR = "newsgen"

IMAGE_TYPES = {
    ".svg": "image/svg+xml",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".avif": "image/avif",
}


def _tag_uri(config: SiteConfig, article: Article) -> str:
    """The entry id: 'tag:bao.example,2022-01-06:hoi-nghi-ha-noi' (RFC 4151).

    Feed readers treat a new id as a new story. A permalink as the id would
    turn every article into a new unread one the day the site moves under a
    base path, changes its permalink pattern or goes to https. The host, the
    day of the article's date (the day the permalink's {day} uses) and the
    site-wide unique slug stay the same through all of those.
    """
    host = urlsplit(config.base_url).hostname or ""
    with contextlib.suppress(UnicodeError):  # not a name idna takes: the host as written
        host = host.encode("idna").decode("ascii")
    day = article.date.astimezone(config.timezone).strftime("%Y-%m-%d")
    return f"tag:{host},{day}:{article.slug}"


def _page(section: Section | None) -> str:
    """Site-relative URL of the page a feed follows: the home page or a section's first page."""
    return listing_url("section", section.slug) if section else "/"


def _feed_title(config: SiteConfig, section: Section | None) -> str:
    return f"{section.title} – {config.title}" if section else config.title


def _feed_image(library: Library, article: Article) -> str:
    """The picture a feed reader shows for an article: the one shared on social sites."""
    pictures = shared(library.image(article.slug), library.config.pictures.renditions,
                      article.image.focus if article.image else (50, 50))
    return pictures[0][0] if pictures else ""


def _image_type(url: str) -> str | None:
    path = urlsplit(url).path.lower()
    dot = path.rfind(".")
    return IMAGE_TYPES.get(path[dot:]) if dot >= 0 else None


def _rfc822(value: datetime, tz: tzinfo) -> str:
    # email.utils writes English day and month names whatever the locale is.
    return format_datetime(value.astimezone(tz))


def _site_changed(library: Library) -> datetime:
    """The date of an empty feed: the site's last change, not the clock, so output is stable."""
    order = library.order()
    if not order:
        return library.clock.read()
    return max(_last_change(library.article(slug)) for slug in order)


def _last_change(article: Article) -> datetime:
    """When the article last changed; an `updated` before `date` is a typo, not a change."""
    return max(article.date, article.updated or article.date)


def feeds(library: Library) -> list[OutputFile]:
    """Atom feeds for the site and each section, and their RSS 2.0 twins when `rss` is on.

    A section with no articles still gets a feed with no entries, so a reader
    subscribed to it keeps a working address until the section has news.
    """
    config = library.config
    pages: list[tuple[Section | None, tuple[str, ...]]] = [(None, library.order())]
    pages += [(s, library.section(s.slug)) for s in config.sections]
    files: list[OutputFile] = []
    for section, slugs in pages:  # newest first already
        newest = [library.article(slug) for slug in slugs[:config.feed_items]]
        folder = f"{section.slug}/" if section else ""
        files.append(OutputFile(f"{folder}feed.xml", _atom(library, section, newest)))
        if config.rss:
            files.append(OutputFile(f"{folder}rss.xml", _rss(library, section, newest)))
    return files


def feed_links(config: SiteConfig, section: str | None) -> list[tuple[str, str, str]]:
    """(type, title, href) for each <link rel="alternate"> a page announces its feeds with.

    The section's own feeds come first: a reader app given a section page's
    address subscribes to the first feed it finds, and that page's reader wants
    the section. The Atom feed comes before its RSS twin, which is named
    '(RSS)' so the two can be told apart in a reader's list.
    """
    pages: list[Section | None] = [config.section_by_slug[section]] if section else []
    pages.append(None)
    links: list[tuple[str, str, str]] = []
    for page in pages:
        folder = _page(page)
        title = _feed_title(config, page)
        links.append((ATOM_TYPE, title, href(config.base_path, f"{folder}feed.xml")))
        if config.rss:
            links.append((RSS_TYPE, f"{title} (RSS)", href(config.base_path, f"{folder}rss.xml")))
    return links


def _atom(library: Library, section: Section | None, articles: Sequence[Article]) -> str:
    config = library.config
    tz = config.timezone
    folder = _page(section)
    page = absolute(config.base_url, folder)
    updated = max((_last_change(a) for a in articles), default=None) or _site_changed(library)

    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": config.language})
    add(feed, "id", page)
    add(feed, "title", _feed_title(config, section))
    if config.description:
        add(feed, "subtitle", config.description)
    add(feed, "link", attrs={"rel": "self", "type": ATOM_TYPE,
                              "href": absolute(config.base_url, f"{folder}feed.xml")})
    add(feed, "link", attrs={"rel": "alternate", "type": "text/html", "href": page})
    add(feed, "updated", w3c(updated, tz))
    add(add(feed, "author"), "name", config.publisher_name)
    add(feed, "generator", GENERATOR)
    if config.publisher.logo:
        add(feed, "logo", absolute(config.base_url, config.publisher.logo))

    for article in articles:
        entry = add(feed, "entry")
        add(entry, "id", _tag_uri(config, article))
        add(entry, "title", article.title)
        add(entry, "link", attrs={"rel": "alternate", "type": "text/html",
                                   "href": absolute(config.base_url, library.url(article.slug))})
        add(entry, "published", w3c(article.date, tz))
        add(entry, "updated", w3c(_last_change(article), tz))
        # Atom requires an author on every entry; the newsroom stands in for a byline.
        for name in article.authors or (config.publisher_name,):
            add(add(entry, "author"), "name", name)
        if article.lead:
            add(entry, "summary", article.lead, {"type": "text"})
        add(entry, "category", attrs={"term": article.section,
                                       "label": config.section_by_slug[article.section].title})
        for tag in article.tags:
            add(entry, "category", attrs={"term": tag, "label": tag})
        if image := _feed_image(library, article):
            attrs = {"rel": "enclosure", "href": absolute(config.base_url, image)}
            if kind := _image_type(image):
                attrs["type"] = kind
            add(entry, "link", attrs=attrs)
    return document(feed)


def _rss(library: Library, section: Section | None, articles: Sequence[Article]) -> str:
    """RSS 2.0, for the readers and aggregators that still take nothing else.

    RSS reads <description> as HTML, so the lead is HTML-escaped before the XML
    escaping: a lead that mentions '<b>' shows those characters instead of
    turning bold. Titles are plain text in RSS and are only XML-escaped.

    The hero image is a Media RSS <media:content>, not an <enclosure>: an
    enclosure must give the file's length in bytes, which an outside image does
    not have here, and validators reject length="0".
    """
    config = library.config
    tz = config.timezone
    folder = _page(section)
    page = absolute(config.base_url, folder)
    built = max((_last_change(a) for a in articles), default=None) or _site_changed(library)
    title = _feed_title(config, section)

    rss = ET.Element("rss", {"version": "2.0", "xmlns:atom": ATOM_NS, "xmlns:dc": DC_NS,
                             "xmlns:media": MEDIA_NS})
    channel = add(rss, "channel")
    add(channel, "title", title)
    add(channel, "link", page)
    add(channel, "description", html.escape(config.description or title, quote=False))
    add(channel, "language", config.language)
    add(channel, "lastBuildDate", _rfc822(built, tz))
    add(channel, "generator", GENERATOR)
    add(channel, "atom:link", attrs={"rel": "self", "type": RSS_TYPE,
                                      "href": absolute(config.base_url, f"{folder}rss.xml")})
    for article in articles:
        item = add(channel, "item")
        add(item, "title", article.title)
        add(item, "link", absolute(config.base_url, library.url(article.slug)))
        add(item, "guid", _tag_uri(config, article), {"isPermaLink": "false"})
        add(item, "pubDate", _rfc822(article.date, tz))
        # <author> must be an e-mail address in RSS; Dublin Core carries plain names.
        for name in article.authors:
            add(item, "dc:creator", name)
        if article.lead:
            add(item, "description", html.escape(article.lead, quote=False))
        add(item, "category", config.section_by_slug[article.section].title,
             {"domain": absolute(config.base_url, _page(config.section_by_slug[article.section]))})
        for tag in article.tags:
            add(item, "category", tag)
        if image := _feed_image(library, article):
            attrs = {"url": absolute(config.base_url, image), "medium": "image"}
            if kind := _image_type(image):
                attrs["type"] = kind
            add(item, "media:content", attrs=attrs)
    return document(rss)

"""Slugs, permalinks and output paths: the one place that turns names into URLs.

Every URL in the site is decided here, so a change of scheme (a base path, a
different permalink) cannot leave one page pointing the old way.
"""

from __future__ import annotations

import functools
import posixpath
import re
from datetime import datetime
from urllib.parse import quote, urlsplit

from slugify import slugify as _slugify
from text_unidecode import unidecode

from newsgen.errors import control_character
from newsgen.messages import _

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG = 80


@functools.lru_cache(maxsize=65536)
def slugify(text: str) -> str:
    """ASCII slug of `text`: 'Mỹ-Nhật sắp đối thoại 2+2' -> 'my-nhat-sap-doi-thoai-2-2'.

    The text is transliterated with text-unidecode first (đ/Đ -> d, which a plain
    NFKD strip drops): python-slugify would pick `unidecode` instead wherever
    that happens to be installed, so slugs, and so URLs, could differ between
    machines; and it retries that failing import on every call (7x slower).
    The slug is cut at a word boundary so long headlines give usable URLs.
    Tags and names repeat, hence the cache.
    """
    return _slugify(unidecode(text), max_length=MAX_SLUG, word_boundary=True, save_order=True)


def is_slug(text: str) -> bool:
    return bool(SLUG_RE.match(text))


RESERVED_PREFIX = "/__newsgen/"  # the preview server's own addresses
MAX_NAME_BYTES = 200  # file systems refuse names over 255 bytes; leave room for suffixes


def path_problem(path: str) -> str | None:
    """Why `path` cannot be an address of a file on the site, or None if it can.

    The one rule for every address an article can ask for (an alias, a
    picture's name, what a permalink gives): it stays inside the output folder,
    and it never names a hidden file. Hidden names are how a web server is told
    things (.htaccess, .well-known/, .git/), and newsgen's own marker in the
    output folder is one: none of them is an article's to write.
    """
    if char := control_character(path):
        return _("holds the control character {char}", char=char)
    if not path.startswith("/"):
        return _("must start with '/'")
    if any(bad in path for bad in ("\\", "?", "#", "//")):
        return _("must not hold '\\', '?', '#' or '//'")
    parts = path.strip("/").split("/") if path.strip("/") else []
    if any(part in (".", "..") for part in parts):
        return _("must not go up or stay with '..' or '.'")
    if any(part.startswith(".") for part in parts):
        return _("has a hidden part (a name starting with '.'): web servers read such names "
                 "as settings, and newsgen never publishes them")
    if path.startswith(RESERVED_PREFIX) or path == RESERVED_PREFIX.rstrip("/"):
        return _("starts with {prefix}, which newsgen serve keeps for itself",
                 prefix=RESERVED_PREFIX)
    if any(len(part.encode()) > MAX_NAME_BYTES for part in parts):
        return _("has a part over {most} bytes long, too long for a file name",
                 most=MAX_NAME_BYTES)
    return None


def permalink(pattern: str, *, section: str, slug: str, date: datetime) -> str:
    """Site-relative URL of an article, always starting and ending with '/'."""
    return pattern.format(section=section, slug=slug, year=f"{date.year:04d}",
                          month=f"{date.month:02d}", day=f"{date.day:02d}")


TAGS_URL = "/tags/"
SEARCH_URLS = {"vi": "/tim-kiem/"}  # others: /search/


def search_url(language: str) -> str:
    """The search page's address, in the site's language where newsgen knows it."""
    return SEARCH_URLS.get(language.split("-")[0].lower(), "/search/")
LISTING_URLS = {"section": "/{}/", "tag": "/tags/{}/", "author": "/authors/{}/"}


def listing_url(kind: str, name: str, number: int = 1) -> str:
    """Page `number` of a section, tag or author listing: /the-gioi/, /the-gioi/page/2/."""
    return paged(LISTING_URLS[kind].format(name), number)


def paged(first: str, number: int) -> str:
    """Page `number` of a listing whose first page is `first`: /x/, /x/page/2/."""
    return first if number == 1 else f"{first}page/{number}/"


def archive_url(pattern: str, period: str, number: int = 1) -> str:
    """Page `number` of a month's (period 2026-11) or a day's (2026-11-25) archive, by the
    site's pattern: /2026/11/, /2026/11/25/page/2/."""
    year, month, day = [*period.split("-"), ""][:3]
    return paged(pattern.format(year=year, month=month, day=day), number)


def absolute(base_url: str, url: str) -> str:
    """Full address of a site URL, for feeds, canonical links and search engines.

    Outside URLs stay as they are, except that a scheme-relative one
    ('//cdn.example/a.jpg') gets the site's scheme: feeds and sitemaps are read
    away from any page, where there is no scheme to inherit.
    """
    if url.startswith("//"):
        return f"{urlsplit(base_url).scheme}:{url}"
    if is_external(url):
        return url
    return base_url.rstrip("/") + href("", url if url.startswith("/") else "/" + url)


def output_path(url: str) -> str:
    """The file a site-relative URL is served from: '/a/b/' -> 'a/b/index.html'."""
    path = url.lstrip("/")
    if not path or path.endswith("/"):
        path += "index.html"
    return path


def href(base_path: str, url: str) -> str:
    """What goes into href/src: the site URL under the site's base path, %-encoded."""
    if is_external(url):
        return url
    return quote(base_path + url, safe="/:#?&=%@+~!$,;'()*")


def is_external(url: str) -> bool:
    return url.startswith(("http://", "https://", "//"))


def join(base_url: str, name: str) -> str:
    """Resolve a relative file name against a directory URL ('/a/b/' + 'x.png')."""
    return posixpath.normpath(posixpath.join(base_url, name))

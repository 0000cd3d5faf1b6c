"""Pelican's settings for the benchmark corpus: newsgen's site, pages and feeds.

peers.py copies this file into the converted site next to `site.json`, which
holds the corpus's title, address and sections; everything else is fixed here.
Pelican loads the file by path, so it can only use the standard library.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SITE = json.loads((HERE / "site.json").read_text(encoding="utf-8"))

SITENAME = SITE["title"]
SITEURL = SITE["base_url"].rstrip("/")
# Section titles, in menu order, as Pelican names the categories.
SECTIONS = [title for _, title in SITE["sections"]]
PATH = str(HERE / "content")
THEME = str(HERE / "theme")
# The site's own copies of theme templates win over the theme's, as in newsgen.
THEME_TEMPLATES_OVERRIDES = [str(HERE / "templates")]
TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_LANG = "vi"
DEFAULT_DATE_FORMAT = "%d/%m/%Y %H:%M"
STATIC_PATHS = ["images"]
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = False

# Pelican at its best on a rebuild: parsed articles come from the cache while
# their files are unchanged.
LOAD_CONTENT_CACHE = True
CACHE_CONTENT = True
CACHE_PATH = str(HERE / "cache")

# newsgen's addresses: /section/slug/, /section/page/2/, /tags/slug/, /authors/slug/.
ARTICLE_URL = "{category}/{slug}/"
ARTICLE_SAVE_AS = "{category}/{slug}/index.html"
CATEGORY_URL = "{slug}/"
CATEGORY_SAVE_AS = "{slug}/index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = "tags/{slug}/index.html"
AUTHOR_URL = "authors/{slug}/"
AUTHOR_SAVE_AS = "authors/{slug}/index.html"
PAGINATION_PATTERNS = [
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
]
DEFAULT_PAGINATION = 20  # newsgen's per_page
# The home page is one page of the latest news, not an archive of every article.
PAGINATED_TEMPLATES = {"tag": None, "category": None, "author": None}
DIRECT_TEMPLATES = ["index", "tags", "sitemap"]
TAGS_SAVE_AS = "tags/index.html"
SITEMAP_SAVE_AS = "sitemap.xml"
CATEGORIES_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
PAGE_SAVE_AS = ""

# newsgen's feeds: Atom for the site and for each section, the 50 newest.
FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feed.xml"
CATEGORY_FEED_ATOM = "{slug}/feed.xml"
FEED_ATOM = None
FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TAG_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
FEED_MAX_ITEMS = 50

OLDER_NEWS = 12  # newsgen's older_news

# One index per build instead of a scan of every article for every article page.
_indexes: dict[int, tuple[list[Any], dict[str, Any], dict[Any, list[Any]], dict[str, int]]] = {}


def _index(articles: list[Any]) -> tuple[dict[str, Any], dict[Any, list[Any]], dict[str, int]]:
    found = _indexes.get(id(articles))
    if found is None or found[0] is not articles:
        by_slug: dict[str, Any] = {}
        by_category: dict[Any, list[Any]] = defaultdict(list)
        position: dict[str, int] = {}
        for article in articles:  # newest first
            by_slug[article.slug] = article
            members = by_category[article.category]
            position[article.slug] = len(members)
            members.append(article)
        found = _indexes[id(articles)] = (articles, by_slug, by_category, position)
    return found[1:]


def older_in_section(article: Any, articles: list[Any], count: int = OLDER_NEWS) -> list[Any]:
    """The next `count` articles of the article's section, going back in time."""
    _, by_category, position = _index(articles)
    start = position[article.slug] + 1
    return by_category[article.category][start:start + count]


def by_slugs(slugs: str, articles: list[Any]) -> list[Any]:
    """The articles an editor listed in `Related: slug, slug`, in the editor's order."""
    by_slug, _, _ = _index(articles)
    wanted = (slug.strip() for slug in slugs.split(","))
    return [by_slug[slug] for slug in wanted if slug in by_slug]


JINJA_FILTERS = {"older_in_section": older_in_section, "by_slugs": by_slugs}

"""`site.yaml`: the site's settings, read once into a frozen `SiteConfig`.

The schema is declarative (`OPTIONS`): one entry per key with its parser,
default and the sentence the README shows. Every problem in the file is
collected and reported together, each with its line.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from newsgen import i18n
from newsgen.content.renditions import Settings, measure
from newsgen.content.source import MEGABYTE, Field, parse_mapping, read_text
from newsgen.errors import BadValue, ConfigError, Problems
from newsgen.urls import is_slug, path_problem, slugify

CONFIG_FILE = "site.yaml"
PERMALINK_FIELDS = ("section", "slug", "year", "month", "day")
MAX_ARTICLE_MB = 8  # the most a site may allow: rendering one file must fit in memory


@dataclass(frozen=True, slots=True)
class Section:
    slug: str
    title: str
    home: int | None = None  # how many stories its home page block shows; None: home_per_section


@dataclass(frozen=True, slots=True)
class Publisher:
    """Who publishes the site, for search engines' NewsArticle data and news sitemaps."""

    name: str  # empty: the site's title
    logo: str  # site path of a static image, like /images/logo.png; may be empty


# Where the default theme shows pictures, and how wide (CSS lengths for `sizes`): the
# one place its layout is told to the browser, so it can fetch the smallest file that
# fills each box. A site with its own CSS sets its own under `pictures: sizes:`.
THEME_SIZES: dict[str, str] = {
    "hero": "(min-width: 47rem) 44rem, (min-width: 36rem) calc(100vw - 3rem), "
            "calc(100vw - 2rem)",
    "body": "(min-width: 47rem) 44rem, (min-width: 36rem) calc(100vw - 3rem), "
            "calc(100vw - 2rem)",
    # The first card of the home page's latest news: two columns of three on wide screens.
    "featured": "(min-width: 76rem) 48.2rem, (min-width: 60rem) calc(66.7vw - 2.5rem), "
                "(min-width: 36rem) calc(100vw - 3rem), calc(100vw - 2rem)",
    # The first card of a grid: full width on phones.
    "lead": "(min-width: 76rem) 23.4rem, (min-width: 60rem) calc(33.4vw - 2rem), "
            "(min-width: 36rem) calc(50vw - 2.25rem), calc(100vw - 2rem)",
    # The other cards of a grid: a thumbnail on phones.
    "grid": "(min-width: 76rem) 23.4rem, (min-width: 60rem) calc(33.4vw - 2rem), "
            "(min-width: 36rem) calc(50vw - 2.25rem), 7rem",
    "thumb": "7rem",  # lists: section pages, older news
}


@dataclass(frozen=True, slots=True)
class StaticPicture:
    """A picture of the site's static/ that site.yaml names (the logo, an author's photo),
    and its size, read from the file, so that its box has its shape before it arrives."""

    src: str  # a site path, like /images/logo.svg; "" for none
    width: int = 0
    height: int = 0


@dataclass(frozen=True, slots=True)
class Pictures:
    """How pictures are published (`pictures:` in site.yaml)."""

    renditions: Settings
    sizes: tuple[tuple[str, str], ...]  # slot -> the CSS width of its box, for `sizes`
    publish_originals: bool  # the picture whole too (without its metadata), where it was

    def size(self, slot: str) -> str:
        return dict(self.sizes).get(slot, "100vw")


@dataclass(frozen=True, slots=True)
class SiteConfig:
    site_dir: Path
    title: str
    description: str
    base_url: str
    language: str
    timezone: ZoneInfo
    sections: tuple[Section, ...]
    older_news: int
    per_page: int
    permalink: str
    slugs: str | None  # "file" or "title"; None: not said (a site older than the setting)
    output: Path
    strings: Mapping[str, str | list[str]]
    raw_html: bool
    home_latest: int
    home_per_section: int
    home_featured: int
    related_count: int
    feed_items: int
    rss: bool
    publisher: Publisher
    svg_pictures: bool
    max_article_mb: float
    pictures: Pictures
    logo: StaticPicture
    footer: tuple[str, ...]
    social: tuple[tuple[str, str], ...]  # (name, https address), in site.yaml's order
    authors: tuple[Author, ...]
    section_by_slug: Mapping[str, Section] = field(init=False)
    author_by_slug: Mapping[str, Author] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "section_by_slug",
                           MappingProxyType({s.slug: s for s in self.sections}))
        object.__setattr__(self, "author_by_slug",
                           MappingProxyType({a.slug: a for a in self.authors}))

    @property
    def digest(self) -> bytes:
        """All of the configuration as one digest: parsed articles, rendered bodies and
        pages are kept under it, since the sections, the zone or a label can change them."""
        return hashlib.blake2b(repr(self).encode("utf-8", "surrogatepass"),
                               digest_size=16).digest()

    @property
    def publisher_name(self) -> str:
        return self.publisher.name or self.title

    @property
    def base_path(self) -> str:
        """The path part of `base_url` without its final slash: '' or '/news'."""
        return urlsplit(self.base_url).path.rstrip("/")

    @property
    def content_dir(self) -> Path:
        return self.site_dir / "content"

    @property
    def max_article_bytes(self) -> int:
        return int(self.max_article_mb * MEGABYTE)


# --- value parsers: each takes the field and returns a value or raises BadValue ---


def _text(f: Field) -> str:
    value = f.value
    if not isinstance(value, str):
        raise BadValue(f"must be text, not {f.kind}")
    if not value.strip():
        raise BadValue("is empty; write the text between the quotes")
    return value.strip()


def _optional_text(f: Field) -> str:
    """Text that may be left empty (`description: ""`), as an editor leaves it to fill."""
    if f.value is None or (isinstance(f.value, str) and not f.value.strip()):
        return ""
    return _text(f)


def _bool(f: Field) -> bool:
    if not isinstance(f.value, bool):
        raise BadValue(f"must be true or false, not {f.kind}")
    return f.value


def _count(minimum: int) -> Callable[[Field], int]:
    def parse(f: Field) -> int:
        value = f.value
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise BadValue(f"must be a whole number of at least {minimum}, not {value!r}")
        return value
    return parse


def _megabytes(f: Field) -> float:
    value = f.value
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not 0 < value <= MAX_ARTICLE_MB:
        raise BadValue(f"must be a number of megabytes above 0 and at most {MAX_ARTICLE_MB}, "
                       f"like 1 or 0.5, not {f.shown}")
    return float(value)


def _base_url(f: Field) -> str:
    return check_base_url(_text(f))


def check_base_url(url: str) -> str:
    """A full http(s) address ending in '/', or BadValue saying how to write one."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BadValue(f"'{url}' is not a full address; write it like https://example.com/")
    if parts.query or parts.fragment:
        raise BadValue(f"'{url}' must not have a ?query or #fragment")
    return url if url.endswith("/") else url + "/"


def _language(f: Field) -> str:
    value = _text(f)
    if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", value):
        raise BadValue(f"'{value}' is not a language code; use one like vi, en or en-GB")
    return value


def _timezone(f: Field) -> ZoneInfo:
    name = _text(f)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: 'Asia' is a folder
        raise BadValue(f"'{name}' is not a time zone; use a name like Asia/Ho_Chi_Minh") \
            from None


def _sections(f: Field) -> tuple[Section, ...]:
    if not f.is_list or not f.items():
        raise BadValue("must be a list of sections, each with a slug and a title")
    sections: list[Section] = []
    problems: list[BadValue] = []
    for item in f.items():
        if not item.is_mapping:
            problems.append(BadValue("each section needs 'slug:' and 'title:'", item.line))
            continue
        entries = item.entries()
        for key in sorted(set(entries) - {"slug", "title", "home"}):
            problems.append(BadValue(f"a section has no key '{key}'; use slug, title and "
                                     "home", entries[key].line))
        if "slug" not in entries or "title" not in entries:
            missing = "title" if "slug" in entries else "slug"
            name = f"section '{entries['slug'].value}'" if "slug" in entries else "a section"
            problems.append(BadValue(f"{name} needs '{missing}:'", item.line))
            continue
        slug = entries["slug"].value
        if not isinstance(slug, str) or not is_slug(slug):
            problems.append(BadValue(
                f"section slug {slug!r} must be lowercase ASCII letters, digits and '-', "
                "like the-gioi", entries["slug"].line))
            continue
        if any(s.slug == slug for s in sections):
            problems.append(BadValue(f"section '{slug}' is listed twice", entries["slug"].line))
            continue
        try:
            title = _text(entries["title"])
        except BadValue as exc:
            problems.append(BadValue(f"section title {exc}", entries["title"].line))
            continue
        home = None
        if "home" in entries:
            try:
                home = _count(0)(entries["home"])
            except BadValue as exc:
                problems.append(BadValue(f"section home {exc}", entries["home"].line))
                continue
        sections.append(Section(slug, title, home))
    if problems:
        raise ExceptionGroup("sections", problems)
    return tuple(sections)


SLUG_RULES = ("file", "title")


def _slug_rule(f: Field) -> str:
    if f.value not in SLUG_RULES:
        raise BadValue(f"must be file or title, not {f.shown}")
    return str(f.value)


def _permalink(f: Field) -> str:
    pattern = _text(f)
    used = re.findall(r"\{([^{}]*)\}", pattern)
    unknown = [u for u in used if u not in PERMALINK_FIELDS]
    if unknown:
        raise BadValue(f"'{pattern}' uses {{{unknown[0]}}}; the parts are "
                          + ", ".join(f"{{{p}}}" for p in PERMALINK_FIELDS))
    if "slug" not in used:
        raise BadValue(f"'{pattern}' has no {{slug}}, so articles would share one "
                          "address; use /{section}/{slug}/")
    try:
        example = pattern.format(section="the-gioi", slug="tieu-de", year="2022", month="01",
                                 day="06")
    except (ValueError, IndexError):
        raise BadValue(f"'{pattern}' has a '{{' or '}}' that opens or closes no part; write "
                       "parts like {slug}") from None
    if not (pattern.startswith("/") and pattern.endswith("/")):
        raise BadValue(f"'{pattern}' must start and end with '/', like /{{section}}/{{slug}}/")
    if why := path_problem(example):
        raise BadValue(f"'{pattern}' gives addresses like {example}, which {why}; use "
                       "folders like /{section}/{slug}/")
    return pattern


def _publisher(f: Field) -> Publisher:
    if not f.is_mapping:
        raise BadValue("must be 'key: value' lines with name and logo")
    entries = f.entries()
    for key, item in entries.items():
        if key not in ("name", "logo"):
            raise BadValue(f"has no key '{key}'; use name and logo", item.line)
    name = _text(entries["name"]) if "name" in entries else ""
    logo = _text(entries["logo"]) if "logo" in entries else ""
    if logo and not logo.startswith("/"):
        raise BadValue(f"logo '{logo}' must be a path on the site, like /images/logo.png",
                       entries["logo"].line)
    return Publisher(name, logo)


def _static_picture(f: Field) -> StaticPicture:
    src = _text(f)
    if not src.startswith("/") or ".." in src.split("/"):
        raise BadValue(f"'{src}' must be a path on the site, like /images/logo.svg (a file "
                       "of static/)")
    return StaticPicture(src)


def _footer(f: Field) -> tuple[str, ...]:
    if not f.is_list:
        raise BadValue('must be a list of lines, like ["Giấy phép số 123/GP-BTTTT", '
                       '"Tổng biên tập: Nguyễn Văn A"]')
    lines = []
    for item in f.items():
        if not isinstance(item.value, str) or not item.value.strip():
            raise BadValue(f"line '{item.shown}' is {item.kind}, not text; put it in quotes",
                           item.line)
        lines.append(" ".join(item.value.split()))
    return tuple(lines)


def _social(f: Field) -> tuple[tuple[str, str], ...]:
    if not f.is_mapping:
        raise BadValue("must be 'name: address' lines, like 'Facebook: "
                       "https://www.facebook.com/baocuatoi'")
    links = []
    for name, item in f.entries().items():
        url = item.value if isinstance(item.value, str) else ""
        parts = urlsplit(url.strip())
        if parts.scheme != "https" or not parts.netloc:
            raise BadValue(f"{name} '{item.shown}' must be an https:// address", item.line)
        links.append((" ".join(str(name).split()), url.strip()))
    return tuple(links)


def _measured(picture: StaticPicture, what: str, site_dir: Path, problems: Problems, line: int
              ) -> StaticPicture:
    """The picture with its size, from the site's static/; a problem when it is not there
    or is no picture (`what` names it: "logo")."""
    rel = picture.src.lstrip("/")
    path = site_dir / "static" / rel
    if any(part.startswith(".") for part in rel.split("/")) or not path.is_file():
        problems.error(f"{what} '{picture.src}' not found: there is no static{picture.src}",
                       CONFIG_FILE, line)
        return picture
    found = measure(path)
    if isinstance(found, str):
        problems.error(f"{what} '{picture.src}' {found}", CONFIG_FILE, line)
        return picture
    width, height = found[0], found[1]
    if not width or not height:
        problems.error(f"{what} '{picture.src}' has no size; give the SVG width and height "
                       "attributes, or a viewBox", CONFIG_FILE, line)
    return StaticPicture(picture.src, width, height)


@dataclass(frozen=True, slots=True)
class Author:
    """What site.yaml says of one byline: the name to print, a bio and a photo."""

    slug: str  # of the byline as articles write it: 'Thanh Hà' and 'thanh ha' are one
    name: str  # "" : the byline as written
    bio: str
    photo: StaticPicture
    line: int = 0  # of its photo in site.yaml, for the message when the file is missing


def _authors(f: Field) -> tuple[Author, ...]:
    if not f.is_mapping:
        raise BadValue("must be 'byline:' entries with name, bio and photo, like "
                       "'Thanh Hà: {bio: \"Phóng viên thời sự\", photo: /images/thanh-ha.jpg}'")
    found: dict[str, Author] = {}
    for byline, item in f.entries().items():
        slug = slugify(" ".join(str(byline).split()))
        if not slug:
            raise BadValue(f"'{byline}' has no letter or digit", item.line)
        if slug in found:
            raise BadValue(f"'{byline}' is the same author as one above; keep one", item.line)
        values = item.entries() if item.is_mapping else {}
        if not item.is_mapping and item.value is not None:
            raise BadValue(f"{byline} must be 'key: value' lines: name, bio, photo", item.line)
        for key, value in values.items():
            if key not in ("name", "bio", "photo"):
                raise BadValue(f"{byline} has no key '{key}'; use name, bio and photo",
                               value.line)
        photo = _static_picture(values["photo"]) if "photo" in values else StaticPicture("")
        found[slug] = Author(slug, _optional_text(values["name"]) if "name" in values else "",
                             _optional_text(values["bio"]) if "bio" in values else "", photo,
                             values["photo"].line if "photo" in values else 0)
    return tuple(found.values())


PICTURE_KEYS = ("widths", "formats", "quality", "social_width", "sizes", "publish_originals")
FORMATS = ("avif", "webp", "jpeg")


def _pictures(f: Field) -> Pictures:
    if not f.is_mapping:
        raise BadValue("must be 'key: value' lines: " + ", ".join(PICTURE_KEYS))
    values: dict[str, object] = {}
    sizes = dict(THEME_SIZES)
    originals = False
    problems: list[BadValue] = []
    for key, item in f.entries().items():
        try:
            if key == "sizes":
                sizes.update(_picture_sizes(item))
            elif key == "publish_originals":
                originals = _bool(item)
            elif key in PICTURE_KEYS:
                values[key] = _PICTURE_PARSERS[key](item)
            else:
                raise BadValue(f"has no key '{key}'{_did_you_mean(key, list(PICTURE_KEYS))}")
        except BadValue as exc:
            problems.append(BadValue(str(exc) if key not in PICTURE_KEYS or key == "sizes"
                                     else f"{key} {exc}", exc.line or item.line))
    if problems:
        raise ExceptionGroup("pictures", problems)
    return Pictures(replace(Settings(), **values), tuple(sorted(sizes.items())),  # type: ignore[arg-type]
                    originals)


def _widths(f: Field) -> tuple[int, ...]:
    given = f.value
    if not (isinstance(given, list) and given and all(
            isinstance(w, int) and not isinstance(w, bool) and 16 <= w <= 4096 for w in given)):
        raise BadValue("must be a list of widths in pixels, from 16 to 4096, like "
                       "[360, 720, 1080]")
    return tuple(sorted(set(given)))


def _formats(f: Field) -> tuple[str, ...]:
    given = f.value
    if not (isinstance(given, list) and given and all(g in FORMATS for g in given)
            and given[-1] == "jpeg" and len(set(given)) == len(given)):
        raise BadValue("must be a list of avif, webp and jpeg that ends with jpeg, the "
                       "format every browser shows, like [avif, webp, jpeg]")
    return tuple(given)


def _between(low: int, high: int) -> Callable[[Field], int]:
    def parse(f: Field) -> int:
        if isinstance(f.value, bool) or not isinstance(f.value, int) \
                or not low <= f.value <= high:
            raise BadValue(f"must be a whole number from {low} to {high}, not {f.value!r}")
        return f.value
    return parse


def _picture_sizes(f: Field) -> dict[str, str]:
    if not f.is_mapping:
        raise BadValue("sizes must be 'slot: CSS width' lines, like 'hero: 100vw'")
    found = {}
    for slot, text in f.entries().items():
        try:
            found[slot] = _text(text)
        except BadValue as exc:
            raise BadValue(f"sizes: {slot} {exc}", text.line) from None
    return found


_PICTURE_PARSERS: dict[str, Callable[[Field], object]] = {
    "widths": _widths, "formats": _formats, "quality": _between(30, 95),
    "social_width": _between(600, 2400)}


def _output(f: Field) -> Path:
    return Path(_text(f))


def _strings(f: Field) -> dict[str, str | list[str]]:
    if not f.is_mapping:
        raise BadValue("must be 'label: text' lines")
    known = i18n.STRINGS["en"]
    result: dict[str, str | list[str]] = {}
    problems: list[BadValue] = []
    for key, item in f.entries().items():
        if key not in known:
            problems.append(BadValue(f"there is no label '{key}'{_did_you_mean(key, known)}",
                                        item.line))
            continue
        value = item.value
        if key in i18n.LIST_KEYS:
            size = i18n.LIST_KEYS[key]
            if not (isinstance(value, list) and len(value) == size
                    and all(isinstance(v, str) for v in value)):
                problems.append(BadValue(f"label '{key}' must be a list of {size} texts",
                                            item.line))
                continue
        elif not isinstance(value, str):
            problems.append(BadValue(f"label '{key}' must be text, not {item.kind}", item.line))
            continue
        elif key in i18n.FORMAT_KEYS and (why := i18n.check_format(value)):
            problems.append(BadValue(f"label '{key}' is not a usable date pattern ({why})",
                                        item.line))
            continue
        result[key] = value
    if problems:
        raise ExceptionGroup("strings", problems)
    return result


@dataclass(frozen=True, slots=True)
class Option:
    parse: Callable[[Field], object]
    default: object
    doc: str


REQUIRED = object()

OPTIONS: dict[str, Option] = {
    "title": Option(_text, REQUIRED, "The site's name, shown in every page's header and title."),
    "description": Option(_optional_text, "", "One sentence about the site, for the home page's "
                          "meta description."),
    "base_url": Option(_base_url, REQUIRED, "The full address the site is published at, "
                       "like https://example.com/ (a path such as /news/ is allowed)."),
    "language": Option(_language, "vi", "Language code of the site; picks the built-in labels "
                       "(vi, en) and goes into <html lang>."),
    "timezone": Option(_timezone, "Asia/Ho_Chi_Minh", "Time zone for dates written without an "
                       "offset, and for showing dates."),
    "sections": Option(_sections, REQUIRED, "The sections, in menu order: a list of slug and "
                       "title."),
    "older_news": Option(_count(0), 12, "How many headlines the 'Tin cũ hơn' list shows "
                         "(0 hides it)."),
    "per_page": Option(_count(1), 20, "Articles per page on section pages."),
    "permalink": Option(_permalink, "/{section}/{slug}/", "Address pattern of article pages; "
                        "parts: {section}, {slug}, {year}, {month}, {day}."),
    "slugs": Option(_slug_rule, None, "Where an article's slug comes from when it has no "
                    "slug: file (its file name, so editing a headline never moves the page) "
                    "or title (every headline edit moves it). Unset, it is file, and an "
                    "article whose headline gives another slug is an error that says the "
                    "slug: line to add, so no published address moves."),
    "output": Option(_output, Path("public"), "Folder the site is built into, relative to "
                     "the site."),
    "strings": Option(_strings, {}, "Interface labels that replace the built-in ones for the "
                      "site's language."),
    "raw_html": Option(_bool, False, "Let raw HTML in Markdown through. Off by default: with it "
                       "on, anyone who can edit an article can put scripts on the site."),
    "home_latest": Option(_count(1), 10, "How many articles the home page's latest list shows."),
    "home_per_section": Option(_count(0), 4, "How many articles the home page shows per "
                               "section (0 hides the section blocks)."),
    "home_featured": Option(_count(1), 5, "How many featured articles the home page's "
                            "'Tiêu điểm' shows: the lead story and the ones beside it."),
    "related_count": Option(_count(0), 5, "How many items 'Tin liên quan' shows: the editor's "
                            "picks first, then the best-matching other articles."),
    "feed_items": Option(_count(1), 50, "How many of the newest articles each feed carries."),
    "rss": Option(_bool, False, "Also write RSS 2.0 feeds (rss.xml) beside the Atom feeds."),
    "publisher": Option(_publisher, Publisher("", ""), "The publisher for search engines: "
                        "name (default: the site title) and logo (a path like "
                        "/images/logo.png)."),
    "svg_pictures": Option(_bool, False, "Publish SVG drawings that sit beside articles. Off "
                           "by default: an SVG file can hold scripts, which then run on the "
                           "site for every reader."),
    "pictures": Option(_pictures, Pictures(Settings(), tuple(sorted(THEME_SIZES.items())),
                                           False),
                       "How pictures are published: widths, formats (the last is the "
                       "fallback, jpeg), quality, social_width, sizes per slot of the theme, "
                       "and publish_originals (off: only the resized copies are published)."),
    "logo": Option(_static_picture, StaticPicture(""), "The site's logo in the header "
                   "instead of its title as text: a picture of static/, like "
                   "/images/logo.svg (its title is the picture's alt text). Also the "
                   "publisher's logo when publisher.logo is not set."),
    "footer": Option(_footer, (), "Lines under the site's name in every page's footer, in "
                     "order: the licence (Giấy phép), the editor-in-chief (Tổng biên tập), "
                     "the address, a contact."),
    "social": Option(_social, (), "The site's own pages elsewhere, linked in the footer: "
                     "'name: https address' lines, in that order."),
    "authors": Option(_authors, (), "What the author pages and search engines say of each "
                      "byline: under the byline as articles write it, its name (to print "
                      "instead), bio and photo (a file of static/)."),
    "max_article_mb": Option(_megabytes, 1.0, "Largest article file, in megabytes. A long "
                             "report is 0.2 MB; rendering a crafted megabyte takes about "
                             "500 MB of memory."),
}


def _did_you_mean(key: str, known: Mapping[str, object] | list[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def load_config(site_dir: Path, problems: Problems,
                overrides: Mapping[str, object] | None = None) -> SiteConfig:
    """Read `site_dir/site.yaml`; raise ConfigError with every problem in it.

    Warnings stay in `problems` for the caller to show. `overrides` (from the
    command line) replace values after parsing.
    """
    path = site_dir / CONFIG_FILE
    if not path.is_file():
        problems.error(f"no {CONFIG_FILE} in {site_dir}; run newsgen in a site folder or "
                       "name one with -s SITE_DIR")
        problems.check(ConfigError)
    text = read_text(path, CONFIG_FILE, problems)
    fields = parse_mapping(text, CONFIG_FILE, 1, problems, "the file") if text is not None \
        else None
    problems.check(ConfigError)
    assert fields is not None

    values: dict[str, object] = {}
    for key, f in fields.items():
        if key not in OPTIONS:
            problems.warn(f"unknown setting '{key}'{_did_you_mean(key, OPTIONS)}",
                          CONFIG_FILE, f.line)
    for key, option in OPTIONS.items():
        if key not in fields:
            if option.default is REQUIRED:
                problems.error(f"'{key}' is missing: {option.doc}", CONFIG_FILE, 1)
            else:
                values[key] = option.default
            continue
        f = fields[key]
        try:
            values[key] = option.parse(f)
        except BadValue as exc:
            problems.error(f"{key} {exc}", CONFIG_FILE, exc.line or f.line)
        except ExceptionGroup as group:
            for exc in group.exceptions:
                assert isinstance(exc, BadValue)
                problems.error(f"{key}: {exc}", CONFIG_FILE, exc.line or f.line)
    if isinstance(values.get("timezone"), str):  # the default is a name, not a zone yet
        values["timezone"] = ZoneInfo(str(values["timezone"]))
    values.update(overrides or {})
    problems.check(ConfigError)
    logo = values["logo"]
    if isinstance(logo, StaticPicture) and logo.src:
        values["logo"] = _measured(logo, "logo", site_dir, problems, fields["logo"].line)
        publisher = values["publisher"]
        if isinstance(publisher, Publisher) and not publisher.logo:
            values["publisher"] = Publisher(publisher.name, logo.src)
        problems.check(ConfigError)
    people = values["authors"]
    if isinstance(people, tuple) and any(a.photo.src for a in people):
        values["authors"] = tuple(replace(a, photo=_measured(a.photo, "photo", site_dir,
                                                             problems, a.line))
                                  if a.photo.src else a for a in people)
        problems.check(ConfigError)

    language = str(values["language"])
    strings = i18n.default_strings(language)
    given = values["strings"]
    assert isinstance(given, dict)
    if language.split("-")[0] not in i18n.STRINGS:
        missing = sorted(set(strings) - set(given))
        if missing:
            problems.warn(f"there are no built-in labels for language '{language}'; English is "
                          f"used for {len(missing)} labels not set under 'strings' "
                          f"({', '.join(missing[:3])}, ...)", CONFIG_FILE,
                          fields["language"].line if "language" in fields else 1)
    strings.update(given)
    values["strings"] = MappingProxyType(strings)
    output = values["output"]
    assert isinstance(output, Path)
    values["output"] = output if output.is_absolute() else site_dir / output
    return SiteConfig(site_dir=site_dir, **values)  # type: ignore[arg-type]

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
from newsgen.messages import _
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
    # The first card of a home page section block: two blocks side by side on wide screens.
    "block": "(min-width: 76rem) 35.5rem, (min-width: 60rem) calc(50vw - 2.5rem), "
             "(min-width: 36rem) calc(50vw - 2.25rem), calc(100vw - 2rem)",
    # The other cards of a home page section block: a grid on tablets, else a thumbnail.
    "brief": "(min-width: 60rem) 7rem, (min-width: 36rem) calc(50vw - 2.25rem), 7rem",
    "thumb": "7rem",  # lists: section pages, older news
}


@dataclass(frozen=True, slots=True)
class Archives:
    """Where the date archives live (`archives:` in site.yaml): address patterns of the
    month's and the day's pages; "" leaves that kind out."""

    month: str = "/{year}/{month}/"
    day: str = "/{year}/{month}/{day}/"


ARCHIVE_PARTS = {"month": ("year", "month"), "day": ("year", "month", "day")}


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
    search: bool
    archives: Archives
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
        raise BadValue(_("must be text, not {kind}", kind=f.kind))
    if not value.strip():
        raise BadValue(_("is empty; write the text between the quotes"))
    return value.strip()


def _optional_text(f: Field) -> str:
    """Text that may be left empty (`description: ""`), as an editor leaves it to fill."""
    if f.value is None or (isinstance(f.value, str) and not f.value.strip()):
        return ""
    return _text(f)


def _bool(f: Field) -> bool:
    if not isinstance(f.value, bool):
        raise BadValue(_("must be true or false, not {kind}", kind=f.kind))
    return f.value


def _count(minimum: int) -> Callable[[Field], int]:
    def parse(f: Field) -> int:
        value = f.value
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise BadValue(_("must be a whole number of at least {minimum}, not {value}",
                             minimum=minimum, value=repr(value)))
        return value
    return parse


def _megabytes(f: Field) -> float:
    value = f.value
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not 0 < value <= MAX_ARTICLE_MB:
        raise BadValue(_("must be a number of megabytes above 0 and at most {most}, like 1 or "
                         "0.5, not {value}", most=MAX_ARTICLE_MB, value=f.shown))
    return float(value)


def _base_url(f: Field) -> str:
    return check_base_url(_text(f))


def check_base_url(url: str) -> str:
    """A full http(s) address ending in '/', or BadValue saying how to write one."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BadValue(_("'{url}' is not a full address; write it like https://example.com/",
                         url=url))
    if parts.query or parts.fragment:
        raise BadValue(_("'{url}' must not have a ?query or #fragment", url=url))
    return url if url.endswith("/") else url + "/"


def _language(f: Field) -> str:
    value = _text(f)
    if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", value):
        raise BadValue(_("'{value}' is not a language code; use one like vi, en or en-GB",
                         value=value))
    return value


def _timezone(f: Field) -> ZoneInfo:
    name = _text(f)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: 'Asia' is a folder
        raise BadValue(_("'{name}' is not a time zone; use a name like Asia/Ho_Chi_Minh",
                         name=name)) from None


def _sections(f: Field) -> tuple[Section, ...]:
    if not f.is_list or not f.items():
        raise BadValue(_("must be a list of sections, each with a slug and a title"))
    sections: list[Section] = []
    problems: list[BadValue] = []
    for item in f.items():
        if not item.is_mapping:
            problems.append(BadValue(_("each section needs 'slug:' and 'title:'"), item.line))
            continue
        entries = item.entries()
        for key in sorted(set(entries) - {"slug", "title", "home"}):
            problems.append(BadValue(_("a section has no key '{key}'; use slug, title and "
                                       "home", key=key), entries[key].line))
        if "slug" not in entries or "title" not in entries:
            if "slug" in entries:
                needs = _("section '{slug}' needs 'title:'", slug=str(entries["slug"].value))
            else:
                needs = _("a section needs 'slug:'")
            problems.append(BadValue(needs, item.line))
            continue
        slug = entries["slug"].value
        if not isinstance(slug, str) or not is_slug(slug):
            problems.append(BadValue(_(
                "section slug {slug} must be lowercase ASCII letters, digits and '-', like "
                "the-gioi", slug=repr(slug)), entries["slug"].line))
            continue
        if any(s.slug == slug for s in sections):
            problems.append(BadValue(_("section '{slug}' is listed twice", slug=slug),
                                     entries["slug"].line))
            continue
        try:
            title = _text(entries["title"])
        except BadValue as exc:
            problems.append(BadValue(_("section title {problem}", problem=exc.message),
                                     entries["title"].line))
            continue
        home = None
        if "home" in entries:
            try:
                home = _count(0)(entries["home"])
            except BadValue as exc:
                problems.append(BadValue(_("section home {problem}", problem=exc.message),
                                         entries["home"].line))
                continue
        sections.append(Section(slug, title, home))
    if problems:
        raise ExceptionGroup("sections", problems)
    return tuple(sections)


SLUG_RULES = ("file", "title")


def _slug_rule(f: Field) -> str:
    if f.value not in SLUG_RULES:
        raise BadValue(_("must be file or title, not {value}", value=f.shown))
    return str(f.value)


def _permalink(f: Field) -> str:
    pattern = _text(f)
    used = re.findall(r"\{([^{}]*)\}", pattern)
    unknown = [u for u in used if u not in PERMALINK_FIELDS]
    if unknown:
        raise BadValue(_("'{pattern}' uses {{{part}}}; the parts are {parts}", pattern=pattern,
                         part=unknown[0], parts=", ".join("{" + p + "}" for p in PERMALINK_FIELDS)))
    if "slug" not in used:
        raise BadValue(_("'{pattern}' has no {{slug}}, so articles would share one address; "
                         "use /{{section}}/{{slug}}/", pattern=pattern))
    try:
        example = pattern.format(section="the-gioi", slug="tieu-de", year="2022", month="01",
                                 day="06")
    except (ValueError, IndexError):
        raise BadValue(_("'{pattern}' has a '{{' or '}}' that opens or closes no part; write "
                         "parts like {{slug}}", pattern=pattern)) from None
    if not (pattern.startswith("/") and pattern.endswith("/")):
        raise BadValue(_("'{pattern}' must start and end with '/', like /{{section}}/{{slug}}/",
                         pattern=pattern))
    if why := path_problem(example):
        raise BadValue(_("'{pattern}' gives addresses like {example}, which {why}; use folders "
                         "like /{{section}}/{{slug}}/", pattern=pattern, example=example,
                         why=why))
    return pattern


def _archives(f: Field) -> Archives:
    if f.value is False:
        return Archives("", "")
    if not f.is_mapping:
        raise BadValue(_("must be false, or 'key: value' lines with month and day, like "
                         "month: /{{year}}/{{month}}/"))
    found = {}
    for key, item in f.entries().items():
        if key not in ARCHIVE_PARTS:
            raise BadValue(_("has no key '{key}'; use month and day", key=key), item.line)
        found[key] = "" if item.value is False else _archive_pattern(item, key)
    return Archives(**found)


def _archive_pattern(f: Field, kind: str) -> str:
    """The address pattern of a month's or a day's page: its parts, each once, and no
    other, in folders."""
    parts = ARCHIVE_PARTS[kind]
    if not isinstance(f.value, str) or not f.value.strip():
        raise BadValue(_("{kind} must be an address like /{{year}}/{{month}}/, or false",
                         kind=kind), f.line)
    pattern = f.value.strip()
    used = re.findall(r"\{([^{}]*)\}", pattern)
    if sorted(used) != sorted(parts):
        raise BadValue(_("{kind} '{pattern}' must hold each of {parts} once, and no other "
                         "part", kind=kind, pattern=pattern,
                         parts=", ".join("{" + p + "}" for p in parts)), f.line)
    try:
        example = pattern.format(year="2022", month="01", day="06")
    except (ValueError, IndexError):
        raise BadValue(_("{kind} '{pattern}' has a '{{' or '}}' that opens or closes no "
                         "part", kind=kind, pattern=pattern), f.line) from None
    if not (pattern.startswith("/") and pattern.endswith("/")):
        raise BadValue(_("{kind} '{pattern}' must start and end with '/', like "
                         "/{{year}}/{{month}}/", kind=kind, pattern=pattern), f.line)
    if why := path_problem(example):
        raise BadValue(_("{kind} '{pattern}' gives addresses like {example}, which {why}",
                         kind=kind, pattern=pattern, example=example, why=why), f.line)
    return pattern


def _publisher(f: Field) -> Publisher:
    if not f.is_mapping:
        raise BadValue(_("must be 'key: value' lines with name and logo"))
    entries = f.entries()
    for key, item in entries.items():
        if key not in ("name", "logo"):
            raise BadValue(_("has no key '{key}'; use name and logo", key=key), item.line)
    name = _text(entries["name"]) if "name" in entries else ""
    logo = _text(entries["logo"]) if "logo" in entries else ""
    if logo and not logo.startswith("/"):
        raise BadValue(_("logo '{logo}' must be a path on the site, like /images/logo.png",
                         logo=logo), entries["logo"].line)
    return Publisher(name, logo)


def _static_picture(f: Field) -> StaticPicture:
    src = _text(f)
    if not src.startswith("/") or ".." in src.split("/"):
        raise BadValue(_("'{src}' must be a path on the site, like /images/logo.svg (a file "
                         "of static/)", src=src))
    return StaticPicture(src)


def _footer(f: Field) -> tuple[str, ...]:
    if not f.is_list:
        raise BadValue(_('must be a list of lines, like ["Giấy phép số 123/GP-BTTTT", '
                         '"Tổng biên tập: Nguyễn Văn A"]'))
    lines = []
    for item in f.items():
        if not isinstance(item.value, str) or not item.value.strip():
            raise BadValue(_("line '{line}' is {kind}, not text; put it in quotes",
                             line=item.shown, kind=item.kind), item.line)
        lines.append(" ".join(item.value.split()))
    return tuple(lines)


def _social(f: Field) -> tuple[tuple[str, str], ...]:
    if not f.is_mapping:
        raise BadValue(_("must be 'name: address' lines, like 'Facebook: "
                         "https://www.facebook.com/baocuatoi'"))
    links = []
    for name, item in f.entries().items():
        url = item.value if isinstance(item.value, str) else ""
        parts = urlsplit(url.strip())
        if parts.scheme != "https" or not parts.netloc:
            raise BadValue(_("{name} '{value}' must be an https:// address", name=str(name),
                             value=item.shown), item.line)
        links.append((" ".join(str(name).split()), url.strip()))
    return tuple(links)


def _measured(picture: StaticPicture, what: str, site_dir: Path, problems: Problems, line: int
              ) -> StaticPicture:
    """The picture with its size, from the site's static/; a problem when it is not there
    or is no picture (`what` names it: "logo")."""
    rel = picture.src.lstrip("/")
    path = site_dir / "static" / rel
    if any(part.startswith(".") for part in rel.split("/")) or not path.is_file():
        problems.error(_("{what} '{src}' not found: there is no static{src}", what=what,
                         src=picture.src), CONFIG_FILE, line)
        return picture
    found = measure(path)
    if isinstance(found, str):
        problems.error(_("{what} '{src}' {problem}", what=what, src=picture.src, problem=found),
                       CONFIG_FILE, line)
        return picture
    width, height = found[0], found[1]
    if not width or not height:
        problems.error(_("{what} '{src}' has no size; give the SVG width and height "
                         "attributes, or a viewBox", what=what, src=picture.src),
                       CONFIG_FILE, line)
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
        raise BadValue(_("must be 'byline:' entries with name, bio and photo, like "
                         "'Thanh Hà: {{bio: \"Phóng viên thời sự\", photo: "
                         "/images/thanh-ha.jpg}}'"))
    found: dict[str, Author] = {}
    for byline, item in f.entries().items():
        slug = slugify(" ".join(str(byline).split()))
        if not slug:
            raise BadValue(_("'{byline}' has no letter or digit", byline=str(byline)), item.line)
        if slug in found:
            raise BadValue(_("'{byline}' is the same author as one above; keep one",
                             byline=str(byline)), item.line)
        values = item.entries() if item.is_mapping else {}
        if not item.is_mapping and item.value is not None:
            raise BadValue(_("{byline} must be 'key: value' lines: name, bio, photo",
                             byline=str(byline)), item.line)
        for key, value in values.items():
            if key not in ("name", "bio", "photo"):
                raise BadValue(_("{byline} has no key '{key}'; use name, bio and photo",
                                 byline=str(byline), key=key), value.line)
        photo = _static_picture(values["photo"]) if "photo" in values else StaticPicture("")
        found[slug] = Author(slug, _optional_text(values["name"]) if "name" in values else "",
                             _optional_text(values["bio"]) if "bio" in values else "", photo,
                             values["photo"].line if "photo" in values else 0)
    return tuple(found.values())


PICTURE_KEYS = ("widths", "formats", "quality", "social_width", "sizes", "publish_originals")
FORMATS = ("avif", "webp", "jpeg")


def _pictures(f: Field) -> Pictures:
    if not f.is_mapping:
        raise BadValue(_("must be 'key: value' lines: {keys}", keys=", ".join(PICTURE_KEYS)))
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
                raise BadValue(_("has no key '{key}'{hint}", key=key,
                                 hint=_did_you_mean(key, list(PICTURE_KEYS))))
        except BadValue as exc:
            problems.append(BadValue(exc.message if key not in PICTURE_KEYS or key == "sizes"
                                     else _("{key} {problem}", key=key, problem=exc.message),
                                     exc.line or item.line))
    if problems:
        raise ExceptionGroup("pictures", problems)
    return Pictures(replace(Settings(), **values), tuple(sorted(sizes.items())),  # type: ignore[arg-type]
                    originals)


def _widths(f: Field) -> tuple[int, ...]:
    given = f.value
    if not (isinstance(given, list) and given and all(
            isinstance(w, int) and not isinstance(w, bool) and 16 <= w <= 4096 for w in given)):
        raise BadValue(_("must be a list of widths in pixels, from 16 to 4096, like "
                         "[360, 720, 1080]"))
    return tuple(sorted(set(given)))


def _formats(f: Field) -> tuple[str, ...]:
    given = f.value
    if not (isinstance(given, list) and given and all(g in FORMATS for g in given)
            and given[-1] == "jpeg" and len(set(given)) == len(given)):
        raise BadValue(_("must be a list of avif, webp and jpeg that ends with jpeg, the "
                         "format every browser shows, like [avif, webp, jpeg]"))
    return tuple(given)


def _between(low: int, high: int) -> Callable[[Field], int]:
    def parse(f: Field) -> int:
        if isinstance(f.value, bool) or not isinstance(f.value, int) \
                or not low <= f.value <= high:
            raise BadValue(_("must be a whole number from {low} to {high}, not {value}",
                             low=low, high=high, value=repr(f.value)))
        return f.value
    return parse


def _picture_sizes(f: Field) -> dict[str, str]:
    if not f.is_mapping:
        raise BadValue(_("sizes must be 'slot: CSS width' lines, like 'hero: 100vw'"))
    found = {}
    for slot, text in f.entries().items():
        try:
            found[slot] = _text(text)
        except BadValue as exc:
            raise BadValue(_("sizes: {slot} {problem}", slot=slot, problem=exc.message),
                           text.line) from None
    return found


_PICTURE_PARSERS: dict[str, Callable[[Field], object]] = {
    "widths": _widths, "formats": _formats, "quality": _between(30, 95),
    "social_width": _between(600, 2400)}


def _output(f: Field) -> Path:
    return Path(_text(f))


def _strings(f: Field) -> dict[str, str | list[str]]:
    if not f.is_mapping:
        raise BadValue(_("must be 'label: text' lines"))
    known = i18n.STRINGS["en"]
    result: dict[str, str | list[str]] = {}
    problems: list[BadValue] = []
    for key, item in f.entries().items():
        if key not in known:
            problems.append(BadValue(_("there is no label '{key}'{hint}", key=key,
                                       hint=_did_you_mean(key, known)), item.line))
            continue
        value = item.value
        if key in i18n.LIST_KEYS:
            size = i18n.LIST_KEYS[key]
            if not (isinstance(value, list) and len(value) == size
                    and all(isinstance(v, str) for v in value)):
                problems.append(BadValue(_("label '{key}' must be a list of {size} texts",
                                           key=key, size=size), item.line))
                continue
        elif not isinstance(value, str):
            problems.append(BadValue(_("label '{key}' must be text, not {kind}", key=key,
                                       kind=item.kind), item.line))
            continue
        elif key in i18n.FORMAT_KEYS and (why := i18n.check_format(value)):
            problems.append(BadValue(_("label '{key}' is not a usable date pattern ({why})",
                                       key=key, why=why), item.line))
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
    "title": Option(_text, REQUIRED, _("The site's name, shown in every page's header and title.")),
    "description": Option(_optional_text, "", _(
        "One sentence about the site, for the home page's meta description.")),
    "base_url": Option(_base_url, REQUIRED, _(
        "The full address the site is published at, like https://example.com/ (a path such as "
        "/news/ is allowed).")),
    "language": Option(_language, "vi", _(
        "Language code of the site; picks the built-in labels (vi, en) and goes into <html "
        "lang>.")),
    "timezone": Option(_timezone, "Asia/Ho_Chi_Minh", _(
        "Time zone for dates written without an offset, and for showing dates.")),
    "sections": Option(_sections, REQUIRED, _(
        "The sections, in menu order: a list of slug and title.")),
    "older_news": Option(_count(0), 12, _(
        "How many headlines the 'Tin cũ hơn' list shows (0 hides it).")),
    "per_page": Option(_count(1), 20, _("Articles per page on section pages.")),
    "permalink": Option(_permalink, "/{section}/{slug}/", _(
        "Address pattern of article pages; parts: {{section}}, {{slug}}, {{year}}, {{month}}, "
        "{{day}}.")),
    "slugs": Option(_slug_rule, None, _(
        "Where an article's slug comes from when it has no slug: file (its file name, so "
        "editing a headline never moves the page) or title (every headline edit moves it). "
        "Unset, it is file, and an article whose headline gives another slug is an error that "
        "says the slug: line to add, so no published address moves.")),
    "output": Option(_output, Path("public"), _(
        "Folder the site is built into, relative to the site.")),
    "strings": Option(_strings, {}, _(
        "Interface labels that replace the built-in ones for the site's language.")),
    "raw_html": Option(_bool, False, _(
        "Let raw HTML in Markdown through. Off by default: with it on, anyone who can edit an "
        "article can put scripts on the site.")),
    "home_latest": Option(_count(1), 10, _("How many articles the home page's latest list shows.")),
    "home_per_section": Option(_count(0), 4, _(
        "How many articles the home page shows per section (0 hides the section blocks).")),
    "home_featured": Option(_count(1), 5, _(
        "How many featured articles the home page's 'Tiêu điểm' shows: the lead story and the "
        "ones beside it.")),
    "related_count": Option(_count(0), 5, _(
        "How many items 'Tin liên quan' shows: the editor's picks first, then the best-matching"
        " other articles.")),
    "feed_items": Option(_count(1), 50, _("How many of the newest articles each feed carries.")),
    "rss": Option(_bool, False, _("Also write RSS 2.0 feeds (rss.xml) beside the Atom feeds.")),
    "search": Option(_bool, False, _(
        "Make a search index of the articles (pagefind/), a search page and a search box in "
        "every header. The index is made again whenever an article changes.")),
    "archives": Option(_archives, Archives(), _(
        "Date archives, linked from each article's date: the address of a month's page and of"
        " a day's, like month: /{{year}}/{{month}}/ and day: /{{year}}/{{month}}/{{day}}/ (the"
        " defaults); false leaves one out, archives: false both.")),
    "publisher": Option(_publisher, Publisher("", ""), _(
        "The publisher for search engines: name (default: the site title) and logo (a path like"
        " /images/logo.png).")),
    "svg_pictures": Option(_bool, False, _(
        "Publish SVG drawings that sit beside articles. Off by default: an SVG file can hold "
        "scripts, which then run on the site for every reader.")),
    "pictures": Option(_pictures, Pictures(Settings(), tuple(sorted(THEME_SIZES.items())),
                                           False), _(
        "How pictures are published: widths, formats (the last is the fallback, jpeg), quality,"
        " social_width, sizes per slot of the theme, and publish_originals (off: only the "
        "resized copies are published).")),
    "logo": Option(_static_picture, StaticPicture(""), _(
        "The site's logo in the header instead of its title as text: a picture of static/, like"
        " /images/logo.svg (its title is the picture's alt text). Also the publisher's logo "
        "when publisher.logo is not set.")),
    "footer": Option(_footer, (), _(
        "Lines under the site's name in every page's footer, in order: the licence (Giấy phép),"
        " the editor-in-chief (Tổng biên tập), the address, a contact.")),
    "social": Option(_social, (), _(
        "The site's own pages elsewhere, linked in the footer: 'name: https address' lines, in "
        "that order.")),
    "authors": Option(_authors, (), _(
        "What the author pages and search engines say of each byline: under the byline as "
        "articles write it, its name (to print instead), bio and photo (a file of static/).")),
    "max_article_mb": Option(_megabytes, 1.0, _(
        "Largest article file, in megabytes. A long report is 0.2 MB; rendering a crafted "
        "megabyte takes about 500 MB of memory.")),
}


def _did_you_mean(key: str, known: Mapping[str, object] | list[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return _("; did you mean '{key}'?", key=close[0]) if close else ""


_LANGUAGE_LINE = re.compile(r"""language:[ \t]*["']?([A-Za-z0-9-]+)["']?[ \t]*(?:#.*)?""")


def site_language(site_dir: Path) -> str | None:
    """The language site.yaml names, read before anything else to choose the language
    of messages; None when there is no site.yaml or it names none. Never a problem:
    a broken site.yaml is reported by `load_config`, in the language found here, so
    a top-level `language:` line is looked for even where the YAML does not parse."""
    quiet = Problems()  # whatever is wrong with site.yaml, load_config reports it
    text = read_text(site_dir / CONFIG_FILE, CONFIG_FILE, quiet)
    if text is None:
        return None
    fields = parse_mapping(text, CONFIG_FILE, 1, quiet, _("the file"))
    if fields is not None:
        value = fields["language"].value if "language" in fields else None
        return value.strip() if isinstance(value, str) and value.strip() else None
    for line in text.split("\n"):
        if match := _LANGUAGE_LINE.fullmatch(line.rstrip()):
            return match[1]
    return None


def load_config(site_dir: Path, problems: Problems,
                overrides: Mapping[str, object] | None = None) -> SiteConfig:
    """Read `site_dir/site.yaml`; raise ConfigError with every problem in it.

    Warnings stay in `problems` for the caller to show. `overrides` (from the
    command line) replace values after parsing.
    """
    path = site_dir / CONFIG_FILE
    if not path.is_file():
        problems.error(_("no {file} in {folder}; run newsgen in a site folder or name one "
                         "with -s SITE_DIR", file=CONFIG_FILE, folder=str(site_dir)))
        problems.check(ConfigError)
    text = read_text(path, CONFIG_FILE, problems)
    fields = parse_mapping(text, CONFIG_FILE, 1, problems, _("the file")) if text is not None \
        else None
    problems.check(ConfigError)
    assert fields is not None

    values: dict[str, object] = {}
    for key, f in fields.items():
        if key not in OPTIONS:
            problems.warn(_("unknown setting '{key}'{hint}", key=key,
                            hint=_did_you_mean(key, OPTIONS)), CONFIG_FILE, f.line)
    for key, option in OPTIONS.items():
        if key not in fields:
            if option.default is REQUIRED:
                problems.error(_("'{key}' is missing: {doc}", key=key, doc=option.doc),
                               CONFIG_FILE, 1)
            else:
                values[key] = option.default
            continue
        f = fields[key]
        try:
            values[key] = option.parse(f)
        except BadValue as exc:
            problems.error(_("{key} {problem}", key=key, problem=exc.message), CONFIG_FILE,
                           exc.line or f.line)
        except ExceptionGroup as group:
            for exc in group.exceptions:
                assert isinstance(exc, BadValue)
                problems.error(_("{key}: {problem}", key=key, problem=exc.message), CONFIG_FILE,
                               exc.line or f.line)
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
            problems.warn(_("there are no built-in labels for language '{language}'; English "
                            "is used for {count} labels not set under 'strings' ({first}, ...)",
                            language=language, count=len(missing),
                            first=", ".join(missing[:3])), CONFIG_FILE,
                          fields["language"].line if "language" in fields else 1)
    strings.update(given)
    values["strings"] = MappingProxyType(strings)
    output = values["output"]
    assert isinstance(output, Path)
    values["output"] = output if output.is_absolute() else site_dir / output
    return SiteConfig(site_dir=site_dir, **values)  # type: ignore[arg-type]

"""The article model and the table of front-matter parsers that fills it.

Each front-matter key has one parser (Pelican's METADATA_PROCESSORS idea) that
returns a value or raises `BadValue` with a message that says how to fix it.
Unknown keys are warned about by name and line, never set on the model.
"""

from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from newsgen.content.config import SiteConfig
from newsgen.content.frontmatter import SourceFile
from newsgen.content.source import Field
from newsgen.engine.store import by_fields
from newsgen.errors import BadValue, Problems
from newsgen.messages import _
from newsgen.urls import is_slug, path_problem, slugify

SAFE_SCHEMES = ("http", "https")


@dataclass(frozen=True, slots=True)
class Image:
    __reduce__ = by_fields

    src: str  # as written: /images/a.jpg, a.jpg (next to the article) or https://...
    alt: str
    caption: str
    line: int
    credit: str = ""  # who made it, as readers see it: "Ảnh: Reuters"
    focus: tuple[int, int] = (50, 50)  # percent across and down: what crops keep in view
    described: bool = True  # whether `alt:` was written (else the caption stands in)


@dataclass(frozen=True, slots=True)
class Link:
    """A related item outside the site (or outside newsgen's articles)."""

    __reduce__ = by_fields
    title: str
    url: str
    line: int


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to another article by its slug, kept with its line for errors."""

    __reduce__ = by_fields
    slug: str
    line: int


@dataclass(frozen=True, slots=True)
class Article:
    __reduce__ = by_fields

    source: str  # relative to the site: content/the-gioi/x.md
    title: str
    date: datetime
    section: str
    slug: str
    updated: datetime | None
    lead: str
    authors: tuple[str, ...]
    tags: tuple[str, ...]
    image: Image | None
    related: tuple[Ref | Link, ...]
    older: tuple[Ref, ...] | None  # None: computed from the section
    draft: bool
    expires: datetime | None
    breaking: datetime | None  # until then a banner on every page links the article
    aliases: tuple[str, ...]  # old site paths that redirect here
    body: str
    body_line: int
    lines: dict[str, int]  # front-matter key -> line, for problems found later
    # The editor's choice, each true (with no end) or a time until which it holds:
    featured: datetime | bool = False  # in the home page's "Tiêu điểm", the first one leading
    pin: datetime | bool = False  # on top of its section's pages and home block

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)

    @property
    def sort_key(self) -> tuple[float, str]:
        """Newest first, ties broken by slug so every listing is deterministic."""
        return (-self.date.timestamp(), self.slug)


# --- field parsers ---

Parser = Callable[[Field, SiteConfig], object]


def _text(f: Field, config: SiteConfig) -> str:
    if not isinstance(f.value, str):
        raise BadValue(_("must be text, not {kind}", kind=f.kind), f.line)
    if not f.value.strip():
        raise BadValue(_("is empty; write the text between the quotes"), f.line)
    return " ".join(f.value.split())


def _optional_text(f: Field, config: SiteConfig) -> str:
    """Text that may be left empty: `lead: ""`, or `alt: ""` for a decorative picture."""
    if f.value is None:
        return ""
    if not isinstance(f.value, str):
        raise BadValue(_("must be text, not {kind}", kind=f.kind), f.line)
    return " ".join(f.value.split())


def parse_datetime(text: str, tz: tzinfo, day_first: bool = False) -> datetime:
    """An ISO 8601 date or date-time; without an offset it is in `tz`.

    '@<seconds>' is a Unix time (what SOURCE_DATE_EPOCH holds). `day_first`: also
    the way Vietnamese newsrooms write a time (`25/11/2026 6h00`, `06:00 25/11/2026`);
    elsewhere such a date is refused with its ISO form in the message, since
    11/05/2026 is the 11th of May in Hà Nội and the 5th of November in New York.
    """
    text = text.strip()
    if re.fullmatch(r"@[0-9]+", text):
        try:
            parsed = datetime.fromtimestamp(int(text[1:]), UTC)
        except (ValueError, OverflowError, OSError):
            raise BadValue(_("'{text}' is not a time newsgen can use", text=text)) from None
        return _in_range(parsed, text)
    if (written := _day_first(text)) is not None:
        return _in_range(_written_date(text, written, tz, day_first), text)
    offset = re.search(r"[+-](\d\d):?(\d\d)$", text) if "T" in text or " " in text else None
    if offset and (int(offset[1]) > 14 or int(offset[2]) > 59):
        raise BadValue(_("'{text}' has the offset {offset}, which no time zone has; "
                         "offsets run from -12:00 to +14:00 (Vietnam is +07:00)",
                         text=text, offset=offset[0]))
    try:
        if len(text) == 10:
            parsed = datetime.combine(date.fromisoformat(text), time())
        else:
            parsed = datetime.fromisoformat(text)
    except ValueError:
        raise BadValue(_("'{text}' is not a date; use 2022-01-06 or "
                         "2022-01-06T09:00:00+07:00", text=text)) from None
    return _in_range(parsed if parsed.tzinfo else parsed.replace(tzinfo=tz), text)


_DMY = r"(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4}|\d{2})"
_HM = r"(?P<H>\d{1,2})(?:[hg](?P<M>\d{2})?|:(?P<M2>\d{2})(?::(?P<S>\d{2}))?)"
_DAY_FIRST = (re.compile(rf"(?:ngày\s+)?{_DMY}(?:[\s,]+(?:lúc\s+)?{_HM})?", re.IGNORECASE),
              re.compile(rf"(?:lúc\s+)?{_HM}[\s,]+(?:ngày\s+)?{_DMY}", re.IGNORECASE))


def _day_first(text: str) -> re.Match[str] | None:
    for pattern in _DAY_FIRST:
        if match := pattern.fullmatch(text):
            return match
    return None


def _written_date(text: str, m: re.Match[str], tz: tzinfo, day_first: bool) -> datetime:
    """The time a day-first date stands for (`day_first`), else why it is refused, with
    the way to write it."""
    day, month, year = int(m["d"]), int(m["m"]), int(m["y"])
    if year < 100:
        year += 2000
    when = _on(year, month, day, m, tz)
    if when is not None and day_first and len(m["y"]) == 4:
        return when
    if when is not None:
        iso = _iso(when, m)
        if not day_first and day <= 12 and day != month:
            other = _on(year, day, month, m, tz)
            raise BadValue(_("'{text}' is not a date newsgen reads; write it as {iso} if "
                             "{day} is the day, or {other} if it is the month",
                             text=text, iso=iso, day=day, other=_iso(other, m)))
        raise BadValue(_("'{text}' is not a date newsgen reads; write it as {iso}",
                         text=text, iso=iso))
    if 1 <= day <= 31 and _on(year, month, 1, m, tz) is not None:  # month and time right
        raise BadValue(_("'{text}': {month}/{year} has no day {day}; check the date",
                         text=text, month=month, year=year, day=day))
    raise BadValue(_("'{text}' is not a date; write day/month/year and hours:minutes, "
                     "like 25/11/2026 06:00, or 2026-11-25T06:00:00+07:00", text=text))


def _on(year: int, month: int, day: int, m: re.Match[str], tz: tzinfo) -> datetime | None:
    """That day at the time the match holds (midnight without one); None if there is no
    such day or time."""
    try:
        return datetime(year, month, day, int(m["H"] or 0), int(m["M"] or m["M2"] or 0),
                        int(m["S"] or 0), tzinfo=tz)
    except ValueError:
        return None


def _iso(when: datetime | None, m: re.Match[str]) -> str:
    """The ISO form to write: the time only where one was written."""
    if when is None:
        return _("no date")
    return when.isoformat() if m["H"] else when.date().isoformat()


def vietnamese(config: SiteConfig) -> bool:
    """Whether the site's editors write as Vietnamese newsrooms do (dates day first)."""
    return config.language.split("-")[0].lower() == "vi"


def _in_range(value: datetime, text: str) -> datetime:
    """Years 1 and 9999 cannot be moved into every time zone; no article is dated there."""
    if not 1000 <= value.year <= 9998:
        raise BadValue(_("'{text}' is in the year {year}; check the year",
                         text=text, year=value.year))
    return value


def _datetime(f: Field, config: SiteConfig) -> datetime:
    if not isinstance(f.value, str):
        raise BadValue(_("'{text}' is not a date; use 2022-01-06 or "
                         "2022-01-06T09:00:00+07:00", text=f.shown))
    return parse_datetime(f.value, config.timezone, day_first=vietnamese(config))


def _section(f: Field, config: SiteConfig) -> str:
    value = f.value
    if isinstance(value, str) and value in config.section_by_slug:
        return value
    slugs = list(config.section_by_slug)
    close = difflib.get_close_matches(str(value), slugs, n=1)
    hint = _("did you mean '{name}'?", name=close[0]) if close else \
        _("use one of: {names}", names=", ".join(slugs))
    raise BadValue(_("'{value}' is not in site.yaml; {hint}", value=f.shown, hint=hint))


def _slug(f: Field, config: SiteConfig) -> str:
    value = f.value
    if isinstance(value, str) and is_slug(value):
        return value
    suggestion = slugify(str(value)) if value is not None else ""
    hint = _("; use '{slug}'", slug=suggestion) if suggestion else ""
    raise BadValue(_("'{value}' must be lowercase ASCII letters, digits and '-'{hint}",
                     value=f.shown, hint=hint))


MAX_ITEMS = {"authors": 20, "tags": 50, "related": 50, "older": 50, "aliases": 50}
"""The most items each list may have: more than any page shows, and a bound on the
work (and the related search's) one article can cause."""


def _items(f: Field, what: str) -> list[Field]:
    """The items of a front-matter list, refused when there are more than allowed."""
    if len(f.node.value) > MAX_ITEMS[what]:
        raise BadValue(_("has {count:,} items; at most {most} are allowed, keep the ones "
                         "that matter most", count=len(f.node.value), most=MAX_ITEMS[what]))
    return f.items()


def _text_list(what: str) -> Parser:
    def parse(f: Field, config: SiteConfig) -> tuple[str, ...]:
        # A byline is written as it is printed: `authors: Minh Quân, Thanh Hà` is two people.
        one = isinstance(f.value, str) and what == "authors"
        if not (f.is_list or one):
            raise BadValue(_("must be a list, like [Mỹ, Nhật Bản], not {kind}", kind=f.kind))
        texts: list[tuple[str, int]] = []  # (the text of an item, its line)
        for item in [] if one else _items(f, what):
            if item.is_mapping:
                raise BadValue(_("item '{item}' is read as 'key: value'; put it in quotes",
                                 item=item.shown), item.line)
            if not isinstance(item.value, str) or not item.value.strip():
                raise BadValue(_("item '{item}' is {kind}, not text; put it in quotes",
                                 item=item.shown, kind=item.kind), item.line)
            texts.append((item.value, item.line))
        if one:
            names = [name for name in re.split(r"[,;]", str(f.value)) if name.strip()]
            if not names:
                raise BadValue(_("'{value}' has no name; write the byline, or remove the line",
                                 value=f.shown))
            if len(names) > MAX_ITEMS[what]:
                raise BadValue(_("has {count:,} names; at most {most} are allowed, keep the "
                                 "ones that matter most", count=len(names),
                                 most=MAX_ITEMS[what]))
            texts = [(name, f.line) for name in names]
        result: list[str] = []
        slugs: dict[str, str] = {}  # slug -> the item that has it: one page per slug
        for value, line in texts:
            text = " ".join(value.split())
            if not slugify(text):
                raise BadValue(_("item '{item}' has no letter or digit to make its page "
                                 "address from", item=text), line)
            slug = slugify(text)
            if slug in slugs:  # 'Hà Nội' and 'Ha Noi' are one page: one of them goes
                raise BadValue(_("item '{item}' is the same as '{other}'; remove one",
                                 item=text, other=slugs[slug]), line)
            slugs[slug] = text
            result.append(text)
        return tuple(result)
    return parse


def check_url(url: str, line: int) -> str:
    """Refuse javascript:, data: and friends: only web and site-relative addresses."""
    try:
        parts = urlsplit(url)
    except ValueError:  # 'http://[::1/a': an address urllib cannot even take apart
        raise BadValue(_("'{url}' is not a usable address; write it like "
                         "https://example.com/", url=url), line) from None
    if parts.scheme and parts.scheme.lower() not in SAFE_SCHEMES:
        raise BadValue(_("'{url}' is not allowed; use an https:// address or a path on "
                         "this site", url=url), line)
    if parts.scheme and not parts.netloc:
        raise BadValue(_("'{url}' is not a full address; write it like https://example.com/",
                         url=url), line)
    return url


def _entries(f: Field, allowed: tuple[str, ...], what: str) -> dict[str, Field]:
    """The entries of a mapping of `allowed` keys; `what`: "image" or "items" (of related)."""
    keys = ", ".join(allowed)
    if not f.is_mapping:
        if what == "items":
            raise BadValue(_("items must be 'key: value' lines with {keys}", keys=keys))
        raise BadValue(_("must be 'key: value' lines with {keys}", keys=keys))
    entries = f.entries()
    for key, item in entries.items():
        if key not in allowed:
            raise BadValue(_("has no key '{key}'; use {keys}", key=key, keys=keys), item.line)
    return entries


def _part(entries: dict[str, Field], key: str, parse: Parser, config: SiteConfig) -> str:
    """Parse one key of a nested mapping, naming the key in the message."""
    try:
        return str(parse(entries[key], config))
    except BadValue as exc:
        raise BadValue(_("{key} {problem}", key=key, problem=exc.message), exc.line) from None


def _focus(f: Field, config: SiteConfig) -> tuple[int, int]:
    """`focus: 30% 40%`: the point of a picture crops keep, across then down."""
    text = str(f.value).strip() if isinstance(f.value, str | int) else ""
    parts = text.replace("%", " ").split()
    if len(parts) != 2 or not all(p.isdigit() and int(p) <= 100 for p in parts):
        raise BadValue(_("'{value}' is not a point of the picture; write it across then "
                         "down, like 50% 30% (the middle of the upper third)",
                         value=str(f.value)))
    return int(parts[0]), int(parts[1])


def _image(f: Field, config: SiteConfig) -> Image:
    entries = _entries(f, ("src", "alt", "caption", "credit", "focus"), "image")
    if "src" not in entries:
        raise BadValue(_("needs 'src:', the picture's file or address"))
    src = check_url(_part(entries, "src", _text, config), entries["src"].line)
    caption = _part(entries, "caption", _optional_text, config) if "caption" in entries else ""
    credit = _part(entries, "credit", _optional_text, config) if "credit" in entries else ""
    focus = (50, 50)
    if "focus" in entries:
        try:
            focus = _focus(entries["focus"], config)
        except BadValue as exc:
            raise BadValue(_("{key} {problem}", key="focus", problem=exc.message),
                           entries["focus"].line) from None
    # No alt: the caption describes the picture. An empty alt: "" marks it decorative.
    alt = _part(entries, "alt", _optional_text, config) if "alt" in entries else caption
    return Image(src, alt, caption, entries["src"].line, credit, focus, "alt" in entries)


def _related(f: Field, config: SiteConfig) -> tuple[Ref | Link, ...]:
    if not f.is_list:
        raise BadValue(_("must be a list of article slugs or {{title, url}} links"))
    items: list[Ref | Link] = []
    for item in _items(f, "related"):
        if isinstance(item.value, str):
            items.append(Ref(item.value.strip(), item.line))
            continue
        try:
            entries = _entries(item, ("title", "url"), "items")
        except BadValue as exc:
            raise BadValue(exc.message, exc.line or item.line) from None
        if set(entries) != {"title", "url"}:
            raise BadValue(_("links need both title and url"), item.line)
        url = check_url(_part(entries, "url", _text, config), entries["url"].line)
        items.append(Link(_part(entries, "title", _text, config), url, item.line))
    return tuple(items)


def _older(f: Field, config: SiteConfig) -> tuple[Ref, ...]:
    if not f.is_list:
        raise BadValue(_("must be a list of article slugs"))
    refs = []
    for item in _items(f, "older"):
        if not isinstance(item.value, str):
            raise BadValue(_("item '{item}' is not an article slug", item=item.shown),
                           item.line)
        refs.append(Ref(item.value.strip(), item.line))
    return tuple(refs)


def _aliases(f: Field, config: SiteConfig) -> tuple[str, ...]:
    if not f.is_list:
        raise BadValue(_("must be a list of old addresses, like [/the-gioi/tieu-de-cu/]"))
    paths: list[str] = []
    for item in _items(f, "aliases"):
        path = item.value
        if not isinstance(path, str) or not path.startswith("/"):
            raise BadValue(_("item '{item}' must be a path on this site, like "
                             "/the-gioi/tieu-de-cu/", item=item.shown), item.line)
        if why := path_problem(path):
            raise BadValue(_("item '{item}' {problem}; an alias is an old address of this "
                             "article, like /the-gioi/tieu-de-cu/", item=item.shown,
                             problem=why), item.line)
        last = path.rsplit("/", 1)[1]
        paths.append(path if path.endswith("/") or "." in last else path + "/")
    return tuple(paths)


def _bool(f: Field, config: SiteConfig) -> bool:
    if not isinstance(f.value, bool):
        raise BadValue(_("must be true or false, not '{value}'", value=f.shown))
    return f.value


def _until(f: Field, config: SiteConfig) -> datetime | bool:
    """true, false, or the time the choice ends."""
    if isinstance(f.value, bool):
        return f.value
    if isinstance(f.value, str):
        with contextlib.suppress(BadValue):
            return parse_datetime(f.value, config.timezone, day_first=vietnamese(config))
    raise BadValue(_("must be true, false or the time it ends, not '{value}'; use 2022-01-06 "
                     "or 2022-01-06T09:00:00+07:00", value=f.shown))


@dataclass(frozen=True, slots=True)
class FieldSpec:
    parse: Parser
    required: bool
    doc: str
    example: str = ""  # the line to add when a required key is missing


FIELDS: dict[str, FieldSpec] = {
    "title": FieldSpec(_text, True, "The headline.", 'title: "Tiêu đề bài viết"'),
    "date": FieldSpec(_datetime, True, "Publication time; without an offset it is in the "
                      "site's time zone.", "date: 2022-01-06T09:00:00+07:00"),
    "updated": FieldSpec(_datetime, False, "Time of the last real change, shown as 'Cập nhật'."),
    "section": FieldSpec(_section, True, "Slug of one of the sections in site.yaml.",
                         "section: {section}"),
    "slug": FieldSpec(_slug, False, "The article's URL name; by default made from the title."),
    "lead": FieldSpec(_optional_text, False, "The sapo: one or two sentences above the body."),
    "authors": FieldSpec(_text_list("authors"), False, "Byline: one name or a list."),
    "tags": FieldSpec(_text_list("tags"), False, "A list of topics."),
    "image": FieldSpec(_image, False, "Hero image: src, alt, caption, credit, focus."),
    "related": FieldSpec(_related, False, "Related articles: slugs or {title, url} links."),
    "older": FieldSpec(_older, False, "Slugs for 'Tin cũ hơn'; by default the newest earlier "
                       "articles of the same section."),
    "draft": FieldSpec(_bool, False, "true keeps the article out of the site unless --drafts."),
    "expires": FieldSpec(_datetime, False, "After this time the article leaves the site."),
    "breaking": FieldSpec(_datetime, False, "Until this time a 'Tin nóng' banner on every "
                          "page links the article."),
    "aliases": FieldSpec(_aliases, False, "Old addresses of the article; each gets a redirect "
                         "to the current one."),
    "featured": FieldSpec(_until, False, "true, or the time until which the article is in "
                          "the home page's 'Tiêu điểm' (top stories); the newest featured "
                          "article leads the page."),
    "pin": FieldSpec(_until, False, "true, or the time until which the article stays on top "
                     "of its section's page and its home page block."),
}
# The words newsrooms use for the keys, as slugs (`tóm tắt`, `Tom_tat` and `tom-tat` are
# one): an editor who writes `sapo:` or `tác giả:` is told the key newsgen reads.
NEWSROOM_WORDS: dict[str, str] = {
    **dict.fromkeys(("sapo", "tom-tat", "summary", "description", "excerpt", "mo-ta",
                     "dek", "standfirst", "intro"), "lead"),
    **dict.fromkeys(("author", "tac-gia", "byline", "but-danh", "phong-vien", "writer",
                     "by"), "authors"),
    **dict.fromkeys(("anh", "hinh", "hinh-anh", "anh-dai-dien", "photo", "picture",
                     "thumbnail", "cover", "featured-image", "hero"), "image"),
    **dict.fromkeys(("chuyen-muc", "danh-muc", "muc", "category", "categories"), "section"),
    **dict.fromkeys(("tag", "tu-khoa", "the", "keywords", "topics"), "tags"),
    **dict.fromkeys(("tieu-de", "ten-bai", "headline", "heading"), "title"),
    **dict.fromkeys(("ngay", "ngay-dang", "thoi-gian", "published", "pubdate",
                     "publish-date"), "date"),
    **dict.fromkeys(("cap-nhat", "ngay-cap-nhat", "modified", "lastmod"), "updated"),
    **dict.fromkeys(("lien-quan", "tin-lien-quan", "bai-lien-quan", "see-also"), "related"),
    **dict.fromkeys(("tin-cu", "tin-cu-hon"), "older"),
    **dict.fromkeys(("nhap", "ban-nhap"), "draft"),
    **dict.fromkeys(("alias", "redirect-from", "dia-chi-cu"), "aliases"),
    **dict.fromkeys(("duong-dan", "url"), "slug"),
    **dict.fromkeys(("tin-nong",), "breaking"),
    **dict.fromkeys(("noi-bat", "tieu-diem"), "featured"),
    **dict.fromkeys(("ghim", "pinned", "sticky"), "pin"),
    **dict.fromkeys(("het-han", "expiry", "expire"), "expires"),
}


def known_key(key: str) -> str | None:
    """The front-matter key an unknown `key` most likely means: a newsroom's word for
    it, or a near spelling of a key or of such a word."""
    word = slugify(key)
    if word in FIELDS:  # `Title`, `Ngày` read as `title`... only where the slug is a key
        return word
    if word in NEWSROOM_WORDS:
        return NEWSROOM_WORDS[word]
    close = difflib.get_close_matches(word, [*FIELDS, *NEWSROOM_WORDS], n=1, cutoff=0.75)
    return NEWSROOM_WORDS.get(close[0], close[0]) if close else None


DEFAULTS: dict[str, object] = {
    "updated": None, "lead": "", "authors": (), "tags": (), "image": None, "related": (),
    "older": None, "draft": False, "expires": None, "breaking": None,
    "aliases": (), "featured": False, "pin": False,
}


def title_slug(title: str) -> str:
    """The slug an article gets from its title when it has no slug: (whitespace folded)."""
    return slugify(" ".join(title.split()))


def file_slug(rel: str) -> str:
    """The slug an article gets from its file name when it has no slug:."""
    return slugify(PurePosixPath(rel).stem)


def rule_slug(rel: str, title: str, config: SiteConfig) -> str:
    """The slug the site's `slugs:` rule gives an article without slug: ("" if none)."""
    return title_slug(title) if config.slugs == "title" else file_slug(rel)


def default_slug(src: SourceFile, title: str, config: SiteConfig, problems: Problems) -> str:
    """The slug of an article without slug:, or "" after saying why there is none.

    The file name gives it (as in Hugo, Zola and Jekyll), so that correcting a
    headline never moves a published page. A site that has not chosen with
    `slugs:` may hold articles published under the older rule, the headline's
    slug: where the two differ, the build stops and names the line that keeps
    the published address, instead of moving it.
    """
    line = src.fields["title"].line
    slug = rule_slug(src.rel, title, config)
    if config.slugs == "title":
        if not slug:
            problems.error(_("the title gives an empty slug; add slug: with a URL name"),
                           src.rel, line)
        return slug
    if not slug:
        problems.error(_("the file name gives an empty slug; rename the file with letters or "
                         "digits, or add slug: with a URL name"), src.rel, 1)
        return ""
    old = title_slug(title)
    if config.slugs is None and old and old != slug:
        problems.error(_("the address now comes from the file name ('{slug}'), not the "
                         "headline ('{old}'); add the line slug: {old} to keep the address "
                         "published so far, or set slugs: file in site.yaml if no article "
                         "of the site was published yet", slug=slug, old=old), src.rel, line)
        return ""
    return slug


def parse_article(src: SourceFile, config: SiteConfig, problems: Problems) -> Article | None:
    """Fill an Article from one file's fields; report every problem, None if any is an error."""
    values: dict[str, object] = dict(DEFAULTS)
    ok = True
    for key, f in src.fields.items():
        spec = FIELDS.get(key)
        if spec is None:
            meant = known_key(key)
            hint = _("; did you mean '{key}'?", key=meant) if meant else \
                _("; known keys: {keys}", keys=", ".join(FIELDS))
            problems.warn(_("unknown key '{key}'{hint}", key=key, hint=hint), src.rel, f.line)
            continue
        try:
            values[key] = spec.parse(f, config)
        except BadValue as exc:
            problems.error(_("{key} {problem}", key=key, problem=exc.message), src.rel,
                           exc.line or f.line)
            ok = False
    for key, spec in FIELDS.items():
        if spec.required and key not in src.fields:
            example = spec.example.format(section=" | ".join(config.section_by_slug))
            problems.error(_("'{key}' is missing; add a line such as: {example}", key=key,
                             example=example), src.rel, 1)
            ok = False
    if not ok:
        return None
    if not src.body.strip():
        problems.warn(_("the article has no text after the front matter"), src.rel,
                      src.body_line)
    image = values["image"]
    if isinstance(image, Image) and not image.described:
        problems.warn(_("image has no alt:; describe the picture for readers who cannot see "
                        "it, or write alt: \"\" if it only decorates"), src.rel, image.line)
    if "slug" not in src.fields:
        values["slug"] = default_slug(src, str(values["title"]), config, problems)
        if not values["slug"]:
            return None
    updated = values["updated"]
    if isinstance(updated, datetime) and updated < values["date"]:  # type: ignore[operator]
        problems.warn(_("updated is earlier than date; check both"), src.rel,
                      src.fields["updated"].line)
    expires = values["expires"]
    if isinstance(expires, datetime) and expires <= values["date"]:  # type: ignore[operator]
        problems.error(_("expires is not after date, so the article would never be shown"),
                       src.rel, src.fields["expires"].line)
        return None
    breaking = values["breaking"]
    if isinstance(breaking, datetime) and breaking <= values["date"]:  # type: ignore[operator]
        problems.error(_("breaking is not after date, so the banner would never be shown"),
                       src.rel, src.fields["breaking"].line)
        return None
    for key in ("featured", "pin"):
        until = values[key]
        if isinstance(until, datetime) and until <= values["date"]:  # type: ignore[operator]
            problems.error(_("{key} ends before the article's date, so it would never hold; "
                             "give a later time, or true", key=key), src.rel,
                           src.fields[key].line)
            return None
    return Article(source=src.rel, body=src.body, body_line=src.body_line,
                   lines={k: f.line for k, f in src.fields.items()},
                   **values)  # type: ignore[arg-type]

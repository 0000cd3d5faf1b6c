"""Plain, read-only objects that templates see (Zola's `ser.rs` idea).

Templates get these views, never the models or the library, so a template
cannot reach into the build, and every URL in a view is already a final href.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote

from markupsafe import Markup

from newsgen.content.config import Section, SiteConfig, StaticPicture
from newsgen.content.library import Library
from newsgen.content.models import Article, Link
from newsgen.engine.store import by_fields
from newsgen.engine.tracker import Memo, read
from newsgen.i18n import format_datetime
from newsgen.render.embeds import EMBED_MARK
from newsgen.render.feeds import feed_links
from newsgen.render.figures import ImageView, image_view
from newsgen.render.plan import Page, home_articles
from newsgen.render.seo import MetaView, article_meta, page_meta
from newsgen.urls import (
    TAGS_URL,
    absolute,
    archive_url,
    href,
    is_external,
    listing_url,
    paged,
    search_url,
    slugify,
)

EXCERPT_CHARS = 120


@dataclass(frozen=True, slots=True)
class SectionLink:
    __reduce__ = by_fields

    slug: str
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class TimeView:
    __reduce__ = by_fields

    iso: str  # for <time datetime>
    text: str  # date and time in the site's language (strings.datetime_format)
    short: str  # the date alone (strings.date_format)


@dataclass(frozen=True, slots=True)
class TermLink:
    """A tag or an author, with the page that lists its articles."""

    name: str
    url: str
    _count: int = field(repr=False)  # read through `count`, which records the reading
    _key: str = field(repr=False)  # the count's name in the index: "tag-count:<slug>"
    bio: str = ""  # an author's, from site.yaml's authors:
    photo: StaticPictureView | None = None

    @property
    def count(self) -> int:
        """How many articles are under it; a page that shows it depends on the number."""
        read(self._key)
        return self._count

    @property
    def title(self) -> str:
        """Listing pages show `listing.title`, for sections, tags and authors alike."""
        return self.name


@dataclass(frozen=True, slots=True)
class CardView:
    __reduce__ = by_fields

    title: str
    url: str
    excerpt: str
    image: ImageView | None
    date: TimeView | None
    section: SectionLink | None
    external: bool


@dataclass(frozen=True, slots=True)
class ArticleView:
    title: str
    url: str
    section: SectionLink
    date: TimeView
    updated: TimeView | None
    authors: tuple[TermLink, ...]
    lead: str
    image: ImageView | None
    body: Markup
    tags: tuple[TermLink, ...]
    related: tuple[CardView, ...]
    older: tuple[CardView, ...]
    draft: bool
    embeds: bool = False  # the body shows a provider's player: the page loads its script
    archive_url: str | None = None  # the day's (else the month's) archive, when the site has it
    share_url: str = ""  # the page's full address, which sharing passes on
    share: tuple[ShareLink, ...] = ()


@dataclass(frozen=True, slots=True)
class ShareLink:
    """A network's own share page for an article: a plain link, no script of theirs."""

    slug: str
    name: str
    label: str  # what a screen reader says: Chia sẻ lên Facebook
    url: str


# Each network's share address; {url} and {title} arrive %-encoded.
SHARE_PAGES = (
    ("facebook", "Facebook", "https://www.facebook.com/sharer/sharer.php?u={url}"),
    ("zalo", "Zalo", "https://zalo.me/share?url={url}"),
    ("x", "X", "https://x.com/intent/post?url={url}&text={title}"),
)


@dataclass(frozen=True, slots=True)
class SiteView:
    title: str
    description: str
    language: str
    home_url: str
    sections: tuple[SectionLink, ...]
    strings: dict[str, str | list[str]]
    tags_url: str | None  # the tag index, when the site has tags
    search_url: str | None  # the search page, when the site has search
    logo: StaticPictureView | None = None
    timezone: str = "Asia/Ho_Chi_Minh"  # an IANA name, for the header's date line
    footer: tuple[str, ...] = ()  # the licence, the editor-in-chief...: a line each
    social: tuple[SocialLink, ...] = ()


@dataclass(frozen=True, slots=True)
class StaticPictureView:
    src: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class SocialLink:
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class FeedLink:
    type: str  # application/atom+xml or application/rss+xml
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class PageView:
    kind: str  # article | home | section | tag | tags | author | redirect | 404
    title: str
    url: str
    description: str
    section: str | None  # the section the page belongs to, for marking the menu
    meta: MetaView  # canonical address, Open Graph and JSON-LD
    feeds: tuple[FeedLink, ...] = ()
    draft: bool = False
    breaking: tuple[CardView, ...] = ()  # the 'Tin nóng' banner: the stories it links


@dataclass(frozen=True, slots=True)
class SectionBlock:
    section: SectionLink
    cards: tuple[CardView, ...]


@dataclass(frozen=True, slots=True)
class Listing:
    """What a listing page that is not a section, tag or author is titled."""

    title: str


@dataclass(frozen=True, slots=True)
class PeriodLink:
    """A month or a day of the archives, as the archive pages link it."""

    title: str  # Tháng 11/2026; Thứ Tư, 25/11/2026
    label: str  # what a month's list of its days shows: 25/11
    url: str


@dataclass(frozen=True, slots=True)
class ArchiveNav:
    """How a month's page leads on: to its days, and to the months before and after; a
    day's page: up to its month."""

    month: PeriodLink | None  # a day's month; None on a month's page
    days: tuple[PeriodLink, ...]
    earlier: PeriodLink | None
    later: PeriodLink | None


@dataclass(frozen=True, slots=True)
class PageNumber:
    number: int
    url: str
    current: bool


@dataclass(frozen=True, slots=True)
class Pagination:
    current: int
    total: int
    prev_url: str | None
    next_url: str | None
    pages: tuple[PageNumber | None, ...]  # None: numbers left out here (shown as …)


PAGE_WINDOW = 2  # numbered links on each side of the current page


def page_window(current: int, total: int, window: int = PAGE_WINDOW) -> list[int | None]:
    """The page numbers a listing page links: the first, the last and those around
    `current`, with None for each run left out.

    Linking every page would make each of a tag's 500 pages hold 500 links: the
    listing would grow with the square of the archive, in bytes and in build time.
    A gap of one page shows that page instead, since "…" would take its place.
    """
    shown = sorted({1, total, *range(max(1, current - window), min(total, current + window) + 1)})
    numbers: list[int | None] = []
    for n in shown:
        last = numbers[-1] if numbers else n - 1
        assert last is not None
        if n - last == 2:
            numbers.append(n - 1)
        elif n - last > 2:
            numbers.append(None)
        numbers.append(n)
    return numbers


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """Cut at a word boundary and end with ' ...', as the reference page's teasers do."""
    if len(text) <= limit:
        return text
    cut = text[:limit + 1].rsplit(" ", 1)[0].rstrip(" ,;:.-–")
    return f"{cut} ..."


class ViewMaker:
    """Builds views from one library; the only code that knows both sides.

    Every value is read through the library, so each page's query records what
    it showed. Views are immutable, and the same menu, date or section link
    appears on thousands of pages, so each is made once per build (`Memo`), and
    every page that shows one is charged with what making it read.
    """

    def __init__(self, library: Library) -> None:
        self.library = library
        self.config: SiteConfig = library.config
        self._memo = Memo()

    def href(self, url: str) -> str:
        return href(self.config.base_path, url)

    def site(self) -> SiteView:
        return self._memo.get("site", lambda: SiteView(  # type: ignore[return-value]
            title=self.config.title, description=self.config.description,
            language=self.config.language, home_url=self.href("/"),
            sections=tuple(self.section(s) for s in self.config.sections),
            strings=dict(self.config.strings),
            tags_url=self.href(TAGS_URL) if self.library.has_tags() else None,
            search_url=self.href(search_url(self.config.language)) if self.config.search
            else None,
            logo=self.static_picture(self.config.logo),
            timezone=str(self.config.timezone.key),
            footer=self.config.footer,
            social=tuple(SocialLink(name, url) for name, url in self.config.social)))

    def section(self, section: Section, page: int = 1) -> SectionLink:
        return self._memo.get(("section", section.slug, page), lambda: SectionLink(  # type: ignore[return-value]
            section.slug, section.title,
            self.href(listing_url("section", section.slug, page))))

    def section_of(self, slug: str) -> SectionLink:
        return self.section(self.config.section_by_slug[slug])

    def term(self, kind: str, slug: str, name: str | None = None) -> TermLink:
        """A tag's or author's link; `name`: as an article spells it, else as most do, or
        as site.yaml's authors: prints it."""
        known = self.config.author_by_slug.get(slug) if kind == "author" else None
        if known is not None and known.name:
            name = known.name
        return TermLink(name if name is not None else self.library.term(kind, slug),
                        self.href(listing_url(kind, slug)),
                        self.library.values[f"{kind}-count:{slug}"],  # type: ignore[arg-type]
                        f"{kind}-count:{slug}", known.bio if known is not None else "",
                        self.static_picture(known.photo) if known is not None else None)

    def static_picture(self, picture: StaticPicture) -> StaticPictureView | None:
        """A picture site.yaml names, as pages show it; None when it names none."""
        if not picture.src:
            return None
        return StaticPictureView(self.href(picture.src), picture.width, picture.height)

    def _terms(self, kind: str, names: tuple[str, ...]) -> tuple[TermLink, ...]:
        """Links for an article's tags or authors, spelled as this article spells them."""
        return tuple(self.term(kind, slugify(name), name) for name in names)

    def time(self, value: datetime) -> TimeView:
        def make() -> TimeView:
            local = value.astimezone(self.config.timezone)
            return TimeView(local.isoformat(), format_datetime(local, self.config.strings),
                            format_datetime(local, self.config.strings, "date_format"))
        return self._memo.get(value, make)  # type: ignore[return-value]

    def image(self, article: Article) -> ImageView | None:
        placed = self.library.image(article.slug)
        if article.image is None or placed is None:
            return None
        return image_view(placed, self.config.pictures.renditions, self.config.base_path,
                          article.image.alt, article.image.caption, article.image.credit)

    def make_card(self, slug: str) -> CardView:
        """The card query: what a teaser of the article shows, wherever it appears."""
        item = self.library.article(slug)
        return CardView(
            title=item.title, url=self.href(self.library.url(slug)),
            excerpt=excerpt(item.lead), image=self.image(item), date=self.time(item.date),
            section=self.section_of(item.section), external=False)

    def card(self, item: str | Link) -> CardView:
        if isinstance(item, Link):
            return CardView(item.title, self.href(item.url), "", None, None, None,
                            external=is_external(item.url))
        return self.library.card(item)  # type: ignore[return-value]

    def article(self, article: Article, body_html: str) -> ArticleView:
        slug = article.slug
        return ArticleView(
            title=article.title, url=self.href(self.library.url(slug)),
            section=self.section_of(article.section),
            date=self.time(article.date),
            updated=self.time(article.updated) if article.updated else None,
            authors=self._terms("author", article.authors), lead=article.lead,
            image=self.image(article), body=Markup(body_html),
            tags=self._terms("tag", article.tags),
            related=tuple(self.card(a) for a in self.library.related(slug)),
            older=tuple(self.card(a) for a in self.library.older(slug)),
            draft=article.draft, embeds=EMBED_MARK in body_html,
            archive_url=self.archive_of(article.date),
            share_url=absolute(self.config.base_url, self.library.url(slug)),
            share=() if article.draft else self.share(self.library.url(slug), article.title))

    def share(self, url: str, title: str) -> tuple[ShareLink, ...]:
        full = quote(absolute(self.config.base_url, url), safe="")
        words = quote(title, safe="")
        label = str(self.config.strings["share_on"])
        return tuple(ShareLink(slug, name, label.replace("{network}", name),
                               page.format(url=full, title=words))
                     for slug, name, page in SHARE_PAGES)

    def archive_of(self, value: datetime) -> str | None:
        """The archive page of the day (else the month) a date falls on, if the site has one."""
        archives = self.config.archives
        day = value.astimezone(self.config.timezone).date().isoformat()
        if archives.day:
            return self.href(archive_url(archives.day, day))
        return self.href(archive_url(archives.month, day[:7])) if archives.month else None

    def period(self, period: str) -> PeriodLink:
        """A month (2026-11) or a day (2026-11-25) of the archives."""
        def make() -> PeriodLink:
            year, month, day = (int(n) for n in (period + "-01").split("-")[:3])
            is_day = len(period) > 7
            when = datetime(year, month, day)
            pattern = self.config.archives.day if is_day else self.config.archives.month
            strings = self.config.strings
            return PeriodLink(format_datetime(when, strings,
                                              "archive_day" if is_day else "archive_month"),
                              format_datetime(when, strings, "archive_day_short"),
                              self.href(archive_url(pattern, period)))
        return self._memo.get(("period", period), make)  # type: ignore[return-value]

    def archive_nav(self, page: Page) -> ArchiveNav:
        period = page.section
        assert period is not None
        if page.kind == "day":
            month = self.period(period[:7]) if self.config.archives.month else None
            return ArchiveNav(month, (), None, None)
        days = tuple(self.period(d) for d in self.library.days(period)) \
            if self.config.archives.day else ()
        months = self.library.months()
        at = months.index(period)
        return ArchiveNav(None, days,
                          self.period(months[at + 1]) if at + 1 < len(months) else None,
                          self.period(months[at - 1]) if at > 0 else None)

    def first_url(self, page: Page) -> str:
        """The address of a paginated listing's first page."""
        if page.kind in ("home", "latest"):
            return "/"
        if page.kind in ("month", "day"):
            archives = self.config.archives
            return archive_url(archives.day if page.kind == "day" else archives.month,
                               page.section or "")
        return listing_url(page.kind, page.section or "")

    def pagination(self, page: Page) -> Pagination:
        first = self.first_url(page)

        def url(n: int) -> str:
            return self.href(paged(first, n))
        current, total = page.number, page.total
        return Pagination(
            current=current, total=total,
            prev_url=url(current - 1) if current > 1 else None,
            next_url=url(current + 1) if current < total else None,
            pages=tuple(None if n is None else PageNumber(n, url(n), n == current)
                        for n in page_window(current, total)))

    def cards(self, page: Page) -> tuple[CardView, ...]:
        """A listing page's cards: the articles it shows."""
        return tuple(self.card(s) for s in page.reads)

    def feeds(self, section: str | None) -> tuple[FeedLink, ...]:
        return self._memo.get(("feeds", section), lambda: tuple(  # type: ignore[return-value]
            FeedLink(*link) for link in feed_links(self.config, section)))

    def _page(self, page: Page, title: str, description: str, section: str | None = None,
              meta: MetaView | None = None, draft: bool = False) -> PageView:
        if page.number > 1:
            title = f"{title} – {self.config.strings['page']} {page.number}"
        breaking = self._memo.get("breaking", lambda: tuple(  # type: ignore[union-attr]
            self.card(slug) for slug in self.library.breaking()))
        if page.kind == "article":  # a story's own page does not announce it to itself
            breaking = tuple(card for card in breaking if card.url != self.href(page.url))  # type: ignore[union-attr]
        return PageView(page.kind, title, self.href(page.url), description, section,
                        meta or page_meta(self.config, page.url), self.feeds(section),
                        draft=draft, breaking=breaking)  # type: ignore[arg-type]

    def context(self, page: Page, body_html: str = "") -> dict[str, object]:
        """Everything one page's template sees; `body_html` is the article's rendered body."""
        config = self.config
        library = self.library
        context: dict[str, object] = {"site": self.site()}
        if page.kind == "article":
            assert page.slug is not None
            article = library.article(page.slug)
            context["article"] = self.article(article, body_html)
            context["page"] = self._page(page, article.title, article.lead, article.section,
                                         article_meta(library, article), article.draft)
        elif page.kind == "section":
            assert page.section is not None
            section = config.section_by_slug[page.section]
            context["section"] = context["listing"] = self.section(section)
            context["cards"] = self.cards(page)
            context["pagination"] = self.pagination(page)
            context["page"] = self._page(page, section.title, config.description, section.slug)
        elif page.kind in ("tag", "author"):
            assert page.section is not None
            term = self.term(page.kind, page.section)
            context["listing"] = term
            context["cards"] = self.cards(page)
            context["pagination"] = self.pagination(page)
            context["page"] = self._page(page, term.name, config.description)
        elif page.kind == "tags":
            slugs = library.terms("tag")
            context["tags"] = tuple(self.term("tag", s) for s in sorted(
                slugs, key=lambda s: (-library.count("tag", s), s)))
            context["page"] = self._page(page, str(config.strings["tags"]), config.description)
        elif page.kind in ("month", "day"):
            assert page.section is not None
            period = self.period(page.section)
            context["listing"] = Listing(period.title)
            context["archive"] = self.archive_nav(page)
            context["cards"] = self.cards(page)
            context["pagination"] = self.pagination(page)
            context["page"] = self._page(page, period.title, config.description)
        elif page.kind == "latest":
            title = str(config.strings["latest"])
            context["listing"] = Listing(title)
            context["cards"] = self.cards(page)
            context["pagination"] = self.pagination(page)
            context["page"] = self._page(page, title, config.description)
        elif page.kind == "home":
            front = home_articles(library)
            context["pagination"] = self.pagination(page)
            context["featured"] = tuple(self.card(a) for a in front.featured)
            context["latest"] = tuple(self.card(a) for a in front.latest)
            context["blocks"] = tuple(
                SectionBlock(self.section_of(slug), tuple(self.card(a) for a in chunk))
                for slug, chunk in front.blocks.items())
            context["page"] = self._page(page, "", config.description)
        elif page.kind == "search":
            context["page"] = self._page(page, str(config.strings["search"]), "")
        elif page.kind == "redirect":
            assert page.slug is not None
            target = library.url(page.slug)
            context["target"] = self.href(target)
            context["target_absolute"] = absolute(config.base_url, target)
            context["page"] = self._page(page, library.article(page.slug).title, "")
        else:
            context["page"] = self._page(page, str(config.strings["not_found_title"]), "")
        return context

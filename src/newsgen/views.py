"""Plain, read-only objects that templates see (Zola's `ser.rs` idea).

Templates get these views, never the models or the library, so a template
cannot reach into the build, and every URL in a view is already a final href.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from markupsafe import Markup

from newsgen.cache import fingerprint
from newsgen.config import Section, SiteConfig
from newsgen.feeds import feed_links
from newsgen.i18n import format_datetime
from newsgen.library import Library
from newsgen.models import Article, Link
from newsgen.plan import Page, home_articles
from newsgen.seo import MetaView, article_meta, page_meta
from newsgen.taxonomy import Term
from newsgen.urls import TAGS_URL, absolute, href, is_external, listing_url, slugify

EXCERPT_CHARS = 120


@dataclass(frozen=True, slots=True)
class SectionLink:
    slug: str
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class TimeView:
    iso: str  # for <time datetime>
    text: str  # date and time in the site's language (strings.datetime_format)
    short: str  # the date alone (strings.date_format)


@dataclass(frozen=True, slots=True)
class ImageView:
    src: str
    alt: str
    caption: str


_counts_read = False  # whether a template read a TermLink's count since reset_reads()


def reset_reads() -> None:
    global _counts_read
    _counts_read = False


def counts_were_read() -> bool:
    """Whether the page rendered since reset_reads() showed how many articles a tag or an
    author has: only then is its output tied to those numbers (see PageKeys)."""
    return _counts_read


@dataclass(frozen=True, slots=True)
class TermLink:
    """A tag or an author, with the page that lists its articles."""

    name: str
    url: str
    _count: int = field(repr=False)  # read through `count`, which notes the reading

    @property
    def count(self) -> int:
        """How many articles are under it; reading it ties the page to the number."""
        global _counts_read
        _counts_read = True
        return self._count

    @property
    def title(self) -> str:
        """Listing pages show `listing.title`, for sections, tags and authors alike."""
        return self.name


@dataclass(frozen=True, slots=True)
class CardView:
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


@dataclass(frozen=True, slots=True)
class SiteView:
    title: str
    description: str
    language: str
    home_url: str
    sections: tuple[SectionLink, ...]
    strings: dict[str, str | list[str]]
    tags_url: str | None  # the tag index, when the site has tags


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


@dataclass(frozen=True, slots=True)
class SectionBlock:
    section: SectionLink
    cards: tuple[CardView, ...]


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
    pages: tuple[PageNumber, ...]


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """Cut at a word boundary and end with ' ...', as the reference page's teasers do."""
    if len(text) <= limit:
        return text
    cut = text[:limit + 1].rsplit(" ", 1)[0].rstrip(" ,;:.-–")
    return f"{cut} ..."


class ViewMaker:
    """Builds views from one library; the only code that knows both sides.

    Views are immutable, and an article appears as a card on dozens of pages
    (older news, related, listings), so each card, date and section link is
    made once per build and shared by every page that shows it.
    """

    def __init__(self, library: Library) -> None:
        self.library = library
        self.config: SiteConfig = library.config
        self._site: SiteView | None = None
        self._sections: dict[tuple[str, int], SectionLink] = {}
        self._times: dict[datetime, TimeView] = {}
        self._cards: dict[str, CardView] = {}
        self._feeds: dict[str | None, tuple[FeedLink, ...]] = {}

    def href(self, url: str) -> str:
        return href(self.config.base_path, url)

    def site(self) -> SiteView:
        if self._site is None:
            self._site = SiteView(
                title=self.config.title, description=self.config.description,
                language=self.config.language, home_url=self.href("/"),
                sections=tuple(self.section(s) for s in self.config.sections),
                strings=dict(self.config.strings),
                tags_url=self.href(TAGS_URL) if self.library.tags else None)
        return self._site

    def section(self, section: Section, page: int = 1) -> SectionLink:
        link = self._sections.get((section.slug, page))
        if link is None:
            link = self._sections[section.slug, page] = SectionLink(
                section.slug, section.title, self.href(listing_url("section", section.slug, page)))
        return link

    def term(self, kind: str, term: Term) -> TermLink:
        return TermLink(term.name, self.href(listing_url(kind, term.slug)), len(term.articles))

    def _terms(self, kind: str, names: tuple[str, ...]) -> tuple[TermLink, ...]:
        """Links for an article's tags or authors, spelled as this article spells them."""
        terms = self.library.tags if kind == "tag" else self.library.authors
        return tuple(replace(self.term(kind, terms[slugify(name)]), name=name) for name in names)

    def time(self, value: datetime) -> TimeView:
        view = self._times.get(value)
        if view is None:
            local = value.astimezone(self.config.timezone)
            view = self._times[value] = TimeView(
                local.isoformat(), format_datetime(local, self.config.strings),
                format_datetime(local, self.config.strings, "date_format"))
        return view

    def image(self, article: Article) -> ImageView | None:
        url = self.library.image_urls.get(article.slug)
        if article.image is None or url is None:
            return None
        return ImageView(self.href(url), article.image.alt, article.image.caption)

    def card(self, item: Article | Link) -> CardView:
        # PageKeys.card lists what this reads: change the two together.
        if isinstance(item, Link):
            return CardView(item.title, self.href(item.url), "", None, None, None,
                            external=is_external(item.url))
        card = self._cards.get(item.slug)
        if card is None:
            card = self._cards[item.slug] = CardView(
                title=item.title, url=self.href(self.library.urls[item.slug]),
                excerpt=excerpt(item.lead), image=self.image(item), date=self.time(item.date),
                section=self.section(self.config.section_by_slug[item.section]),
                external=False)
        return card

    def article(self, article: Article, body_html: str) -> ArticleView:
        return ArticleView(
            title=article.title, url=self.href(self.library.urls[article.slug]),
            section=self.section(self.config.section_by_slug[article.section]),
            date=self.time(article.date),
            updated=self.time(article.updated) if article.updated else None,
            authors=self._terms("author", article.authors), lead=article.lead,
            image=self.image(article), body=Markup(body_html),
            tags=self._terms("tag", article.tags),
            related=tuple(self.card(a) for a in self.library.related[article.slug]),
            older=tuple(self.card(a) for a in self.library.older[article.slug]),
            draft=article.draft)

    def pagination(self, page: Page) -> Pagination:
        assert page.section is not None

        def url(n: int) -> str:
            return self.href(listing_url(page.kind, page.section or "", n))
        current, total = page.number, page.total
        return Pagination(
            current=current, total=total,
            prev_url=url(current - 1) if current > 1 else None,
            next_url=url(current + 1) if current < total else None,
            pages=tuple(PageNumber(n, url(n), n == current) for n in range(1, total + 1)))

    def cards(self, page: Page) -> tuple[CardView, ...]:
        """A listing page's cards: the articles it shows."""
        return tuple(self.card(self.library.by_slug[s]) for s in page.reads)

    def feeds(self, section: str | None) -> tuple[FeedLink, ...]:
        links = self._feeds.get(section)
        if links is None:
            links = self._feeds[section] = tuple(
                FeedLink(*link) for link in feed_links(self.config, section))
        return links

    def _page(self, page: Page, title: str, description: str, section: str | None = None,
              meta: MetaView | None = None, draft: bool = False) -> PageView:
        if page.number > 1:
            title = f"{title} – {self.config.strings['page']} {page.number}"
        return PageView(page.kind, title, self.href(page.url), description, section,
                        meta or page_meta(self.config, page.url), self.feeds(section),
                        draft=draft)

    def context(self, page: Page, body_html: str = "") -> dict[str, object]:
        """Everything one page's template sees; `body_html` is the article's rendered body."""
        config = self.config
        library = self.library
        context: dict[str, object] = {"site": self.site()}
        if page.kind == "article":
            assert page.slug is not None
            article = library.by_slug[page.slug]
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
            terms = library.tags if page.kind == "tag" else library.authors
            term = self.term(page.kind, terms[page.section])
            context["listing"] = term
            context["cards"] = self.cards(page)
            context["pagination"] = self.pagination(page)
            context["page"] = self._page(page, term.name, config.description)
        elif page.kind == "tags":
            context["tags"] = tuple(self.term("tag", t) for t in sorted(
                library.tags.values(), key=lambda t: (-len(t.articles), t.slug)))
            context["page"] = self._page(page, str(config.strings["tags"]), config.description)
        elif page.kind == "home":
            latest, blocks = home_articles(library)
            context["latest"] = tuple(self.card(a) for a in latest)
            context["blocks"] = tuple(
                SectionBlock(self.section(config.section_by_slug[slug]),
                             tuple(self.card(a) for a in chunk))
                for slug, chunk in blocks.items())
            context["page"] = self._page(page, "", config.description)
        elif page.kind == "redirect":
            assert page.slug is not None
            target = library.urls[page.slug]
            context["target"] = self.href(target)
            context["target_absolute"] = absolute(config.base_url, target)
            context["page"] = self._page(page, library.by_slug[page.slug].title, "")
        else:
            context["page"] = self._page(page, str(config.strings["not_found_title"]), "")
        return context


class PageKeys:
    """What each page's view is made from, as digests: an equal digest, an equal page.

    It mirrors ViewMaker, reading the same values without building the views, so
    a rebuild can tell in a few microseconds per page which pages an edit
    touches: a body edit, only its article's page; a title edit, also the pages
    that show the article as a card; an edited template, the pages that use it.
    The site's configuration is in every digest: almost every page shows some
    of it (title, menu, strings), so a change to site.yaml renders every page
    again, and the ones that come out the same are kept as they were.

    Each page has two digests: a full one, and a lean one without the numbers
    of articles under its tags and authors. A page whose template did not read
    those numbers (TermLink.count) when it was last rendered is recorded under
    the lean digest: with every other input equal, the template takes the same
    path and again does not read them. So publishing one article, which changes
    the count of its tags, renders the pages that show it, not every page that
    carries one of its tags.
    """

    def __init__(self, library: Library, templates: dict[str, bytes]) -> None:
        self.library = library
        self.templates = templates
        self.base = fingerprint(library.config.digest, bool(library.tags))
        self._cards: dict[str, bytes] = {}
        self.arounds: dict[str, tuple[bytes, bytes]] = {}  # article page -> around(), lean and full
        self._home: bytes | None = None
        self._tag_index: bytes | None = None

    def card(self, item: Article | Link) -> bytes | tuple[str, str]:
        """What ViewMaker.card reads of an item."""
        if isinstance(item, Link):
            return (item.title, item.url)
        key = self._cards.get(item.slug)
        if key is None:
            image = item.image
            key = self._cards[item.slug] = fingerprint(
                item.title, self.library.urls[item.slug], item.lead,
                (image.src, image.alt, image.caption) if image else None,
                self.library.image_urls.get(item.slug), item.date, item.section)
        return key

    def term(self, kind: str, name: str, counts: bool) -> tuple[str, str, int | None]:
        """What ViewMaker.term reads: the name, the term's page and how many it lists."""
        term = (self.library.tags if kind == "tag" else self.library.authors)[slugify(name)]
        return name, term.slug, len(term.articles) if counts else None

    def keys(self, page: Page) -> tuple[bytes, bytes]:
        """The page's lean and full digests."""
        if page.kind == "article":
            assert page.slug is not None
            around = self.arounds[page.path] = self.around(page)
            digest = self.library.digests[page.slug]
            return article_key(around[0], digest), article_key(around[1], digest)
        return self._key(page, counts=False), self._key(page, counts=True)

    def around(self, page: Page) -> tuple[bytes, bytes]:
        """An article page's digests without its own file: what a body edit leaves as it was."""
        return self._key(page, counts=False), self._key(page, counts=True)

    def _key(self, page: Page, counts: bool) -> bytes:
        library = self.library
        parts: list[object] = [self.base, self.templates[page.template], page.kind, page.url,
                               page.number, page.total, page.section, counts]
        if page.kind == "article":
            assert page.slug is not None
            article = library.by_slug[page.slug]
            parts += [library.urls[page.slug], library.image_urls.get(page.slug),
                      [self.card(a) for a in library.related[page.slug]],
                      [self.card(a) for a in library.older[page.slug]],
                      [self.term("tag", t, counts) for t in article.tags],
                      [self.term("author", a, counts) for a in article.authors]]
        elif page.kind in ("section", "tag", "author"):
            parts.append([self.card(library.by_slug[s]) for s in page.reads])
            if page.kind != "section":
                assert page.section is not None
                term = (library.tags if page.kind == "tag" else library.authors)[page.section]
                parts.append(self.term(page.kind, term.name, counts))
        elif page.kind == "tags":
            if self._tag_index is None:
                self._tag_index = fingerprint(sorted(
                    (t.slug, t.name, len(t.articles)) for t in library.tags.values()))
            parts.append(self._tag_index)
        elif page.kind == "home":
            if self._home is None:
                latest, blocks = home_articles(library)
                self._home = fingerprint([self.card(a) for a in latest],
                                         [(s, [self.card(a) for a in chunk])
                                          for s, chunk in blocks.items()])
            parts.append(self._home)
        elif page.kind == "redirect":
            assert page.slug is not None
            parts += [library.urls[page.slug], library.by_slug[page.slug].title]
        return fingerprint(*parts)


def article_key(around: bytes, digest: bytes) -> bytes:
    """An article page's key: what is around the article, and the article's file."""
    return fingerprint(around, digest)

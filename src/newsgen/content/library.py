"""All articles of a site, cross-checked, and indexed into the values that pages read.

Rendering needs every URL (related blocks, older-news lists, links), so every
article is parsed and checked first, as Zola does, and every cross-article
problem (duplicate slugs, related slugs that point nowhere, missing images)
is found in one pass.

The index is one query of the build: it reads every article's head (its
front matter), the settings, the options and the build clock, and puts out
one value for each thing a page may read (an article's address, its related
list, a section's articles, how many articles a tag has), under a name of its
own. A page that reads a value through `Library` depends on that value alone,
so a rebuild renders again only the pages whose values came out different.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from pathlib import Path, PurePosixPath

from newsgen.content.addresses import LEDGER, Ledger
from newsgen.content.config import SiteConfig
from newsgen.content.frontmatter import SourceFile, split_article
from newsgen.content.models import Article, Image, Link, Ref, parse_article
from newsgen.content.pictures import beside_article_problem
from newsgen.content.related import RelatedState, update_related
from newsgen.content.renditions import Facts, Measures, Placed
from newsgen.content.source import read_bytes
from newsgen.content.taxonomy import group_terms
from newsgen.engine.store import by_fields
from newsgen.engine.tracker import Clock, Frame, read, recording
from newsgen.errors import Problem, Problems, printable
from newsgen.messages import _
from newsgen.urls import is_external, join, permalink, slugify

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Asset:
    """A file copied into the output beside the page that uses it, or a photo published
    as its renditions (`facts`): one value for a dozen files, which the copy step
    names (content.renditions) as the pages that show them do."""

    __reduce__ = by_fields
    source: Path
    url: str  # site-relative; "" for a photo's renditions
    used_by: str  # the article file, for error messages
    facts: Facts | None = None
    focus: tuple[int, int] = (50, 50)  # what the photo's crops keep


@dataclass(frozen=True, slots=True)
class HeldBack:
    """An article that exists but is not on the site in this build."""

    article: Article
    reason: str  # draft | scheduled | expired

    @property
    def message(self) -> str:
        """One line for the build report: what happened to the article, and how to change it.

        The file name is made printable where it goes in, so that the line stays a
        message, to be said in the language the report is shown in."""
        a = self.article
        source = printable(a.source)
        if self.reason == "draft":
            return _("{source}: draft, not published (build with --drafts to include it)",
                     source=source)
        if self.reason == "scheduled":
            return _("{source}: scheduled for {date}, after the build clock; not published "
                     "yet (build with --future to include it)", source=source,
                     date=a.date.isoformat())
        assert a.expires is not None
        return _("{source}: expired at {date}; left off the site", source=source,
                 date=a.expires.isoformat())


def find_articles(content_dir: Path) -> list[Path]:
    """Every Markdown file under content/, in a stable order; hidden files are skipped."""
    if not content_dir.is_dir():
        return []
    found: list[Path] = []
    for folder, subfolders, files in os.walk(content_dir):  # links to folders are not followed
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        found += [Path(folder, name) for name in files
                  if name.endswith(".md") and not name.startswith(".")]
    return sorted(found)


def hold_back_reason(article: Article, clock: Clock, drafts: bool, future: bool) -> str | None:
    if article.draft and not drafts:
        return "draft"
    if not future and not clock.reached(article.date):
        return "scheduled"
    if article.expires is not None and clock.reached(article.expires):
        return "expired"
    return None


# --- parsing: one query per article file ---

@dataclass(frozen=True, slots=True)
class Parsed:
    """One article file as parsed."""

    rel: str
    article: Article | None  # None: it could not be parsed (its problems say why)
    problems: tuple[Problem, ...]
    digest: bytes  # of the bytes parsed; b"" when the file could not be read
    frame: Frame  # what parsing read of site.yaml
    likely: frozenset[str] = frozenset()  # slugs a broken article would have had
    kept: object = None  # what the caller's `keep` made of it, in the same process


def parse_source(path: Path, rel: str, config: SiteConfig) -> Parsed:
    """Read and parse one article; `config` is read through the tracker, so the settings
    parsing uses (the time zone, the sections) are known."""
    found = Problems()
    with recording() as frame:
        data = read_bytes(path, rel, found, config.max_article_bytes)
        if data is None:
            return Parsed(rel, None, tuple(found.items), b"", frame,
                          frozenset(_likely_slugs(path, None)))
        src = split_article(data, rel, found)
        article = parse_article(src, config, found) if src is not None else None
    digest = hashlib.blake2b(data, digest_size=16).digest()  # as engine.inputs takes it
    if article is None or found.errors:
        return Parsed(rel, article if not found.errors else None, tuple(found.items), digest,
                      frame, frozenset(_likely_slugs(path, src)) if article is None
                      else frozenset())
    return Parsed(rel, article, tuple(found.items), digest, frame)


PARALLEL_FROM = 1000  # below this many files to parse, starting processes costs more
CHUNK = 256  # files a process takes at a time
Keep = Callable[[Parsed], object]
_JOB: tuple[SiteConfig, Path, Keep | None] | None = None  # set before forking; inherited


def _parse_one(rel: str) -> Parsed:
    assert _JOB is not None
    config, site, keep = _JOB
    parsed = parse_source(site / rel, rel, config)
    kept = keep(parsed) if keep is not None else None
    # What `keep` made carries the article: it does not travel twice.
    return replace(parsed, article=None, kept=kept) if kept is not None else parsed


def parse_files(rels: list[str], config: SiteConfig, processes: int,
                progress: Callable[[str, int, int], None] | None = None,
                keep: Keep | None = None) -> Iterator[Parsed]:
    """Parse `rels`, in order, as they are wanted; in `processes` forked processes when
    there are many (YAML and the checks are most of a cold build's loading time).

    `keep` runs on each result where it was parsed, so what the caller makes of
    an article (digests, what it stores) is made in parallel too.
    """
    global _JOB
    site = config.site_dir
    import multiprocessing  # only large sites use processes
    forkable = "fork" in multiprocessing.get_all_start_methods()
    _JOB = (config, site, keep)
    if processes < 2 or len(rels) < PARALLEL_FROM or not forkable:
        try:
            yield from _counted(map(_parse_one, rels), len(rels), progress)
        finally:
            _JOB = None
        return
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            yield from _counted(pool.imap(_parse_one, rels, chunksize=CHUNK), len(rels),
                                progress)
    finally:
        _JOB = None


def _counted(results: Iterator[Parsed], total: int,
             progress: Callable[[str, int, int], None] | None) -> Iterator[Parsed]:
    for done, result in enumerate(results, 1):
        if progress is not None:
            progress("parse", done, total)
        yield result


# --- the index: one query over every article ---

@dataclass(slots=True)
class Index:
    """What the index query put out."""

    values: dict[str, object]  # name -> value, for pages to read through Library
    assets: tuple[Asset, ...]  # hero pictures to copy beside their pages
    held_back: tuple[HeldBack, ...]
    notes: tuple[str, ...]  # related/older items left out because of the clock
    related: RelatedState  # for the next build's related search
    ledger: dict[str, tuple[str, ...]] = field(default_factory=dict)  # addresses.txt to keep


def summary(article: Article) -> Article:
    """The article as the index sees it: without the words readers read (headline, lead,
    picture text, body), which no listing, count or related list depends on.

    The index is given these alone, so a corrected headline, the edit a newsroom
    makes most, leaves every summary as it was and the index need not run again;
    and what the index is not given, it cannot come to depend on.
    """
    image = article.image
    return replace(article, title="", lead="", body="", body_line=0,
                   image=replace(image, alt="", caption="", credit="") if image else None)


def article_values(articles: Iterable[Article], order: tuple[str, ...]
                   ) -> dict[str, Article]:
    """article:<slug> for every published article, whole; `articles` in the order the
    index was given their summaries (the first of a slug is the one published)."""
    first: dict[str, Article] = {}
    for article in articles:
        first.setdefault(article.slug, article)
    return {f"article:{slug}": first[slug] for slug in order}


def index(config: SiteConfig, articles: list[Article], broken: set[str], clock: Clock,
          options: object, static: Mapping[str, Path], roots: tuple[Path, ...],
          problems: Problems, related: RelatedState | None, jobs: int = 1,
          measures: Measures | None = None, ledger: Ledger | None = None,
          files: Iterable[str] = ()) -> Index:
    """Cross-check every article and work out every value pages read but the articles
    themselves (see `summary` and `article_values`).

    `articles`: their summaries; `broken`: slugs of articles that failed to parse, already reported;
    `options`: the build's (drafts, future), read through the tracker;
    `related`: the last build's related search, to redo only what it touches;
    `ledger`: the addresses articles were published at (content.addresses), and
    `files`: every article file there is, so that one gone is told from one held back.
    """
    everything = _unique_slugs(articles, problems)
    drafts, future = options.drafts, options.future  # type: ignore[attr-defined]
    reasons = {a.slug: hold_back_reason(a, clock, drafts, future) for a in everything.values()}
    published = sorted((a for a in everything.values() if reasons[a.slug] is None),
                       key=lambda a: a.sort_key)
    held_back = tuple(HeldBack(a, reasons[a.slug] or "") for a in everything.values()
                      if reasons[a.slug])
    by_slug = {a.slug: a for a in published}
    by_section: dict[str, list[Article]] = defaultdict(list)
    for article in published:
        by_section[article.section].append(article)
    timezone = config.timezone
    urls = {a.slug: permalink(config.permalink, section=a.section, slug=a.slug,
                              date=a.date.astimezone(timezone))  # the day readers see
            for a in published}
    moved, kept, renamed = _moved(ledger or Ledger(), published, urls, set(files), problems)
    resolver = _Resolver(by_slug, everything, broken, reasons, problems,
                         {old: a for old, a in renamed.items() if old not in everything})
    picks = {a.slug: resolver.related(a) for a in published}
    lists, state = update_related(related, published, picks, config.related_count, jobs)
    position = {a.slug: i for members in by_section.values() for i, a in enumerate(members)}
    older_news = config.older_news
    older: dict[str, tuple[Article, ...]] = {}
    for a in published:
        older[a.slug], lists[a.slug] = resolver.older(
            a, by_section[a.section], position[a.slug], older_news, lists[a.slug], picks[a.slug])
    logo = config.publisher.logo
    if logo and logo.lstrip("/") not in static:
        problems.error(_("publisher logo '{logo}' not found: there is no static{logo}",
                         logo=logo), "site.yaml")
    heroes = _Heroes(config, roots, static, problems,
                     measures or Measures(config.pictures.renditions))
    values: dict[str, object] = {"order": tuple(a.slug for a in published)}
    # Asked of the clock for these articles alone: the index then runs again when the
    # first banner is due to come down, and not at every other build.
    values["breaking"] = tuple(a.slug for a in published
                               if a.breaking is not None and not clock.reached(a.breaking))
    values["featured"] = tuple(a.slug for a in published if _holds(a.featured, clock))
    for a in published:
        image = heroes.resolve(a, a.image, urls[a.slug]) if a.image else None
        values[f"aliases:{a.slug}"] = a.aliases + moved.get(a.slug, ())
        values[f"changed:{a.slug}"] = max(a.date, a.updated or a.date)
        values[f"date:{a.slug}"] = a.date
        values[f"url:{a.slug}"] = urls[a.slug]
        values[f"image:{a.slug}"] = image
        values[f"related:{a.slug}"] = tuple(i.slug if isinstance(i, Article) else i
                                            for i in lists[a.slug])
        values[f"older:{a.slug}"] = tuple(i.slug for i in older[a.slug])
    for section in config.sections:
        members = by_section.get(section.slug, [])
        values[f"section:{section.slug}"] = tuple(a.slug for a in members)
        pinned = {a.slug: None for a in members if _holds(a.pin, clock)}  # ordered, and a set
        values[f"listing:{section.slug}"] = (*pinned, *(a.slug for a in members
                                                        if a.slug not in pinned))
    for kind, terms in (("tag", group_terms(published, lambda a: a.tags)),
                        ("author", group_terms(published, lambda a: a.authors))):
        values[f"{kind}s"] = tuple(terms)
        values[f"has-{kind}s"] = bool(terms)
        for slug, term in terms.items():
            values[f"{kind}:{slug}"] = term.name
            values[f"{kind}-count:{slug}"] = len(term.articles)
            values[f"{kind}-articles:{slug}"] = tuple(a.slug for a in term.articles)
    values.update(archive_values(published, timezone))
    return Index(values, tuple(heroes.assets), held_back,
                 tuple(resolver.notes), state, kept)


def _moved(ledger: Ledger, published: list[Article], urls: Mapping[str, str],
           files: set[str], problems: Problems
           ) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], dict[str, Article]]:
    """The old addresses each article gets a redirect from (slug -> paths), the ledger as
    it is to be kept, and the slugs articles had before they moved (-> the article).

    An address another article has now is that article's: no redirect. An address
    of a file that is gone, which no article lists under aliases, is an error when
    a new file may be it renamed (the renamed article must say it was there), else
    a warning that the story was taken down.
    """
    taken = set(urls.values())
    aliased = {alias for a in published for alias in a.aliases}
    moved: dict[str, tuple[str, ...]] = {}
    renamed: dict[str, Article] = {}
    kept = {rel: found for rel, found in ledger.entries.items()
            if rel in files or not all(p in aliased or p in taken for p in found)}
    # A new file beside a gone one is most likely the same story renamed: its old
    # address must not silently become a 404. A file gone alone was taken down.
    new_file = any(a.source not in ledger.entries for a in published)
    for rel, found in ledger.entries.items():
        if rel in files:
            continue
        for path in found:
            if path in aliased or path in taken:
                continue
            if new_file:
                problems.error(_("{file} was published at {path} and is gone: add the line "
                                 "aliases: [{path}] to the article that took its place, or "
                                 "delete this line if the article was taken down",
                                 file=rel, path=path), LEDGER, ledger.lines[(rel, path)])
            else:
                problems.warn(_("{file} was published at {path} and is gone, so readers get "
                                "the 404 page there: delete this line to say it was taken "
                                "down, or add aliases: [{path}] to the article that took its "
                                "place", file=rel, path=path), LEDGER,
                              ledger.lines[(rel, path)])
    for a in published:
        url, before = urls[a.slug], ledger.entries.get(a.source, ())
        for path in before:
            if path != url:  # its slug part: what a reference written before the move says
                renamed[path.rstrip("/").rpartition("/")[2]] = a
        old = tuple(p for p in before if p != url and p not in aliased and p not in taken)
        if old:
            moved[a.slug] = old
        if not a.draft and url not in before:
            kept[a.source] = (*before, url)
    return moved, kept, renamed


def load_library(config: SiteConfig, problems: Problems, *, now: datetime,
                 drafts: bool = False, future: bool = False) -> Library:
    """Parse and index every article at once, with no records of earlier builds: the
    library of a site as it is, for tools and tests that read it outside a build."""
    from types import SimpleNamespace

    from newsgen.theme import source_roots, static_files
    site = config.site_dir
    articles: list[Article] = []
    broken: set[str] = set()
    for path in find_articles(config.content_dir):
        parsed = parse_source(path, path.relative_to(site).as_posix(), config)
        problems.extend(parsed.problems)
        broken |= parsed.likely
        if parsed.article is not None:
            articles.append(parsed.article)
    clock = Clock(now)
    static, roots = static_files(site), source_roots(site)
    made = index(config, [summary(a) for a in articles], broken, clock,
                 SimpleNamespace(drafts=drafts, future=future), static, roots, problems, None)
    values = {**made.values, **article_values(articles, made.values["order"])}  # type: ignore[arg-type]
    return Library(config, values, static, roots, clock)


def archive_values(published: list[Article], timezone: tzinfo) -> dict[str, object]:
    """The date archives, by the day readers see on the page (the site's zone): months
    (newest first), month:2026-11 and day:2026-11-25 (their articles, newest first), and
    days:2026-11 (the days of a month that have news, newest first)."""
    months: dict[str, list[str]] = {}
    days: dict[str, list[str]] = {}
    for a in published:  # newest first
        day = a.date.astimezone(timezone).date().isoformat()
        months.setdefault(day[:7], []).append(a.slug)
        days.setdefault(day, []).append(a.slug)
    values: dict[str, object] = {"months": tuple(months)}
    values.update((f"month:{m}", tuple(slugs)) for m, slugs in months.items())
    values.update((f"day:{d}", tuple(slugs)) for d, slugs in days.items())
    for month in months:
        values[f"days:{month}"] = tuple(d for d in days if d.startswith(month))
    return values


class Library:
    """What pages read of the index: every read is recorded under the value's name, so a
    page depends on exactly what it showed.

    `values` may hold every value (after the index ran) or fetch them on demand
    from the last build's records (when only a few pages render).
    """

    def __init__(self, config: SiteConfig, values: Mapping[str, object],
                 static: Mapping[str, Path], roots: tuple[Path, ...], clock: Clock,
                 measures: Measures | None = None) -> None:
        self.config = config
        # What the pictures of bodies are (the heroes' are in the index's values).
        self.measures = measures or Measures(config.pictures.renditions)
        self.values = values
        self.static = static  # output path -> file; reads of it are recorded too
        self.roots = roots  # the folders every file read must really be in (source_roots)
        self.clock = clock

    def _get(self, name: str) -> object:
        read(name)
        return self.values[name]

    def order(self) -> tuple[str, ...]:
        """Slugs of every published article, newest first."""
        return self._get("order")  # type: ignore[return-value]

    @property
    def articles(self) -> tuple[Article, ...]:
        """Every published article, newest first."""
        return tuple(self.article(slug) for slug in self.order())

    def breaking(self) -> tuple[str, ...]:
        """Slugs of the articles whose banner is up at the build clock, newest first."""
        return self._get("breaking")  # type: ignore[return-value]

    def article(self, slug: str) -> Article:
        return self._get(f"article:{slug}")  # type: ignore[return-value]

    def url(self, slug: str) -> str:
        return self._get(f"url:{slug}")  # type: ignore[return-value]

    def image(self, slug: str) -> Placed | None:
        """The hero picture: where it is whole (site-relative or outside) and its facts."""
        return self._get(f"image:{slug}")  # type: ignore[return-value]

    def related(self, slug: str) -> tuple[str | Link, ...]:
        return self._get(f"related:{slug}")  # type: ignore[return-value]

    def older(self, slug: str) -> tuple[str, ...]:
        return self._get(f"older:{slug}")  # type: ignore[return-value]

    def section(self, slug: str) -> tuple[str, ...]:
        """The section's articles, newest first (its feed, older news)."""
        return self._get(f"section:{slug}")  # type: ignore[return-value]

    def listing(self, slug: str) -> tuple[str, ...]:
        """The section's articles as its pages show them: the pinned ones first."""
        return self._get(f"listing:{slug}")  # type: ignore[return-value]

    def featured(self) -> tuple[str, ...]:
        """Slugs of the articles featured at the build clock, newest first."""
        return self._get("featured")  # type: ignore[return-value]

    def terms(self, kind: str) -> tuple[str, ...]:
        """Slugs of every tag (kind 'tag') or author ('author')."""
        return self._get(f"{kind}s")  # type: ignore[return-value]

    def has_tags(self) -> bool:
        """Whether any article has a tag (the menu then links the tag index)."""
        return self._get("has-tags")  # type: ignore[return-value]

    def term(self, kind: str, slug: str) -> str:
        """The name a tag or author is shown under."""
        return self._get(f"{kind}:{slug}")  # type: ignore[return-value]

    def count(self, kind: str, slug: str) -> int:
        return self._get(f"{kind}-count:{slug}")  # type: ignore[return-value]

    def members(self, kind: str, slug: str) -> tuple[str, ...]:
        return self._get(f"{kind}-articles:{slug}")  # type: ignore[return-value]

    def months(self) -> tuple[str, ...]:
        """Every month with news, newest first, as 2026-11."""
        return self._get("months")  # type: ignore[return-value]

    def days(self, month: str) -> tuple[str, ...]:
        """The days of `month` (2026-11) with news, newest first, as 2026-11-25."""
        return self._get(f"days:{month}")  # type: ignore[return-value]

    def archive(self, period: str) -> tuple[str, ...]:
        """The articles of a month (2026-11) or a day (2026-11-25), newest first."""
        return self._get(f"{'day' if len(period) > 7 else 'month'}:{period}")  # type: ignore[return-value]

    def date(self, slug: str) -> datetime:
        """When the article was published."""
        return self._get(f"date:{slug}")  # type: ignore[return-value]

    def changed(self, slug: str) -> datetime:
        """When the article last changed (an `updated` before its date is a typo)."""
        return self._get(f"changed:{slug}")  # type: ignore[return-value]

    def aliases(self, slug: str) -> tuple[str, ...]:
        """The article's earlier addresses, each a redirect page."""
        return self._get(f"aliases:{slug}")  # type: ignore[return-value]

    def card(self, slug: str) -> object:
        """The article's card, made once per build by the card query."""
        return self._get(f"card:{slug}")


def _holds(until: datetime | bool, clock: Clock) -> bool:
    """Whether an editor's choice (true, or a time it ends) holds at the build clock; asked
    of the clock only for a time, so the index runs again when the choice ends."""
    return until is True or (isinstance(until, datetime) and not clock.reached(until))


def _unique_slugs(articles: list[Article], problems: Problems) -> dict[str, Article]:
    first: dict[str, Article] = {}
    for article in articles:
        other = first.get(article.slug)
        if other is None:
            first[article.slug] = article
            continue
        key = "slug" if "slug" in article.lines else "title"
        problems.error(_("slug '{slug}' is already used by {file}; set a different slug: in "
                         "one of them", slug=article.slug, file=other.source),
                       article.source, article.line(key))
    return first


def _likely_slugs(path: Path, src: SourceFile | None) -> set[str]:
    """Slugs a broken article would have had, so links to it are not reported as well."""
    slugs = {slugify(path.stem)}
    if src is not None:
        for key in ("slug", "title"):
            value = src.fields[key].value if key in src.fields else None
            if isinstance(value, str):
                slugs.add(value if key == "slug" else slugify(value))
    return slugs


@dataclass(slots=True)
class _Resolver:
    """Turns slugs written in front matter into articles, reporting the ones that fail."""

    published: dict[str, Article]
    everything: dict[str, Article]
    broken: set[str]  # reported already where they are written
    reasons: dict[str, str | None]  # why an article is held back, if it is
    problems: Problems
    renamed: dict[str, Article] = field(default_factory=dict)  # a slug it had -> the article
    notes: list[str] = field(default_factory=list)  # items left out for the clock's sake

    def article(self, owner: Article, ref: Ref, key: str) -> Article | None:
        if ref.slug == owner.slug:
            self.problems.error(_("{key} lists the article itself ('{slug}'); remove it",
                                  key=key, slug=ref.slug), owner.source, ref.line)
            return None
        target = self.published.get(ref.slug)
        if target is not None or ref.slug in self.broken:
            return target
        reason = self.reasons.get(ref.slug)
        if reason == "draft":
            self.problems.error(_("{key} article '{slug}' is a draft, so the link would be "
                                  "broken; publish it (draft: false) or remove it here",
                                  key=key, slug=ref.slug), owner.source, ref.line)
            return None
        if reason:
            # Time alone changes this: a note like a held-back article, never a warning
            # that --strict would turn into a failed scheduled rebuild.
            # The file name and the slug are made printable where they go in, so the note
            # stays a message (the report prints it as it is).
            where = {"source": printable(owner.source), "line": ref.line, "key": key,
                     "slug": printable(ref.slug)}
            if reason == "scheduled":
                self.notes.append(_("{source}:{line}: {key} article '{slug}' is not published "
                                    "yet; it is left out of this build", **where))
            else:
                self.notes.append(_("{source}:{line}: {key} article '{slug}' has expired; it "
                                    "is left out of this build", **where))
            return None
        if moved := self.renamed.get(ref.slug):
            self.problems.error(_("{key} article '{slug}' has a new slug: {file} is now "
                                  "'{new}'; write {new} here", key=key, slug=ref.slug,
                                  file=moved.source, new=moved.slug), owner.source, ref.line)
            return None
        close = difflib.get_close_matches(ref.slug, self.everything, n=1, cutoff=0.6)
        hint = _("did you mean '{name}'?", name=close[0]) if close else \
            _("an article's slug is its slug: key, or else its file name (with slugs: title, "
              "its headline)")
        self.problems.error(_("{key} article '{slug}' does not exist; {hint}", key=key,
                              slug=ref.slug, hint=hint), owner.source, ref.line)
        return None

    def _refs(self, owner: Article, refs: tuple[Ref | Link, ...], key: str
              ) -> tuple[Article | Link, ...]:
        result: list[Article | Link] = []
        seen: set[str] = set()
        for ref in refs:
            name = ref.slug if isinstance(ref, Ref) else ref.url
            if name in seen:
                self.problems.error(_("{key} lists '{name}' twice; remove one", key=key,
                                      name=name), owner.source, ref.line)
                continue
            seen.add(name)
            if isinstance(ref, Link):
                result.append(ref)
            elif target := self.article(owner, ref, key):
                result.append(target)
        return tuple(result)

    def related(self, owner: Article) -> tuple[Article | Link, ...]:
        return self._refs(owner, owner.related, "related")

    def older(self, owner: Article, section: list[Article], position: int, count: int,
              related: tuple[Article | Link, ...], picks: tuple[Article | Link, ...]
              ) -> tuple[tuple[Article, ...], tuple[Article | Link, ...]]:
        """'Tin cũ hơn' and 'Tin liên quan' of `owner`, a story once between them: the
        explicit older list, or the `count` articles after `owner` (at `position`) in its
        section's newest-first list that `related` does not show.

        An explicit older story takes the place of the same story found by the related
        search; one the editor put in both lists is shown under related, with a warning.
        """
        if owner.older is None:
            shown = {item.slug for item in related if isinstance(item, Article)}
            found: list[Article] = []
            for i in range(position + 1, len(section)):  # not a slice: sections are long
                if len(found) == count:
                    break
                if section[i].slug not in shown:
                    found.append(section[i])
            return tuple(found), related
        chosen, lines = self._explicit_older(owner)
        picked = {item.slug for item in picks if isinstance(item, Article)}
        for article in chosen:
            if article.slug in picked:
                self.problems.warn(_("older lists '{slug}', which related lists too; a story "
                                     "is shown once on a page, under related: remove it from "
                                     "one list", slug=article.slug), owner.source,
                                   lines[article.slug])
        older = tuple(a for a in chosen if a.slug not in picked)
        gone = {a.slug for a in older}
        return older, tuple(item for item in related
                            if not (isinstance(item, Article) and item.slug in gone))

    def _explicit_older(self, owner: Article) -> tuple[list[Article], dict[str, int]]:
        """The editor's older list, checked, and the line each slug is on."""
        assert owner.older is not None
        chosen = [a for a in self._refs(owner, owner.older, "older") if isinstance(a, Article)]
        lines = {ref.slug: ref.line for ref in owner.older}
        for article in chosen:
            if article.sort_key < owner.sort_key:  # newer (or as new, slug first)
                self.problems.error(
                    _("older article '{slug}' is not older: it is dated {date}, this one "
                      "{own_date}; 'Tin cũ hơn' lists earlier articles", slug=article.slug,
                      date=article.date.isoformat(), own_date=owner.date.isoformat()),
                    owner.source, lines[article.slug])
        return chosen, lines


HERO_WIDTH = 720  # pixels: narrower, a hero looks blurred where the layout is widest


@dataclass(slots=True)
class _Heroes:
    """Finds where each hero picture is served from, collecting the files to publish for
    it; a missing file is an error here, not a 404 later."""

    config: SiteConfig
    roots: tuple[Path, ...]
    static: Mapping[str, Path]
    problems: Problems
    measures: Measures
    assets: list[Asset] = field(default_factory=list)
    # src -> (its path, whether it is safe): most heroes are a few pictures under static/
    _parsed: dict[str, tuple[PurePosixPath, bool]] = field(default_factory=dict)
    _folders: dict[str, str] = field(default_factory=dict)  # real places, this build

    def resolve(self, article: Article, image: Image, page_url: str) -> Placed | None:
        src = image.src
        if is_external(src):
            return Placed(src, None)
        parsed = self._parsed.get(src)
        if parsed is None:
            clean = PurePosixPath(src.split("?")[0].split("#")[0])
            parsed = self._parsed[src] = (clean, ".." not in clean.parts and "\\" not in src)
        clean, safe = parsed
        if not safe:
            self.problems.error(_("image src '{src}' must not go up with '..'; put the "
                                  "picture next to the article, or under static/ and write "
                                  "/images/...", src=src), article.source, image.line)
            return None
        if src.startswith("/"):
            rel = str(clean.relative_to("/"))
            if rel in self.static:
                return self.place(article, image, self.static[rel], str(clean), False)
            self.problems.error(_("image '{src}' not found: there is no static{src}",
                                  src=src), article.source, image.line)
            return None
        source = (self.config.site_dir / article.source).parent / clean
        rel = (PurePosixPath(article.source).parent / clean).as_posix()
        read(f"file:{rel}")  # its kind is judged by its bytes: a new file, a new answer
        if not source.is_file():
            self.problems.error(_("image '{src}' not found: there is no {file} next to the "
                                  "article", src=src, file=rel), article.source, image.line)
            return None
        if why := beside_article_problem(self.config, self.roots, source, str(clean),
                                         self._folders, self.measures):
            self.problems.error(_("image {problem}", problem=why), article.source,
                                image.line)
            return None
        return self.place(article, image, source, join(page_url, str(clean)), True)

    def place(self, article: Article, image: Image, source: Path, url: str, beside: bool
              ) -> Placed | None:
        """The picture's facts, and its files: renditions, and the picture whole where it
        is published as it came (an animation, a drawing, or when the site asks)."""
        facts = self.measures.facts(source)
        if isinstance(facts, str):
            if not beside:  # the site's own static/ is trusted: published as it is
                return Placed(url, None)
            self.problems.error(_("image '{src}' {problem}", src=image.src, problem=facts),
                                article.source, image.line)
            return None
        if facts.resized:
            if facts.width < HERO_WIDTH:
                self.problems.warn(_("image '{src}' is {width} px wide; the page shows it up "
                                     "to {most} px wide, so it looks blurred: use a photo at "
                                     "least 1600 px wide", src=image.src, width=facts.width,
                                     most=HERO_WIDTH), article.source, image.line)
            self.assets.append(Asset(source, "", article.source, facts, image.focus))
        whole = not facts.resized or self.config.pictures.publish_originals
        if beside and whole:
            self.assets.append(Asset(source, url, article.source))
        return Placed(url if whole else "", facts)

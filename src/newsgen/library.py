"""All articles of a site, loaded and cross-checked before anything is rendered.

Rendering needs every URL (related blocks, older-news lists, links), so the
whole site is loaded first, as Zola does, and every cross-article problem
(duplicate slugs, related slugs that point nowhere, missing images) is found
here, all in one pass.
"""

from __future__ import annotations

import contextlib
import difflib
import logging
import multiprocessing
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from newsgen.cache import Cache, fingerprint, pack
from newsgen.config import SiteConfig
from newsgen.errors import ContentError, Problem, Problems, printable
from newsgen.frontmatter import SourceFile, split_article
from newsgen.markdown import scan_pictures
from newsgen.models import Article, Image, Link, Ref, parse_article
from newsgen.output import racy
from newsgen.pictures import beside_article_problem
from newsgen.related import fill_related
from newsgen.source import read_bytes, unsafe_source
from newsgen.taxonomy import Term, group_terms
from newsgen.theme import PUBLISHED_HIDDEN, source_roots, static_files, template_dirs
from newsgen.urls import is_external, join, permalink, slugify

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Asset:
    """A file copied into the output beside the page that uses it."""

    source: Path
    url: str  # site-relative
    used_by: str  # the article file, for error messages


@dataclass(frozen=True, slots=True)
class HeldBack:
    """An article that exists but is not on the site in this build."""

    article: Article
    reason: str  # draft | scheduled | expired

    @property
    def message(self) -> str:
        """One line for the build report: what happened to the article, and how to change it."""
        return printable(self._said())

    def _said(self) -> str:
        a = self.article
        if self.reason == "draft":
            return f"{a.source}: draft, not published (build with --drafts to include it)"
        if self.reason == "scheduled":
            return (f"{a.source}: scheduled for {a.date.isoformat()}, after the build clock; "
                    "not published yet (build with --future to include it)")
        assert a.expires is not None
        return f"{a.source}: expired at {a.expires.isoformat()}; left off the site"


def hold_back_reason(article: Article, now: datetime, drafts: bool, future: bool) -> str | None:
    if article.draft and not drafts:
        return "draft"
    if article.date > now and not future:
        return "scheduled"
    if article.expires is not None and article.expires <= now:
        return "expired"
    return None


@dataclass(frozen=True, slots=True)
class Library:
    config: SiteConfig
    articles: tuple[Article, ...]  # published ones, newest first
    by_slug: dict[str, Article]
    by_section: dict[str, tuple[Article, ...]]
    urls: dict[str, str]  # slug -> site-relative URL
    image_urls: dict[str, str]  # slug -> site-relative or outside URL of the hero image
    related: dict[str, tuple[Article | Link, ...]]
    older: dict[str, tuple[Article, ...]]
    tags: dict[str, Term]  # tag slug -> the tag and its articles
    authors: dict[str, Term]  # author slug -> the author and their articles
    assets: tuple[Asset, ...]
    static: dict[str, Path]  # output path -> file, from static/ folders
    roots: tuple[Path, ...]  # the folders every file read must really be in (source_roots)
    now: datetime  # the build clock: what is published is decided against it
    digests: dict[str, bytes]  # slug -> digest of the article's file: what its page is made of
    heads: dict[str, tuple[bytes, bytes]]  # every article file -> (its digest, its front matter's)
    held_back: tuple[HeldBack, ...] = field(default=())  # articles left out, and why
    notes: tuple[str, ...] = ()  # related/older items left out because of the clock


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


@dataclass(frozen=True, slots=True)
class _Parse:
    """An article file to read and parse: not a version the cache holds."""

    path: Path
    rel: str
    stat: str  # "" when the file could not be stat'ed
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class _Parsed:
    article: Article | None
    problems: tuple[Problem, ...]
    digest: bytes  # of the file as read; b"" when it could not be read
    head: bytes  # digest of the front matter; b"" when the article has errors
    blob: bytes  # packed (article, problems) for the cache; b"" when it has errors
    likely: frozenset[str]  # slugs the article would have had, when it could not be read


class ArticleReader:
    """Reads articles, and keeps each parsed one in the cache under its file's digest.

    A file whose size, time and inode are as recorded is not even read; one
    that was saved just before it was recorded is read, since a second save
    within the same clock tick would leave its time unchanged. The files left
    to parse (all of them, in a first build) are read and parsed in forked
    processes when there are many: YAML and the checks are most of the loading
    time. Files, parsed articles and cache rows are never all held at once:
    a 100,000-article archive would need gigabytes for them.
    """

    def __init__(self, config: SiteConfig, cache: Cache | None) -> None:
        self.config = config
        self.cache = cache
        self.context = config.digest
        self.known = {rel: (stat, digest, head) for rel, stat, digest, head in
                      cache.rows("SELECT rel, stat, digest, head FROM sources")} \
            if cache else {}
        self.fresh: dict[str, tuple[str, bytes, bytes, bytes]] = {}
        self.restat: dict[str, str] = {}  # the file is as recorded, only its time changed
        self.heads: dict[str, tuple[bytes, bytes]] = {}  # rel -> (digest, front matter digest)
        self.now_ns = time.time_ns()

    def read(self, path: Path, rel: str, problems: Problems
             ) -> tuple[Article | None, _Parse | None, bytes]:
        """The article from the cache, or the file to parse; and the file's digest.

        (None, None, b""): the file could not be read, and `problems` says why.
        """
        try:
            st = path.stat()
            stat, mtime_ns = f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}", st.st_mtime_ns
        except OSError:
            stat, mtime_ns = "", 0
        row = self.known.get(rel)
        if row and stat:
            if row[0] == stat and (article := self._cached(rel, problems)):
                self.heads[rel] = (row[1], row[2])
                return article, None, row[1]
            data = read_bytes(path, rel, problems, self.config.max_article_bytes)
            if data is None:
                return None, None, b""
            digest = fingerprint(self.context, rel, data)
            if row[1] == digest and (article := self._cached(rel, problems)):
                self._keep(rel, stat, digest, row[2], b"", mtime_ns)
                self.heads[rel] = (digest, row[2])
                return article, None, digest
        return None, _Parse(path, rel, stat, mtime_ns), b""

    def parse_all(self, jobs: list[_Parse], processes: int,
                  progress: Callable[[str, int, int], None] | None = None
                  ) -> Iterator[_Parsed]:
        """Parse `jobs`, in order, as they are wanted; in `processes` forked processes
        when there are many."""
        global _READER
        forkable = "fork" in multiprocessing.get_all_start_methods()
        if processes < 2 or len(jobs) < PARALLEL_FROM or not forkable:
            yield from _counted(map(self.parse, jobs), len(jobs), progress)
            return
        _READER = self
        try:
            with multiprocessing.get_context("fork").Pool(processes) as pool:
                yield from _counted(pool.imap(_parse_share, jobs, chunksize=CHUNK), len(jobs),
                                    progress)
        finally:
            _READER = None

    def parse(self, job: _Parse) -> _Parsed:
        found = Problems()
        data = read_bytes(job.path, job.rel, found, self.config.max_article_bytes)
        if data is None:
            return _Parsed(None, tuple(found.items), b"", b"", b"",
                           frozenset(_likely_slugs(job.path, None)))
        digest = fingerprint(self.context, job.rel, data)
        src = split_article(data, job.rel, found)
        article = parse_article(src, self.config, found) if src is not None else None
        if article is None:
            return _Parsed(None, tuple(found.items), digest, b"", b"",
                           frozenset(_likely_slugs(job.path, src)))
        if found.errors:
            return _Parsed(article, tuple(found.items), digest, b"", b"", frozenset())
        assert src is not None
        return _Parsed(article, tuple(found.items), digest,
                       fingerprint(self.context, job.rel, src.head),
                       pack((article, tuple(found.items))), frozenset())

    def take(self, job: _Parse, parsed: _Parsed) -> None:
        """Record what parsing `job` gave, to be cached."""
        if parsed.blob:
            self._keep(job.rel, job.stat, parsed.digest, parsed.head, parsed.blob, job.mtime_ns)
            self.heads[job.rel] = (parsed.digest, parsed.head)

    def _cached(self, rel: str, problems: Problems) -> Article | None:
        assert self.cache is not None
        stored = self.cache.stored("a parsed article", "SELECT data FROM sources WHERE rel = ?",
                                   rel)
        if not isinstance(stored, tuple) or len(stored) != 2:
            return None
        article, warnings = stored
        problems.extend(p for p in warnings if isinstance(p, Problem))
        return article if isinstance(article, Article) else None

    def _keep(self, rel: str, stat: str, digest: bytes, head: bytes, blob: bytes,
              mtime_ns: int) -> None:
        """Note a file's row for the cache; b"" for `blob`: the one it has is right."""
        trusted = "" if not stat or racy(mtime_ns, self.now_ns) else stat
        known = self.known.get(rel)
        if known and known[1:] == (digest, head):  # the same file, parsed the same way
            if known[0] != trusted:
                self.restat[rel] = trusted
            return
        self.fresh[rel] = (trusted, digest, head, blob)
        if len(self.fresh) >= SAVE_BATCH:  # the parsed articles go to the cache as they come
            self._write_fresh()

    def _write_fresh(self) -> None:
        if self.cache is not None:
            self.cache.write([("INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?)",
                               [(rel, *row) for rel, row in self.fresh.items()])])
        self.fresh.clear()

    def save(self, present: set[str]) -> None:
        """Record what was parsed; forget files that are gone."""
        if self.cache is None:
            return
        self._write_fresh()
        gone = [(rel,) for rel in self.known if rel not in present]
        self.cache.write([
            ("DELETE FROM sources WHERE rel = ?", gone),
            ("UPDATE sources SET stat = ? WHERE rel = ?",
             [(stat, rel) for rel, stat in self.restat.items()])])


def load_library(config: SiteConfig, problems: Problems, *, now: datetime,
                 drafts: bool = False, future: bool = False, strict: bool = False,
                 progress: Callable[[str, int, int], None] | None = None,
                 cache: Cache | None = None, jobs: int = 1) -> Library:
    """Parse and check every article; raise ContentError with all problems found."""
    site = config.site_dir
    paths = find_articles(config.content_dir)
    if not paths:
        problems.error("there are no articles: add Markdown files under content/",
                       "content")
    # Only a link can lead elsewhere: the folders walked into are not links.
    roots = source_roots(site)
    reader = ArticleReader(config, cache)
    present: set[str] = set()
    digests: dict[str, bytes] = {}  # source file -> its digest
    # Each file in order: its article and problems, or the parsing it waits for.
    files: list[tuple[Path, Article | None, Problems, _Parse | None]] = []
    for count, path in enumerate(paths, 1):
        if progress is not None:
            progress("load", count, len(paths))
        rel = path.relative_to(site).as_posix()
        if path.is_symlink() and (why := unsafe_source(path, site, roots)):
            problems.error(f"this file is {why}; copy the file itself into content/ instead",
                           rel)
            continue
        present.add(rel)
        found = Problems()
        article, job, digests[rel] = reader.read(path, rel, found)
        files.append((path, article, found, job))
    waiting = [job for _, _, _, job in files if job is not None]
    articles: list[Article] = []
    broken: set[str] = set()  # slugs of articles that failed to load, already reported
    with contextlib.closing(reader.parse_all(waiting, jobs, progress)) as results:
        for path, article, found, job in files:
            problems.extend(found.items)
            if job is not None:
                result = next(results)
                reader.take(job, result)
                digests[job.rel] = result.digest
                problems.extend(result.problems)
                article = result.article
                broken |= result.likely
            elif article is None:  # not even read
                broken |= _likely_slugs(path, None)
            if article is not None:
                articles.append(article)
    reader.save(present)

    everything = _unique_slugs(articles, problems)
    reasons = {a.slug: hold_back_reason(a, now, drafts, future) for a in everything.values()}
    published = sorted((a for a in everything.values() if reasons[a.slug] is None),
                       key=lambda a: a.sort_key)
    held_back = tuple(HeldBack(a, reasons[a.slug] or "") for a in everything.values()
                      if reasons[a.slug])
    by_slug = {a.slug: a for a in published}
    by_section: dict[str, list[Article]] = defaultdict(list)
    for article in published:
        by_section[article.section].append(article)
    urls = {a.slug: permalink(config.permalink, section=a.section, slug=a.slug,
                              date=a.date.astimezone(config.timezone))  # the day readers see
            for a in published}

    resolver = _Resolver(by_slug, everything, broken, reasons, problems)
    related = _related(published, {a.slug: resolver.related(a) for a in published},
                       config.related_count, by_slug, cache, jobs)
    position = {a.slug: i for members in by_section.values() for i, a in enumerate(members)}
    older = {a.slug: resolver.older(a, by_section[a.section], position[a.slug],
                                    config.older_news)
             for a in published}
    static = static_files(config.site_dir)
    for rel, source in static.items():
        if why := unsafe_source(source, site, roots, PUBLISHED_HIDDEN):
            problems.error(f"this file is {why}; copy the file itself into static/ instead",
                           f"static/{rel}")
    for folder in template_dirs(site):
        for path in sorted(folder.rglob("*")):
            if path.is_symlink() and (why := unsafe_source(path, site, roots)):
                problems.error(f"this file is {why}; copy the file itself into templates/ "
                               "instead", f"templates/{path.relative_to(folder).as_posix()}")
    logo = config.publisher.logo
    if logo and logo.lstrip("/") not in static:
        problems.error(f"publisher logo '{logo}' not found: there is no static{logo}",
                       "site.yaml")
    assets: list[Asset] = []
    image_urls = {}
    for a in published:
        if a.image and (url := _resolve_image(a, a.image, urls[a.slug], config, roots, static,
                                              assets, problems)):
            image_urls[a.slug] = url
    if problems.errors:
        # Rendering will not start, so find the bodies' missing pictures now: every
        # problem of the site is reported in this one run.
        for article in published:
            scan_pictures(article, config, static, roots, problems)
    problems.check(ContentError, strict=strict)
    return Library(config=config, articles=tuple(published), by_slug=by_slug,
                   by_section={s.slug: tuple(by_section.get(s.slug, ())) for s in config.sections},
                   urls=urls, image_urls=image_urls, related=related, older=older,
                   tags=group_terms(published, lambda a: a.tags),
                   authors=group_terms(published, lambda a: a.authors),
                   assets=tuple(assets), static=static, roots=roots, now=now,
                   digests={a.slug: digests[a.source] for a in published},
                   heads=dict(reader.heads), held_back=held_back,
                   notes=tuple(printable(note) for note in resolver.notes))


PARALLEL_FROM = 1000  # below this many files to parse, starting processes costs more
CHUNK = 256  # files a process takes at a time
SAVE_BATCH = 1000  # parsed articles held before they go into the cache
_READER: ArticleReader | None = None  # set before forking; the processes inherit it


def _parse_share(job: _Parse) -> _Parsed:
    assert _READER is not None
    return _READER.parse(job)


def _counted(results: Iterator[_Parsed], total: int,
             progress: Callable[[str, int, int], None] | None) -> Iterator[_Parsed]:
    for done, result in enumerate(results, 1):
        if progress is not None:
            progress("parse", done, total)
        yield result


def _related(published: list[Article], picks: dict[str, tuple[Article | Link, ...]],
             count: int, by_slug: dict[str, Article], cache: Cache | None, jobs: int
             ) -> dict[str, tuple[Article | Link, ...]]:
    """fill_related, or its answer from the last build when nothing it reads has changed.

    It reads every article's slug, tags, section and date, and the editors'
    picks: a body, title or lead edit leaves it as it was.
    """
    key = fingerprint(count, [(a.slug, a.tags, a.section, a.date.timestamp(),
                               tuple(p.slug if isinstance(p, Article) else p
                                     for p in picks[a.slug])) for a in published])
    stored = cache.result("related", key) if cache else None
    if isinstance(stored, dict):
        return {slug: tuple(by_slug[i] if isinstance(i, str) else i for i in items)
                for slug, items in stored.items()}
    related = fill_related(published, picks, count, jobs)
    if cache is not None:
        cache.write([("INSERT OR REPLACE INTO results VALUES (?, ?, ?)",
                      [("related", key, pack({slug: tuple(
                          i.slug if isinstance(i, Article) else i for i in items)
                          for slug, items in related.items()}))])])
    return related


def _unique_slugs(articles: list[Article], problems: Problems) -> dict[str, Article]:
    first: dict[str, Article] = {}
    for article in articles:
        other = first.get(article.slug)
        if other is None:
            first[article.slug] = article
            continue
        key = "slug" if "slug" in article.lines else "title"
        problems.error(f"slug '{article.slug}' is already used by {other.source}; set a "
                       "different slug: in one of them", article.source, article.line(key))
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
    notes: list[str] = field(default_factory=list)  # items left out for the clock's sake

    def article(self, owner: Article, ref: Ref, key: str) -> Article | None:
        if ref.slug == owner.slug:
            self.problems.error(f"{key} lists the article itself ('{ref.slug}'); remove it",
                                owner.source, ref.line)
            return None
        target = self.published.get(ref.slug)
        if target is not None or ref.slug in self.broken:
            return target
        reason = self.reasons.get(ref.slug)
        if reason == "draft":
            self.problems.error(f"{key} article '{ref.slug}' is a draft, so the link would be "
                                "broken; publish it (draft: false) or remove it here",
                                owner.source, ref.line)
            return None
        if reason:
            # Time alone changes this: a note like a held-back article, never a warning
            # that --strict would turn into a failed scheduled rebuild.
            when = "is not published yet" if reason == "scheduled" else "has expired"
            self.notes.append(f"{owner.source}:{ref.line}: {key} article '{ref.slug}' {when}; "
                              "it is left out of this build")
            return None
        close = difflib.get_close_matches(ref.slug, self.everything, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else "an article's slug is its slug: " \
            "key, or else made from its title"
        self.problems.error(f"{key} article '{ref.slug}' does not exist; {hint}",
                            owner.source, ref.line)
        return None

    def _refs(self, owner: Article, refs: tuple[Ref | Link, ...], key: str
              ) -> tuple[Article | Link, ...]:
        result: list[Article | Link] = []
        seen: set[str] = set()
        for ref in refs:
            name = ref.slug if isinstance(ref, Ref) else ref.url
            if name in seen:
                self.problems.error(f"{key} lists '{name}' twice; remove one", owner.source,
                                    ref.line)
                continue
            seen.add(name)
            if isinstance(ref, Link):
                result.append(ref)
            elif target := self.article(owner, ref, key):
                result.append(target)
        return tuple(result)

    def related(self, owner: Article) -> tuple[Article | Link, ...]:
        return self._refs(owner, owner.related, "related")

    def older(self, owner: Article, section: list[Article], position: int, count: int
              ) -> tuple[Article, ...]:
        """The explicit list, or the `count` articles after `owner` (at `position`) in its
        section's newest-first list."""
        if owner.older is not None:
            chosen = [a for a in self._refs(owner, owner.older, "older") if isinstance(a, Article)]
            lines = {ref.slug: ref.line for ref in owner.older}
            for article in chosen:
                if article.sort_key < owner.sort_key:  # newer (or as new, slug first)
                    self.problems.error(
                        f"older article '{article.slug}' is not older: it is dated "
                        f"{article.date.isoformat()}, this one {owner.date.isoformat()}; "
                        "'Tin cũ hơn' lists earlier articles", owner.source, lines[article.slug])
            return tuple(chosen)
        return tuple(section[position + 1:position + 1 + count])


def _resolve_image(article: Article, image: Image, page_url: str, config: SiteConfig,
                   roots: tuple[Path, ...],
                   static: dict[str, Path], assets: list[Asset], problems: Problems
                   ) -> str | None:
    """Where the hero image is served from; a missing file is an error here, not a 404 later."""
    src = image.src
    if is_external(src):
        return src
    clean = PurePosixPath(src.split("?")[0].split("#")[0])
    if ".." in clean.parts or "\\" in src:
        problems.error(f"image src '{src}' must not go up with '..'; put the picture next to "
                       "the article, or under static/ and write /images/...",
                       article.source, image.line)
        return None
    if src.startswith("/"):
        if str(clean.relative_to("/")) in static:
            return str(clean)
        problems.error(f"image '{src}' not found: there is no static{src}", article.source,
                       image.line)
        return None
    source = (config.site_dir / article.source).parent / clean
    if not source.is_file():
        rel = (PurePosixPath(article.source).parent / clean).as_posix()
        problems.error(f"image '{src}' not found: there is no {rel} next to the article",
                       article.source, image.line)
        return None
    if why := beside_article_problem(config, roots, source, str(clean)):
        problems.error(f"image {why}", article.source, image.line)
        return None
    url = join(page_url, str(clean))
    assets.append(Asset(source, url, article.source))
    return url

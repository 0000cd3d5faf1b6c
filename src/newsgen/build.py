"""The build as a short list of named, timed steps, each a layer of queries.

    inputs  source files (stat, then digest), site.yaml settings, options, the clock
    parse   each article whose file, or a setting parsing read, changed
    index   the library's values, when an article's head, a setting or the clock moves them
    cards   the teasers whose values changed
    pages   every page, feed and sitemap whose recorded reads changed, rendered as
            any page is, then put in place atomically (one file renamed, or a folder swapped)
    record  what each query read, for the next build

Every query runs under the tracker (engine/), which records what it read; a
rebuild runs exactly the queries whose recorded inputs changed, and a first
build, or one with --no-cache, runs them all, through the same code.
"""

from __future__ import annotations

import functools
import logging
import os
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast

from newsgen.content.addresses import Ledger, read_ledger, write_ledger
from newsgen.content.config import SiteConfig, check_base_url, load_config
from newsgen.content.library import Index, Library, article_values, index, parse_files, summary
from newsgen.content.models import Article, parse_datetime, vietnamese
from newsgen.content.pictures import RASTER
from newsgen.content.related import RelatedState
from newsgen.content.renditions import IMG_DIR, Measures, crops, ladder
from newsgen.content.source import unsafe_source
from newsgen.engine.checkout import BLOBS, Checkout
from newsgen.engine.graph import Graph
from newsgen.engine.inputs import Files, file_digest, file_key, scan, setting_digests
from newsgen.engine.store import (
    CACHE_DIR,
    NO_VALUE,
    Packed,
    Parsed,
    Store,
    fingerprint,
    pack,
    unpack,
)
from newsgen.engine.tracker import Clock, Tracked, TrackedMapping, read, recording
from newsgen.engine.values import Values
from newsgen.errors import (
    BadValue,
    BuildError,
    ConfigError,
    ContentError,
    NewsgenError,
    Problem,
    Problems,
)
from newsgen.messages import Message, _, ngettext
from newsgen.output.guard import check_output
from newsgen.output.publish import (
    clear_leftovers,
    has_spare,
    load_tree,
    replace_one,
    save_trees,
    staged,
    staging_path,
)
from newsgen.output.writer import Tree, Writer, place
from newsgen.render.photos import PICTURES, Photos
from newsgen.theme import PUBLISHED_HIDDEN, source_roots, static_files, template_dirs
from newsgen.urls import href, output_path

if TYPE_CHECKING:  # the render layer is imported only by builds that render something
    from newsgen.render.markdown import Body
    from newsgen.render.pages import MadeBody, PageRenderer, Progress, Rendered
    from newsgen.render.plan import Page

log = logging.getLogger(__name__)

PAGE_TEMPLATES = ("home.html", "404.html", "section.html", "tags.html", "tag.html",
                  "author.html", "article.html", "redirect.html", "search.html", "latest.html",
                  "archive.html")
# The kinds of value the index puts out, each under names kind:x (see library.index).
INDEX_VALUES = ("article", "aliases", "changed", "date", "url", "image", "related", "older",
                "section", "tag", "tag-count", "tag-articles", "author", "author-count",
                "author-articles", "month", "day", "days")
# Kinds whose values are stored together (engine/values.py); not the articles, which are large
# and of which a page reads few.
BULK = (*(kind for kind in INDEX_VALUES if kind != "article"), "plan")
PRELOAD_FROM = 200  # pages to render from which every recorded value is read in one go
FEEDS = _("feeds, sitemaps and the search index")  # the owner of what write_generated writes
# The owner of a page that shows no one article, for messages and `newsgen check`.
_PAGES_OF_KIND = {"home": _("the home page"), "404": _("the 404 page"),
                  "section": _("the section page"), "tags": _("the tags page"),
                  "tag": _("the tag page"), "author": _("the author page"),
                  "search": _("the search page"), "latest": _("a page of the latest news"),
                  "month": _("a month's archive page"), "day": _("a day's archive page")}


@dataclass(frozen=True, slots=True)
class BuildOptions:
    drafts: bool = False
    future: bool = False
    now: str | None = None  # the build clock, as written on the command line; None: now
    strict: bool = False
    force: bool = False
    output: Path | None = None
    base_url: str | None = None
    jobs: int = 1  # processes rendering pages
    progress: Progress | None = None  # told (stage, done, total) as the build goes
    cache: bool = True  # False: use no cache, and do not keep one (--no-cache)
    preview: bool = False  # a preview (serve): its addresses are not published ones


@dataclass(slots=True)
class BuildResult:
    output: Path
    pages: int = 0
    files: int = 0
    rendered: int = 0  # pages rendered; the others were kept from the previous build
    written: int = 0  # files with new bytes; the others were left as they were
    seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    held_back: list[str] = field(default_factory=list)  # Messages, one line each
    notices: list[str] = field(default_factory=list)  # about the cache; Messages
    owners: dict[str, str] = field(default_factory=dict)  # output path -> source that wrote it
    config: SiteConfig | None = None  # as built: with --base-url applied
    now: datetime | None = None  # the build clock it used
    remade: tuple[str, ...] = ()  # output files made in this build (rendered, copied, written)
    inputs: dict[str, bytes] = field(default_factory=dict)  # output file -> what it is made of

    @property
    def changes(self) -> Message:
        """What this build did to the output, for the summary line."""
        if not self.written:
            return _("nothing changed")
        return ngettext("{rendered} rendered, {n} file changed",
                        "{rendered} rendered, {n} files changed", self.written,
                        rendered=self.rendered)


@dataclass(frozen=True, slots=True)
class Report:
    """What a build tells the editor besides its output, kept for a build that changes
    nothing: it says the same."""

    warnings: dict[str, tuple[Problem, ...]]  # article file -> its warnings
    held_back: tuple[str, ...]
    owners: dict[str, str]  # output path -> the source that makes it
    planned: dict[str, tuple[str | None, str]]  # page path -> (its article's slug, its kind)
    sources: dict[str, str]  # slug -> article file
    pages: int
    # What the index warned of (a story in two lists, a small hero): said again by every
    # build that does not run it.
    index_warnings: tuple[Problem, ...] = ()
    # What rendering a body warned of (a picture without a description, a link that is no
    # embed): said again while the body is kept.
    body_warnings: dict[str, tuple[Problem, ...]] = field(default_factory=dict)  # slug ->


def build_clock(text: str | None, config: SiteConfig) -> datetime:
    """The time publication is decided against: --now, or the real time.

    A fixed clock makes a build reproducible and lets an editor preview the
    site as it will be at a given time.
    """
    if not text:
        return datetime.now(UTC)
    try:
        return parse_datetime(text, config.timezone, day_first=vietnamese(config))
    except BadValue as exc:
        raise ConfigError(_("--now {problem}", problem=exc.message)) from None


def build(site_dir: Path, options: BuildOptions = BuildOptions()) -> BuildResult:
    """Build the site in `site_dir`; raise NewsgenError with every problem on failure.

    Nothing in the output folder changes unless the whole build succeeds.
    """
    result = BuildResult(output=site_dir / "public")
    store = Store.of(site_dir, options.cache)
    problems = Problems()
    scratch = None if options.cache else tempfile.TemporaryDirectory(prefix="newsgen-")
    try:
        run = _Build.begin(site_dir, options, result, store, problems)
        run.photos = Photos(Path(scratch.name) if scratch else site_dir / CACHE_DIR / PICTURES,
                            options.jobs, run.raw.pictures.renditions.quality)
        return run.run()
    except NewsgenError as exc:
        # Warnings found before the failure belong to the same report (once: --strict
        # has already turned them into errors).
        seen = {(p.path, p.line, p.message) for p in exc.problems}
        exc.problems = sorted([*exc.problems, *(p for p in problems.items
                                                if (p.path, p.line, p.message) not in seen)],
                              key=lambda p: (p.path, p.line))
        exc.notices = store.notices
        raise
    except OSError as exc:
        error = BuildError(f"{exc.filename}: {exc.strerror}")
        error.notices = store.notices
        raise error from exc
    finally:
        store.close()
        result.notices = store.notices
        if scratch is not None:
            scratch.cleanup()


@dataclass(slots=True)
class _Build:
    """One build's state, step by step."""

    site: Path
    options: BuildOptions
    result: BuildResult
    store: Store
    problems: Problems
    raw: SiteConfig  # as loaded; `config` is the same, with every read recorded
    config: SiteConfig
    clock: Clock
    output: Path
    graph: Graph
    previous: Tree | None
    files: Files = field(default_factory=Files)
    static: dict[str, Path] = field(default_factory=dict)
    roots: tuple[Path, ...] = ()
    rels: list[str] = field(default_factory=list)  # article files
    heads: dict[str, tuple[Article, tuple[Problem, ...]]] = field(default_factory=dict)
    packed: dict[str, tuple[Article, Packed]] = field(default_factory=dict)  # parsed here
    texts: dict[str, tuple[str, int]] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)
    warned: set[str] = field(default_factory=set)  # article files whose warnings are in
    refused: set[str] = field(default_factory=set)  # article files that may not be read
    settings: dict[str, bytes] = field(default_factory=dict)  # setting:name -> digest
    values: Values | None = None
    made: Index | None = None  # the index, when it ran in this build
    ledger: Ledger = field(default_factory=Ledger)  # addresses.txt as the build found it
    index_warnings: tuple[Problem, ...] = ()  # what it warned of, when it ran
    body_warnings: dict[str, tuple[Problem, ...]] = field(default_factory=dict)  # rendered now
    planned: list[Page] | None = None  # the plan, when it was made again in this build
    plan_loaded: bool = False  # every page of the last build's plan is read (whole_plan)
    report: Report | None = None  # the last build's
    photos: Photos | None = None  # every raster picture is published through it
    _measures: Measures | None = None
    _digests: dict[Path, bytes] = field(default_factory=dict)  # file -> digest, for copies
    start: float = field(default_factory=time.perf_counter)

    @classmethod
    def begin(cls, site: Path, options: BuildOptions, result: BuildResult, store: Store,
              problems: Problems) -> _Build:
        begun = time.perf_counter()
        overrides: dict[str, object] = {}
        if options.base_url:
            try:
                overrides["base_url"] = check_base_url(options.base_url)
            except BadValue as exc:
                raise ConfigError(_("--base-url {problem}", problem=exc.message)) from None
        with _step(result, "config"):
            raw = load_config(site, problems, overrides)
            output = options.output or raw.output
            result.output = output
            check_output(site, output, options.force)
            # A symlinked output (public -> /srv/www/bao) is built where it points:
            # staging beside the real folder, and the swap replaces that folder.
            output = output.resolve()
            clock = Clock(build_clock(options.now, raw))
            store.open()
            profile = store.profile(output) if store.on else None
            previous = load_tree(store, output) if store.on else None
        run = cls(site, options, result, store, problems, raw,
                  cast(SiteConfig, Tracked(raw, "setting")), clock, output,
                  Graph(store, profile, clock.stamp), previous, start=begun)
        run.values = Values(run.graph, BULK)
        result.config, result.now = raw, clock.now
        return run

    # --- the steps ---

    def run(self) -> BuildResult:
        with _step(self.result, "inputs"):
            self.take_inputs()
        stored = self.graph.old("report")
        report = self.values.get("report") if stored is not None else None  # type: ignore[union-attr]
        self.report = report if isinstance(report, Report) else None
        if self.unchanged():
            return self.finish_unchanged()
        with _step(self.result, "parse"):
            self.parse()
        with _step(self.result, "index"):
            self.run_index()
        if self.problems.errors:
            self.check_all_pictures()
        self.problems.check(ContentError, strict=self.options.strict)
        with _step(self.result, "plan"):
            self.run_plan()
        with _step(self.result, "cards"):
            self.run_cards()
        return self.render()

    def take_inputs(self) -> None:
        graph, site = self.graph, self.site
        checkout = Checkout(site.absolute(), self.photos.folder / BLOBS if self.photos else None)
        self.files = scan(site, self.store.file_stats() if self.store.on else {}, checkout)
        checkout.save()
        self.store.save_file_stats(self.files.fresh, self.files.gone)
        recorded = graph.load_prefix("file:") | graph.load_prefix("theme:")
        for name, digest in self.files.digests.items():
            graph.put(name, digest)  # type: ignore[arg-type]
        graph.drop(name for name in recorded if name not in self.files.digests)
        graph.load_prefix("setting:")
        graph.load_prefix("option:")
        self.settings = setting_digests(self.raw)
        for name, digest in self.settings.items():
            graph.put(name, digest)
        for name in ("drafts", "future"):
            graph.put(f"option:{name}", fingerprint(getattr(self.options, name)))
        self.ledger = read_ledger(site, self.problems)
        graph.put("ledger", fingerprint(sorted(self.ledger.entries.items())))
        self.roots = source_roots(site)
        self.static = static_files(site)
        self.check_sources()
        old_static = graph.load_prefix("static:")
        for rel, path in self.static.items():
            key = _key_of(path, site)
            graph.put(f"static:{rel}", fingerprint(key, self.files.digests.get(key, b"")))
        graph.drop(name for name in old_static if name[7:] not in self.static)
        graph.put("static", fingerprint(sorted(self.static)))
        templates = graph.load_prefix("template:")
        if any(n.startswith(("file:templates/", "theme:templates/")) for n in graph.changed) \
                or len(templates) < len(PAGE_TEMPLATES):
            # Jinja is imported only here and for rendering: a build that finds nothing
            # changed never needs it.
            from newsgen.render.templates import make_environment, template_digests
            digests = template_digests(make_environment(self.raw), set(PAGE_TEMPLATES))
            for name, digest in digests.items():
                graph.put(f"template:{name}", digest)

    def check_sources(self) -> None:
        """Links that lead out of the site's folders are refused wherever they are."""
        site, roots = self.site, self.roots
        for rel, source in self.static.items():
            if why := unsafe_source(source, site, roots, PUBLISHED_HIDDEN):
                self.problems.error(_copy_instead(why, "static"), f"static/{rel}")
        for folder in template_dirs(site):
            for path in sorted(folder.rglob("*")):
                if path.is_symlink() and (why := unsafe_source(path, site, roots)):
                    self.problems.error(_copy_instead(why, "templates"),
                                        f"templates/{path.relative_to(folder).as_posix()}")

    def unchanged(self) -> bool:
        """Whether the last build's output is this build's: no input changed, the clock is
        inside every recorded answer's interval, and the output is as it was left."""
        graph, previous = self.graph, self.previous
        checked = time.time_ns()
        if graph.changed or graph.out_of_time() or self.report is None or previous is None \
                or self.problems.errors or not previous.untouched():
            return False
        if not all(previous.reusable(rel, entry.key) is not None
                   for rel, entry in previous.entries.items()):
            return False
        if previous.racy():
            # Their names were listed and found as recorded: from now on the folders'
            # times vouch for them, and the next build need not list them again.
            self.previous = replace(previous, recorded=checked)
            save_trees(self.store, self.previous, None)
        return True

    def finish_unchanged(self) -> BuildResult:
        assert self.report is not None and self.previous is not None
        clear_leftovers(self.output, spare=has_spare(self.store, self.output))
        self.problems.extend(p for found in self.report.warnings.values() for p in found)
        self.problems.extend(self.report.index_warnings)
        self.problems.extend(p for found in self.report.body_warnings.values() for p in found)
        self.problems.check(ContentError, strict=self.options.strict)
        return self.finish(self.report, self.previous, ())

    def parse(self) -> None:
        graph, site = self.graph, self.site
        self.rels = sorted(name[5:] for name in self.files.digests
                           if name.startswith("file:content/") and name.endswith(".md")
                           and "/." not in name)  # hidden files and folders are not articles
        graph.put("articles", fingerprint(self.rels))
        settings = any(name.startswith("setting:") for name in graph.changed)
        present = set(self.rels)
        gone: list[str] = []
        if "articles" in graph.changed or settings or self.report is None:
            recorded = graph.load_prefix("head:")
            graph.load_prefix("summary:")
            graph.load_prefix("text:")
            check = [rel for rel in self.rels if settings or f"head:{rel}" not in recorded
                     or f"file:{rel}" in graph.changed]
            gone = [name[5:] for name in recorded if name[5:] not in present]
        else:  # the same files as last time: only those that changed are read
            check = [rel for rel in self.rels if f"file:{rel}" in graph.changed]
        # Where a link leads is judged on every build: its target may have moved.
        for rel in self.rels:
            if f"file:{rel}" in self.files.links and \
                    (why := unsafe_source(site / rel, site, self.roots)):
                self.problems.error(_copy_instead(why, "content"), rel)
                self.refused.add(rel)
        known = self.store.parsed(check if len(check) < len(self.rels) // 2 else None)
        todo: list[str] = []
        for rel in check:
            if rel in self.refused:
                continue
            parsed = known.get(rel)
            if parsed is not None and parsed.digest == self.files.digests.get(f"file:{rel}") \
                    and all(graph.digest(k) == d for k, d in parsed.settings):
                article, found = parsed.head  # type: ignore[misc]
                self.keep_head(rel, article, found, parsed.text)
            else:
                todo.append(rel)
        self.parse_files(todo, gone)
        for rel, found in self.report.warnings.items() if self.report else ():
            if rel in present and rel not in self.heads:
                self.warn(rel, found)
        graph.drop(f"head:{rel}" for rel in gone)
        graph.drop(f"summary:{rel}" for rel in gone)
        graph.drop(f"text:{rel}" for rel in gone)

    def parse_files(self, rels: list[str], gone: list[str] | None = None) -> None:
        """Parse `rels` (the parse query), and keep what parsing gave for every profile."""
        graph = self.graph
        fresh: dict[str, tuple[bytes, bytes, bytes]] = {}
        for result in parse_files(rels, self.config, self.options.jobs, self.options.progress,
                                  _Keeper(self.settings)):
            kept = result.kept
            if not isinstance(kept, _Kept):
                self.warn(result.rel, result.problems)
                self.broken |= result.likely
                continue
            self.texts[result.rel] = kept.text
            fresh[result.rel] = kept.row
            graph.put(f"file:{result.rel}", result.digest)  # the bytes that were parsed
            self.keep_head(result.rel, kept.head, result.problems, kept.text_digest,
                           kept.head_digest, kept.summary_digest)
            self.packed[result.rel] = (kept.head, kept.packed)
        self.store.save_parsed(fresh, gone or [])

    def warn(self, rel: str, found: tuple[Problem, ...]) -> None:
        if rel not in self.warned:
            self.warned.add(rel)
            self.problems.extend(found)

    def keep_head(self, rel: str, article: Article, found: tuple[Problem, ...],
                  text: bytes, head: bytes | None = None, brief: bytes | None = None) -> None:
        """An article as parsed; `text`: the digest of its body and where it starts;
        `head`, `brief`: the digests of the article without it and of its summary, when
        known."""
        self.warn(rel, found)
        self.heads[rel] = (article, found)
        self.graph.put(f"head:{rel}", head or fingerprint(article))
        self.graph.put(f"summary:{rel}", brief or fingerprint(summary(article)))
        self.graph.put(f"text:{rel}", text)

    def run_index(self) -> None:
        graph = self.graph
        if graph.old("index") is not None and not graph.stale({"index"}) \
                and not self.problems.errors and self.report is not None:
            self.problems.extend(self.report.index_warnings)
            self.update_articles()
            return
        graph.load_prefix("summary:")  # every summary's digest is read below
        missing = [rel for rel in self.rels if rel not in self.heads and rel not in self.refused]
        if missing:
            wanted = set(missing)
            for rel, parsed in self.store.parsed(
                    missing if len(missing) < len(self.rels) // 2 else None).items():
                if rel in self.heads or rel not in wanted:
                    continue
                article, found = parsed.head  # type: ignore[misc]
                self.warn(rel, found)
                self.heads[rel] = (article, found)
            # A stored article that could not be read (damaged) is parsed again.
            self.parse_files([rel for rel in missing if rel not in self.heads])
        articles = [self.heads[rel][0] for rel in self.rels if rel in self.heads]
        summaries = [summary(article) for article in articles]
        before = self.values.get("related-state") if graph.old("related-state") else None  # type: ignore[union-attr]
        said = len(self.problems.items)
        with recording() as frame:
            read("articles")
            read("ledger")
            for rel in self.rels:
                read(f"summary:{rel}")
            made = index(self.config, summaries, self.broken, self.clock,
                         Tracked(self.options, "option"), TrackedMapping(self.static, "static"),
                         self.roots, self.problems,
                         before if isinstance(before, RelatedState) else None,
                         self.options.jobs, self.measures(), self.ledger, self.rels)
        graph.put("index", graph.inputs(frame), frame=frame)
        self.made = made
        self.index_warnings = tuple(p for p in self.problems.items[said:]
                                    if p.severity == "warning")
        values = dict(made.values)
        values.update(article_values(articles, cast(tuple[str, ...], values["order"])))
        values["assets"] = made.assets
        self.put_values(values)
        graph.put("related-state", fingerprint(made.related.found), made.related)
        assert self.values is not None
        self.values.made.update(values)

    def update_articles(self) -> None:
        """The index did not run, every summary being as it was: the articles whose heads
        changed (a headline, a lead) are put as they are now, under the same slugs."""
        graph, values = self.graph, self.values
        assert values is not None
        for rel, (article, _found) in self.heads.items():
            name = f"article:{article.slug}"
            if f"head:{rel}" in graph.changed and graph.old(name) is not None:
                graph.put(name, cast(bytes, graph.digest(f"head:{rel}")), article)
                values.made[name] = article

    def put_values(self, values: dict[str, object]) -> None:
        """The index's values into the graph, a kind at a time (every url:, every related:):
        a kind whose values all came out as before is compared in one digest."""
        graph = self.graph
        kinds: dict[str, list[tuple[str, object]]] = defaultdict(list)
        for name, value in values.items():
            kinds[name.partition(":")[0]].append((name, value))
        for kind in INDEX_VALUES:
            kinds.setdefault(kind.rstrip(":"), [])
        for kind, items in kinds.items():
            # An article's head has its digest already, from parsing.
            heads = kind == "article"
            digest = fingerprint([(name, graph.digest(f"head:{v.source}")) for name, v in items]
                                 if heads else items)  # type: ignore[attr-defined]
            bulk = kind in BULK
            if not graph.put(f"kind:{kind}", digest, dict(items) if bulk else NO_VALUE):
                continue
            before = self.values.last(kind) if bulk and self.values else None
            if before is not None:
                # The last build's values of the kind, compared one by one: a new article
                # moves a few of 10,000 older-news lists, and only those are digested.
                for name, value in items:
                    if name not in before or not _same(before[name], value):
                        graph.put(name, fingerprint(value))
                graph.drop(name for name in before if name not in values)
                continue
            recorded = graph.recorded(f"{kind}:") if kind not in values else set()
            for name, value in items:
                graph.put(name, graph.digest(f"head:{value.source}") if heads  # type: ignore[attr-defined]
                          else fingerprint(value), NO_VALUE if bulk else
                          self._packed(value) if heads else value)
            graph.drop(name for name in recorded if name not in values)

    def _packed(self, article: Article) -> object:
        """The article as its parse packed it, if this build parsed it; else as it is."""
        made, packed = self.packed.get(article.source, (None, None))
        return packed if made is article else article

    def run_plan(self) -> None:
        """The plan query: every page of the site, from the index's values and the settings
        that shape listings (per_page, the home page's blocks)."""
        from newsgen.render.plan import plan_pages
        graph, values = self.graph, self.values
        assert values is not None
        if graph.old("plan") is not None and not graph.stale({"plan"}):
            return
        with recording() as frame:
            pages = plan_pages(self.library())
        paths = tuple(page.path for page in pages)
        old_plan = graph.recorded("plan:")
        digests = [fingerprint(page) for page in pages]
        for page, digest in zip(pages, digests, strict=True):
            graph.put(f"plan:{page.path}", digest)
        present = set(paths)
        graph.drop(name for name in old_plan if name[5:] not in present)
        graph.put("plan", fingerprint(paths), paths, frame)
        graph.put("kind:plan", fingerprint(digests), {f"plan:{p.path}": p for p in pages})
        values.made.update({f"plan:{page.path}": page for page in pages})
        values.made["plan"] = paths
        self.planned = pages

    def whole_plan(self) -> None:
        """Every planned page's value and digest at hand, read in one go (not one by one)
        for what reads them all: the sitemaps, the list of owners."""
        if self.planned is None and not self.plan_loaded:
            assert self.values is not None
            self.values.preload("plan:")
            self.graph.load_prefix("plan:")
            self.plan_loaded = True

    def library(self) -> Library:
        assert self.values is not None
        return Library(self.config, self.values, TrackedMapping(self.static, "static"),
                       self.roots, self.clock, self.measures())

    def measures(self) -> Measures:
        """What each picture is, by the digests this build took of every file."""
        if self._measures is None:
            files = self.files
            self._measures = Measures(
                self.raw.pictures.renditions,
                self.photos.folder if self.photos is not None else None,
                {path: files.digests[name] for name, path in files.paths.items()
                 if isinstance(files.digests[name], bytes)})
        return self._measures

    def check_all_pictures(self) -> None:
        """Rendering will not start, so find the bodies' missing pictures now: every
        problem of the site is reported in this one run."""
        from newsgen.render.markdown import scan_pictures
        missing = [rel for rel in self.rels if rel not in self.texts and rel in self.heads]
        self.texts.update(self.store.texts(missing))
        for rel in self.rels:
            if rel in self.heads and rel in self.texts:
                body, line = self.texts[rel]
                article = replace(self.heads[rel][0], body=body, body_line=line)
                scan_pictures(article, self.raw, self.static, self.roots, self.problems)

    def run_cards(self) -> None:
        from newsgen.render.views import ViewMaker
        graph = self.graph
        order = cast(tuple[str, ...], self.values["order"])  # type: ignore[index]
        todo = [name[5:] for name in graph.stale_under("card:")]
        recorded: set[str] = set()
        if self.made is not None:  # the index ran: there may be new articles
            recorded = graph.recorded("card:")
            todo += [slug for slug in order if f"card:{slug}" not in recorded]
        if todo:
            views = ViewMaker(self.library())
            for slug in dict.fromkeys(todo):
                with recording() as frame:
                    card = views.make_card(slug)
                graph.put(f"card:{slug}", fingerprint(card), card, frame)
                self.values.made[f"card:{slug}"] = card  # type: ignore[union-attr]
        present = {f"card:{slug}" for slug in order}
        graph.drop(name for name in recorded if name not in present)
        todo = [slug for slug in dict.fromkeys(todo) if f"card:{slug}" in present]

    # --- pages, feeds, sitemaps and copies ---

    def render(self) -> BuildResult:
        from newsgen.render.pages import PageRenderer, render_bodies
        graph, previous, values = self.graph, self.previous, self.values
        assert values is not None
        paths = cast(tuple[str, ...], values["plan"])
        with _step(self.result, "select"):
            stale = {name[5:] for name in graph.stale_under("page:")}
            # A page is kept when nothing it read changed and the last build's file is
            # there as it was left; a new plan may hold pages never rendered before.
            recorded = graph.recorded("page:") if self.planned is not None else None
            todo = [path for path in paths
                    if path in stale or (recorded is not None and f"page:{path}" not in recorded)
                    or not self._kept(path)]
            if len(todo) >= PRELOAD_FROM:
                # Each page's inputs are digested from what it read, some 35 names: one
                # query for every recorded digest instead of one per name and page.
                graph.load_prefix("")
                if self.made is None:
                    values.preload()
            pages = [cast("Page", values[f"plan:{path}"]) for path in todo]
            planned = set(paths)
            graph.drop(name for name in recorded or () if name[5:] not in planned)
            library = self.library()
            slugs = {page.slug for page in pages if page.kind == "article"}
            order = cast(tuple[str, ...], values["order"])
            stale_bodies = {name[5:] for name in graph.stale_under("body:")}
            published = set(order)
            if self.made is not None:  # the index ran: there may be new articles, or fewer
                bodies_recorded = graph.recorded("body:")
                stale_bodies |= {slug for slug in order if f"body:{slug}" not in bodies_recorded}
                graph.drop(name for name in bodies_recorded if name[5:] not in published)
            stale_bodies &= published
            renderer = PageRenderer(library, _Texts(self), _Bodies(self), stale_bodies, graph)
            # A body whose page would otherwise be kept renders first: the page only follows
            # if the body came out different.
            alone = sorted(stale_bodies - slugs)
            for made in render_bodies(renderer, alone, self.options.jobs):
                self.problems.extend(made.problems)
                self.note_body(made)
                if made.packed is not None:
                    self.put_body(made)
            renderer.stale = stale_bodies & slugs
            if alone:
                stale = {name[5:] for name in graph.stale_under("page:")}
                doing = set(todo)
                again = [path for path in paths if path in stale and path not in doing]
                todo += again
                pages += [cast("Page", values[f"plan:{path}"]) for path in again]
        self.problems.check(ContentError, strict=self.options.strict)
        kept_warnings = self.kept_body_warnings(published, stale_bodies)
        self.problems.extend(p for found in kept_warnings.values() for p in found)
        writer = Writer(staging_path(self.output), self.problems, previous)
        with _step(self.result, "keep"):
            claims = self.claims(paths)
            owners: dict[str, str] = {}  # path -> its first owner
            for path, (owner, _alias) in zip(paths, claims, strict=True):
                owners.setdefault(path, owner)
            remade: list[str] = []
            dirty = set(todo)
            for path, (owner, alias) in zip(paths, claims, strict=True):
                if not writer.claim(path, owner, alias):
                    continue
                if path not in dirty:
                    assert previous is not None
                    entry = writer.keep(path, previous.entries[path].key, previous.entries[path])
                    writer.pages += 1
                    for source, rel in entry.pictures if entry else ():
                        self.copy(writer, rel, source, owners.get(path, path), remade)
        with _step(self.result, "feeds"):
            self.write_generated(writer, library, paths, remade)
        from newsgen.render.pages import PARALLEL_FROM
        many = self.options.jobs > 1 and len(pages) >= PARALLEL_FROM
        if not many:
            self.copy_files(writer, remade)
            self.problems.check(ContentError, strict=self.options.strict)
        tree = self.publish(writer, renderer, pages, owners, remade, many)
        report = Report(self.warnings(), self._held_back(), dict(writer.owners),
                        dict(zip(paths, self.planned_pages(paths), strict=True)),
                        self.sources(), writer.pages,
                        self.index_warnings if self.made is not None else
                        self.report.index_warnings if self.report else (),
                        {**kept_warnings, **self.body_warnings})
        self.problems.check(ContentError, strict=self.options.strict)
        self.keep_addresses()
        if self.store.on:
            with _step(self.result, "record"):
                graph.put("report", fingerprint(report), report)
                graph.commit()
        self.result.rendered, self.result.written = writer.rendered, writer.written
        return self.finish(report, tree, tuple(remade))

    def keep_addresses(self) -> None:
        """Add this build's addresses to addresses.txt: those of a build that shows what
        readers get, not a preview (serve, drafts, another time)."""
        options, made = self.options, self.made
        if made is not None and made.ledger != self.ledger.entries \
                and not (options.drafts or options.future or options.now or options.preview):
            write_ledger(self.site, made.ledger)

    def copy_files(self, writer: Writer, remade: list[str]) -> None:
        """The pictures and static files, claimed after every page and feed."""
        settings, values = self.raw.pictures.renditions, self.values
        assert values is not None
        photos = self.photos
        for asset in cast(tuple, values["assets"]):
            facts = asset.facts
            if facts is None:
                self.copy(writer, output_path(asset.url), asset.source, asset.used_by, remade)
                continue
            # A photo is a dozen files: its path, digest and maker are found once for all.
            path = self._path(asset.source)
            key = self._digest(path)
            made = photos.want if photos is not None and path.suffix.lower() in RASTER \
                else None
            for rendition in (*ladder(facts, settings), *crops(facts, settings, asset.focus)):
                name = rendition.name(facts)
                rel = f"{IMG_DIR}/{name}"
                if writer.copy(rel, path, asset.used_by, key, made and functools.partial(
                        made, own=False, name=name, rendition=rendition)):
                    remade.append(rel)
        for rel, source in self.static.items():
            key = self.graph.digest(f"static:{rel}") or b""
            if writer.copy(rel, source, f"static/{rel}", key, self.published(source, own=True)):
                remade.append(rel)

    def _kept(self, path: str) -> bool:
        """Whether the last build's page at `path` is still there, as it made it."""
        entry = self.previous.entries.get(path) if self.previous is not None else None
        return entry is not None and self.previous.reusable(path, entry.key) is not None  # type: ignore[union-attr]

    def claims(self, paths: tuple[str, ...]) -> list[tuple[str, bool]]:
        """For each planned page, the source that makes it (for messages and `newsgen
        check`), and whether the page is a redirect (an alias in that source)."""
        planned, sources = self.planned_pages(paths), self.sources()
        return [(sources.get(slug, path) if slug else _page_of_kind(kind), kind == "redirect")
                for path, (slug, kind) in zip(paths, planned, strict=True)]

    def planned_pages(self, paths: tuple[str, ...]) -> list[tuple[str | None, str]]:
        """(slug, kind) of each planned page: from the plan made in this build, else as
        the last build's report has them."""
        if self.planned is not None:
            return [(page.slug, page.kind) for page in self.planned]
        if self.report is not None:
            return [self.report.planned.get(path, (None, "")) for path in paths]
        self.whole_plan()
        assert self.values is not None
        return [(page.slug, page.kind) for page in
                (cast("Page", self.values[f"plan:{path}"]) for path in paths)]

    def sources(self) -> dict[str, str]:
        """slug -> the file of the article."""
        if self.made is None and self.report is not None:
            return self.report.sources
        return {a.slug: a.source for a in (cast(Article, v) for n, v in (
            self.values.made.items() if self.values else ()) if n.startswith("article:"))}

    def warnings(self) -> dict[str, tuple[Problem, ...]]:
        """Every article's warnings: from the heads read in this build, else as reported."""
        present = set(self.rels)
        found = {rel: w for rel, w in (self.report.warnings.items() if self.report else ())
                 if rel in present and rel not in self.heads}
        found.update((rel, w) for rel, (_, w) in self.heads.items() if w)
        return found

    def _held_back(self) -> tuple[str, ...]:
        if self.made is None:
            return self.report.held_back if self.report else ()
        return tuple(h.message for h in self.made.held_back) + self.made.notes

    def note_body(self, made: MadeBody) -> None:
        warned = tuple(p for p in made.problems if p.severity == "warning")
        if warned:
            self.body_warnings[made.slug] = warned

    def kept_body_warnings(self, published: set[str], rendered: set[str]
                           ) -> dict[str, tuple[Problem, ...]]:
        """The warnings of the bodies this build keeps, as the build that rendered them
        said them."""
        if self.report is None:
            return {}
        return {slug: found for slug, found in self.report.body_warnings.items()
                if slug in published and slug not in rendered}

    def put_body(self, made: MadeBody) -> None:
        assert made.packed is not None
        self.graph.put(f"body:{made.slug}", made.digest, made.packed, made.frame)
        self.values.made[f"body:{made.slug}"] = made.body or made.packed  # type: ignore[union-attr]

    def copy(self, writer: Writer, rel: str, source: Path | str, owner: str, remade: list[str]
             ) -> None:
        path = self._path(source)
        if writer.copy(rel, path, owner, self._digest(path), self.published(path, rel=rel)):
            remade.append(rel)

    def _path(self, source: Path | str) -> Path:
        return source if isinstance(source, Path) else self.site / source

    def _digest(self, path: Path) -> bytes:
        key = self._digests.get(path)
        if key is None:  # a picture used by many pages: its digest is looked up once
            key = self._digests[path] = self.graph.digest(_key_of(path, self.site)) or b""
        return key

    def published(self, path: Path, own: bool = False, rel: str = ""
                  ) -> Callable[[Path, bytes], str] | None:
        """How to make the file published at `rel` for `path`: a rendition (a width, a
        format, a crop: what its name says) is made from it, a raster picture is
        published without its metadata (render.photos), anything else as it is (None).
        `own`: a static file of the site."""
        photos = self.photos
        if photos is None or path.suffix.lower() not in RASTER:
            return None
        name = rel.rpartition("/")[2] if rel.startswith(f"{IMG_DIR}/") else ""
        return lambda source, key: photos.want(source, key or file_digest(str(source)), own,
                                               name)

    def make_photos(self) -> None:
        """Make the pictures wanted so far, before they are copied; one problem each for a
        picture that cannot be published."""
        if self._measures is not None:
            self._measures.save()
        if self.photos is None:
            return
        for made in self.photos.make():
            self.problems.error(_("this picture {problem}", problem=made.problem),
                                _shown(made.source, self.site))
        self.problems.check(ContentError, strict=self.options.strict)

    def write_generated(self, writer: Writer, library: Library, paths: tuple[str, ...],
                        remade: list[str]) -> None:
        """Feeds, sitemaps, robots.txt, _redirects and the search index: each a query over
        the library."""
        from newsgen.render.feeds import feeds
        from newsgen.render.search import search_files
        graph = self.graph
        producers = {"feeds": lambda: feeds(library),
                     "sitemaps": lambda: self.sitemap_files(library, paths),
                     "redirects": lambda: self.redirects(library, paths)}
        if library.config.search:
            producers["search"] = lambda: search_files(library, _Texts(self))
        stale = graph.stale({f"gen:{name}" for name in producers})
        if stale or any(graph.old(f"gen:{name}") is None for name in producers):
            self.whole_plan()
        previous = self.previous
        for name, make in producers.items():
            node = graph.old(f"gen:{name}")
            kept = node is not None and f"gen:{name}" not in stale and self.values is not None
            # Each file with the digest of its bytes: a query made again often gives most
            # of its files as they were (the search index's fragments of other articles).
            made = cast(tuple[tuple[str, bytes], ...], self.values[f"gen:{name}"]) if kept \
                else ()  # type: ignore[index]
            if kept and all(previous is not None and previous.reusable(rel, digest) is not None
                            for rel, digest in made):
                for rel, digest in made:
                    if writer.claim(rel, FEEDS):
                        writer.keep(rel, digest)
                continue
            with recording() as frame:
                files = make()
            made = tuple((f.path, fingerprint(f.text)) for f in files)
            graph.put(f"gen:{name}", graph.inputs(frame), made, frame)
            self.values.made[f"gen:{name}"] = made  # type: ignore[union-attr]
            for file, (rel, digest) in zip(files, made, strict=True):
                if previous is not None and previous.reusable(rel, digest) is not None:
                    if writer.claim(rel, FEEDS):
                        writer.keep(rel, digest)
                elif writer.write_file(rel, file.text, FEEDS, digest):
                    remade.append(rel)

    def sitemap_files(self, library: Library, paths: tuple[str, ...]) -> list:
        """Sitemaps (every page but 404, search and redirects), the news sitemap and
        robots.txt."""
        from newsgen.render.sitemaps import SitemapEntry, news_sitemap, robots, sitemaps
        config = library.config
        read("plan")
        entries = []
        for path in paths:
            read(f"plan:{path}")
            page = cast("Page", library.values[f"plan:{path}"])
            if page.kind not in ("404", "redirect", "search"):
                entries.append(SitemapEntry(page.url, _last_change(page, library)))
        maps = sitemaps(config, entries)
        news = news_sitemap(library)
        return [*maps, *news, robots(config, ["sitemap.xml", *(f.path for f in news)])]

    def redirects(self, library: Library, paths: tuple[str, ...]) -> list:
        """_redirects (Netlify, Cloudflare Pages and others): a real 301 where the host
        reads it. The redirect pages themselves cover every other host."""
        from newsgen.render.xmldoc import OutputFile
        base = library.config.base_path
        read("plan")
        lines = []
        for path in paths:
            read(f"plan:{path}")
            page = cast("Page", library.values[f"plan:{path}"])
            if page.kind == "redirect" and page.slug:
                lines.append(f"{href(base, page.url)} {href(base, library.url(page.slug))} 301")
        return [OutputFile("_redirects", "\n".join(sorted(lines)) + "\n")] if lines else []

    def publish(self, writer: Writer, renderer: PageRenderer, pages: list[Page],
                owners: dict[str, str], remade: list[str], many: bool) -> Tree:
        """Render `pages` into the output: alone, a page is renamed into the live folder;
        otherwise everything goes through a staging folder swapped in at once.

        `many`: the pages render in worker processes, and meanwhile this one copies
        the pictures and static files (a photo is a dozen links); pictures still to
        be made wait until the workers are done."""
        from newsgen.render.pages import render_pages
        previous = self.previous
        results: list[Rendered] = []
        if not many:
            with _step(self.result, "render"):
                results = [renderer.render(page) for page in pages]
                for page, result in zip(pages, results, strict=True):
                    self.take(writer, page, result, owners, remade)
            self.problems.check(ContentError, strict=self.options.strict)
        if len(results) == 1 and previous is not None and results[0].data is not None \
                and not writer.changed_besides({pages[0].path}) and previous.untouched():
            with _step(self.result, "publish"):
                tree, new = replace_one(previous, pages[0].path, results[0].data,
                                        results[0].key, pictures=results[0].pictures)
                save_trees(self.store, tree, None)
            writer.rendered, writer.written = 1, int(new)
            writer.pages += 1
            return tree
        if not pages and not writer.changed:
            clear_leftovers(self.output, spare=has_spare(self.store, self.output))
            assert previous is not None
            return previous
        with staged(self.store, writer, self.output, keep=self.store.on,
                    publishing=lambda: _step(self.result, "publish")) as staging:
            with _step(self.result, "write" if not many else "render"):
                self.make_photos()
                writer.flush((page.path for page in pages), copies=not many)
                for page, result in zip(pages if not many else [], results, strict=True):
                    assert result.data is not None
                    entry, new = place(staging, page.path, result.data, result.key, previous,
                                       writer.fresh, pictures=result.pictures)
                    writer.page(page.path, entry, new)
                if many:
                    renderer.root, renderer.previous, renderer.fresh = staging, previous, \
                        writer.fresh
                    for page, result in zip(pages, render_pages(
                            renderer, pages, self.options.jobs, self.options.progress,
                            meanwhile=lambda: self.copy_meanwhile(writer, remade)),
                            strict=True):
                        self.take(writer, page, result, owners, remade)
                self.make_photos()
                writer.flush()  # the pictures the rendered bodies show
            self.problems.check(ContentError, strict=self.options.strict)
        return writer.tree(self.output)

    def copy_meanwhile(self, writer: Writer, remade: list[str]) -> None:
        self.copy_files(writer, remade)
        if self.photos is None or not self.photos.pending:
            writer.flush()

    def take(self, writer: Writer, page: Page, result: Rendered, owners: dict[str, str],
             remade: list[str]) -> None:
        """One page's report: its body and reads recorded, its pictures copied."""
        known = set(self.problems.items)  # one template mistake is the same on every page
        self.problems.extend(p for p in result.problems if p not in known)
        if result.body is not None:
            self.note_body(result.body)
        if result.body is not None and result.body.packed is not None:
            self.put_body(result.body)
        if result.failed:
            return
        self.graph.put(f"page:{page.path}", result.key, frame=result.frame)
        remade.append(page.path)
        if result.entry is not None:
            writer.page(page.path, result.entry, result.new)
        for source, rel in result.pictures:
            self.copy(writer, rel, source, owners.get(page.path, page.path), remade)

    def finish(self, report: Report, tree: Tree, remade: tuple[str, ...]) -> BuildResult:
        result = self.result
        result.pages, result.files = report.pages, len(tree.entries)
        result.owners = dict(report.owners)
        result.warnings = self.problems.warnings
        result.held_back = list(report.held_back)
        result.remade = tuple(sorted(set(remade)))
        result.inputs = {rel: entry.key for rel, entry in tree.entries.items()}
        result.seconds = time.perf_counter() - self.start
        return result


@dataclass(frozen=True, slots=True)
class _Kept:
    """What a build keeps of a parsed article, made in the process that parsed it."""

    head: Article  # without its body
    head_digest: bytes
    summary_digest: bytes  # of what the index reads of it (library.summary)
    text: tuple[str, int]  # the body, and the line it starts on
    text_digest: bytes
    row: tuple[bytes, bytes, bytes]  # for Store.save_parsed
    packed: Packed  # the head as the store keeps it under article:<slug>


@dataclass(frozen=True, slots=True)
class _Keeper:
    """parse_files' `keep`: digests and the stored row, made where the article is parsed."""

    settings: dict[str, bytes]  # setting:name -> digest in this build

    def __call__(self, parsed: object) -> _Kept | None:
        article = getattr(parsed, "article", None)
        if not isinstance(article, Article):
            return None
        head = replace(article, body="")
        text = (article.body, article.body_line)
        text_digest = fingerprint(text)
        read = tuple(sorted((k, self.settings.get(k, b"")) for k in parsed.frame.deps))  # type: ignore[attr-defined]
        row = Store.parsed_row(Parsed(parsed.digest, read, (head, parsed.problems),  # type: ignore[attr-defined]
                                      text_digest), text)
        return _Kept(head, fingerprint(head), fingerprint(summary(head)), text, text_digest,
                     row, Packed(pack(head)))


class _Texts(Mapping[str, tuple[str, int]]):
    """Article texts for the body query: parsed in this build, or as last parsed."""

    def __init__(self, run: _Build) -> None:
        self.run = run

    def __getitem__(self, rel: str) -> tuple[str, int]:
        texts = self.run.texts
        if rel not in texts:
            texts.update(self.run.store.texts([rel]))
        return texts[rel]

    def __iter__(self) -> Iterator[str]:
        return iter(self.run.texts)

    def __len__(self) -> int:
        return len(self.run.texts)


class _Bodies(Mapping[str, object]):
    """Rendered bodies as the last build recorded them."""

    def __init__(self, run: _Build) -> None:
        self.run = run

    def __getitem__(self, slug: str) -> Body:
        value = self.run.values[f"body:{slug}"]  # type: ignore[index]
        return unpack(value) if isinstance(value, Packed) else value  # type: ignore[return-value]

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def _same(before: object, now: object) -> bool:
    """Whether a value is as it was, digest and all: equal and of one type, and for times
    in the same zone too (equal instants in two zones are shown differently)."""
    if type(before) is not type(now) or before != now:
        return False
    return not isinstance(now, datetime) or repr(before) == repr(now)


def _shown(path: Path, site: Path) -> str:
    """A file as the editor knows it: relative to the site when it is inside."""
    try:
        return path.absolute().relative_to(site.absolute()).as_posix()
    except ValueError:
        return path.as_posix()


def _copy_instead(why: str, folder: str) -> Message:
    """A source link that leads out of the site's folders (`why`), found in `folder`."""
    return _("this file is {why}; copy the file itself into {folder}/ instead", why=why,
             folder=folder)


def _page_of_kind(kind: str) -> Message:
    return _PAGES_OF_KIND.get(kind) or _("the {kind} page", kind=kind)


def _key_of(path: Path, site: Path) -> str:
    # os.path, not Path.absolute(): this is asked once for each of 10,000 photos.
    return file_key(os.path.abspath(path), os.path.abspath(site) + os.sep)  # noqa: PTH100


def _last_change(page: Page, library: Library) -> datetime | None:
    """An article page changes with its article; a listing with the newest article on it."""
    shown = page.reads[:1] if page.kind == "article" else page.reads
    return max((library.changed(slug) for slug in shown), default=None)


@contextmanager
def _step(result: BuildResult, name: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    result.steps[name] = result.steps.get(name, 0.0) + time.perf_counter() - start
    log.info("%-8s %6.3f s", name, result.steps[name])


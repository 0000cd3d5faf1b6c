"""Rebuilds that need no build: nothing changed, or only the text of some articles did.

The last successful build leaves a snapshot of what it read: every file under
content/, templates/ and static/ by size, time and inode, the options and
site.yaml, the span of build clocks that publish the same articles, and for
each article page the key of everything around the article. When the site is
as the snapshot says but for the bodies of some articles (their front matter
unchanged), each new body is rendered and put into its page in place of the
old one, which the article template shows once and as it is (checked in the
template, and in the page), and every other file is kept. At any doubt the
full build runs: this only skips work whose result is known.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from newsgen.cache import Cache, fingerprint, pack, unpack
from newsgen.config import SiteConfig
from newsgen.errors import Problem, Problems
from newsgen.frontmatter import split_text
from newsgen.library import Library
from newsgen.markdown import Body, BodyRenderer
from newsgen.models import Article
from newsgen.output import (
    Tree,
    Writer,
    place,
    racy,
    replace_one,
    save_trees,
    staged,
    staging_path,
)
from newsgen.plan import Page
from newsgen.render import body_key
from newsgen.sitemaps import NEWS_WINDOW
from newsgen.source import decode_text, read_bytes
from newsgen.theme import source_dirs, source_roots, static_files
from newsgen.urls import output_path
from newsgen.views import article_key

NAME = "snapshot"


@dataclass(frozen=True, slots=True)
class Snapshot:
    asked: bytes  # the options and site.yaml as the build read them
    files: dict[str, str]  # path -> "size:mtime:inode" of every source file; "" unsure
    window: tuple[float, float]  # build clocks (timestamps) that publish the same articles
    # article file -> (page URL, around (lean and full, see PageKeys), body)
    articles: dict[str, tuple[str, tuple[bytes, bytes], bytes]]
    heads: dict[str, tuple[bytes, bytes]]  # article file -> (its digest, its front matter's)
    verbatim: bool  # the article template shows the body once, as it is
    pages: int
    owners: dict[str, str]
    warnings: tuple[Problem, ...]
    held_back: tuple[str, ...]


def source_files(site_dir: Path) -> dict[str, str]:
    """Every file a build may read, with its size, time and inode."""
    found: dict[str, str] = {}
    for root in source_dirs(site_dir):
        _walk(str(root), found)
    return found


def _walk(folder: str, found: dict[str, str]) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            _walk(entry.path, found)
            continue
        try:
            st = entry.stat()
        except OSError:
            found[entry.path] = "gone"
            continue
        found[entry.path] = f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"


def clock_window(library: Library) -> tuple[float, float]:
    """From the build clock to the first moment other articles would show: a scheduled
    one due, one expiring, one leaving the news sitemap."""
    now = library.now
    if not library.articles:
        return (now.timestamp(), now.timestamp())  # the feeds then show the clock itself
    moments: list[datetime] = [h.article.date for h in library.held_back
                               if h.reason == "scheduled"]
    for article in library.articles:
        if article.expires is not None:
            moments.append(article.expires)
        if article.date + NEWS_WINDOW > now:
            moments.append(article.date + NEWS_WINDOW)
    until = min(moments, default=None)
    return (now.timestamp(), until.timestamp() if until else float("inf"))


def take(cache: Cache, asked: bytes, files: dict[str, str], seen: int, library: Library,
         plan: list[Page], pages: int, around: dict[str, tuple[bytes, bytes]], verbatim: bool,
         owners: dict[str, str], warnings: list[Problem], held_back: list[str]) -> None:
    """Record what this build read (`files`, as found at time `seen`) for the next one."""
    context = library.config.digest
    articles = {}
    for page in plan:
        if page.kind == "article" and page.slug is not None and page.path in around:
            article = library.by_slug[page.slug]
            articles[article.source] = (page.url, around[page.path],
                                        body_key(context, article, page.url))
    snapshot = Snapshot(asked, _trusted(files, seen), clock_window(library), articles,
                        dict(library.heads), verbatim, pages, owners, tuple(warnings),
                        tuple(held_back))
    _save(cache, snapshot)


def _trusted(files: dict[str, str], seen: int) -> dict[str, str]:
    """The stats that can vouch for their file: not those of files changed just before."""
    return {path: "" if stat == "gone" or racy(int(stat.split(":")[1]), seen) else stat
            for path, stat in files.items()}


def _save(cache: Cache, s: Snapshot) -> None:
    data = pack((s.asked, s.files, s.window, s.articles, s.heads, s.verbatim, s.pages, s.owners,
                 s.warnings, s.held_back))
    cache.write([("INSERT OR REPLACE INTO results VALUES (?, ?, ?)", [(NAME, s.asked, data)])])


@dataclass(slots=True)
class Quick:
    """What a quick rebuild did, for the build result."""

    pages: int
    files: int
    rendered: int
    written: int
    owners: dict[str, str]
    warnings: list[Problem]
    held_back: list[str]
    staged: bool = False  # the output was swapped for a staging folder (else left in place)


@dataclass(frozen=True, slots=True)
class _Edit:
    source: str  # the article file, from the site
    article: Article  # with its new body
    digest: bytes  # of the new file
    old_digest: bytes  # of the file the last build read
    head: bytes
    stat: str
    warnings: tuple[Problem, ...]


def quick_build(cache: Cache, config: SiteConfig, asked: bytes, now: datetime, output: Path,
                previous: Tree | None, files: dict[str, str], seen: int) -> Quick | None:
    """Rebuild without loading the site, if the snapshot allows; None: run the full build.

    `files` are the source files as found at time `seen`.
    """
    if previous is None:
        return None
    stored = cache.result(NAME, asked)
    if not isinstance(stored, tuple) or len(stored) != 10:
        return None
    snap = Snapshot(*stored)
    if files.keys() != snap.files.keys() or \
            not snap.window[0] <= now.timestamp() < snap.window[1]:
        return None
    changed = [path for path, stat in files.items() if stat != snap.files[path]]
    if any(not path.endswith(".md") for path in changed):
        return None  # a picture, a template, a static file: the full build
    edits = _edits(cache, config, changed, snap)
    if edits is None:
        return None
    # Drafts have no page, and a file saved again as it was changes nothing.
    shown = [e for e in edits if e.source in snap.articles and e.digest != e.old_digest]
    if shown and not snap.verbatim:
        return None
    pages = {output_path(snap.articles[e.source][0]): e for e in shown}
    writer = Writer(staging_path(output), Problems(), previous)
    for rel, entry in previous.entries.items():
        writer.claim(rel, snap.owners.get(rel, ""))
        if rel not in pages and writer.keep(rel, entry.key) is None:
            return None  # changed by hand since: the full build makes it again
    if not pages and not previous.untouched():
        return None  # a file was added or removed by hand
    context = config.digest
    renderer = BodyRenderer(config, static_files(config.site_dir),
                            source_roots(config.site_dir))
    made: dict[str, tuple[bytes, bytes, Body]] = {}
    for rel, edit in pages.items():
        url, around, old_body = snap.articles[edit.source]
        page = _splice(cache, previous, renderer, edit, rel, url, around, old_body)
        if page is None:
            return None
        made[rel] = page
    result = Quick(snap.pages, len(previous.entries), 0, 0, snap.owners, list(snap.warnings),
                   list(snap.held_back))
    if len(made) == 1 and previous.untouched():  # one page: renamed into place
        ((rel, (data, key, body)),) = made.items()
        tree, new = replace_one(previous, rel, data, key, pictures=body.pictures,
                                needs=body.statics)
        save_trees(cache, tree, None)
        result.rendered, result.written = 1, int(new)
    elif made:
        with staged(cache, writer, output, keep=cache.on) as staging:
            writer.flush(made)
            for rel, (data, key, body) in made.items():
                entry, new = place(staging, rel, data, key, previous, writer.fresh,
                                   pictures=body.pictures, needs=body.statics)
                writer.page(rel, entry, new)
        result.rendered, result.written = writer.rendered, writer.written
        result.staged = True
    _remember(cache, snap, files, seen, edits, {e.source: made[rel][2]
                                                for rel, e in pages.items()}, context)
    return result


def _edits(cache: Cache, config: SiteConfig, changed: list[str], snap: Snapshot
           ) -> list[_Edit] | None:
    """The article files that changed since the snapshot, if only in their bodies."""
    site = config.site_dir
    context = config.digest
    edits: list[_Edit] = []
    for path in changed:
        rel = Path(path).relative_to(site).as_posix()
        if rel not in snap.heads:
            return None
        old_digest, head = snap.heads[rel]
        found = cache.rows("SELECT head, data FROM sources WHERE rel = ?", rel)
        if not found or found[0][0] != head:
            return None  # the cache holds another version of the article (a build since)
        data = found[0][1]
        if Path(path).is_symlink():
            return None  # where a link may lead is the full build's to judge
        problems = Problems()
        raw = read_bytes(Path(path), rel, problems, config.max_article_bytes)
        text = decode_text(raw, rel, problems) if raw is not None else None
        parts = split_text(text) if text is not None else None
        if raw is None or parts is None or problems.items:
            return None
        new_head, body, body_line = parts
        if fingerprint(context, rel, new_head) != head:
            return None  # the front matter changed
        try:
            article, warnings = unpack(data)  # type: ignore[misc]
        except ValueError:
            return None
        if not isinstance(article, Article) or not body.strip() or not article.body.strip():
            return None  # an empty body is warned about: the full build says so
        st = Path(path).stat()
        digest = fingerprint(context, rel, raw)
        edits.append(_Edit(rel, replace(article, body=body, body_line=body_line), digest,
                           old_digest, head, f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}",
                           tuple(warnings)))
    return edits


def _splice(cache: Cache, previous: Tree, renderer: BodyRenderer, edit: _Edit, rel: str,
            url: str, arounds: tuple[bytes, bytes], old_key: bytes
            ) -> tuple[bytes, bytes, Body] | None:
    """The article's page with its new body in place of the old one."""
    old = cache.body(old_key)
    # The page keeps the kind of key it had: the template reads what it read before.
    around = next((a for a in arounds
                   if previous.reusable(rel, article_key(a, edit.old_digest))), None)
    if around is None or not isinstance(old, tuple) or len(old) != 3:
        return None
    old_body = Body(*old)
    problems = Problems()
    body = renderer.render(edit.article, url, problems)
    if problems.items or (body.pictures, body.statics) != (old_body.pictures, old_body.statics):
        return None  # a picture to check or copy: the full build
    page = (previous.root / rel).read_text(encoding="utf-8")
    if not old_body.html or page.count(old_body.html) != 1:
        return None
    data = page.replace(old_body.html, body.html).encode("utf-8")
    return data, article_key(around, edit.digest), body


def _remember(cache: Cache, snap: Snapshot, files: dict[str, str], seen: int,
              edits: list[_Edit], bodies: dict[str, Body], context: bytes) -> None:
    """The snapshot and the cache as a full build would have left them."""
    articles = dict(snap.articles)
    rows = []
    for edit in edits:
        stat = "" if racy(int(edit.stat.split(":")[1]), seen) else edit.stat
        rows.append((edit.source, stat, edit.digest, edit.head,
                     pack((edit.article, edit.warnings))))
        if edit.source in bodies:
            url, around, _ = articles[edit.source]
            articles[edit.source] = (url, around, body_key(context, edit.article, url))
    cache.write([
        ("INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?)", rows),
        ("INSERT OR REPLACE INTO bodies VALUES (?, ?)",
         [(body_key(context, edit.article, articles[edit.source][0]),
           pack((b.html, b.pictures, b.statics)))
          for edit in edits if (b := bodies.get(edit.source)) is not None])])
    heads = dict(snap.heads)
    heads.update((edit.source, (edit.digest, edit.head)) for edit in edits)
    _save(cache, replace(snap, files=_trusted(files, seen), articles=articles, heads=heads))

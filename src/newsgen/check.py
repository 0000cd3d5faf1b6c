"""`newsgen check`: read the built site as a browser would, and report what a reader would hit.

The build already refuses what it can see in the sources; this catches what
only exists once templates, base paths and hand-written HTML meet: a link
that resolves to nothing, a #fragment with no target, a picture without
alt text, a page nobody can reach. Each problem names the source that wrote
the page, because that is the file an editor opens to fix it.
"""

from __future__ import annotations

import json
import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html.parser import HTMLParser
from http import HTTPStatus
from http.client import HTTPException
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import unquote, urldefrag, urljoin, urlsplit
from urllib.request import Request

from newsgen.build import BuildResult
from newsgen.errors import Problem, Severity
from newsgen.messages import Message, _
from newsgen.netguard import Guard, Refused, opener

log = logging.getLogger(__name__)

LINKING = {"a": ("href",), "area": ("href",), "link": ("href",), "img": ("src", "srcset"),
           "script": ("src",), "source": ("src", "srcset"), "iframe": ("src",),
           "video": ("src", "poster"), "audio": ("src",), "track": ("src",),
           "form": ("action",)}
# The links that make a page reachable: a search box's form leads to the search page.
NAVIGATING = ("a", "area", "form")
HINTS_ONLY = {"preconnect", "dns-prefetch"}  # name a host, not a document to fetch
# Not to be followed by robots: the theme's share links, which start an action on a
# network (one per article, the same page each time) and lead to no page of their own.
NOT_FOLLOWED = HINTS_ONLY | {"nofollow"}
CACHE_FILE = Path(".newsgen-cache") / "external-links.json"
FRESH = timedelta(hours=24)
MAX_THREADS = 8
USER_AGENT = "newsgen-link-check (+https://pypi.org/project/newsgen/)"


@dataclass(frozen=True, slots=True)
class Ref:
    tag: str
    url: str
    rel: frozenset[str]


class _PageReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[Ref] = []
        self.ids: set[str] = set()
        self.alt_missing: list[str] = []  # src of each <img> without alt
        self.redirect = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        if tag == "img" and "alt" not in values:
            self.alt_missing.append(values.get("src", ""))
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.redirect = True
        rel = frozenset(values.get("rel", "").lower().split())
        for attr in LINKING.get(tag, ()):
            if attr not in values:
                continue
            urls = [c.split()[0] for c in values[attr].split(",") if c.strip()] \
                if attr == "srcset" else [values[attr].strip()]
            self.refs += [Ref(tag, url, rel) for url in urls if url]


@dataclass(slots=True)
class Report:
    pages: int = 0
    links: int = 0
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)  # warnings: links not requested


class _Sources:
    """Finds the line of an article that holds a URL, so an editor lands on it."""

    def __init__(self, site_dir: Path, owners: dict[str, str], base_path: str) -> None:
        self.site_dir, self.owners, self.base_path = site_dir, owners, base_path
        self.lines: dict[str, tuple[dict[str, int], dict[str, int]]] = {}

    def problem(self, page: str, message: str, url: str = "",
                severity: Severity = "error") -> Problem:
        owner = self.owners.get(page, page)
        return Problem(owner, self._line(owner, url) if url else 0, message, severity)

    def _line(self, owner: str, url: str) -> int:
        if not owner.endswith(".md"):
            return 0
        if owner not in self.lines:
            try:
                text = (self.site_dir / owner).read_text(encoding="utf-8")
            except (OSError, UnicodeError):
                text = ""
            self.lines[owner] = _index(text.splitlines())
        quoted, bare = self.lines[owner]
        written = {url, unquote(url)}
        if self.base_path:
            written |= {w[len(self.base_path):] for w in set(written)
                        if w.startswith(self.base_path + "/")}
        # As link syntax first: a bare match may be the hero picture in the front matter.
        for index in (quoted, bare):
            found = [index[w] for w in written if w in index]
            if found:
                return min(found)
        return 0


_QUOTED = re.compile(r"\]\(<?([^)\s>]+)>?|\"([^\"]+)\"|'([^']+)'")
_BARE = re.compile(r"[^\s<>()\[\]\"']+")


def _index(lines: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    """Each address an article writes, as link syntax and as a bare word, with the first
    line it is on: one pass over the file however many links it holds (an article of
    20,000 broken links would otherwise be searched 20,000 times)."""
    quoted: dict[str, int] = {}
    bare: dict[str, int] = {}
    for number, line in enumerate(lines, 1):
        for match in _QUOTED.finditer(line):
            quoted.setdefault(next(g for g in match.groups() if g is not None), number)
        for match in _BARE.finditer(line):
            word = match[0]
            for variant in (word, word.rstrip(".,;:!?")):
                bare.setdefault(variant, number)
    return quoted, bare


def check_pages(output: Path, base_url: str, sources: _Sources
                ) -> tuple[Report, dict[str, list[str]]]:
    """Check every page in `output`; also return each outside URL with the pages using it."""
    site = urlsplit(base_url)
    base_path = sources.base_path
    files = {p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file()}
    readers: dict[str, _PageReader] = {}
    for page in sorted(f for f in files if f.endswith(".html")):
        reader = _PageReader()
        reader.feed((output / page).read_text(encoding="utf-8", errors="replace"))
        reader.close()
        readers[page] = reader
    report = Report(pages=len(readers))
    linked: set[str] = set()
    outside: dict[str, list[str]] = {}
    for page, reader in readers.items():
        page_url = f"{site.scheme}://{site.netloc}{base_path}/{page.removesuffix('index.html')}"
        for src in reader.alt_missing:
            report.problems.append(sources.problem(
                page, _('picture {src} has no alt attribute; describe it in alt, or write '
                        'alt="" if it is only decoration (in {page})', src=src, page=page), src))
        for ref in reader.refs:
            try:
                full = urljoin(page_url, ref.url)
                parts = urlsplit(full)
            except ValueError as exc:  # such as http://[::1 with no closing bracket
                report.problems.append(sources.problem(
                    page, _("link to {url} is not a valid address ({error}) (in {page})",
                            url=ref.url, error=str(exc), page=page), ref.url))
                continue
            if parts.scheme not in ("http", "https"):
                continue  # mailto:, tel:, data: and the like lead nowhere to check
            report.links += 1
            explicit = bool(urlsplit(ref.url).netloc)
            in_base = parts.path == base_path or parts.path.startswith(base_path + "/")
            if parts.netloc != site.netloc or (explicit and not in_base):
                if not ref.rel & NOT_FOLLOWED:
                    outside.setdefault(urldefrag(full).url, []).append(page)
                continue
            if not in_base:
                report.problems.append(sources.problem(
                    page, _("link to {url} is outside the site's base path {base}/ (in {page})",
                            url=ref.url, base=base_path, page=page), ref.url))
                continue
            target = unquote(parts.path[len(base_path):]).lstrip("/")
            if not target or target.endswith("/"):
                target += "index.html"
            if target not in files and f"{target}/index.html" in files:
                target += "/index.html"  # hosts send /a to /a/
            if target not in files:
                report.problems.append(sources.problem(
                    page, _("link to {url} does not resolve (in {page})", url=ref.url,
                            page=page), ref.url))
                continue
            if ref.tag in NAVIGATING and target != page:
                linked.add(target)
            fragment = unquote(parts.fragment)
            if (fragment and target in readers and fragment not in readers[target].ids
                    and fragment.lower() != "top"):
                report.problems.append(sources.problem(
                    page, _("link to {url}: {target} has no id '{fragment}' (in {page})",
                            url=ref.url, target=target, fragment=fragment, page=page), ref.url))
    for page, reader in readers.items():
        if page not in linked and page not in ("index.html", "404.html") and not reader.redirect:
            report.problems.append(sources.problem(
                page, _("{page} is not linked from any other page", page=page)))
    return report, outside


@dataclass(frozen=True, slots=True)
class Answer:
    """What asking for an outside link gave; `skipped` ones were never asked, so never cached."""

    status: int | None
    error: str = ""  # why there is no status (a Message, or the system's words)
    refused: str = ""  # why newsgen did not go on, in words that follow "link to URL"
    skipped: str = ""  # why the link was not requested: it points inside (a Message)
    private: bool = False  # it reached a non-public address, as --allow-private lets it

    def entry(self, checked_at: str) -> dict[str, object]:
        error = self.refused or self.error
        return {"status": self.status, "checked_at": checked_at,
                **({"error": error} if error else {}),
                **({"private": True} if self.private else {})}

    def said(self) -> str:
        """What the link did, in words that follow "link to URL"."""
        if self.refused:
            return self.refused
        if self.status is None:
            return _("fails: {error}", error=self.error)
        phrase = next((s.phrase for s in HTTPStatus if s.value == self.status), "")
        if not phrase:
            return _("answers {status}", status=self.status)
        return _("answers {status} {phrase}", status=self.status, phrase=phrase)


def fetch(url: str, timeout: float, allow_private: bool = False) -> Answer:
    """The final status of `url` after redirects, or None and what went wrong.

    A link whose host, or any hop's, is not on the public Internet comes back
    `skipped` before any connection is made, unless `allow_private`.
    """
    guard = Guard(allow_private)
    try:
        status, error = _ask(url, "HEAD", timeout, guard)
        if status in (405, 501):  # some servers answer only GET
            status, error = _ask(url, "GET", timeout, guard)
    except Refused as refused:
        if refused.private:
            return Answer(None, skipped=refused.reason)
        return Answer(None, refused=refused.reason)
    return Answer(status, error, private=guard.used_private)


def _ask(url: str, method: str, timeout: float, guard: Guard) -> tuple[int | None, str]:
    waited = _("no answer within {timeout:g} s", timeout=timeout)
    guard.redirected_to = ""
    try:
        request = Request(url, method=method, headers={"User-Agent": USER_AGENT})
        with opener(guard).open(request, timeout=timeout) as response:
            return response.status, ""
    except HTTPError as exc:
        return exc.code, ""
    except TimeoutError:
        return None, waited
    except URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            return None, waited
        return None, getattr(exc.reason, "strerror", None) or _words(exc.reason)
    except (OSError, HTTPException, ValueError) as exc:
        return None, getattr(exc, "strerror", None) or _words(exc) or type(exc).__name__


def _words(error: object) -> str:
    """What an error says: newsgen's own message as it is (netguard's), else its text."""
    said = getattr(error, "args", ())
    return said[0] if len(said) == 1 and isinstance(said[0], Message) else str(error)


def check_outside(outside: dict[str, list[str]], cache_path: Path, now: datetime,
                  timeout: float, sources: _Sources, allow_private: bool = False
                  ) -> tuple[list[Problem], list[Problem]]:
    """Fetch the outside links that have no fresh good answer in the cache.

    Returns the problems, and the links skipped because they point inside
    (warnings: nothing was learnt about them, so they are not cached either).
    """
    try:
        cache = json.loads(cache_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cache = {}
    if not isinstance(cache, dict):  # not ours, or damaged: start again
        cache = {}

    def fresh(entry: object) -> bool:
        if not isinstance(entry, dict) or not isinstance(entry.get("status"), int):
            return False
        if entry.get("private") and not allow_private:
            return False  # learnt with --allow-private: without it, vet the link again
        try:
            age = now - datetime.fromisoformat(entry["checked_at"])
        except (TypeError, ValueError, KeyError):
            return False
        return entry["status"] < 400 and timedelta(0) <= age < FRESH

    todo = sorted(url for url in outside if not fresh(cache.get(url)))
    log.info("check: %d outside links, %d from the cache", len(outside), len(outside) - len(todo))
    answers: dict[str, Answer] = {}
    if todo:
        with ThreadPoolExecutor(max_workers=min(MAX_THREADS, len(todo))) as pool:
            answers = dict(zip(todo, pool.map(lambda u: fetch(u, timeout, allow_private), todo),
                               strict=True))
        cache.update({url: answer.entry(now.isoformat()) for url, answer in answers.items()
                      if not answer.skipped})
        try:
            cache_path.parent.mkdir(parents=True, exist_ok=True)
            cache_path.write_text(json.dumps(cache, ensure_ascii=False, indent=1, sort_keys=True)
                                  + "\n", encoding="utf-8")
        except OSError as exc:
            log.warning("cannot save the link cache %s: %s", cache_path, exc.strerror)
    problems, skipped = [], []
    for url, answer in sorted(answers.items()):
        for page in sorted(set(outside[url])):
            if answer.skipped:
                skipped.append(sources.problem(
                    page, _("link to {url} was not checked: {reason}; add --allow-private "
                            "to check it (in {page})", url=url, reason=answer.skipped, page=page),
                    url, "warning"))
            elif answer.status is None or answer.status >= 400:
                problems.append(sources.problem(
                    page, _("link to {url} {outcome} (in {page})", url=url,
                            outcome=answer.said(), page=page), url))
    return problems, skipped


def check_site(site_dir: Path, result: BuildResult, *,
               external: bool = False, timeout: float = 10.0,
               allow_private: bool = False) -> Report:
    """Check a site that `build()` has just written, with the settings it was built with.

    `allow_private` also requests outside links to this machine and private
    networks; without it they are skipped, since article authors choose them.
    """
    start = time.perf_counter()
    config, now = result.config, result.now
    assert config is not None and now is not None
    sources = _Sources(site_dir, result.owners, config.base_path)
    report, outside = check_pages(result.output, config.base_url, sources)
    if external:
        problems, skipped = check_outside(outside, site_dir / CACHE_FILE, now, timeout,
                                          sources, allow_private)
        report.problems += problems
        report.skipped = sorted(set(skipped))
    report.problems = sorted(set(report.problems))  # a link written twice is one problem
    log.info("%-8s %6.3f s", "check", time.perf_counter() - start)
    return report

"""newsgen against Hugo and Pelican on the benchmark corpus, and against its targets.

bench.py says how long newsgen takes; this says whether that is fast. The
corpus of bench.py is converted into a Hugo site and a Pelican site with the
same articles, sections, tags, authors and bodies, each rendered by a small
theme of ours (benchmarks/peers/) that does the work newsgen's theme does:
article pages with the editor's related articles and the 12 older articles of
the section, section, tag and author listings at 20 per page, the home page,
feeds for the site and each section, and a sitemap. Each tool goes through
bench.py's sequence of builds, each a process of its own timed from outside;
newsgen runs the same sequence on the same corpus in the same run, so all three
are measured on one machine under one load.

    python benchmarks/peers.py [--sizes 10000] [--runs 1] [--tools newsgen,hugo,pelican]
                               [--hugo PATH] [--pelican PATH] [--jobs N] [--out FILE]

Writes a table and newsgen's targets per size to stdout, progress to stderr and
everything to a JSON file (see "Peers" in benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

import bench
import corpus
import yaml

HERE = Path(__file__).resolve().parent
PEERS = HERE / "peers"
DEFAULT_OUT = HERE / "results" / "peers.json"
DEFAULT_PELICAN = HERE / ".venv-peers" / "bin" / "pelican"
TOOLS = ("newsgen", "hugo", "pelican")
NAMES = {"newsgen": "newsgen", "hugo": "Hugo", "pelican": "Pelican"}
OLDER_NEWS = 12  # newsgen's older_news default, which both themes show too
TEMPLATE_NOTE = "bản sửa của tòa soạn"  # the comment bench.edit_template appends
# libyaml when PyYAML has it: 10,000 front matters take seconds in pure Python.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Results = dict[str, dict[str, float]]  # scenario key -> figures of one build


@dataclass(frozen=True, slots=True)
class Article:
    """One corpus article as its newsgen file has it; each peer writes it in its own format."""

    path: Path  # inside content/, like thoi-su/bai-000006.md
    section: str
    slug: str
    title: str
    date: datetime
    lead: str
    authors: tuple[str, ...]
    tags: tuple[str, ...]
    image_src: str
    image_alt: str
    related: tuple[str, ...]
    body: str


@dataclass(frozen=True, slots=True)
class SiteInfo:
    title: str
    base_url: str
    sections: tuple[tuple[str, str], ...]  # (slug, title) in menu order


def read_site(source: Path) -> SiteInfo:
    config = yaml.load((source / "site.yaml").read_text(encoding="utf-8"), Loader=LOADER)
    return SiteInfo(config["title"], config["base_url"],
                    tuple((s["slug"], s["title"]) for s in config["sections"]))


def _date(value: object) -> datetime:
    # YAML reads an unquoted ISO date as a datetime, a quoted one as text.
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def read_article(content: Path, path: Path) -> Article:
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    meta = yaml.load(front, Loader=LOADER)
    image = meta.get("image") or {}
    return Article(path=path.relative_to(content), section=meta["section"], slug=meta["slug"],
                   title=str(meta["title"]), date=_date(meta["date"]),
                   lead=str(meta.get("lead") or ""),
                   authors=tuple(meta.get("authors") or ()), tags=tuple(meta.get("tags") or ()),
                   image_src=image.get("src", ""), image_alt=image.get("alt", ""),
                   related=tuple(meta.get("related") or ()), body=body)


def read_articles(source: Path) -> list[Article]:
    content = source / "content"
    return [read_article(content, path) for path in sorted(content.glob("*/*.md"))]


class Peer(ABC):
    """A generator newsgen is compared with: how to write its site and how to build it."""

    key = ""

    def __init__(self, program: str) -> None:
        # Absolute: builds run inside the site, where a relative path means nothing.
        self.program = str(Path(program).absolute())

    def version(self) -> str:
        said = subprocess.run([self.program, *self.version_args()], capture_output=True,
                              text=True, check=False)
        lines = (said.stdout or said.stderr).strip().splitlines()
        return lines[0] if lines else "unknown"

    @abstractmethod
    def version_args(self) -> list[str]:
        """Arguments that make the program print its version."""

    @abstractmethod
    def convert(self, source: Path, site: Path, info: SiteInfo,
                articles: list[Article]) -> None:
        """Write the whole site into `site` from the newsgen corpus in `source`."""

    @abstractmethod
    def write_article(self, site: Path, article: Article) -> None:
        """Write or rewrite one article in the peer's own format, at its newsgen path."""

    def remove_article(self, site: Path, path: Path) -> None:
        (site / "content" / path).unlink(missing_ok=True)

    @abstractmethod
    def edit_template(self, site: Path) -> None:
        """bench.edit_template for this peer: the site's own copy of the article
        template, with a comment appended, so every article page depends on it."""

    @abstractmethod
    def command(self, site: Path) -> list[str]:
        """The build, run from inside `site`, writing into `self.output(site)`."""

    @abstractmethod
    def output(self, site: Path) -> Path:
        """Where a build writes the site."""

    def article_page(self, site: Path, article: Article) -> Path:
        return self.output(site) / article.section / article.slug / "index.html"


def _quoted(value: str) -> str:
    # JSON's double-quoted strings are valid YAML, escapes included.
    return json.dumps(value, ensure_ascii=False)


def _quoted_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(_quoted(v) for v in values) + "]"


class Hugo(Peer):
    """Hugo with benchmarks/peers/hugo: sections are folders, tags and authors taxonomies."""

    key = "hugo"
    theme = "newsroom"

    def version_args(self) -> list[str]:
        return ["version"]

    def convert(self, source: Path, site: Path, info: SiteInfo,
                articles: list[Article]) -> None:
        site.mkdir(parents=True)
        # Top-level keys must come before the file's tables in TOML.
        (site / "hugo.toml").write_text(
            f"baseURL = {_quoted(info.base_url)}\ntitle = {_quoted(info.title)}\n\n"
            + (PEERS / "hugo" / "hugo.toml").read_text(encoding="utf-8"), encoding="utf-8")
        shutil.copytree(PEERS / "hugo" / "theme", site / "themes" / self.theme)
        shutil.copytree(source / "static", site / "static")
        for weight, (slug, title) in enumerate(info.sections, start=1):
            folder = site / "content" / slug
            folder.mkdir(parents=True)
            (folder / "_index.md").write_text(
                f"---\ntitle: {_quoted(title)}\nweight: {weight}\n---\n", encoding="utf-8")
        for article in articles:
            self.write_article(site, article)

    def write_article(self, site: Path, article: Article) -> None:
        front = [f"title: {_quoted(article.title)}", f"date: {article.date.isoformat()}",
                 f"slug: {article.slug}", f"description: {_quoted(article.lead)}",
                 f"authors: {_quoted_list(article.authors)}",
                 f"tags: {_quoted_list(article.tags)}"]
        if article.image_src:
            front += ["image:", f"  src: {_quoted(article.image_src)}",
                      f"  alt: {_quoted(article.image_alt)}"]
        if article.related:
            front.append(f"related: {_quoted_list(article.related)}")
        path = site / "content" / article.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\n" + "\n".join(front) + "\n---\n" + article.body, encoding="utf-8")

    def edit_template(self, site: Path) -> None:
        # The site's own layouts/ wins over the theme's, as a site's templates/ does in newsgen.
        own = site / "layouts" / "_default" / "single.html"
        own.parent.mkdir(parents=True, exist_ok=True)
        text = (site / "themes" / self.theme / "layouts" / "_default" / "single.html"
                ).read_text(encoding="utf-8")
        own.write_text(text + f"\n{{{{/* {TEMPLATE_NOTE} */}}}}\n", encoding="utf-8")

    def command(self, site: Path) -> list[str]:
        # Its cache inside the site: a cold build starts without one, rebuilds keep it.
        return [self.program, "--source", str(site), "--destination", str(self.output(site)),
                "--cacheDir", str(site / ".hugo-cache"), "--quiet"]

    def output(self, site: Path) -> Path:
        return site / "public"


class Pelican(Peer):
    """Pelican with benchmarks/peers/pelican: sections are categories, with its content cache."""

    key = "pelican"

    def __init__(self, program: str) -> None:
        super().__init__(program)
        self.sections: dict[str, str] = {}  # slug -> title, Pelican's category name

    def version_args(self) -> list[str]:
        return ["--version"]

    def convert(self, source: Path, site: Path, info: SiteInfo,
                articles: list[Article]) -> None:
        site.mkdir(parents=True)
        shutil.copy2(PEERS / "pelican" / "pelicanconf.py", site / "pelicanconf.py")
        (site / "site.json").write_text(json.dumps(
            {"title": info.title, "base_url": info.base_url, "sections": info.sections},
            ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        shutil.copytree(PEERS / "pelican" / "theme", site / "theme")
        # newsgen's static/images/ is Pelican's content/images/ (STATIC_PATHS).
        shutil.copytree(source / "static", site / "content")
        self.sections = dict(info.sections)
        for article in articles:
            self.write_article(site, article)

    def write_article(self, site: Path, article: Article) -> None:
        # Pelican's Markdown metadata: one "Key: value" line each, lists comma-separated.
        meta = {"Title": article.title, "Date": article.date.isoformat(),
                "Category": self.sections[article.section], "Slug": article.slug,
                "Authors": ", ".join(article.authors), "Tags": ", ".join(article.tags),
                "Summary": article.lead, "Image": article.image_src,
                "Image_alt": article.image_alt, "Related": ", ".join(article.related)}
        lines = [f"{key}: {value}" for key, value in meta.items() if value]
        path = site / "content" / article.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n\n" + article.body, encoding="utf-8")

    def edit_template(self, site: Path) -> None:
        # pelicanconf.py's THEME_TEMPLATES_OVERRIDES: the site's templates/ wins over the theme.
        own = site / "templates" / "article.html"
        own.parent.mkdir(parents=True, exist_ok=True)
        text = (site / "theme" / "templates" / "article.html").read_text(encoding="utf-8")
        own.write_text(text + f"\n{{# {TEMPLATE_NOTE} #}}\n", encoding="utf-8")

    def command(self, site: Path) -> list[str]:
        # --fatal errors: a template error fails the build instead of leaving pages out.
        return [self.program, str(site / "content"), "--settings", str(site / "pelicanconf.py"),
                "--output", str(self.output(site)), "--fatal", "errors"]

    def output(self, site: Path) -> Path:
        return site / "output"


def count_files(folder: Path) -> tuple[int, int]:
    """(.html files, all files): the pages a peer wrote, counted the same way for each.

    Hugo also writes a redirect stub at each listing's /page/1/, pointing at the
    listing itself; it renders nothing, and the others have no such file, so it
    is not counted as a page.
    """
    pages = files = 0
    for top, _, names in os.walk(folder):
        files += len(names)
        pages += sum(name.endswith(".html") for name in names)
        if top.endswith(f"{os.sep}page{os.sep}1") and "index.html" in names:
            pages -= 1
    return pages, files


def build(peer: Peer, site: Path) -> dict[str, float]:
    """One build in its own process, measured from outside it as bench.build() does."""
    command = peer.command(site)
    # Files, not pipes: os.wait4 must reap the child itself to get its rusage.
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=site, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            said = b""
            for stream in (stdout, stderr):
                stream.seek(0)
                said += stream.read()
            raise SystemExit(f"{NAMES[peer.key]} build failed (exit {code}): "
                             f"{' '.join(command)}\n{said.decode('utf-8', 'replace')[-4000:]}")
    pages, files = count_files(peer.output(site))
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "pages": pages,
            "files": files, "pages_per_s": pages / wall,
            "peak_rss_mb": usage.ru_maxrss * bench.RSS_TO_MB}


def _stamps(content: Path) -> dict[Path, tuple[int, int]]:
    return {path.relative_to(content): (s.st_mtime_ns, s.st_size)
            for path in content.glob("*/*.md") for s in [path.stat()]}


def apply_edit(peer: Peer, key: str, edit: Callable[[Path, int], None], source: Path,
               site: Path, n: int) -> bool:
    """bench.py's own edit, made on a newsgen copy and carried into the peer's files.

    So every tool gets the same words in the same article, and a change to an edit
    in bench.py reaches the peers without being written twice. False when the edit
    changes no article and is not the template edit: a scenario added to bench.py
    that the peers have no counterpart for yet.
    """
    if key == "edit-template":
        peer.edit_template(site)
        return True
    content = source / "content"
    before = _stamps(content)
    edit(source, n)
    after = _stamps(content)
    changed = [path for path, stamp in after.items() if before.get(path) != stamp]
    gone = [path for path in before if path not in after]
    for path in changed:
        peer.write_article(site, read_article(content, content / path))
    for path in gone:
        peer.remove_article(site, path)
    return bool(changed or gone)


def check_article_page(peer: Peer, site: Path, articles: list[Article]) -> None:
    """A peer that renders less than newsgen would look faster than it is: look at one page.

    The article checked is mid-corpus with editor's picks, so it has related
    articles and, on any corpus worth timing, twelve older ones in its section.
    """
    ordered = sorted(articles, key=lambda a: a.date, reverse=True)
    picked = [a for a in ordered if a.related] or ordered
    article = picked[len(picked) // 2]
    older = [a for a in ordered if a.section == article.section and a.date < article.date]
    slugs = {a.slug for a in articles}
    page = peer.article_page(site, article)
    if not page.is_file():
        raise SystemExit(f"{NAMES[peer.key]} wrote no page for {article.path} at {page}")
    text = page.read_text(encoding="utf-8")
    related = text.partition('class="related"')[2].partition('class="older"')[0]
    first_older = text.partition('class="older-item"')[2]
    wanted = {
        "related articles": (related.count('class="card"'),
                             sum(slug in slugs for slug in article.related)),
        "older articles": (text.count('class="older-item"'), min(OLDER_NEWS, len(older))),
        "hero image with its alt": (int(f'alt="{html.escape(article.image_alt)}"' in text), 1),
        "lead": (int(html.escape(article.lead, quote=False) in text), 1),
        "newest older article first": (
            int(not older or f"/{older[0].slug}/" in first_older[:600]), 1),
    }
    wrong = [f"{what}: {found} instead of {expected}"
             for what, (found, expected) in wanted.items() if found != expected]
    if wrong:
        raise SystemExit(f"{NAMES[peer.key]}'s page {page} is not newsgen's: " + "; ".join(wrong))


def run_peer(peer: Peer, pristine: Path, work: Path, n: int, progress: str) -> Results:
    """bench.run_once() for a peer: a fresh conversion, then every scenario in order."""
    source, site = work / "source", work / "site"
    shutil.copytree(pristine, source)
    results: Results = {}
    try:
        articles = read_articles(source)
        peer.convert(source, site, read_site(source), articles)
        for key, label, edit in bench.SCENARIOS:
            if edit is not None and not apply_edit(peer, key, edit, source, site, n):
                print(f"{progress}: {label} skipped, peers.py cannot make that change in "
                      f"{NAMES[peer.key]}'s files", file=sys.stderr, flush=True)
                continue
            results[key] = build(peer, site)
            if key == "cold":
                check_article_page(peer, site, articles)
            print(f"{progress}: {label} {results[key]['wall_s']:.2f} s", file=sys.stderr,
                  flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def median_of(runs: list[Results]) -> dict[str, dict]:
    """The median of every number, whatever fields a build reports; `samples` keeps each run."""
    summary: dict[str, dict] = {}
    for key in runs[0]:
        samples = [run[key] for run in runs]
        numeric = [metric for metric, value in samples[0].items()
                   if isinstance(value, int | float) and not isinstance(value, bool)]
        summary[key] = {metric: statistics.median(s[metric] for s in samples)
                        for metric in numeric}
        summary[key]["samples"] = samples
    return summary


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    measured: float | None  # None: a tool it needs was not measured
    limit: float
    percent: bool  # shown as a share of Hugo's cold build rather than a ratio
    met: bool | None

    def line(self, width: int) -> str:
        if self.measured is None:
            shown, verdict = "–", "not measured"
        elif self.percent:
            shown, verdict = f"{self.measured:.1%}", "met" if self.met else "not met"
        else:
            shown, verdict = f"{self.measured:.2f}x", "met" if self.met else "not met"
        limit = f"< {self.limit:.0%}" if self.percent else (
            f">= {self.limit:g}x" if self.limit > 1 else f"<= {self.limit:g}x")
        return f"{self.name:<{width}}{shown:>10}{limit:>10}  {verdict}"


def _figure(results: dict[str, dict], tool: str, key: str, metric: str) -> float | None:
    return results.get(tool, {}).get(key, {}).get(metric)


def _ratio(top: float | None, bottom: float | None) -> float | None:
    return None if top is None or not bottom else top / bottom


def targets(results: dict[str, dict]) -> list[Target]:
    """newsgen's performance targets, each from this run's own figures."""
    def wall(tool: str, key: str) -> float | None:
        return _figure(results, tool, key, "wall_s")

    def target(name: str, measured: float | None, limit: float, percent: bool,
               met: Callable[[float], bool]) -> Target:
        return Target(name, measured, limit, percent,
                      None if measured is None else met(measured))

    found = [
        target("cold build: newsgen <= 0.5 x Hugo", _ratio(wall("newsgen", "cold"),
               wall("hugo", "cold")), 0.5, False, lambda r: r <= 0.5),
        target("no-change: newsgen < 5 % of Hugo's cold build",
               _ratio(wall("newsgen", "no-change"), wall("hugo", "cold")), 0.05, True,
               lambda r: r < 0.05),
        target("body edited: newsgen < 5 % of Hugo's cold build",
               _ratio(wall("newsgen", "edit-body"), wall("hugo", "cold")), 0.05, True,
               lambda r: r < 0.05),
        target("peak RSS, cold build: newsgen <= 0.5 x Hugo",
               _ratio(_figure(results, "newsgen", "cold", "peak_rss_mb"),
                      _figure(results, "hugo", "cold", "peak_rss_mb")), 0.5, False,
               lambda r: r <= 0.5),
    ]
    for key, label, _ in bench.SCENARIOS:
        found.append(target(f"Pelican >= 5 x newsgen, {label}",
                            _ratio(wall("pelican", key), wall("newsgen", key)), 5, False,
                            lambda r: r >= 5))
    return found


def _cell(value: float | None, fmt: str, width: int) -> str:
    return f"{'–' if value is None else format(value, fmt):>{width}}"


def _times(value: float | None, width: int) -> str:
    return f"{'–' if value is None else f'{value:.2f}x':>{width}}"


def table(n: int, results: dict[str, dict], found: list[Target]) -> str:
    lines = [f"{f'N={n}':<16}{'newsgen':>9}{'Hugo':>9}{'Pelican':>9}{'newsgen/':>10}"
             f"{'Pelican/':>10}",
             f"{'':<16}{'wall s':>9}{'wall s':>9}{'wall s':>9}{'Hugo':>10}{'newsgen':>10}"]
    for key, label, _ in bench.SCENARIOS:
        walls = [_figure(results, tool, key, "wall_s") for tool in TOOLS]
        lines.append(f"{label:<16}" + "".join(_cell(w, ".2f", 9) for w in walls)
                     + _times(_ratio(walls[0], walls[1]), 10)
                     + _times(_ratio(walls[2], walls[0]), 10))
    for metric, title, fmt, unit in (("peak_rss_mb", "peak RSS, cold build", ",.0f", " MB"),
                                     ("pages", "pages, cold build", ",.0f", "")):
        shown = [f"{NAMES[tool]} {format(value, fmt)}{unit}" for tool in TOOLS
                 if (value := _figure(results, tool, "cold", metric)) is not None]
        lines.append(f"{title}: " + ", ".join(shown))
    width = max(len(t.name) for t in found) + 2
    lines += ["", f"{'targets':<{width}}{'measured':>10}{'target':>10}"]
    lines += [t.line(width) for t in found]
    return "\n".join(lines)


def _tools(value: str) -> list[str]:
    chosen = [part.strip().lower() for part in value.split(",") if part.strip()]
    unknown = sorted(set(chosen) - set(TOOLS))
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"choose among {','.join(TOOLS)}, not {value!r}")
    return [tool for tool in TOOLS if tool in chosen]


def find_peers(tools: list[str], hugo: str, pelican: str) -> dict[str, Peer]:
    """The peers that can run here; a missing one is skipped with a line saying how to get it."""
    peers: dict[str, Peer] = {}
    if "hugo" in tools:
        if program := shutil.which(hugo):
            peers["hugo"] = Hugo(program)
        else:
            print(f"{hugo} not found: `apt-get install hugo` to compare with Hugo; "
                  "skipping Hugo", file=sys.stderr)
    if "pelican" in tools:
        if program := shutil.which(pelican):
            peers["pelican"] = Pelican(program)
        else:
            print(f"{pelican} not found: `make bench-peers` installs Pelican into "
                  "benchmarks/.venv-peers; skipping Pelican", file=sys.stderr)
    return peers


def versions(peers: dict[str, Peer], with_newsgen: bool) -> dict[str, dict[str, str]]:
    found = {key: {"program": peer.program, "version": peer.version()}
             for key, peer in peers.items()}
    if with_newsgen:
        found["newsgen"] = {"program": f"{sys.executable} -m newsgen",
                            "version": metadata.version("newsgen")}
    return found


def measure_size(n: int, runs: int, peers: dict[str, Peer], with_newsgen: bool,
                 jobs: int | None) -> dict[str, dict]:
    """Every run of every tool on one corpus of n articles, newsgen first in each run."""
    samples: dict[str, list[Results]] = {}
    with tempfile.TemporaryDirectory(prefix=f"newsgen-peers-{n}-") as temp:
        pristine = Path(temp) / "corpus"
        print(f"N={n}: generating the corpus", file=sys.stderr, flush=True)
        corpus.generate(pristine, n)
        for run in range(1, runs + 1):
            progress = f"N={n} run {run}/{runs}"
            if with_newsgen:
                samples.setdefault("newsgen", []).append(bench.run_once(
                    pristine, Path(temp) / "newsgen", n, jobs, f"{progress} newsgen"))
            for key, peer in peers.items():
                print(f"{progress} {NAMES[key]}: converting the corpus", file=sys.stderr,
                      flush=True)
                samples.setdefault(key, []).append(run_peer(
                    peer, pristine, Path(temp) / key, n, f"{progress} {NAMES[key]}"))
    return {tool: median_of(tool_runs) for tool, tool_runs in samples.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=bench._sizes, default=[10000], metavar="N,N",
                        help="corpus sizes in articles (default: 10000)")
    parser.add_argument("--runs", type=bench._positive, default=1,
                        help="runs per size; the table shows their median (default: 1)")
    parser.add_argument("--tools", type=_tools, default=list(TOOLS), metavar="A,B",
                        help=f"which to measure, among {','.join(TOOLS)} (default: all)")
    parser.add_argument("--hugo", default="hugo", metavar="PATH",
                        help="the hugo program (default: hugo on PATH)")
    parser.add_argument("--pelican", default=str(DEFAULT_PELICAN), metavar="PATH",
                        help="the pelican program (default: "
                             f"{DEFAULT_PELICAN.relative_to(HERE.parent)})")
    parser.add_argument("--jobs", "-j", type=bench._positive, default=None, metavar="N",
                        help="passed to every newsgen build as -j (default: its own default)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="FILE",
                        help=f"JSON results (default: {DEFAULT_OUT.relative_to(HERE.parent)})")
    args = parser.parse_args(argv)

    with_newsgen = "newsgen" in args.tools
    if with_newsgen:
        try:
            import newsgen  # noqa: F401
        except ImportError:
            parser.error(f"{sys.executable} cannot import newsgen: run `make bench-peers`, "
                         "or `pip install -e .` first")
    peers = find_peers(args.tools, args.hugo, args.pelican)
    if not peers and not with_newsgen:
        parser.error("nothing to measure")

    report: dict[str, object] = {"machine": bench.machine(), "runs": args.runs,
                                 "jobs": args.jobs, "now": bench.NOW,
                                 "tools": versions(peers, with_newsgen), "results": {}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for n in args.sizes:
        results = measure_size(n, args.runs, peers, with_newsgen, args.jobs)
        found = targets(results)
        report["results"][str(n)] = {
            **results, "targets": [{"target": t.name, "measured": t.measured,
                                    "limit": t.limit, "met": t.met} for t in found]}
        print(table(n, results, found), end="\n\n", flush=True)
        # After each size, so a long run that stops later keeps what it measured.
        args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                            encoding="utf-8")
    print(f"results written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

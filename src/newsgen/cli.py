"""Command line: parse arguments, run, print problems, choose the exit code. Nothing else.

Exit codes: 0 success, 1 problems in the site (content, config, templates),
2 wrong usage, 3 an internal error (a bug in newsgen; --debug shows where).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from newsgen import __version__
from newsgen.build import BuildOptions, BuildResult, build
from newsgen.errors import NewsgenError, Problem
from newsgen.messages import LANGUAGES, _, choose, ngettext, say, use

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsgen", description="Build a static news site from Markdown articles.")
    parser.add_argument("--version", action="version", version=f"newsgen {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-s", "--source", type=Path, default=Path(), metavar="SITE_DIR",
                        help="the site folder, with site.yaml (default: the current folder)")
    common.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    common.add_argument("-v", "--verbose", action="store_true",
                        help="also print the time of each build step")
    common.add_argument("--debug", action="store_true",
                        help="show the Python traceback of an internal error")
    common.add_argument("--messages", choices=LANGUAGES, metavar="LANG",
                        default=os.environ.get("NEWSGEN_MESSAGES") or None,
                        help="the language of messages: vi or en (default: NEWSGEN_MESSAGES "
                        "if set, else the site's language, English for a language newsgen "
                        "does not speak)")

    # Which articles a site shows: the same choice for build, check and serve.
    choosing = argparse.ArgumentParser(add_help=False)
    choosing.add_argument("--drafts", action="store_true",
                          help="include articles with draft: true")
    choosing.add_argument("--future", action="store_true",
                          help="include articles dated after the build clock")

    # `check` builds exactly as `build` does, so it takes the same options.
    building = argparse.ArgumentParser(add_help=False, parents=[choosing])
    building.add_argument("-o", "--output", type=Path, metavar="DIR",
                          help="output folder (default: site.yaml's output, 'public')")
    building.add_argument("--now", metavar="TIME",
                          help="build as if it were TIME, like 2022-01-06T09:00:00+07:00 "
                          "(default: SOURCE_DATE_EPOCH if set, else the current time)")
    building.add_argument("--strict", action="store_true", help="treat warnings as errors")
    building.add_argument("--force", action="store_true",
                          help="replace an output folder that newsgen did not make")
    building.add_argument("--base-url", metavar="URL",
                          help="publish under this address instead of site.yaml's base_url")
    building.add_argument("-j", "--jobs", type=_positive, default=default_jobs(), metavar="N",
                          help="processes that render pages (default: the number of CPUs)")
    building.add_argument("--no-cache", dest="cache", action="store_false",
                          help="render every page again, and neither read nor keep "
                          ".newsgen-cache/ (default: keep every page whose sources did not "
                          "change)")

    commands.add_parser("build", parents=[common, building], help="build the site into its "
                        "output folder", description="Build the site. The output folder is "
                        "replaced only when the whole build succeeds.")

    c = commands.add_parser("check", parents=[common, building], help="build the site, then "
                            "check its links, pictures and pages", description="Build the site "
                            "as 'build' does, then check every page: links and #fragments "
                            "that lead nowhere, pictures without alt, pages nothing links to.")
    c.add_argument("--external", action="store_true",
                   help="also check links to other sites (results are kept for 24 hours)")
    c.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                   help="how long to wait for each outside link (default: 10)")
    c.add_argument("--allow-private", action="store_true",
                   help="with --external, also request links to this machine and private "
                   "networks, such as an intranet or a test server (default: skip them)")

    v = commands.add_parser("serve", parents=[common, choosing],
                            help="preview the site, rebuilt on every change",
                            description="Build the site into a temporary folder, serve it, "
                            "and rebuild and reload open pages on every change. public/ is "
                            "never touched.")
    v.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this machine only)")
    v.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0: any free one)")
    v.add_argument("--open", action="store_true", help="open the site in a web browser")

    n = commands.add_parser("new", parents=[common], help="start a new article as a draft",
                            description="Create content/SECTION/SLUG.md with its front matter "
                            "filled in and draft: true, and print its path.")
    n.add_argument("title", metavar="TITLE", help='the headline, in quotes: "Tiêu đề bài viết"')
    n.add_argument("--section", required=True, metavar="SECTION",
                   help="slug of one of the sections in site.yaml")
    n.add_argument("--slug", metavar="SLUG",
                   help="the file and URL name (default: made from the title)")
    n.add_argument("--now", metavar="TIME",
                   help="date the article TIME, like 2022-01-06T09:00:00+07:00 "
                   "(default: SOURCE_DATE_EPOCH if set, else the current time)")
    i = commands.add_parser("init", parents=[common], help="start a new site in a folder",
                            description="Write a new site that builds at once: a commented "
                            "site.yaml, one article, .gitignore, requirements.txt (the "
                            "newsgen it is built with) and a GitHub Actions workflow that "
                            "publishes it. The folder must be new or empty.")
    i.add_argument("folder", nargs="?", type=Path, default=Path(), metavar="FOLDER",
                   help="where the site goes (default: the current folder)")
    i.add_argument("--title", default="Báo Mới", help="the site's name (default: Báo Mới)")
    i.add_argument("--language", default="vi", choices=("vi", "en"),
                   help="the site's language (default: vi)")
    i.add_argument("--base-url", default="https://example.com/", metavar="URL",
                   help="the address it will be published at (default: https://example.com/, "
                   "to change in site.yaml)")
    return parser


def _print_problems(problems: list[Problem], stream=None) -> None:
    stream = stream or sys.stderr
    for problem in problems:
        print(problem, file=stream)


def _tell(*lines: str, stream: TextIO | None = None) -> None:
    """Print lines an editor reads, each in the language of messages."""
    for line in lines:
        print(say(line), file=stream or sys.stderr)


class TerminalProgress:
    """Stage and count on one self-rewriting line, for builds long enough to wonder about.

    Shown only on a terminal, after `delay` seconds, at most ten times a second;
    never in CI logs or with -q (the caller decides), and erased before the summary.
    """

    def __init__(self, stream: TextIO, delay: float = 2.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.clock = clock
        self.start = clock()
        self.delay = delay
        self.shown = 0.0
        self.width = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self.clock()
        if now - self.start < self.delay or (now - self.shown < 0.1 and done < total):
            return
        self.shown = now
        line = f"{stage} {done}/{total}"
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)

    def clear(self) -> None:
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0


def default_jobs() -> int:
    """The cores this process may run on: one rendering process each."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        os.cpu_count() or 1


def _progress(args: argparse.Namespace) -> TerminalProgress | None:
    if args.quiet or os.environ.get("CI") or not sys.stderr.isatty():
        return None
    return TerminalProgress(sys.stderr)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _clock(now: str | None) -> str | None:
    """The clock as `--now` or else SOURCE_DATE_EPOCH gives it; None is the real time.

    One reading for every command, so a pipeline that pins the clock gets the
    same time in the articles it starts and in the site it builds. A
    SOURCE_DATE_EPOCH that is not a number raises ValueError with the message.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch and not re.fullmatch(r"[0-9]+", epoch):
        raise ValueError(_("SOURCE_DATE_EPOCH '{epoch}' must be a whole number of seconds "
                           "since 1970-01-01 UTC", epoch=epoch))
    return now or (f"@{epoch}" if epoch else None)


def _shown(path: Path) -> Path:
    """`path` relative to the current folder when it is under it, as an editor would type it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


# `check`, `new` and `serve` import what they need when they run: a build, the
# command run most, then starts without the checker, the scaffolding or watchdog.


def run_new(args: argparse.Namespace) -> int:
    from newsgen.scaffold import new_article

    try:
        now = _clock(args.now)
    except ValueError as exc:
        _tell(exc.args[0])
        return EXIT_USAGE
    try:
        path, warnings = new_article(args.source, args.title, args.section, slug=args.slug,
                                     now=now)
    except NewsgenError as exc:
        _print_problems(exc.problems)
        return EXIT_PROBLEMS
    _print_problems(warnings)
    if not args.quiet:
        print(_shown(path))
    return EXIT_OK


def run_init(args: argparse.Namespace) -> int:
    from newsgen.starter import init_site

    try:
        written = init_site(args.folder, args.title, args.language, args.base_url)
    except NewsgenError as exc:
        _print_problems(exc.problems)
        return EXIT_PROBLEMS
    if not args.quiet:
        for path in written:
            print(_shown(path))
        where = "" if args.folder == Path() else f" -s {_shown(args.folder)}"
        _tell(_("a new site; preview it with: newsgen serve{where}", where=where),
              stream=sys.stdout)
    return EXIT_OK


def run_serve(args: argparse.Namespace) -> int:
    from newsgen.serve import serve

    # One process: forking beside the server's threads is unsafe, and a preview
    # rebuild is usually small.
    options = BuildOptions(drafts=args.drafts, future=args.future, jobs=1, preview=True)
    return serve(args.source, args.host, args.port, options, open_browser=args.open,
                 quiet=args.quiet, messages=args.messages)


def run_build(args: argparse.Namespace,
              then: Callable[[argparse.Namespace, BuildResult], int] | None = None) -> int:
    """Build; `then` goes on with the new site, only when the build succeeded."""
    site_dir: Path = args.source
    output = args.output
    if output is not None and not output.is_absolute():
        output = Path.cwd() / output
    try:
        now = _clock(args.now)
    except ValueError as exc:
        _tell(exc.args[0])
        return EXIT_USAGE
    options = BuildOptions(drafts=args.drafts, future=args.future, now=now, strict=args.strict,
                           force=args.force, output=output, base_url=args.base_url,
                           jobs=args.jobs, cache=args.cache,
                           progress=(progress := _progress(args)))
    try:
        try:
            result = build(site_dir, options)
        finally:
            if progress is not None:
                progress.clear()
    except NewsgenError as exc:
        _print_problems(exc.problems)
        _tell(*exc.notices)
        errors = sum(1 for p in exc.problems if p.severity == "error")
        summary = ngettext("{n} error", "{n} errors", errors)
        if warnings := len(exc.problems) - errors:
            summary = _("{errors}, {warnings}", errors=summary,
                        warnings=ngettext("{n} warning", "{n} warnings", warnings))
        _tell(_("build failed: {summary}; the output folder was not changed", summary=summary))
        return EXIT_PROBLEMS
    _print_problems(result.warnings)
    _tell(*result.notices)
    if not args.quiet:
        _tell(*result.held_back)
        try:
            where = result.output.resolve().relative_to(Path.cwd().resolve())
        except ValueError:
            where = result.output
        warned = _(", {warnings}", warnings=ngettext("{n} warning", "{n} warnings",
                                                     len(result.warnings))) \
            if result.warnings else ""
        _tell(_("built {pages} ({files}) into {where}/ in {seconds:.2f} s{warned}: {changes}",
                pages=ngettext("{n} page", "{n} pages", result.pages),
                files=ngettext("{n} file", "{n} files", result.files), where=str(where),
                seconds=result.seconds, warned=warned, changes=result.changes),
              stream=sys.stdout)
    return then(args, result) if then else EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    return run_build(args, then=_check_built)


def _check_built(args: argparse.Namespace, result: BuildResult) -> int:
    from newsgen.check import check_site

    report = check_site(args.source, result, external=args.external, timeout=args.timeout,
                        allow_private=args.allow_private)
    _print_problems(sorted(report.problems + report.skipped))
    unchecked = ngettext(", {n} link not checked", ", {n} links not checked",
                         len(report.skipped)) if report.skipped else ""
    if report.problems:
        _tell(_("check failed: {problems}{unchecked}", unchecked=unchecked,
                problems=ngettext("{n} problem", "{n} problems", len(report.problems))))
        return EXIT_PROBLEMS
    if not args.quiet:
        _tell(_("checked {pages}, {links}: no problems{unchecked}", unchecked=unchecked,
                pages=ngettext("{n} page", "{n} pages", report.pages),
                links=ngettext("{n} link", "{n} links", report.links)), stream=sys.stdout)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.messages not in (None, *LANGUAGES):  # argparse checks only what was typed
        parser.error(f"NEWSGEN_MESSAGES must be one of {', '.join(LANGUAGES)}, "
                     f"not '{args.messages}'")
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(message)s", stream=sys.stderr)
    try:
        use(_language(args))
        if args.command == "new":
            return run_new(args)
        if args.command == "init":
            return run_init(args)
        if args.command == "serve":
            return run_serve(args)
        if args.command == "check":
            return run_check(args)
        return run_build(args)
    except KeyboardInterrupt:
        _tell(_("interrupted; nothing was changed"))
        return 130
    except Exception as exc:
        if args.debug:
            raise
        error = f"{type(exc).__name__}: {exc}"
        _tell(_("newsgen: internal error: {error}\nThis is a bug in newsgen, not in your "
                "site; run again with --debug and report what it prints.", error=error))
        return EXIT_BUG


def _language(args: argparse.Namespace) -> str:
    """The language of messages: --messages, else the site's (init: the new site's)."""
    if args.command == "init":
        return choose(args.messages, args.language)
    from newsgen.content.config import site_language

    return choose(args.messages, site_language(args.source))

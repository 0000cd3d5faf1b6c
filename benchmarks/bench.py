"""Build times of newsgen on generated corpora, for the edits a newsroom makes all day.

For each corpus size the site goes through one sequence of builds, each a
separate `python -m newsgen build` process as an editor would start it: a cold
build, a rebuild with nothing changed, then one article's body, one title, one
template and one new article. Every build is timed from the outside (wall
clock, CPU of the process and its workers, peak memory), so the numbers stay
comparable whatever the build does inside, incremental or not.

    python benchmarks/bench.py [--sizes 1000,10000] [--runs 3] [--jobs N] [--out FILE]

Writes a table per size to stdout, progress to stderr and everything to a JSON
file (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import corpus

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "results" / "latest.json"
# A fixed clock: every article of the corpus is published, and a run on
# another day builds exactly the same pages.
NOW = "2026-11-26T12:00:00+07:00"
SUMMARY = re.compile(r"^built (\d+) pages? \((\d+) files?\) into .* in ([\d.]+) s", re.M)
# ru_maxrss is in KiB on Linux and in bytes on macOS.
RSS_TO_MB = 1 / (1024 * 1024) if sys.platform == "darwin" else 1 / 1024

Edit = Callable[[Path, int], None]


def _article(site: Path, index: int) -> Path:
    # The corpus puts article i in section i % 5; glob rather than repeat that rule.
    (path,) = (site / "content").glob(f"*/bai-{index:06d}.md")
    return path


def edit_body(site: Path, n: int) -> None:
    path = _article(site, n // 3)
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\nĐoạn bổ sung sau khi bài đã đăng, để đo một lần sửa nội dung.\n",
                    encoding="utf-8")


def edit_title(site: Path, n: int) -> None:
    # Mid-corpus, so the newer articles of its section list it among their older news.
    path = _article(site, n // 2)
    text = path.read_text(encoding="utf-8")
    changed, count = re.subn(r'^title: ".*"$', 'title: "Tiêu đề đã sửa sau khi đăng"', text,
                             count=1, flags=re.M)
    assert count == 1, f"{path} has no title line"
    path.write_text(changed, encoding="utf-8")


def edit_template(site: Path, n: int) -> None:
    from newsgen.theme import THEME_DIR  # the installed theme, wherever newsgen lives

    own = site / "templates" / "article.html"
    own.parent.mkdir(parents=True, exist_ok=True)
    text = (THEME_DIR / "templates" / "article.html").read_text(encoding="utf-8")
    own.write_text(text + "\n{# bản sửa của tòa soạn #}\n", encoding="utf-8")


def add_article(site: Path, n: int) -> None:
    # Newer than every corpus article, as a story just published is: it lands on
    # the home page and the first page of its section and pushes the rest down.
    rng = random.Random(n)
    path = site / "content" / "thoi-su" / "bai-moi.md"
    path.write_text(
        f'---\ntitle: "{corpus.sentence(rng, 10)[:-1]}"\ndate: 2026-11-20T09:00:00+07:00\n'
        f'section: thoi-su\nslug: bai-moi\nlead: "{corpus.sentence(rng, 30)}"\n'
        "authors: [Phóng viên 0]\ntags: [Chủ đề 0, Chủ đề 1]\n"
        f'image:\n  src: /images/anh.svg\n  alt: "{corpus.sentence(rng, 6)[:-1]}"\n---\n'
        + corpus.body(rng, [f"bai-{i:06d}" for i in range(min(n, 50))]), encoding="utf-8")


# (key in the JSON, label in the table, change made before the build)
SCENARIOS: list[tuple[str, str, Edit | None]] = [
    ("cold", "cold build", None),
    ("no-change", "no-change", None),
    ("edit-body", "body edited", edit_body),
    ("edit-title", "title edited", edit_title),
    ("edit-template", "template edited", edit_template),
    ("add-article", "article added", add_article),
]


def build(site: Path, out: Path, jobs: int | None) -> dict[str, float]:
    """One build in its own process, measured from outside it."""
    command = [sys.executable, "-m", "newsgen", "build", "-s", str(site), "-o", str(out),
               "--now", NOW]
    if jobs is not None:
        command += ["-j", str(jobs)]
    # Files, not pipes: os.wait4 must reap the child itself, since only that
    # gives the rusage of this one process tree, workers included.
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        said, complained = (f.read().decode("utf-8", "replace") for f in (stdout, stderr))
    summary = SUMMARY.search(said)
    if child.returncode != 0 or summary is None:
        raise SystemExit(f"build failed (exit {child.returncode}): {' '.join(command)}\n"
                         f"{said}{complained}")
    pages = int(summary[1])
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
            "build_s": float(summary[3]), "pages": pages, "files": int(summary[2]),
            "pages_per_s": pages / wall, "peak_rss_mb": usage.ru_maxrss * RSS_TO_MB}


def run_once(pristine: Path, work: Path, n: int, jobs: int | None,
             progress: str) -> dict[str, dict[str, float]]:
    """The whole sequence on a fresh copy: each build sees the edits before it."""
    site, out = work / "site", work / "public"
    shutil.copytree(pristine, site)
    results: dict[str, dict[str, float]] = {}
    try:
        for key, label, edit in SCENARIOS:
            if edit is not None:
                edit(site, n)
            results[key] = build(site, out, jobs)
            print(f"{progress}: {label} {results[key]['wall_s']:.2f} s", file=sys.stderr,
                  flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def median_of(runs: list[dict[str, dict[str, float]]]) -> dict[str, dict]:
    summary: dict[str, dict] = {}
    for key, _, _ in SCENARIOS:
        samples = [run[key] for run in runs]
        summary[key] = {metric: statistics.median(s[metric] for s in samples)
                        for metric in samples[0]}
        summary[key]["samples"] = samples
    return summary


def table(n: int, results: dict[str, dict]) -> str:
    lines = [f"{f'N={n}':<16}{'wall s':>8}{'cpu s':>8}{'pages/s':>10}{'peak MB':>10}"]
    for key, label, _ in SCENARIOS:
        r = results[key]
        lines.append(f"{label:<16}{r['wall_s']:>8.2f}{r['cpu_s']:>8.2f}"
                     f"{r['pages_per_s']:>10,.0f}{r['peak_rss_mb']:>10,.0f}")
    return "\n".join(lines)


def machine() -> dict[str, object]:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE,
                                capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = None
    # A busy machine slows every build; the load at the start tells a noisy run apart.
    return {"cpus": cpus, "python": platform.python_version(),
            "platform": platform.platform(), "commit": commit,
            "load_average": [round(load, 2) for load in os.getloadavg()]}


def _sizes(value: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in value.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {value!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be positive numbers, like 1000,10000")
    return sizes


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=_sizes, default=[1000, 10000], metavar="N,N",
                        help="corpus sizes in articles (default: 1000,10000)")
    parser.add_argument("--runs", type=_positive, default=3,
                        help="runs per size; the table shows their median (default: 3)")
    parser.add_argument("--jobs", "-j", type=_positive, default=None, metavar="N",
                        help="passed to every build as -j (default: the build's own default)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="FILE",
                        help=f"JSON results (default: {DEFAULT_OUT.relative_to(HERE.parent)})")
    args = parser.parse_args(argv)

    try:
        import newsgen  # noqa: F401
    except ImportError:
        parser.error(f"{sys.executable} cannot import newsgen: run `make bench`, "
                     "or `pip install -e .` first")

    report: dict[str, object] = {"machine": machine(), "runs": args.runs,
                                 "jobs": args.jobs, "now": NOW, "results": {}}
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix=f"newsgen-bench-{n}-") as temp:
            pristine = Path(temp) / "corpus"
            print(f"N={n}: generating the corpus", file=sys.stderr, flush=True)
            corpus.generate(pristine, n)
            runs = [run_once(pristine, Path(temp) / f"run-{run}", n, args.jobs,
                             f"N={n} run {run}/{args.runs}") for run in range(1, args.runs + 1)]
        report["results"][str(n)] = median_of(runs)
        print(table(n, report["results"][str(n)]), end="\n\n", flush=True)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    print(f"results written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

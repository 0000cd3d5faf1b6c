"""Rendering across processes changes nothing but the time it takes."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from conftest import REPO, manifest, newsgen, write

sys.path.insert(0, str(REPO / "benchmarks"))
from corpus import generate

NOW = "2026-11-26T12:00:00+07:00"


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough pages (articles, listings, tags, authors) for the build to use processes."""
    site = tmp_path_factory.mktemp("big") / "site"
    generate(site, 300)
    return site


def test_jobs_give_byte_identical_output(big: Path, tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    first = newsgen("build", "-s", big, "-o", one, "--now", NOW, "-j", "1")
    second = newsgen("build", "-s", big, "-o", two, "--now", NOW, "-j", "2")
    assert first.code == second.code == 0, first.err + second.err
    assert first.out.split(" into ")[0] == second.out.split(" into ")[0]  # same counts
    pages = len(list(one.rglob("*.html")))
    assert pages >= 400  # above the size where the build forks workers
    assert manifest(one) == manifest(two)


def test_a_template_mistake_is_reported_once_from_any_process(big: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(big, site)
    theme = (REPO / "templates" / "article.html").read_text(encoding="utf-8")
    write(site / "templates" / "article.html",
          theme.replace("{{ article.title }}", "{{ artcle.title }}", 1))
    run = newsgen("build", "-s", site, "-o", tmp_path / "out", "-j", "2")
    assert run.code == 1
    lines = run.err.splitlines()
    assert len(lines) == 2 and "'artcle' is undefined" in lines[0], lines[:5]
    assert lines[0].startswith("templates/article.html:")


def test_jobs_must_be_positive(big: Path) -> None:
    run = newsgen("build", "-s", big, "-j", "0")
    assert run.code == 2 and "must be 1 or more" in run.err


def _build_in_process(site: Path, output: Path, jobs: int, cache: bool = False
                      ) -> list[tuple[str, int, str]]:
    """Build with `jobs` processes; the problems it reports, in the order it reports them."""
    from newsgen.build import BuildOptions, build
    from newsgen.errors import NewsgenError
    try:
        result = build(site, BuildOptions(now=NOW, output=output, jobs=jobs, cache=cache))
    except NewsgenError as exc:
        return [(p.path, p.line, p.message) for p in exc.problems]
    return [(p.path, p.line, p.message) for p in result.warnings]


def test_parsing_and_related_search_across_processes_change_nothing(
        big: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past their thresholds, articles are parsed and related lists searched in processes:
    the same site, the same warnings, in the same order."""
    import newsgen.content.library
    import newsgen.content.related
    monkeypatch.setattr(newsgen.content.library, "PARALLEL_FROM", 10)
    monkeypatch.setattr(newsgen.content.related, "PARALLEL_FROM", 10)
    site = tmp_path / "site"
    shutil.copytree(big, site)
    first = sorted((site / "content").rglob("*.md"))[5]
    text = first.read_text(encoding="utf-8")
    write(first, text.replace("\n---\n", "\nnonsense: 1\n---\n", 1))  # a warning
    one, two = tmp_path / "one", tmp_path / "two"
    warned = _build_in_process(site, one, 1)
    assert any("nonsense" in message for _, _, message in warned)
    assert _build_in_process(site, two, 2, cache=True) == warned
    assert manifest(one) == manifest(two)
    # What the processes parsed went into the cache under the right files.
    assert _build_in_process(site, tmp_path / "three", 1, cache=True) == warned
    assert manifest(tmp_path / "three") == manifest(one)


def test_broken_articles_are_reported_alike_from_any_process(
        big: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import newsgen.content.library
    monkeypatch.setattr(newsgen.content.library, "PARALLEL_FROM", 10)
    site = tmp_path / "site"
    shutil.copytree(big, site)
    files = sorted((site / "content").rglob("*.md"))
    write(files[3], "---\ntitle: [unclosed\n---\nBody.\n")
    write(files[200], files[200].read_text(encoding="utf-8").replace("title:", "titel:", 1))
    alone = _build_in_process(site, tmp_path / "one", 1)
    assert len({path for path, _, _ in alone}) >= 2
    assert _build_in_process(site, tmp_path / "two", 2) == alone
    assert not (tmp_path / "one").exists() and not (tmp_path / "two").exists()

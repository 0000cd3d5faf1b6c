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

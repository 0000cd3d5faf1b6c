"""`newsgen init`: a new site that builds at once, and never a word written over old files."""

from __future__ import annotations

from pathlib import Path

import yaml

from conftest import REPO, html, manifest, newsgen, text

FILES = ["site.yaml", "content/thoi-su/chao-mung.md", ".gitignore", "requirements.txt",
         ".github/workflows/github-pages.yml"]


def test_init_makes_a_site_that_builds_strictly_at_once(tmp_path: Path) -> None:
    run = newsgen("init", "bao", "--title", "Báo Sông Hàn", cwd=tmp_path)
    assert run.code == 0, run.err
    assert run.out.splitlines() == [f"bao/{name}" for name in FILES] + [
        "a new site; preview it with: newsgen serve -s bao"]
    site = tmp_path / "bao"
    built = newsgen("build", "--strict", cwd=site)
    assert built.code == 0, built.err
    home = html(site / "public" / "index.html")
    assert home.find("html")["lang"] == "vi"
    assert "Báo Sông Hàn" in text(home.find("title"))
    links = [a["href"] for a in home.find_all("a")]
    assert "/thoi-su/chao-mung/" in links
    page = html(site / "public" / "thoi-su" / "chao-mung" / "index.html")
    assert text(page.find("h1")) == "Chào mừng đến với Báo Sông Hàn"
    ignored = (site / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert {"/public/", "/.newsgen-cache/"} <= set(ignored)


def test_the_workflow_init_writes_is_the_documented_recipe(tmp_path: Path) -> None:
    assert newsgen("init", "bao", cwd=tmp_path).code == 0
    written = (tmp_path / "bao" / ".github" / "workflows" / "github-pages.yml").read_bytes()
    assert written == (REPO / "docs" / "examples" / "github-pages.yml").read_bytes()
    steps = yaml.safe_load(written)["jobs"]["build"]["steps"]
    assert [s["run"] for s in steps if "run" in s][:2] == [
        "pip install -r requirements.txt", "newsgen build --strict"]


def test_an_english_site_starts_in_english(tmp_path: Path) -> None:
    run = newsgen("init", "news", "--language", "en", "--title", "The Han River Post",
                  cwd=tmp_path)
    assert run.code == 0, run.err
    assert run.out.splitlines()[1] == "news/content/news/welcome.md"
    site = tmp_path / "news"
    assert newsgen("build", "--strict", cwd=site).code == 0
    home = html(site / "public" / "index.html")
    assert home.find("html")["lang"] == "en"
    assert [text(a) for a in home.select(".site-nav a")] == ["News", "World"]
    page = html(site / "public" / "news" / "welcome" / "index.html")
    assert text(page.find("h1")) == "Welcome to The Han River Post"


def test_init_refuses_a_folder_that_holds_anything(tmp_path: Path) -> None:
    site = tmp_path / "bao"
    (site / "content").mkdir(parents=True)
    (site / "ghi-chu.txt").write_text("bản nháp của tôi", encoding="utf-8")
    before = manifest(site)
    run = newsgen("init", "bao", cwd=tmp_path)
    assert run.code == 1
    assert run.err.splitlines() == [
        "bao is not empty (content, ghi-chu.txt); newsgen init starts a site in a new or "
        "empty folder, so that nothing there is overwritten"]
    assert manifest(site) == before


def test_a_repository_just_cloned_is_empty_enough(tmp_path: Path) -> None:
    (tmp_path / "bao" / ".git").mkdir(parents=True)
    run = newsgen("init", cwd=tmp_path / "bao")
    assert run.code == 0, run.err
    assert run.out.splitlines()[-1] == "a new site; preview it with: newsgen serve"
    assert (tmp_path / "bao" / "site.yaml").is_file()


def test_a_title_is_written_as_typed_even_with_braces(tmp_path: Path) -> None:
    assert newsgen("init", "bao", "--title", "Báo {date} {version}", cwd=tmp_path).code == 0
    site = tmp_path / "bao"
    assert newsgen("build", "--strict", cwd=site).code == 0
    assert text(html(site / "public" / "index.html").select_one("a.site-title")) == \
        "Báo {date} {version}"

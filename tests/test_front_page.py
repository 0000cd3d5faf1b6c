"""The editors' front page: featured stories, pinned ones, and blocks as site.yaml says.

Built through the command line with a fixed clock (--now), read back from the
home and section pages a reader gets.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import html, newsgen, text, write

SITE = """title: "Báo Thử"
base_url: "https://bao-thu.example/"
slugs: file
home_latest: 2
home_featured: 2
sections:
  - slug: thoi-su
    title: "Thời sự"
    home: 2
  - slug: the-gioi
    title: "Thế giới"
    home: 3
  - slug: kinh-te
    title: "Kinh tế"
    home: 0
"""
# (section, file name, day of November 2026, extra front matter)
STORIES = [
    ("thoi-su", "ts-1", 1, ""), ("thoi-su", "ts-2", 3, ""), ("thoi-su", "ts-3", 5, ""),
    ("thoi-su", "ts-4", 7, ""),
    ("the-gioi", "tg-1", 2, "pin: 2026-11-20T12:00:00+07:00\n"), ("the-gioi", "tg-2", 4, ""),
    ("the-gioi", "tg-3", 6, "featured: true\n"), ("the-gioi", "tg-4", 8, ""),
    ("kinh-te", "kt-1", 9, "featured: 2026-11-20T12:00:00+07:00\n"), ("kinh-te", "kt-2", 10, ""),
]
BEFORE, AFTER = "2026-11-15T08:00:00+07:00", "2026-11-21T08:00:00+07:00"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    write(root / "site.yaml", SITE)
    for section, name, day, extra in STORIES:
        write(root / "content" / section / f"{name}.md",
              f'---\ntitle: "Bài {name}"\ndate: 2026-11-{day:02d}T08:00:00+07:00\n'
              f"section: {section}\n{extra}---\nNội dung bài {name}.\n")
    return root


def build(site: Path, now: str) -> None:
    run = newsgen("build", "--now", now, cwd=site)
    assert run.code == 0, run.err


def stories(node) -> list[str]:
    """The stories a block shows, in order, by their address."""
    return [a["href"].strip("/").split("/")[-1] for a in node.select("a.card-link")]


def home(site: Path) -> dict[str, list[str]]:
    page = html(site / "public" / "index.html")
    return {text(block.find("h2")): stories(block) for block in page.select("main section")}


def test_featured_stories_lead_and_each_story_is_shown_once(site: Path) -> None:
    build(site, BEFORE)
    page = html(site / "public" / "index.html")
    blocks = home(site)
    assert list(blocks) == ["Tiêu điểm", "Tin mới nhất", "Thời sự", "Thế giới"]
    assert blocks["Tiêu điểm"] == ["kt-1", "tg-3"]  # newest first: the lead story, then beside it
    lead = page.select_one("section.featured .card-grid--featured > .card:first-child")
    assert stories(lead) == ["kt-1"]
    assert page.select_one("section.latest .card-grid--featured") is None  # one lead a page
    assert blocks["Tin mới nhất"] == ["kt-2", "tg-4"]  # home_latest: 2, the featured left out
    assert blocks["Thời sự"] == ["ts-4", "ts-3"]  # home: 2
    assert blocks["Thế giới"] == ["tg-1", "tg-2"]  # the pinned one first; home: 3 minus shown
    shown = stories(page.select_one("main"))
    assert len(shown) == len(set(shown))


def test_a_featured_story_leaves_at_its_end_time(site: Path) -> None:
    build(site, AFTER)
    blocks = home(site)
    assert blocks["Tiêu điểm"] == ["tg-3"]  # featured: true has no end
    assert blocks["Tin mới nhất"] == ["kt-2", "kt-1"]
    assert "Kinh tế" not in blocks  # home: 0


def test_a_pinned_story_stays_on_top_of_its_section_until_its_time(site: Path) -> None:
    build(site, BEFORE)
    section = html(site / "public" / "the-gioi" / "index.html")
    assert stories(section.select_one("main")) == ["tg-1", "tg-4", "tg-3", "tg-2"]
    lead = section.select_one("main .card-grid--featured > .card:first-child")
    assert stories(lead) == ["tg-1"]  # the section page's lead story
    build(site, AFTER)
    section = html(site / "public" / "the-gioi" / "index.html")
    assert stories(section.select_one("main")) == ["tg-4", "tg-3", "tg-2", "tg-1"]
    assert home(site)["Thế giới"] == ["tg-4", "tg-2", "tg-1"]  # tg-3 is in "Tiêu điểm"


def test_pinning_changes_no_feed_and_no_older_news(site: Path) -> None:
    config = site / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "related_count: 0\n",
                      encoding="utf-8")
    build(site, BEFORE)
    feed = (site / "public" / "the-gioi" / "feed.xml").read_text(encoding="utf-8")
    names = ["tg-1", "tg-2", "tg-3", "tg-4"]
    assert all(f"/the-gioi/{name}/" in feed for name in names)
    assert sorted(names, key=lambda name: feed.index(f"/the-gioi/{name}/")) == names[::-1]
    page = html(site / "public" / "the-gioi" / "tg-4" / "index.html")
    assert stories(page.select_one("section.older")) == ["tg-3", "tg-2", "tg-1"]  # by date


def test_without_the_keys_the_home_page_has_no_top_stories_block(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    write(root / "site.yaml", SITE.replace("home_featured: 2\n", ""))
    for section, name, day, _ in STORIES:
        write(root / "content" / section / f"{name}.md",
              f'---\ntitle: "Bài {name}"\ndate: 2026-11-{day:02d}T08:00:00+07:00\n'
              f"section: {section}\n---\nNội dung.\n")
    build(root, BEFORE)
    page = html(root / "public" / "index.html")
    assert page.select_one("section.featured") is None
    lead = page.select_one("section.latest .card-grid--featured > .card:first-child")
    assert stories(lead) == ["kt-2"]  # the newest leads, as it always did


@pytest.mark.parametrize(("line", "message"), [
    ("featured: sometimes", "featured must be true, false or the time it ends"),
    ("pin: 2026-10-01T08:00:00+07:00", "pin ends before the article's date"),
])
def test_a_bad_choice_is_an_error_on_its_line(site: Path, line: str, message: str) -> None:
    path = site / "content" / "thoi-su" / "ts-1.md"
    write(path, path.read_text(encoding="utf-8").replace("section: thoi-su\n",
                                                         f"section: thoi-su\n{line}\n"))
    run = newsgen("build", "--now", BEFORE, cwd=site)
    assert run.code == 1
    assert f"content/thoi-su/ts-1.md:5: {message}" in run.err, run.err
    assert "Traceback" not in run.err


def test_a_bad_home_count_in_site_yaml_names_its_line(site: Path) -> None:
    config = site / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("home: 3", "home: ba"),
                      encoding="utf-8")
    run = newsgen("build", cwd=site)
    assert run.code != 0
    assert "site.yaml:12: " in run.err and "home" in run.err, run.err

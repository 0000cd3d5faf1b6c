"""Date archives and numbered pages: every story can be reached going back in time.

Built through the command line, read back as a reader's browser gets the pages:
links followed from the home page, rel links in <head> and in the page numbers.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from tests.conftest import html, newsgen, text, write

SITE = """title: "Báo Thử"
base_url: "https://bao-thu.example/"
timezone: Asia/Ho_Chi_Minh
slugs: file
per_page: 3
home_featured: 1
home_latest: 2
home_per_section: 1
sections:
  - slug: thoi-su
    title: "Thời sự"
  - slug: the-gioi
    title: "Thế giới"
"""
# (file name, section, date as written); the last one is 30 November in UTC but already
# 1 December in Hà Nội, where the site's readers are.
STORIES = [
    ("a1", "thoi-su", "2026-10-02T08:00:00+07:00"),
    ("a2", "the-gioi", "2026-10-02T09:00:00+07:00"),
    ("a3", "thoi-su", "2026-10-15T08:00:00+07:00"),
    ("a4", "the-gioi", "2026-11-03T08:00:00+07:00"),
    ("a5", "thoi-su", "2026-11-03T10:00:00+07:00"),
    ("a6", "thoi-su", "2026-11-03T11:00:00+07:00"),
    ("a7", "the-gioi", "2026-11-03T12:00:00+07:00"),
    ("a8", "thoi-su", "2026-11-20T08:00:00+07:00"),
    ("a9", "the-gioi", "2026-11-25T08:00:00+07:00"),
    ("a10", "thoi-su", "2026-11-26T08:00:00+07:00"),
    ("a11", "the-gioi", "2026-11-27T08:00:00+07:00"),
    ("a12", "thoi-su", "2026-11-30T18:30:00+00:00"),
]
NOW = "2026-12-06T08:00:00+07:00"


def make_site(root: Path, extra: str = "") -> Path:
    write(root / "site.yaml", SITE + extra)
    for name, section, date in STORIES:
        write(root / "content" / section / f"{name}.md",
              f'---\ntitle: "Bài {name}"\ndate: {date}\nsection: {section}\n'
              f"tags: [Ngoại giao]\n---\nNội dung bài {name}.\n")
    run = newsgen("build", "--now", NOW, cwd=root)
    assert run.code == 0, run.err
    return root / "public"


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_site(tmp_path_factory.mktemp("archives") / "site")


def page(public: Path, url: str):
    return html(public / url.lstrip("/") / "index.html")


def story(href: str) -> str:
    return href.strip("/").split("/")[-1]


def stories(doc) -> list[str]:
    """The stories a listing page shows, in order (the page's own cards, not the menus)."""
    return [story(a["href"]) for a in doc.select("main a.card-link")]


def head_link(doc, rel: str) -> str | None:
    found = doc.select(f'head link[rel="{rel}"]')
    assert len(found) <= 1
    return found[0]["href"] if found else None


def chain(public: Path, first: str) -> list[str]:
    """A listing's pages, from its first, by the page-number links' rel="next"."""
    urls = [first]
    while (nxt := page(public, urls[-1]).select_one('nav.pagination a[rel="next"]')):
        assert nxt["href"] not in urls, f"{urls[-1]} leads back to {nxt['href']}"
        urls.append(nxt["href"])
    return urls


def test_every_page_is_reachable_from_the_home_page(public: Path) -> None:
    pages = {"/" + p.relative_to(public).as_posix().removesuffix("index.html")
             for p in public.rglob("index.html")}
    seen, todo = set(), ["/"]
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        for a in page(public, url).select("a[href]"):
            href = urlsplit(a["href"])
            if not href.netloc and href.path.startswith("/") and href.path in pages:
                todo.append(href.path)
    assert pages - seen == set()
    assert {"/2026/10/", "/2026/11/", "/2026/12/", "/2026/11/03/", "/page/2/"} <= seen


def test_going_on_from_the_home_page_shows_every_story_once(public: Path) -> None:
    home = page(public, "/")
    more = home.select_one("main .more-link a")
    assert text(more) == "Xem thêm Tin mới nhất"
    urls = chain(public, "/")
    assert urls == ["/", "/page/2/", "/page/3/", "/page/4/"]
    assert more["href"] == "/page/2/"
    shown = [s for url in urls for s in stories(page(public, url))]
    assert sorted(shown) == sorted(name for name, _, _ in STORIES)
    # The next pages go back in time: newest first, after what the front page shows.
    later = [s for url in urls[1:] for s in stories(page(public, url))]
    assert later == ["a8", "a7", "a6", "a5", "a4", "a3", "a2", "a1"]
    assert page(public, "/page/2/").select_one("h1").get_text(" ", strip=True) \
        .startswith("Tin mới nhất")


@pytest.mark.parametrize("first", ["/", "/thoi-su/", "/the-gioi/", "/2026/11/",
                                   "/tags/ngoai-giao/"])
def test_numbered_pages_link_each_other_both_ways(public: Path, first: str) -> None:
    urls = chain(public, first)
    assert len(urls) > 1, f"{first} should have more than one page"
    for number, url in enumerate(urls):
        doc = page(public, url)
        prev = urls[number - 1] if number else None
        nxt = urls[number + 1] if number + 1 < len(urls) else None
        assert head_link(doc, "prev") == prev and head_link(doc, "next") == nxt, url
        nav = doc.select_one("nav.pagination")
        anchor = nav.select_one('a[rel="prev"]')
        assert (anchor["href"] if anchor else None) == prev, url
        # Each page number links its page; the reader's own is marked.
        numbers = {text(a).split()[-1]: a["href"] for a in nav.select("li a:not([rel])")}
        assert numbers == {str(n + 1): u for n, u in enumerate(urls)}, url
        assert text(nav.select_one('[aria-current="page"]')).endswith(str(number + 1))
        more = doc.select_one("main .more-link a")
        assert (more["href"] if more else None) == nxt, url


def test_a_month_and_a_day_list_their_stories_newest_first(public: Path) -> None:
    november = [s for url in chain(public, "/2026/11/") for s in stories(page(public, url))]
    assert november == ["a11", "a10", "a9", "a8", "a7", "a6", "a5", "a4"]
    assert stories(page(public, "/2026/11/03/")) == ["a7", "a6", "a5"]
    # A story's day is the day its readers' clocks showed.
    assert stories(page(public, "/2026/12/01/")) == ["a12"]
    assert not (public / "2026" / "11" / "30").exists()
    month = page(public, "/2026/11/")
    assert text(month.select_one("h1")) == "Tháng 11/2026"
    assert text(page(public, "/2026/11/03/").select_one("h1")) == "Thứ Ba, 3/11/2026"


def test_a_month_leads_to_its_days_and_the_months_around_it(public: Path) -> None:
    month = page(public, "/2026/11/")
    days = month.select_one('nav[aria-label="Các ngày có tin"]')
    assert [(text(a), a["href"]) for a in days.select("a")] == [
        ("27/11", "/2026/11/27/"), ("26/11", "/2026/11/26/"), ("25/11", "/2026/11/25/"),
        ("20/11", "/2026/11/20/"), ("3/11", "/2026/11/03/")]
    around = month.select_one('nav[aria-label="Các tháng khác"]')
    assert [(text(a), a["href"]) for a in around.select("a")] == [
        ("← Tháng 10/2026", "/2026/10/"), ("Tháng 12/2026 →", "/2026/12/")]
    oldest = page(public, "/2026/10/").select_one('nav[aria-label="Các tháng khác"]')
    assert [a["href"] for a in oldest.select("a")] == ["/2026/11/"]
    day = page(public, "/2026/11/03/")
    assert [a["href"] for a in day.select("main .page-label a")] == ["/2026/11/"]


def test_an_articles_date_leads_to_that_days_news(public: Path) -> None:
    doc = page(public, "/thoi-su/a12/")
    link = doc.select_one(".article-dates a")
    assert link["href"] == "/2026/12/01/"
    assert link.select_one("time")["datetime"].startswith("2026-12-01T01:30:00+07:00")
    assert "a12" in stories(page(public, link["href"]))


def test_a_site_chooses_its_archive_addresses_or_none(tmp_path: Path) -> None:
    public = make_site(tmp_path / "own", 'archives:\n  month: "/luu-tru/{year}-{month}/"\n'
                                         "  day: false\n")
    assert stories(page(public, "/luu-tru/2026-10/")) == ["a3", "a2", "a1"]
    assert not (public / "2026").exists()
    # Without day pages, a date leads to its month.
    assert page(public, "/the-gioi/a4/").select_one(".article-dates a")["href"] \
        == "/luu-tru/2026-11/"
    assert page(public, "/luu-tru/2026-11/").select_one("nav.archive-days") is None

    public = make_site(tmp_path / "none", "archives: false\n")
    assert not (public / "2026").exists()
    doc = page(public, "/the-gioi/a4/")
    assert doc.select_one(".article-dates a") is None
    assert doc.select_one(".article-dates time") is not None


def test_an_archive_pattern_without_its_parts_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "site"
    write(root / "site.yaml", SITE + 'archives:\n  month: "/{year}/"\n')
    run = newsgen("build", "--messages", "en", cwd=root)
    assert run.code == 1
    assert run.err.splitlines()[0] == ("site.yaml:15: archives month '/{year}/' must hold "
                                       "each of {year}, {month} once, and no other part")
    assert "Traceback" not in run.err

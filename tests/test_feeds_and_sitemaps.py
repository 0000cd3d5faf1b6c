"""Feeds, sitemaps and robots.txt, read back the way feed readers and crawlers read them.

The test site (tests/sites/syndication) is built at NOW: its articles spread
over ten days across two sections (a third has none), with static, next-to-the-
article and outside hero images, a headline with markup and '&', a date in UTC
and one article scheduled after NOW.
"""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest

from conftest import copy_site, newsgen
from newsgen.content.config import load_config
from newsgen.content.library import Library, load_library
from newsgen.errors import Problems
from newsgen.render.feeds import feed_links, feeds
from newsgen.render.sitemaps import SitemapEntry, news_sitemap, robots, sitemaps
from newsgen.render.xmldoc import OutputFile
from newsgen.urls import absolute

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2022, 3, 10, 12, 0, tzinfo=VN)
SITE = "https://bao.example/tin-tuc"
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
      "news": "http://www.google.com/schemas/sitemap-news/0.9"}
NEWEST_FIRST = ["ty-gia", "hoi-nghi-thuong-dinh-khai-mac", "thue-phi", "chung-khoan",
                "dien-dan", "lam-phat", "bau-cu"]
SCRIPT_TITLE = "<script>alert('tiêu đề')</script> Thuế & phí"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_site("syndication", tmp_path_factory.mktemp("syndication") / "site")


def load(site: Path, now: datetime = NOW, future: bool = False, **overrides: object) -> Library:
    problems = Problems()
    config = load_config(site, problems, overrides)
    return load_library(config, problems, now=now, future=future)


@pytest.fixture(scope="module")
def library(site: Path) -> Library:
    return load(site)


def by_path(files: list[OutputFile]) -> dict[str, str]:
    paths = [f.path for f in files]
    assert len(paths) == len(set(paths)), paths
    return {f.path: f.text for f in files}


def parse_feed(text: str) -> feedparser.FeedParserDict:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    parsed = feedparser.parse(text.encode("utf-8"))
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def slug_of(tag_uri: str) -> str:
    return tag_uri.rsplit(":", 1)[1]


def xml(text: str) -> ET.Element:
    return ET.fromstring(text.encode("utf-8"))


def test_the_test_site_builds_with_the_real_command(tmp_path: Path) -> None:
    site = copy_site("syndication", tmp_path / "site")
    run = newsgen("build", "-s", site, "--now", NOW.isoformat())
    assert run.code == 0, run.err
    assert (site / "public" / "the-gioi" / "thue-phi" / "index.html").is_file()


# --- addresses ---


def test_absolute_puts_site_urls_under_the_base_url(library: Library) -> None:
    config = library.config
    assert absolute(config.base_url, "/") == f"{SITE}/"
    assert absolute(config.base_url, "/the-gioi/x/") == f"{SITE}/the-gioi/x/"
    assert absolute(config.base_url, "/ảnh/a b.png") == f"{SITE}/%E1%BA%A3nh/a%20b.png"
    assert absolute(config.base_url, "https://cdn.example/a.jpg?w=1") == "https://cdn.example/a.jpg?w=1"
    assert absolute(config.base_url, "//cdn.example/a.jpg") == "https://cdn.example/a.jpg"
    at_root = dataclasses.replace(config, base_url="http://localhost:8000/")
    assert absolute(at_root.base_url, "/kinh-te/") == "http://localhost:8000/kinh-te/"


# --- Atom ---


def test_site_feed_carries_every_article_newest_first(library: Library) -> None:
    files = by_path(feeds(library))
    assert sorted(files) == ["feed.xml", "kinh-te/feed.xml", "the-gioi/feed.xml",
                             "the-thao/feed.xml"]
    feed = parse_feed(files["feed.xml"])
    assert feed.version == "atom10"
    assert feed.feed.id == f"{SITE}/"
    assert feed.feed.title == "Báo Thử Tin"
    assert feed.feed.subtitle == "Tin tức thử nghiệm cho nguồn cấp & sơ đồ trang."
    assert feed.feed.language == "vi"
    links = {link.rel: link for link in feed.feed.links}
    assert links["self"].href == f"{SITE}/feed.xml"
    assert links["self"].type == "application/atom+xml"
    assert links["alternate"].href == f"{SITE}/"
    assert feed.feed.author == "Công ty Báo Thử"
    assert feed.feed.generator == "newsgen"
    assert feed.feed.logo == f"{SITE}/images/logo.svg"
    # The newest change, not the newest date: an update at 11:30 beats a 10:30 article.
    assert "<updated>2022-03-10T11:30:00+07:00</updated>" in files["feed.xml"].split("<entry>")[0]
    assert [slug_of(e.id) for e in feed.entries] == NEWEST_FIRST


def test_entry_ids_are_tag_uris_and_links_are_permalinks(library: Library) -> None:
    feed = parse_feed(by_path(feeds(library))["feed.xml"])
    entry = feed.entries[1]
    assert entry.id == "tag:bao.example,2022-03-10:hoi-nghi-thuong-dinh-khai-mac"
    assert entry.link == f"{SITE}/the-gioi/hoi-nghi-thuong-dinh-khai-mac/"
    # The tag's day is the day of the date as written: 03:30Z is 10:30 in Vietnam, same day.
    assert feed.entries[0].id == "tag:bao.example,2022-03-10:ty-gia"
    assert {e.id for e in feed.entries} == {f"tag:bao.example,{a.date:%Y-%m-%d}:{a.slug}"
                                            for a in library.articles}


def test_entry_dates_keep_an_offset_in_the_site_time_zone(library: Library) -> None:
    text = by_path(feeds(library))["feed.xml"]
    entries = {slug_of(e.id): e for e in parse_feed(text).entries}
    summit = entries["hoi-nghi-thuong-dinh-khai-mac"]
    assert summit.published == "2022-03-10T09:00:00+07:00"
    assert summit.updated == "2022-03-10T11:30:00+07:00"
    # Written in UTC, shown in Vietnam's time as on the article page.
    assert entries["ty-gia"].published == "2022-03-10T10:30:00+07:00"
    assert entries["ty-gia"].updated == "2022-03-10T10:30:00+07:00"
    # A bare date is midnight in the site's time zone.
    assert entries["lam-phat"].published == "2022-03-05T00:00:00+07:00"


def test_entry_authors_summary_and_categories(library: Library) -> None:
    entries = {slug_of(e.id): e for e in parse_feed(by_path(feeds(library))["feed.xml"]).entries}
    summit = entries["hoi-nghi-thuong-dinh-khai-mac"]
    assert [a.name for a in summit.authors] == ["Thanh Hà", "Minh Anh"]
    assert summit.summary == "Lãnh đạo các nước gặp nhau tại Hà Nội."
    assert summit.summary_detail.type == "text/plain"
    assert [(t.term, t.label) for t in summit.tags] == [
        ("the-gioi", "Thế giới"), ("Ngoại giao", "Ngoại giao"), ("ASEAN", "ASEAN")]
    # No byline: the publisher stands in, as Atom needs an author per entry.
    stocks = entries["chung-khoan"]
    assert [a.name for a in stocks.authors] == ["Công ty Báo Thử"]
    assert "summary" not in stocks
    assert [(t.term, t.label) for t in stocks.tags] == [("kinh-te", "Kinh tế")]


def test_hero_images_are_absolute_enclosures_with_a_type(library: Library) -> None:
    entries = {slug_of(e.id): e for e in parse_feed(by_path(feeds(library))["feed.xml"]).entries}
    enclosures = {slug: [(x.href, x.type) for x in entry.enclosures]
                  for slug, entry in entries.items()}
    assert enclosures["hoi-nghi-thuong-dinh-khai-mac"] == [
        (f"{SITE}/images/hoi-nghi.svg", "image/svg+xml")]
    # A photo of the site: the picture shared on social sites, 1200 px wide (or less) in 16x9.
    (href, kind), = enclosures["dien-dan"]
    assert re.fullmatch(rf"{SITE}/img/[0-9a-f]{{12}}-800x450\.jpg", href) and kind == "image/jpeg"
    assert enclosures["thue-phi"] == [
        ("https://images.example/anh/bao.JPG?w=800&h=450", "image/jpeg")]
    assert enclosures["bau-cu"] == []


def test_markup_in_titles_stays_text(library: Library) -> None:
    text = by_path(feeds(library))["feed.xml"]
    assert "<script>" not in text and "<b>" not in text
    entry = next(e for e in parse_feed(text).entries if e.id.endswith(":thue-phi"))
    assert entry.title == SCRIPT_TITLE
    assert entry.title_detail.type == "text/plain"
    assert entry.summary == 'Sapo có <b>thẻ</b> & ký hiệu "ngoặc kép"'
    assert [a.name for a in entry.authors] == ["Lê Văn <An>"]
    assert [t.term for t in entry.tags] == ["the-gioi", "A & B", "<i>nghiêng</i>"]


def test_section_feeds_hold_their_own_articles(library: Library) -> None:
    files = by_path(feeds(library))
    world = parse_feed(files["the-gioi/feed.xml"])
    assert world.feed.id == f"{SITE}/the-gioi/"
    assert world.feed.title == "Thế giới – Báo Thử Tin"
    links = {link.rel: link.href for link in world.feed.links}
    assert links == {"self": f"{SITE}/the-gioi/feed.xml", "alternate": f"{SITE}/the-gioi/"}
    assert [slug_of(e.id) for e in world.entries] == [
        "hoi-nghi-thuong-dinh-khai-mac", "thue-phi", "dien-dan", "bau-cu"]
    economy = parse_feed(files["kinh-te/feed.xml"])
    assert [slug_of(e.id) for e in economy.entries] == ["ty-gia", "chung-khoan", "lam-phat"]
    assert "<updated>2022-03-10T10:30:00+07:00</updated>" in files["kinh-te/feed.xml"]


def test_a_section_without_articles_has_a_valid_empty_feed(library: Library, site: Path) -> None:
    text = by_path(feeds(library))["the-thao/feed.xml"]
    sport = parse_feed(text)
    assert sport.entries == []
    assert sport.feed.title == "Thể thao – Báo Thử Tin"
    # No entry to date it by: the site's last change (hoi-nghi-thuong-dinh's
    # updated), never a clock, so the same site always gives the same feed.
    assert "<updated>2022-03-10T11:30:00+07:00</updated>" in text
    later = by_path(feeds(load(site, now=NOW + timedelta(hours=5))))["the-thao/feed.xml"]
    assert later == text


def test_feed_items_keeps_only_the_newest(site: Path) -> None:
    files = by_path(feeds(load(site, feed_items=3)))
    assert [slug_of(e.id) for e in parse_feed(files["feed.xml"]).entries] == NEWEST_FIRST[:3]
    assert len(parse_feed(files["the-gioi/feed.xml"]).entries) == 3
    assert len(parse_feed(files["kinh-te/feed.xml"]).entries) == 3


def test_scheduled_articles_appear_only_when_published(site: Path) -> None:
    assert not any(e.id.endswith(":ngay-mai")
                   for e in parse_feed(by_path(feeds(load(site)))["feed.xml"]).entries)
    later = load(site, now=NOW + timedelta(days=1))
    first = parse_feed(by_path(feeds(later))["feed.xml"]).entries[0]
    assert first.id == "tag:bao.example,2022-03-11:ngay-mai"


# --- RSS ---


def test_rss_is_written_only_when_switched_on(library: Library, site: Path) -> None:
    assert not any(f.path.endswith("rss.xml") for f in feeds(library))
    paths = [f.path for f in feeds(load(site, rss=True))]
    assert sorted(paths) == sorted([
        "feed.xml", "rss.xml", "the-gioi/feed.xml", "the-gioi/rss.xml", "kinh-te/feed.xml",
        "kinh-te/rss.xml", "the-thao/feed.xml", "the-thao/rss.xml"])


def test_rss_items_match_the_atom_entries(site: Path) -> None:
    files = by_path(feeds(load(site, rss=True)))
    rss = parse_feed(files["rss.xml"])
    assert rss.version == "rss20"
    assert rss.feed.title == "Báo Thử Tin"
    assert rss.feed.link == f"{SITE}/"
    assert rss.feed.language == "vi"
    assert rss.feed.updated == "Thu, 10 Mar 2022 11:30:00 +0700"
    assert {(link.rel, link.href) for link in rss.feed.links} >= {
        ("self", f"{SITE}/rss.xml")}
    atom = parse_feed(files["feed.xml"])
    assert [e.id for e in rss.entries] == [e.id for e in atom.entries]
    assert [e.link for e in rss.entries] == [e.link for e in atom.entries]
    assert all(not e.guidislink for e in rss.entries)

    summit = rss.entries[1]
    assert summit.published == "Thu, 10 Mar 2022 09:00:00 +0700"
    assert [a.name for a in summit.authors] == ["Thanh Hà", "Minh Anh"]
    assert [t.term for t in summit.tags] == ["Thế giới", "Ngoại giao", "ASEAN"]
    assert summit.tags[0].scheme == f"{SITE}/the-gioi/"
    assert summit.media_content == [{"url": f"{SITE}/images/hoi-nghi.svg", "medium": "image",
                                     "type": "image/svg+xml"}]
    assert rss.entries[0].published == "Thu, 10 Mar 2022 10:30:00 +0700"


def test_rss_description_shows_markup_as_text(site: Path) -> None:
    text = by_path(feeds(load(site, rss=True)))["rss.xml"]
    assert "<script>" not in text and "<b>" not in text
    item = next(e for e in parse_feed(text).entries if e.id.endswith(":thue-phi"))
    assert item.title == SCRIPT_TITLE
    # RSS descriptions are HTML, so the lead is escaped once more to stay text.
    assert item.summary == 'Sapo có &lt;b&gt;thẻ&lt;/b&gt; &amp; ký hiệu "ngoặc kép"'
    assert item.media_content[0]["url"] == "https://images.example/anh/bao.JPG?w=800&h=450"


def test_empty_section_rss_is_valid(site: Path) -> None:
    text = by_path(feeds(load(site, rss=True)))["the-thao/rss.xml"]
    sport = parse_feed(text)
    assert sport.entries == []
    assert sport.feed.link == f"{SITE}/the-thao/"
    assert "<lastBuildDate>Thu, 10 Mar 2022 11:30:00 +0700</lastBuildDate>" in text


# --- autodiscovery ---


def test_feed_links_name_the_section_feed_first(library: Library, site: Path) -> None:
    config = library.config
    assert feed_links(config, None) == [
        ("application/atom+xml", "Báo Thử Tin", "/tin-tuc/feed.xml")]
    assert feed_links(config, "kinh-te") == [
        ("application/atom+xml", "Kinh tế – Báo Thử Tin", "/tin-tuc/kinh-te/feed.xml"),
        ("application/atom+xml", "Báo Thử Tin", "/tin-tuc/feed.xml")]
    with_rss = load(site, rss=True).config
    assert feed_links(with_rss, "the-gioi") == [
        ("application/atom+xml", "Thế giới – Báo Thử Tin", "/tin-tuc/the-gioi/feed.xml"),
        ("application/rss+xml", "Thế giới – Báo Thử Tin (RSS)", "/tin-tuc/the-gioi/rss.xml"),
        ("application/atom+xml", "Báo Thử Tin", "/tin-tuc/feed.xml"),
        ("application/rss+xml", "Báo Thử Tin (RSS)", "/tin-tuc/rss.xml")]
    # Every href is the address the feed is written to.
    written = {f"/tin-tuc/{f.path}" for f in feeds(load(site, rss=True))}
    assert {link[2] for link in feed_links(with_rss, "the-gioi")} <= written


# --- sitemaps ---


def site_entries(library: Library) -> list[SitemapEntry]:
    """What the build lists: home, section pages and articles, in no particular order."""
    pages = [SitemapEntry(library.url(a.slug), a.updated or a.date)
             for a in library.articles]
    pages += [SitemapEntry(f"/{s.slug}/", None) for s in library.config.sections]
    return [*reversed(pages), SitemapEntry("/", library.articles[0].date)]


def locs(root: ET.Element) -> list[str]:
    return [loc.text or "" for loc in root.iterfind("sm:url/sm:loc", NS)]


def test_sitemap_lists_every_page_sorted_by_url(library: Library) -> None:
    [sitemap] = sitemaps(library.config, site_entries(library))
    assert sitemap.path == "sitemap.xml"
    root = xml(sitemap.text)
    assert root.tag == f"{{{NS['sm']}}}urlset"
    urls = locs(root)
    assert len(urls) == 7 + 3 + 1
    assert urls == sorted(urls)
    assert urls[0] == f"{SITE}/"
    lastmods = {url.findtext("sm:loc", namespaces=NS): url.findtext("sm:lastmod", namespaces=NS)
                for url in root.iterfind("sm:url", NS)}
    assert lastmods[f"{SITE}/the-gioi/hoi-nghi-thuong-dinh-khai-mac/"] == \
        "2022-03-10T11:30:00+07:00"
    assert lastmods[f"{SITE}/kinh-te/ty-gia/"] == "2022-03-10T10:30:00+07:00"
    assert lastmods[f"{SITE}/the-thao/"] is None


def test_a_url_given_twice_is_listed_once_with_its_newest_lastmod(library: Library) -> None:
    old, new = datetime(2022, 1, 1, tzinfo=VN), datetime(2022, 2, 1, tzinfo=VN)
    entries = [SitemapEntry("/a/", old), SitemapEntry("/a/", None), SitemapEntry("/a/", new),
               SitemapEntry("/a/", old)]
    root = xml(sitemaps(library.config, entries)[0].text)
    assert locs(root) == [f"{SITE}/a/"]
    assert root.findtext("sm:url/sm:lastmod", namespaces=NS) == "2022-02-01T00:00:00+07:00"


def test_a_large_sitemap_becomes_an_index_of_numbered_files(library: Library) -> None:
    entries = site_entries(library)
    files = sitemaps(library.config, entries, per_file=3)
    assert [f.path for f in files] == ["sitemap.xml"] + [f"sitemap-{n}.xml" for n in range(1, 5)]
    index = xml(files[0].text)
    assert index.tag == f"{{{NS['sm']}}}sitemapindex"
    listed = [s.findtext("sm:loc", namespaces=NS) for s in index.iterfind("sm:sitemap", NS)]
    assert listed == [f"{SITE}/sitemap-{n}.xml" for n in range(1, 5)]
    parts = [xml(f.text) for f in files[1:]]
    assert [len(locs(p)) for p in parts] == [3, 3, 3, 2]
    whole = xml(sitemaps(library.config, entries)[0].text)
    assert [u for p in parts for u in locs(p)] == locs(whole)
    for item, part in zip(index.iterfind("sm:sitemap", NS), parts, strict=True):
        dates = [d.text or "" for d in part.iterfind("sm:url/sm:lastmod", NS)]
        newest = max(dates, key=datetime.fromisoformat, default=None)
        assert item.findtext("sm:lastmod", namespaces=NS) == newest


def test_sitemap_lastmod_is_in_the_site_time_zone(library: Library) -> None:
    utc = datetime(2022, 3, 1, 20, 0, tzinfo=ZoneInfo("UTC"))
    root = xml(sitemaps(library.config, [SitemapEntry("/x/", utc)])[0].text)
    assert root.findtext("sm:url/sm:lastmod", namespaces=NS) == "2022-03-02T03:00:00+07:00"


def test_sitemap_refuses_an_empty_file_size(library: Library) -> None:
    with pytest.raises(ValueError, match="per_file"):
        sitemaps(library.config, [], per_file=0)


# --- news sitemap ---


def news_items(text: str) -> list[ET.Element]:
    root = xml(text)
    assert root.tag == f"{{{NS['sm']}}}urlset"
    return root.findall("sm:url", NS)


def test_news_sitemap_holds_the_last_two_days_newest_first(site: Path) -> None:
    # --future puts the scheduled article in the library; it is still not news yet.
    [file] = news_sitemap(load(site, future=True))
    assert file.path == "news-sitemap.xml"
    items = news_items(file.text)
    # dien-dan is exactly two days old: outside the window, which is open at that end.
    assert [i.findtext("sm:loc", namespaces=NS) for i in items] == [
        f"{SITE}/kinh-te/ty-gia/", f"{SITE}/the-gioi/hoi-nghi-thuong-dinh-khai-mac/",
        f"{SITE}/the-gioi/thue-phi/", f"{SITE}/kinh-te/chung-khoan/"]
    first = items[0].find("news:news", NS)
    assert first is not None
    assert first.findtext("news:publication/news:name", namespaces=NS) == "Công ty Báo Thử"
    assert first.findtext("news:publication/news:language", namespaces=NS) == "vi"
    assert first.findtext("news:publication_date", namespaces=NS) == "2022-03-10T10:30:00+07:00"
    assert first.findtext("news:title", namespaces=NS) == "Tỷ giá ổn định"
    assert items[2].findtext("news:news/news:title", namespaces=NS) == SCRIPT_TITLE


def test_news_sitemap_keeps_the_newest_up_to_the_cap(library: Library) -> None:
    items = news_items(news_sitemap(library, per_file=2)[0].text)
    assert [i.findtext("sm:loc", namespaces=NS) for i in items] == [
        f"{SITE}/kinh-te/ty-gia/", f"{SITE}/the-gioi/hoi-nghi-thuong-dinh-khai-mac/"]


def test_news_sitemap_is_written_when_there_is_no_news(site: Path) -> None:
    files = news_sitemap(load(site, now=NOW + timedelta(days=30)))
    assert [f.path for f in files] == ["news-sitemap.xml"]
    assert news_items(files[0].text) == []


@pytest.mark.parametrize(("language", "code"), [
    ("vi", "vi"), ("en-GB", "en"), ("zh-TW", "zh-tw"), ("zh-Hans-CN", "zh-cn")])
def test_news_language_is_the_bare_language_code(library: Library, language: str,
                                                 code: str) -> None:
    config = dataclasses.replace(library.config, language=language)
    other = Library(config, library.values, library.static, library.roots, library.clock)
    items = news_items(news_sitemap(other)[0].text)
    assert items[0].findtext("news:news/news:publication/news:language", namespaces=NS) == code


def test_publisher_name_defaults_to_the_site_title(minimal: Path) -> None:
    library = load(minimal, now=datetime(2022, 1, 6, 12, tzinfo=VN))
    items = news_items(news_sitemap(library)[0].text)
    assert items[0].findtext("news:news/news:publication/news:name", namespaces=NS) == "Báo Thử"
    feed = parse_feed(by_path(feeds(library))["feed.xml"])
    assert feed.feed.author == "Báo Thử"
    assert feed.entries[0].id == "tag:bao-thu.example,2022-01-06:hoi-nghi-thuong-dinh-tai-ha-noi"


# --- robots.txt ---


def test_robots_allows_everything_and_names_each_sitemap(library: Library) -> None:
    file = robots(library.config, ["sitemap.xml", "/news-sitemap.xml", "sitemap.xml"])
    assert file.path == "robots.txt"
    assert file.text == (
        "User-agent: *\n"
        "Allow: /\n"
        "\n"
        f"Sitemap: {SITE}/sitemap.xml\n"
        f"Sitemap: {SITE}/news-sitemap.xml\n")


# --- every file ---


def everything(library: Library) -> list[OutputFile]:
    return [*feeds(library), *sitemaps(library.config, site_entries(library), per_file=4),
            *news_sitemap(library), robots(library.config, ["sitemap.xml", "news-sitemap.xml"])]


def test_output_is_byte_identical_for_the_same_input(site: Path) -> None:
    first = everything(load(site, rss=True))
    assert first == everything(load(site, rss=True))
    assert [f.text.encode("utf-8") for f in first] == \
        [f.text.encode("utf-8") for f in everything(load(site, rss=True))]


def test_characters_xml_cannot_carry_are_dropped(library: Library) -> None:
    bad = "\x00\x01\x08\x0b\x0c\x1f\ud800\ufffe\uffff"
    articles = tuple(dataclasses.replace(a, title=f"Tin{bad} lỗi", lead=f"Sapo{bad}",
                                         tags=(f"Thẻ{bad}",), authors=(f"Tác{bad} giả",))
                     for a in library.articles)
    config = dataclasses.replace(library.config, title=f"Báo{bad}", rss=True)
    values = {**library.values, **{f"article:{a.slug}": a for a in articles}}
    dirty = Library(config, values, library.static, library.roots, library.clock)
    files = [*feeds(dirty), *news_sitemap(dirty)]
    for file in files:
        file.text.encode("utf-8")  # no lone surrogate left
        xml(file.text)
        if file.path.endswith(("feed.xml", "rss.xml")):
            parsed = parse_feed(file.text)
            assert all(e.title == "Tin lỗi" for e in parsed.entries)
    atom = parse_feed(by_path(files)["feed.xml"])
    assert atom.feed.title == "Báo"
    assert atom.entries[0].tags[-1].term == "Thẻ"
    assert [a.name for a in atom.entries[0].authors] == ["Tác giả"]

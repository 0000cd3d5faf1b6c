"""Newsroom publishing: related scoring, tags and authors, scheduling, redirects, search data."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
from PIL import Image

from conftest import copy_site, html, newsgen, text, write
from test_build_features import article, build


def related_links(page: Path) -> list[str]:
    doc = html(page)
    block = doc.find("h2", string=lambda s: s and "Tin liên quan" in s).find_parent("section")
    return [a["href"] for a in block.find_all("a")]


def test_automatic_related_picks_the_topical_neighbours(tmp_path: Path) -> None:
    out = build(copy_site("related", tmp_path / "site"))
    # The newer follow-up first; then stories sharing a rare tag. The same-day
    # economy story and the same-section weather story share only the tag every
    # article has ("Thế giới"), so they stay out.
    assert related_links(out / "the-gioi" / "my-nhat-2-2" / "index.html") == [
        "/the-gioi/tuyen-bo-chung-2-2/", "/chau-a/kishida-nham-chuc/",
        "/chau-a/an-do-australia-2-2/"]
    # The follow-up links back to the story it follows.
    assert related_links(out / "the-gioi" / "tuyen-bo-chung-2-2" / "index.html")[0] == \
        "/the-gioi/my-nhat-2-2/"


def test_editor_picks_come_first_and_are_never_repeated(tmp_path: Path) -> None:
    site = copy_site("related", tmp_path / "site")
    path = site / "content" / "the-gioi" / "my-nhat-2-2.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "slug: my-nhat-2-2\n", "slug: my-nhat-2-2\nrelated: [xuat-khau, tuyen-bo-chung-2-2]\n"),
        encoding="utf-8")
    links = related_links(build(site) / "the-gioi" / "my-nhat-2-2" / "index.html")
    assert links == ["/kinh-te/xuat-khau/", "/the-gioi/tuyen-bo-chung-2-2/",
                     "/chau-a/kishida-nham-chuc/"]


def test_tag_and_author_pages_with_ascii_addresses(minimal: Path) -> None:
    for n in range(25):
        article(minimal, f"nhat-{n:02d}", f"Tin Nhật Bản số {n}", f"2021-12-01T{n % 24:02d}:00",
                extra=f"slug: nhat-{n:02d}\ntags: [{'nhật bản' if n % 2 else 'Nhật Bản'}]\n"
                      "authors: Thanh Hà\n")
    out = build(minimal)
    first = html(out / "tags" / "nhat-ban" / "index.html")
    assert text(first.find("h1")).startswith("Nhật Bản")  # the most used spelling
    assert (out / "tags" / "nhat-ban" / "page" / "2" / "index.html").is_file()
    times = [t["datetime"] for t in first.find("main").find_all("time")]
    assert times == sorted(times, reverse=True) and len(times) == 20
    author = html(out / "authors" / "thanh-ha" / "index.html")
    assert text(author.find("h1")) == "Thanh Hà"
    index = html(out / "tags" / "index.html")
    assert "/tags/nhat-ban/" in [a["href"] for a in index.find("main").find_all("a")]
    page = html(out / "the-gioi" / "hoi-nghi-thuong-dinh-tai-ha-noi" / "index.html")
    tags = {text(a): a["href"] for a in page.find(class_="article-tags").find_all("a")}
    assert tags == {"Hà Nội": "/tags/ha-noi/", "Ngoại giao": "/tags/ngoai-giao/"}
    byline = page.find(class_="article-authors").find("a")
    assert (text(byline), byline["href"]) == ("Thanh Hà", "/authors/thanh-ha/")


def test_the_build_clock_holds_back_future_and_expired_articles(minimal: Path) -> None:
    article(minimal, "sap-toi", "Tin sắp tới", "2022-01-07T09:00:00+07:00")
    article(minimal, "het-han", "Tin hết hạn", "2022-01-01T09:00:00+07:00",
            extra="expires: 2022-01-05T00:00:00+07:00\n")
    run = newsgen("build", "-s", minimal, "--now", "2022-01-06T10:00")
    assert run.code == 0, run.err
    assert run.err.splitlines() == [
        "content/the-gioi/het-han.md: expired at 2022-01-05T00:00:00+07:00; left off the site",
        "content/the-gioi/sap-toi.md: scheduled for 2022-01-07T09:00:00+07:00, after the build "
        "clock; not published yet (build with --future to include it)",
    ]
    out = minimal / "public" / "the-gioi"
    assert not (out / "tin-sap-toi").exists() and not (out / "tin-het-han").exists()
    assert newsgen("build", "-s", minimal, "--now", "2022-01-06T10:00", "--future").code == 0
    assert (out / "tin-sap-toi" / "index.html").is_file()
    # SOURCE_DATE_EPOCH is the clock when --now is not given: 2022-01-08 00:00 UTC.
    later = newsgen("build", "-s", minimal, env={"SOURCE_DATE_EPOCH": "1641600000"})
    assert later.code == 0 and "scheduled" not in later.err
    assert (out / "tin-sap-toi" / "index.html").is_file()


def test_a_clock_and_its_mistakes(minimal: Path) -> None:
    run = newsgen("build", "-s", minimal, "--now", "hôm nay")
    assert run.code == 1 and run.err.splitlines()[0] == \
        "--now 'hôm nay' is not a date; use 2022-01-06 or 2022-01-06T09:00:00+07:00"
    epoch = newsgen("build", "-s", minimal, env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert epoch.code == 2 and "SOURCE_DATE_EPOCH 'yesterday'" in epoch.err


def test_related_to_a_scheduled_article_is_a_note_not_a_failure(minimal: Path) -> None:
    article(minimal, "sap-toi", "Tin sắp tới", "2022-01-07T09:00:00+07:00", extra=(
        "slug: sap-toi\n"))
    article(minimal, "hom-nay", "Tin hôm nay", "2022-01-06T08:00:00+07:00",
            extra="related: [sap-toi]\n")
    run = newsgen("build", "-s", minimal, "--now", "2022-01-06T10:00", "--strict")
    assert run.code == 0  # the clock alone must not fail a build, even a strict one
    assert ("content/the-gioi/hom-nay.md:5: related article 'sap-toi' is not "
            "published yet; it is left out of this build") in run.err.splitlines()


def test_aliases_redirect_old_addresses(minimal: Path) -> None:
    article(minimal, "doi-ten", "Tiêu đề mới", "2022-01-01",
            extra="aliases: [/the-gioi/tieu-de-cu/, /tin-cu.html]\n")
    out = build(minimal)
    for old in ("the-gioi/tieu-de-cu/index.html", "tin-cu.html"):
        page = html(out / old)
        refresh = page.find("meta", attrs={"http-equiv": "refresh"})["content"]
        assert refresh == "0; url=/the-gioi/tieu-de-moi/"
        assert page.find("link", rel="canonical")["href"] == \
            "https://bao-thu.example/the-gioi/tieu-de-moi/"
    assert (out / "_redirects").read_text(encoding="utf-8").splitlines() == [
        "/the-gioi/tieu-de-cu/ /the-gioi/tieu-de-moi/ 301",
        "/tin-cu.html /the-gioi/tieu-de-moi/ 301",
    ]


def test_an_alias_cannot_take_another_page_s_address(minimal: Path) -> None:
    article(minimal, "cuop", "Bài cướp địa chỉ", "2022-01-01",
            extra="aliases: [/kinh-te/dong-tien-on-dinh/]\n")
    run = newsgen("build", "-s", minimal)
    assert run.code == 1
    assert run.err.splitlines()[0] == (
        "content/the-gioi/cuop.md: kinh-te/dong-tien-on-dinh/index.html would be written "
        "twice, for content/kinh-te/dong-tien-on-dinh.md and for an alias in "
        "content/the-gioi/cuop.md; "
        "change a slug, an alias or the permalink pattern")


def test_article_head_tells_search_engines_and_social_sites(minimal: Path) -> None:
    write(minimal / "static" / "images" / "logo.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>")
    config = minimal / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + (
        "publisher:\n  name: \"Công ty Báo Thử\"\n  logo: /images/logo.svg\n"), encoding="utf-8")
    out = build(minimal)
    doc = html(out / "the-gioi" / "hoi-nghi-thuong-dinh-tai-ha-noi" / "index.html")
    url = "https://bao-thu.example/the-gioi/hoi-nghi-thuong-dinh-tai-ha-noi/"
    # The 800x450 photo, shared in Google's three shapes, each as wide as the photo allows.
    shapes = [(800, 450), (600, 450), (450, 450)]
    image = doc.find("meta", property="og:image")["content"]
    key = re.fullmatch(r"https://bao-thu\.example/img/([0-9a-f]{12})-800x450\.jpg", image)[1]

    def meta(prop: str) -> list[str]:
        return [m["content"] for m in doc.find_all("meta", property=prop)]

    assert doc.find("link", rel="canonical")["href"] == url
    assert doc.find("meta", attrs={"name": "description"})["content"].startswith("Lãnh đạo")
    assert meta("og:type") == ["article"] and meta("og:url") == [url]
    assert meta("og:image") == [image]
    assert meta("og:image:width") == ["800"] and meta("og:image:height") == ["450"]
    assert meta("og:image:alt") == ["Toàn cảnh phòng họp"]
    assert meta("og:title") == ["Hội nghị thượng đỉnh tại Hà Nội"]
    assert meta("og:description")[0].startswith("Lãnh đạo các nước")
    assert meta("article:published_time") == ["2022-01-06T09:15:00+07:00"]
    assert meta("article:modified_time") == ["2022-01-06T09:15:00+07:00"]
    assert meta("article:section") == ["Thế giới"]
    assert meta("article:tag") == ["Hà Nội", "Ngoại giao"]
    assert doc.find("meta", attrs={"name": "twitter:card"})["content"] == "summary_large_image"
    news, crumbs = (json.loads(s.string) for s in doc.find_all(
        "script", type="application/ld+json"))
    assert news["@type"] == "NewsArticle"
    assert news["headline"] == "Hội nghị thượng đỉnh tại Hà Nội"
    assert news["image"] == [
        {"@type": "ImageObject", "url": f"https://bao-thu.example/img/{key}-{w}x{h}.jpg",
         "width": w, "height": h, "caption": "Phòng họp chính của hội nghị."}
        for w, h in shapes]
    for w, h in shapes:
        with Image.open(out / "img" / f"{key}-{w}x{h}.jpg") as picture:
            assert picture.size == (w, h)
    assert news["datePublished"] == news["dateModified"] == "2022-01-06T09:15:00+07:00"
    assert news["author"] == [{"@type": "Person", "name": "Thanh Hà",
                               "url": "https://bao-thu.example/authors/thanh-ha/"}]
    assert news["publisher"]["name"] == "Công ty Báo Thử"
    assert news["publisher"]["logo"]["url"] == "https://bao-thu.example/images/logo.svg"
    assert news["mainEntityOfPage"]["@id"] == url
    assert [i["item"] for i in crumbs["itemListElement"]] == [
        "https://bao-thu.example/", "https://bao-thu.example/the-gioi/", url]


def test_structured_data_survives_a_hostile_headline(tmp_path: Path) -> None:
    out = build(copy_site("escaping", tmp_path / "site"))
    doc = html(out / "the-gioi" / "script-alert-tieu-de-script-thue-phi" / "index.html")
    scripts = doc.find_all("script", type="application/ld+json")
    assert "</script>" not in scripts[0].string
    assert json.loads(scripts[0].string)["headline"] == \
        "<script>alert('tiêu đề')</script> Thuế & phí"


def test_the_build_writes_feeds_sitemaps_and_robots(minimal: Path) -> None:
    article(minimal, "doi-ten", "Tiêu đề mới", "2022-01-01", extra="aliases: [/cu/]\n")
    run = newsgen("build", "-s", minimal, "--now", "2022-01-06T12:00:00+07:00")
    assert run.code == 0, run.err
    out = minimal / "public"
    site = "https://bao-thu.example"

    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo
    assert [e.link for e in feed.entries] == [
        f"{site}/the-gioi/hoi-nghi-thuong-dinh-tai-ha-noi/",
        f"{site}/the-gioi/dien-dan-kinh-doanh-da-nang/",
        f"{site}/kinh-te/dong-tien-on-dinh/",
        f"{site}/the-gioi/tieu-de-moi/"]
    assert feed.entries[0].published == "2022-01-06T09:15:00+07:00"
    for entry in feed.entries:
        assert (out / entry.link.removeprefix(site + "/") / "index.html").is_file()
    section = feedparser.parse((out / "kinh-te" / "feed.xml").read_bytes())
    assert not section.bozo and len(section.entries) == 1

    ns = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    listed = {loc.text for loc in ET.parse(out / "sitemap.xml").iterfind("sm:url/sm:loc", ns)}
    pages = {f"{site}/" + p.relative_to(out).as_posix().removesuffix("index.html")
             for p in out.rglob("*.html")}
    assert listed == pages - {f"{site}/404.html", f"{site}/cu/"}
    news = ET.parse(out / "news-sitemap.xml").iterfind("sm:url/sm:loc", ns)
    # The last two days before the clock: only the articles of 5 and 6 January.
    assert [loc.text for loc in news] == [f"{site}/the-gioi/hoi-nghi-thuong-dinh-tai-ha-noi/",
                                          f"{site}/the-gioi/dien-dan-kinh-doanh-da-nang/"]
    assert (out / "robots.txt").read_text(encoding="utf-8").splitlines()[-2:] == [
        f"Sitemap: {site}/sitemap.xml", f"Sitemap: {site}/news-sitemap.xml"]
    for page in out.rglob("*.html"):
        if page.name == "index.html" and page.parent.name != "cu":
            feeds = html(page).find_all("link", rel="alternate")
            assert "/feed.xml" in [f["href"] for f in feeds], page

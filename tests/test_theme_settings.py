"""A newsroom's logo, footer lines, profiles and snippets, set without copying base.html."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import html, newsgen, text, write
from test_build_features import article, build

LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" width="180" height="40" viewBox="0 0 180 40">'
        '<rect width="180" height="40" fill="#b00"/></svg>')
SETTINGS = """logo: /images/logo.svg
footer:
  - "Giấy phép số 123/GP-BTTTT cấp ngày 01/01/2024"
  - "Tổng biên tập: Nguyễn Văn A"
  - "Địa chỉ: 1 Bạch Đằng, Đà Nẵng"
social:
  Facebook: https://www.facebook.com/baothu
  YouTube: https://www.youtube.com/@baothu
"""


def configure(site: Path, extra: str) -> None:
    config = site / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")


def first_problem(site: Path, extra: str) -> tuple[int, str]:
    """`extra` added to site.yaml: the failed build's first line, and the number of lines
    site.yaml had before (what the message's line is counted from)."""
    lines = len((site / "site.yaml").read_text(encoding="utf-8").splitlines())
    configure(site, extra)
    run = newsgen("build", "-s", site)
    assert run.code == 1
    return lines, run.err.splitlines()[0]


def test_logo_footer_lines_and_profiles_are_on_every_page(minimal: Path) -> None:
    write(minimal / "static" / "images" / "logo.svg", LOGO)
    configure(minimal, SETTINGS)
    out = build(minimal)
    for page in (out / "index.html", out / "the-gioi" / "index.html"):
        doc = html(page)
        logo = doc.select_one("header .site-title img.site-logo")
        assert (logo["src"], logo["alt"], logo["width"], logo["height"]) == (
            "/images/logo.svg", "Báo Thử", "180", "40")
        footer = doc.select_one("footer.site-footer")
        assert [text(li) for li in footer.select(".site-footer-lines li")] == [
            "Giấy phép số 123/GP-BTTTT cấp ngày 01/01/2024", "Tổng biên tập: Nguyễn Văn A",
            "Địa chỉ: 1 Bạch Đằng, Đà Nẵng"]
        assert [(text(a), a["href"]) for a in footer.select(".site-footer-social a")] == [
            ("Facebook", "https://www.facebook.com/baothu"),
            ("YouTube", "https://www.youtube.com/@baothu")]
    # The logo is the publisher's for search engines too, when publisher.logo is not set.
    page = next((out / "the-gioi").glob("*/index.html"))
    data = json.loads(html(page).find("script", type="application/ld+json").string)
    news = data if isinstance(data, dict) and "publisher" in data else next(
        d for d in data.get("@graph", [data]) if "publisher" in d)
    assert news["publisher"]["logo"]["url"] == "https://bao-thu.example/images/logo.svg"


def test_without_the_settings_the_header_shows_the_title(minimal: Path) -> None:
    doc = html(build(minimal) / "index.html")
    assert text(doc.select_one("header a.site-title")) == "Báo Thử"
    assert doc.select_one(".site-logo") is None
    assert doc.select_one(".site-footer-lines") is None


def test_a_profile_that_is_no_address_is_named(minimal: Path) -> None:
    lines, problem = first_problem(minimal, "social:\n  Zalo: zalo.me/baothu\n")
    assert problem == (f"site.yaml:{lines + 2}: social Zalo 'zalo.me/baothu' must be an "
                       "https:// address")


def test_a_missing_logo_is_named(minimal: Path) -> None:
    lines, problem = first_problem(minimal, "logo: /images/logo.svg\n")
    assert problem == (f"site.yaml:{lines + 1}: logo '/images/logo.svg' not found: there is "
                       "no static/images/logo.svg")


def test_a_snippet_of_the_sites_own_is_added_to_every_page(minimal: Path) -> None:
    article(minimal, "bai", "Bài viết", "2022-01-08T09:00:00+07:00")
    out = build(minimal)
    assert html(out / "index.html").select_one("head script[data-analytics]") is None
    write(minimal / "templates" / "head_extra.html",
          '<script data-analytics src="{{ asset(\'js/dem.js\') }}" defer></script>\n')
    write(minimal / "templates" / "footer_extra.html",
          '<p class="hotline">Đường dây nóng: 0236 123 456</p>\n')
    out = build(minimal)  # a rebuild: every page shows the new snippets
    for page in (out / "index.html", out / "the-gioi" / "bai-viet" / "index.html"):
        doc = html(page)
        assert doc.select_one("head script[data-analytics]")["src"] == "/js/dem.js"
        assert text(doc.select_one("footer .hotline")) == "Đường dây nóng: 0236 123 456"


PHOTO = ('<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96">'
         '<circle cx="48" cy="48" r="48" fill="#888"/></svg>')


def test_an_author_gets_the_name_bio_and_photo_site_yaml_gives(minimal: Path) -> None:
    write(minimal / "static" / "images" / "thanh-ha.svg", PHOTO)
    configure(minimal, 'authors:\n  Thanh Hà:\n    name: "Nguyễn Thanh Hà"\n'
                       '    bio: "Phóng viên thời sự ở Đà Nẵng."\n'
                       "    photo: /images/thanh-ha.svg\n")
    article(minimal, "bai", "Bài viết", "2022-01-08T09:00:00+07:00",
            extra="authors: Thanh Hà, Minh Quân\n")
    out = build(minimal)
    page = html(out / "the-gioi" / "bai-viet" / "index.html")
    byline = page.find(class_="article-authors")
    assert [(text(a), a["href"]) for a in byline.find_all("a")] == [
        ("Nguyễn Thanh Hà", "/authors/thanh-ha/"), ("Minh Quân", "/authors/minh-quan/")]
    data = json.loads(page.find("script", type="application/ld+json").string)
    news = next(d for d in (data.get("@graph", [data]) if isinstance(data, dict) else data)
                if d.get("@type") == "NewsArticle")
    assert news["author"] == [
        {"@type": "Person", "name": "Nguyễn Thanh Hà",
         "url": "https://bao-thu.example/authors/thanh-ha/",
         "description": "Phóng viên thời sự ở Đà Nẵng.",
         "image": "https://bao-thu.example/images/thanh-ha.svg"},
        {"@type": "Person", "name": "Minh Quân",
         "url": "https://bao-thu.example/authors/minh-quan/"}]
    author = html(out / "authors" / "thanh-ha" / "index.html")
    assert text(author.find("h1")) == "Nguyễn Thanh Hà"
    assert text(author.select_one(".author-bio")) == "Phóng viên thời sự ở Đà Nẵng."
    photo = author.select_one("img.author-photo")
    assert (photo["src"], photo["width"], photo["height"]) == ("/images/thanh-ha.svg", "96", "96")
    assert html(out / "authors" / "minh-quan" / "index.html").select_one(".author-intro") is None


def test_an_authors_photo_that_is_not_there_is_named(minimal: Path) -> None:
    lines, problem = first_problem(minimal, "authors:\n  Thanh Hà:\n    photo: "
                                            "/images/khong-co.jpg\n")
    assert problem == (f"site.yaml:{lines + 3}: photo '/images/khong-co.jpg' not found: "
                       "there is no static/images/khong-co.jpg")

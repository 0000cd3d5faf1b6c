"""One small site per feature, built with the real command and read as HTML."""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import pytest

from conftest import copy_site, html, newsgen, text, write

ARTICLE = """---
title: "{title}"
date: {date}
section: {section}
{extra}---
{body}
"""


def article(site: Path, slug: str, title: str, date: str, section: str = "the-gioi",
            extra: str = "", body: str = "Nội dung.") -> Path:
    return write(site / "content" / section / f"{slug}.md",
                 ARTICLE.format(title=title, date=date, section=section, extra=extra, body=body))


def build(site: Path, *args: str) -> Path:
    run = newsgen("build", "-s", site, *args)
    assert run.code == 0, run.err
    return site / "public"


def test_bom_crlf_and_decomposed_text_are_read_as_plain_utf8(tmp_path: Path) -> None:
    out = build(copy_site("encoding", tmp_path / "site"))
    page = out / "the-gioi" / "da-nang-don-khach-quoc-te" / "index.html"
    raw = page.read_text(encoding="utf-8")
    assert "\r" not in raw and "\ufeff" not in raw
    assert unicodedata.is_normalized("NFC", raw)
    doc = html(page)
    assert text(doc.find("h1")) == "Đà Nẵng đón khách quốc tế"
    # A date without an offset is in the site's time zone (Asia/Ho_Chi_Minh).
    assert doc.find("article").find("time")["datetime"] == "2022-01-06T09:15:00+07:00"
    assert len(doc.find(class_="article-body").find_all("p")) == 2


def test_markup_in_front_matter_and_body_shows_as_text(tmp_path: Path) -> None:
    out = build(copy_site("escaping", tmp_path / "site"))
    doc = html(out / "the-gioi" / "script-alert-tieu-de-script-thue-phi" / "index.html")
    assert doc.find_all("script", src=False) == doc.find("head").find_all("script", src=False)
    assert text(doc.find("h1")) == "<script>alert('tiêu đề')</script> Thuế & phí"
    assert text(doc.find(class_="lead")) == 'Sapo có <b>thẻ</b> & ký hiệu "ngoặc kép"'
    assert doc.find("main").find("b") is None and doc.find("main").find("em") is None
    assert doc.find("figure").find("img")["alt"] == 'ảnh "><script>alert(1)</script>'
    body = doc.find(class_="article-body")
    assert "<script>alert('thân bài')</script>" in text(body)
    assert not [a for a in body.find_all("a") if a["href"].startswith("javascript")]
    assert "<i>nghiêng</i>" in [text(li) for li in doc.find_all("li", class_="tag")]
    related = html(out / "the-gioi" / "bai-lien-quan" / "index.html")
    link = related.find("a", href="https://example.org/?a=1&b=2")
    assert link is not None and link.find("img") is None
    assert "<img src=x onerror=alert(1)> Bên ngoài" in text(link)


def test_raw_html_is_let_through_only_when_the_site_says_so(tmp_path: Path) -> None:
    out = build(copy_site("raw-html", tmp_path / "site"))
    doc = html(out / "the-gioi" / "script-alert-tieu-de-script-thue-phi" / "index.html")
    body = doc.find(class_="article-body")
    assert body.find("b") is not None and body.find("script") is not None
    assert text(doc.find("h1")).startswith("<script>")  # front matter stays text


def test_english_site_labels_dates_permalink_and_base_path(tmp_path: Path) -> None:
    out = build(copy_site("english", tmp_path / "site"))
    page = out / "2022" / "01" / "summit-opens-in-hanoi" / "index.html"
    doc = html(page)
    assert doc.find("html")["lang"] == "en"
    assert [text(b) for b in doc.find(attrs={"role": "group"}).find_all("button")] == \
        ["Small", "Normal", "Large"]
    assert text(doc.find("article").find("time")) == "Thursday, January 6, 2022 09:15 (GMT)"
    # The only other story is related; it is not listed again under "Older news".
    headings = [text(h) for h in doc.find_all("h2")]
    assert "Related" in headings and "Older news" not in headings
    # base_url has a path: every site link lives under it, pictures too.
    assert doc.find("link", rel="stylesheet")["href"] == "/news/css/site.css"
    assert doc.find("figure").find("img")["src"] == \
        "/news/2022/01/summit-opens-in-hanoi/summit.svg"
    body_links = [a["href"] for a in doc.find(class_="article-body").find_all("a")]
    assert body_links == ["/news/2022/01/talks-announced/"]
    assert (page.parent / "summit.svg").is_file() and (page.parent / "map.svg").is_file()


def test_images_from_static_next_to_article_and_outside(minimal: Path) -> None:
    article(minimal, "ngoai", "Ảnh bên ngoài", "2022-01-01", extra=(
        "image:\n  src: https://cdn.example/a.jpg\n  caption: \"Chú thích làm alt\"\n"))
    out = build(minimal)
    hero = html(out / "the-gioi" / "hoi-nghi-thuong-dinh-tai-ha-noi" / "index.html")
    # A picture beside the article is published as its widths (test_renditions), named by
    # its bytes; the file itself is not.
    src = hero.find("figure").find("img")["src"]
    assert re.fullmatch(r"/img/[0-9a-f]{12}-720\.jpg", src), src
    assert (out / src.lstrip("/")).is_file()
    assert not (out / "the-gioi" / "hoi-nghi-thuong-dinh-tai-ha-noi" / "hoi-nghi.png").exists()
    static = html(out / "the-gioi" / "dien-dan-kinh-doanh-da-nang" / "index.html")
    assert static.find("figure").find("img")["src"] == "/images/da-nang.svg"
    assert (out / "images" / "da-nang.svg").is_file()
    outside = html(out / "the-gioi" / "anh-ben-ngoai" / "index.html").find("figure")
    assert outside.find("img")["src"] == "https://cdn.example/a.jpg"
    assert outside.find("img")["alt"] == "Chú thích làm alt"  # alt falls back to the caption


def test_slugs_are_ascii_with_d_for_dj(minimal: Path) -> None:
    article(minimal, "x", "Đường đến Điện Biên", "2022-01-01")
    out = build(minimal)
    assert (out / "the-gioi" / "duong-den-dien-bien" / "index.html").is_file()


def test_section_pages_are_paginated_newest_first(minimal: Path) -> None:
    for n in range(1, 44):
        article(minimal, f"bai-{n:02d}", f"Bài số {n}", f"2021-12-01T{n % 24:02d}:00:00+07:00",
                extra=f"slug: bai-{n:02d}\n")
    out = build(minimal)
    pages = [out / "the-gioi" / "index.html", out / "the-gioi" / "page" / "2" / "index.html",
             out / "the-gioi" / "page" / "3" / "index.html"]
    assert not (out / "the-gioi" / "page" / "4").exists()
    seen: list[str] = []
    for number, page in enumerate(pages, 1):
        doc = html(page)
        times = [t["datetime"] for t in doc.find("main").find_all("time")]
        assert times == sorted(times, reverse=True)
        seen += [text(c.find("a")) for c in doc.find_all(class_="card")]
        nav = doc.find("nav", attrs={"aria-label": "Phân trang"})
        assert text(nav.find(attrs={"aria-current": "page"})) == f"Trang {number}"
    assert len(seen) == 45 and len(set(seen)) == 45
    first = html(pages[0]).find("nav", attrs={"aria-label": "Phân trang"})
    assert first.find("a", string=lambda s: s and "Trang sau" in s)["href"] == \
        "/the-gioi/page/2/"


@pytest.mark.parametrize(("current", "shown"), [
    (1, ["1", "2", "3", "…", "12"]),
    (4, ["1", "2", "3", "4", "5", "6", "…", "12"]),
    (7, ["1", "…", "5", "6", "7", "8", "9", "…", "12"]),
    (12, ["1", "…", "10", "11", "12"]),
])
def test_pagination_links_the_ends_and_the_pages_around(minimal: Path, current: int,
                                                         shown: list[str]) -> None:
    """A listing page links the first and last pages and two on each side, never every
    page: with every page linked, each of a tag's 500 pages would hold 500 links."""
    config = minimal / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "per_page: 2\n", encoding="utf-8")
    for n in range(1, 23):
        article(minimal, f"bai-{n:02d}", f"Bài số {n}", f"2021-12-01T{n:02d}:00:00+07:00",
                extra=f"slug: bai-{n:02d}\n")
    out = build(minimal)
    assert (out / "the-gioi" / "page" / "12").is_dir()
    assert not (out / "the-gioi" / "page" / "13").exists()
    page = out / "the-gioi" / ("index.html" if current == 1 else f"page/{current}/index.html")
    nav = html(page).find("nav", attrs={"aria-label": "Phân trang"})
    items = [li for li in nav.find_all("li")
             if not {"pagination-prev", "pagination-next"} & set(li.get("class", []))]
    assert [text(li).removeprefix("Trang ") for li in items] == shown
    for li in items:
        link = li.find("a")
        if text(li) == "…":
            assert link is None and li["aria-hidden"] == "true"
            continue
        number = int(text(li).removeprefix("Trang "))
        assert link["href"] == ("/the-gioi/" if number == 1 else f"/the-gioi/page/{number}/")
        assert (link.get("aria-current") == "page") == (number == current)
    prev, after = nav.find("a", rel="prev"), nav.find("a", rel="next")
    assert (prev is None) == (current == 1) and (after is None) == (current == 12)


def test_a_card_fits_each_page_it_is_on(minimal: Path) -> None:
    """One story's card drops its section label on its own section's page, keeps it
    elsewhere, and takes the heading level and excerpt of the block it is in."""
    article(minimal, "tin-cu", "Tin cũ", "2021-12-19T08:00:00+07:00",
            extra='lead: "Sapo của tin cũ."\ntags: [Biển Đông]\n')
    article(minimal, "tin-moi", "Tin mới", "2021-12-20T08:00:00+07:00",
            extra="tags: [Biển Đông]\nolder: [tin-xua]\n")
    article(minimal, "tin-xua", "Tin xưa", "2021-12-01T08:00:00+07:00",
            extra='lead: "Sapo của tin xưa."\n')
    out = build(minimal)

    def cards(page: Path) -> list[tuple[str, str | None, str | None]]:
        found = [c for c in html(page).find_all(class_="card")
                 if text(c.find(class_="card-headline")) == "Tin cũ"]
        return [(c.find(class_="card-title").name,
                 *(text(x) if x else None for x in (c.find(class_="card-section"),
                                                    c.find(class_="card-excerpt"))))
                for c in found]

    assert cards(out / "the-gioi" / "index.html") == [("h2", None, "Sapo của tin cũ.")]
    assert cards(out / "tags" / "bien-dong" / "index.html") == \
        [("h2", "Thế giới", "Sapo của tin cũ.")]
    # Related (with its lead) on the next story, and only there; older news (without
    # leads) holds what the editor listed, which the related search then leaves out.
    page = out / "the-gioi" / "tin-moi" / "index.html"
    assert cards(page) == [("h3", None, "Sapo của tin cũ.")]
    older = html(page).find("section", class_="older")
    assert [text(h) for h in older.find_all(class_="card-headline")] == ["Tin xưa"]
    assert older.find(class_="card-excerpt") is None  # older news goes without leads


def test_older_news_is_computed_from_the_same_section(minimal: Path) -> None:
    for n in range(1, 15):
        article(minimal, f"cu-{n:02d}", f"Tin cũ {n:02d}", f"2021-12-{n:02d}T08:00:00+07:00")
    article(minimal, "khac", "Tin mục khác", "2021-12-20", section="kinh-te")
    write(minimal / "site.yaml", (minimal / "site.yaml").read_text() + "older_news: 5\n")
    out = build(minimal)
    doc = html(out / "the-gioi" / "tin-cu-10" / "index.html")
    older = doc.find("h2", string=lambda s: s and "Tin cũ hơn" in s).find_parent("section")
    related = {text(h) for h in doc.find("section", class_="related").find_all("h3")}
    # The next five of its own section, newest first, skipping what related shows.
    expected = [t for t in (f"Tin cũ {n:02d}" for n in range(9, 0, -1)) if t not in related]
    assert related and [text(a) for a in older.find_all("h3")] == expected[:5]
    oldest = html(out / "the-gioi" / "tin-cu-01" / "index.html")
    assert oldest.find("h2", string=lambda s: s and "Tin cũ hơn" in s) is None


def test_explicit_older_list_keeps_the_editors_order(minimal: Path) -> None:
    path = minimal / "content" / "the-gioi" / "hoi-nghi-ha-noi.md"
    path.write_text(path.read_text().replace("  - dong-tien-on-dinh\n", "").replace(
        "related:", "older: [dong-tien-on-dinh, dien-dan-kinh-doanh-da-nang]\nrelated:"))
    doc = html(build(minimal) / "the-gioi" / "hoi-nghi-thuong-dinh-tai-ha-noi" / "index.html")
    older = doc.find("h2", string=lambda s: s and "Tin cũ hơn" in s).find_parent("section")
    assert [text(a) for a in older.find_all("h3")] == [
        "Đồng tiền ổn định trong quý I", "Diễn đàn kinh doanh Đà Nẵng"]


def test_drafts_are_held_back_unless_asked_for(minimal: Path) -> None:
    article(minimal, "nhap", "Bài nháp", "2022-01-07", extra="draft: true\n")
    run = newsgen("build", "-s", minimal)
    assert run.code == 0
    assert "content/the-gioi/nhap.md: draft, not published" in run.err
    assert not (minimal / "public" / "the-gioi" / "bai-nhap").exists()
    home = html(minimal / "public" / "index.html")
    assert "Bài nháp" not in text(home)
    out = build(minimal, "--drafts")
    assert (out / "the-gioi" / "bai-nhap" / "index.html").is_file()


def test_unknown_key_is_a_warning_and_strict_makes_it_an_error(minimal: Path) -> None:
    article(minimal, "loi", "Bài có lỗi", "2022-01-07", extra="tittle: \"Sai\"\n")
    run = newsgen("build", "-s", minimal)
    assert run.code == 0
    warning = "content/the-gioi/loi.md:5: warning: unknown key 'tittle'; did you mean 'title'?"
    assert warning in run.err.splitlines()
    assert "1 warning" in run.out
    strict = newsgen("build", "-s", minimal, "--strict")
    assert strict.code == 1
    assert strict.err.splitlines()[0] == warning.replace("warning: ", "")


def test_external_related_link_and_article_link(minimal: Path) -> None:
    doc = html(build(minimal) / "the-gioi" / "hoi-nghi-thuong-dinh-tai-ha-noi" / "index.html")
    related = doc.find("h2", string=lambda s: s and "Tin liên quan" in s).find_parent("section")
    links = [a["href"] for a in related.find_all("a")]
    # The editor's picks come first, in their order; the rest is filled automatically.
    assert links[:2] == ["/kinh-te/dong-tien-on-dinh/", "https://www.un.org/"]
    assert links[2:] == ["/the-gioi/dien-dan-kinh-doanh-da-nang/"]
    outside = related.find("a", href="https://www.un.org/")
    assert "liên kết ngoài" in text(outside)


@pytest.mark.parametrize("permalink", ["/{section}/{year}/{month}/{day}/{slug}/", "/{slug}/"])
def test_permalink_patterns(minimal: Path, permalink: str) -> None:
    config = minimal / "site.yaml"
    config.write_text(config.read_text() + f'permalink: "{permalink}"\n', encoding="utf-8")
    out = build(minimal)
    url = permalink.format(section="the-gioi", year="2022", month="01", day="06",
                           slug="hoi-nghi-thuong-dinh-tai-ha-noi")
    assert (out / url.strip("/") / "index.html").is_file()
    home = html(out / "index.html")
    assert url in [a["href"] for a in home.find_all("a")]


def test_empty_lead_and_decorative_picture(minimal: Path) -> None:
    article(minimal, "trang-tri", "Ảnh trang trí", "2022-01-01", extra=(
        'lead: ""\nimage:\n  src: /images/da-nang.svg\n  alt: ""\n  caption: "Chú thích"\n'))
    doc = html(build(minimal) / "the-gioi" / "anh-trang-tri" / "index.html")
    assert doc.find(class_="lead") is None
    assert doc.find("figure").find("img")["alt"] == ""


def test_body_pictures_load_lazily_and_missing_ones_name_their_line(minimal: Path) -> None:
    article(minimal, "anh", "Bài có ảnh", "2022-01-01",
            body="Đoạn một\ndòng hai ![bản đồ](/images/da-nang.svg)\n\n![x](/images/khong-co.svg)")
    run = newsgen("build", "-s", minimal)
    assert run.err.splitlines()[0] == ("content/the-gioi/anh.md:9: picture '/images/khong-co.svg' "
                                       "not found: there is no static/images/khong-co.svg")
    path = minimal / "content" / "the-gioi" / "anh.md"
    path.write_text(path.read_text(encoding="utf-8").replace("khong-co", "da-nang"),
                    encoding="utf-8")
    doc = html(build(minimal) / "the-gioi" / "bai-co-anh" / "index.html")
    assert [img["loading"] for img in doc.find(class_="article-body").find_all("img")] == \
        ["lazy", "lazy"]


def test_static_files_publish_well_known_but_not_junk(minimal: Path) -> None:
    write(minimal / "static" / ".well-known" / "security.txt", "Contact: mailto:a@b.example\n")
    write(minimal / "static" / "images" / ".DS_Store", b"\x00\x01")
    write(minimal / "static" / ".git" / "config", "[core]\n")
    out = build(minimal)
    assert (out / ".well-known" / "security.txt").is_file()
    assert not (out / "images" / ".DS_Store").exists() and not (out / ".git").exists()


def test_a_static_file_cannot_shadow_a_page(minimal: Path) -> None:
    write(minimal / "static" / "index.html", "<p>cũ</p>")
    run = newsgen("build", "-s", minimal)
    assert run.code == 1
    assert run.err.splitlines()[0] == ("index.html would be written twice, for the home page "
                                       "and for static/index.html; rename or remove the "
                                       "static file")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)",
                                 "vbscript:msgbox(1)", "data:text/html,<script>alert(1)</script>"])
def test_script_urls_in_markdown_are_neutralised(minimal: Path, url: str) -> None:
    article(minimal, "doc-hai", "Bài độc hại", "2022-01-01",
            body=f"[bấm vào]({url}) và ![ảnh]({url})\n\n<a href=\"{url}\">thô</a>")
    doc = html(build(minimal) / "the-gioi" / "bai-doc-hai" / "index.html")
    body = doc.find(class_="article-body")
    assert body.find("a") is None and body.find("img") is None
    assert "bấm vào" in text(body)


@pytest.mark.parametrize("where", ["related", "image"])
@pytest.mark.parametrize("url", ["javascript:alert(1)", "vbscript:x", "data:image/png;base64,AA"])
def test_script_urls_in_front_matter_are_refused(minimal: Path, where: str, url: str) -> None:
    extra = (f'related:\n  - {{title: "Xem", url: "{url}"}}\n' if where == "related"
             else f'image:\n  src: "{url}"\n')
    article(minimal, "doc-hai", "Bài độc hại", "2022-01-01", extra=extra)
    run = newsgen("build", "-s", minimal)
    assert run.code == 1
    assert f"'{url}' is not allowed; use an https:// address or a path on this site" in run.err


def test_body_pictures_with_vietnamese_names_and_outside_addresses(minimal: Path) -> None:
    shutil.copyfile(minimal / "content" / "the-gioi" / "hoi-nghi.png",
                    minimal / "content" / "the-gioi" / "ảnh cầu.png")
    article(minimal, "anh-viet", "Ảnh tên tiếng Việt", "2022-01-01",
            body="![cầu](<ảnh cầu.png>) ![cdn](//cdn.example.vn/a.jpg)")
    out = build(minimal)
    page = out / "the-gioi" / "anh-ten-tieng-viet"
    sources = [img["src"] for img in html(page / "index.html").find(class_="article-body")
               .find_all("img")]
    # The picture with a Vietnamese name is published as its widths, named by its bytes.
    assert re.fullmatch(r"/img/[0-9a-f]{12}-720\.jpg", sources[0]), sources
    assert sources[1:] == ["//cdn.example.vn/a.jpg"]
    assert (out / sources[0].lstrip("/")).is_file()


def test_permalink_dates_are_the_day_readers_see(minimal: Path) -> None:
    config = minimal / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8")
                      + 'permalink: "/{year}/{month}/{day}/{slug}/"\n', encoding="utf-8")
    article(minimal, "new-york", "Tin từ New York", "2022-01-06T20:30:00-05:00")
    out = build(minimal)
    # 20:30 in New York is 08:30 on 7 January in Hà Nội, the site's time zone.
    assert (out / "2022" / "01" / "07" / "tin-tu-new-york" / "index.html").is_file()


def test_body_headings_never_take_the_theme_s_ids(minimal: Path) -> None:
    article(minimal, "tieu-de", "Tiêu đề trùng", "2022-01-01", body="## Main\n\n## Related heading")
    doc = html(build(minimal) / "the-gioi" / "tieu-de-trung" / "index.html")
    ids = [tag["id"] for tag in doc.find_all(id=True)]
    assert len(ids) == len(set(ids))
    assert [h["id"] for h in doc.find(class_="article-body").find_all("h2")] == [
        "h-main", "h-related-heading"]

"""The search index on disk: what it holds, that it follows every edit, and that it costs
nothing to a site that does not ask for it. (Searching it in Chromium: browser/test_search.py.)"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from conftest import copy_site, html, manifest, newsgen, write
from test_build_features import article, build


def records(out: Path) -> dict[str, dict]:
    """Each indexed page's record, by address, as Pagefind's fragments keep them."""
    found = {}
    for path in (out / "pagefind" / "fragment").iterdir():
        data = gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd")
        record = json.loads(data)
        found[record["url"]] = record
    return found


def with_search(site: Path) -> Path:
    config = site / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "search: true\n", encoding="utf-8")
    return site


def test_a_site_has_no_search_unless_it_asks(minimal: Path) -> None:
    out = build(minimal)
    assert not (out / "pagefind").exists() and not (out / "tim-kiem").exists()
    assert html(out / "index.html").find("form", role="search") is None


def test_every_published_article_is_a_record_with_its_twin(minimal: Path) -> None:
    article(with_search(minimal), "bai", "Đảng và Nhà nước", "2022-01-06",
            body="Hội nghị đang diễn ra ở [Đà Nẵng](https://example.org/x).")
    article(minimal, "nhap", "Bản nháp về Huế", "2022-01-06", extra="draft: true\n")
    out = build(minimal)
    found = records(out)
    record = found["/the-gioi/dang-va-nha-nuoc/"]
    written, twin = record["content"].split("⁂")
    assert "Đảng và Nhà nước" in written and "Đà Nẵng" in written
    assert "Dang va Nha nuoc" in twin and "dang dien ra o" in twin and "Da Nang" in twin
    assert "example.org" not in record["content"]  # a link's address is no word of the story
    assert record["meta"]["title"] == "Đảng và Nhà nước"
    assert record["meta"]["section"] == "Thế giới"
    assert not [url for url in found if "nhap" in url or "hue" in url]
    assert all(url.count("/") == 3 for url in found)  # articles only: no home, no listing
    form = html(out / "index.html").find("form", role="search")
    assert form["action"] == "/tim-kiem/" and form.find("input")["name"] == "q"
    assert html(out / "tim-kiem" / "index.html").find("h1").get_text() == "Tìm kiếm"


def test_the_index_follows_a_body_edit_as_a_clean_build_would(tmp_path: Path) -> None:
    site = with_search(copy_site("minimal", tmp_path / "site"))
    story = article(site, "bai", "Bài viết", "2022-01-06", body="Đoạn đầu.")
    build(site)
    write(story, story.read_text(encoding="utf-8").replace("Đoạn đầu.", "Đoạn đầu. Xylophon."))
    out = build(site)
    assert "Xylophon" in records(out)["/the-gioi/bai-viet/"]["content"]
    clean = tmp_path / "clean"
    assert newsgen("build", "-s", site, "-o", clean, "--no-cache").code == 0
    assert manifest(out) == manifest(clean)

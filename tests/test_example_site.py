"""The example site (the repository's own content/) read as a reader gets it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from conftest import REPO, html, manifest, newsgen, text

ARTICLE = "the-gioi/my-nhat-sap-doi-thoai-2-2/index.html"

# "Tin cũ hơn" of the reference page, in its order.
OLDER = [
    "Nga tố Ukraine tấn công UAV nhằm vào dinh thự của Tổng thống Putin, dọa điều chỉnh lập "
    "trường đàm phán, Kiev nói gì?",
    "CH Trung Phi bước tới 'cột mốc lịch sử', Guinea tiến đến điểm then chốt trong tiến trình "
    "chuyển tiếp",
    "Kế hoạch hòa bình Ukraine: Ông Zelensky khẳng định đạt đồng thuận với Mỹ về 90% nội dung, "
    "châu Âu nêu vấn đề then chốt, điều gì là trở ngại?",
    "Trung Quốc làm cầu nối, Campuchia-Thái Lan lên kế hoạch 'xây dựng lại lòng tin chính trị'",
    "Điện đàm lãnh đạo Mỹ-Nga: Moscow nói Ukraine cần ra quyết định 'táo bạo', Washington đề "
    "xuất một sáng kiến",
    "Israel tính toán gì khi công nhận Somaliland? Thủ tướng Netanyahu xuất hành đến Mỹ sau khi "
    "làm quốc tế dậy sóng",
    "Ứng viên do ông Trump hậu thuẫn đắc cử Tổng thống Honduras giữa loạt tranh cãi",
    "Armenia khẳng định không đi theo con đường 'thoát Nga'",
    "Israel-Hy Lạp-Cyprus bắt tay, 'bàn cờ an ninh' mới ở Địa Trung Hải ra đời bất chấp phản đối "
    "của Thổ Nhĩ Kỳ?",
    "Trung Đông: Iran đạt bước tiến mới trong không gian bất chấp trừng phạt bủa vây, quân đội "
    "Israel tuyên bố thành tựu làm 'thay đổi luật chơi'",
    "Triều Tiên tập trận phóng tên lửa, Chủ tịch Kim Jong Un đích thân giám sát, kêu gọi phát "
    "triển 'không giới hạn' lực lượng hạt nhân",
    "Tình hình Ukraine: Đã đạt được thỏa thuận ngừng bắn tạm thời tại một khu vực, Tổng thống Mỹ "
    "'nói đỡ' cho Nga, vạch lộ trình hòa bình 'trong vài tuần'",
]
RELATED = [
    "Lần đầu tiên dưới thời Thủ tướng Kishida, Mỹ-Nhật Bản lên kế hoạch đối thoại 2+2",
    "Ấn Độ, Australia lần đầu tiên họp Đối thoại 2+2 cấp bộ trưởng",
]


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example") / "public"
    run = newsgen("build", "-s", REPO, "-o", out)
    assert run.code == 0, run.err
    return out


def test_article_page_reads_top_to_bottom_like_the_reference(public: Path) -> None:
    page = html(public / ARTICLE)
    article = page.find("main").find("article")
    # The text-size control, beside the date under the headline: the reference's words,
    # placed so that it does not push the headline down on a phone.
    group = article.find(attrs={"role": "group", "aria-label": "Cỡ chữ"})
    assert group["aria-label"] == "Cỡ chữ"
    buttons = group.find_all("button")
    assert [text(b) for b in buttons] == ["Nhỏ", "Bình thường", "Lớn"]
    assert [b["type"] for b in buttons] == ["button"] * 3
    assert [b["aria-pressed"] for b in buttons] == ["false", "true", "false"]

    crumbs = article.find("nav", attrs={"aria-label": "Đường dẫn"})
    assert [text(a) for a in crumbs.find_all("a")] == ["Trang chủ", "Thế giới"]
    assert text(article.find("h1")) == "Mỹ-Nhật sắp đối thoại 2+2"
    time = article.find("time")
    assert time["datetime"] == "2022-01-05T09:15:00+07:00"
    assert text(time) == "Thứ Tư, 05/01/2022 09:15 (GMT+7)"
    assert "Minh Anh" in text(article)

    lead = article.find(class_="lead")
    figure = article.find("figure")
    img = figure.find("img")
    assert img["alt"].strip() and text(figure.find("figcaption"))
    assert (public / urlsplit(img["src"]).path.lstrip("/")).is_file()
    body = article.find(class_="article-body")
    assert len(body.find_all("p")) >= 5 and body.find("h2")["id"]
    # Order: breadcrumb, headline, date and control, lead, figure, body.
    assert group.find_parent(class_="article-meta") is time.find_parent(class_="article-meta")
    order = [crumbs, article.find("h1"), time, group, lead, figure, body]
    positions = [list(article.descendants).index(node) for node in order]
    assert positions == sorted(positions)
    assert [text(t) for t in article.find(class_="article-tags").find_all("li")]


def _block(page, heading: str):
    h2 = page.find("h2", string=lambda s: s and s.strip() == heading)
    assert h2 is not None, f"no block headed {heading!r}"
    return h2.find_parent(["section", "aside"])


def test_related_block_has_thumbnail_headline_and_excerpt(public: Path) -> None:
    block = _block(html(public / ARTICLE), "Tin liên quan")
    cards = block.find_all(class_="card")
    assert [text(c.find("h3")) for c in cards] == RELATED
    for card in cards:
        link = card.find("a")
        assert (public / link["href"].lstrip("/") / "index.html").is_file()
        assert card.find("img") is not None
        assert text(card.find(class_="card-excerpt")).endswith("...")


def test_older_news_lists_the_twelve_headlines_in_order(public: Path) -> None:
    block = _block(html(public / ARTICLE), "Tin cũ hơn")
    items = block.find("ul").find_all("li", recursive=False)
    assert [text(li.find("a")) for li in items] == OLDER


def test_every_internal_link_and_image_resolves(public: Path) -> None:
    pages = sorted(public.rglob("*.html"))
    assert len(pages) >= 20
    checked = 0
    for page in pages:
        url = "/" + page.relative_to(public).as_posix()
        for tag, attr in (("a", "href"), ("img", "src"), ("link", "href"), ("script", "src")):
            for node in html(page).find_all(tag, attrs={attr: True}):
                target = urlsplit(urljoin(url, node[attr]))
                if target.scheme or target.netloc:
                    continue
                path = public / target.path.lstrip("/")
                if target.path.endswith("/"):
                    path = path / "index.html"
                assert path.is_file(), f"{url}: {tag} {attr}={node[attr]} does not resolve"
                if target.fragment and path.suffix == ".html":
                    assert html(path).find(id=target.fragment), f"{url}: no #{target.fragment}"
                checked += 1
    assert checked > 200


def test_home_section_and_404_pages(public: Path) -> None:
    home = html(public / "index.html")
    assert home.find("h1") is not None
    # The featured story leads the page; "Tin mới nhất" starts with the newest of the rest.
    featured = [text(c.find("a")) for c in home.select("section.featured .card")]
    assert featured == ["Kế hoạch hòa bình Ukraine: Ông Zelensky khẳng định đạt đồng thuận với "
                        "Mỹ về 90% nội dung, châu Âu nêu vấn đề then chốt, điều gì là trở ngại?"]
    latest = [text(c.find("a")) for c in home.select("section.latest .card")]
    assert latest[0] == "Mỹ-Nhật sắp đối thoại 2+2"
    section = html(public / "chau-a" / "index.html")
    assert text(section.find("h1")) == "Châu Á - Thái Bình Dương"
    # The pinned story first, the others newest first.
    cards = section.find("main").select(".card")
    assert text(cards[0].find("a")).startswith("Triều Tiên tập trận phóng tên lửa")
    dates = [t["datetime"] for card in cards[1:] for t in card.find_all("time")]
    assert dates == sorted(dates, reverse=True) and len(cards) == 6
    missing = html(public / "404.html")
    assert text(missing.find("h1")) == "Không tìm thấy trang"


def test_two_builds_are_byte_identical(public: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert newsgen("build", "-s", REPO, "-o", again).code == 0
    first, second = manifest(public), manifest(again)
    assert first == second and len(first) > 30

"""Search on the example site, in Chromium: with or without tones, words as typed first.

The index is the site's own files (pagefind/), so every test also checks, through the
reader fixture, that no request leaves the site.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .conftest import PHONE, Reader, Site

SEARCH = "/tim-kiem/"
WELCOME = "/chau-a/ha-noi-da-nang-don-doan-dai-bieu-asean/"  # "Hà Nội", "Đà Nẵng" as written
CONNECT = "/chau-a/dien-dan-khoi-nghiep-da-nang-connect/"  # "Ha Noi", "Da Nang" without tones
PARTY = "/chau-my/ung-vien-trump-hau-thuan-dac-cu-honduras/"  # "Đảng"
UNDER_WAY = "/chau-au/armenia-khang-dinh-khong-di-theo-con-duong-thoat-nga/"  # "đang"


def results(reader: Reader, query: str) -> list[str]:
    """The addresses of the results, in order, once the page says how many it found."""
    page = reader.page
    assert reader.goto(f"{SEARCH}?q={query}").ok
    page.locator(".search-status[role=status]").filter(has_text=query).wait_for()
    return [href.removeprefix(reader.origin) for href in page.eval_on_selector_all(
        ".search-results .card-link", "links => links.map(a => a.href)")]


@pytest.mark.parametrize(("query", "first", "then"), [
    ("ha noi", CONNECT, WELCOME),
    ("Hà Nội", WELCOME, CONNECT),
    ("Đà Nẵng", WELCOME, CONNECT),
    ("da nang", CONNECT, WELCOME),
])
def test_a_place_is_found_with_or_without_tones_as_typed_first(
        open_reader: Callable[..., Reader], example: Site, query: str, first: str,
        then: str) -> None:
    assert results(open_reader(example), query) == [first, then]


def test_dang_finds_the_party_and_what_is_under_way(open_reader: Callable[..., Reader],
                                                    example: Site) -> None:
    """đ is a letter of its own: "dang" finds "Đảng" and "đang" only through the folded
    twin of each article's text."""
    found = results(open_reader(example), "dang")
    assert {PARTY, UNDER_WAY} <= set(found)


def test_a_result_shows_headline_section_date_and_lead(open_reader: Callable[..., Reader],
                                                       example: Site) -> None:
    reader = open_reader(example)
    assert results(reader, "Đà Nẵng")[0] == WELCOME
    first = reader.page.locator(".search-result").first
    assert first.locator(".card-headline").inner_text() == (
        "Hà Nội, Đà Nẵng đón các đoàn đại biểu dự hội nghị quan chức cấp cao ASEAN")
    assert first.locator(".card-section").inner_text() == "Châu Á - Thái Bình Dương"
    assert first.locator("time").get_attribute("datetime") == "2022-01-02T16:10:00+07:00"
    assert first.locator(".card-excerpt").inner_text().startswith("Hơn 300 đại biểu")
    assert reader.page.locator(".search-status[role=status]").inner_text() == \
        "2 kết quả cho “Đà Nẵng”"


def test_the_index_holds_articles_only(open_reader: Callable[..., Reader],
                                       example: Site) -> None:
    """Listings repeat the headlines of their stories; a reader wants the story."""
    found = results(open_reader(example), "ASEAN")
    assert found and all(url.count("/") == 3 and url.endswith("/") for url in found)
    assert not {"/", "/chau-a/", "/tags/asean/"} & set(found)


def test_nothing_found_is_said(open_reader: Callable[..., Reader], example: Site) -> None:
    reader = open_reader(example)
    assert results(reader, "xyzzy") == []
    assert reader.page.locator(".search-status[role=status]").inner_text() == \
        "Không tìm thấy bài viết nào cho “xyzzy”."


def test_the_header_box_leads_to_the_results(open_reader: Callable[..., Reader],
                                             example: Site) -> None:
    reader = open_reader(example, viewport=PHONE)
    page = reader.page
    assert reader.goto("/").ok
    # On a phone the box is in the folded menu, with the sections.
    page.get_by_text("Chuyên mục", exact=True).click()
    box = page.get_by_role("searchbox", name="Tìm bài viết")
    box.fill("Hà Nội")
    box.press("Enter")
    page.wait_for_url(f"{reader.origin}{SEARCH}?q=H%C3%A0+N%E1%BB%99i")
    page.locator(".search-results .card-link").first.wait_for()
    assert page.locator(".search-results .card-link").first.get_attribute("href") == WELCOME

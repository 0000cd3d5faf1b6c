"""The breaking-news banner as a reader on a phone meets it."""

from __future__ import annotations

from collections.abc import Callable

from .conftest import PHONE, STRESS_ARTICLE, Reader, Site

STORY = "/thoi-su/mua-lu-mien-trung/"


def test_the_banner_is_seen_first_and_leads_to_the_story(
        open_reader: Callable[..., Reader], stress: Site) -> None:
    reader = open_reader(stress, viewport=PHONE)
    page = reader.page
    assert reader.goto(STRESS_ARTICLE).ok
    banner = page.get_by_role("complementary", name="Tin nóng")
    assert banner.is_visible()
    # Under the menu and above the story the reader came for, inside the first screen.
    box, main = banner.bounding_box(), page.locator("main").bounding_box()
    assert box["y"] + box["height"] <= main["y"] + 1 and box["y"] < PHONE["height"]
    link = banner.get_by_role("link")
    assert link.count() == 1 and link.inner_text().startswith("Miền Trung chủ động ứng phó")
    link.click()
    page.wait_for_url(stress.url(STORY))
    assert page.locator("h1").inner_text().startswith("Miền Trung chủ động ứng phó")
    assert page.get_by_role("complementary", name="Tin nóng").count() == 0

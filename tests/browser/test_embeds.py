"""Embeds as a reader meets them: nothing from the provider until the click, then its player."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import SITES, write
from tests.test_embeds import ARTICLE as ARTICLE_FILE
from tests.test_embeds import HEAD

from .conftest import PHONE, Site, serve
from .test_pages import AXE_TAGS, RUN_AXE, axe  # noqa: F401 (axe: the fixture)

ARTICLE = "/kinh-te/dong-tien-on-dinh/"
VIDEO = "dQw4w9WgXcQ"
BODY = HEAD + f"""Ngân hàng Nhà nước cho biết tỷ giá dao động trong biên độ hẹp.

https://www.youtube.com/watch?v={VIDEO}

Phóng viên ghi nhận tại quầy giao dịch.

https://x.com/baothu/status/1234567890123456789
"""


@pytest.fixture(scope="module")
def embeds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    source = tmp_path_factory.mktemp("embeds") / "site"
    shutil.copytree(SITES / "minimal", source)
    write(source / ARTICLE_FILE, BODY)
    yield from serve(source, source.parent / "public")


def open_page(browser: Any, site: Site, **options: Any) -> tuple[Any, Any, list[str]]:
    """A reader's tab whose every request outside the site is recorded and answered by a
    stand-in player (the machine has no way out, and a test must not need one)."""
    context = browser.new_context(viewport=PHONE, locale="vi-VN", **options)
    outside: list[str] = []

    def stand_in(route: Any) -> None:
        if route.request.url.startswith(site.origin + "/"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.fulfill(status=200, content_type="text/html",
                          body="<!doctype html><title>player</title><p>player</p>")

    context.route("**/*", stand_in)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    assert page.goto(site.url(ARTICLE)).ok
    page.wait_for_load_state("networkidle")
    assert errors == []
    return context, page, outside


def test_nothing_leaves_the_site_until_the_reader_asks(browser: Any, embeds: Site) -> None:
    context, page, outside = open_page(browser, embeds)
    try:
        boxes = page.locator("figure.embed")
        assert boxes.count() == 2
        assert page.locator("iframe").count() == 0
        assert outside == []
        play = boxes.first.get_by_role("button", name="Xem tại đây")
        assert play.is_visible()
        play.click()
        frame = page.locator("iframe")
        frame.wait_for()
        assert frame.count() == 1
        assert frame.get_attribute("src") == f"https://www.youtube-nocookie.com/embed/{VIDEO}"
        assert frame.get_attribute("sandbox").split() == [
            "allow-scripts", "allow-same-origin", "allow-popups", "allow-presentation"]
        assert frame.get_attribute("referrerpolicy") == "strict-origin-when-cross-origin"
        assert frame.get_attribute("title") == "Nội dung từ YouTube"
        page.wait_for_load_state("networkidle")
        # The one player asked for, and nothing for the post on X nobody opened.
        assert [url.split("?")[0] for url in outside] == [
            f"https://www.youtube-nocookie.com/embed/{VIDEO}"]
        assert boxes.nth(1).get_by_role("button").is_visible()
        assert frame.evaluate("f => f === document.activeElement")  # the keyboard follows
    finally:
        context.close()


def test_the_facade_passes_axe(browser: Any, embeds: Site, axe: Path) -> None:  # noqa: F811
    context, page, outside = open_page(browser, embeds)
    try:
        page.add_script_tag(path=axe)
        result = page.evaluate(RUN_AXE, AXE_TAGS)
        assert result["passes"], "axe-core ran no check at all"
        assert not result["violations"], "\n".join(result["violations"])
        assert outside == []
    finally:
        context.close()


def test_without_javascript_the_link_still_works(browser: Any, embeds: Site) -> None:
    context, page, outside = open_page(browser, embeds, java_script_enabled=False)
    try:
        box = page.locator("figure.embed").first
        assert box.get_by_role("button").count() == 0  # hidden: it would do nothing
        link = box.get_by_role("link")
        assert link.is_visible()
        assert link.get_attribute("href") == f"https://www.youtube.com/watch?v={VIDEO}"
        link.click()
        page.wait_for_url(f"https://www.youtube.com/watch?v={VIDEO}")
        assert page.locator("p").inner_text() == "player"  # the provider's page opened
        assert page.locator("iframe").count() == 0
        assert outside == [f"https://www.youtube.com/watch?v={VIDEO}"]  # that page alone
    finally:
        context.close()

"""The article page at each text size, on a phone and on a desktop, for a person to look at."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import DESKTOP, PHONE, REFERENCE, SIZES, Reader, Site, load_images, size_button


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_screenshots_of_the_article_at_each_text_size(
        open_reader: Callable[..., Reader], example: Site, screenshots: Path,
        viewport: dict[str, int]) -> None:
    reader = open_reader(example, viewport=viewport)
    page = reader.page
    reader.goto(REFERENCE)
    assert load_images(page) == []
    for size in SIZES:
        size_button(page, size).click()
        page.mouse.move(0, 0)  # no hover highlight in the picture
        shot = screenshots / f"article-{viewport['width']}px-{size}.png"
        page.screenshot(path=shot, full_page=True)
        assert shot.stat().st_size > 10_000

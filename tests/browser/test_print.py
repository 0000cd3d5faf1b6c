"""Printing an article gives the story itself: headline, lead, picture, body."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .conftest import REFERENCE, Reader, Site, load_images, size_button

STORY = ("h1.article-title", ".lead", ".article-hero img", ".article-hero figcaption",
         ".article-body", ".article-dates")
# The page's tools and ways elsewhere mean nothing on paper.
NOT_ON_PAPER = (".text-size", ".skip-link", ".site-nav", ".breadcrumb", ".related", ".older",
                ".article-tags", ".site-footer a")


def test_printing_an_article_gives_the_story_alone(
        open_reader: Callable[..., Reader], example: Site, screenshots: Path) -> None:
    reader = open_reader(example)
    page = reader.page
    reader.goto(REFERENCE)
    size_button(page, "large").click()
    assert load_images(page) == []
    page.emulate_media(media="print")

    for part in STORY:
        assert page.locator(part).is_visible(), f"{part} is missing from the printout"
    for part in NOT_ON_PAPER:
        shown = [e for e in page.locator(part).all() if e.is_visible()]
        assert not shown, f"{part} is printed"
    outside = page.evaluate("""() => [...document.querySelectorAll("nav, ul, ol")]
        .filter(e => !e.closest(".article-body") && e.checkVisibility())
        .map(e => e.outerHTML.slice(0, 80))""")
    assert outside == [], "navigation or lists are printed"

    # A copy for a person to look at.
    page.pdf(path=screenshots / "article-print.pdf", format="A4", print_background=True)
    assert (screenshots / "article-print.pdf").stat().st_size > 10_000

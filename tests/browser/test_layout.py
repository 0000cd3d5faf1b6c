"""Nothing is cut off or pushed sideways: on a phone, with large text, with wider spacing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .conftest import DESKTOP, PAGES, PHONE, Reader, size_button

# Every box that clips its overflow must still fit its text, and the page must
# never need sideways scrolling. Screen-reader-only text is clipped on purpose.
CUT_OFF = """() => {
    const name = el => {
        const text = el.textContent.trim().replace(/\\s+/g, " ").slice(0, 50);
        return `<${el.localName} class="${el.className}"> "${text}"`;
    };
    const found = [];
    for (const el of document.body.querySelectorAll("*")) {
        const s = getComputedStyle(el);
        if (![s.overflowX, s.overflowY].some(o => o === "hidden" || o === "clip")) continue;
        if (s.display === "none" || s.visibility === "hidden") continue;
        if (el.closest(".visually-hidden") || !el.textContent.trim()) continue;
        if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1) {
            found.push(`${name(el)} needs ${el.scrollWidth}x${el.scrollHeight}px, `
                       + `shows ${el.clientWidth}x${el.clientHeight}px`);
        }
    }
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) {
        // Names the innermost culprits: boxes past the edge, or boxes their text overflows.
        const out = el => el.getBoundingClientRect().right > root.clientWidth + 1
            || (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1);
        const wide = [...document.body.querySelectorAll("*")]
            .filter(el => out(el) && ![...el.children].some(out)
                          && !el.closest(".visually-hidden"))
            .slice(0, 5).map(name);
        found.push(`the page scrolls sideways: ${root.scrollWidth}px wide in a `
                   + `${root.clientWidth}px window, because of ${wide.join(", ")}`);
    }
    return found;
}"""

# WCAG 2.2 success criterion 1.4.12, Text Spacing: the reader's own style sheet.
TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
    word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""


def problems(page: Any, condition: str) -> list[str]:
    found = []
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        found += [f"{condition} at {viewport['width']}px: {p}" for p in page.evaluate(CUT_OFF)]
    return found


@pytest.mark.parametrize("name", PAGES)
def test_nothing_is_cut_off_or_pushed_sideways(visit: Callable[..., Reader],
                                               name: str) -> None:
    page = visit(name, viewport=PHONE).page
    found = problems(page, "as built")
    # On an article, the reader's choice of Lớn is the hardest case for the layout.
    if page.locator(".text-size").count():
        assert page.locator(".related .card").count(), "the check must cover related cards"
        assert page.locator(".older-list .card").count(), "and the older-news list"
        size_button(page, "large").click()
        found += problems(page, "with Lớn")

    # The theme sizes everything in rem, so this is how a larger browser font acts.
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "32px"
    found += problems(page, "at 200% text")
    page.evaluate("document.documentElement.style.fontSize = ''")

    page.add_style_tag(content=TEXT_SPACING)
    assert page.evaluate("getComputedStyle(document.body).wordSpacing") != "0px"
    found += problems(page, "with WCAG 1.4.12 text spacing")
    assert not found, f"{PAGES[name][1]}:\n" + "\n".join(found)

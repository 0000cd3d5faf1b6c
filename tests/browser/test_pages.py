"""Every kind of page: no script errors, nothing fetched from elsewhere, nothing axe-core flags."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import (
    AXE,
    DESKTOP,
    HOW_AXE,
    MISSING,
    PAGES,
    PHONE,
    Reader,
    Site,
    load_images,
    missing,
    size_button,
)

# WCAG 2.0 to 2.2, levels A and AA, and axe's own best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def test_no_script_error_and_no_request_leaves_the_site(
        open_reader: Callable[..., Reader], example: Site, stress: Site) -> None:
    for site in (example, stress):
        reader = open_reader(site)
        page = reader.page
        articles = site.pages("article")
        pages = site.pages("home") + site.pages("section") + articles + site.pages("404")
        assert len(pages) >= 10
        for path in pages:
            assert reader.goto(path).ok, path
            if path == articles[0]:
                for size in ("large", "small", "normal"):
                    size_button(page, size).click()
            assert load_images(page) == [], f"{path}: broken images"
        reader.goto_missing(MISSING)
        assert len(reader.requests) > len(pages)
        assert reader.problems() == []


@pytest.fixture(scope="session")
def axe() -> Path:
    if not AXE.is_file():
        missing(HOW_AXE)
    return AXE


# Only what the assertion needs crosses over from the page: axe-core's full
# result, with every passing node, is slow to send.
RUN_AXE = """tags => axe.run(document, {runOnly: {type: "tag", values: tags}}).then(r => ({
    passes: r.passes.length,
    violations: r.violations.map(v => `${v.id} (${v.impact}): ${v.help}\\n    `
        + v.nodes.map(n => n.target.join(" ")).join("\\n    ")),
}))"""


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violation(visit: Callable[..., Reader], axe: Path, name: str) -> None:
    page = visit(name, viewport=PHONE).page
    page.add_script_tag(path=axe)
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        result = page.evaluate(RUN_AXE, AXE_TAGS)
        assert result["passes"], "axe-core ran no check at all"
        assert not result["violations"], (f"{PAGES[name][1]} at {viewport['width']}px:\n"
                                          + "\n".join(result["violations"]))

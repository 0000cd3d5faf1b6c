"""The masthead as a reader meets it: today's date, the title and one way to the sections.

On a phone the thirteen sections of a full newspaper fold behind one "Chuyên mục"
button, so the news still starts on the first screen; the button opens and closes by
keyboard and without JavaScript. On a wide screen the sections stand in a bar under the
masthead instead, and at no width does a reader (or a screen reader) meet both menus.
The date line says today's date where the newsroom is, whatever the reader's own clock
and time zone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml
from playwright.sync_api import expect

from .conftest import DESKTOP, PAGES, PHONE, REPO, STRESS_SITE, Reader, Site

SOURCES = {"example": REPO, "stress": STRESS_SITE}

SECTION_MENUS = 'nav[aria-label="Chuyên mục"]'
PHONE_MENU = "details.site-menu"
MENU_BUTTON = "summary.site-menu-button"
MENU_LINKS = ".site-menu-nav a"
BAR_LINKS = ".site-nav a"
HEADER_SEARCH = ".site-header-inner > form.site-search"

# The headline a reader came for must start within the top 40% of a phone's screen.
FIRST_SCREEN = 0.4 * PHONE["height"]  # 296 px
# The folded header holds a date line, the title and one 44 px button, and must leave
# the first screen to the news: a quarter of it at most (185 px). Unfolded, thirteen
# 44 px links take at least seven rows at this width (308 px), so a header that let its
# sections out would fail this bound, whatever the title.
HEADER_MOST = PHONE["height"] / 4

# What has the focus, as a short name: "summary.site-menu-button".
FOCUSED = """() => {
    const el = document.activeElement;
    return el.classList.length ? `${el.localName}.${el.classList[0]}`
                               : `${el.localName}#${el.id}`;
}"""


def sections(site_name: str) -> list[tuple[str, str]]:
    """Each section's title and address, as the editors listed them in site.yaml."""
    config = yaml.safe_load((SOURCES[site_name] / "site.yaml").read_text(encoding="utf-8"))
    return [(s["title"], f"/{s['slug']}/") for s in config["sections"]]


def titles(site_name: str) -> list[str]:
    return [title for title, _ in sections(site_name)]


def height(page: Any, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    return box["height"] if box else 0.0


def menus_seen(page: Any) -> list[str]:
    """The section menus a reader sees: the bar, the opened phone menu, or neither."""
    return page.locator(SECTION_MENUS).filter(visible=True).evaluate_all(
        "ns => ns.map(n => n.classList.contains('site-nav') ? 'bar' : 'phone menu')")


def tab_to(page: Any, selector: str, most: int = 10) -> list[str]:
    """Presses Tab from where the focus is until `selector` has it; returns every stop."""
    stops = []
    for _ in range(most):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUSED))
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return stops
    raise AssertionError(f"{most} presses of Tab never reach {selector}: {stops}")


# ---------- A phone: the news first, the sections folded ----------

@pytest.mark.parametrize(("name", "headline"), [
    ("long-home", "main .card-headline"),  # thirteen sections, long headlines
    ("home", "main .card-headline"),  # (the home's h1 is for screen readers only)
    ("article", "h1"),
], ids=["long-home", "home", "article"])
def test_on_a_phone_the_news_starts_on_the_first_screen(visit: Callable[..., Reader],
                                                        name: str, headline: str) -> None:
    page = visit(name, viewport=PHONE).page
    site_name = PAGES[name][0]

    # The sections are folded: the button shows, not one of the links.
    assert page.locator(MENU_BUTTON).is_visible()
    assert page.locator(MENU_LINKS).count() == len(sections(site_name))
    assert page.locator(MENU_LINKS).filter(visible=True).count() == 0
    assert page.locator(BAR_LINKS).filter(visible=True).count() == 0
    assert menus_seen(page) == []

    header = height(page, "header.site-header")
    assert 0 < header <= HEADER_MOST, f"the folded header is {header}px tall"

    story = page.locator(headline).first
    assert story.is_visible()
    top = story.bounding_box()["y"]
    assert 0 <= top <= FIRST_SCREEN, (
        f"the first headline starts at {top}px, below {FIRST_SCREEN}px: the header is "
        f"{header}px tall (its title {height(page, '.site-title')}px), the breaking-news "
        f"banner {height(page, '.breaking')}px")


@pytest.mark.parametrize(("name", "first_in_menu"), [
    ("long-home", "a"),  # no search on this site: the first section link
    ("home", "input#site-menu-search-query"),
])
def test_the_phone_menu_opens_and_closes_by_keyboard(visit: Callable[..., Reader],
                                                     name: str, first_in_menu: str) -> None:
    page = visit(name, viewport=PHONE).page
    site_name = PAGES[name][0]
    menu = page.locator(PHONE_MENU)
    links = page.locator(MENU_LINKS)

    # The button comes right after the skip link and the title.
    stops = tab_to(page, MENU_BUTTON)
    assert stops == ["a.skip-link", "a.site-title", "summary.site-menu-button"]
    assert page.evaluate("document.activeElement.matches(':focus-visible') && "
                         "getComputedStyle(document.activeElement).outlineStyle !== 'none'")

    page.keyboard.press("Enter")
    expect(menu).to_have_js_property("open", True)
    expect(links.filter(visible=True)).to_have_text(titles(site_name))
    assert menus_seen(page) == ["phone menu"]
    # Unfolded, the sections take far more room than the header may when folded.
    assert height(page, "header.site-header") > HEADER_MOST

    page.keyboard.press("Tab")
    assert page.evaluate("s => document.activeElement.matches(s) && "
                         "document.activeElement.closest('details.site-menu') !== null",
                         f".site-menu {first_in_menu}")
    if first_in_menu == "a":
        assert page.evaluate("document.activeElement.textContent") == titles(site_name)[0]

    page.keyboard.press("Shift+Tab")
    assert page.evaluate(FOCUSED) == "summary.site-menu-button"
    page.keyboard.press("Space")
    expect(menu).to_have_js_property("open", False)
    expect(links.filter(visible=True)).to_have_count(0)
    assert menus_seen(page) == []
    assert page.evaluate(FOCUSED) == "summary.site-menu-button"


def test_the_phone_menu_works_without_javascript(open_reader: Callable[..., Reader],
                                                 stress: Site) -> None:
    reader = open_reader(stress, viewport=PHONE, java_script_enabled=False)
    page = reader.page
    assert reader.goto("/").ok
    links = page.locator(MENU_LINKS)
    assert links.count() == 13
    assert links.filter(visible=True).count() == 0

    page.locator(MENU_BUTTON).click()
    expect(page.locator(PHONE_MENU)).to_have_js_property("open", True)
    expect(links.filter(visible=True)).to_have_text(titles("stress"))
    assert links.evaluate_all("as => as.map(a => a.getAttribute('href'))") == [
        href for _, href in sections("stress")]

    # The last section, furthest down the menu, is one tap away.
    title, href = sections("stress")[-1]
    links.filter(has_text=title).click()
    page.wait_for_url(stress.url(href))
    expect(page.locator("h1")).to_contain_text(title)


# ---------- Every width: one menu ----------

@pytest.mark.parametrize(("name", "has_search"), [("long-home", False), ("home", True)])
def test_exactly_one_section_menu_shows_at_any_width(visit: Callable[..., Reader],
                                                     name: str, has_search: bool) -> None:
    page = visit(name, viewport=DESKTOP).page
    site_name = PAGES[name][0]

    # A desktop: the bar, with every section in view, and no menu button.
    assert menus_seen(page) == ["bar"]
    expect(page.locator(BAR_LINKS).filter(visible=True)).to_have_text(titles(site_name))
    assert not page.locator(PHONE_MENU).is_visible()
    assert page.locator(MENU_LINKS).filter(visible=True).count() == 0
    if has_search:
        assert page.locator(HEADER_SEARCH).is_visible()

    # Across the 48rem (768 px) breakpoint, with the phone menu closed, then open (a
    # reader turns a tablet with the menu open): every width, one way to the sections.
    widths = (DESKTOP["width"], 768, 767, PHONE["width"])
    found = []
    for opened in (False, True):
        for width in widths:
            page.set_viewport_size({"width": width, "height": PHONE["height"]})
            wide = width >= 768
            expected = ["bar"] if wide else (["phone menu"] if opened else [])
            seen = {
                "menus": menus_seen(page),
                "menu button": page.locator(MENU_BUTTON).is_visible(),
                "bar": page.locator(".site-nav-bar").is_visible(),
            }
            wanted = {"menus": expected, "menu button": not wide, "bar": wide}
            if has_search:
                seen["header search"] = page.locator(HEADER_SEARCH).is_visible()
                wanted["header search"] = wide
            if seen != wanted:
                found.append(f"{width}px wide, phone menu {'open' if opened else 'closed'}: "
                             f"sees {seen}, expected {wanted}")
        if not opened:
            page.locator(MENU_BUTTON).click()
            expect(page.locator(PHONE_MENU)).to_have_js_property("open", True)
    assert not found, "\n".join(found)


# ---------- The date line ----------

@pytest.mark.parametrize(("instant", "zone", "shown"), [
    # 10:00 in Hà Nội, for a reader there.
    ("2026-12-01T03:00:00Z", "Asia/Ho_Chi_Minh", "Thứ Ba, 1/12/2026"),
    # 01:30 on Tuesday in Hà Nội, still 13:30 on Monday for a reader in New York.
    ("2026-11-30T18:30:00Z", "America/New_York", "Thứ Ba, 1/12/2026"),
    # Midnight in Hà Nội: Wednesday begins, while it is noon on Tuesday in New York.
    ("2026-12-01T17:00:00Z", "America/New_York", "Thứ Tư, 2/12/2026"),
])
def test_the_date_line_shows_today_where_the_newsroom_is(
        open_reader: Callable[..., Reader], example: Site, instant: str, zone: str,
        shown: str) -> None:
    reader = open_reader(example, viewport=PHONE, timezone_id=zone)
    reader.context.clock.set_fixed_time(instant)
    page = reader.page
    assert reader.goto("/").ok
    line = page.locator("header .date-line")
    expect(line).to_be_visible()
    expect(line).to_have_text(shown)
    # Above the title, as a newspaper prints it.
    assert line.bounding_box()["y"] + line.bounding_box()["height"] <= \
        page.locator(".site-title").bounding_box()["y"] + 1


def test_without_javascript_there_is_no_date_line(open_reader: Callable[..., Reader],
                                                  example: Site) -> None:
    """A date written at build time would be stale by morning: better none."""
    reader = open_reader(example, viewport=PHONE, java_script_enabled=False)
    page = reader.page
    assert reader.goto("/").ok
    assert page.locator(".site-title").is_visible()
    assert not page.locator("header .date-line").is_visible()
    assert page.locator("header .date-line").text_content() == ""


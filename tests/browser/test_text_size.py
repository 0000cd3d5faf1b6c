"""The text-size control (Nhỏ / Bình thường / Lớn), used as a reader uses it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .conftest import (
    DESKTOP,
    PHONE,
    REFERENCE,
    SIZES,
    STORAGE_KEY,
    Reader,
    Site,
    body_size,
    pressed,
    size_button,
)


def sizes_by_click(reader: Reader) -> dict[str, float]:
    found = {}
    for size in ("small", "normal", "large"):
        size_button(reader.page, size).click()
        assert pressed(reader.page) == [SIZES[size]], f"after choosing {SIZES[size]}"
        found[size] = body_size(reader.page)
    return found


def test_each_size_changes_the_article_body_and_presses_only_its_button(
        open_reader: Callable[..., Reader], example: Site) -> None:
    reader = open_reader(example)
    reader.goto(REFERENCE)
    assert pressed(reader.page) == [SIZES["normal"]]
    normal_before = body_size(reader.page)
    px = sizes_by_click(reader)
    assert px["normal"] == normal_before
    assert px["small"] < px["normal"] < px["large"], px
    assert px["large"] >= 1.2 * px["normal"], px
    # The lead and the headline grow with the body, so the page keeps its hierarchy.
    lead = reader.page.evaluate("parseFloat(getComputedStyle(document.querySelector('.lead'))"
                                ".fontSize)")
    title = reader.page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1'))"
                                 ".fontSize)")
    assert title > lead > px["large"]


def test_the_control_works_from_the_keyboard(open_reader: Callable[..., Reader],
                                             example: Site) -> None:
    reader = open_reader(example)
    page = reader.page
    reader.goto(REFERENCE)
    # Tab from the top of the page, as a keyboard user arrives.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.textSize === 'small'"):
            break
    else:
        raise AssertionError("Tab never reaches the Nhỏ button")
    px = {}
    # Then along the group and back, choosing with Space or Enter.
    for moves, size, key in (((), "small", "Space"), (("Tab",), "normal", "Enter"),
                             (("Tab",), "large", "Space"), (("Shift+Tab",), "normal", "Enter")):
        for move in moves:
            page.keyboard.press(move)
        focused = page.evaluate("document.activeElement.dataset.textSize")
        assert focused == size, f"focus is on {focused!r}, expected {size!r}"
        # The focus ring must show, or a keyboard user is lost.
        assert page.evaluate("document.activeElement.matches(':focus-visible') && "
                             "getComputedStyle(document.activeElement).outlineStyle !== 'none'")
        page.keyboard.press(key)
        assert pressed(page) == [SIZES[size]], f"after {key} on {SIZES[size]}"
        px.setdefault(size, body_size(page))
    assert px["small"] < px["normal"] < px["large"], px


def test_the_choice_survives_a_reload_and_applies_on_every_article(
        open_reader: Callable[..., Reader], example: Site) -> None:
    reader = open_reader(example)
    page = reader.page
    reader.goto(REFERENCE)
    normal = body_size(page)
    size_button(page, "large").click()
    large = body_size(page)
    assert large > normal

    page.reload()
    assert body_size(page) == large
    assert pressed(page) == [SIZES["large"]]

    # A reader follows a related story, then opens every other article.
    with page.expect_navigation():
        page.locator(".related .card-link").first.click()
    assert page.url != example.url(REFERENCE)
    assert body_size(page) == large
    articles = example.pages("article")
    assert len(articles) >= 10
    for path in articles:
        reader.goto(path)
        assert (body_size(page), pressed(page)) == (large, [SIZES["large"]]), path

    # Choosing Bình thường again forgets the choice.
    size_button(page, "normal").click()
    assert page.evaluate(f"localStorage.getItem('{STORAGE_KEY}')") is None
    reader.goto(REFERENCE)
    assert (body_size(page), pressed(page)) == (normal, [SIZES["normal"]])


def test_a_stored_size_is_in_force_before_slow_scripts_arrive(
        open_reader: Callable[..., Reader], example: Site) -> None:
    """No flash of the normal size: the stored choice applies on first paint."""
    reader = open_reader(example)
    page = reader.page
    reader.goto(REFERENCE)
    size_button(page, "large").click()
    large = body_size(page)
    look = pressed_look(page)

    reader.context.add_init_script("""
        document.addEventListener("DOMContentLoaded", () => {
            const p = document.querySelector(".article-body > p");
            window.atDomContentLoaded = parseFloat(getComputedStyle(p).fontSize);
        }, {capture: true});
    """)
    held: list[Any] = []
    # Every external script is held back until the test lets it through.
    page.route("**/*.js", lambda route: held.append(route))
    reader.goto(REFERENCE, wait_until="commit")
    # The page is parsed and styled, while its scripts are still on the way.
    page.wait_for_function("document.readyState === 'interactive' && "
                           "document.querySelector('link[rel=stylesheet]').sheet !== null")
    for _ in range(100):  # the held request may reach this side a moment later
        if held:
            break
        page.wait_for_timeout(20)
    assert held, "the test must hold back the external script"
    assert page.evaluate("window.atDomContentLoaded") is None
    assert body_size(page) == large
    # The pressed button looks right from the start too, or the control would flicker.
    assert pressed_look(page) == look

    for route in held:
        route.continue_()
    page.wait_for_load_state()
    assert page.evaluate("window.atDomContentLoaded") == large
    assert pressed(page) == [SIZES["large"]]


def pressed_look(page: Any) -> dict[str, str]:
    """How each text-size button looks: colours and weight mark the pressed one."""
    return page.evaluate("""() => {
        const look = b => {
            const s = getComputedStyle(b);
            return `${s.backgroundColor} ${s.color} ${s.fontWeight}`;
        };
        const buttons = [...document.querySelectorAll(".text-size button")];
        return Object.fromEntries(buttons.map(b => [b.dataset.textSize, look(b)]));
    }""")


def test_without_javascript_the_article_reads_normally_without_the_control(
        open_reader: Callable[..., Reader], example: Site) -> None:
    with_js = open_reader(example)
    with_js.goto(REFERENCE)
    normal = body_size(with_js.page)

    for viewport in (DESKTOP, PHONE):
        reader = open_reader(example, viewport=viewport, java_script_enabled=False)
        page = reader.page
        reader.goto(REFERENCE)
        assert not page.locator(".text-size").is_visible()
        # nor offered to a screen reader (the search box's button works without it)
        assert page.locator(".text-size").get_by_role("button").count() == 0
        assert body_size(page) == normal
        for part in ("h1", ".lead", ".article-hero img", ".article-body", ".related",
                     ".older"):
            assert page.locator(part).first.is_visible(), part
        assert page.evaluate("document.querySelector('.article-hero img').naturalWidth") > 0

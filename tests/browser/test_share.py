"""Sharing an article, as a reader does it: no network learns of the visit until a click.

The Facebook, Zalo and X buttons are plain links to each network's share page, opened in
a new tab without telling it where the reader came from; loading the page sends nothing
anywhere but the site (every reader is checked for that at teardown). Two buttons need
the browser's help and show only where they work: copying the link, and the phone's own
share sheet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from playwright.sync_api import expect

from .conftest import PHONE, REFERENCE, Reader, Site

CANONICAL = "https://example.com/the-gioi/my-nhat-sap-doi-thoai-2-2/"
COPY = "Sao chép liên kết"
COPIED = "Đã sao chép liên kết"
NATIVE = "Chia sẻ qua ứng dụng khác"

# A browser with a share sheet, which notes what the page hands it.
FAKE_SHARE = """
Object.defineProperty(Navigator.prototype, "share", {
    configurable: true,
    value(data) {
        (window.sharedWith ||= []).push({...data});
        return Promise.resolve();
    },
});
"""


def canonical_and_headline(page: Any) -> tuple[str, str]:
    return (page.locator('link[rel="canonical"]').get_attribute("href"),
            page.locator("h1").inner_text())


def expected_links(page: Any) -> dict[str, str]:
    """Each network's share page for this article, by what a screen reader calls it."""
    canonical, headline = canonical_and_headline(page)
    url, text = quote(canonical, safe=""), quote(headline, safe="")
    return {
        "Chia sẻ lên Facebook": f"https://www.facebook.com/sharer/sharer.php?u={url}",
        "Chia sẻ lên Zalo": f"https://zalo.me/share?url={url}",
        "Chia sẻ lên X": f"https://x.com/intent/post?url={url}&text={text}",
    }


def button(page: Any, name: str) -> Any:
    """The share block's button of that name, whether the page shows it or not."""
    found = page.locator(".share").get_by_role("button", name=name, exact=True,
                                               include_hidden=True)
    expect(found).to_have_count(1)
    return found


def test_the_network_links_share_the_canonical_address_and_headline(
        open_reader: Callable[..., Reader], example: Site) -> None:
    reader = open_reader(example)
    page = reader.page
    assert reader.goto(REFERENCE).ok
    assert canonical_and_headline(page) == (CANONICAL, "Mỹ-Nhật sắp đối thoại 2+2")

    group = page.get_by_role("group", name="Chia sẻ")
    expect(group).to_be_visible()
    links = group.get_by_role("link")
    expect(links).to_have_count(3)
    for label, href in expected_links(page).items():
        link = group.get_by_role("link", name=label, exact=True)
        expect(link).to_be_visible()
        assert link.get_attribute("href") == href, label
        # A new tab, which learns neither the page that opened it nor its address.
        assert link.get_attribute("target") == "_blank", label
        rel = set(link.get_attribute("rel").split())
        assert rel == {"nofollow", "noopener", "noreferrer"}, label
        assert link.inner_text() == label.removeprefix("Chia sẻ lên "), label

    # Nothing of the networks was loaded to show the buttons.
    page.wait_for_load_state("networkidle")
    assert reader.requests
    assert [u for u in reader.requests if not u.startswith(reader.origin + "/")] == []


def test_copy_link_puts_the_canonical_address_on_the_clipboard(
        open_reader: Callable[..., Reader], example: Site) -> None:
    reader = open_reader(example, viewport=PHONE,
                         permissions=["clipboard-read", "clipboard-write"])
    page = reader.page
    assert reader.goto(REFERENCE).ok
    status = page.locator(".share [role=status]")
    assert status.text_content() == ""

    copy = button(page, COPY)
    expect(copy).to_be_visible()
    copy.click()
    expect(status).to_have_text(COPIED)
    assert page.evaluate("navigator.clipboard.readText()") == CANONICAL


def test_the_share_sheet_button_shows_only_where_the_browser_has_one(
        open_reader: Callable[..., Reader], example: Site) -> None:
    plain = open_reader(example, viewport=PHONE)
    assert plain.goto(REFERENCE).ok
    expect(button(plain.page, COPY)).to_be_visible()  # the script has run
    has_sheet = plain.page.evaluate("typeof navigator.share === 'function'")
    assert button(plain.page, NATIVE).is_visible() == has_sheet

    reader = open_reader(example, viewport=PHONE)
    reader.context.add_init_script(FAKE_SHARE)
    page = reader.page
    assert reader.goto(REFERENCE).ok
    native = button(page, NATIVE)
    expect(native).to_be_visible()
    native.click()
    page.wait_for_function("window.sharedWith && window.sharedWith.length > 0")
    canonical, headline = canonical_and_headline(page)
    assert page.evaluate("window.sharedWith") == [{"title": headline, "url": canonical}]


def test_without_javascript_the_links_remain_and_the_buttons_do_not_show(
        open_reader: Callable[..., Reader], example: Site) -> None:
    reader = open_reader(example, viewport=PHONE, java_script_enabled=False)
    page = reader.page
    assert reader.goto(REFERENCE).ok
    share = page.locator(".share")
    links = share.locator("a.share-link")
    expect(links.filter(visible=True)).to_have_text(["Facebook", "Zalo", "X"])
    assert links.evaluate_all("as => as.map(a => a.getAttribute('href'))") == list(
        expected_links(page).values())
    for name in (COPY, NATIVE):
        expect(button(page, name)).to_be_hidden()
    assert share.locator("button").filter(visible=True).count() == 0

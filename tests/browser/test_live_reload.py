"""The live preview in real Chromium: an editor saves, and the open page follows by itself.

Each test starts its own `newsgen serve` on a fresh copy of the minimal site,
because every test rewrites the article the page shows.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conftest import copy_site
from serving import Server, serving

from .conftest import DESKTOP

ARTICLE = "/the-gioi/hoi-nghi-thuong-dinh-tai-ha-noi/"
ARTICLE_FILE = Path("content/the-gioi/hoi-nghi-ha-noi.md")
TITLE = "Hội nghị thượng đỉnh tại Hà Nội"
OVERLAY = "#newsgen-overlay"
DEADLINE_MS = 2000  # what an editor accepts between saving and seeing the page change

# The article's own headline; an overlay may well bring a heading of its own.
HEADLINE_IS = """title => {
    const h = document.querySelector("#main h1");
    return h !== null && h.textContent.trim() === title;
}"""


def expect(locator: Any) -> Any:
    # Imported here: without Playwright the browser fixture decides between skip and failure.
    from playwright.sync_api import expect as playwright_expect
    return playwright_expect(locator)


@dataclass
class Live:
    server: Server
    site: Path
    page: Any
    errors: list[str] = field(default_factory=list)

    @property
    def article(self) -> Path:
        return self.site / ARTICLE_FILE

    def rewrite(self, pattern: str, replacement: str) -> None:
        text = self.article.read_text(encoding="utf-8")
        changed, count = re.subn(pattern, replacement, text, count=1, flags=re.MULTILINE)
        assert count == 1, f"{pattern!r} is not in {self.article}"
        self.article.write_text(changed, encoding="utf-8")

    def retitle(self, title: str) -> None:
        self.rewrite(r"^title: .*$", f'title: "{title}"')

    def wait_for_headline(self, title: str) -> float:
        """Seconds until the open page shows `title`; fails after DEADLINE_MS."""
        started = time.perf_counter()
        self.page.wait_for_function(HEADLINE_IS, arg=title, polling="raf",
                                    timeout=DEADLINE_MS)
        return time.perf_counter() - started

    def save_and_wait(self, title: str) -> float:
        """From the save to the new headline on screen, as the editor feels it."""
        started = time.perf_counter()
        self.retitle(title)
        self.page.wait_for_function(HEADLINE_IS, arg=title, polling="raf",
                                    timeout=DEADLINE_MS)
        return time.perf_counter() - started


@pytest.fixture
def live(browser: Any, tmp_path: Path) -> Iterator[Live]:
    yield from _live(browser, tmp_path)


@pytest.fixture
def live_in_vietnamese(browser: Any, tmp_path: Path) -> Iterator[Live]:
    """The preview as a Vietnamese newsroom has it: messages follow the site's language."""
    yield from _live(browser, tmp_path, env={"NEWSGEN_MESSAGES": ""})


def _live(browser: Any, tmp_path: Path, env: dict[str, str] | None = None) -> Iterator[Live]:
    site = copy_site("minimal", tmp_path / "site")
    # A fixed slug, so that a new headline keeps the address the page is open at.
    article = site / ARTICLE_FILE
    text = article.read_text(encoding="utf-8")
    body = "\n---\nHội nghị mở màn"
    article.write_text(text.replace(body, "\nslug: hoi-nghi-thuong-dinh-tai-ha-noi" + body),
                       encoding="utf-8")
    with serving(site, tmpdir=tmp_path / "tmp", env=env) as server:
        context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
        try:
            page = context.new_page()
            state = Live(server, site, page)
            page.on("pageerror", lambda exc: state.errors.append(str(exc)))
            assert page.goto(server.url.rstrip("/") + ARTICLE).ok
            page.wait_for_function(HEADLINE_IS, arg=TITLE)
            yield state
        finally:
            context.close()
    assert state.errors == [], state.errors
    assert server.returncode == 0, server.stderr


def test_a_saved_title_appears_in_the_open_page(live: Live) -> None:
    took = live.save_and_wait(f"{TITLE} (cập nhật)")
    assert took < DEADLINE_MS / 1000
    expect(live.page.locator(OVERLAY)).to_have_count(0)


def test_problems_show_over_the_page_until_they_are_fixed(live: Live) -> None:
    overlay = live.page.locator(OVERLAY)
    live.rewrite(r"^title: .*$", "title: [")
    expect(overlay).to_be_visible(timeout=DEADLINE_MS)
    expect(overlay).to_contain_text(f"{ARTICLE_FILE.as_posix()}:2:")
    expect(overlay).to_contain_text("not valid YAML")
    problems = live.server.status()["problems"]
    assert problems
    for line in problems:
        expect(overlay).to_contain_text(line)
    # The last good page stays underneath, so the editor keeps their place.
    assert live.page.evaluate(HEADLINE_IS, TITLE)

    live.retitle(f"{TITLE} (đã sửa)")
    live.wait_for_headline(f"{TITLE} (đã sửa)")
    expect(overlay).to_be_hidden(timeout=DEADLINE_MS)


def test_problems_are_told_in_the_sites_language(live_in_vietnamese: Live) -> None:
    """A Vietnamese site's editor reads the overlay, its heading and every line, in
    Vietnamese, as the terminal tells them."""
    live = live_in_vietnamese
    overlay = live.page.locator(OVERLAY)
    live.rewrite(r"^section: .*$", "section: the-gioj")
    expect(overlay).to_be_visible(timeout=DEADLINE_MS)
    assert overlay.locator("p").inner_text() == (
        "newsgen: thay đổi vừa rồi không dựng được. Trang này là bản cuối cùng đã dựng được.")
    assert overlay.locator("li").all_inner_texts() == [
        f"{ARTICLE_FILE.as_posix()}:4: section: 'the-gioj' không có trong site.yaml; "
        "có phải ý bạn là 'the-gioi'?"]
    assert live.server.wait_for_stderr(re.escape(overlay.locator("li").inner_text()))

    live.rewrite(r"^section: .*$", "section: the-gioi")
    expect(overlay).to_be_hidden(timeout=DEADLINE_MS)


def test_problem_text_is_shown_as_text(live: Live) -> None:
    overlay = live.page.locator(OVERLAY)
    live.rewrite(r"^section: .*$", 'section: "<b>dam</b>"')
    expect(overlay).to_be_visible(timeout=DEADLINE_MS)
    expect(overlay).to_contain_text("'<b>dam</b>'")
    expect(overlay).to_contain_text(f"{ARTICLE_FILE.as_posix()}:4:")
    assert overlay.locator("b").count() == 0

    live.rewrite(r"^section: .*$", "section: the-gioi")
    expect(overlay).to_be_hidden(timeout=DEADLINE_MS)
    assert live.page.evaluate(HEADLINE_IS, TITLE)


def test_save_to_reload_time(live: Live, capsys: pytest.CaptureFixture[str]) -> None:
    times = [live.save_and_wait(f"{TITLE} – bản {i}") for i in range(10)]
    median = statistics.median(times)
    with capsys.disabled():
        print(f"\nsave -> reload in the open page: median {median * 1000:.0f} ms, "
              f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms "
              f"over {len(times)} saves")
    assert max(times) < DEADLINE_MS / 1000

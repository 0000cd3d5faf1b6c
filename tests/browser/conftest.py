"""Real Chromium reading real built pages served over HTTP.

One browser serves the whole session (starting Chromium costs more than most
tests); every test opens fresh contexts, so storage and settings never leak
from one test into the next.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, newsgen

CHROMIUM = Path(os.environ.get("NEWSGEN_CHROMIUM") or shutil.which("chromium")
                or "/usr/bin/chromium")
AXE = REPO / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
STRESS_SITE = Path(__file__).parent / "site"

# Without the background-networking switches Chromium calls Google's servers,
# which slows every test and muddies the "no request leaves the site" check.
# CI runs as root in a container: no sandbox, and /dev/shm there is tiny.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]

HOW_BROWSER = ("the browser tests need Chromium and Playwright for Python: install Chromium "
               "(apt-get install chromium), then run `make test`, which installs Playwright "
               "through the test extras (it never downloads a browser)")
HOW_AXE = ("the accessibility tests need axe-core from tests/js: install Node.js and npm "
           "(apt-get install nodejs npm), then run `make test`")

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}

# The reference page that the example site recreates.
REFERENCE = "/the-gioi/my-nhat-sap-doi-thoai-2-2/"
STRESS_ARTICLE = "/thoi-su/ky-hop-quoc-hoi-thong-qua-luat-dat-dai-sua-doi/"
MISSING = "/khong-co/trang-nay/"

# Every kind of page a reader meets, on the example site and on the strained one.
PAGES = {
    "article": ("example", REFERENCE),
    "home": ("example", "/"),
    "section": ("example", "/the-gioi/"),
    "404": ("example", MISSING),
    "search": ("example", "/tim-kiem/?q=ha+noi"),
    "month": ("example", "/2021/12/"),
    "day": ("example", "/2021/12/31/"),
    "tag": ("example", "/tags/armenia/"),
    "author": ("example", "/authors/bao-ngoc/"),
    "long-article": ("stress", STRESS_ARTICLE),
    "long-home": ("stress", "/"),
    "long-section-page-2": ("stress", "/thoi-su/page/2/"),
    "long-home-page-2": ("stress", "/page/2/"),
}

STORAGE_KEY = "newsgen.textSize"
SIZES = {"small": "Nhỏ", "normal": "Bình thường", "large": "Lớn"}


def missing(how: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(how)  # in CI a missing tool is a failure, never a skip
    pytest.skip(how)


# ---------- Serving built sites ----------

class SiteHandler(SimpleHTTPRequestHandler):
    """Answers a missing page with the site's own 404.html, as static hosts do."""

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request would bury pytest's output

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class SiteServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # The browser drops connections it no longer needs; that is no error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass(frozen=True)
class Site:
    root: Path
    origin: str

    def url(self, path: str = "/") -> str:
        return self.origin + path

    def pages(self, kind: str) -> list[str]:
        """Paths of every built page of one kind: article, home, section or 404."""
        marker = f'<body class="page-{kind}">'
        return ["/" + p.relative_to(self.root).as_posix().removesuffix("index.html")
                for p in sorted(self.root.rglob("*.html"))
                if marker in p.read_text(encoding="utf-8")]


def serve(source: Path, out: Path) -> Iterator[Site]:
    # No cache: it would be left in the site folder, which is part of the checkout.
    run = newsgen("build", "-s", source, "-o", out, "--no-cache")
    assert run.code == 0, run.err
    server = SiteServer(("127.0.0.1", 0),
                        functools.partial(SiteHandler, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(out, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The example site, which recreates the reference article page."""
    yield from serve(REPO, tmp_path_factory.mktemp("example") / "public")


@pytest.fixture(scope="session")
def stress(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A small site with the content that strains a layout most."""
    yield from serve(STRESS_SITE, tmp_path_factory.mktemp("stress") / "public")


# ---------- The browser ----------

@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing(HOW_BROWSER)
    if not CHROMIUM.is_file():
        missing(HOW_BROWSER)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Reader:
    """One browser context, and everything its pages did that a reader must never meet."""

    context: Any
    page: Any
    origin: str
    errors: list[tuple[str, str]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    broken: list[tuple[str, str]] = field(default_factory=list)
    missing_on_purpose: set[str] = field(default_factory=set)

    def watch(self, page: Any) -> None:
        page.on("pageerror", lambda exc: self.errors.append((page.url, str(exc))))
        page.on("console", self._console)
        page.on("request", lambda req: self.requests.append(req.url))
        page.on("response", lambda res: res.status >= 400 and self.broken.append(
            (res.url, f"{res.status} {res.url}")))
        # A request cut short because the test moved on is no fault of the page.
        page.on("requestfailed", lambda req: "ERR_ABORTED" not in (req.failure or "")
                and self.broken.append((req.url, f"{req.failure} {req.url}")))

    def _console(self, msg: Any) -> None:
        if msg.type == "error":
            self.errors.append((msg.location.get("url", ""), f"console: {msg.text}"))

    def goto(self, path: str, **kwargs: Any) -> Any:
        return self.page.goto(self.origin + path, **kwargs)

    def goto_missing(self, path: str) -> Any:
        """Opens a page that does not exist, where a 404 answer is the point."""
        self.missing_on_purpose.add(self.origin + path)
        return self.goto(path)

    def problems(self) -> list[str]:
        found = [f"{where}: {what}" for where, what in self.errors
                 if not (where in self.missing_on_purpose and "status of 404" in what)]
        found += [what for url, what in self.broken if url not in self.missing_on_purpose]
        found += [f"request left the site: {u}" for u in self.requests
                  if not u.startswith(self.origin + "/")]
        return found


@pytest.fixture
def open_reader(browser: Any) -> Iterator[Callable[..., Reader]]:
    """Opens pages as a fresh reader would: own storage, chosen window and settings."""
    readers: list[Reader] = []

    def open_(site: Site, viewport: dict[str, int] = DESKTOP, **options: Any) -> Reader:
        context = browser.new_context(viewport=viewport, locale="vi-VN", **options)
        reader = Reader(context, context.new_page(), site.origin)
        reader.watch(reader.page)
        readers.append(reader)
        return reader

    yield open_
    for reader in readers:
        reader.context.close()
    # Every test doubles as a watch for script errors, broken links and stray requests.
    problems = [p for r in readers for p in r.problems()]
    assert not problems, "\n".join(problems)


@pytest.fixture
def visit(request: pytest.FixtureRequest, open_reader: Callable[..., Reader]
          ) -> Callable[..., Reader]:
    """Opens one of PAGES by name in a fresh reader."""

    def visit_(name: str, **options: Any) -> Reader:
        site_name, path = PAGES[name]
        reader = open_reader(request.getfixturevalue(site_name), **options)
        if path == MISSING:
            response = reader.goto_missing(path)
            assert response.status == 404
        else:
            assert reader.goto(path).ok
        return reader

    return visit_


# ---------- What the reader sees ----------

def body_size(page: Any) -> float:
    """Computed font size, in px, of the article's running text."""
    return page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.article-body > p')).fontSize)")


def pressed(page: Any) -> list[str]:
    """Labels of the text-size buttons that say they are pressed."""
    return page.eval_on_selector_all(
        ".text-size button",
        "bs => bs.filter(b => b.getAttribute('aria-pressed') === 'true')"
        ".map(b => b.textContent.trim())")


def size_button(page: Any, size: str) -> Any:
    """The button a reader finds by its label (looking up the group by role is slow)."""
    return page.locator(".text-size").get_by_role("button", name=SIZES[size], exact=True)


# Lazy thumbnails would load only when scrolled to; here every one must load.
LOAD_IMAGES = """async () => {
    const images = [...document.images];
    images.forEach(i => { i.loading = "eager"; });
    await Promise.all(images.map(i => i.decode().catch(() => null)));
    return images.filter(i => !i.naturalWidth).map(i => i.src);
}"""


def load_images(page: Any) -> list[str]:
    """Loads every image on the page; returns the ones that failed."""
    return page.evaluate(LOAD_IMAGES)


# ---------- Screenshots for a person to look at ----------

_shots: list[Path] = []


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("NEWSGEN_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.getbasetemp() / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    _shots.append(folder.resolve())
    return folder


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for folder in _shots:
        if any(folder.iterdir()):
            terminalreporter.write_sep("-", "browser screenshots")
            terminalreporter.write_line(f"the article page at each text size, and as printed: "
                                        f"{folder}")

"""`newsgen check`: the built site read as a browser reads it, each problem traced to its source."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO, copy_site, manifest, newsgen, write

NOW = "2024-06-08T21:30:00+07:00"
ARTICLE = "the-gioi/dien-dan-kinh-doanh-da-nang/index.html"
SOURCE = "content/the-gioi/dien-dan-da-nang.md"


def errors(run) -> list[str]:
    return run.err.splitlines()


def with_body(site: Path, extra: str) -> None:
    """Append Markdown to the end of the Đà Nẵng article (its body starts on line 10)."""
    path = site / SOURCE
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")


@pytest.fixture
def linked(tmp_path: Path) -> Path:
    """`minimal`, where every page is reachable."""
    return copy_site("minimal", tmp_path / "site")


def test_a_clean_site_checks_clean(linked: Path) -> None:
    run = newsgen("check", "-s", linked)
    assert run.code == 0, run.err
    assert run.err == ""
    assert run.out.splitlines()[-1] == "checked 15 pages, 347 links: no problems"


def test_check_under_a_base_path_and_quiet(linked: Path) -> None:
    run = newsgen("check", "-s", linked, "--base-url", "https://x.example/bao/", "-q")
    assert (run.code, run.out, run.err) == (0, "", "")


@pytest.mark.parametrize("site", ["minimal", "example"])
def test_the_shipped_sites_check_clean(site: str, tmp_path: Path) -> None:
    source = REPO if site == "example" else copy_site(site, tmp_path / "site")
    run = newsgen("check", "-s", source, "-o", tmp_path / "public")
    assert run.code == 0, run.err
    assert run.out.splitlines()[-1].endswith("links: no problems")


def test_broken_links_name_the_article_and_its_line(linked: Path) -> None:
    with_body(linked, "\nXem [bài cũ](/the-gioi/khong-co/).\n"
              "\n[Chương trình](/the-gioi/hoi-nghi-thuong-dinh-tai-ha-noi/#lich-trinh)"
              " và [đầu bài](#chuong-trinh).\n")
    run = newsgen("check", "-s", linked)
    assert run.code == 1
    assert errors(run) == [
        f"{SOURCE}:12: link to /the-gioi/khong-co/ does not resolve (in {ARTICLE})",
        f"{SOURCE}:14: link to #chuong-trinh: {ARTICLE} has no id 'chuong-trinh' "
        f"(in {ARTICLE})",
        f"{SOURCE}:14: link to /the-gioi/hoi-nghi-thuong-dinh-tai-ha-noi/#lich-trinh: "
        "the-gioi/hoi-nghi-thuong-dinh-tai-ha-noi/index.html has no id 'lich-trinh' "
        f"(in {ARTICLE})",
        "check failed: 3 problems",
    ]
    assert "checked" not in run.out


def test_fragments_that_exist_pass(linked: Path) -> None:
    with_body(linked, "\n[Chương trình](/the-gioi/hoi-nghi-thuong-dinh-tai-ha-noi/"
              "#chuong-trinh-lam-viec), [lên đầu](#main), [ảnh](/images/da-nang.svg).\n")
    run = newsgen("check", "-s", linked)
    assert run.code == 0, run.err


def test_a_link_that_leaves_the_base_path(linked: Path) -> None:
    with_body(linked, "\nXem [trang khác](../../../khac/) và [bài cũ](/the-gioi/khong-co/).\n")
    run = newsgen("check", "-s", linked, "--base-url", "https://x.example/bao/")
    assert run.code == 1
    assert errors(run) == [
        f"{SOURCE}:12: link to ../../../khac/ is outside the site's base path /bao/ "
        f"(in {ARTICLE})",
        f"{SOURCE}:12: link to /bao/the-gioi/khong-co/ does not resolve (in {ARTICLE})",
        "check failed: 2 problems",
    ]


def test_a_picture_without_alt_in_raw_html(linked: Path) -> None:
    config = linked / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "raw_html: true\n", encoding="utf-8")
    with_body(linked, '\n<img src="/images/da-nang.svg">\n\n'
              '<img src="/images/da-nang.svg" alt="">\n')
    run = newsgen("check", "-s", linked)
    assert run.code == 1
    assert errors(run) == [
        f"{SOURCE}:12: picture /images/da-nang.svg has no alt attribute; describe it in alt, "
        f'or write alt="" if it is only decoration (in {ARTICLE})',
        "check failed: 1 problem",
    ]


def test_a_picture_without_alt_in_a_template(linked: Path) -> None:
    card = (REPO / "templates" / "partials" / "card.html").read_text(encoding="utf-8")
    shown = '{{ picture(c.image, slot, css_class="card-image", alt="") }}'
    assert shown in card
    write(linked / "templates" / "partials" / "card.html",
          card.replace(shown, '<img class="card-image" src="{{ c.image.src }}">', 1))
    run = newsgen("check", "-s", linked)
    assert run.code == 1
    lines = errors(run)
    assert "the home page: picture /images/da-nang.svg has no alt attribute; describe it in " \
        'alt, or write alt="" if it is only decoration (in index.html)' in lines
    hero = [line for line in lines if line.startswith("content/the-gioi/dien-dan-da-nang.md: "
                                                      "picture /img/")]
    assert len(hero) == 1 and hero[0].endswith(
        "-720.jpg has no alt attribute; describe it in alt, or write alt=\"\" if it "
        f"is only decoration (in {ARTICLE})"), lines
    assert lines[-1] == f"check failed: {len(lines) - 1} problems"


def test_orphan_pages(linked: Path) -> None:
    write(linked / "static" / "mo-coi.html", "<!doctype html><title>Mồ côi</title><p>Không ai "
          "dẫn tới trang này.</p>\n")
    write(linked / "static" / "da-doi.html", '<!doctype html><meta http-equiv="refresh" '
          'content="0; url=/"><title>Đã dời</title>\n')
    run = newsgen("check", "-s", linked)
    assert run.code == 1
    assert errors(run) == ["static/mo-coi.html: mo-coi.html is not linked from any other page",
                           "check failed: 1 problem"]


def test_a_failed_build_is_reported_as_a_build_and_leaves_the_output(linked: Path) -> None:
    assert newsgen("build", "-s", linked).code == 0
    before = manifest(linked / "public")
    write(linked / SOURCE, "---\ntitle: x\n---\n")
    run = newsgen("check", "-s", linked)
    assert run.code == 1
    assert run.err.splitlines()[-1] == "build failed: 2 errors; the output folder was not changed"
    assert manifest(linked / "public") == before


# Outside links, against a server on this machine: the tests never touch the network.

class _Handler(http.server.BaseHTTPRequestHandler):
    seen: Counter[str]
    lock = threading.Lock()  # the checker asks in parallel

    def _answer(self) -> None:
        with self.lock:
            self.seen[f"{self.command} {self.path}"] += 1
        if self.path == "/cham":
            time.sleep(3)
        status, location = {"/ok": (200, ""), "/cu": (301, "/ok"), "/mat": (404, ""),
                            "/cham": (200, ""), "/chi-get": (200, "")}.get(self.path, (404, ""))
        if self.path == "/chi-get" and self.command == "HEAD":
            status = 405
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, Counter[str]]]:
    seen: Counter[str] = Counter()
    handler = type("Handler", (_Handler,), {"seen": seen})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    httpd.shutdown()
    httpd.server_close()


def test_outside_links(linked: Path, server: tuple[str, Counter[str]]) -> None:
    url, seen = server
    article = linked / "content" / "the-gioi" / "hoi-nghi-ha-noi.md"
    text = article.read_text(encoding="utf-8")
    text = text.replace('  - {title: "Liên Hợp Quốc", url: "https://www.un.org/"}\n',
                        f'  - {{title: "Mất", url: "{url}/mat"}}\n'
                        f'  - {{title: "Chậm", url: "{url}/cham"}}\n'
                        f'  - {{title: "Chỉ GET", url: "{url}/chi-get"}}\n')
    article.write_text(text + f"\nXem [bản gốc]({url}/ok) và [địa chỉ cũ]({url}/cu#muc).\n",
                       encoding="utf-8")
    page = "the-gioi/hoi-nghi-thuong-dinh-tai-ha-noi/index.html"
    source = "content/the-gioi/hoi-nghi-ha-noi.md"
    expected = [
        f"{source}:14: link to {url}/mat answers 404 Not Found (in {page})",
        f"{source}:15: link to {url}/cham fails: no answer within 1 s (in {page})",
        "check failed: 2 problems",
    ]

    run = newsgen("check", "-s", linked, "--external", "--allow-private", "--timeout", "1",
                  "--now", NOW)
    assert run.code == 1
    assert errors(run) == expected
    assert seen == {"HEAD /ok": 2, "HEAD /cu": 1, "HEAD /mat": 1, "HEAD /cham": 1,
                    "HEAD /chi-get": 1, "GET /chi-get": 1}
    cache = json.loads((linked / ".newsgen-cache" / "external-links.json").read_text("utf-8"))
    assert {u: e["status"] for u, e in cache.items()} == {
        f"{url}/ok": 200, f"{url}/cu": 200, f"{url}/chi-get": 200, f"{url}/mat": 404,
        f"{url}/cham": None}
    assert {e["checked_at"] for e in cache.values()} == {NOW}

    seen.clear()
    run = newsgen("check", "-s", linked, "--external", "--allow-private", "--timeout", "1",
                  "--now", "2024-06-09T21:00:00+07:00")
    assert errors(run) == expected
    assert seen == {"HEAD /mat": 1, "HEAD /cham": 1}, "good answers younger than 24 h are kept"

    seen.clear()
    run = newsgen("check", "-s", linked, "--external", "--allow-private", "--timeout", "1",
                  "--now", "2024-06-09T21:30:00+07:00")
    assert errors(run) == expected
    assert seen["HEAD /ok"] == 2 and seen["HEAD /chi-get"] == 1, "a day later, asked again"


def test_outside_links_are_left_alone_without_external(linked: Path) -> None:
    with_body(linked, "\n[Không tồn tại](http://127.0.0.1:9/)\n")
    run = newsgen("check", "-s", linked)
    assert run.code == 0, run.err
    assert not (linked / ".newsgen-cache" / "external-links.json").exists()


def test_a_damaged_link_cache_is_started_again(linked: Path,
                                               server: tuple[str, Counter[str]]) -> None:
    url, _ = server
    article = linked / "content" / "the-gioi" / "hoi-nghi-ha-noi.md"
    text = article.read_text(encoding="utf-8").replace("https://www.un.org/", f"{url}/ok")
    article.write_text(text, encoding="utf-8")  # the only outside link: a local server
    write(linked / ".newsgen-cache" / "external-links.json", "[]")
    run = newsgen("check", "-s", linked, "--external", "--allow-private", "--timeout", "1",
                  "--now", NOW)
    assert run.code == 0, run.err
    cache = json.loads((linked / ".newsgen-cache" / "external-links.json").read_text("utf-8"))
    assert {u: e["status"] for u, e in cache.items()} == {f"{url}/ok": 200}

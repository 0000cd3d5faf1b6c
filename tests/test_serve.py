"""`newsgen serve`, the live preview, checked over real HTTP against a running server.

Most checks share one server on one site that no test changes; the tests that
edit the site, stop the server or need other options start their own, because
a rebuild or a second build count would change what the shared one answers.
"""

from __future__ import annotations

import ipaddress
import json
import re
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from conftest import REPO, copy_site, manifest, newsgen, write
from serving import INJECTED, REBUILT, STOP_TIMEOUT, ServeExited, Server, serving

ARTICLE = "/the-gioi/hoi-nghi-thuong-dinh-tai-ha-noi/"
ARTICLE_FILE = Path("content/the-gioi/hoi-nghi-ha-noi.md")
TITLE = "Hội nghị thượng đỉnh tại Hà Nội"
DRAFT = "/kinh-te/ban-nhap-phong-van/"
FUTURE = "/kinh-te/tin-sap-dang/"
MISSING = "/khong-co/trang-nay/"

# Planted wherever a path that climbs out of the served folder could land. It
# must never come back in an answer.
SECRET = "bi-mat-ngoai-thu-muc-7f3c2a"

# A 1x1 PNG, and files that only need the right name: serve never looks inside.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000000000500010d0a2db40000"
                    "000049454e44ae426082")

DRAFT_ARTICLE = """---
title: "Bản nháp phỏng vấn"
date: 2022-01-03T08:00:00+07:00
section: kinh-te
draft: true
---
Chưa xong.
"""

FUTURE_ARTICLE = """---
title: "Tin sắp đăng"
date: 2099-01-03T08:00:00+07:00
section: kinh-te
---
Sắp đăng.
"""


def make_site(dest: Path) -> Path:
    """The minimal site, plus a draft, a scheduled article and one static file of each kind."""
    site = copy_site("minimal", dest)
    # A fixed slug, so that retitling the article keeps its address, as the README advises.
    edit(site / ARTICLE_FILE, "\n---\nHội nghị mở màn",
         "\nslug: hoi-nghi-thuong-dinh-tai-ha-noi\n---\nHội nghị mở màn")
    write(site / "content/kinh-te/ban-nhap.md", DRAFT_ARTICLE)
    write(site / "content/kinh-te/sap-dang.md", FUTURE_ARTICLE)
    write(site / "static/images/cham.png", PNG)
    write(site / "static/images/anh.jpg", b"\xff\xd8\xff\xe0" + bytes(16))
    write(site / "static/images/anh.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ")
    write(site / "static/fonts/chu.woff2", b"wOF2" + bytes(16))
    write(site / "static/fonts/chu.woff", b"wOFF" + bytes(16))
    write(site / "static/data/so-lieu.json", '{"so": 1}\n')
    write(site / "static/ghi-chu.txt", "Ghi chú của tòa soạn.\n")
    write(site / "static/tài-liệu.txt", "Tài liệu tham khảo.\n")
    return site


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def h1(response_text: str) -> str:
    node = BeautifulSoup(response_text, "html.parser").find("h1")
    return " ".join(node.get_text(" ").split()) if node else ""


def without_client(page: str) -> str:
    """The page as `newsgen build` writes it: the injected tag taken out again."""
    return re.sub(r"\s*</body>", "</body>", page.replace(INJECTED, "", 1))


def wait_until(check: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.05)


def listening_addresses(port: int) -> set[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Addresses with a socket listening on `port`, read from the kernel's table."""
    found = set()
    for table in ("tcp", "tcp6"):
        path = Path("/proc/net") / table
        if not path.is_file():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, _, hex_port = fields[1].partition(":")
            if fields[3] != "0A" or int(hex_port, 16) != port:  # 0A: LISTEN
                continue
            raw = bytes.fromhex(address)
            # The kernel prints each 32-bit word in host (little-endian) order.
            words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
            found.add(ipaddress.ip_address(words))
    return found


def needs_proc() -> None:
    if not Path("/proc/net/tcp").is_file():
        pytest.skip("reading the listening address needs Linux's /proc/net/tcp")


# ---------- One shared server on a site nobody changes ----------

@dataclass(frozen=True)
class Shared:
    server: Server
    site: Path
    tmpdir: Path
    reference: Path  # `newsgen build` of the same site with the server's address as base_url


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    base = tmp_path_factory.mktemp("serve")
    site = make_site(base / "site")
    with (site / "site.yaml").open("a", encoding="utf-8") as f:
        f.write(f"# {SECRET}\n")  # the site's own settings are outside the served tree too
    tmpdir = base / "tmp"
    # Where `/../` and friends land when serve builds into a folder under TMPDIR.
    for folder in (base, tmpdir):
        write(folder / "site.yaml", f"{SECRET}\n")
        write(folder / "etc" / "passwd", f"{SECRET}\n")
    assert not (site / "public").exists()
    # A build first, as an editor's machine has done: the reference build below then finds
    # addresses.txt as it leaves it, and serve has no change of the site to rebuild for.
    assert newsgen("build", "-s", site, "-o", base / "first").code == 0
    with serving(site, tmpdir=tmpdir) as server:
        run = newsgen("build", "-s", site, "-o", base / "reference", "--base-url", server.url)
        assert run.code == 0, run.err
        yield Shared(server, site, tmpdir, base / "reference")


def test_prints_one_line_with_the_real_port(shared: Shared) -> None:
    server = shared.server
    assert server.port != 0
    assert server.url == f"http://127.0.0.1:{server.port}/"
    # Nothing has changed yet, so the first build is announced by this line alone.
    assert server.stdout.splitlines() == [f"serving {server.url} (Ctrl-C to stop)"]
    assert server.get("/").status == 200


def test_listens_on_loopback_only_by_default(shared: Shared) -> None:
    needs_proc()
    addresses = listening_addresses(shared.server.port)
    assert addresses, "no listening socket found for the printed port"
    assert all(a.is_loopback for a in addresses), addresses
    assert "warning" not in shared.server.stderr.lower()


@pytest.mark.parametrize("path, page", [
    ("/", "index.html"),
    ("/the-gioi/", "the-gioi/index.html"),
    (ARTICLE, ARTICLE.strip("/") + "/index.html"),
    (ARTICLE + "index.html", ARTICLE.strip("/") + "/index.html"),
    (ARTICLE + "?utm_source=zalo", ARTICLE.strip("/") + "/index.html"),
    ("/tags/ha-noi/", "tags/ha-noi/index.html"),
])
def test_pretty_url_serves_the_folders_index(shared: Shared, path: str, page: str) -> None:
    res = shared.server.get(path)
    assert res.status == 200
    assert without_client(res.text) == without_client(
        (shared.reference / page).read_text(encoding="utf-8"))


@pytest.mark.parametrize("path, location", [
    (ARTICLE.rstrip("/"), ARTICLE),
    ("/the-gioi?trang=2&q=h%C3%A0", "/the-gioi/?trang=2&q=h%C3%A0"),
    ("/tags", "/tags/"),
])
def test_folder_without_slash_redirects_keeping_the_query(shared: Shared, path: str,
                                                          location: str) -> None:
    server = shared.server
    res = server.get(path)
    assert res.status == 301
    assert urljoin(server.origin + path, res.header("Location") or "") == server.origin + location


HTML = (["text/html", "charset=utf-8"],)
JS = (["text/javascript", "charset=utf-8"],)
XML = (["application/xml", "charset=utf-8"],)
TXT = (["text/plain", "charset=utf-8"],)
SVG = (["image/svg+xml"], ["image/svg+xml", "charset=utf-8"])


@pytest.mark.parametrize("path, allowed", [
    ("/", HTML),
    (ARTICLE, HTML),
    ("/404.html", HTML),
    ("/css/site.css", (["text/css", "charset=utf-8"],)),
    ("/js/text-size.js", JS),
    ("/__newsgen/client.js", JS),
    ("/feed.xml", XML),
    ("/sitemap.xml", XML),
    ("/data/so-lieu.json", (["application/json", "charset=utf-8"],)),
    ("/robots.txt", TXT),
    ("/ghi-chu.txt", TXT),
    ("/t%C3%A0i-li%E1%BB%87u.txt", TXT),
    ("/images/da-nang.svg", SVG),
    ("/favicon.svg", SVG),
    ("/images/cham.png", (["image/png"],)),
    ("/images/anh.jpg", (["image/jpeg"],)),
    ("/images/anh.webp", (["image/webp"],)),
    ("/fonts/chu.woff2", (["font/woff2"],)),
    ("/fonts/chu.woff", (["font/woff"],)),
])
def test_content_type_follows_the_extension(shared: Shared, path: str,
                                            allowed: tuple[list[str], ...]) -> None:
    res = shared.server.get(path)
    assert res.status == 200
    assert res.media_type() in allowed, res.header("Content-Type")


def test_static_files_are_served_byte_for_byte(shared: Shared) -> None:
    files = [p for p in sorted(shared.reference.rglob("*"))
             if p.is_file() and p.suffix != ".html" and not p.name.startswith(".")]
    assert len(files) > 10
    for file in files:
        path = "/" + "/".join(map(quote, file.relative_to(shared.reference).parts))
        res = shared.server.get(path)
        assert (res.status, res.body) == (200, file.read_bytes()), path


@pytest.mark.parametrize("path", [
    ARTICLE, "/css/site.css", "/images/cham.png", ARTICLE.rstrip("/"), MISSING, "/images/",
    "/__newsgen/status", "/__newsgen/client.js",
])
def test_head_answers_like_get_without_a_body(shared: Shared, path: str) -> None:
    server = shared.server
    get, head = server.request(path), server.request(path, method="HEAD")
    assert head.status == get.status
    ignore = {"date"}
    assert {k: v for k, v in head.headers.items() if k not in ignore} == \
        {k: v for k, v in get.headers.items() if k not in ignore}
    # http.client never reads a body after HEAD, so look at the bytes on the wire.
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(f"HEAD {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                     "Connection: close\r\n\r\n".encode())
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except TimeoutError:
            pass
    head_lines, _, body = received.partition(b"\r\n\r\n")
    assert head_lines.startswith(f"HTTP/1.1 {get.status}".encode()) or \
        head_lines.startswith(f"HTTP/1.0 {get.status}".encode()), head_lines[:80]
    assert body == b""


@pytest.mark.parametrize("path", [
    MISSING, "/khong-co.html", "/the-gioi/khong-co", "/css/khong-co.css", "/khong-co/%E1%BA%A1/",
])
def test_missing_path_answers_404_with_the_sites_own_page(shared: Shared, path: str) -> None:
    res = shared.server.get(path)
    assert res.status == 404
    assert res.media_type() == ["text/html", "charset=utf-8"]
    assert without_client(res.text) == without_client(
        (shared.reference / "404.html").read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", ["/images/", "/css/", "/js/", "/fonts/", "/data/"])
def test_folder_without_index_is_404_never_a_listing(shared: Shared, path: str) -> None:
    res = shared.server.get(path)
    assert res.status == 404
    assert without_client(res.text) == without_client(
        (shared.reference / "404.html").read_text(encoding="utf-8"))
    without_slash = shared.server.get(path.rstrip("/"))
    assert without_slash.status in (301, 404)
    for name in ("cham.png", "chu.woff2", "so-lieu.json", "Directory listing"):
        assert name not in without_slash.text


@pytest.mark.parametrize("path, method", [
    ("/", "GET"), (ARTICLE, "GET"), ("/css/site.css", "GET"), ("/images/cham.png", "GET"),
    (ARTICLE.rstrip("/"), "GET"), (MISSING, "GET"), ("/images/", "GET"), ("/", "HEAD"),
    ("/__newsgen/status", "GET"), ("/__newsgen/client.js", "GET"), ("/../site.yaml", "GET"),
])
def test_every_answer_says_no_store(shared: Shared, path: str, method: str) -> None:
    res = shared.server.request(path, method=method)
    directives = [d.strip().lower() for d in (res.header("Cache-Control") or "").split(",")]
    assert "no-store" in directives, (res.status, res.header("Cache-Control"))


def test_event_stream_answers_as_an_event_stream(shared: Shared) -> None:
    with shared.server.events() as events:
        assert events.status == 200
        assert events.headers["content-type"].split(";")[0].strip() == "text/event-stream"
        assert "no-store" in events.headers.get("cache-control", "")
        time.sleep(0.3)
        # The last build succeeded: nothing to report on connect.
        assert [name for name, _ in events.pending() if name == "problems"] == []


@pytest.mark.parametrize("path", [
    "/../site.yaml",
    "/../../site.yaml",
    "/../../../site.yaml",
    "/./../site.yaml",
    "/%2e%2e/site.yaml",
    "/%2e%2e/%2e%2e/site.yaml",
    "/%2E%2E/%2E%2E/%2E%2E/site.yaml",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/a%2f..%2f..%2fsite.yaml",
    "/css/..%2f..%2f..%2fsite.yaml",
    "/%2f..%2f..%2fsite.yaml",
    "/%5c..%5csite.yaml",
    "/..%5c..%5csite.yaml",
    "/css/..%5c..%5c..%5csite.yaml",
    "/%252e%252e/%252e%252e/site.yaml",
    "//etc/passwd",
    "//../site.yaml",
    "/%00",
    "/index.html%00.txt",
    "/..%00/site.yaml",
    "/css/../../site.yaml",
])
def test_paths_outside_the_served_folder_are_refused(shared: Shared, path: str) -> None:
    res = shared.server.request(path)
    assert res.status in (400, 404), res.status
    assert SECRET not in res.text
    assert "root:x:0:0" not in res.text
    assert shared.server.status()["ok"] is True  # and the server still answers


def test_reserved_paths(shared: Shared) -> None:
    server = shared.server
    res = server.get("/__newsgen/status")
    assert res.status == 200
    assert res.media_type() in (["application/json"], ["application/json", "charset=utf-8"])
    assert json.loads(res.body) == {"builds": 1, "ok": True, "problems": []}
    client = server.get("/__newsgen/client.js")
    assert client.status == 200 and client.body.strip()
    assert server.get("/__newsgen/khong-co").status == 404


def test_only_served_html_carries_the_client_script(shared: Shared) -> None:
    pages = sorted(shared.reference.rglob("*.html"))
    assert len(pages) >= 10
    for page in pages:
        relative = page.relative_to(shared.reference).as_posix()
        path = "/" + relative.removesuffix("index.html")
        res = shared.server.get(path)
        assert res.status == 200, path
        assert res.text.count("__newsgen") == 1, path
        assert re.search(re.escape(INJECTED) + r"\s*</body>", res.text), path
        assert without_client(res.text) == without_client(page.read_text(encoding="utf-8")), path
    # The build serve made on disk stays clean; the tag is added on the way out.
    on_disk = list(shared.tmpdir.rglob("*.html"))
    assert on_disk, f"no HTML under {shared.tmpdir}: where does serve build?"
    assert [p for p in on_disk if "__newsgen" in p.read_text(encoding="utf-8")] == []


def test_a_normal_build_never_mentions_the_preview(shared: Shared, tmp_path: Path) -> None:
    run = newsgen("build", "-s", shared.site, "-o", tmp_path / "public")
    assert run.code == 0, run.err
    carrying = [p for p in (tmp_path / "public").rglob("*")
                if p.is_file() and b"__newsgen" in p.read_bytes()]
    assert carrying == []


@pytest.mark.parametrize("path", ["/", ARTICLE, MISSING])
def test_links_work_from_the_server_root(shared: Shared, path: str) -> None:
    server = shared.server
    res = server.get(path)
    assert "bao-thu.example" not in res.text  # base_url gave way to the server's address
    soup = BeautifulSoup(res.text, "html.parser")
    targets = {urljoin(server.url.rstrip("/") + path, node.get(attr))
               for attr in ("href", "src") for node in soup.find_all(attrs={attr: True})
               if not node.get(attr).startswith("#")}
    local = sorted(t.split("#")[0] for t in targets if t.startswith(server.url))
    assert len(local) > 5
    broken = []
    for target in local:
        parts = urlsplit(target)
        answer = server.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        if answer.status != 200:
            broken.append(f"{answer.status} {target}")
    assert broken == []


def test_drafts_and_scheduled_articles_are_not_served_without_the_options(
        shared: Shared) -> None:
    assert shared.server.get(DRAFT).status == 404
    assert shared.server.get(FUTURE).status == 404


def test_the_sites_own_output_folder_is_never_made(shared: Shared) -> None:
    assert shared.server.get("/").status == 200
    # addresses.txt is the reference build's (serve, a preview, adds nothing to it).
    assert sorted(p.name for p in shared.site.iterdir()) == \
        [".newsgen-cache", "addresses.txt", "content", "site.yaml", "static"]


# ---------- Servers of their own: other options ----------

def test_drafts_option_serves_drafts_with_their_banner(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    with serving(site, "--drafts", "--future", tmpdir=tmp_path / "tmp") as server:
        draft = server.get(DRAFT)
        assert draft.status == 200
        banner = BeautifulSoup(draft.text, "html.parser").select(".draft-banner")
        assert [b.get_text(strip=True) for b in banner] == ["Bản nháp"]
        assert server.get(FUTURE).status == 200
        assert BeautifulSoup(server.get(ARTICLE).text, "html.parser").select(
            ".draft-banner") == []
    assert server.returncode == 0, server.stderr


def test_other_host_warns_and_still_answers_on_loopback(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    with serving(site, "--host", "0.0.0.0", tmpdir=tmp_path / "tmp") as server:
        assert server.wait_for_stderr(r"(?i)warning"), server.stderr
        assert server.get("/").status == 200
        if Path("/proc/net/tcp").is_file():
            assert ipaddress.ip_address("0.0.0.0") in listening_addresses(server.port)
    assert server.returncode == 0, server.stderr


def test_a_link_to_a_file_outside_the_site_is_never_served(tmp_path: Path) -> None:
    outside = write(tmp_path / "ngoai" / "bi-mat.txt", f"{SECRET}\n")
    site = make_site(tmp_path / "site")
    (site / "static" / "leak.txt").symlink_to(outside)
    (site / "static" / "leak-dir").symlink_to(outside.parent, target_is_directory=True)
    try:
        with serving(site, tmpdir=tmp_path / "tmp") as server:
            for path in ("/leak.txt", "/leak-dir/bi-mat.txt", "/leak-dir/", "/leak-dir"):
                res = server.get(path)
                assert SECRET not in res.text, path
                if server.status()["ok"]:
                    assert res.status in (301, 400, 404), (path, res.status)
                else:  # the build refused the link, so there is no site to serve yet
                    assert res.status >= 400, (path, res.status)
    except ServeExited as refused:  # refusing to build such a site is fine too
        assert SECRET not in refused.stderr
        assert refused.returncode != 0


# ---------- Servers of their own: editing while serving ----------

def test_a_burst_of_saves_is_one_rebuild(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    article = site / ARTICLE_FILE
    original = article.read_text(encoding="utf-8")
    with serving(site, tmpdir=tmp_path / "tmp") as server:
        assert server.status() == {"builds": 1, "ok": True, "problems": []}
        started = time.monotonic()
        for i in range(3):
            article.write_text(original.replace(TITLE, f"{TITLE} lần {i}"), encoding="utf-8")
            if i < 2:
                time.sleep(0.03)
        assert time.monotonic() - started < 0.1, "the test machine is too slow for a burst"
        server.wait_for_builds(2)
        time.sleep(1.5)
        assert server.status() == {"builds": 2, "ok": True, "problems": []}
        assert h1(server.get(ARTICLE).text) == f"{TITLE} lần 2"
        rebuilt = [line for line in server.stdout.splitlines() if REBUILT.fullmatch(line)]
        assert len(rebuilt) == 1, server.stdout
    assert server.returncode == 0, server.stderr


def test_every_watched_kind_of_change_is_served(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    theme_404 = (REPO / "templates" / "404.html").read_text(encoding="utf-8")
    write(site / "templates" / "404.html",
          theme_404.replace("{% block content %}", "{% block content %}<p>mau-mot</p>"))
    with serving(site, tmpdir=tmp_path / "tmp") as server:
        def shows(path: str, text: str, status: int = 200) -> Callable[[], bool]:
            def check() -> bool:
                res = server.get(path)
                return res.status == status and text in res.text
            return check

        edit(site / "static" / "ghi-chu.txt", "Ghi chú", "Lưu ý")
        wait_until(shows("/ghi-chu.txt", "Lưu ý của tòa soạn"), "a changed static file")

        edit(site / "site.yaml", 'title: "Báo Thử"', 'title: "Báo Thử Mới"')
        wait_until(shows("/", "Báo Thử Mới"), "a changed site.yaml")

        edit(site / "templates" / "404.html", "mau-mot", "mau-hai")
        wait_until(shows(MISSING, "mau-hai", 404), "a changed template")

        # A new folder, then a second save in it: the new folder must be watched too.
        new = write(site / "content" / "kinh-te" / "thang-6" / "gia-vang.md",
                    FUTURE_ARTICLE.replace("Tin sắp đăng", "Giá vàng tăng")
                    .replace("2099", "2022"))
        wait_until(shows("/kinh-te/gia-vang-tang/", "Giá vàng tăng"), "a new article")
        edit(new, "Sắp đăng.", "Giá vàng trong nước tăng mạnh.")
        wait_until(shows("/kinh-te/gia-vang-tang/", "tăng mạnh"), "a save in a new folder")

        # Many editors save by writing a hidden file and renaming it over the article.
        article = site / ARTICLE_FILE
        hidden = article.with_name(".hoi-nghi-ha-noi.md.swp")
        hidden.write_text(article.read_text(encoding="utf-8").replace(TITLE, "Hội nghị bế mạc"),
                          encoding="utf-8")
        hidden.replace(article)
        wait_until(lambda: h1(server.get(ARTICLE).text) == "Hội nghị bế mạc",
                   "a save by renaming")

        new.unlink()
        wait_until(lambda: server.get("/kinh-te/gia-vang-tang/").status == 404,
                   "a deleted article")
        (site / "static" / "ghi-chu.txt").unlink()
        wait_until(lambda: server.get("/ghi-chu.txt").status == 404, "a deleted static file")
        assert server.status()["ok"] is True
    assert server.returncode == 0, server.stderr


def test_broken_article_keeps_the_last_good_site_until_it_is_fixed(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    article = site / ARTICLE_FILE
    with serving(site, tmpdir=tmp_path / "tmp") as server, server.events() as events:
        assert h1(server.get(ARTICLE).text) == TITLE

        edit(article, f'title: "{TITLE}"', "title: [")
        status = server.wait_for_builds(2)
        assert status["ok"] is False
        problems = status["problems"]
        assert problems and all(re.fullmatch(r"\S+:\d+: .+", p) for p in problems), problems
        assert [p for p in problems
                if p.startswith(f"{ARTICLE_FILE.as_posix()}:2: ")], problems
        assert json.loads(events.next("problems")) == problems
        assert server.wait_for_stderr(re.escape(problems[0])), server.stderr
        # Readers of the preview keep the last good pages.
        res = server.get(ARTICLE)
        assert res.status == 200 and h1(res.text) == TITLE
        assert server.get("/").status == 200
        # A page opened now learns about the problems at once.
        with server.events() as late:
            assert json.loads(late.next("problems", timeout=2)) == problems

        edit(article, "title: [", f'title: "{TITLE} (đã sửa)"')
        status = server.wait_for_builds(3)
        assert status == {"builds": 3, "ok": True, "problems": []}
        events.next("reload")
        assert h1(server.get(ARTICLE).text) == f"{TITLE} (đã sửa)"
        assert server.wait_for_stdout(REBUILT.pattern), server.stdout
    assert server.returncode == 0, server.stderr


def test_problem_text_is_reported_as_written(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    with serving(site, tmpdir=tmp_path / "tmp") as server, server.events() as events:
        edit(site / ARTICLE_FILE, "section: the-gioi", 'section: "<b>dam</b>"')
        status = server.wait_for_builds(2)
        assert any("'<b>dam</b>'" in p for p in status["problems"]), status
        assert json.loads(events.next("problems")) == status["problems"]


# ---------- Stopping ----------

def test_ctrl_c_stops_cleanly_and_leaves_nothing_behind(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    assert newsgen("build", "-s", site).code == 0
    published = manifest(site / "public")
    tmpdir = tmp_path / "tmp"
    with serving(site, tmpdir=tmpdir) as server:
        edit(site / ARTICLE_FILE, TITLE, f"{TITLE} mới")
        server.wait_for_builds(2)
        assert any(tmpdir.iterdir()), "serve kept no build in TMPDIR"
    assert server.stopped_in_time, f"still running {STOP_TIMEOUT} s after Ctrl-C\n{server.stderr}"
    assert server.returncode == 0, server.stderr
    assert "Traceback" not in server.stderr
    assert list(tmpdir.iterdir()) == []
    assert manifest(site / "public") == published
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.port), timeout=2).close()


def test_ctrl_c_stops_while_a_page_listens_for_reloads(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    tmpdir = tmp_path / "tmp"
    with serving(site, tmpdir=tmpdir) as server:
        events = server.events()
        assert events.status == 200
        try:
            server.interrupt()
        finally:
            events.close()
    assert server.stopped_in_time, f"still running {STOP_TIMEOUT} s after Ctrl-C\n{server.stderr}"
    assert server.returncode == 0, server.stderr
    assert "Traceback" not in server.stderr
    assert list(tmpdir.iterdir()) == []


def test_open_starts_a_browser_and_ctrl_c_works_while_it_starts(tmp_path: Path) -> None:
    # Python's webbrowser runs $BROWSER and waits for it: a slow browser keeps serve
    # inside `--open` long enough for an impatient Ctrl-C to land there.
    opened = tmp_path / "opened.txt"
    browser = write(tmp_path / "browser.sh", "#!/bin/sh\nexec >/dev/null 2>&1 </dev/null\n"
                    f'echo "$1" > "{opened}"\nsleep 3\n')
    browser.chmod(0o755)
    site = make_site(tmp_path / "site")
    tmpdir = tmp_path / "tmp"
    with serving(site, "--open", tmpdir=tmpdir, env={"BROWSER": str(browser)}) as server:
        wait_until(lambda: opened.is_file() and opened.read_text().strip() != "",
                   "--open never started the browser")
    assert opened.read_text(encoding="utf-8").strip() == server.url
    assert server.stopped_in_time, f"still running {STOP_TIMEOUT} s after Ctrl-C\n{server.stderr}"
    assert server.returncode == 0, server.stderr
    assert "Traceback" not in server.stderr
    assert list(tmpdir.iterdir()) == []


def test_broken_site_at_start_still_serves_and_reports(tmp_path: Path) -> None:
    """An editor may start the preview on a site that does not build yet."""
    site = make_site(tmp_path / "site")
    edit(site / ARTICLE_FILE, f'title: "{TITLE}"', "title: [")
    try:
        with serving(site, tmpdir=tmp_path / "tmp") as server:
            status = server.status()
            assert status["builds"] == 1 and status["ok"] is False, status
            with server.events() as events:
                assert json.loads(events.next("problems", timeout=2)) == status["problems"]
            edit(site / ARTICLE_FILE, "title: [", f'title: "{TITLE}"')
            assert server.wait_for_builds(2)["ok"] is True
            assert server.get(ARTICLE).status == 200
        assert server.returncode == 0, server.stderr
    except ServeExited as exited:
        pytest.fail(f"serve gave up on a site that does not build yet:\n{exited.stderr}")


def test_the_page_of_a_site_that_never_built_is_in_the_sites_language(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    edit(site / ARTICLE_FILE, f'title: "{TITLE}"', "title: [")
    with serving(site, tmpdir=tmp_path / "tmp", env={"NEWSGEN_MESSAGES": ""}) as server:
        res = server.get("/")
        page = BeautifulSoup(res.body.decode("utf-8"), "html.parser")
        assert (res.status, page.html["lang"], page.h1.get_text()) == (
            500, "vi", "Trang web chưa dựng được")
        assert [li.get_text() for li in page.find_all("li")] == server.status()["problems"]
        assert page.find_all("li")[0].get_text().startswith(
            f"{ARTICLE_FILE.as_posix()}:2: front matter không phải YAML hợp lệ: ")
        assert server.wait_for_stderr(r"front matter không phải YAML hợp lệ")


def test_a_templates_folder_made_while_serving_is_watched(tmp_path: Path) -> None:
    site = copy_site("minimal", tmp_path / "site")
    assert not (site / "templates").exists()
    with serving(site, tmpdir=tmp_path / "tmp") as server:
        (site / "templates").mkdir()
        server.wait_for_builds(2)
        builds = server.status()["builds"]
        theme = (REPO / "templates" / "404.html").read_text(encoding="utf-8")
        write(site / "templates" / "404.html", theme.replace("<h1", '<h1 data-rieng="1"', 1))
        server.wait_for_builds(builds + 1)
        assert 'data-rieng="1"' in server.request("/404.html").text

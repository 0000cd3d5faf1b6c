"""`check --external` never requests this machine or an internal network unless told to.

Article files come from stringers, so the URLs in them are chosen by people
outside the newsroom; a CI runner that requests `http://10.0.0.1/` or a cloud
metadata address on their behalf leaks what only the inside should see. The
tests run the real command against servers on 127.0.0.1, and, in process,
against a fake network in which every connection is recorded and nothing
private is ever reached.
"""

from __future__ import annotations

import http.server
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import copy_site, newsgen
from newsgen.cli import main

NOW = "2024-06-08T21:30:00+07:00"
ARTICLE = "the-gioi/dien-dan-kinh-doanh-da-nang/index.html"
SOURCE = "content/the-gioi/dien-dan-da-nang.md"
LINKS = 346  # the links of `minimal` without its one outside link
FAKE_PUBLIC = "93.184.215.14"  # a public address; the fake network routes it to a local server
SKIP_HINT = "add --allow-private to check it"


def site_linking(tmp_path: Path, *urls: str) -> Path:
    """`minimal` without its link to www.un.org, with `urls` at the end of the Đà Nẵng article.

    The first URL is on line 12 of the article, the next on 14, and so on.
    """
    site = copy_site("minimal", tmp_path / "site")
    other = site / "content" / "the-gioi" / "hoi-nghi-ha-noi.md"
    text = other.read_text(encoding="utf-8")
    other.write_text(text.replace('  - {title: "Liên Hợp Quốc", url: "https://www.un.org/"}\n',
                                  ""), encoding="utf-8")
    article = site / SOURCE
    body = "".join(f"\n[Nguồn {n}]({url})\n" for n, url in enumerate(urls, 1))
    article.write_text(article.read_text(encoding="utf-8") + body, encoding="utf-8")
    return site


def skipped(url: str, reason: str, line: int = 12) -> str:
    return f"{SOURCE}:{line}: warning: link to {url} was not checked: {reason}; {SKIP_HINT} " \
        f"(in {ARTICLE})"


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: Counter[str]
    redirects: dict[str, str]
    lock = threading.Lock()

    def _answer(self) -> None:
        with self.lock:
            self.seen[f"{self.command} {self.path}"] += 1
        location = self.redirects.get(self.path, "")
        self.send_response(301 if location else 200)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD = _answer

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class Server:
    url: str
    port: int
    seen: Counter[str]
    redirects: dict[str, str]


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    """Two recording servers on 127.0.0.1; `redirects` maps a path to a Location."""
    made: list[tuple[http.server.ThreadingHTTPServer, Server]] = []
    for _ in range(2):
        seen: Counter[str] = Counter()
        redirects: dict[str, str] = {}
        handler = type("Handler", (_Recorder,), {"seen": seen, "redirects": redirects})
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        httpd.daemon_threads = True
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        port = httpd.server_address[1]
        made.append((httpd, Server(f"http://127.0.0.1:{port}", port, seen, redirects)))
    yield [server for _, server in made]
    for httpd, _ in made:
        httpd.shutdown()
        httpd.server_close()


@dataclass
class FakeNetwork:
    """Names and connections under the test's control; every connection attempt is recorded.

    `dns` answers for names (anything else must be a numeric address: no real
    lookup happens); `routes` sends a fake public address to a local server;
    every other connection fails before a packet leaves, unless it is to
    127.0.0.1 and `loopback` is on.
    """

    dns: dict[str, list[str]] = field(default_factory=dict)
    routes: dict[tuple[str, int], int] = field(default_factory=dict)
    loopback: bool = False
    attempts: list[tuple[str, int]] = field(default_factory=list)


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> FakeNetwork:
    fake = FakeNetwork()
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if isinstance(host, bytes):
            host = host.decode("ascii")
        if host in fake.dns:
            return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                     (a, port, 0, 0) if ":" in a else (a, port)) for a in fake.dns[host]]
        return real_getaddrinfo(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)

    def connect(sock: socket.socket, address) -> None:
        host, port = address[0], address[1]
        fake.attempts.append((host, port))
        if (host, port) in fake.routes:
            fake.attempts.pop()  # the public server stands in for the Internet: allowed
            return real_connect(sock, ("127.0.0.1", fake.routes[host, port]))
        if fake.loopback and host == "127.0.0.1":
            return real_connect(sock, address)
        raise ConnectionRefusedError(111, "refused by the test's fake network")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    return fake


def check(site: Path, capsys: pytest.CaptureFixture[str], *args: str
          ) -> tuple[int, list[str], list[str]]:
    """Run `newsgen check --external` in this process, so the fake network applies."""
    code = main(["check", "-s", str(site), "-q", "--external", "--timeout", "2", "--now", NOW,
                 *args])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err.splitlines()


# The real command, against a real server on this machine.

def test_a_link_to_this_machine_is_not_requested(tmp_path: Path,
                                                 servers: list[Server]) -> None:
    server = servers[0]
    site = site_linking(tmp_path, f"{server.url}/admin/xoa-het")
    run = newsgen("check", "-s", site, "--external", "--timeout", "2", "--now", NOW)
    assert not server.seen, "the server on 127.0.0.1 must get no request at all"
    assert run.code == 0, run.err
    assert run.err.splitlines() == [skipped(
        f"{server.url}/admin/xoa-het", "it points to 127.0.0.1, a loopback address "
        "(this computer)")]
    assert run.out.splitlines()[-1] == \
        f"checked 15 pages, {LINKS + 1} links: no problems, 1 link not checked"
    cache = site / ".newsgen-cache" / "external-links.json"
    assert not cache.exists() or f"{server.url}/admin/xoa-het" not in cache.read_text("utf-8")


def test_allow_private_requests_this_machine_and_only_then(tmp_path: Path,
                                                           servers: list[Server]) -> None:
    server = servers[0]
    site = site_linking(tmp_path, f"{server.url}/ok")
    run = newsgen("check", "-s", site, "--external", "--allow-private", "--now", NOW)
    assert (run.code, run.err) == (0, "")
    assert server.seen == {"HEAD /ok": 1}
    assert run.out.splitlines()[-1] == f"checked 15 pages, {LINKS + 1} links: no problems"

    server.seen.clear()  # a good answer is in the cache now, but only for --allow-private
    run = newsgen("check", "-s", site, "--external", "--now", NOW)
    assert run.code == 0, run.err
    assert not server.seen
    assert run.err.splitlines() == [skipped(
        f"{server.url}/ok", "it points to 127.0.0.1, a loopback address (this computer)")]


def test_a_name_for_this_machine_is_refused_after_looking_it_up(tmp_path: Path,
                                                                servers: list[Server]) -> None:
    server = servers[0]
    url = f"http://localhost:{server.port}/admin"
    site = site_linking(tmp_path, url)
    run = newsgen("check", "-s", site, "--external", "--timeout", "2", "--now", NOW)
    assert not server.seen
    assert run.code == 0, run.err
    [line] = run.err.splitlines()
    assert line.startswith(f"{SOURCE}:12: warning: link to {url} was not checked: localhost "
                           "points to ")
    assert "a loopback address (this computer)" in line and line.endswith(
        f"; {SKIP_HINT} (in {ARTICLE})")


# In process, on the fake network: no packet goes anywhere private, not even a SYN.

@pytest.mark.parametrize(("url", "reason"), [
    ("http://[::1]:8080/", "it points to ::1, a loopback address (this computer)"),
    ("http://0.0.0.0/", "it points to 0.0.0.0, an unspecified address (this computer)"),
    ("http://169.254.169.254/latest/meta-data/",
     "it points to 169.254.169.254, a link-local address (the local network segment, where "
     "cloud servers answer questions about themselves)"),
    ("http://10.0.0.1/", "it points to 10.0.0.1, a private address (an internal network)"),
    ("http://[::ffff:127.0.0.1]/",
     "it points to ::ffff:127.0.0.1, a loopback address (this computer)"),
    ("https://192.168.1.1:8443/", "it points to 192.168.1.1, a private address "
     "(an internal network)"),
    ("http://127.1/", "127.1 points to 127.0.0.1, a loopback address (this computer)"),
    ("http://[2002:7f00:1::]/", "it points to 2002:7f00:1::, a loopback address "
     "(this computer)"),
    ("http://100.64.0.1/", "it points to 100.64.0.1, not an address on the public Internet"),
    ("http://224.0.0.1/", "it points to 224.0.0.1, not an address on the public Internet"),
    ("http://tin-noi-bo.example/", "tin-noi-bo.example points to 10.1.2.3, a private address "
     "(an internal network)"),
    ("http://nua-noi-bo.example/", "nua-noi-bo.example points to 10.9.9.9, a private address "
     "(an internal network)"),
])
def test_private_addresses_are_skipped_before_connecting(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], network: FakeNetwork,
        url: str, reason: str) -> None:
    network.dns["tin-noi-bo.example"] = ["10.1.2.3"]
    network.dns["nua-noi-bo.example"] = [FAKE_PUBLIC, "10.9.9.9"]  # one private answer is enough
    site = site_linking(tmp_path, url)
    code, out, err = check(site, capsys)
    assert network.attempts == []
    assert (code, out, err) == (0, [], [skipped(url, reason)])


def test_a_redirect_to_this_machine_is_not_followed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], network: FakeNetwork,
        servers: list[Server]) -> None:
    public, private = servers
    network.dns["ban-tin.example"] = [FAKE_PUBLIC]
    network.routes[FAKE_PUBLIC, 80] = public.port
    network.loopback = True  # so that a request to the private server would arrive
    public.redirects["/cu"] = f"{private.url}/admin"
    public.redirects["/dung"] = "/moi"
    site = site_linking(tmp_path, "http://ban-tin.example/cu", "http://ban-tin.example/dung")
    code, out, err = check(site, capsys)
    assert not private.seen, "the redirect to 127.0.0.1 must not be followed"
    assert public.seen == {"HEAD /cu": 1, "HEAD /dung": 1, "HEAD /moi": 1}
    assert (code, out) == (0, [])
    assert err == [skipped("http://ban-tin.example/cu", f"it redirects to {private.url}/admin, "
                           "which points to 127.0.0.1, a loopback address (this computer)")]


def test_a_redirect_to_something_other_than_the_web(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], network: FakeNetwork,
        servers: list[Server]) -> None:
    public = servers[0]
    network.dns["ban-tin.example"] = [FAKE_PUBLIC]
    network.routes[FAKE_PUBLIC, 80] = public.port
    public.redirects["/ftp"] = f"ftp://{FAKE_PUBLIC}/tep"
    public.redirects["/file"] = "file:///etc/passwd"
    site = site_linking(tmp_path, "http://ban-tin.example/ftp", "http://ban-tin.example/file")
    code, _, err = check(site, capsys)
    assert network.attempts == []
    assert code == 1
    assert err == [
        f"{SOURCE}:12: link to http://ban-tin.example/ftp redirects to ftp://{FAKE_PUBLIC}/tep, "
        f"which is not an http or https address (in {ARTICLE})",
        f"{SOURCE}:14: link to http://ban-tin.example/file redirects to file:///etc/passwd, "
        f"which is not an http or https address (in {ARTICLE})",
        "check failed: 2 problems",
    ]




def test_a_link_that_is_not_a_valid_address(tmp_path: Path) -> None:
    site = site_linking(tmp_path)
    config = site / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "raw_html: true\n", encoding="utf-8")
    article = site / SOURCE
    article.write_text(article.read_text(encoding="utf-8")
                       + '\n<a href="http://[::1/admin">Quản trị</a>\n', encoding="utf-8")
    run = newsgen("check", "-s", site, "--external", "--now", NOW)
    assert run.code == 1
    assert run.err.splitlines() == [
        f"{SOURCE}:12: link to http://[::1/admin is not a valid address (Invalid IPv6 URL) "
        f"(in {ARTICLE})",
        "check failed: 1 problem",
    ]

"""`newsgen serve` against hostile web pages and hostile clients, over real sockets.

A web page the editor visits can point its own domain at 127.0.0.1 (DNS
rebinding) and read the preview, drafts included, through the editor's
browser: only the Host header gives it away. A client on the network, or a
stuck one, can hold connections open. Neither may read the site or keep Ctrl-C
from stopping the server.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import copy_site, write
from newsgen import serve as serve_module
from serving import Server, closed_after, exchange, serving

TITLE = "Hội nghị thượng đỉnh tại Hà Nội"
ARTICLE = "/the-gioi/hoi-nghi-thuong-dinh-tai-ha-noi/"

# The limits these tests rely on; test_the_limits_are_serves_own checks that
# serve.py says the same.
IDLE = 10.0  # seconds a connection may stay silent before the server drops it
BOUND = 32  # connections served at once
SLACK = 3.0  # a loaded test machine


def request(port: int, path: str = "/", host: str | None = None, *,
            version: str = "HTTP/1.1", extra: str = "", timeout: float = 5.0):
    """GET `path` naming `host` (or no Host at all when None) on a raw socket."""
    head = f"GET {path} {version}\r\n"
    if host is not None:
        head += f"Host: {host}\r\n"
    head += f"{extra}Accept: */*\r\nConnection: close\r\n\r\n"
    return exchange(port, head.encode("utf-8"), timeout=timeout)


def nothing_of_the_site(body: bytes) -> None:
    text = body.decode("utf-8", errors="replace")
    for leak in (TITLE, "Báo Thử", "<html", "<!doctype", '"builds"', "EventSource",
                 "event:", "retry:"):
        assert leak.lower() not in text.lower(), (leak, text[:300])


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    base = tmp_path_factory.mktemp("serve-hardening")
    with serving(copy_site("minimal", base / "site"), tmpdir=base / "tmp") as server:
        yield server


# ---------- Host: only the server's own names ----------

FOREIGN = ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example",
           "127.0.0.1.evil.example:{port}", "localhost.evil.example:{port}",
           "EVIL.example:{port}"]


@pytest.mark.parametrize("path", ["/", ARTICLE, "/__newsgen/status", "/__newsgen/events",
                                  "/__newsgen/client.js", "/khong-co/"])
@pytest.mark.parametrize("host", FOREIGN)
def test_a_foreign_host_gets_421_and_nothing_of_the_site(shared: Server, host: str,
                                                         path: str) -> None:
    res = request(shared.port, path, host.format(port=shared.port), timeout=3)
    assert res.status == 421, (res.status, res.body[:200])
    assert res.media_type()[0] == "text/plain"
    nothing_of_the_site(res.body)
    # It says what to use instead.
    assert "localhost" in res.text and f"127.0.0.1:{shared.port}" in res.text, res.text


def test_the_servers_own_names_are_answered_and_only_they(shared: Server) -> None:
    port = shared.port
    expected = {
        "localhost": 200, f"localhost:{port}": 200, f"LocalHost:{port}": 200,
        "127.0.0.1": 200, f"127.0.0.1:{port}": 200, f"[::1]:{port}": 200, "[::1]": 200,
        f"localhost:{port + 1}": 421, f"127.0.0.1:{port + 1}": 421, "localhost:1": 421,
        f"[::1]:{port + 1}": 421, f"127.0.0.2:{port}": 421, f"[::2]:{port}": 421,
        f"localhost.:{port}": 421, f"evil.example:{port}": 421,
        f"127.0.0.1:{port}x": 400, "127.0.0.1:": 400, f"[::1:{port}": 400,
        f"::1:{port}": 400, "": 400, f"local host:{port}": 400,
        f"evil.example:{port}@127.0.0.1": 400,
    }
    answered = {host: request(port, "/", host, timeout=3).status for host in expected}
    assert answered == expected


def test_a_wrong_port_in_host_is_refused(shared: Server) -> None:
    for host in (f"localhost:{shared.port + 1}", f"127.0.0.1:{shared.port - 1}", "127.0.0.1:80"):
        res = request(shared.port, "/__newsgen/status", host, timeout=3)
        assert res.status == 421, (host, res.status)
        nothing_of_the_site(res.body)


def test_a_missing_or_doubled_host_is_refused(shared: Server) -> None:
    """No browser leaves Host out, so refusing it costs nobody a page (as Vite does)."""
    port = shared.port
    for res in (request(port, "/", None, version="HTTP/1.0"),
                request(port, "/", None, version="HTTP/1.1"),
                request(port, "/", f"127.0.0.1:{port}", extra="Host: evil.example\r\n"),
                request(port, "/", f"127.0.0.1:{port}", extra=f"Host: 127.0.0.1:{port}\r\n")):
        assert res.status == 400, res.status
        nothing_of_the_site(res.body)


def test_listening_on_all_interfaces_accepts_addresses_and_the_machines_name(
        tmp_path: Path) -> None:
    site = copy_site("minimal", tmp_path / "site")
    with serving(site, "--host", "0.0.0.0", tmpdir=tmp_path / "tmp") as server:
        port = server.port
        name = socket.gethostname().lower()
        expected = {
            f"localhost:{port}": 200, f"127.0.0.1:{port}": 200, f"192.0.2.7:{port}": 200,
            "192.0.2.7": 200, f"[2001:db8::7]:{port}": 200, f"{name}:{port}": 200,
            f"192.0.2.7:{port + 1}": 421, f"evil.example:{port}": 421,
            f"192.0.2.7.evil.example:{port}": 421, f"{name}.evil.example:{port}": 421,
        }
        answered = {host: request(port, "/", host, timeout=3).status for host in expected}
        assert answered == expected
    assert server.returncode == 0, server.stderr


def test_the_host_given_with_dash_dash_host_is_accepted(tmp_path: Path) -> None:
    site = copy_site("minimal", tmp_path / "site")
    with serving(site, "--host", "localhost", tmpdir=tmp_path / "tmp") as server:
        port = server.port
        expected = {f"localhost:{port}": 200, f"127.0.0.1:{port}": 200,
                    f"evil.example:{port}": 421, f"localhost:{port + 1}": 421}
        answered = {host: request(port, "/", host, timeout=3).status for host in expected}
        assert answered == expected
    assert server.returncode == 0, server.stderr


# ---------- Stopping while a client is stuck ----------

@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("sent", [
    b"GET / HTTP/1.1\r\nHost: 127",  # half the headers
    b"GE",  # half the request line
    b"",  # nothing at all
], ids=["half-headers", "half-request-line", "silent"])
def test_a_half_sent_request_does_not_delay_stopping(tmp_path: Path, sig: signal.Signals,
                                                     sent: bytes) -> None:
    tmpdir = tmp_path / "tmp"
    with serving(copy_site("minimal", tmp_path / "site"), tmpdir=tmpdir) as server, \
            socket.create_connection(("127.0.0.1", server.port), timeout=10) as stuck:
        assert any(tmpdir.iterdir()), "serve kept no build in TMPDIR"
        stuck.sendall(sent)
        time.sleep(0.5)  # the server is now waiting for the rest
        started = time.monotonic()
        server.process.send_signal(sig)
        try:
            server.process.wait(3)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running 3 s after {sig.name} with a half request open")
        took = time.monotonic() - started
    assert took < 3
    assert server.returncode == 0, server.stderr
    assert "Traceback" not in server.stderr, server.stderr
    assert list(tmpdir.iterdir()) == []


# ---------- Timeouts and the bound on connections ----------

def test_a_silent_connection_is_dropped_but_the_event_stream_is_not(tmp_path: Path) -> None:
    site = copy_site("minimal", tmp_path / "site")
    article = site / "content/the-gioi/hoi-nghi-ha-noi.md"
    with serving(site, tmpdir=tmp_path / "tmp") as server, server.events() as events, \
            socket.create_connection(("127.0.0.1", server.port), timeout=10) as silent, \
            socket.create_connection(("127.0.0.1", server.port), timeout=10) as half:
        half.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        took = closed_after(silent, IDLE + SLACK)
        assert took is not None, f"a silent connection still open after {IDLE + SLACK} s"
        assert IDLE - 1 <= took <= IDLE + SLACK, took
        assert closed_after(half, SLACK) is not None, "a half request still open"
        # The page listening for reloads is still there, past the same time.
        write(article, article.read_text(encoding="utf-8").replace(TITLE, f"{TITLE} mới"))
        events.next("reload", timeout=10)
        assert server.get("/").status == 200
    assert server.returncode == 0, server.stderr


def test_beyond_the_bound_a_connection_is_refused_fast_and_service_comes_back(
        tmp_path: Path) -> None:
    with serving(copy_site("minimal", tmp_path / "site"), tmpdir=tmp_path / "tmp") as server:
        silent = [socket.create_connection(("127.0.0.1", server.port), timeout=10)
                  for _ in range(BOUND)]
        try:
            started = time.monotonic()
            refused = request(server.port, "/", f"127.0.0.1:{server.port}", timeout=5)
            assert time.monotonic() - started < 1.0
            assert refused.status == 503, refused.status
            assert refused.header("Retry-After")
            nothing_of_the_site(refused.body)
            # Once the silent ones are dropped, a page is served again.
            for sock in silent:
                assert closed_after(sock, IDLE + SLACK) is not None
            res = request(server.port, "/", f"127.0.0.1:{server.port}", timeout=5)
            assert res.status == 200 and TITLE in res.text
        finally:
            for sock in silent:
                sock.close()
        status = json.loads(server.get("/__newsgen/status").body)
        assert status["ok"] is True
    assert server.returncode == 0, server.stderr


def test_the_limits_are_serves_own() -> None:
    assert serve_module.IDLE_TIMEOUT == IDLE
    assert serve_module.MAX_CONNECTIONS == BOUND

"""Running `newsgen serve` as an editor does, and talking to it over real HTTP.

The server runs as a separate process so that the tests see exactly what an
editor sees: what it prints, what it answers, how Ctrl-C stops it. Requests go
through http.client, which sends a path byte for byte; urllib would tidy
`/../` and `%2e%2e` away before the server ever saw them.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

# As printed in English, or in Vietnamese where a test lets messages follow the site.
SERVING = re.compile(r"(?:serving|đang phục vụ) (http://([^/:\s]+):(\d+)/) "
                     r"\(Ctrl-C (?:to stop|để dừng)\)")
REBUILT = re.compile(r"rebuilt \d+ pages? in \d+\.\d\d s: (nothing changed|\d+ rendered, "
                     r"\d+ files? changed)")
INJECTED = '<script src="/__newsgen/client.js"></script>'

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


class ServeExited(AssertionError):
    """The server stopped before it said where it serves: usually the site did not build."""

    def __init__(self, returncode: int | None, stderr: str) -> None:
        super().__init__(f"newsgen serve exited with {returncode} before serving:\n{stderr}")
        self.returncode = returncode
        self.stderr = stderr


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def media_type(self) -> list[str]:
        """Content-Type split into its parts, lower case: ['text/html', 'charset=utf-8']."""
        value = self.header("Content-Type") or ""
        return [part.strip().lower().replace(" ", "") for part in value.split(";")
                if part.strip()]


class _Lines:
    """Collects a pipe's lines in the background, so a chatty server never blocks on it."""

    def __init__(self, stream) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            with self._changed:
                self.lines.append(line.rstrip("\r\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for(self, pattern: re.Pattern[str], timeout: float,
                 alive: Callable[[], bool] = lambda: True) -> re.Match[str] | None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for line in self.lines:
                    if match := pattern.search(line):
                        return match
                left = deadline - time.monotonic()
                if left <= 0 or (not alive() and not self._thread.is_alive()):
                    return None
                self._changed.wait(min(left, 0.1))

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    @property
    def text(self) -> str:
        with self._changed:
            return "".join(line + "\n" for line in self.lines)


class Server:
    """A running `newsgen serve`: its address, its output, and a client for its paths."""

    def __init__(self, process: subprocess.Popen[str], out: _Lines, err: _Lines,
                 url: str, host: str, port: int) -> None:
        self.process = process
        self._out = out
        self._err = err
        self.url = url  # as printed
        self.host = host
        self.port = port
        # Always reach the server through loopback, whatever address it binds.
        self.origin = f"http://127.0.0.1:{port}"
        self.returncode: int | None = None
        self.stopped_in_time = True

    @property
    def stdout(self) -> str:
        return self._out.text

    @property
    def stderr(self) -> str:
        return self._err.text

    # ---------- HTTP ----------

    def request(self, path: str, method: str = "GET", headers: dict[str, str] | None = None,
                timeout: float = 10.0) -> Response:
        """Sends `path` exactly as given, on a fresh connection."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.putrequest(method, path, skip_accept_encoding=True)
            for name, value in (headers or {}).items():
                conn.putheader(name, value)
            conn.endheaders()
            res = conn.getresponse()
            body = res.read()
            return Response(res.status, {k.lower(): v for k, v in res.getheaders()}, body)
        finally:
            conn.close()

    def get(self, path: str) -> Response:
        return self.request(path)

    def status(self) -> dict:
        res = self.request("/__newsgen/status")
        assert res.status == 200, f"/__newsgen/status answered {res.status}: {res.text[:300]}"
        return json.loads(res.body)

    def wait_for_builds(self, n: int, timeout: float = 10.0) -> dict:
        """Polls the status until `n` builds have finished; returns that status."""
        deadline = time.monotonic() + timeout
        while True:
            status = self.status()
            if status["builds"] >= n:
                return status
            if time.monotonic() > deadline:
                raise AssertionError(f"still {status} after {timeout} s, waiting for {n} "
                                     f"builds\nstderr:\n{self.stderr}")
            time.sleep(0.05)

    def events(self) -> EventStream:
        return EventStream(self.port)

    # ---------- output ----------

    def wait_for_stdout(self, pattern: str, timeout: float = 5.0) -> re.Match[str] | None:
        return self._out.wait_for(re.compile(pattern), timeout)

    def wait_for_stderr(self, pattern: str, timeout: float = 5.0) -> re.Match[str] | None:
        return self._err.wait_for(re.compile(pattern), timeout)

    # ---------- stopping ----------

    def interrupt(self) -> None:
        """Ctrl-C, as an editor stops it; kills it only if it ignores that."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.returncode = self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.stopped_in_time = False
            self.process.kill()
            self.returncode = self.process.wait()
        self._out.join(5)
        self._err.join(5)


def _start(args: list[str], env: dict[str, str], cwd: Path | None
           ) -> tuple[subprocess.Popen[str], _Lines, _Lines]:
    process = subprocess.Popen([sys.executable, "-m", "newsgen", "serve", *args], cwd=cwd,
                               env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, encoding="utf-8",
                               errors="replace")
    return process, _Lines(process.stdout), _Lines(process.stderr)


@contextlib.contextmanager
def serving(site: Path, *args: str, tmpdir: Path, cwd: Path | None = None,
            env: dict[str, str] | None = None) -> Iterator[Server]:
    """`newsgen serve -s SITE --port 0 ARGS`, with its temporary files kept in `tmpdir`.

    Leaving the block presses Ctrl-C; afterwards `returncode`, `stdout` and
    `stderr` say how it went. Raises ServeExited when it stops before serving.
    """
    tmpdir.mkdir(parents=True, exist_ok=True)
    full_env = {**os.environ, "PYTHONUTF8": "1", "PYTHONUNBUFFERED": "1",
                "TMPDIR": str(tmpdir), **(env or {})}
    if "--port" not in args:
        args = ("--port", "0", *args)
    process, out, err = _start(["-s", str(site), *args], full_env, cwd)
    match = out.wait_for(SERVING, START_TIMEOUT, alive=lambda: process.poll() is None)
    if match is None:
        code = process.poll()
        if code is None:
            process.kill()
            process.wait()
            err.join(5)
            raise AssertionError(f"newsgen serve printed no 'serving http://...' line in "
                                 f"{START_TIMEOUT:.0f} s\nstdout:\n{out.text}\n"
                                 f"stderr:\n{err.text}")
        err.join(5)
        raise ServeExited(code, err.text)
    server = Server(process, out, err, match.group(1), match.group(2), int(match.group(3)))
    try:
        yield server
    finally:
        server.interrupt()


class EventStream:
    """A Server-Sent Events client for /__newsgen/events, read on a background thread."""

    def __init__(self, port: int, path: str = "/__newsgen/events") -> None:
        self._conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self._conn.putrequest("GET", path, skip_accept_encoding=True)
        self._conn.putheader("Accept", "text/event-stream")
        self._conn.endheaders()
        # Kept now: the response takes the socket over and the connection forgets it.
        self._sock = self._conn.sock
        self.response = self._conn.getresponse()
        self.status = self.response.status
        self.headers = {k.lower(): v for k, v in self.response.getheaders()}
        self._events: queue.Queue[tuple[str, str]] = queue.Queue()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        name, data = "", []
        try:
            while line := self.response.readline():
                line = line.decode("utf-8").rstrip("\r\n")
                if not line:
                    if data or name:
                        self._events.put((name or "message", "\n".join(data)))
                    name, data = "", []
                elif line.startswith(":"):
                    continue  # a comment, sent to keep the connection open
                else:
                    field, _, value = line.partition(":")
                    value = value.removeprefix(" ")
                    if field == "event":
                        name = value
                    elif field == "data":
                        data.append(value)
        except (OSError, ValueError, http.client.HTTPException):
            pass  # closed by the test or by the server stopping

    def next(self, name: str, timeout: float = 5.0) -> str:
        """Data of the next event called `name`; other events before it are skipped."""
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            try:
                event, data = self._events.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no '{name}' event within {timeout} s; "
                                     f"saw {seen}") from None
            if event == name:
                return data
            seen.append(event)

    def pending(self) -> list[tuple[str, str]]:
        """Events already received and not read yet."""
        found = []
        while True:
            try:
                found.append(self._events.get_nowait())
            except queue.Empty:
                return found

    def close(self) -> None:
        # Shutting the socket down wakes the reader; closing the response under it would race.
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._thread.join(5)
        self.response.close()
        self._conn.close()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def exchange(port: int, request: bytes, timeout: float = 5.0) -> Response:
    """Sends `request` byte for byte and reads until the server closes or `timeout` passes.

    For what http.client will not send: a foreign, missing or doubled Host, a
    half request. An answer that never ends (an event stream) is cut at `timeout`.
    """
    received = b""
    deadline = time.monotonic() + timeout
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        with contextlib.suppress(TimeoutError, ConnectionResetError):
            while (left := deadline - time.monotonic()) > 0:
                sock.settimeout(left)
                if not (chunk := sock.recv(65536)):
                    break
                received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("iso-8859-1").split("\r\n")
    match = re.fullmatch(r"HTTP/1\.[01] (\d{3})(?: .*)?", lines[0])
    if match is None:
        raise AssertionError(f"not an HTTP answer: {received[:200]!r}")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Response(int(match.group(1)), headers, body)


def closed_after(sock: socket.socket, timeout: float) -> float | None:
    """Seconds until the server closes `sock` (anything it sends is dropped); None if
    it is still open after `timeout`."""
    start = time.monotonic()
    sock.settimeout(timeout)
    try:
        while sock.recv(65536):
            sock.settimeout(max(0.01, timeout - (time.monotonic() - start)))
    except TimeoutError:
        return None
    except ConnectionResetError:
        pass
    return time.monotonic() - start

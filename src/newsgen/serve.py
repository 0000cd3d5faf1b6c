"""`newsgen serve`: a live preview that never shows a stale page or hides an error.

The site is built into a temporary folder through the same staging and atomic
swap as `newsgen build`, so a request never meets half a site. The watchdog
callback only marks the site dirty; one loop waits until the saves stop
(editors' tools write a file several times per save), rebuilds, and tells the
open pages over Server-Sent Events to reload, or to show what went wrong on top
of the last good version, which stays served.

The preview holds drafts, so it answers only requests that name it (see
HostCheck), and no client, stuck or hostile, can hold a thread for long or keep
Ctrl-C from stopping the server at once.
"""

from __future__ import annotations

import contextlib
import http.server
import ipaddress
import json
import logging
import queue
import re
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import webbrowser
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote

from markupsafe import escape
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from newsgen.build import BuildOptions, build
from newsgen.content.config import site_language
from newsgen.errors import NewsgenError
from newsgen.messages import _, choose, language, ngettext, say, use

log = logging.getLogger(__name__)

RESERVED = "/__newsgen/"
CLIENT = RESERVED + "client.js"
EVENTS = RESERVED + "events"
STATUS = RESERVED + "status"
QUIET_SECONDS = 0.15  # a save is over when nothing changed for this long
WATCHED = ("content", "templates", "static")
CHANGES = {"created", "modified", "deleted", "moved", "closed"}  # not "opened": builds read

# A browser sends a whole request at once; a client silent for this long is
# stuck or hostile, and its thread is better spent on someone else.
IDLE_TIMEOUT = 10.0
# Connections served at once. A browser opens at most 6 to one server and every
# open page keeps one for its reload stream, so only a hostile or broken client
# meets the limit; beyond it a connection gets 503 at once instead of a thread.
MAX_CONNECTIONS = 32
STOP_GRACE = 0.5  # how long stopping waits for answers under way, after closing their sockets
WILDCARD = ("0.0.0.0", "::", "")
HOST = re.compile(r"(?:\[(?P<ip6>[0-9a-f:.]+)\]|(?P<name>[a-z0-9_.-]+))(?::(?P<port>[0-9]{1,5}))?")

TEXT_TYPES = {
    ".html": "text/html", ".css": "text/css", ".js": "text/javascript",
    ".xml": "application/xml", ".json": "application/json", ".txt": "text/plain",
    ".svg": "image/svg+xml", ".md": "text/plain", "": "text/plain",
}
BINARY_TYPES = {
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".avif": "image/avif", ".ico": "image/x-icon",
    ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".otf": "font/otf",
    ".pdf": "application/pdf", ".mp4": "video/mp4", ".webm": "video/webm",
}

CLIENT_JS = """\
// Injected by `newsgen serve` only: reloads on a rebuild, shows failed builds.
(() => {
  "use strict";
  const source = new EventSource("__EVENTS__");
  source.addEventListener("reload", () => location.reload());
  source.addEventListener("problems", (event) => show(JSON.parse(event.data)));
  function show(lines) {
    let box = document.getElementById("newsgen-overlay");
    if (!box) {
      box = document.createElement("div");
      box.id = "newsgen-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 0 0 0;z-index:2147483647;" +
        "max-height:60vh;overflow:auto;margin:0;padding:1rem 1.25rem;" +
        "background:#fff4f4;color:#5c0000;border-top:4px solid #b00020;" +
        "font:0.9rem/1.5 ui-monospace,monospace;box-shadow:0 -4px 16px rgb(0 0 0 / 20%)";
      document.body.append(box);
    }
    const title = document.createElement("p");
    title.style.cssText = "margin:0 0 .5rem;font-weight:bold";
    title.textContent = __TITLE__;
    const list = document.createElement("ul");
    list.style.cssText = "margin:0;padding-left:1.25rem";
    for (const line of lines) {
      const item = document.createElement("li");
      item.textContent = line;
      list.append(item);
    }
    box.replaceChildren(title, list);
  }
})();
""".replace("__EVENTS__", EVENTS)
SCRIPT_TAG = f'<script src="{CLIENT}"></script>'.encode()


@dataclass
class State:
    """What the last build left: read by request threads, written by the build loop."""

    builds: int = 0
    ok: bool = False
    problems: list[str] = field(default_factory=list)
    subscribers: set[queue.Queue[tuple[str, str]]] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def publish(self, event: str, data: str) -> None:
        with self.lock:
            for subscriber in self.subscribers:
                subscriber.put((event, data))


def client_js() -> bytes:
    """The client script, its words in the language of messages."""
    title = _("newsgen: the last change does not build. This page is the last version "
              "that did.")
    return CLIENT_JS.replace("__TITLE__", json.dumps(say(title), ensure_ascii=False)).encode()


class Resolved:
    """Where a request path leads inside the served folder."""

    def __init__(self, status: int, path: Path | None = None, location: str = "") -> None:
        self.status = status
        self.path = path
        self.location = location


def resolve(root: Path, target: str) -> Resolved:
    """Map a request target to a file under `root`, refusing every way out of it.

    Encoded slashes, backslashes, NUL and '..' are refused outright (400);
    anything that resolves outside `root`, through a symlink for example, is
    simply not there (404).
    """
    raw, _, query = target.partition("?")
    raw = raw.split("#", 1)[0]
    lowered = raw.lower()
    if not raw.startswith("/") or any(bad in lowered for bad in ("%2f", "%5c", "%00", "\\")):
        return Resolved(400)
    path = unquote(raw)
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if "\x00" in path or ".." in parts:
        return Resolved(400)
    base = root.resolve()
    candidate = base.joinpath(*parts).resolve()
    if not candidate.is_relative_to(base):
        return Resolved(404)
    if candidate.is_dir():
        if not path.endswith("/"):
            return Resolved(301, location=raw + "/" + (f"?{query}" if query else ""))
        candidate = (candidate / "index.html").resolve()
        if not candidate.is_relative_to(base):
            return Resolved(404)
    return Resolved(200, candidate) if candidate.is_file() else Resolved(404)


def content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in TEXT_TYPES:
        return f"{TEXT_TYPES[suffix]}; charset=utf-8"
    return BINARY_TYPES.get(suffix, "application/octet-stream")


def inject(html: bytes) -> bytes:
    """The client script before </body>: only served pages get it, files on disk never."""
    at = html.lower().rfind(b"</body>")
    return html + SCRIPT_TAG if at < 0 else html[:at] + SCRIPT_TAG + html[at:]


def _ip(name: str) -> str | None:
    """The address in its one canonical spelling, so that [0:0::1] is [::1]; None for a name."""
    try:
        return str(ipaddress.ip_address(name))
    except ValueError:
        return None


class HostCheck:
    """Which Host values name this server: the one thing that tells a DNS-rebinding page apart.

    A page on evil.example can point its own name at 127.0.0.1 and, being
    same-origin with itself, read everything the preview answers, drafts and
    /__newsgen/status included. Its requests still say `Host: evil.example`, so
    an allow-list of the names this server really has stops it, as in Vite and
    webpack-dev-server. An IP address in Host can't be rebound (the page's
    origin is then the address itself), so when listening on every interface,
    where the machine's own addresses can't all be known, any address passes,
    and so does the machine's own name; a DNS name never does. A port, when
    given, must be the one listened on.

    A request without Host is refused (400), as Vite and webpack-dev-server do:
    every browser sends Host, HTTP/1.1 requires it, and letting a missing one
    through would be the one gap in the list for no one's benefit.
    """

    def __init__(self, given: str, bound: str, port: int) -> None:
        self.port = port
        self.any_address = given in WILDCARD
        names = ["localhost", "127.0.0.1", "::1", given.strip("[]").lower(), bound.lower()]
        if self.any_address:
            names.append(socket.gethostname().lower())
        self.names: list[str] = []
        for name in names:
            name = _ip(name) or name
            if name not in (*WILDCARD, *self.names):
                self.names.append(name)

    def status(self, values: list[str]) -> int:
        """200 when `values`, every Host header of a request, name this server; else 400 or 421."""
        if len(values) != 1 or not (found := HOST.fullmatch(values[0].strip().lower())):
            return 400
        name = found["name"] or found["ip6"]
        address = _ip(name)
        if found["ip6"] and (address is None or ":" not in address):
            return 400  # brackets hold an IPv6 address and nothing else
        if found["port"] is not None and int(found["port"]) != self.port:
            return 421
        if (address or name) in self.names or (self.any_address and address):
            return 200
        return 421

    def explain(self) -> bytes:
        """The refusal's whole body: what to type instead, and nothing of the site."""
        shown = [f"[{n}]" if ":" in n else n for n in self.names]
        listed = ", ".join(f"{n}:{self.port}" for n in shown)
        more = _(" or any IP address of this machine") if self.any_address else ""
        return say(_("newsgen serve answers only requests addressed to {listed}{more}.\n"
                     "Open the preview at http://localhost:{port}/ instead.\n",
                     listed=listed, more=more, port=self.port)).encode()


class PreviewServer(http.server.ThreadingHTTPServer):
    """One daemon thread per connection, at most MAX_CONNECTIONS of them, none waited for long.

    Daemon threads and server_close() closing every open connection mean that a
    client halfway through a request can't keep the process alive after Ctrl-C.
    """

    daemon_threads = True
    block_on_close = False  # server_close() does its own, bounded, wait
    request_queue_size = 64  # a browser opening its connections at once is no one's loss

    def __init__(self, address: tuple[str, int], root: Path, state: State, given: str) -> None:
        super().__init__(address, Handler)
        self.root = root
        self.state = state
        self.stopping = threading.Event()
        self.hosts = HostCheck(given, str(self.server_address[0]), self.server_port)
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self.open: dict[socket.socket, threading.Thread] = {}
        self.open_lock = threading.Lock()

    def process_request(self, request: socket.socket, client_address: object) -> None:
        if self.stopping.is_set() or not self.slots.acquire(blocking=False):
            self._turn_away(request)
            return
        thread = threading.Thread(target=self._serve_one, args=(request, client_address),
                                  name="http-request", daemon=True)
        with self.open_lock:
            self.open[request] = thread
        thread.start()

    def _serve_one(self, request: socket.socket, client_address: object) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self.open_lock:
                self.open.pop(request, None)
            self.slots.release()

    def _turn_away(self, request: socket.socket) -> None:
        """503 at once, on the accepting thread, which must never wait for the client."""
        body = say(_("newsgen serve is busy: too many open connections. Try again.\n")
                   ).encode()
        answer = (b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8"
                  b"\r\nContent-Length: %d\r\nRetry-After: 2\r\nCache-Control: no-store\r\n"
                  b"Connection: close\r\n\r\n%s" % (len(body), body))
        with contextlib.suppress(OSError):
            request.setblocking(False)
            # What the client already sent, left unread, would turn the close into a
            # reset that can swallow the answer.
            with contextlib.suppress(BlockingIOError):
                request.recv(65536)
            request.send(answer)  # a fresh socket's buffer takes it whole
        self.shutdown_request(request)

    def server_close(self) -> None:
        """Stop listening and end every connection, so a stuck client can't delay the exit."""
        self.stopping.set()
        super().server_close()
        with self.open_lock:
            pending = dict(self.open)
        for sock in pending:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes a thread waiting for the rest of a request
        deadline = time.monotonic() + STOP_GRACE
        for thread in pending.values():
            thread.join(max(0.0, deadline - time.monotonic()))

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that left, or the server stopping under an answer, is no bug to print."""
        if self.stopping.is_set() or isinstance(sys.exception(), ConnectionError | TimeoutError):
            log.debug("connection from %s ended early", client_address, exc_info=True)
            return
        super().handle_error(request, client_address)


class Handler(http.server.BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "newsgen"
    timeout = IDLE_TIMEOUT  # for each read and write; the event stream only writes

    def parse_request(self) -> bool:
        """Refuse, before any route is looked at, every request that does not name this server."""
        if not super().parse_request():
            return False
        status = self.server.hosts.status(self.headers.get_all("Host") or [])
        if status == 200:
            return True
        self.close_connection = True
        self._send(status, self.server.hosts.explain(), "text/plain; charset=utf-8",
                   self.command == "HEAD", {"Connection": "close"})
        return False

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def do_GET(self) -> None:
        self._respond(head=False)

    def _respond(self, head: bool) -> None:
        route = self.path.split("?", 1)[0]
        if route == EVENTS and not head:
            self._events()
            return
        if route.startswith(RESERVED):
            self._reserved(route, head)
            return
        state = self.server.state
        found = resolve(self.server.root, self.path)
        if found.status == 301:
            self._send(301, b"", "text/plain; charset=utf-8", head, {"Location": found.location})
        elif found.status == 200 and found.path is not None:
            body = found.path.read_bytes()
            kind = content_type(found.path)
            self._send(200, inject(body) if kind.startswith("text/html") else body, kind, head)
        elif not state.builds or (not state.ok and not (self.server.root / "index.html").exists()):
            self._send(500, self._problem_page(), "text/html; charset=utf-8", head)
        else:
            page = self.server.root / "404.html"
            body = inject(page.read_bytes()) if page.is_file() else b"404 Not Found"
            kind = "text/html; charset=utf-8" if page.is_file() else "text/plain; charset=utf-8"
            self._send(found.status, body, kind, head)

    def _reserved(self, route: str, head: bool) -> None:
        state = self.server.state
        if route == EVENTS:  # HEAD: the stream's headers, without the stream
            self._send(200, b"", "text/event-stream; charset=utf-8", head)
        elif route == CLIENT:
            self._send(200, client_js(), "text/javascript; charset=utf-8", head)
        elif route == STATUS:
            with state.lock:
                data = {"builds": state.builds, "ok": state.ok, "problems": state.problems}
            self._send(200, json.dumps(data, ensure_ascii=False).encode(),
                       "application/json; charset=utf-8", head)
        else:
            self._send(404, b"404 Not Found", "text/plain; charset=utf-8", head)

    def _problem_page(self) -> bytes:
        """Shown while the site has never built: the problems, and the reload script."""
        items = "".join(f"<li>{escape(line)}</li>" for line in self.server.state.problems)
        title = escape(say(_("newsgen: the site does not build")))
        heading = escape(say(_("The site does not build yet")))
        return (f'<!doctype html><html lang="{language()}"><meta charset="utf-8">'
                f"<title>{title}</title><h1>{heading}</h1><ul>{items}</ul>"
                f"<body></body></html>").encode() + SCRIPT_TAG

    def _send(self, status: int, body: bytes, kind: str, head: bool,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _events(self) -> None:
        """One Server-Sent Events stream per open page, until the page or the server goes."""
        state = self.server.state
        mailbox: queue.Queue[tuple[str, str]] = queue.Queue()
        with state.lock:
            state.subscribers.add(mailbox)
            if state.builds and not state.ok:
                mailbox.put(("problems", json.dumps(state.problems, ensure_ascii=False)))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        idle = 0.0
        try:
            self.wfile.write(b"retry: 500\n\n")
            self.wfile.flush()
            while not self.server.stopping.is_set():
                try:
                    event, data = mailbox.get(timeout=0.5)
                except queue.Empty:
                    idle += 0.5
                    if idle >= 15:  # a comment keeps proxies and the browser from giving up
                        self.wfile.write(b": idle\n\n")
                        self.wfile.flush()
                        idle = 0.0
                    continue
                self.wfile.write(f"event: {event}\ndata: {data}\n\n".encode())
                self.wfile.flush()
        except (ConnectionError, TimeoutError):
            pass  # the page was closed or reloaded, or stopped reading
        finally:
            self.close_connection = True  # the stream has no length: its end is the close
            with state.lock:
                state.subscribers.discard(mailbox)


class _Changes(FileSystemEventHandler):
    """Only marks the site dirty (the build loop decides when to build), and watches a
    source folder that appears after the start, such as a first templates/."""

    def __init__(self, site_dir: Path, dirty: threading.Event, observer: Observer) -> None:
        self.site_dir = site_dir
        self.dirty = dirty
        self.observer = observer

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in CHANGES:
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            path = Path(str(raw))
            if not raw or path.name.startswith(".") or path.name.endswith("~"):
                continue  # editors' swap and backup files
            if path.parent == self.site_dir:
                if path.name in WATCHED and path.is_dir() and event.event_type in (
                        "created", "moved"):
                    self.observer.schedule(self, str(path), recursive=True)
                elif path.name != "site.yaml":
                    continue
            self.dirty.set()


@dataclass
class Preview:
    site_dir: Path
    options: BuildOptions
    quiet: bool = False
    messages: str | None = None  # --messages; None follows the site's language
    state: State = field(default_factory=State)
    dirty: threading.Event = field(default_factory=threading.Event)

    def rebuild(self, first: bool = False) -> None:
        start = time.perf_counter()
        # An edit of site.yaml may change the site's language, and with it the messages'.
        use(choose(self.messages, site_language(self.site_dir)))
        try:
            result = build(self.site_dir, self.options)
        except NewsgenError as exc:
            lines = [str(p) for p in exc.problems]
            for line in [*lines, *map(say, exc.notices)]:
                print(line, file=sys.stderr, flush=True)
            with self.state.lock:
                self.state.builds += 1
                self.state.ok = False
                self.state.problems = lines
            self.state.publish("problems", json.dumps(lines, ensure_ascii=False))
            return
        for line in [*map(str, result.warnings), *map(say, result.notices)]:
            print(line, file=sys.stderr, flush=True)
        with self.state.lock:
            self.state.builds += 1
            self.state.ok = True
            self.state.problems = [str(p) for p in result.warnings]
        if not (self.quiet or first):  # the first build is announced by the "serving" line
            print(say(_("rebuilt {pages} in {seconds:.2f} s: {changes}",
                        pages=ngettext("{n} page", "{n} pages", result.pages),
                        seconds=time.perf_counter() - start, changes=result.changes)),
                  flush=True)
        self.state.publish("reload", "")

    def wait_for_quiet(self) -> None:
        """Return once something changed and then nothing did for QUIET_SECONDS."""
        while not self.dirty.wait(timeout=0.5):
            pass
        while self.dirty.is_set():
            self.dirty.clear()
            time.sleep(QUIET_SECONDS)


def watch(site_dir: Path, dirty: threading.Event) -> Observer:
    observer = Observer()
    handler = _Changes(site_dir, dirty, observer)
    observer.schedule(handler, str(site_dir), recursive=False)  # site.yaml, new folders
    for name in WATCHED:
        if (site_dir / name).is_dir():
            observer.schedule(handler, str(site_dir / name), recursive=True)
    observer.start()
    return observer


def serve(site_dir: Path, host: str, port: int, options: BuildOptions, *,
          open_browser: bool = False, quiet: bool = False, messages: str | None = None
          ) -> int:
    """Build, serve and rebuild on every change until Ctrl-C; the exit status."""
    workdir = Path(tempfile.mkdtemp(prefix="newsgen-serve-"))
    state = State()
    # Ctrl-C and `kill` both stop the server cleanly, even where the process was
    # started with SIGINT ignored (a background job of a script, some CI runners).
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            server = PreviewServer((host, port), workdir / "site", state, host)
        except OSError as exc:
            print(say(_("cannot listen on {host}:{port}: {reason}; choose another --port",
                        host=host, port=port, reason=exc.strerror)), file=sys.stderr)
            return 1
        shown = "127.0.0.1" if host in WILDCARD else host
        url = f"http://{shown}:{server.server_port}/"
        if host not in ("127.0.0.1", "localhost", "::1"):
            names = _("; it answers to its IP addresses, localhost and {name}, never to "
                      "other names", name=socket.gethostname()) if host in WILDCARD else ""
            print(say(_("warning: {message}", message=_(
                "listening on {host}: anyone who can reach this machine can read the "
                "preview, drafts included{names}", host=host, names=names))), file=sys.stderr)
        preview = Preview(site_dir, replace(options, output=workdir / "site", base_url=url,
                                            force=True), quiet, messages, state)
        observer: Observer | None = None
        thread: threading.Thread | None = None
        try:  # from here on, Ctrl-C at any moment (even mid-build) stops cleanly
            preview.rebuild(first=True)
            observer = watch(site_dir, preview.dirty)
            thread = threading.Thread(target=server.serve_forever, name="http")
            thread.start()
            print(say(_("serving {url} (Ctrl-C to stop)", url=url)), flush=True)
            if open_browser:  # a browser can take seconds to start: never wait for it
                threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
            while True:
                preview.wait_for_quiet()
                preview.rebuild()
        except KeyboardInterrupt:
            pass
        finally:
            # A second Ctrl-C (or the terminal's SIGTERM) must not cut the cleanup short.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            server.stopping.set()
            if thread is not None:
                server.shutdown()  # waits for serve_forever, so only once it runs
                thread.join()
            server.server_close()
            if observer is not None:
                observer.stop()
                with contextlib.suppress(RuntimeError):
                    observer.join()
        print(say(_("stopped")), flush=True)
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt

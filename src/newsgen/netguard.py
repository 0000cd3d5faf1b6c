"""Web requests that reach only the public Internet, for URLs that outsiders wrote.

Stringers write the article files, so `check --external` requests addresses
chosen by people outside the newsroom, from a CI runner inside it. Without a
guard, a link to `http://169.254.169.254/latest/meta-data/` or
`http://10.0.0.5/admin/` makes that runner probe its own network for them.

The host of every request, redirects included, is looked up once, and the
connection goes to exactly the addresses that lookup vetted: asking DNS a
second time would let a rebinding name server answer "public" to the check
and "127.0.0.1" to the connection. The Host header, TLS SNI and the
certificate check still use the name, so HTTPS verifies what the link names.
Proxies from the environment are not used: a proxy makes its own lookup,
beyond this guard's reach.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import sys
from contextlib import suppress
from email.message import Message
from typing import IO, Any
from urllib.parse import urljoin, urlsplit
from urllib.request import (
    HTTPDefaultErrorHandler,
    HTTPErrorProcessor,
    HTTPHandler,
    HTTPRedirectHandler,
    HTTPSHandler,
    OpenerDirector,
    Request,
    UnknownHandler,
)

from newsgen.messages import _

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
WEB = ("http", "https")
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Refused(Exception):
    """A request newsgen chose not to make; `reason` says why in an editor's words (a
    Message).

    Not an OSError, so urllib lets it through instead of wrapping it as a
    failed connection: a refusal is newsgen's decision, not the remote site's.
    """

    def __init__(self, reason: str, *, private: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.private = private  # --allow-private would have let it through


def kind(ip: IP) -> str | None:
    """What a non-public address is, in plain words (a Message); None for a public one.

    An IPv6 address can carry an IPv4 one (mapped, 6to4, NAT64) that the
    operating system or a gateway reaches instead, so that one is judged too.
    """
    inside: list[IP] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        inside += [a for a in (ip.ipv4_mapped, ip.sixtofour) if a is not None]
        if ip.teredo:
            inside.append(ip.teredo[1])
        if ip in NAT64:
            inside.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    inside.reverse()  # the address actually reached says most: ::ffff:10.0.0.1 is private
    for a in inside:
        if a.is_loopback:
            return _("a loopback address (this computer)")
        if a.is_unspecified:
            return _("an unspecified address (this computer)")
        if a.is_link_local:
            return _("a link-local address (the local network segment, where cloud servers "
                     "answer questions about themselves)")
    for a in inside:
        if not a.is_global or a.is_multicast or a.is_reserved:
            return _("a private address (an internal network)") \
                if a.is_private and not a.is_reserved \
                else _("not an address on the public Internet")
    return None


class Guard:
    """Vets and connects for one link, and remembers what the answer then depends on."""

    def __init__(self, allow_private: bool = False) -> None:
        self.allow_private = allow_private
        self.used_private = False  # a non-public address was reached, as --allow-private lets
        self.redirected_to = ""  # the URL of the current hop, when it is not the link itself

    def addresses(self, host: str, port: int) -> list[tuple[Any, ...]]:
        """Every address of `host`, each vetted; Refused if any one is not public.

        Any, not all: a name that answers both public and private addresses
        would otherwise let the connection pick the private one.
        """
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        for *_info, sockaddr in found:
            ip = ipaddress.ip_address(sockaddr[0])
            what = kind(ip)
            if what is None:
                continue
            if not self.allow_private:
                if self.redirected_to:
                    raise Refused(_("it redirects to {url}, which points to {address}, {kind}",
                                    url=self.redirected_to, address=_shown(ip), kind=what),
                                  private=True)
                if _literal(host):
                    raise Refused(_("it points to {address}, {kind}", address=_shown(ip),
                                    kind=what), private=True)
                raise Refused(_("{host} points to {address}, {kind}", host=host,
                                address=_shown(ip), kind=what), private=True)
            self.used_private = True
        return found

    def connect(self, host: str, port: int, timeout: object,
                source_address: tuple[str, int] | None) -> socket.socket:
        """A socket connected to one of the vetted addresses, tried in the resolver's order."""
        failure: OSError = OSError(_("{host} has no address", host=host))
        for family, kind_, proto, _name, sockaddr in self.addresses(host, port):
            sock = socket.socket(family, kind_, proto)
            try:
                if isinstance(timeout, int | float):
                    sock.settimeout(timeout)
                if source_address:
                    sock.bind(source_address)
                sock.connect(sockaddr)
                return sock
            except OSError as exc:
                sock.close()
                failure = exc
        raise failure


def _shown(ip: IP) -> str:
    """As people write it: Python 3.11 shows ::ffff:127.0.0.1 as ::ffff:7f00:1."""
    mapped = getattr(ip, "ipv4_mapped", None)
    return f"::ffff:{mapped}" if mapped else str(ip)


def _literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def opener(guard: Guard) -> OpenerDirector:
    """An opener for http and https only, every connection through `guard`, no proxy."""
    director = OpenerDirector()
    for handler in (UnknownHandler(), HTTPDefaultErrorHandler(), _Redirects(guard),
                    HTTPErrorProcessor(), _HTTP(guard), _HTTPS(guard)):
        director.add_handler(handler)
    return director


class _GuardedHTTPConnection(http.client.HTTPConnection):
    guard: Guard  # given by the handler that makes it, before anything connects

    def connect(self) -> None:
        sys.audit("http.client.connect", self, self.host, self.port)
        self.sock = self.guard.connect(self.host, self.port, self.timeout, self.source_address)
        with suppress(OSError):  # only a delay of small writes; http.client ignores it too
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _GuardedHTTPSConnection(http.client.HTTPSConnection, _GuardedHTTPConnection):
    """HTTPSConnection.connect wraps what the guarded connect made, with the name as SNI."""


class _HTTP(HTTPHandler):
    def __init__(self, guard: Guard) -> None:
        super().__init__()
        self.guard = guard

    def http_open(self, req: Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req)

    def _connection(self, host: str, **kwargs: Any) -> _GuardedHTTPConnection:
        connection = _GuardedHTTPConnection(host, **kwargs)
        connection.guard = self.guard
        return connection


class _HTTPS(HTTPSHandler):
    def __init__(self, guard: Guard) -> None:
        super().__init__()
        self.guard = guard
        self.context = ssl.create_default_context()

    def https_open(self, req: Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req, context=self.context)

    def _connection(self, host: str, **kwargs: Any) -> _GuardedHTTPSConnection:
        connection = _GuardedHTTPSConnection(host, **kwargs)
        connection.guard = self.guard
        return connection


class _Redirects(HTTPRedirectHandler):
    """Follows web redirects only, each hop through the guard, and HEAD stays HEAD.

    urllib would follow ftp: too, treat file: as a mere 3xx answer, and turn
    HEAD into a GET of the whole file.
    """

    def __init__(self, guard: Guard) -> None:
        super().__init__()
        self.guard = guard

    def http_error_302(self, req: Request, fp: IO[bytes], code: int, msg: str,
                       headers: Message) -> Any:
        location = headers.get("location") or headers.get("uri")
        if location:
            target = urljoin(req.full_url, location.strip())
            if urlsplit(target).scheme.lower() not in WEB:
                fp.close()
                raise Refused(_("redirects to {url}, which is not an http or https address",
                                url=target), private=False)
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    def redirect_request(self, req: Request, fp: IO[bytes], code: int, msg: str,
                         headers: Message, newurl: str) -> Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None:
            self.guard.redirected_to = new.full_url
            if req.get_method() == "HEAD":
                new.method = "HEAD"
        return new

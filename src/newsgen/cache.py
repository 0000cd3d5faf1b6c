"""The build cache: what earlier builds worked out, so a rebuild does not do it again.

One SQLite file, `.newsgen-cache/build.sqlite`, written in transactions, so a
build killed midway leaves the entries of before or after, never half of one.
Everything in it is found by a fingerprint of exactly what made it, the
newsgen code and library versions included: a stale entry is never looked up,
rather than detected. Every stored value carries its own checksum and is
unpickled with only newsgen's model classes allowed. A cache that cannot be
read, or was written by another newsgen, is deleted with a notice: it only
ever saves time, and the build goes on without it.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import pickle
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

CACHE_DIR = ".newsgen-cache"
FILE = "build.sqlite"
SCHEMA = "2"
_CHECK = 8  # bytes of checksum in front of every stored value
# The libraries whose output ends up in pages: a new version may render differently.
_LIBRARIES = ("jinja2", "markupsafe", "markdown-it-py", "mdit-py-plugins", "pyyaml",
              "python-slugify", "text-unidecode")
_TABLES = """
CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources(rel TEXT PRIMARY KEY, stat TEXT NOT NULL, digest BLOB NOT NULL,
                     head BLOB NOT NULL, data BLOB NOT NULL);
CREATE TABLE bodies(key BLOB PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE results(name TEXT PRIMARY KEY, key BLOB NOT NULL, data BLOB NOT NULL);
CREATE TABLE outputs(root TEXT PRIMARY KEY, data BLOB NOT NULL);
"""


def fingerprint(*parts: object) -> bytes:
    """A digest of plain values (str, numbers, bytes, tuples of them, datetimes).

    repr() of these is exact and the same in every process and on every run.
    A bytes part (a whole file) is hashed as it is: its repr would cost more
    than the hashing. Each part is prefixed with its kind and length, so no two
    lists of parts hash alike.
    """
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode("utf-8", "surrogatepass")
        h.update(b"%c%d:" % (98 if data is part else 114, len(data)))
        h.update(data)
    return h.digest()


@cache
def code_version() -> str:
    """newsgen's own code and the versions of everything that shapes its output."""
    h = hashlib.blake2b(digest_size=16)
    package = Path(__file__).parent
    for path in sorted(package.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for name in _LIBRARIES:
        try:
            h.update(f"{name}={metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=?\0".encode())
    h.update(sys.version.encode())
    return h.hexdigest()


def _zone_getattr(owner: object, name: str) -> object:
    """The one attribute lookup a stored value makes: how a time zone is rebuilt."""
    if owner is ZoneInfo and name == "_unpickle":
        return ZoneInfo._unpickle  # type: ignore[attr-defined]
    raise pickle.UnpicklingError(f"{name} is not allowed in the cache")


class _Unpickler(pickle.Unpickler):
    """Only the classes the cache stores: a value can never name anything else to run."""

    ALLOWED: ClassVar[dict[tuple[str, str], object]] = {
        ("datetime", "datetime"): datetime, ("datetime", "timezone"): timezone,
        ("datetime", "timedelta"): timedelta, ("zoneinfo", "ZoneInfo"): ZoneInfo,
        ("builtins", "getattr"): _zone_getattr, ("builtins", "frozenset"): frozenset}
    MODULES: ClassVar[set[str]] = {"newsgen.models", "newsgen.errors"}

    def find_class(self, module: str, name: str) -> object:
        if (module, name) in self.ALLOWED:
            return self.ALLOWED[module, name]
        if module in self.MODULES:
            found = super().find_class(module, name)
            if isinstance(found, type) and found.__module__ == module:  # a model class
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")


def pack(value: object) -> bytes:
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return hashlib.blake2b(payload, digest_size=_CHECK).digest() + payload


def unpack(blob: bytes) -> object:
    """The stored value; ValueError when it is damaged."""
    check, payload = blob[:_CHECK], blob[_CHECK:]
    if hashlib.blake2b(payload, digest_size=_CHECK).digest() != check:
        raise ValueError("checksum mismatch")
    try:
        return _Unpickler(io.BytesIO(payload)).load()
    except Exception as exc:  # anything a damaged pickle raises
        raise ValueError(str(exc)) from None


@dataclass(slots=True)
class Cache:
    """The cache of one site; every method is safe to call when it is off or broken."""

    path: Path | None  # None: no cache (newsgen build --no-cache)
    notices: list[str] = field(default_factory=list)  # told to the editor after the build
    _db: sqlite3.Connection | None = None
    _pid: int = 0  # the process that opened _db: a forked worker opens its own

    @classmethod
    def of(cls, site_dir: Path, enabled: bool = True) -> Cache:
        """The site's cache, not opened yet: nothing is made before the build is sure to run."""
        return cls(site_dir / CACHE_DIR / FILE if enabled else None)

    def open(self) -> None:
        self._connect(fresh=False)

    def _connect(self, fresh: bool) -> None:
        if self.path is None:
            return
        shown = f"{CACHE_DIR}/{FILE}"
        try:
            self.path.parent.mkdir(exist_ok=True)
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            if not tables:
                db.executescript(_TABLES)
                db.executemany("INSERT INTO meta VALUES (?, ?)",
                               [("schema", SCHEMA), ("code", code_version())])
            else:
                meta = dict(db.execute("SELECT name, value FROM meta"))
                if meta.get("schema") != SCHEMA or meta.get("code") != code_version():
                    db.close()
                    self._discard(f"{shown} was made by another version of newsgen; "
                                  "it was discarded and is being made again")
                    return self._connect(fresh=True) if not fresh else None
                db.execute("SELECT count(*) FROM sources").fetchone()  # readable at all
        except (sqlite3.Error, OSError) as exc:
            if fresh:
                self.notices.append(f"{shown} cannot be used ({exc}); building without it")
                self.path = None
                return None
            self._discard(f"{shown} could not be read ({exc}); it was discarded and is "
                          "being made again")
            return self._connect(fresh=True)
        self._db, self._pid = db, os.getpid()
        return None

    def _discard(self, notice: str) -> None:
        self.notices.append(notice)
        assert self.path is not None
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    @property
    def on(self) -> bool:
        """Whether entries can be kept (the cache is enabled and working)."""
        return self._db is not None

    @property
    def db(self) -> sqlite3.Connection | None:
        if self._db is not None and self._pid != os.getpid():
            # A forked worker: the parent's connection must not be used here.
            self._db = sqlite3.connect(self.path, timeout=10, isolation_level=None) \
                if self.path else None
            self._pid = os.getpid()
        return self._db

    @contextmanager
    def _guard(self) -> Iterator[sqlite3.Connection | None]:
        """Run cache work; a failure turns the cache off for this build, with a notice."""
        db = self.db
        try:
            yield db
        except sqlite3.Error as exc:
            self.notices.append(f"{CACHE_DIR}/{FILE} failed ({exc}); the rest of this build "
                                "goes without it")
            self._db = None

    def damaged(self, what: str) -> None:
        note = f"{CACHE_DIR}/{FILE} had a damaged entry ({what}); it was made again"
        if note not in self.notices:
            self.notices.append(note)

    # --- what a table holds ---

    def rows(self, query: str, *args: object) -> list[tuple]:
        with self._guard() as db:
            return db.execute(query, args).fetchall() if db else []
        return []

    def write(self, statements: Iterable[tuple[str, Iterable[tuple]]]) -> None:
        """Several statements in one transaction: all of them land, or none."""
        with self._guard() as db:
            if db is None:
                return
            db.execute("BEGIN IMMEDIATE")
            try:
                for query, rows in statements:
                    db.executemany(query, rows)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def stored(self, what: str, query: str, *args: object) -> object | None:
        """The value the first row of `query` holds; None if there is none, or if it is
        damaged (then the cache is discarded, and the notice names `what`)."""
        found = self.rows(query, *args)
        if not found:
            return None
        try:
            return unpack(found[0][0])
        except ValueError as exc:
            self.damaged(f"{what}: {exc}")
            return None

    def body(self, key: bytes) -> object | None:
        return self.stored("a rendered body", "SELECT data FROM bodies WHERE key = ?", key)

    def result(self, name: str, key: bytes) -> object | None:
        return self.stored(name, "SELECT data FROM results WHERE name = ? AND key = ?",
                           name, key)

    def close(self) -> None:
        if self._db is not None and self._pid == os.getpid():
            self._db.close()
        self._db = None

"""The store: what earlier builds worked out, and the only module that speaks SQL.

One SQLite file, `.newsgen-cache/build.sqlite`, written in one transaction
per build, so a build killed midway leaves the records of before or after,
never half of them. It holds:

- `files`: each source file's stat and digest, so an unchanged file is not read;
- `parsed`: each article as last parsed, with the settings parsing read
  (shared by every output: a preview and a build parse the same files);
- per output folder (a *profile*: `public/`, a preview, `-o elsewhere`),
  `nodes`: every input and query result of the last successful build into
  it, with its digest, its value where a later build needs it, what it read
  (`deps`) and the build clocks it holds for; `edges`: the same reads turned
  around (which nodes read this one), so a change finds what it touches
  without looking at anything else; and `outputs`: the folder as left.

The newsgen code and library versions are part of the schema: another
newsgen's store is discarded, never interpreted. Every stored value carries
its own checksum and is unpickled with only newsgen's own classes allowed. A
store that cannot be read is deleted with a notice: it only ever saves time,
and the build goes on without it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import math
import os
import pickle
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cache
from operator import itemgetter
from pathlib import Path, PosixPath
from typing import ClassVar
from zoneinfo import ZoneInfo

from newsgen.messages import Message, _

log = logging.getLogger(__name__)

CACHE_DIR = ".newsgen-cache"
FILE = "build.sqlite"
SHOWN = f"{CACHE_DIR}/{FILE}"  # the store as messages name it
SCHEMA = "6"
_CHECK = 8  # bytes of checksum in front of every stored value
# The libraries whose output ends up in pages: a new version may render differently.
_LIBRARIES = {"jinja2": "jinja2", "markupsafe": "markupsafe", "markdown-it-py": "markdown_it",
              "mdit-py-plugins": "mdit_py_plugins", "pyyaml": "yaml",
              "python-slugify": "slugify", "text-unidecode": "text_unidecode"}  # -> module
_TABLES = """
CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files(path TEXT PRIMARY KEY, stat TEXT NOT NULL, digest BLOB NOT NULL);
CREATE TABLE parsed(rel TEXT PRIMARY KEY, digest BLOB NOT NULL, head BLOB NOT NULL,
                    text BLOB NOT NULL);
CREATE TABLE profiles(id INTEGER PRIMARY KEY, output TEXT UNIQUE NOT NULL);
CREATE TABLE nodes(profile INTEGER NOT NULL, name TEXT NOT NULL, digest BLOB NOT NULL,
                   value BLOB, deps BLOB, after REAL, until REAL,
                   PRIMARY KEY(profile, name));
CREATE TABLE timed(profile INTEGER NOT NULL, name TEXT NOT NULL, after REAL NOT NULL,
                   until REAL NOT NULL, PRIMARY KEY(profile, name)) WITHOUT ROWID;
CREATE TABLE edges(profile INTEGER NOT NULL, dep TEXT NOT NULL, node TEXT NOT NULL,
                   PRIMARY KEY(profile, dep, node)) WITHOUT ROWID;
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
def code_version(libraries: str) -> str:
    """newsgen's own code, the versions of everything that shapes its output
    (`libraries`, see library_versions) and Python's."""
    h = hashlib.blake2b(digest_size=16)
    package = Path(__file__).parents[1]
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes()
                 + b"\0")
    h.update(libraries.encode())
    h.update(sys.version.encode())
    return h.hexdigest()


def library_versions() -> str:
    """The installed versions of the libraries whose output ends up in pages."""
    from importlib import metadata  # costs more to import than a build that does nothing
    found = []
    for name in _LIBRARIES:
        try:
            found.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}=?")
    return "\n".join(found)


def library_stamp() -> str:
    """When the folders those libraries are installed in last changed: installing,
    upgrading or removing a package changes its folder, so while this stays the same
    the versions do too."""
    from importlib.util import find_spec
    stamps = []
    for module in _LIBRARIES.values():
        spec = find_spec(module)
        origin = spec.origin if spec is not None else None
        if origin:
            folder = Path(origin).parent.parent if spec.submodule_search_locations \
                else Path(origin).parent  # type: ignore[union-attr]
            with contextlib.suppress(OSError):
                stamps.append(f"{module}:{folder}={folder.stat().st_mtime_ns}")
                continue
        stamps.append(f"{module}:?")
    return "\n".join(stamps)


def _zone_getattr(owner: object, name: str) -> object:
    """The one attribute lookup a stored value makes: how a time zone is rebuilt."""
    if owner is ZoneInfo and name == "_unpickle":
        return ZoneInfo._unpickle  # type: ignore[attr-defined]
    raise pickle.UnpicklingError(_("{name} is not allowed in the cache", name=name))


class _Unpickler(pickle.Unpickler):
    """Only the classes the cache stores: a value can never name anything else to run."""

    ALLOWED: ClassVar[dict[tuple[str, str], object]] = {
        ("datetime", "datetime"): datetime, ("datetime", "timezone"): timezone,
        ("datetime", "timedelta"): timedelta, ("zoneinfo", "ZoneInfo"): ZoneInfo,
        ("builtins", "getattr"): _zone_getattr, ("builtins", "frozenset"): frozenset,
        ("pathlib", "PosixPath"): PosixPath}
    MODULES: ClassVar[set[str]] = {"newsgen.content.models", "newsgen.content.config",
                                   "newsgen.content.library", "newsgen.content.related",
                                   "newsgen.errors", "newsgen.messages",
                                   "newsgen.render.markdown",
                                   "newsgen.render.plan", "newsgen.render.views",
                                   "newsgen.content.renditions", "newsgen.render.figures",
                                   "newsgen.build"}

    def find_class(self, module: str, name: str) -> object:
        if (module, name) in self.ALLOWED:
            return self.ALLOWED[module, name]
        if module in self.MODULES:
            found = super().find_class(module, name)
            if isinstance(found, type) and found.__module__ == module:  # a model class
                return found
        named = f"{module}.{name}"
        raise pickle.UnpicklingError(_("{name} is not allowed in the cache", name=named))


def by_fields(self: object) -> tuple[type, tuple[object, ...]]:
    """`__reduce__` for a slots dataclass that is stored by the thousand: pickled as a call
    of its class with its fields, which loads several times faster than slots state."""
    return (type(self), tuple(getattr(self, name) for name in self.__slots__))  # type: ignore[attr-defined]


class Packed(bytes):
    """A value packed already, where it was made (a worker process): stored as it is."""


def pack(value: object) -> bytes:
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return hashlib.blake2b(payload, digest_size=_CHECK).digest() + payload


def unpack(blob: bytes) -> object:
    """The stored value; ValueError when it is damaged (its one argument says how)."""
    check, payload = blob[:_CHECK], blob[_CHECK:]
    if hashlib.blake2b(payload, digest_size=_CHECK).digest() != check:
        raise ValueError(_("checksum mismatch"))
    try:
        return _Unpickler(io.BytesIO(payload)).load()
    except Exception as exc:  # anything a damaged pickle raises
        said = exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], Message) \
            else str(exc)
        raise ValueError(said) from None


WIDE = ("setting:", "option:", "template:")  # names read by nearly every page (see readers)
NO_VALUE = object()  # a node kept without a value (an input, a page), not one whose value is None


@dataclass(frozen=True, slots=True)
class Node:
    """One input or query result as the last build into a profile left it."""

    digest: bytes
    deps: tuple[str, ...] | None = None  # None: an input, or a value a query put out
    after: float | None = None  # the build clocks it holds for: [after, until)
    until: float | None = None


@dataclass(frozen=True, slots=True)
class Parsed:
    """An article as last parsed: valid while its file and the settings it read are equal."""

    digest: bytes  # of the file
    settings: tuple[tuple[str, bytes], ...]  # (setting key, its digest) that parsing read
    head: object  # (the article without its body, its problems)
    text: bytes  # the digest of its body and the line the body starts on


def _deps(blob: bytes | None) -> tuple[str, ...] | None:
    """Names are kept NUL-separated: no name (a path among them) can hold a NUL."""
    if blob is None:
        return None
    return tuple(blob.decode("utf-8").split("\0")) if blob else ()


@dataclass(slots=True)
class Store:
    """The store of one site; every method is safe to call when it is off or broken."""

    path: Path | None  # None: no store (newsgen build --no-cache)
    notices: list[str] = field(default_factory=list)  # Messages told to the editor after the build
    _db: sqlite3.Connection | None = None
    _pid: int = 0  # the process that opened _db: a forked worker opens its own

    @classmethod
    def of(cls, site_dir: Path, enabled: bool = True) -> Store:
        """The site's store, not opened yet: nothing is made before the build is sure to run."""
        return cls(site_dir / CACHE_DIR / FILE if enabled else None)

    def open(self) -> None:
        self._connect(fresh=False)

    def _connect(self, fresh: bool) -> None:
        if self.path is None:
            return
        shown = SHOWN
        try:
            self.path.parent.mkdir(exist_ok=True)
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            stamp = library_stamp()
            if not tables:
                libraries = library_versions()
                db.executescript(_TABLES)
                db.executemany("INSERT INTO meta VALUES (?, ?)",
                               [("schema", SCHEMA), ("code", code_version(libraries)),
                                ("libraries", libraries), ("library-stamp", stamp)])
            else:
                meta = dict(db.execute("SELECT name, value FROM meta"))
                # The versions are looked up again only when a package folder changed.
                libraries = meta.get("libraries", "") \
                    if meta.get("library-stamp") == stamp else library_versions()
                if meta.get("schema") != SCHEMA or meta.get("code") != code_version(libraries):
                    db.close()
                    self._discard(_("{cache} was made by another version of newsgen; "
                                    "it was discarded and is being made again", cache=shown))
                    return self._connect(fresh=True) if not fresh else None
                db.execute("SELECT count(*) FROM parsed").fetchone()  # readable at all
                if meta.get("library-stamp") != stamp:
                    db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                   [("libraries", libraries), ("library-stamp", stamp)])
        except (sqlite3.Error, OSError) as exc:
            if fresh:
                self.notices.append(_("{cache} cannot be used ({error}); building without it",
                                      cache=shown, error=str(exc)))
                self.path = None
                return None
            self._discard(_("{cache} could not be read ({error}); it was discarded and is "
                            "being made again", cache=shown, error=str(exc)))
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
        """Whether records can be kept (the store is enabled and working)."""
        return self._db is not None

    @property
    def db(self) -> sqlite3.Connection | None:
        if self._db is not None and self._pid != os.getpid():
            # A forked worker: the parent's connection must not be used here.
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None) \
                if self.path else None
            self._pid = os.getpid()
        return self._db

    @contextmanager
    def _guard(self) -> Iterator[sqlite3.Connection | None]:
        """Run store work; a failure turns the store off for this build, with a notice."""
        db = self.db
        try:
            yield db
        except sqlite3.Error as exc:
            self.notices.append(_("{cache} failed ({error}); the rest of this build goes "
                                  "without it", cache=SHOWN, error=str(exc)))
            self._db = None

    def damaged(self, what: str) -> None:
        """`what`: the entry, as a message (or a name of the cache)."""
        note = _("{cache} had a damaged entry ({what}); it was made again",
                 cache=SHOWN, what=what)
        if note not in self.notices:
            self.notices.append(note)

    def _rows(self, query: str, *args: object) -> list[tuple]:
        with self._guard() as db:
            return db.execute(query, args).fetchall() if db else []
        return []

    def _write(self, statements: Iterable[tuple[str, Iterable[tuple]]]) -> None:
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

    def _value(self, what: str, blob: bytes | None) -> object:
        """The stored value; NO_VALUE if there is none, or it is damaged (said in a notice)."""
        if blob is None:
            return NO_VALUE
        try:
            return unpack(blob)
        except ValueError as exc:
            self.damaged(_("{what}: {error}", what=what, error=exc.args[0] if exc.args
                           else str(exc)))
            return NO_VALUE

    def close(self) -> None:
        if self._db is not None and self._pid == os.getpid():
            self._db.close()
        self._db = None

    # --- files: the stat shortcut, shared by every profile ---

    def file_stats(self) -> dict[str, tuple[str, bytes]]:
        return {path: (stat, digest) for path, stat, digest in
                self._rows("SELECT path, stat, digest FROM files")}

    def save_file_stats(self, changed: dict[str, tuple[str, bytes]], gone: Iterable[str]
                        ) -> None:
        self._write([("INSERT OR REPLACE INTO files VALUES (?, ?, ?)",
                      [(path, stat, digest) for path, (stat, digest) in changed.items()]),
                     ("DELETE FROM files WHERE path = ?", [(path,) for path in gone])])

    # --- parsed articles, shared by every profile ---

    def parsed(self, rels: Iterable[str] | None = None) -> dict[str, Parsed]:
        """The articles as last parsed, without their text (all, or those of `rels`)."""
        if rels is None:
            rows = self._rows("SELECT rel, digest, head FROM parsed")
        else:
            rows = [row for rel in rels
                    for row in self._rows("SELECT rel, digest, head FROM parsed WHERE rel = ?",
                                          rel)]
        found: dict[str, Parsed] = {}
        for rel, digest, data in rows:
            value = self._value(_("a parsed article"), data)
            if isinstance(value, tuple) and len(value) == 3:
                found[rel] = Parsed(digest, *value)
        return found

    def texts(self, rels: Iterable[str]) -> dict[str, tuple[str, int]]:
        """The bodies of articles as last parsed: (text, line it starts on)."""
        found: dict[str, tuple[str, int]] = {}
        for rel in rels:
            for (data,) in self._rows("SELECT text FROM parsed WHERE rel = ?", rel):
                value = self._value(_("a parsed article"), data)
                if isinstance(value, tuple) and len(value) == 2:
                    found[rel] = value  # type: ignore[assignment]
        return found

    @staticmethod
    def parsed_row(parsed: Parsed, text: tuple[str, int]) -> tuple[bytes, bytes, bytes]:
        """What `save_parsed` keeps of an article, packed (where it was parsed)."""
        return parsed.digest, pack((parsed.settings, parsed.head, parsed.text)), pack(text)

    def save_parsed(self, rows: dict[str, tuple[bytes, bytes, bytes]],
                    gone: Iterable[str] = ()) -> None:
        """Articles as parsed: rel -> `parsed_row`."""
        self._write([("INSERT OR REPLACE INTO parsed VALUES (?, ?, ?, ?)",
                      [(rel, *row) for rel, row in rows.items()]),
                     ("DELETE FROM parsed WHERE rel = ?", [(rel,) for rel in gone])])

    # --- profiles: the records of one output folder ---

    def profile(self, output: Path) -> int | None:
        """The profile of `output`, made if new; profiles of folders that are gone (old
        previews) are dropped, so the store does not grow without bound."""
        with self._guard() as db:
            if db is None:
                return None
            db.execute("BEGIN IMMEDIATE")
            try:
                gone = [(pid,) for pid, folder in db.execute("SELECT id, output FROM profiles")
                        if folder != str(output) and not Path(folder).is_dir()]
                for table, column in (("nodes", "profile"), ("edges", "profile"),
                                      ("timed", "profile"), ("profiles", "id")):
                    db.executemany(f"DELETE FROM {table} WHERE {column} = ?", gone)
                db.execute("INSERT OR IGNORE INTO profiles(output) VALUES (?)", (str(output),))
                (pid,) = db.execute("SELECT id FROM profiles WHERE output = ?",
                                    (str(output),)).fetchone()
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return int(pid)
        return None

    def has_nodes(self, profile: int) -> bool:
        return bool(self._rows("SELECT 1 FROM nodes WHERE profile = ? LIMIT 1", profile))

    def deps(self, profile: int, names: Iterable[str]) -> dict[str, tuple[str, ...] | None]:
        """What each of the nodes `names` read, as recorded."""
        names = list(names)
        found: dict[str, tuple[str, ...] | None] = {}
        for i in range(0, len(names), 500):
            part = names[i:i + 500]
            found.update((name, _deps(deps)) for name, deps in self._rows(
                "SELECT name, deps FROM nodes WHERE profile = ? AND name IN "
                f"({', '.join('?' * len(part))})", profile, *part))
        return found

    def nodes(self, profile: int, names: Iterable[str] | None = None,
              prefix: str | None = None, deps: bool = True) -> dict[str, Node]:
        """Nodes of the profile: all, those named, or those whose names start with `prefix`;
        without what they read unless `deps` (then Node.deps is None)."""
        query = f"SELECT name, digest, {'deps' if deps else 'NULL'}, after, until FROM nodes " \
            "WHERE profile = ?"
        if names is not None:
            rows = [row for name in names
                    for row in self._rows(query + " AND name = ?", profile, name)]
        elif prefix is not None:
            rows = self._rows(query + " AND name >= ? AND name < ?", profile, prefix,
                              prefix + "\U0010ffff")
        else:
            rows = self._rows(query, profile)
        return {name: Node(digest, _deps(deps), after, until)
                for name, digest, deps, after, until in rows}

    def values(self, profile: int, names: Iterable[str]) -> dict[str, object]:
        found: dict[str, object] = {}
        for name in names:
            for (blob,) in self._rows("SELECT value FROM nodes WHERE profile = ? AND name = ?",
                                      profile, name):
                value = self._value(name, blob)
                if value is not NO_VALUE:
                    found[name] = value
        return found

    def values_of(self, profile: int, prefix: str) -> dict[str, object]:
        found: dict[str, object] = {}
        for name, blob in self._rows("SELECT name, value FROM nodes WHERE profile = ? AND "
                                     "name >= ? AND name < ? AND value IS NOT NULL", profile,
                                     prefix, prefix + "\U0010ffff"):
            value = self._value(name, blob)
            if value is not NO_VALUE:
                found[name] = value
        return found

    def readers(self, profile: int, names: Iterable[str]) -> set[str]:
        """The nodes that read any of `names`.

        Most names are read by a few nodes, found through `edges`. A setting, an
        option or a template is read by nearly every page: indexing those would
        be most of the index and most of a first build's writing, for changes that
        touch most pages anyway. They are found by looking through what every node
        read instead.
        """
        found: set[str] = set()
        wide: list[bytes] = []
        for name in names:
            if name.startswith(WIDE):
                wide.append(b"\0" + name.encode("utf-8") + b"\0")
                continue
            found.update(node for (node,) in self._rows(
                "SELECT node FROM edges WHERE profile = ? AND dep = ?", profile, name))
        if wide:
            for node, deps in self._rows("SELECT name, deps FROM nodes WHERE profile = ? AND "
                                         "deps IS NOT NULL", profile):
                framed = b"\0" + deps + b"\0"
                if any(name in framed for name in wide):
                    found.add(node)
        return found

    def out_of_time(self, profile: int, stamp: float) -> set[str]:
        """The nodes whose answer does not hold at build clock `stamp`."""
        return {name for (name,) in self._rows(
            "SELECT name FROM timed WHERE profile = ? AND (after > ? OR until <= ?)",
            profile, stamp, stamp)}

    def record(self, profile: int, nodes: dict[str, tuple[Node, object]],
               old: dict[str, Node], gone: Iterable[str]) -> None:
        """Write what a build found, in one transaction: `nodes` (with their values, or
        NO_VALUE) replacing `old` (as they were, to mend the edges), `gone` dropped."""
        rows, edges_in, edges_out, dropped = [], [], [], []
        for name, (node, value) in nodes.items():
            rows.append((profile, name, node.digest,
                         None if value is NO_VALUE else
                         value if isinstance(value, Packed) else pack(value),
                         None if node.deps is None else "\0".join(node.deps).encode("utf-8"),
                         node.after, node.until))
            if not node.deps:
                if (before := old.get(name)) is not None and before.deps:
                    edges_out += [(profile, dep, name) for dep in before.deps
                                  if not dep.startswith(WIDE)]
                continue
            before = old.get(name)
            if before is None or not before.deps:  # a first build: nothing to mend
                edges_in += [(profile, dep, name) for dep in node.deps
                             if not dep.startswith(WIDE)]
                continue
            was, now = set(before.deps), set(node.deps)
            edges_in += [(profile, dep, name) for dep in now - was if not dep.startswith(WIDE)]
            edges_out += [(profile, dep, name) for dep in was - now if not dep.startswith(WIDE)]
        for name in gone:
            dropped.append((profile, name))
            before = old.get(name)
            edges_out += [(profile, dep, name) for dep in (before.deps or ())
                          if not dep.startswith(WIDE)] if before else []
        timed = [(profile, name, -math.inf if node.after is None else node.after,
                  math.inf if node.until is None else node.until)
                 for name, (node, _) in nodes.items()
                 if node.after is not None or node.until is not None]
        untimed = [(profile, name) for name, (node, _) in nodes.items()
                   if node.after is None and node.until is None
                   and (before := old.get(name)) is not None
                   and (before.after is not None or before.until is not None)]
        # In the order of the index (by what was read): a first build's 400,000 rows go
        # in in half the time of the order nodes came in, where each lands elsewhere.
        edges_in.sort(key=itemgetter(1))
        edges_out.sort(key=itemgetter(1))
        self._write([
            ("DELETE FROM edges WHERE profile = ? AND dep = ? AND node = ?", edges_out),
            ("INSERT OR IGNORE INTO edges VALUES (?, ?, ?)", edges_in),
            ("DELETE FROM nodes WHERE profile = ? AND name = ?", dropped),
            ("DELETE FROM timed WHERE profile = ? AND name = ?", dropped + untimed),
            ("INSERT OR REPLACE INTO nodes VALUES (?, ?, ?, ?, ?, ?, ?)", rows),
            ("INSERT OR REPLACE INTO timed VALUES (?, ?, ?, ?)", timed)])

    # --- output folders as builds left them ---

    def tree(self, root: Path) -> object | None:
        found = self._rows("SELECT data FROM outputs WHERE root = ?", str(root))
        value = self._value(_("the list of output files"), found[0][0]) if found else NO_VALUE
        return None if value is NO_VALUE else value

    def save_trees(self, trees: dict[str, object], forget: Iterable[str] = ()) -> None:
        """Record output folders (root -> packed tree); forget folders that are gone."""
        gone = [(root,) for (root,) in self._rows("SELECT root FROM outputs")
                if not Path(root).is_dir()] + [(root,) for root in forget]
        self._write([("DELETE FROM outputs WHERE root = ?", gone),
                     ("INSERT OR REPLACE INTO outputs VALUES (?, ?)",
                      [(root, pack(tree)) for root, tree in trees.items()])])

    def has_tree(self, root: Path) -> bool:
        return bool(self._rows("SELECT 1 FROM outputs WHERE root = ?", str(root)))

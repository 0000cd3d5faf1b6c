"""The files of one build: a manifest of every output path, each written once.

Every file is claimed before anything is written, so two articles whose slugs
map to one URL, or a static file shadowing a page, are caught instead of one
silently replacing the other. Nothing is written until `flush`: a build that
changes nothing leaves the output folder alone, and a file whose bytes did
not change is the previous file itself (a hard link), so rsync, caches and
crawlers see that it did not change.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from newsgen.content.renditions import IMG_DIR
from newsgen.engine.inputs import racy
from newsgen.errors import Problems
from newsgen.messages import _
from newsgen.output.guard import MARKER

BY_CONTENT = f"{IMG_DIR}/"  # files named by a digest of their bytes

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Entry:
    """One output file as a build left it: enough to reuse it, or to see someone changed it."""

    key: bytes  # what it was made from: a page's inputs, a copy's source, a text's bytes
    content: bytes  # digest of its bytes, so a page that comes out the same is kept
    size: int
    mtime: int  # st_mtime_ns
    ino: int
    pictures: tuple[tuple[str, str], ...] = ()  # a page's body pictures: (source, output path)
    needs: tuple[str, ...] = ()  # static files a page's body shows: it changes if they go


def content_digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def stat_entry(path: Path, key: bytes, content: bytes, **extra: tuple) -> Entry:
    st = path.stat()
    return Entry(key, content, st.st_size, st.st_mtime_ns, st.st_ino, **extra)


@dataclass(frozen=True, slots=True)
class Tree:
    """An output folder as a build left it: what each file was made from, and the folders'
    times, which change whenever a file is added to or removed from them."""

    root: Path
    entries: dict[str, Entry]
    folders: dict[str, tuple[int, int]]  # folder ("" for the top) -> (st_mtime_ns, st_ino)
    recorded: int = 0  # time.time_ns() when the folders were read

    @classmethod
    def record(cls, root: Path, entries: dict[str, Entry], base: Tree | None = None,
               touched: set[str] | frozenset[str] = frozenset()) -> Tree:
        """The folder at `root` holding `entries`. With `base` (what the folder held before,
        found untouched), only the folders in `touched` and the top one are read again.

        The base's recording time is kept, so every folder read since counts as
        just changed, and the next build lists its names instead of trusting its time.
        """
        known = base.folders if base is not None else {}
        folders: dict[str, tuple[int, int]] = {}
        for rel in _folders(entries):
            if rel and rel not in touched and rel in known:
                folders[rel] = known[rel]
                continue
            st = os.stat(f"{root}/{rel}")  # noqa: PTH116 (a Path per folder costs more)
            folders[rel] = (st.st_mtime_ns, st.st_ino)
        return cls(root, entries, folders, base.recorded if base else time.time_ns())

    def reusable(self, rel: str, key: bytes, by: str = "key") -> Entry | None:
        """The entry for `rel` if it was made from `key` (or has these bytes) and is untouched."""
        entry = self.entries.get(rel)
        if entry is None or getattr(entry, by) != key:
            return None
        try:
            st = os.stat(f"{self.root}/{rel}")  # noqa: PTH116 (a Path per file costs more)
        except OSError:
            return None
        if (st.st_size, st.st_mtime_ns, st.st_ino) != (entry.size, entry.mtime, entry.ino):
            return None  # edited by hand since, or replaced: made again
        return entry

    def racy(self) -> bool:
        """Whether some folder changed too close to the recording for its time to vouch
        for it (`untouched` lists the names of those)."""
        return any(racy(mtime, self.recorded) for mtime, _ in self.folders.values())

    def untouched(self) -> bool:
        """Whether no file was added to or removed from the folder since it was recorded.

        A folder whose time is as recorded has the same names in it, unless it
        changed within the same clock tick as the recording: those few are listed.
        """
        expected: dict[str, set[str]] | None = None
        for rel, recorded in self.folders.items():
            try:
                st = os.stat(f"{self.root}/{rel}")  # noqa: PTH116 (a Path per folder costs more)
            except OSError:
                return False
            if (st.st_mtime_ns, st.st_ino) != recorded:
                return False
            if racy(st.st_mtime_ns, self.recorded):
                if expected is None:
                    expected = _children(self.entries)
                try:
                    names = {p.name for p in (self.root / rel).iterdir()}
                except OSError:
                    return False
                if names != expected.get(rel, set()) | ({MARKER} if rel == "" else set()):
                    return False
        return True


def _folders(entries: Iterable[str]) -> set[str]:
    folders = {""}
    for rel in entries:
        while "/" in rel:
            rel = rel.rsplit("/", 1)[0]
            folders.add(rel)
    return folders


def _children(entries: dict[str, Entry]) -> dict[str, set[str]]:
    children: dict[str, set[str]] = {}
    for rel in entries:
        while True:
            parent, _, name = rel.rpartition("/")
            children.setdefault(parent, set()).add(name)
            if not parent:
                break
            rel = parent
    return children


def place(root: Path, rel: str, data: bytes, key: bytes, previous: Tree | None,
          fresh: bool = False, **extra: tuple) -> tuple[Entry, bool]:
    """Put `data` at root/rel: the previous file itself if its bytes are the same.

    A hard link keeps the file's time, so rsync, caches and crawlers see that it
    did not change. Returns the entry and whether the bytes are new. `fresh`: the
    folder is made and holds nothing at `rel` (Writer.flush saw to both).
    """
    content = content_digest(data)
    target = root / rel
    if not fresh:
        _clear(target)
    same = previous.reusable(rel, content, "content") if previous else None
    if same is not None and previous is not None and _link(previous.root / rel, target):
        return Entry(key, content, same.size, same.mtime, same.ino, **extra), False
    target.write_bytes(data)
    return stat_entry(target, key, content, **extra), True


def _clear(target: Path) -> None:
    """Make way for a new file: a file already there may be a link shared with the live
    site, so it is removed, never written through."""
    try:
        target.unlink()
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
    except IsADirectoryError:
        shutil.rmtree(target)


def _link(source: Path | str, target: Path | str) -> bool:
    try:
        os.link(source, target)
        return True
    except OSError:  # a file system without hard links: write the file instead
        return False


class Writer:
    """Writes every output file, and refuses to write one path twice (Pelican's writer).

    Two articles whose slugs map to one URL, or a static file shadowing a page,
    are caught here instead of one silently replacing the other. With the
    previous build's tree it keeps every file whose sources did not change:
    nothing is written until `flush`, so a build that changes nothing leaves the
    output folder alone. The staging folder may start as the site before the
    previous one (`spare`); then only the files that differ are replaced in it.
    """

    def __init__(self, root: Path, problems: Problems, previous: Tree | None = None) -> None:
        self.root = root  # the staging folder, made only when something is written
        self.problems = problems
        self.previous = previous
        self.spare: Tree | None = None  # what the staging folder holds to begin with
        self.owners: dict[str, str] = {}  # output path -> what wrote it, for messages
        self.copied: dict[str, Path] = {}  # output path -> file copied there
        self.entries: dict[str, Entry] = {}  # what is in the new output
        self.pages = 0
        self.rendered = 0  # pages rendered in this build (the others were kept)
        self.written = 0  # files with new bytes
        self._kept: list[str] = []
        self._texts: dict[str, tuple[bytes, bytes]] = {}
        self._copies: dict[str, tuple[Path | str, bytes, bool]] = {}  # rel -> source, key, link
        self._copy_keys: dict[str, bytes] = {}  # output path -> digest of what is copied there
        self._made: set[str] = set()  # folders known to exist in the staging folder
        self.touched: set[str] = set()  # folders whose list of names this writer changed

    def claim(self, rel: str, owner: str, alias: bool = False) -> bool:
        """Reserve `rel` for `owner` (`alias`: for an alias written in it); False (and a
        problem) if it is taken."""
        if rel in self.owners:
            first = self.owners[rel]
            hint = _("rename or remove the static file") if "static/" in first + owner else \
                _("change a slug, an alias or the permalink pattern")
            if alias:
                message = _("{path} would be written twice, for {first} and for an alias in "
                            "{owner}; {hint}", path=rel, first=first, owner=owner, hint=hint)
            else:
                message = _("{path} would be written twice, for {first} and for {owner}; "
                            "{hint}", path=rel, first=first, owner=owner, hint=hint)
            self.problems.error(message, owner if owner.endswith(".md") else "")
            return False
        self.owners[rel] = owner
        return True

    def keep(self, rel: str, key: bytes, entry: Entry | None = None) -> Entry | None:
        """Keep the previous file at `rel` if it was made from `key` and is untouched
        (`entry`: already found to be)."""
        if entry is None:
            entry = self.previous.reusable(rel, key) if self.previous else None
        if entry is not None:
            self.entries[rel] = entry
            self._kept.append(rel)
        return entry

    def write_file(self, rel: str, text: str | bytes, owner: str, key: bytes) -> bool:
        """A generated file (a feed, a sitemap, the search index), made from what `key`
        digests."""
        if not self.claim(rel, owner):
            return False
        self._texts[rel] = (text.encode("utf-8") if isinstance(text, str) else text, key)
        return True

    def copy(self, rel: str, source: Path, owner: str, key: bytes,
             made: Callable[[Path, bytes], Path | str] | None = None) -> bool:
        """A file copied as it is; `key`: the digest of its bytes. True if it is copied
        anew (not kept from the previous build).

        `made`: what to publish instead of `source` (a picture made from it), asked
        for only when the file is not kept; a made file is never changed in place, so
        a hard link to it will do.
        """
        if self.copied.get(rel) == source:
            return False  # one picture used twice, by the hero and the body
        if rel.startswith(BY_CONTENT) and self._copy_keys.get(rel) == key:
            return False  # the same bytes in two files: two articles share a photo
        if not self.claim(rel, owner):
            return False
        self.copied[rel] = source
        self._copy_keys[rel] = key
        if self.keep(rel, key) is None:
            self._copies[rel] = (made(source, key), key, True) if made else (source, key, False)
            return True
        return False

    def _touch(self, rel: str) -> None:
        self.touched.add(rel.rpartition("/")[0])

    def page(self, rel: str, entry: Entry, new: bool) -> None:
        """A page rendered straight into the staging folder (by any process)."""
        self._touch(rel)
        self.entries[rel] = entry
        self.pages += 1
        self.rendered += 1
        self.written += new

    def changed_besides(self, pages: set[str]) -> bool:
        """Whether the output changes in more than `pages` (rendered next)."""
        return bool(self._texts or self._copies or self.previous is None
                    or self.entries.keys() | pages != self.previous.entries.keys())

    @property
    def changed(self) -> bool:
        """Whether the new output differs from the previous one at all."""
        return bool(self._texts or self._copies or self.rendered or self.previous is None
                    or self.entries.keys() != self.previous.entries.keys()
                    or not self.previous.untouched())

    @property
    def fresh(self) -> bool:
        """Whether the staging folder started empty: then nothing is in any file's way."""
        return self.spare is None

    def flush(self, pages: Iterable[str] = (), copies: bool = True) -> None:
        """Put every kept, written and copied file into the staging folder, and make the
        folders of `pages`, which are rendered into it next.

        Folders are made in one go, before any file: one mkdir per folder instead
        of one attempt per file, which on a busy disk is most of the writing time.
        `copies=False` makes the copies' folders but leaves the copies for a later
        flush: a photo is a dozen links, made while other processes render pages.
        """
        self._make_folders([*self._kept, *self._texts, *self._copies, *pages])
        spare = self.spare.entries if self.spare else {}
        fresh = self.fresh
        # Strings, not Paths, for the one call per kept file: a whole site is linked into
        # a new staging folder this way, and a Path per file costs more than the link.
        root = f"{self.root}/"
        old = f"{self.previous.root}/" if self.previous is not None else ""
        for rel in self._kept:
            entry, there = self.entries[rel], spare.get(rel)
            if there is not None and there.ino == entry.ino:
                continue  # the spare holds this very file already
            assert self.previous is not None
            target = root + rel
            self._touch(rel)
            if not fresh:
                _clear(Path(target))
            if not _link(old + rel, target):
                shutil.copy2(old + rel, target)
        self._kept.clear()
        for rel, (data, key) in self._texts.items():
            self._touch(rel)
            self.entries[rel], new = place(self.root, rel, data, key, self.previous,
                                           self.fresh)
            self.written += new
        self._texts.clear()
        if not copies:
            return
        for rel, (source, key, link) in self._copies.items():
            target = root + rel  # a string, as above: a photo is a dozen files
            self._touch(rel)
            if not fresh:
                _clear(Path(target))
            if not (link and _link(source, target)):
                shutil.copyfile(source, target)
            st = os.stat(target)  # noqa: PTH116
            self.entries[rel] = Entry(key, key, st.st_size, st.st_mtime_ns, st.st_ino)
            self.written += 1
        self._copies.clear()

    def _make_folders(self, rels: Iterable[str]) -> None:
        if not self._made:  # the top folder exists, and so does every folder of the spare
            self._made = _folders(self.spare.entries) if self.spare else {""}
        root = f"{self.root}/"
        for folder in sorted(_folders(rels) - self._made):  # parents first
            self._touch(folder)
            try:
                os.mkdir(root + folder)  # noqa: PTH102 (one per folder of the site)
            except FileExistsError:
                path = self.root / folder
                if path.is_symlink() or not path.is_dir():  # the spare had a file here
                    path.unlink()
                    path.mkdir()
            self._made.add(folder)

    def finish(self) -> None:
        """Remove what the spare held that the new site does not (once every page is in)."""
        if self.spare is None:
            return
        gone = [rel for rel in self.spare.entries if rel not in self.entries]
        if not gone:
            return
        for rel in gone:
            self._touch(rel)
            (self.root / rel).unlink(missing_ok=True)
        for folder in sorted(_folders(gone) - _folders(self.entries), key=len, reverse=True):
            self._touch(folder)
            with contextlib.suppress(OSError):
                (self.root / folder).rmdir()

    def tree(self, root: Path) -> Tree:
        """What this writer left, as a Tree of the folder once it is at `root`."""
        return Tree.record(root, self.entries, self.spare, self.touched)



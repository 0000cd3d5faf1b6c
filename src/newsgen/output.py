"""The output folder: guarding where it may be, and swapping a new build in atomically.

A build is written into a staging folder beside the output and swapped in only
when it is complete, so readers and editors never see half a site, and a failed
build leaves the previous one exactly as it was. newsgen marks the folders it
makes and never deletes one without its mark.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import hashlib
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from newsgen.cache import Cache, pack, unpack
from newsgen.errors import BuildError, Problems

log = logging.getLogger(__name__)

MARKER = ".newsgen-output"
MARKER_TEXT = "This folder is made by newsgen and replaced on every build.\n"
SOURCE_FOLDERS = ("content", "templates", "static")


def check_output(site_dir: Path, output: Path, force: bool = False) -> None:
    """Refuse an output folder whose replacement would destroy sources or foreign files."""
    site = site_dir.resolve()
    out = output.resolve()
    shown = _show(output, site_dir)
    for special, name in ((Path(out.anchor), "the root folder"),
                          (Path.home().resolve(), "your home folder")):
        if out == special:
            raise BuildError(f"output '{shown}' is {name}; choose a folder of its own, "
                             "like public")
    if out == site or out in site.parents:
        raise BuildError(f"output '{shown}' would replace the site folder itself; "
                         "use a folder inside it, like public")
    for name in (*SOURCE_FOLDERS, "site.yaml"):
        source = (site / name).resolve()
        if out == source or source in out.parents:
            raise BuildError(f"output '{shown}' is inside the site's {name}; "
                             "use a folder of its own, like public")
    if out.exists() and not out.is_dir():
        raise BuildError(f"output '{shown}' is a file, not a folder")
    if out.is_dir() and not (out / MARKER).is_file() and any(out.iterdir()) and not force:
        raise BuildError(f"output '{shown}' has files that newsgen did not make; empty it, "
                         "choose another output, or pass --force to replace it")


def _show(path: Path, site_dir: Path) -> str:
    try:
        return path.resolve().relative_to(site_dir.resolve()).as_posix()
    except ValueError:
        return str(path)


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


def racy(mtime_ns: int, seen_ns: int) -> bool:
    """Whether a file or folder changed so shortly before `seen_ns` that a second change in
    the same clock tick would leave its time as it was: its time cannot vouch for it.

    File systems with whole-second times (FAT, old HFS+) get two seconds; others,
    whose times step by a few milliseconds, a tenth of a second.
    """
    window = 2_000_000_000 if mtime_ns % 1_000_000_000 == 0 else 100_000_000
    return seen_ns - mtime_ns < window


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


def _link(source: Path, target: Path) -> bool:
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
        self._texts: dict[str, bytes] = {}
        self._copies: dict[str, Path] = {}
        self._made: set[str] = set()  # folders known to exist in the staging folder
        self.touched: set[str] = set()  # folders whose list of names this writer changed

    def claim(self, rel: str, owner: str, role: str = "") -> bool:
        """Reserve `rel` for `owner`; False (and a problem) if it is taken."""
        if rel in self.owners:
            first = self.owners[rel]
            hint = "rename or remove the static file" if "static/" in first + owner else \
                "change a slug, an alias or the permalink pattern"
            self.problems.error(f"{rel} would be written twice, for {first} and for "
                                f"{role}{owner}; {hint}", owner if owner.endswith(".md") else "")
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

    def write_file(self, rel: str, text: str, owner: str, role: str = "") -> bool:
        if not self.claim(rel, owner, role):
            return False
        data = text.encode("utf-8")
        if self.keep(rel, content_digest(data)) is None:
            self._texts[rel] = data
        return True

    def copy(self, rel: str, source: Path, owner: str) -> None:
        if self.copied.get(rel) == source:
            return  # one picture used twice, by the hero and the body
        if self.claim(rel, owner):
            self.copied[rel] = source
            try:
                st = source.stat()
            except OSError:
                st = None
            if st is None or self.keep(rel, _copy_key(source, st)) is None:
                self._copies[rel] = source

    def _touch(self, rel: str) -> None:
        self.touched.add(rel.rpartition("/")[0])

    def page(self, rel: str, entry: Entry, new: bool) -> None:
        """A page rendered straight into the staging folder (by any process)."""
        self._touch(rel)
        self.entries[rel] = entry
        self.pages += 1
        self.rendered += 1
        self.written += new

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

    def flush(self, pages: Iterable[str] = ()) -> None:
        """Put every kept, written and copied file into the staging folder, and make the
        folders of `pages`, which are rendered into it next.

        Folders are made in one go, before any file: one mkdir per folder instead
        of one attempt per file, which on a busy disk is most of the writing time.
        """
        self._make_folders([*self._kept, *self._texts, *self._copies, *pages])
        spare = self.spare.entries if self.spare else {}
        for rel in self._kept:
            entry, there = self.entries[rel], spare.get(rel)
            if there is not None and there.ino == entry.ino:
                continue  # the spare holds this very file already
            assert self.previous is not None
            target = self.root / rel
            self._touch(rel)
            if not self.fresh:
                _clear(target)
            if not _link(self.previous.root / rel, target):
                shutil.copy2(self.previous.root / rel, target)
        self._kept.clear()
        for rel, data in self._texts.items():
            self._touch(rel)
            self.entries[rel], new = place(self.root, rel, data, content_digest(data), None,
                                           self.fresh)
            self.written += new
        self._texts.clear()
        for rel, source in self._copies.items():
            target = self.root / rel
            self._touch(rel)
            if not self.fresh:
                _clear(target)
            shutil.copyfile(source, target)
            self.entries[rel] = stat_entry(target, _copy_key(source, source.stat()), b"")
            self.written += 1
        self._copies.clear()

    def _make_folders(self, rels: Iterable[str]) -> None:
        if not self._made:  # the top folder exists, and so does every folder of the spare
            self._made = _folders(self.spare.entries) if self.spare else {""}
        for folder in sorted(_folders(rels) - self._made):  # parents first
            path = self.root / folder
            self._touch(folder)
            try:
                path.mkdir()
            except FileExistsError:
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


def _copy_key(source: Path, st: os.stat_result) -> bytes:
    return content_digest(f"{source}\0{st.st_size}\0{st.st_mtime_ns}".encode())


def staging_path(output: Path) -> Path:
    return output.with_name(f".{output.name}.staging")


def _old_path(output: Path) -> Path:
    return output.with_name(f".{output.name}.old")


def remove_ours(path: Path) -> None:
    """Delete a folder newsgen made (it carries the marker); leave anything else alone.

    An empty folder is taken too: it is what a deletion killed after the marker
    went (the marker goes last) leaves behind, and it holds nothing to lose.
    """
    if path.is_dir() and not path.is_symlink() and ((path / MARKER).is_file()
                                                     or not any(path.iterdir())):
        delete_marked(path)
    elif path.exists() or path.is_symlink():
        raise BuildError(f"'{path}' is in the way and newsgen did not make it; remove it by hand")


def delete_marked(path: Path) -> None:
    """Delete a marked folder with the marker last, so a kill midway leaves it still marked.

    A symlink is removed as a link: what it points to is never walked into.
    """
    if path.is_symlink():
        path.unlink()
        return
    for child in path.iterdir():
        if child.name == MARKER:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    (path / MARKER).unlink(missing_ok=True)
    path.rmdir()


def _new_path(output: Path) -> Path:
    return output.with_name(f".{output.name}.new")


def clear_leftovers(output: Path, spare: bool = False) -> None:
    """Remove what an interrupted build left beside the output (refusing what is not ours);
    `spare`: the staging folder holds the site before the previous one, to be kept."""
    for leftover in (_old_path(output),) if spare else (staging_path(output), _old_path(output)):
        remove_ours(leftover)
    new = _new_path(output)
    if new.is_file() and not new.is_symlink():
        new.unlink()


def replace_one(live: Tree, rel: str, data: bytes, key: bytes, **extra: tuple
                ) -> tuple[Tree, bool]:
    """Put one changed file straight into the live output folder, renamed over the old one.

    When a single file is all that changes, that rename is as atomic as the swap
    of a whole folder, and it spares linking every other file into a staging
    folder first. The file is written beside the output folder, never in it,
    so a build killed midway leaves nothing there a reader could be served.
    `live` must be untouched (Tree.untouched). Returns the folder's new Tree and
    whether the bytes are new.
    """
    content = content_digest(data)
    old = live.entries.get(rel)
    if old is not None and old.content == content:
        entry = Entry(key, content, old.size, old.mtime, old.ino, **extra)
        return Tree(live.root, {**live.entries, rel: entry}, live.folders, live.recorded), False
    temp = _new_path(live.root)
    temp.unlink(missing_ok=True)
    temp.write_bytes(data)
    entry = stat_entry(temp, key, content, **extra)
    temp.replace(live.root / rel)
    folder = rel.rpartition("/")[0]
    st = os.stat(f"{live.root}/{folder}")  # noqa: PTH116 (as in Tree.record)
    # The recording time stays that of the tree: the folder just changed is racy, and
    # the next build lists its names instead of trusting its time.
    return Tree(live.root, {**live.entries, rel: entry},
                {**live.folders, folder: (st.st_mtime_ns, st.st_ino)}, live.recorded), True


def new_staging(output: Path) -> Path:
    """An empty, marked staging folder; debris of an interrupted build is cleared first."""
    output.parent.mkdir(parents=True, exist_ok=True)
    clear_leftovers(output)
    staging = staging_path(output)
    staging.mkdir()
    marker = output / MARKER  # the same file as before, like every file that did not change
    if not (marker.is_file() and not marker.is_symlink() and marker.stat().st_size ==
            len(MARKER_TEXT) and _link(marker, staging / MARKER)):
        (staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    return staging


def publish(staging: Path, output: Path, keep: bool = False) -> bool:
    """Put `staging` in the place of `output` in one step where the system allows it.

    With `keep`, the previous site stays in the staging folder, where the next
    build updates it instead of writing a whole site; True if it did.
    """
    if output.exists() and _exchange(staging, output):
        if keep:
            return True
        delete_marked(staging)  # now holds the previous site
        return False
    old = _old_path(output)
    if output.exists():
        output.rename(old)
    staging.rename(output)
    if old.exists():
        delete_marked(old)
    return False


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically (Linux renameat2); False where that is not possible."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError, TypeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result != 0:
        log.debug("renameat2 failed: %s", os.strerror(ctypes.get_errno()))
        return False
    return True


def load_tree(cache: Cache, root: Path) -> Tree | None:
    """The folder as the last build left it; None if unknown, or not made by newsgen."""
    if not (root / MARKER).is_file():
        return None
    found = cache.rows("SELECT data FROM outputs WHERE root = ?", str(root))
    if not found:
        return None
    try:
        files, folders, recorded = unpack(found[0][0])  # type: ignore[misc]
        return Tree(root, {rel: Entry(*fields) for rel, fields in files.items()}, folders,
                    recorded)
    except (ValueError, TypeError, AttributeError) as exc:
        cache.damaged(f"the list of output files: {exc}")
        return None


def prepare_staging(cache: Cache, output: Path) -> tuple[Path, Tree | None]:
    """The staging folder: the site before the previous one if it is as that build left
    it (then only the files that differ are replaced), else a new, empty folder."""
    staging = staging_path(output)
    spare = load_tree(cache, staging)
    # From here until the swap the folder is half made: the cache must not vouch for it.
    cache.write([("DELETE FROM outputs WHERE root = ?", [(str(staging),)])])
    checked = time.time_ns()
    if spare is not None and spare.untouched():
        clear_leftovers(output, spare=True)
        # Every folder is as recorded as of `checked`, the racy ones included (their
        # names were listed): from now on their times vouch for them.
        return staging, replace(spare, recorded=checked)
    return new_staging(output), None


@contextmanager
def staged(cache: Cache, writer: Writer, output: Path, keep: bool,
           publishing: Callable[[], AbstractContextManager[object]] = contextlib.nullcontext
           ) -> Iterator[Path]:
    """The staging folder for `writer` to fill. When the block ends, the folder takes the
    place of `output` (timed by `publishing`) and both folders are recorded; when it
    fails, the folder is removed and the output is as it was.

    `keep`: the previous site stays as the spare for the next build.
    """
    staging, writer.spare = prepare_staging(cache, output)
    previous = writer.previous
    try:
        yield staging
        with publishing():
            writer.finish()
            kept = publish(staging, output, keep=keep and previous is not None)
    except BaseException:
        with contextlib.suppress(OSError):  # what stays is marked: the next build clears it
            delete_marked(staging)
        raise
    save_trees(cache, writer.tree(output),
               Tree(staging, previous.entries, previous.folders, previous.recorded)
               if kept and previous else None)


def save_trees(cache: Cache, live: Tree, spare: Tree | None) -> None:
    """Record the new output folder and the spare; forget folders that are gone (old
    previews)."""
    gone = [(root,) for (root,) in cache.rows("SELECT root FROM outputs")
            if not Path(root).is_dir()]
    rows = [(str(tree.root), pack(({rel: (e.key, e.content, e.size, e.mtime, e.ino, e.pictures,
                                          e.needs) for rel, e in tree.entries.items()},
                                   tree.folders, tree.recorded)))
            for tree in (live, spare) if tree is not None]
    cache.write([("DELETE FROM outputs WHERE root = ?", gone),
                 ("INSERT OR REPLACE INTO outputs VALUES (?, ?)", rows)])


def has_spare(cache: Cache, output: Path) -> bool:
    return bool(cache.rows("SELECT 1 FROM outputs WHERE root = ?", str(staging_path(output))))

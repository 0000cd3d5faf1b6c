"""Putting a build in place atomically: one file renamed over the old one, or the whole
staging folder swapped for the output folder.

A build is written into a staging folder beside the output and swapped in
only when it is complete, so readers and editors never see half a site, and
a failed build leaves the previous one exactly as it was.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from pathlib import Path

from newsgen.engine.store import Store
from newsgen.messages import _
from newsgen.output.guard import MARKER, MARKER_TEXT, delete_marked, remove_ours
from newsgen.output.writer import Entry, Tree, Writer, _link, content_digest, stat_entry

log = logging.getLogger(__name__)


def staging_path(output: Path) -> Path:
    return output.with_name(f".{output.name}.staging")


def _old_path(output: Path) -> Path:
    return output.with_name(f".{output.name}.old")


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
    old = live.reusable(rel, content, "content")  # the file there has these bytes, untouched
    if old is not None:
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
    import ctypes  # only a build that swaps folders needs it
    import ctypes.util
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


def load_tree(store: Store, root: Path) -> Tree | None:
    """The folder as the last build left it; None if unknown, or not made by newsgen."""
    if not (root / MARKER).is_file():
        return None
    stored = store.tree(root)
    if stored is None:
        return None
    try:
        files, folders, recorded = stored  # type: ignore[misc]
        return Tree(root, {rel: Entry(*fields) for rel, fields in files.items()}, folders,
                    recorded)
    except (ValueError, TypeError, AttributeError) as exc:
        store.damaged(_("the list of output files: {error}", error=str(exc)))
        return None


def _packed(tree: Tree) -> tuple[object, ...]:
    return ({rel: (e.key, e.content, e.size, e.mtime, e.ino, e.pictures, e.needs)
             for rel, e in tree.entries.items()}, tree.folders, tree.recorded)


def prepare_staging(store: Store, output: Path) -> tuple[Path, Tree | None]:
    """The staging folder: the site before the previous one if it is as that build left
    it (then only the files that differ are replaced), else a new, empty folder."""
    staging = staging_path(output)
    spare = load_tree(store, staging)
    # From here until the swap the folder is half made: the store must not vouch for it.
    store.save_trees({}, forget=[str(staging)])
    checked = time.time_ns()
    if spare is not None and spare.untouched():
        clear_leftovers(output, spare=True)
        # Every folder is as recorded as of `checked`, the racy ones included (their
        # names were listed): from now on their times vouch for them.
        return staging, replace(spare, recorded=checked)
    return new_staging(output), None


@contextmanager
def staged(store: Store, writer: Writer, output: Path, keep: bool,
           publishing: Callable[[], AbstractContextManager[object]] = contextlib.nullcontext
           ) -> Iterator[Path]:
    """The staging folder for `writer` to fill. When the block ends, the folder takes the
    place of `output` (timed by `publishing`) and both folders are recorded; when it
    fails, the folder is removed and the output is as it was.

    `keep`: the previous site stays as the spare for the next build.
    """
    staging, writer.spare = prepare_staging(store, output)
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
    save_trees(store, writer.tree(output),
               Tree(staging, previous.entries, previous.folders, previous.recorded)
               if kept and previous else None)


def save_trees(store: Store, live: Tree, spare: Tree | None) -> None:
    """Record the new output folder and the spare; forget folders that are gone (old
    previews)."""
    store.save_trees({str(tree.root): _packed(tree) for tree in (live, spare)
                      if tree is not None})


def has_spare(store: Store, output: Path) -> bool:
    return store.has_tree(staging_path(output))

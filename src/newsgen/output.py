"""The output folder: guarding where it may be, and swapping a new build in atomically.

A build is written into a staging folder beside the output and swapped in only
when it is complete, so readers and editors never see half a site, and a failed
build leaves the previous one exactly as it was. newsgen marks the folders it
makes and never deletes one without its mark.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import shutil
from pathlib import Path

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


class Writer:
    """Writes every output file, and refuses to write one path twice (Pelican's writer).

    Two articles whose slugs map to one URL, or a static file shadowing a page,
    are caught here instead of one silently replacing the other.
    """

    def __init__(self, root: Path, problems: Problems) -> None:
        self.root = root
        self.problems = problems
        self.owners: dict[str, str] = {}  # output path -> what wrote it, for messages
        self.copied: dict[str, Path] = {}  # output path -> file copied there
        self.pages = 0

    def claim(self, rel: str, owner: str, role: str = "") -> bool:
        """Reserve `rel` for `owner`; False (and a problem) if it is taken. Makes its folder."""
        if rel in self.owners:
            first = self.owners[rel]
            hint = "rename or remove the static file" if "static/" in first + owner else \
                "change a slug, an alias or the permalink pattern"
            self.problems.error(f"{rel} would be written twice, for {first} and for "
                                f"{role}{owner}; {hint}", owner if owner.endswith(".md") else "")
            return False
        self.owners[rel] = owner
        target = self.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        return True

    def write_page(self, rel: str, html: str, owner: str, role: str = "") -> None:
        """`role` says how `owner` comes to write here ("an alias in "), for messages."""
        if self.write_file(rel, html, owner, role):
            self.pages += 1

    def write_file(self, rel: str, text: str, owner: str, role: str = "") -> bool:
        if not self.claim(rel, owner, role):
            return False
        (self.root / rel).write_text(text, encoding="utf-8", newline="\n")
        return True

    def copy(self, rel: str, source: Path, owner: str) -> None:
        if self.copied.get(rel) == source:
            return  # one picture used twice, by the hero and the body
        if self.claim(rel, owner):
            self.copied[rel] = source
            shutil.copyfile(source, self.root / rel)


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


def new_staging(output: Path) -> Path:
    """An empty, marked staging folder; debris of an interrupted build is cleared first."""
    output.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (staging_path(output), _old_path(output)):
        remove_ours(leftover)
    staging = staging_path(output)
    staging.mkdir()
    (staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    return staging


def publish(staging: Path, output: Path) -> None:
    """Put `staging` in the place of `output` in one step where the system allows it."""
    if output.exists() and _exchange(staging, output):
        delete_marked(staging)  # now holds the previous site
        return
    old = _old_path(output)
    if output.exists():
        output.rename(old)
    staging.rename(output)
    if old.exists():
        delete_marked(old)


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

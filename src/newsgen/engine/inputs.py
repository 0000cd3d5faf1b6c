"""The inputs of a build, the only things that change: every source file (by digest, with
its stat as a shortcut), every setting of site.yaml, every option.

Each is a node named by what it is (`file:content/a.md`, `theme:templates/base.html`,
`setting:timezone`, `option:drafts`), the names queries record when they read.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import blake3

from newsgen.engine.store import fingerprint
from newsgen.theme import THEME_DIR, source_dirs

if TYPE_CHECKING:
    from newsgen.engine.checkout import Checkout

CHUNK = 1 << 20  # bytes read at a time when a file's digest is taken


def source_files(site_dir: Path) -> dict[str, str]:
    """Every file a build may read, with its size, time, inode and change time (which no
    tool can set back, as `touch -d` or an archive does a file's time)."""
    found: dict[str, str] = {}
    for root in source_dirs(site_dir):
        _walk(str(root), found)
    return found


def _walk(folder: str, found: dict[str, str]) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            _walk(entry.path, found)
            continue
        try:
            st = entry.stat()
        except OSError:
            found[entry.path] = "gone"
            continue
        link = ":link" if entry.is_symlink() else ""
        found[entry.path] = f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}:{st.st_ctime_ns}{link}"



def racy(mtime_ns: int, seen_ns: int) -> bool:
    """Whether a file or folder changed so shortly before `seen_ns` that a second change in
    the same clock tick would leave its time as it was: its time cannot vouch for it.

    File systems with whole-second times (FAT, old HFS+) get two seconds; others,
    whose times step by a few milliseconds, a tenth of a second.
    """
    window = 2_000_000_000 if mtime_ns % 1_000_000_000 == 0 else 100_000_000
    return seen_ns - mtime_ns < window



def file_key(path: str, site: str) -> str:
    """The node name of a source file: its path in the site, or in the theme."""
    if path.startswith(site):
        return "file:" + path[len(site):]
    return "theme:" + os.path.relpath(path, THEME_DIR)


LARGE_FILE = 256 * 1024  # bytes: a file this large is hashed in a thread of its own
ASK_GIT_FROM = 64 * 1024 * 1024  # bytes to hash before asking git (some 10 ms) pays


def file_digest(path: str) -> bytes:
    """The digest of a file's bytes; b"gone" when it cannot be read.

    BLAKE3, not the BLAKE2 of `fingerprint`: a site's photos are most of its
    bytes (2 GB for 1,000 camera photos), every build that starts without its
    records (a CI checkout) reads them all, and BLAKE3's vector code hashes
    them at three times the speed of OpenSSL's SHA-256 here (0.14 s against
    0.51 s for 387 MB, one thread), letting go of the GIL while it works.
    """
    h = blake3.blake3()
    try:
        with open(path, "rb") as f:  # noqa: PTH123 (a Path per file costs more)
            while chunk := f.read(CHUNK):
                h.update(chunk)
    except OSError:
        return b"gone"
    return h.digest(16)


@dataclass(slots=True)
class Files:
    """The source files as they are now, found through the stat shortcut."""

    digests: dict[str, str | bytes] = field(default_factory=dict)  # node name -> digest
    paths: dict[str, str] = field(default_factory=dict)  # node name -> path
    fresh: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # stats to record
    gone: list[str] = field(default_factory=list)  # recorded stats of files that are gone
    links: set[str] = field(default_factory=set)  # node names of files that are symlinks


def scan(site_dir: Path, known: dict[str, tuple[str, bytes]],
         checkout: Checkout | None = None) -> Files:
    """Every source file with its digest, reading only those whose stat moved, or, for
    large files of a fresh clone, those git cannot vouch for (`checkout`).

    A stat taken within a clock tick of a change cannot vouch for the file (see
    `racy`): it is recorded as unknown, and the file is read again next time.
    """
    seen = time.time_ns()
    found = Files()
    site_dir = site_dir.absolute()  # names are the same whichever folder newsgen runs in
    site = str(site_dir) + os.sep
    stats = source_files(site_dir)
    todo = [path for path, stat in stats.items()
            if (old := known.get(path)) is None or old[0] != stat or stat == "gone"]
    # BLAKE3 lets go of the GIL while it hashes: threads read and hash large files (the
    # pictures) in parallel. Small ones (the articles) are quicker one after the other:
    # for them, handing work to a thread costs more than the hashing.
    sizes = {path: int(stats[path].partition(":")[0]) for path in todo if stats[path] != "gone"}
    large = [path for path, size in sizes.items() if size >= LARGE_FILE]
    made: dict[str, bytes] = {}
    if checkout is not None and sum(sizes[path] for path in large) >= ASK_GIT_FROM:
        made = checkout.digests(stats, large)  # a fresh clone: git knows what it wrote
        large = [path for path in large if path not in made]
    with ThreadPoolExecutor(min(8, os.cpu_count() or 1)) if len(large) > 1 else \
            contextlib.nullcontext() as pool:
        hashed = dict(zip(large, pool.map(file_digest, large) if pool
                          else map(file_digest, large), strict=True))
    if checkout is not None:
        for path, digest in hashed.items():
            checkout.learn(path, digest)
    made.update(hashed)
    made.update((path, file_digest(path)) for path in todo if path not in made)
    for path, stat in stats.items():
        key = file_key(path, site)
        old = known.get(path)
        if path not in made:
            digest = old[1]  # type: ignore[index]
        else:
            digest = made[path]
            trusted = "" if stat == "gone" or racy(int(stat.split(":")[1]), seen) else stat
            if old is None or old != (trusted, digest):
                found.fresh[path] = (trusted, digest)
        found.digests[key] = digest
        found.paths[key] = path
        if stat.endswith(":link"):
            found.links.add(key)
    present = set(found.paths.values())
    found.gone = [path for path in known if path not in present]
    return found


def setting_digests(config: object) -> dict[str, bytes]:
    """setting:<name> -> digest, for every field and property of the site's configuration
    (a property, like base_path, is read as one setting made of others)."""
    names = [f.name for f in dataclasses.fields(config)]  # type: ignore[arg-type]
    names += [name for name, value in vars(type(config)).items() if isinstance(value, property)]
    return {f"setting:{name}": fingerprint(getattr(config, name)) for name in names}

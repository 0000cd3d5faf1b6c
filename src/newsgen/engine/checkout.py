"""What git already knows of a site's files: a shortcut to the digests of large files on a
fresh clone.

A CI build starts from a new checkout: no file's stat is known, so every byte
of the site would be read and hashed again, two gigabytes for a thousand
camera photos, while git has just written each file from a blob whose id it
keeps in its index, beside the file's size, time and inode. When those are
as git recorded them, and the time is old enough to vouch for the bytes (the
"racy git" rule), the file holds that blob. Blob ids are not our digests, so
a memo kept in the picture cache (the folder CI keeps between runs) maps
each id to the digest taken the first time: the next fresh clone reads none
of those files.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from newsgen.engine.inputs import racy

BLOBS = "blobs.json"  # the memo's name in the picture cache
GIT_TIMEOUT = 20  # seconds: a git that hangs (a lock, a network file system) is not waited for
# One entry of `git ls-files --stage --debug -z`: "mode blob stage\tpath\0" then the stat
# lines git keeps for it.
_ENTRY = re.compile(
    rb"(?P<mode>\d+) (?P<blob>[0-9a-f]{40,64}) 0\t(?P<path>[^\0]+)\0"
    rb"\s*ctime: (?P<csec>\d+):(?P<cnsec>\d+)\n\s*mtime: (?P<sec>\d+):(?P<nsec>\d+)\n"
    rb"\s*dev: \d+\tino: (?P<ino>\d+)\n\s*uid: \d+\tgid: \d+\n"
    rb"\s*size: (?P<size>\d+)\tflags: [0-9a-f]+\n")
_FILE_MODES = (b"100644", b"100755")


def vouched(site_dir: Path, stats: dict[str, str], wanted: Iterable[str]) -> dict[str, str]:
    """path -> blob id, for each of `wanted` (paths of `stats`, as the input scan took them)
    that git's index vouches for; {} where there is no git, no repository, or no answer."""
    wanted = set(wanted)
    if not wanted:
        return {}
    top = str(site_dir) + os.sep
    try:
        listed = subprocess.run(
            ["git", "-C", str(site_dir), "ls-files", "--stage", "--debug", "-z"],
            capture_output=True, timeout=GIT_TIMEOUT, check=True).stdout
        index = subprocess.run(
            ["git", "-C", str(site_dir), "rev-parse", "--path-format=absolute",
             "--git-path", "index"], capture_output=True, timeout=GIT_TIMEOUT, check=True,
            text=True).stdout.strip()
        written = os.stat(index).st_mtime_ns  # noqa: PTH116
    except (OSError, subprocess.SubprocessError):
        return {}
    found: dict[str, str] = {}
    for entry in _ENTRY.finditer(listed):
        path = top + os.fsdecode(entry["path"])
        if path not in wanted or entry["mode"] not in _FILE_MODES:
            continue
        stat = stats[path].split(":")
        if len(stat) != 4:
            continue  # a link
        size, mtime, ino, ctime = map(int, stat)
        # As git compares them (core.trustctime, core.checkStat=default), and the index
        # keeps 32 bits of an inode number.
        if (size, mtime, ctime, ino & 0xFFFFFFFF) != (
                int(entry["size"]), _ns(entry["sec"], entry["nsec"]),
                _ns(entry["csec"], entry["cnsec"]), int(entry["ino"])):
            continue  # changed since git wrote it, or not written by git
        if racy(mtime, written):
            continue  # changed too close to the index's writing for git's stat to vouch
        found[path] = f"{entry['blob'].decode()}:{size}"
    return found


def _ns(seconds: bytes, nanoseconds: bytes) -> int:
    return int(seconds) * 1_000_000_000 + int(nanoseconds)


@dataclass
class Checkout:
    """The digests git's index lets a build take without reading the files: blob ids
    (with sizes) -> digests, kept between builds in `memo` (None: in memory only)."""

    site_dir: Path
    memo: Path | None
    _known: dict[str, str] | None = None
    _blobs: dict[str, str] = field(default_factory=dict)  # path -> blob id, this build
    _new: dict[str, str] = field(default_factory=dict)

    def digests(self, stats: dict[str, str], paths: list[str]) -> dict[str, bytes]:
        """The digests of those of `paths` that git vouches for and the memo knows."""
        self._blobs = vouched(self.site_dir, stats, paths)
        known = self._load()
        found: dict[str, bytes] = {}
        for path, blob in self._blobs.items():
            try:
                found[path] = bytes.fromhex(known[blob])
            except (KeyError, ValueError):  # not met yet, or a damaged memo: read the file
                continue
        return found

    def learn(self, path: str, digest: bytes) -> None:
        """The digest of a file read in this build, for the next clone that has its blob."""
        blob = self._blobs.get(path)
        if blob is not None and len(digest) == 16:
            self._new[blob] = digest.hex()

    def _load(self) -> dict[str, str]:
        if self._known is None:
            self._known = {}
            if self.memo is not None:
                try:
                    known = json.loads(self.memo.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    known = {}
                if isinstance(known, dict):
                    self._known = {str(k): str(v) for k, v in known.items()}
        return self._known

    def save(self) -> None:
        """Keep what this build learnt (whole or not at all: a killed build leaves the
        memo as it was)."""
        if not self._new or self.memo is None:
            return
        known = {**self._load(), **self._new}
        self.memo.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.memo.with_name(f".{self.memo.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(known, sort_keys=True, separators=(",", ":")),
                       encoding="utf-8")
        tmp.replace(self.memo)
        self._known, self._new = known, {}

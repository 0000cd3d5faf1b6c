"""A fresh clone with the picture cache of the last CI run reads none of its photos again.

Git's index vouches for the bytes of every file it wrote; the cache remembers
which digest those bytes have. These tests build real git checkouts in-process
(to see which files a build hashes) and compare what readers get.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from conftest import copy_site, manifest, write
from newsgen.build import BuildOptions, build
from newsgen.engine import checkout, inputs

SECTION = "the-gioi"
GIT = ["git", "-c", "user.name=Ban biên tập", "-c", "user.email=bbt@example.com",
       "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"]


def noisy_photo(path: Path, seed: int) -> Path:
    """A JPEG of noise: large (over 256 KB) as a camera's file is."""
    image = Image.effect_noise((1000, 700), 60 + seed).convert("RGB")
    image.save(path, "JPEG", quality=95)
    assert path.stat().st_size >= inputs.LARGE_FILE
    return path


def repository(tmp_path: Path) -> Path:
    """The minimal site with a photo as an article's hero, committed to git."""
    site = copy_site("minimal", tmp_path / "origin")
    noisy_photo(site / "content" / SECTION / "toan-canh.jpg", 0)
    write(site / "content" / SECTION / "toan-canh.md", f"""---
title: "Toàn cảnh hội nghị"
date: 2022-01-07T09:00:00+07:00
section: {SECTION}
lead: "Ảnh toàn cảnh."
image:
  src: toan-canh.jpg
  alt: "Toàn cảnh phòng họp"
---
Nội dung bài.
""")
    (site / ".gitignore").write_text("public/\n.newsgen-cache/\n", encoding="utf-8")
    subprocess.run([*GIT, "init", "-q", str(site)], check=True)
    subprocess.run([*GIT, "-C", str(site), "add", "-A"], check=True)
    subprocess.run([*GIT, "-C", str(site), "commit", "-q", "-m", "Bài đầu"], check=True)
    return site


def clone(origin: Path, dest: Path, cache_from: Path | None = None) -> Path:
    """A fresh checkout, as CI makes one, with the picture cache it restored."""
    subprocess.run([*GIT, "clone", "-q", str(origin), str(dest)], check=True)
    # A checkout's last files are written within a tick of git's index: give them time.
    old = (dest / ".git" / "index").stat().st_mtime_ns - 10**9
    for path in dest.rglob("*.jpg"):
        os.utime(path, ns=(old, old))
    subprocess.run(["git", "-C", str(dest), "update-index", "--refresh", "-q"], check=False)
    if cache_from is not None:
        shutil.copytree(cache_from / ".newsgen-cache" / "pictures",
                        dest / ".newsgen-cache" / "pictures")
    return dest


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files a build reads to take their digests, in the order it read them; git is
    asked for any amount of bytes (a site of thousands of photos, in small)."""
    seen: list[str] = []
    real = inputs.file_digest

    def spy(path: str) -> bytes:
        seen.append(os.path.relpath(path))
        return real(path)
    monkeypatch.setattr(inputs, "file_digest", spy)
    monkeypatch.setattr(inputs, "ASK_GIT_FROM", 0)
    return seen


def built(site: Path) -> dict[str, str]:
    """Build in the site's folder (the spy names files from there); what it published."""
    cwd = Path.cwd()
    os.chdir(site)
    try:
        build(site, BuildOptions(now="2024-01-01T00:00:00+07:00"))
    finally:
        os.chdir(cwd)
    return manifest(site / "public")


def photos_hashed(seen: list[str]) -> list[str]:
    return [path for path in seen if path.endswith(".jpg")]


def test_a_fresh_clone_with_the_cache_hashes_no_photo_and_builds_the_same_site(
        tmp_path: Path, hashed: list[str]) -> None:
    origin = repository(tmp_path)
    first = clone(origin, tmp_path / "ci-1")
    before = built(first)
    assert photos_hashed(hashed) == [f"content/{SECTION}/toan-canh.jpg"]  # met once
    memo = json.loads((first / ".newsgen-cache" / "pictures" / checkout.BLOBS).read_text())
    blob = subprocess.run(["git", "-C", str(first), "rev-parse",
                           f"HEAD:content/{SECTION}/toan-canh.jpg"], capture_output=True,
                          text=True, check=True).stdout.strip()
    size = (first / "content" / SECTION / "toan-canh.jpg").stat().st_size
    assert f"{blob}:{size}" in memo

    hashed.clear()
    second = clone(origin, tmp_path / "ci-2", cache_from=first)
    assert built(second) == before  # byte for byte what the first run published
    assert photos_hashed(hashed) == []
    assert any(name.startswith("img/") for name in before)


def test_a_photo_changed_after_the_checkout_is_read_even_with_its_old_time(
        tmp_path: Path, hashed: list[str]) -> None:
    origin = repository(tmp_path)
    first = clone(origin, tmp_path / "ci-1")
    before = built(first)
    second = clone(origin, tmp_path / "ci-2", cache_from=first)
    photo = second / "content" / SECTION / "toan-canh.jpg"
    st = photo.stat()
    replaced = tmp_path / "khac.jpg"
    Image.effect_noise((1000, 700), 20).convert("RGB").save(replaced, "JPEG", quality=60)
    data = replaced.read_bytes()
    assert len(data) < st.st_size
    photo.write_bytes(data.ljust(st.st_size, b"\0"))  # as large as the old one, other bytes
    os.utime(photo, ns=(st.st_atime_ns, st.st_mtime_ns))  # and its time set back
    hashed.clear()
    after = built(second)
    assert photos_hashed(hashed) == [f"content/{SECTION}/toan-canh.jpg"]
    old = {n for n in before if n.startswith("img/")}
    new = {n for n in after if n.startswith("img/")}
    # New bytes, a new name for each file: four widths, the fallback and three crops.
    assert len(old - new) == len(new - old) == 8


def test_a_damaged_memo_or_no_git_means_reading_the_photos(tmp_path: Path,
                                                           hashed: list[str]) -> None:
    origin = repository(tmp_path)
    first = clone(origin, tmp_path / "ci-1")
    before = built(first)
    second = clone(origin, tmp_path / "ci-2", cache_from=first)
    (second / ".newsgen-cache" / "pictures" / checkout.BLOBS).write_text("{not json")
    hashed.clear()
    assert built(second) == before
    assert photos_hashed(hashed) == [f"content/{SECTION}/toan-canh.jpg"]

    third = tmp_path / "no-git"
    shutil.copytree(first, third, ignore=shutil.ignore_patterns(".git", "public"))
    (third / ".newsgen-cache" / "build.sqlite").unlink()
    hashed.clear()
    assert built(third) == before
    assert photos_hashed(hashed) == [f"content/{SECTION}/toan-canh.jpg"]


def test_git_does_not_vouch_for_a_file_written_as_its_index_was(tmp_path: Path) -> None:
    site = clone(repository(tmp_path), tmp_path / "ci")
    photo = site / "content" / SECTION / "toan-canh.jpg"
    stats = inputs.source_files(site)
    assert checkout.vouched(site, stats, [str(photo)]) != {}
    index = site / ".git" / "index"
    written = photo.stat().st_mtime_ns + 1000  # a microsecond after the photo's time
    os.utime(index, ns=(written, written))
    assert checkout.vouched(site, inputs.source_files(site), [str(photo)]) == {}

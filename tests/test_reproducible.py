"""The same sources give the same bytes wherever and however the build runs.

A newsroom builds on laptops in Hà Nội, on a CI runner in UTC and on a server
with whatever locale its image has; a deploy that re-uploads every file
because a date was written in the runner's zone, or because a listing followed
the order the disk returned files in, costs CDN purges and makes every diff
unreadable. The clock is pinned with --now, so only the machine changes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO, SITES, manifest, newsgen

NOW = "2022-01-10T00:00:00+07:00"  # after every article of both sites
NOW_AS_EPOCH = "@1641747600"  # the same instant, written as SOURCE_DATE_EPOCH writes it
SOURCE_PARTS = ("site.yaml", "content", "templates", "static")
BASELINE_ENV = {"TZ": "UTC", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
SOURCES = {"example": REPO, "english": SITES / "english"}


def source_files(site: Path) -> list[Path]:
    files: list[Path] = []
    for part in SOURCE_PARTS:
        path = site / part
        files += [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sorted(files)


def copy_in_order(site: Path, dest: Path, reverse: bool) -> Path:
    """A copy whose files, and folders, are created in sorted or in reverse-sorted order.

    On most file systems a small folder lists its entries in creation order, so
    the two copies list differently and a build that trusts the listing differs.
    """
    files = source_files(site)
    for path in reversed(files) if reverse else files:
        target = dest / path.relative_to(site)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    return dest


def listing(folder: Path) -> list[list[str]]:
    """The order the operating system returns every folder's entries in."""
    return [[entry.name for entry in os.scandir(here)] for here, _, _ in sorted(os.walk(folder))]


def build(site: Path, out: Path, *, cwd: Path, env: dict[str, str] | None = None,
          now: str = NOW) -> dict[str, str]:
    # Made from nothing each time: a cached article from another environment would hide
    # exactly the difference a test looks for.
    run = newsgen("build", "-s", site, "-o", out, "-q", "--now", now, "--no-cache", cwd=cwd,
                  env={**BASELINE_ENV, **(env or {})})
    assert run.code == 0, run.err
    return manifest(out)


@pytest.fixture(scope="module", params=list(SOURCES))
def baseline(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> tuple[Path, dict[str, str]]:
    """Each site built once in UTC, under the C.UTF-8 locale, from an unrelated folder."""
    site = SOURCES[request.param]
    tmp = tmp_path_factory.mktemp(f"baseline-{request.param}")
    built = build(site, tmp / "out", cwd=tmp)
    assert len(built) > 10, "the site should give a real set of pages"
    return site, built


ENVIRONMENTS = {
    "tz-new-york": {"TZ": "America/New_York"},
    "tz-ho-chi-minh": {"TZ": "Asia/Ho_Chi_Minh"},
    "tz-kiritimati": {"TZ": "Pacific/Kiritimati"},  # +14:00: another calendar day than UTC
    "tz-posix-rule": {"TZ": "EST5EDT,M3.2.0,M11.1.0"},
    "locale-c": {"LANG": "C", "LC_ALL": "C"},
    "locale-vi": {"LANG": "vi_VN.UTF-8", "LC_ALL": "vi_VN.UTF-8"},
    "locale-en-us": {"LANG": "en_US.UTF-8", "LC_ALL": "en_US.UTF-8"},
    "locale-unset": {"LANG": "", "LC_ALL": ""},
    # An ASCII locale that Python is not allowed to upgrade to UTF-8, as on minimal images
    # without C.UTF-8: every file must still be read and written as UTF-8.
    "locale-ascii": {"LANG": "C", "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
    "python-hash-seed": {"PYTHONHASHSEED": "12345"},
}


@pytest.mark.parametrize("variant", list(ENVIRONMENTS))
def test_environment_does_not_change_the_output(baseline: tuple[Path, dict[str, str]],
                                                variant: str, tmp_path: Path) -> None:
    site, expected = baseline
    assert build(site, tmp_path / "out", cwd=tmp_path, env=ENVIRONMENTS[variant]) == expected


def test_build_from_the_root_folder(baseline: tuple[Path, dict[str, str]],
                                    tmp_path: Path) -> None:
    site, expected = baseline
    assert build(site, tmp_path / "out", cwd=Path("/")) == expected


def test_build_from_the_site_folder_with_relative_paths(baseline: tuple[Path, dict[str, str]],
                                                        tmp_path: Path) -> None:
    site, expected = baseline
    run = newsgen("build", "-s", ".", "-o", tmp_path / "out-abs", "-q", "--now", NOW,
                  "--no-cache", cwd=site, env=BASELINE_ENV)
    assert run.code == 0, run.err
    assert manifest(tmp_path / "out-abs") == expected
    copy = copy_in_order(site, tmp_path / "site", reverse=False)
    run = newsgen("build", "-s", ".", "-o", "../out", "-q", "--now", NOW, cwd=copy,
                  env=BASELINE_ENV)
    assert run.code == 0, run.err
    assert manifest(tmp_path / "out") == expected
    run = newsgen("build", "-s", ".", "-q", "--now", NOW, cwd=copy, env=BASELINE_ENV)
    assert run.code == 0, run.err
    assert manifest(copy / "public") == expected


def lists_in_creation_order(folder: Path) -> bool:
    probe = folder / "probe"
    for name in ("a", "b", "c"):
        (probe / "forward" / name).mkdir(parents=True)
    for name in ("c", "b", "a"):
        (probe / "backward" / name).mkdir(parents=True)
    differs = listing(probe / "forward") != listing(probe / "backward")
    shutil.rmtree(probe)
    return differs


@pytest.fixture
def ordered_tmp(tmp_path: Path) -> Iterator[Path]:
    """A folder on a file system that lists entries in creation order.

    ext4 and XFS list by a hash of the name, so creation order shows nowhere;
    tmpfs (/dev/shm) lists newest first.
    """
    if lists_in_creation_order(tmp_path):
        yield tmp_path
        return
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        pytest.skip("no file system here lists entries in creation order")
    folder = Path(tempfile.mkdtemp(prefix="newsgen-order-", dir=shm))
    try:
        if not lists_in_creation_order(folder):
            pytest.skip("no file system here lists entries in creation order")
        yield folder
    finally:
        shutil.rmtree(folder)


def test_file_creation_order_does_not_change_the_output(baseline: tuple[Path, dict[str, str]],
                                                        ordered_tmp: Path) -> None:
    site, expected = baseline
    forward = copy_in_order(site, ordered_tmp / "forward", reverse=False)
    backward = copy_in_order(site, ordered_tmp / "backward", reverse=True)
    assert listing(forward / "content") != listing(backward / "content"), \
        "the two copies should list their files in different orders"
    assert build(forward, ordered_tmp / "out-forward", cwd=ordered_tmp) == expected
    assert build(backward, ordered_tmp / "out-backward", cwd=ordered_tmp) == expected


def test_same_instant_written_another_way(baseline: tuple[Path, dict[str, str]],
                                          tmp_path: Path) -> None:
    """The clock is an instant: how it is written must not show in the site."""
    site, expected = baseline
    for number, now in enumerate((NOW_AS_EPOCH, "2022-01-09T17:00:00+00:00")):
        assert build(site, tmp_path / f"out-{number}", cwd=tmp_path, now=now) == expected


def test_everything_different_at_once(baseline: tuple[Path, dict[str, str]],
                                      ordered_tmp: Path) -> None:
    site, expected = baseline
    copy = copy_in_order(site, ordered_tmp / "site", reverse=True)
    env = {**BASELINE_ENV, **ENVIRONMENTS["tz-kiritimati"], **ENVIRONMENTS["locale-ascii"],
           **ENVIRONMENTS["python-hash-seed"]}
    run = newsgen("build", "-s", ".", "-o", "../out", "-q", "--now", NOW_AS_EPOCH, cwd=copy,
                  env=env)
    assert run.code == 0, run.err
    assert manifest(ordered_tmp / "out") == expected


def test_rebuild_over_a_previous_output_is_identical(baseline: tuple[Path, dict[str, str]],
                                                     tmp_path: Path) -> None:
    """A file left in the output by hand, or by an older build, must not survive."""
    site, expected = baseline
    out = tmp_path / "out"
    build(site, out, cwd=tmp_path)
    (out / "tin-cu.html").write_text("bài đã xoá", encoding="utf-8")
    shutil.copy(out / "index.html", out / "index-copy.html")
    assert build(site, out, cwd=tmp_path) == expected

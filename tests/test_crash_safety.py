"""A build killed at any moment leaves the previous site or the new one, never a mix.

Power cuts, the OOM killer and CI timeouts stop a build without warning
(SIGKILL: no cleanup runs). The web server keeps serving whatever `public/`
holds at that moment, and the next build must pick up from whatever is left.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from conftest import copy_site, manifest, newsgen, write

NOW = "2022-02-01T00:00:00+07:00"  # after every article, so none is held back
ARTICLES = 300  # enough for a build of about a second on a small CI machine
SITE_ENTRIES = {"content", "site.yaml", "static", "public", ".newsgen-cache"}
SPARE = ".public.staging"  # the previous site, kept after a rebuild to be updated next time
MARKER = ".newsgen-output"
ENV = {**os.environ, "PYTHONUTF8": "1"}

WORDS = ("Hà Nội", "kinh tế", "thương mại", "an ninh", "khu vực", "người dân", "thành phố",
         "hội nghị", "đầu tư", "xuất khẩu", "giá vàng", "lãi suất", "Đà Nẵng", "mùa mưa",
         "giao thông", "y tế", "giáo dục", "bầu cử", "ngoại giao", "du lịch")


def paragraph(seed: int, length: int) -> str:
    words = [WORDS[(seed * 7 + k * 3 + k * k) % len(WORDS)] for k in range(length)]
    return " ".join(words).capitalize() + "."


def generate_site(dest: Path) -> Path:
    """The minimal site plus a few hundred plain articles, the same on every run.

    No tags: the related-articles step grows with tags per article, and only
    the length of the render phase matters here.
    """
    site = copy_site("minimal", dest)
    for i in range(ARTICLES):
        section = ("the-gioi", "kinh-te")[i % 2]
        body = "\n\n".join(paragraph(i + j, 30 + (i + j) % 25) for j in range(5))
        write(site / "content" / section / f"bai-{i:04d}.md",
              f'---\ntitle: "Bài {i}: {WORDS[i % len(WORDS)]} và {WORDS[(i * 3) % len(WORDS)]}"\n'
              f"date: 2021-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00+07:00\n"
              f"section: {section}\n"
              f'lead: "{paragraph(i, 12)}"\n'
              f"---\n{body}\n")
    return site


def set_version(site: Path, version: str) -> None:
    """One headline that differs between versions; its slug, and so its page's path, too."""
    write(site / "content" / "the-gioi" / "tin-nong.md",
          f'---\ntitle: "Tin nóng {version}"\ndate: 2022-01-20T08:00:00+07:00\n'
          f"section: the-gioi\n---\nBản tin phiên bản {version}.\n")


def command(site: Path) -> list[str]:
    return [sys.executable, "-m", "newsgen", "build", "-s", str(site), "-q", "--now", NOW]


def start_build(site: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command(site), env=ENV, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def build(site: Path) -> None:
    run = newsgen("build", "-s", site, "-q", "--now", NOW)
    assert run.code == 0, run.err


def inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except FileNotFoundError:
        return None


def count_files(folder: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(folder))


# --- ways to choose the moment of the kill ---

Killer = Callable[[subprocess.Popen[bytes], Path, int], None]


@dataclass(frozen=True)
class Kill:
    name: str
    act: Killer


def after(delay: float) -> Kill:
    def act(proc: subprocess.Popen[bytes], site: Path, files: int) -> None:
        time.sleep(delay)
        proc.kill()
    return Kill(f"after {delay:.2f} s", act)


def when_staging_complete() -> Kill:
    """Right before the swap: every page is in the staging folder."""
    def act(proc: subprocess.Popen[bytes], site: Path, files: int) -> None:
        staging = site / ".public.staging"
        while proc.poll() is None:
            if count_files(staging) >= files:
                proc.kill()
                return
            time.sleep(0.002)  # walking the folder must not starve the build of CPU
    return Kill("staging complete", act)


def when_swapped(delay: float) -> Kill:
    """Right after the swap, while the previous site is being deleted from the staging path."""
    def act(proc: subprocess.Popen[bytes], site: Path, files: int) -> None:
        public = site / "public"
        before = inode(public)
        while proc.poll() is None:
            if inode(public) != before:
                time.sleep(delay)
                proc.kill()
                return
    return Kill(f"swap seen + {delay * 1000:.0f} ms", act)


def when_staging_gone() -> Kill:
    def act(proc: subprocess.Popen[bytes], site: Path, files: int) -> None:
        staging = site / ".public.staging"
        seen = False
        while proc.poll() is None:
            exists = staging.exists()
            if seen and not exists:
                proc.kill()
                return
            seen = seen or exists
    return Kill("staging gone", act)


def kill_plan(duration: float) -> list[Kill]:
    """14 moments spread over the build, 6 aimed at the swap, interleaved.

    The timed kills stop short of the measured length: a build in the loop can
    run faster than the one measured, and a kill that comes after the end tests
    nothing. The end of the build is what the aimed kills are for.
    """
    timed = [after(duration * 0.9 * i / 13) for i in range(14)]
    aimed = [when_staging_complete(), when_swapped(0.0), when_swapped(0.002),
             when_swapped(0.01), when_staging_complete(), when_staging_gone()]
    plan = [timed.pop(0)]  # the first build has no previous site to fall back on
    while timed or aimed:
        plan += timed[:2] + aimed[:1]
        del timed[:2], aimed[:1]
    return plan


def test_killed_build_leaves_the_old_or_the_new_site(tmp_path: Path) -> None:
    started = time.monotonic()
    site = generate_site(tmp_path / "site")
    public, staging, aside = site / "public", site / ".public.staging", site / ".public.old"
    expected: dict[str, dict[str, str]] = {}
    duration = 0.0
    for version in ("A", "B"):
        set_version(site, version)
        begin = time.monotonic()
        proc = start_build(site)
        assert proc.wait(timeout=120) == 0
        duration = time.monotonic() - begin  # the second one replaces a site, as every round
        expected[version] = manifest(public)
    assert expected["A"] != expected["B"]
    shutil.rmtree(public)

    findings: list[str] = []
    outcomes: Counter[str] = Counter()
    killed = during_staging = 0
    current: str | None = None  # the version public/ holds; None: there is no public/
    plan = kill_plan(duration)
    assert len(plan) == 20
    for number, kill in enumerate(plan):
        new = "B" if current == "A" else "A"
        set_version(site, new)
        proc = start_build(site)
        kill.act(proc, site, len(expected[new]))
        proc.kill()  # the process may have outlived a watcher that saw nothing
        code = proc.wait(timeout=120)
        killed += code == -9
        during_staging += staging.exists()
        where = f"kill {number} ({kill.name}, exit {code})"

        got = manifest(public) if public.exists() else None
        outcome = next((v for v in (new, current) if v and got == expected[v]),
                       "absent" if got is None else "mixed")
        outcomes["new" if outcome == new else "old" if outcome == current else outcome] += 1
        if outcome == "mixed" or (outcome == "absent" and current):
            findings.append(f"{where}: public/ is {outcome}, neither the old nor the new site")
        current = outcome if outcome in expected else None

        run = newsgen("build", "-s", site, "-q", "--now", NOW)
        if run.code != 0:
            findings.append(f"{where}: the next build failed: {run.err.strip()}")
            # Cleared by hand, as the message asks, so that later kills still test something.
            for debris in (staging, aside):
                if debris.exists():
                    shutil.rmtree(debris)
            continue
        current = new
        if manifest(public) != expected[new]:
            findings.append(f"{where}: the next build did not give the new site")
        if extra := sorted({p.name for p in site.iterdir()} - SITE_ENTRIES - {SPARE}):
            findings.append(f"{where}: left behind {extra}")

    elapsed = time.monotonic() - started
    print(f"\n{killed} of {len(plan)} builds killed ({during_staging} while "
          f".public.staging existed); public/ after the kill: {dict(outcomes)}; "
          f"build {duration:.2f} s, test {elapsed:.1f} s")
    assert not findings, "\n".join(findings)
    assert killed >= 12, "too few builds were still running when killed"


# --- what an interrupted build leaves, set up by hand ---


def test_marked_leftovers_of_a_crash_are_cleared(minimal: Path) -> None:
    build(minimal)
    clean = manifest(minimal / "public")
    for name in (".public.staging", ".public.old"):
        write(minimal / name / MARKER, "")
        write(minimal / name / "the-gioi" / "nua-chung" / "index.html", "<p>nửa trang")
    build(minimal)
    assert manifest(minimal / "public") == clean
    assert {p.name for p in minimal.iterdir()} == SITE_ENTRIES


def test_crash_between_the_two_renames_is_recovered(minimal: Path) -> None:
    """Where the exchange is not possible, a crash can fall between moving public/ aside
    and moving the new site in; the next build must still end with a site."""
    build(minimal)
    clean = manifest(minimal / "public")
    (minimal / "public").rename(minimal / ".public.old")
    write(minimal / ".public.staging" / MARKER, "")
    build(minimal)
    assert manifest(minimal / "public") == clean
    assert {p.name for p in minimal.iterdir()} == SITE_ENTRIES


def unmarked_folder(path: Path, outside: Path) -> None:
    write(path / "ghi-chu.txt", "bản thảo của biên tập viên")


def link_to_marked_folder(path: Path, outside: Path) -> None:
    """A link is not newsgen's, even when it leads to a folder with the marker."""
    write(outside / MARKER, "")
    write(outside / "ghi-chu.txt", "bản thảo của biên tập viên")
    path.symlink_to(outside, target_is_directory=True)


def test_unmarked_leftovers_are_kept_and_the_build_says_so(minimal: Path, tmp_path: Path
                                                            ) -> None:
    build(minimal)
    for name in (".public.staging", ".public.old"):
        for make in (unmarked_folder, link_to_marked_folder):
            path = minimal / name
            outside = tmp_path / f"ngoai-{name}-{make.__name__}"
            make(path, outside)
            before = manifest(minimal / "public")
            run = newsgen("build", "-s", minimal, "-q", "--now", NOW)
            assert run.code == 1, (name, make.__name__)
            assert f"'{path}' is in the way and newsgen did not make it; remove it by hand" \
                in run.err
            assert run.err.rstrip().endswith("the output folder was not changed")
            assert (path / "ghi-chu.txt").read_text(encoding="utf-8") == \
                "bản thảo của biên tập viên"
            assert manifest(minimal / "public") == before
            if path.is_symlink():
                assert (outside / MARKER).is_file()
                path.unlink()
            else:
                shutil.rmtree(path)


KILLED_AFTER_MARKER = textwrap.dedent("""\
    import os, signal, sys
    from newsgen.cli import main

    unlink = os.unlink

    def unlink_then_die(path, *args, **kwargs):
        unlink(path, *args, **kwargs)
        if os.path.basename(os.fsdecode(path)) == ".newsgen-output":
            os.kill(os.getpid(), signal.SIGKILL)

    os.unlink = unlink_then_die
    sys.exit(main(sys.argv[1:]))
    """)


def test_kill_while_the_previous_site_is_deleted(minimal: Path) -> None:
    """After the swap the staging path holds the previous site until it is deleted; a kill
    in the middle of that deletion must not leave a folder the next build refuses.

    The kill here lands just after the marker is deleted, the moment a real kill
    hits whenever the marker is not the last file deleted.
    """
    build(minimal)
    set_version(minimal, "A")
    # Without the cache, the previous site is deleted rather than kept for the next build.
    proc = subprocess.run([sys.executable, "-c", KILLED_AFTER_MARKER, "build", "-s",
                           str(minimal), "-q", "--now", NOW, "--no-cache"], env=ENV,
                          capture_output=True, timeout=120)
    assert proc.returncode == -9, proc.stderr  # the marker was deleted: the swap happened
    assert (minimal / "public" / "the-gioi" / "tin-nong-a" / "index.html").is_file()
    run = newsgen("build", "-s", minimal, "-q", "--now", NOW)
    assert run.code == 0, run.err
    assert {p.name for p in minimal.iterdir()} - {SPARE} == SITE_ENTRIES


KILLED_AT_RENAME = textwrap.dedent("""\
    import os, pathlib, signal, sys
    from newsgen.cli import main

    when = sys.argv.pop(1)
    replace = pathlib.Path.replace

    def replace_and_die(self, target):
        if self.name != ".public.new":
            return replace(self, target)
        if when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        result = replace(self, target)
        os.kill(os.getpid(), signal.SIGKILL)
        return result

    pathlib.Path.replace = replace_and_die
    sys.exit(main(sys.argv[1:]))
    """)


def test_kill_around_the_rename_of_a_single_page(minimal: Path, tmp_path: Path) -> None:
    """One changed page is renamed into public/: killed just before or just after the
    rename, public/ holds the old or the new page, whole, and the next build finishes."""
    source = minimal / "content" / "the-gioi" / "hoi-nghi-ha-noi.md"
    original = source.read_text(encoding="utf-8")
    for when, round_ in (("before", 1), ("after", 2)):
        build(minimal)
        old = manifest(minimal / "public")
        source.write_text(original + f"\nĐoạn thêm lần {round_}.\n", encoding="utf-8")
        time.sleep(0.2)  # past the window in which a file's time cannot vouch for it
        proc = subprocess.run([sys.executable, "-c", KILLED_AT_RENAME, when, "build", "-s",
                               str(minimal), "-q", "--now", NOW], env=ENV,
                              capture_output=True, timeout=120)
        assert proc.returncode == -9, proc.stderr  # the rename path was taken
        fresh = tmp_path / f"clean-{when}"
        assert newsgen("build", "-s", minimal, "-q", "--now", NOW, "--no-cache",
                       "-o", fresh).code == 0
        got = manifest(minimal / "public")
        assert got == (old if when == "before" else manifest(fresh)), when
        build(minimal)
        assert manifest(minimal / "public") == manifest(fresh), when
        assert not (minimal / ".public.new").exists()

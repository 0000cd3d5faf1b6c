"""What camera photos cost a build: N articles, each with its own 4000x2667 JPEG hero.

Three builds of the same articles, each from an empty output folder and with no
build store, in git checkouts (a newsroom's site is a repository, and CI builds
a fresh clone of it):

- without pictures (the heroes are the corpus's one small SVG);
- with pictures and no picture cache: every photo is decoded once and made
  into its widths, fallback and crops (render.photos);
- with pictures, in a fresh clone given the picture cache of the build before
  (CI with `actions/cache`): the target is within 10 % of the build without
  pictures.

The build without pictures and the warm one run as `--runs` pairs, one right
after the other (which goes first alternates), each after `sync` so that
neither pays for the other's writing. This machine's speed drifts by a fifth
from one minute to the next; a pair shares the minute, so the verdict is the
median of the pairs' ratios, not the ratio of two bests taken minutes apart.
Both wall and CPU seconds (the build and its workers) are shown.

    python benchmarks/pictures.py [--articles 1000] [--runs 9]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import corpus
from PIL import Image, ImageDraw, ImageFilter

SIZE = (4000, 2667)
TARGET = 1.10  # warm cache / no pictures


def shapes(seed: int, size: tuple[int, int] = (400, 267)) -> Image.Image:
    """Soft coloured shapes, different for each seed."""
    rng = random.Random(seed)
    small = Image.new("RGB", (400, 267), (rng.randrange(256), rng.randrange(256), 90))
    draw = ImageDraw.Draw(small)
    for _ in range(40):
        x, y = rng.randrange(400), rng.randrange(267)
        r = rng.randrange(10, 90)
        draw.ellipse((x - r, y - r, x + r, y + r),
                     fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    return small.filter(ImageFilter.GaussianBlur(6)).resize(size, Image.Resampling.BICUBIC)


def camera_photo() -> Image.Image:
    """A photo-like picture: soft shapes and sensor noise, so it compresses as a photo
    does (a few MB at quality 92)."""
    noise = Image.effect_noise(SIZE, 24).convert("RGB")
    return Image.blend(shapes(0, SIZE), noise, 0.12)


def add_photos(site: Path) -> int:
    """Give every article a hero of its own, beside it; returns the bytes written."""
    base = camera_photo()
    total = 0
    for i, article in enumerate(sorted(site.glob("content/*/*.md"))):
        photo = base.copy()  # each its own: a patch of its own somewhere on it
        photo.paste(shapes(i + 1), ((37 * i) % 3600, (23 * i) % 2400))
        target = article.with_suffix(".jpg")
        photo.save(target, "JPEG", quality=92)
        total += target.stat().st_size
        text = article.read_text(encoding="utf-8")
        article.write_text(re.sub(r"src: /images/anh\.svg", f"src: {target.name}", text, count=1),
                           encoding="utf-8")
    return total


GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com",
       "-c", "core.compression=0", "-c", "commit.gpgsign=false"]


def commit(site: Path) -> None:
    """The site as a repository of its own, its output and cache ignored."""
    (site / ".gitignore").write_text("public/\n.newsgen-cache/\n", encoding="utf-8")
    for step in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "site"]):
        subprocess.run([*GIT, "-C", str(site), *step], check=True)


def fresh_clone(site: Path, dest: Path) -> Path:
    """A new checkout, as CI makes, with the picture cache `site`'s builds made."""
    subprocess.run([*GIT, "clone", "-q", str(site), str(dest)], check=True)
    shutil.copytree(site / ".newsgen-cache" / "pictures", dest / ".newsgen-cache" / "pictures")
    return dest


def build(site: Path) -> tuple[float, float]:
    """One build into an empty output, without the build store: wall and CPU seconds (user
    and system, of the build and the processes it started)."""
    shutil.rmtree(site / "public", ignore_errors=True)
    (site / ".newsgen-cache" / "build.sqlite").unlink(missing_ok=True)
    os.sync()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "newsgen", "build", "-q"], cwd=site, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsgen-pictures-") as tmp:
        plain, photos = Path(tmp) / "plain", Path(tmp) / "photos"
        corpus.generate(plain, args.articles)
        shutil.copytree(plain, photos)
        made = time.perf_counter()
        size = add_photos(photos)
        print(f"{args.articles} photos of {SIZE[0]}x{SIZE[1]}, {size / 1e6:.0f} MB, made in "
              f"{time.perf_counter() - made:.0f} s")
        commit(plain)
        commit(photos)
        cold = build(photos)
        ci = fresh_clone(photos, Path(tmp) / "ci")
        plain_runs: list[tuple[float, float]] = []
        warm_runs: list[tuple[float, float]] = []
        for run in range(args.runs):
            if run % 2:
                warm_runs.append(build(ci))
                plain_runs.append(build(plain))
            else:
                plain_runs.append(build(plain))
                warm_runs.append(build(ci))
        print(f"{'pictures, cold':22} {cold[0]:8.2f} s   (CPU {cold[1]:.2f} s)")
        for name, runs in (("no pictures", plain_runs), ("pictures, warm cache", warm_runs)):
            walls = ", ".join(f"{wall:.2f}" for wall, _ in runs)
            print(f"{name:22} {statistics.median(w for w, _ in runs):8.2f} s   (CPU "
                  f"{statistics.median(c for _, c in runs):.2f} s; runs: {walls})")
        walls = [w / p for (w, _), (p, _) in zip(warm_runs, plain_runs, strict=True)]
        cpus = [w / p for (_, w), (_, p) in zip(warm_runs, plain_runs, strict=True)]
        ratio = statistics.median(walls)
        verdict = "met" if ratio <= TARGET else "NOT met"
        print(f"pairs' ratios (wall): {', '.join(f'{r:.2f}' for r in walls)}")
        print(f"warm cache / no pictures: {ratio:.2f} wall, {statistics.median(cpus):.2f} CPU, "
              f"medians of {args.runs} pairs (target <= {TARGET:.2f}: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""An installed newsgen carries its theme and builds a site far from this repository."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import REPO, copy_site


def test_wheel_carries_the_theme_and_builds_outside_the_repo(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "-w", str(dist), str(REPO)],
                   check=True, capture_output=True, timeout=300)
    wheel = next(dist.glob("newsgen-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "installed")
    for name in ("templates/article.html", "templates/base.html", "static/css/site.css",
                 "static/js/text-size.js", "static/favicon.svg"):
        assert f"newsgen/theme/{name}" in names
    assert not [n for n in names if "/images/" in n]  # the example site's pictures stay out

    site = copy_site("minimal", tmp_path / "site")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "installed")}
    where = subprocess.run([sys.executable, "-c", "import newsgen; print(newsgen.__file__)"],
                           capture_output=True, text=True, env=env, cwd=tmp_path, check=True)
    assert where.stdout.startswith(str(tmp_path / "installed"))
    run = subprocess.run([sys.executable, "-m", "newsgen", "build", "-s", str(site)],
                         capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert run.returncode == 0, run.stderr
    out = site / "public"
    assert (out / "css" / "site.css").read_bytes() == \
        (REPO / "static" / "css" / "site.css").read_bytes()
    assert (out / "the-gioi" / "hoi-nghi-thuong-dinh-tai-ha-noi" / "index.html").is_file()
    assert sorted(p.name for p in (out / "images").iterdir()) == ["da-nang.svg"]


def test_a_site_made_by_init_builds_with_the_released_wheel_in_a_venv_of_its_own(
        tmp_path: Path) -> None:
    """What a newsroom does: `make dist` here, then, far from this repository, a venv with
    that wheel alone, `newsgen init`, and a strict build."""
    dist = tmp_path / "dist"
    made = subprocess.run(["make", "-C", str(REPO), "dist", f"DIST={dist}"],
                          capture_output=True, text=True, timeout=600)
    assert made.returncode == 0, made.stderr
    wheel = next(dist.glob("newsgen-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    installed = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                                str(wheel)], capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stderr
    newsgen_bin = str(venv / "bin" / "newsgen")
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "NEWSGEN_MESSAGES")}
    init = subprocess.run([newsgen_bin, "init", "bao"], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=60)
    assert init.returncode == 0, init.stderr
    # In Vietnamese, the new site's language: the wheel carries the compiled catalog.
    assert init.stdout.splitlines()[-1] == \
        "đã tạo trang web mới; xem trước bằng lệnh: newsgen serve -s bao"
    site = tmp_path / "bao"
    built = subprocess.run([newsgen_bin, "build", "--strict"], capture_output=True, text=True,
                           cwd=site, env=env, timeout=120)
    assert built.returncode == 0, built.stderr
    assert (site / "public" / "thoi-su" / "chao-mung" / "index.html").is_file()
    assert (site / "public" / "css" / "site.css").is_file()
    # The site's CI installs this very version, and git leaves the built output out.
    pinned = [line for line in (site / "requirements.txt").read_text(encoding="utf-8")
              .splitlines() if line and not line.startswith("#")]
    assert pinned == [f"newsgen=={wheel.name.split('-')[1]}"]
    assert "/public/" in (site / ".gitignore").read_text(encoding="utf-8").splitlines()

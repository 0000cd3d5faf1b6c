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

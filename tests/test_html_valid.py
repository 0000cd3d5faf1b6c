"""Every page passes the W3C Nu HTML Checker (vnu.jar from npm, run with Java)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, copy_site, newsgen

VNU = REPO / "tests" / "js" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
HOW = ("the Nu HTML checker needs Java and tests/js/node_modules: install a JRE "
       "(apt-get install default-jre-headless) and Node.js, then run `make test`")


@pytest.fixture(scope="module")
def vnu() -> list[str]:
    java = shutil.which("java")
    if java and VNU.is_file():
        return [java, "-jar", str(VNU)]
    if os.environ.get("CI"):
        pytest.fail(HOW)  # in CI a missing checker is a failure, never a skip
    pytest.skip(HOW)


def check(vnu: list[str], pages: list[Path]) -> list[str]:
    proc = subprocess.run([*vnu, "--errors-only", "--format", "json", *map(str, pages)],
                          capture_output=True, text=True, timeout=300)
    messages = json.loads(proc.stderr or proc.stdout)["messages"]
    return [f"{m.get('url', '')}:{m.get('lastLine', '?')}: {m['message']}" for m in messages
            if m["type"] == "error" or m.get("subType") == "fatal"]


def test_every_page_of_the_example_site_is_valid_html(vnu: list[str], tmp_path: Path) -> None:
    out = tmp_path / "public"
    assert newsgen("build", "-s", REPO, "-o", out).code == 0
    pages = sorted(out.rglob("*.html"))
    assert len(pages) >= 20
    assert check(vnu, pages) == []


def test_feature_sites_are_valid_html(vnu: list[str], tmp_path: Path) -> None:
    pages: list[Path] = []
    for name in ("minimal", "english", "escaping", "encoding"):
        site = copy_site(name, tmp_path / name)
        assert newsgen("build", "-s", site, "--drafts").code == 0
        pages += sorted((site / "public").rglob("*.html"))
    assert check(vnu, pages) == []


def test_the_checker_does_report_errors(vnu: list[str], tmp_path: Path) -> None:
    """Guards the two tests above: a broken page must not pass as valid."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!doctype html><html lang=vi><title>x</title><p><div></span>",
                   encoding="utf-8")
    assert check(vnu, [bad])

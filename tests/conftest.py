"""Shared helpers: run the real `newsgen` command, copy test sites, read what it wrote."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

# Expected messages are written in English, newsgen's source language, whatever the test
# site's language; a test of another language's messages asks for it (--messages vi, or
# this variable removed to follow the site).
os.environ["NEWSGEN_MESSAGES"] = "en"

REPO = Path(__file__).resolve().parents[1]
SITES = Path(__file__).parent / "sites"
INVALID = Path(__file__).parent / "sites_invalid"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def newsgen(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
            ) -> Run:
    """Run the installed command line exactly as an editor would."""
    full_env = {**os.environ, "PYTHONUTF8": "1", **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "newsgen", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, encoding="utf-8", env=full_env,
                          timeout=120)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def copy_site(name: str, dest: Path) -> Path:
    """A fresh copy of tests/sites/NAME, so a test may change it freely."""
    shutil.copytree(SITES / name, dest)
    return dest


def manifest(folder: Path) -> dict[str, str]:
    """Every file under `folder` with its SHA-256: equal manifests mean identical trees."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def html(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def text(node) -> str:
    """Visible text of a node with whitespace folded, as a reader sees it."""
    return " ".join(node.get_text(" ").split())


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    return copy_site("minimal", tmp_path / "site")


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def largest(public: Path, img) -> Path:
    """The widest file a picture offers (the last candidate of its first <source>, else of
    the <img>, else its src), on disk."""
    picture = img.find_parent("picture")
    source = picture.find("source") if picture is not None else None
    srcset = source["srcset"] if source is not None else img.get("srcset", "")
    url = srcset.split(",")[-1].split()[0] if srcset else img["src"]
    return public / url.lstrip("/")

"""`newsgen init`: a new site that builds at once, in a repository of its own.

A newsroom starts from a working site, not a blank folder: a commented
site.yaml with two sections, one published article, a .gitignore for what
builds make, the GitHub Actions workflow that publishes it, and the
requirements.txt that pins the newsgen it is built with. The files are the
ones beside this module, filled in; nothing is written into a folder that
holds anything (a repository just cloned, with only .git, is empty enough).
"""

from __future__ import annotations

import re
from datetime import datetime
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from newsgen import __version__
from newsgen.errors import ConfigError
from newsgen.messages import _
from newsgen.scaffold import yaml_quoted

WRITTEN = {  # language -> file of this package -> where it goes in the new site
    "vi": {"site.yaml": "site.yaml", "article.md": "content/thoi-su/chao-mung.md"},
    "en": {"site.en.yaml": "site.yaml", "article.en.md": "content/news/welcome.md"},
}
SHARED = {"gitignore.txt": ".gitignore", "requirements.txt": "requirements.txt",
          "github-pages.yml": ".github/workflows/github-pages.yml"}
WELCOME = {"vi": "Chào mừng đến với {}", "en": "Welcome to {}"}
ALLOWED = {".git"}  # what a folder may hold and still be started in
TIMEZONE = "Asia/Ho_Chi_Minh"


def init_site(folder: Path, title: str = "Báo Mới", language: str = "vi",
              base_url: str = "https://example.com/") -> list[Path]:
    """Write a new site into `folder` (made if missing); the files written.

    Raise ConfigError, writing nothing, when the folder holds anything.
    """
    if folder.exists() and not folder.is_dir():
        raise ConfigError(_("{folder} is a file; give a folder for the new site",
                            folder=str(folder)))
    there = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    if [name for name in there if name not in ALLOWED]:
        shown = ", ".join(there[:3]) + (", ..." if len(there) > 3 else "")
        raise ConfigError(_("{folder} is not empty ({files}); newsgen init starts a site in "
                            "a new or empty folder, so that nothing there is overwritten",
                            folder=str(folder), files=shown))
    # Dated now in the site's time zone (site.yaml's), so that the first build shows it.
    date = datetime.now(ZoneInfo(TIMEZONE)).replace(second=0, microsecond=0)
    fields = {"title": yaml_quoted(title), "language": language, "date": date.isoformat(),
              "timezone": TIMEZONE, "welcome": yaml_quoted(WELCOME[language].format(title)),
              "base_url": base_url, "version": __version__}
    # One pass: a title that holds "{date}" stays as it was typed.
    placeholder = re.compile(r"\{(" + "|".join(fields) + r")\}")
    written = []
    starter = resources.files(__name__)
    for name, rel in {**WRITTEN[language], **SHARED}.items():
        text = placeholder.sub(lambda m: fields[m[1]],
                               starter.joinpath(name).read_text(encoding="utf-8"))
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written

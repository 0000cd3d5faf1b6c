"""Where the default theme is, and how a site's own templates and static files layer over it.

The theme's source is the repository's top-level templates/ and static/; an
installed wheel carries a copy at newsgen/theme/. A site's own folders come
first, so a site overrides any theme file by putting one at the same path.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGED = Path(__file__).parent / "theme"
_CHECKOUT = Path(__file__).resolve().parents[2]
THEME_DIR = _PACKAGED if _PACKAGED.is_dir() else _CHECKOUT


def _layered(site_dir: Path, name: str) -> list[Path]:
    folders: list[Path] = []
    for folder in (site_dir / name, THEME_DIR / name):
        if folder.is_dir() and all(folder.resolve() != f.resolve() for f in folders):
            folders.append(folder)
    return folders


# Hidden names that are meant for the web: security.txt, site verification, app links.
PUBLISHED_HIDDEN = {".well-known"}

# The theme's own static files; in a checkout, static/ also holds the example
# site's pictures, which must not leak into other sites.
THEME_STATIC = ("css", "js", "favicon.svg")


def source_dirs(site_dir: Path) -> list[Path]:
    """Every folder a build reads files from (and site.yaml beside them)."""
    return [site_dir / "content", *_layered(site_dir, "templates"), *_layered(site_dir, "static")]


def source_roots(site_dir: Path) -> tuple[Path, ...]:
    """The folders of `source_dirs`, links resolved: what a file's real place must be in.
    Resolved once per build, since every picture of every page is held against them."""
    return tuple(folder.resolve() for folder in source_dirs(site_dir))


def template_dirs(site_dir: Path) -> list[Path]:
    return _layered(site_dir, "templates")


def static_files(site_dir: Path) -> dict[str, Path]:
    """Output path -> file for every static file, the site's own over the theme's.

    Hidden files (.DS_Store, editor swap files, .git) are never published; the
    one hidden folder the web uses, .well-known/, is.
    """
    files: dict[str, Path] = {}
    for folder in reversed(_layered(site_dir, "static")):
        own = folder.parent.resolve() == site_dir.resolve()
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if not path.is_file() or any(p.startswith(".") and p not in PUBLISHED_HIDDEN
                                         for p in rel.parts):
                continue
            if own or rel.parts[0] in THEME_STATIC:
                files[rel.as_posix()] = path
    return dict(sorted(files.items()))

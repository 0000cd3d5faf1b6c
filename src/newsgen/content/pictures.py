"""What an article may publish as a picture: a picture, and nothing else.

An article's body or `image:` names a file beside it, and the build copies that
file into the site. Without a check, that is how an `.html` page with a
script, an `.htaccess` (which Apache obeys) or `sub/index.html` gets published
by whoever can write an article. So a picture must be a picture twice over:
by its name (a type browsers show as an image) and by its first bytes (the
signature every file of that type starts with). SVG is a drawing written in
XML, and XML can hold scripts: it is refused unless the site allows it.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from newsgen.content.config import SiteConfig
from newsgen.content.source import unsafe_source
from newsgen.messages import _
from newsgen.urls import path_problem

if TYPE_CHECKING:
    from newsgen.content.renditions import Measures

RASTER = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".gif": "GIF", ".webp": "WebP",
          ".avif": "AVIF", ".heic": "HEIC", ".heif": "HEIC"}
SVG = ".svg"
HEAD_BYTES = 1024  # enough for any signature, and an SVG's prologue and comments
_NAMES = list(dict.fromkeys(RASTER.values()))
KINDS = _("{names} or {last}", names=", ".join(_NAMES[:-1]),
          last=_NAMES[-1])  # JPEG, PNG, GIF, WebP, AVIF or HEIC


def _raster_kind(head: bytes) -> str | None:
    """The raster type a file's first bytes say it is (their published signatures)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    if head[4:8] == b"ftyp":  # ISO media: the brands say AVIF (not a video, not HEIC)
        size = int.from_bytes(head[:4], "big")
        brands = [head[8:12], *(head[i:i + 4] for i in range(16, min(size, len(head)), 4))]
        if b"avif" in brands or b"avis" in brands:
            return "AVIF"
        if {b"heic", b"heix", b"heim", b"heis", b"mif1"} & set(brands):
            return "HEIC"  # a phone's photo (and mif1, the brand of any HEIF picture)
    return None


def _is_svg(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg")) and b"<svg" in text


def picture_problem(path: Path, name: str, svg: bool, measures: Measures | None = None
                    ) -> str | None:
    """Why the file at `path`, named `name` in the article, cannot be published as a
    picture; None if it can. `svg`: whether the site publishes SVG drawings.

    `measures`: where the verdict on bytes already seen is kept; a build of
    1,000 photos then opens none of them to find what it found before.
    """
    suffix = PurePosixPath(name).suffix.lower()
    token = f"{suffix}:{svg}"
    if measures is not None and measures.passed(path, token):
        return None
    why = _sniffed_problem(path, name, suffix, svg)
    if why is None and measures is not None:
        measures.passes(path, token)
    return why


def _sniffed_problem(path: Path, name: str, suffix: str, svg: bool) -> str | None:
    if suffix == SVG and not svg:
        return _("'{name}' is an SVG drawing, which can hold scripts; export it as PNG or "
                 "WebP, or set svg_pictures: true in site.yaml if every writer is trusted",
                 name=name)
    if suffix not in RASTER and suffix != SVG:
        return _("'{name}' is not a picture; a picture is a {kinds} file (named .jpg, .png, "
                 ".gif, .webp, .avif or .heic)", name=name, kinds=KINDS)
    try:
        with path.open("rb") as file:
            head = file.read(HEAD_BYTES)
    except OSError as exc:
        return _("'{name}' cannot be read: {reason}", name=name, reason=str(exc.strerror))
    if suffix == SVG:
        return None if _is_svg(head) else _("'{name}' is named .svg but is not an SVG "
                                            "drawing inside; export it again", name=name)
    if _raster_kind(head) is None:
        if RASTER[suffix][0] in "AEIOU":  # English says "an AVIF": one sentence for each
            return _("'{name}' is named {suffix} but is not an {kind} picture inside (nor a "
                     "{kinds} one); export it again as {suffix}", name=name, suffix=suffix,
                     kind=RASTER[suffix], kinds=KINDS)
        return _("'{name}' is named {suffix} but is not a {kind} picture inside (nor a "
                 "{kinds} one); export it again as {suffix}", name=name, suffix=suffix,
                 kind=RASTER[suffix], kinds=KINDS)
    return None


def beside_article_problem(config: SiteConfig, roots: tuple[Path, ...], source: Path,
                           name: str, folders: dict[str, str] | None = None,
                           measures: Measures | None = None) -> str | None:
    """Why the file an article shows from beside it as `name` (no '..' in it) cannot be
    copied into the site; None if it can.

    Checked at every build, for pages kept from the last one too: the file may
    have been replaced by something else since. `roots`: `theme.source_roots`;
    `folders`: see `unsafe_source`.
    """
    if why := path_problem("/" + name):
        return _("'{name}' {why}; rename the file", name=name, why=why)
    if why := unsafe_source(source, config.site_dir, roots, folders=folders):
        return _("'{name}' is {why}; put the picture itself beside the article", name=name,
                 why=why)
    return picture_problem(source, name, config.svg_pictures, measures)

"""The files a picture is published as: a few widths in a few formats, named by content.

A reporter's 4000x2667 JPEG is 5 MB; a phone shows it 360 px wide. So a photo
is published as renditions: the widths the layout needs (never wider than the
photo), in WebP (or AVIF) with a JPEG fallback, and three crops for search
engines and social networks (16x9, 4x3, 1x1). Each is named by a digest of the
photo's bytes and of the settings that make it (`/img/3f2a9c0d1e2b-720.webp`):
a photo shared by two articles is one set of files, and a replaced photo gets
new names, so no browser or CDN cache can serve the old one.

What a picture is (its size upright, whether it moves or has transparency) is
read from its header once per digest and remembered in the picture cache: an
index over 10,000 articles does not open 10,000 photos again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from newsgen.engine.store import by_fields
from newsgen.messages import _

IMG_DIR = "img"  # the output folder of every rendition
RENDITIONS = "3"  # part of every name: a change to how renditions are made gives new names
CROPS = ((16, 9), (4, 3), (1, 1))  # Google's NewsArticle image ratios, in that order
MIME = {"webp": "image/webp", "avif": "image/avif", "jpeg": "image/jpeg", "png": "image/png"}
SUFFIX = {"webp": ".webp", "avif": ".avif", "jpeg": ".jpg", "png": ".png"}
_SVG_NUMBER = r"\s*=\s*[\"']\s*([0-9.]+)\s*(?:px)?\s*[\"']"


@dataclass(frozen=True, slots=True)
class Facts:
    """What the build needs to know of a picture without decoding it."""

    __reduce__ = by_fields
    key: str  # digest of the bytes and the rendition settings: the name of its files
    width: int  # upright, as readers see it (0: not known, an SVG without a size)
    height: int
    kind: str  # JPEG, PNG, GIF, WebP, AVIF, HEIF or SVG
    still: bool  # one frame: an animation is published whole, not in widths
    alpha: bool  # transparency: the fallback is a PNG, not a JPEG
    suffix: str  # of the source, for the one file of a picture published whole

    @property
    def resized(self) -> bool:
        """Whether this picture is published in widths (a still raster picture)."""
        return self.still and self.kind != "SVG" and self.width > 0


@dataclass(frozen=True, slots=True)
class Placed:
    """A picture an article shows, as pages need it."""

    __reduce__ = by_fields
    url: str  # the picture whole: site-relative, or outside; "" when it is not published
    facts: Facts | None  # None: a picture outside the site


@dataclass(frozen=True, slots=True)
class Rendition:
    """One published file of a picture: a width in a format, or a crop."""

    width: int
    height: int
    format: str  # webp, avif, jpeg, png; "" for the picture whole, as it came
    crop: tuple[int, int] | None = None  # the ratio, for a crop
    focus: tuple[int, int] = (50, 50)  # percent across and down: what a crop keeps

    def name(self, facts: Facts) -> str:
        if not self.format:
            return f"{facts.key}{facts.suffix}"
        if self.crop is None:
            return f"{facts.key}-{self.width}{SUFFIX[self.format]}"
        focus = "" if self.focus == (50, 50) else f"-{self.focus[0]}-{self.focus[1]}"
        return f"{facts.key}-{self.width}x{self.height}{focus}{SUFFIX[self.format]}"

    def url(self, facts: Facts) -> str:
        return f"/{IMG_DIR}/{self.name(facts)}"


_NAME = re.compile(r"^(?P<key>[0-9a-f]{12})(?:-(?P<w>\d+)(?:x(?P<h>\d+)(?:-(?P<fx>\d+)-"
                   r"(?P<fy>\d+))?)?)?(?P<suffix>\.[a-z]+)$")


def parse_name(name: str) -> Rendition | None:
    """The rendition a published name stands for (the maker reads its task from it)."""
    match = _NAME.match(name)
    if match is None:
        return None
    formats = {v: k for k, v in SUFFIX.items()}
    if match["w"] is None:
        return Rendition(0, 0, "")
    fmt = formats.get(match["suffix"])
    if fmt is None:
        return None
    width = int(match["w"])
    if match["h"] is None:
        return Rendition(width, 0, fmt)
    height = int(match["h"])
    focus = (int(match["fx"]), int(match["fy"])) if match["fx"] else (50, 50)
    return Rendition(width, height, fmt, _ratio(width, height), focus)


def _ratio(width: int, height: int) -> tuple[int, int]:
    for ratio in CROPS:
        if abs(width * ratio[1] - height * ratio[0]) <= ratio[0]:
            return ratio
    return (width, height)


@dataclass(frozen=True, slots=True)
class Settings:
    """How pictures are published (site.yaml `pictures:`), as renditions need it."""

    # 240 covers a 7rem (112 px) thumbnail at twice the density most phones have, 480 at
    # three times; 720 a phone's full width, 1080 and 1600 the hero on wide screens.
    widths: tuple[int, ...] = (240, 480, 720, 1080, 1600)
    formats: tuple[str, ...] = ("webp", "jpeg")  # the last one is the <img> fallback
    quality: int = 80
    social_width: int = 1200

    @property
    def digest(self) -> bytes:
        return repr((self.widths, self.formats, self.quality, self.social_width,
                     RENDITIONS)).encode()


def widths(facts: Facts, settings: Settings) -> tuple[int, ...]:
    """The widths of a picture, never wider than it: the ladder's, and its own width
    when it falls between two steps (a large screen gets all there is)."""
    fitting = tuple(w for w in settings.widths if w < facts.width)
    if not fitting or facts.width <= max(settings.widths):
        fitting += (facts.width,)
    else:
        fitting += (max(settings.widths),)
    return tuple(sorted(set(fitting)))


def formats(facts: Facts, settings: Settings) -> tuple[str, ...]:
    """The formats, the fallback last; a transparent picture falls back to PNG."""
    chosen = list(settings.formats)
    if facts.alpha and chosen[-1] == "jpeg":
        chosen[-1] = "png"
    return tuple(chosen)


FALLBACK_WIDTH = 720  # the one file of the fallback format, for a browser that knows no better


def fallback_width(facts: Facts, settings: Settings) -> int:
    fitting = widths(facts, settings)
    return next((w for w in fitting if w >= FALLBACK_WIDTH), fitting[-1])


def ladder(facts: Facts, settings: Settings) -> tuple[Rendition, ...]:
    """Every width in every better format (what `srcset` offers), and the fallback.

    The fallback format (JPEG) is one file: every browser in use reads WebP,
    so a JPEG at every width would be published for nobody. When JPEG is the
    only format, it gets every width.
    """
    if not facts.resized:
        return (Rendition(facts.width, facts.height, ""),)
    # Made once per size: a newsroom's photos come from a few cameras, in a few sizes.
    return _ladder(facts.width, facts.height, formats(facts, settings), settings)


@functools.lru_cache(maxsize=256)
def _ladder(width: int, height: int, chosen: tuple[str, ...], settings: Settings
            ) -> tuple[Rendition, ...]:
    facts = Facts("", width, height, "", True, False, "")
    fitting = widths(facts, settings)

    def at(w: int, fmt: str) -> Rendition:
        return Rendition(w, round(height * w / width) or 1, fmt)
    if len(chosen) == 1:
        return tuple(at(w, chosen[0]) for w in fitting)
    return (*(at(w, fmt) for fmt in chosen[:-1] for w in fitting),
            at(fallback_width(facts, settings), chosen[-1]))


def crops(facts: Facts, settings: Settings, focus: tuple[int, int] = (50, 50)
          ) -> tuple[Rendition, ...]:
    """The 16x9, 4x3 and 1x1 crops at the social width (or as wide as the picture allows),
    in JPEG, which every network reads."""
    if not facts.resized:
        return ()
    return _crops(facts.width, facts.height, settings.social_width, focus)


@functools.lru_cache(maxsize=256)
def _crops(width: int, height: int, social: int, focus: tuple[int, int]
           ) -> tuple[Rendition, ...]:
    made = []
    for a, b in CROPS:
        w = min(social, width, height * a // b)
        made.append(Rendition(w, w * b // a, "jpeg", (a, b), focus))
    return tuple(made)


def key_of(digest: bytes, settings: Settings) -> str:
    return hashlib.blake2b(digest + settings.digest, digest_size=6).hexdigest()


# --- reading what a picture is ---


def measure(path: Path) -> tuple[int, int, str, bool, bool] | str:
    """(width, height, kind, still, alpha) of the picture at `path`, upright; why not, when
    its header cannot be read. Only the header is read, not the pixels."""
    suffix = path.suffix.lower()
    if suffix == ".svg":
        return _svg_size(path)
    from PIL import Image, UnidentifiedImageError

    try:
        with open_picture(path) as image:
            width, height = image.size
            try:
                if image.getexif().get(0x0112, 1) in (5, 6, 7, 8):  # turned a quarter
                    width, height = height, width
            except (SyntaxError, ValueError, OSError, KeyError):
                pass
            alpha = "A" in image.getbands() or "transparency" in image.info
            kind = "HEIF" if image.format in ("HEIF", "HEIC") else image.format or ""
            return width, height, kind, getattr(image, "n_frames", 1) == 1, alpha
    except (UnidentifiedImageError, Image.DecompressionBombError, SyntaxError, ValueError,
            EOFError, OSError) as exc:
        return _("cannot be read as a picture ({reason}); export it again", reason=reason(exc))


def reason(exc: BaseException) -> str:
    """Pillow's words for what is wrong, without the file's path (messages name it)."""
    text = re.sub(r"\s*'[^']*'", "", str(exc)).split(":")[0].strip() or type(exc).__name__
    return text[:80]


def open_picture(path: Path) -> object:
    """Pillow's image of the file at `path`, HEIC from phones included (pillow-heif)."""
    from PIL import Image

    _register_heif()
    return Image.open(path)


@functools.cache
def _register_heif() -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()


def _svg_size(path: Path) -> tuple[int, int, str, bool, bool]:
    """An SVG's size from its root element: width and height, else the viewBox."""
    try:
        head = path.read_bytes()[:4096].decode("utf-8", "replace")
    except OSError:
        head = ""
    tag = re.search(r"<svg\b[^>]*>", head, re.IGNORECASE)
    width = height = 0
    if tag:
        text = tag.group(0)
        w = re.search(r"\swidth" + _SVG_NUMBER, text)
        h = re.search(r"\sheight" + _SVG_NUMBER, text)
        box = re.search(r"viewBox\s*=\s*[\"']\s*[-0-9.]+[\s,]+[-0-9.]+[\s,]+([0-9.]+)[\s,]+"
                        r"([0-9.]+)", text)
        if w and h:
            width, height = round(float(w.group(1))), round(float(h.group(1)))
        elif box:
            width, height = round(float(box.group(1))), round(float(box.group(2)))
    return width, height, "SVG", True, True


@dataclass
class Measures:
    """What each picture is, by the digest of its bytes: read once, kept in the cache."""

    settings: Settings
    folder: Path | None = None  # the picture cache; None: nothing is kept between builds
    digests: Mapping[str, bytes] = field(default_factory=dict)  # path -> digest, this build
    _known: dict[str, list] | None = None
    _new: bool = False

    def facts(self, path: Path) -> Facts | str:
        """The facts of the picture at `path`; why not, if it cannot be read."""
        from newsgen.engine.inputs import file_digest

        where = os.path.abspath(path)  # noqa: PTH100 (how the input scan names files)
        digest = self.digests.get(where) or file_digest(where)
        known = self._load()
        seen = known.get(digest.hex())
        if seen is None:
            found = measure(path)
            if isinstance(found, str):
                return found
            seen = known[digest.hex()] = list(found)
            self._new = True
        width, height, kind, still, alpha = seen
        return Facts(key_of(digest, self.settings), width, height, kind, still, alpha,
                     path.suffix.lower())

    def passed(self, path: Path, check: str) -> bool:
        """Whether the bytes at `path` passed `check` (a name for it) in a build before;
        False when this build took no digest of them."""
        digest = self.digests.get(os.path.abspath(path))  # noqa: PTH100
        return digest is not None and f"{check}:{digest.hex()}" in self._load()

    def passes(self, path: Path, check: str) -> None:
        """The bytes at `path` passed `check`: the next build need not look again."""
        digest = self.digests.get(os.path.abspath(path))  # noqa: PTH100
        if digest is not None:
            self._load()[f"{check}:{digest.hex()}"] = [1]
            self._new = True

    def _load(self) -> dict[str, list]:
        if self._known is None:
            self._known = {}
            if self.folder is not None:
                try:
                    self._known = json.loads((self.folder / "sizes.json").read_text())
                except (OSError, ValueError):
                    self._known = {}
        return self._known

    def save(self) -> None:
        """Keep what was measured for the next build (whole or not at all)."""
        if not self._new or self.folder is None or self._known is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / "sizes.json"
        tmp = target.with_name(f".sizes.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(self._known, sort_keys=True, separators=(",", ":")))
        tmp.replace(target)
        self._new = False

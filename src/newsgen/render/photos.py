"""Pictures as readers get them: upright, in sRGB, and with nothing of the camera left.

A camera or phone writes far more into a photo than the picture: EXIF with
the GPS position, the time, the camera's serial number and maker notes; XMP
and IPTC blocks with names and places; comments. For a newsroom a photo's GPS
can reveal where a source lives. So no picture an article shows is published
as it was sent: Pillow decodes it, turns it upright by its EXIF orientation,
converts its colours to sRGB through its colour profile, and encodes the
pixels alone, in the picture's own format (its address stays the same).

Decoding is slow next to the rest of a build (a 24-megapixel JPEG takes about
a third of a second), so each result is kept in the site's cache folder under
the digest of the source bytes and of this pipeline's version, made once for
every build and every output folder, and made in parallel when there are many.
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
from dataclasses import dataclass, field
from pathlib import Path

PICTURES = "pictures"  # the cache's folder of pictures made for publishing
PIPELINE = "1"  # part of every cached name: a change to the encoding below makes new files
MAX_PIXELS = 50_000_000  # 50 MP: larger than any camera a newsroom uses, smaller than a bomb
MAX_BYTES = 40 * 1024 * 1024
JPEG_QUALITY = 90
PARALLEL_FROM = 4  # pictures to make before a pool of processes pays for itself
# What an animation or a transparent picture needs to look the same; everything else in
# Pillow's `info` (exif, icc_profile, xmp, comment, dpi...) is dropped.
_KEPT_INFO = ("transparency", "duration", "loop", "background", "disposal")


@dataclass(frozen=True, slots=True)
class Refused:
    """A picture that cannot be published, and why."""

    source: str  # as the site names it, for the message
    problem: str


def cached_name(digest: bytes, suffix: str) -> str:
    """The cache file for source bytes with `digest`: the same bytes, the same file."""
    key = hashlib.blake2b(digest + PIPELINE.encode(), digest_size=12).hexdigest()
    return f"{key}{suffix.lower()}"


def clean(source: Path, target: Path) -> str | None:
    """Write `source` to `target` as pixels only (see the module's docstring); why not, if
    it cannot be (damaged, too large, not a picture after all)."""
    from PIL import Image, UnidentifiedImageError

    try:
        size = source.stat().st_size
        if size > MAX_BYTES:
            return (f"is {size / 1048576:.0f} MB, larger than the "
                    f"{MAX_BYTES // 1048576} MB newsgen publishes; export it smaller")
        with Image.open(source) as image:
            pixels = image.width * image.height
            if pixels > MAX_PIXELS:
                return (f"is {image.width}x{image.height} pixels ({pixels / 1e6:.0f} MP), "
                        f"larger than the {MAX_PIXELS // 1_000_000} MP newsgen publishes; "
                        "export it smaller")
            data = _encode(image)
    except (UnidentifiedImageError, Image.DecompressionBombError, SyntaxError, ValueError,
            EOFError, OSError) as exc:
        return f"cannot be read as a picture ({_reason(exc)}); export it again"
    _put(target, data)
    return None


def _put(target: Path, data: bytes) -> None:
    """Whole or not at all: a killed build leaves no half picture in the cache."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(target)


def _reason(exc: BaseException) -> str:
    text = str(exc).split(":")[0].strip() or type(exc).__name__
    return text[:80]


def _encode(image: object) -> bytes:
    from PIL import Image, ImageSequence

    assert isinstance(image, Image.Image)
    kind = image.format or "PNG"
    out = io.BytesIO()
    frames = getattr(image, "n_frames", 1)
    if frames > 1:  # an animation: every frame, its timing, nothing else
        sequence, durations = [], []
        for frame in ImageSequence.Iterator(image):
            durations.append(frame.info.get("duration", 100))
            sequence.append(_pixels(frame.copy(), kind))
        timing = {k: image.info[k] for k in _KEPT_INFO if k in image.info and k != "duration"}
        sequence[0].save(out, kind, save_all=True, append_images=sequence[1:],  # type: ignore[attr-defined]
                         duration=durations, **timing)
        return out.getvalue()
    image.load()
    picture = _pixels(image, kind)
    options: dict[str, object] = {}
    if kind == "JPEG":
        # The camera's own quantisation when the pixels are untouched: no loss at all.
        untouched = picture is image and image.mode in ("RGB", "L")
        options = {"quality": "keep"} if untouched else \
            {"quality": JPEG_QUALITY, "optimize": True, "progressive": True}
    elif kind == "WEBP":
        options = {"lossless": True} if image.info.get("lossless") else {"quality": 90}
    elif kind == "AVIF":
        options = {"quality": 90}
    picture.save(out, kind, **options,
                 **{k: image.info[k] for k in _KEPT_INFO if k in image.info and k != "duration"})
    return out.getvalue()


def _pixels(image: object, kind: str) -> object:
    """The picture upright, in sRGB, with no metadata attached."""
    from PIL import Image, ImageCms, ImageOps

    assert isinstance(image, Image.Image)
    picture = image
    try:
        orientation = image.getexif().get(0x0112, 1)
    except (SyntaxError, ValueError, OSError, KeyError):  # a damaged EXIF block: dropped
        orientation = 1
    if orientation not in (None, 1):
        picture = ImageOps.exif_transpose(image) or image
    profile = image.info.get("icc_profile")
    if profile:
        mode = "RGBA" if "A" in picture.mode else "RGB"
        if picture.mode not in ("RGB", "RGBA", "L", "LA", "CMYK"):
            picture = picture.convert(mode)
        try:
            converted = ImageCms.profileToProfile(
                picture, ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                ImageCms.createProfile("sRGB"), outputMode=mode if picture.mode != "L" else "L")
        except (ImageCms.PyCMSError, OSError, ValueError):
            converted = None  # a broken profile: the pixels as they are
        if converted is not None:
            picture = converted
    if picture.mode == "CMYK" or (kind == "JPEG" and picture.mode not in ("RGB", "L")):
        picture = picture.convert("RGB")
    if picture is not image:
        picture.info = {k: v for k, v in image.info.items() if k in _KEPT_INFO}
    else:
        # Pillow's encoders take some blocks from `info` (a PNG's profile, for one): an
        # untouched picture is saved from a copy that has none of them.
        kept = {k: v for k, v in image.info.items() if k in _KEPT_INFO}
        if set(image.info) - set(kept):
            image.info = kept
    return picture


@dataclass
class Photos:
    """The pictures one build publishes, made into `folder` (the cache) before they are
    copied into the site."""

    folder: Path
    jobs: int = 1
    # target -> (source, as the editor names it, whether the site's own)
    _wanted: dict[Path, tuple[Path, str, bool]] = field(default_factory=dict)

    def want(self, source: Path, digest: bytes, shown: str, own: bool = False) -> Path:
        """The file to publish for `source` (whose bytes have `digest`), made by make().

        `own`: a file of the site's own static/ (trusted, as its templates are): one
        that cannot be decoded is published as it is, as it always was, not refused.
        """
        target = self.folder / cached_name(digest, source.suffix)
        if target not in self._wanted and not target.exists():
            self._wanted[target] = (source, shown, own)
        return target

    def make(self) -> list[Refused]:
        """Make every wanted picture the cache does not hold yet; what could not be made."""
        todo = sorted(self._wanted.items())
        self._wanted.clear()
        if not todo:
            return []
        self.folder.mkdir(parents=True, exist_ok=True)
        work = [(source, target) for target, (source, _, _) in todo]
        forkable = "fork" in multiprocessing.get_all_start_methods()
        if self.jobs > 1 and len(work) >= PARALLEL_FROM and forkable:
            with multiprocessing.get_context("fork").Pool(self.jobs) as pool:
                problems = pool.starmap(clean, work, chunksize=1)
        else:
            problems = [clean(source, target) for source, target in work]
        refused = []
        for (target, (source, shown, own)), problem in zip(todo, problems, strict=True):
            if problem is None:
                continue
            if own:
                _put(target, source.read_bytes())
            else:
                refused.append(Refused(shown, problem))
        return refused


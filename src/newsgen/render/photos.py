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
from dataclasses import dataclass, field, replace
from pathlib import Path

from newsgen.content.renditions import Rendition, open_picture, parse_name, reason
from newsgen.messages import _

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

    source: Path
    problem: str  # a Message


def cached_name(digest: bytes, suffix: str) -> str:
    """The cache file for source bytes with `digest`: the same bytes, the same file."""
    key = hashlib.blake2b(digest + PIPELINE.encode(), digest_size=12).hexdigest()
    return f"{key}{suffix.lower()}"


def make_all(source: Path, tasks: list[tuple[str, Rendition | None]], quality: int
             ) -> str | None:
    """Make every file of `tasks` from `source`, decoding it once: the picture whole
    (None) or a rendition; why not, if it cannot be read."""
    from PIL import Image, UnidentifiedImageError

    try:
        size = source.stat().st_size
        if size > MAX_BYTES:
            return _("is {size:.0f} MB, larger than the {limit} MB newsgen publishes; "
                     "export it smaller", size=size / 1048576, limit=MAX_BYTES // 1048576)
        with open_picture(source) as image:  # type: ignore[attr-defined]
            pixels = image.width * image.height
            if pixels > MAX_PIXELS:
                return _("is {width}x{height} pixels ({megapixels:.0f} MP), larger than "
                         "the {limit} MP newsgen publishes; export it smaller",
                         width=image.width, height=image.height, megapixels=pixels / 1e6,
                         limit=MAX_PIXELS // 1_000_000)
            made = [(target, _encode(image)) for target, r in tasks if r is None]
            parts = [(target, r) for target, r in tasks if r is not None]
            if parts:
                made += _renditions(image, parts, quality, scaled=not made)
    except (UnidentifiedImageError, Image.DecompressionBombError, SyntaxError, ValueError,
            EOFError, OSError) as exc:
        return _("cannot be read as a picture ({reason}); export it again", reason=reason(exc))
    for target, data in made:
        _put(target, data)
    return None


def _renditions(image: object, parts: list[tuple[str, Rendition]], quality: int,
                scaled: bool) -> list[tuple[str, bytes]]:
    """Each rendition of `parts`, from one decoding of `image` (`scaled`: not decoded yet,
    so it may be decoded smaller).

    A JPEG is decoded at the smallest power-of-two scale that still covers the
    widest rendition (libjpeg's DCT scaling): a 4000 px photo needed at 1600 px
    decodes at half size, four times fewer pixels.
    """
    from PIL import Image

    assert isinstance(image, Image.Image)
    width, height = _upright(image)
    # A width's height, as content.renditions.ladder gives it (a name holds the width only).
    parts = [(t, r if r.height else replace(r, height=round(height * r.width / width) or 1))
             for t, r in parts]
    if image.format == "JPEG" and scaled:
        scale = max(_scale_needed(width, height, r) for _, r in parts)
        image.draft("RGB", (max(1, int(image.width * scale) + 1),
                            max(1, int(image.height * scale) + 1)))
    picture = _pixels(image, "RENDITION")
    assert isinstance(picture, Image.Image)
    if picture.mode not in ("RGB", "RGBA", "L", "LA"):
        alpha = "A" in picture.getbands() or "transparency" in picture.info
        picture = picture.convert("RGBA" if alpha else "RGB")
    # Each width is made from the smallest picture already made that is wider: resizing
    # 1600 px down to 1080 costs a third of resizing the 2000 px decoding again.
    made: list[tuple[str, bytes]] = []
    sizes: dict[tuple[int, int, tuple[int, int] | None, tuple[int, int]], object] = {}
    steps = [picture]
    for target, r in sorted(parts, key=lambda part: (part[1].crop is not None, -part[1].width)):
        shape = (r.width, r.height, r.crop, r.focus)
        piece = sizes.get(shape)
        if piece is None:
            piece = sizes[shape] = _resized(steps, r)
            if r.crop is None:
                steps.append(piece)
        made.append((target, _save(piece, r.format, quality)))
    return made


def _resized(steps: list, r: Rendition) -> object:
    """The rendition's pixels, from the smallest of `steps` (made so far, widest first) that
    holds them without enlarging."""
    from PIL import Image

    for step in reversed(steps):
        box = _crop_box(step.width, step.height, r) if r.crop is not None \
            else (0, 0, step.width, step.height)
        if box[2] - box[0] >= r.width and box[3] - box[1] >= r.height:
            break
    else:
        step = steps[0]
        box = _crop_box(step.width, step.height, r) if r.crop is not None \
            else (0, 0, step.width, step.height)
    piece = step.crop(box) if box != (0, 0, step.width, step.height) else step
    if piece.size != (r.width, r.height):
        piece = piece.resize((r.width, r.height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return piece


def _upright(image: object) -> tuple[int, int]:
    width, height = image.size  # type: ignore[attr-defined]
    try:
        if image.getexif().get(0x0112, 1) in (5, 6, 7, 8):  # type: ignore[attr-defined]
            return height, width
    except (SyntaxError, ValueError, OSError, KeyError):
        pass
    return width, height


def _scale_needed(width: int, height: int, r: Rendition) -> float:
    """How much of the picture's width the rendition needs (a crop needs its part)."""
    if r.crop is None:
        return r.width / width
    a, b = r.crop
    return max(r.width / min(width, height * a / b), r.height / min(height, width * b / a))


def _crop_box(width: int, height: int, r: Rendition) -> tuple[int, int, int, int]:
    """The part of a picture of this size that a crop keeps: its ratio, around the focus."""
    a, b = r.crop or (width, height)
    fx, fy = r.focus
    if width * b > height * a:  # wider than the crop: keep the full height
        part = round(height * a / b)
        left = min(max(round(width * fx / 100 - part / 2), 0), width - part)
        return (left, 0, left + part, height)
    part = round(width * b / a)
    top = min(max(round(height * fy / 100 - part / 2), 0), height - part)
    return (0, top, width, top + part)


def _save(picture: object, fmt: str, quality: int) -> bytes:
    from PIL import Image

    assert isinstance(picture, Image.Image)
    out = io.BytesIO()
    alpha = "A" in picture.getbands()
    if fmt == "jpeg":
        flat = picture.convert("RGB") if picture.mode not in ("RGB", "L") else picture
        flat.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    elif fmt == "png":
        picture.save(out, "PNG", compress_level=6)
    elif fmt == "webp":
        picture.convert("RGBA" if alpha else "RGB").save(out, "WEBP", quality=quality,
                                                         method=4)
    else:
        picture.convert("RGBA" if alpha else "RGB").save(out, "AVIF", quality=quality,
                                                         speed=8)
    return out.getvalue()


def _put(target: str, data: bytes) -> None:
    """Whole or not at all: a killed build leaves no half picture in the cache."""
    folder, name = os.path.split(target)
    tmp = Path(folder, f".{name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(target)


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
    quality: int = 80  # of renditions (pictures.quality)
    # target -> (source, whether the site's own, the rendition)
    _wanted: dict[str, tuple[Path, bool, Rendition | None]] = field(default_factory=dict)
    _names: set[str] | None = None

    @property
    def _folder(self) -> str:
        """The folder as the start of a file's path: a Path per rendition costs more."""
        return f"{self.folder}{os.sep}"

    def want(self, source: Path, digest: bytes, own: bool = False, name: str = "",
             rendition: Rendition | None = None) -> str:
        """The file to publish for `source` (whose bytes have `digest`), made by make():
        the rendition named `name` (`rendition`, or what the name stands for:
        renditions.parse_name), else the picture whole.

        `own`: a file of the site's own static/ (trusted, as its templates are): one
        that cannot be decoded is published as it is, as it always was, not refused.
        """
        if rendition is None:
            rendition = parse_name(name) if name else None
        if rendition is None or not rendition.format:
            rendition, name = None, cached_name(digest, source.suffix)
        target = self._folder + name  # named by the source's digest and the settings
        if name not in self._present() and target not in self._wanted:
            self._wanted[target] = (source, own, rendition)
        return target

    def _present(self) -> set[str]:
        """The names the cache holds: one listing, not a look at each of 10,000 files."""
        if self._names is None:
            try:
                self._names = set(os.listdir(self.folder))  # noqa: PTH208 (names, not Paths)
            except OSError:
                self._names = set()
        return self._names

    @property
    def pending(self) -> bool:
        """Whether make() has pictures to make."""
        return bool(self._wanted)

    def make(self) -> list[Refused]:
        """Make every wanted picture the cache does not hold yet; what could not be made."""
        todo = sorted(self._wanted.items())
        self._wanted.clear()
        if not todo:
            return []
        self.folder.mkdir(parents=True, exist_ok=True)
        by_source: dict[Path, list[tuple[str, Rendition | None]]] = {}
        own: dict[Path, bool] = {}
        for target, (source, theirs, rendition) in todo:
            by_source.setdefault(source, []).append((target, rendition))
            own[source] = theirs
        work = [(source, tasks, self.quality) for source, tasks in by_source.items()]
        forkable = "fork" in multiprocessing.get_all_start_methods()
        if self.jobs > 1 and len(work) >= PARALLEL_FROM and forkable:
            with multiprocessing.get_context("fork").Pool(self.jobs) as pool:
                problems = pool.starmap(make_all, work, chunksize=1)
        else:
            problems = [make_all(*job) for job in work]
        refused = []
        for (source, tasks, _quality), problem in zip(work, problems, strict=True):
            if problem is None:
                self._present().update(target.rpartition(os.sep)[2] for target, _ in tasks)
                continue
            if own[source]:
                for target, _rendition in tasks:
                    _put(target, source.read_bytes())
            else:
                refused.append(Refused(source, problem))
        return refused

"""Published pictures carry pixels only: no GPS, no camera block, upright, in sRGB.

Each test writes real picture files with Pillow (EXIF with a GPS position,
XMP, comments, an orientation tag, a colour profile), builds the site with the
real command and reads the published files back, with Pillow and, where the
machine has it (CI installs it), with exiftool.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from conftest import html, largest, newsgen, write

GPS = 0x8825
ORIENTATION = 0x0112
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
       b'22-rdf-syntax-ns#"><rdf:Description xmlns:photoshop="http://ns.adobe.com/photoshop/'
       b'1.0/" photoshop:City="Noi o cua nguon tin"/></rdf:RDF></x:xmpmeta>')


def camera_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0x0110] = "Canon EOS R5"  # Model
    exif[ORIENTATION] = orientation
    exif.get_ifd(GPS).update({1: "N", 2: (21.0, 1.0, 41.0), 3: "E", 4: (105.0, 49.0, 7.0)})
    return exif


def camera_jpeg(path: Path, size: tuple[int, int] = (60, 40), orientation: int = 1) -> Path:
    """A JPEG as a camera leaves it: left half red, right half blue, and metadata."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (size[0] // 2, 0, size[0], size[1]))
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", exif=camera_exif(orientation), xmp=XMP, icc_profile=srgb,
               comment=b"Serial 0123456789", quality=95)
    return path


def article(site: Path, name: str, hero: str, body: str = "Nội dung.") -> Path:
    return write(site / "content" / "the-gioi" / f"{name}.md", f"""---
title: "Ảnh {name}"
date: 2022-01-07T09:00:00+07:00
section: the-gioi
lead: "Bài có ảnh."
image:
  src: {hero}
  alt: "Ảnh"
---
{body}
""")


def published(site: Path, rel: str) -> Path:
    path = site / "public" / rel
    assert path.is_file(), f"{rel} was not published"
    return path


def hero_file(site: Path, name: str, output: str = "public") -> Path:
    """The widest file the hero of article `name` is published as (content.renditions)."""
    page = html(site / output / "the-gioi" / f"anh-{name}" / "index.html")
    return largest(site / output, page.select_one("figure.article-hero img"))


def assert_pixels_only(path: Path) -> None:
    with Image.open(path) as image:
        assert not image.getexif(), f"{path.name} still has EXIF: {dict(image.getexif())}"
        blocks = set(image.info) - {"jfif", "jfif_version", "jfif_unit", "jfif_density",
                                    "dpi", "progressive", "progression", "transparency",
                                    "adobe", "adobe_transform",
                                    "loop", "background"}  # what Pillow says of any WebP
        assert not blocks, f"{path.name} still has {sorted(blocks)}"
    data = path.read_bytes()
    for secret in (b"Canon", b"0123456789", b"Noi o cua nguon tin", b"GPS"):
        assert secret not in data, f"{secret!r} is in the published {path.name}"


def test_a_camera_photo_is_published_without_gps_camera_or_xmp(minimal: Path) -> None:
    camera_jpeg(minimal / "content" / "the-gioi" / "hien-truong.jpg")
    article(minimal, "hien-truong", "hien-truong.jpg")
    original = (minimal / "content" / "the-gioi" / "hien-truong.jpg").read_bytes()
    run = newsgen("build", cwd=minimal)
    assert run.code == 0, run.err
    for path in (minimal / "public" / "img").iterdir():  # every width, format and crop
        assert_pixels_only(path)
    path = hero_file(minimal, "hien-truong")
    with Image.open(path) as image:
        assert image.size == (60, 40)
        left, right = image.convert("RGB").getpixel((5, 20)), image.getpixel((55, 20))
    assert left[0] > 150 > left[2] and right[2] > 150 > right[0]  # the same picture
    # The editor's file is never touched, and never published.
    assert (minimal / "content" / "the-gioi" / "hien-truong.jpg").read_bytes() == original
    assert not list((minimal / "public").rglob("hien-truong.jpg"))


def test_a_sideways_photo_comes_out_upright(minimal: Path) -> None:
    # Orientation 6: the camera was turned; viewers rotate the stored 60x40 pixels to 40x60.
    camera_jpeg(minimal / "content" / "the-gioi" / "doc.jpg", (60, 40), orientation=6)
    article(minimal, "doc", "doc.jpg")
    run = newsgen("build", cwd=minimal)
    assert run.code == 0, run.err
    path = hero_file(minimal, "doc")
    with Image.open(path) as image:
        assert image.size == (40, 60)
        assert image.getexif().get(ORIENTATION, 1) == 1
        top, bottom = image.convert("RGB").getpixel((20, 5)), image.getpixel((20, 55))
    # Turned a quarter clockwise, the left (red) half is now on top.
    assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0]


def test_body_and_static_pictures_lose_their_metadata_too(minimal: Path) -> None:
    png = Image.new("RGBA", (30, 20), (10, 120, 10, 128))
    info = __import__("PIL.PngImagePlugin", fromlist=["PngInfo"]).PngInfo()
    info.add_text("Comment", "Serial 0123456789")
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    png.save(minimal / "content" / "the-gioi" / "bieu-do.png", pnginfo=info,
             exif=camera_exif())
    camera_jpeg(minimal / "static" / "images" / "logo-anh.jpg")
    article(minimal, "bieu-do", "/images/logo-anh.jpg", "Biểu đồ:\n\n![Biểu đồ](bieu-do.png)\n")
    run = newsgen("build", cwd=minimal)
    assert run.code == 0, run.err
    page = html(minimal / "public" / "the-gioi" / "anh-bieu-do" / "index.html")
    img = page.select_one(".article-body img")
    fallback = minimal / "public" / img["src"].lstrip("/")
    assert fallback.suffix == ".png"  # the fallback of a picture with transparency
    for path in (fallback, largest(minimal / "public", img)):
        assert_pixels_only(path)
        with Image.open(path) as image:
            assert image.mode == "RGBA" and image.size == (30, 20)
            red, green, _, alpha = image.getpixel((3, 3))
        assert green > 100 > red and 110 < alpha < 145  # half transparent, as it was
    assert_pixels_only(published(minimal, "images/logo-anh.jpg"))
    assert_pixels_only(hero_file(minimal, "bieu-do"))


def test_exiftool_finds_no_metadata_in_what_is_published(minimal: Path) -> None:
    if shutil.which("exiftool") is None:
        if os.environ.get("CI"):
            pytest.fail("exiftool is missing: apt-get install libimage-exiftool-perl")
        pytest.skip("exiftool is missing")
    camera_jpeg(minimal / "content" / "the-gioi" / "hien-truong.jpg")
    article(minimal, "hien-truong", "hien-truong.jpg")
    assert newsgen("build", cwd=minimal).code == 0
    sent = exiftool(minimal / "content" / "the-gioi" / "hien-truong.jpg")
    assert {"EXIF", "XMP", "ICC_Profile"} <= groups(sent) and "EXIF:GPSLatitude" in sent
    made = sorted((minimal / "public" / "img").iterdir())
    assert {p.suffix for p in made} == {".jpg", ".webp"}
    for path in made:
        found = exiftool(path)
        assert not groups(found) & {"EXIF", "XMP", "IPTC", "ICC_Profile", "MakerNotes"}, found
        assert not any("GPS" in key or "Comment" in key for key in found), found


def exiftool(path: Path) -> dict[str, object]:
    return json.loads(subprocess.run(["exiftool", "-j", "-G", "-a", str(path)],
                                     capture_output=True, check=True, text=True).stdout)[0]


def groups(found: dict[str, object]) -> set[str]:
    return {key.split(":")[0] for key in found if ":" in key}


def test_a_damaged_picture_is_one_problem_and_the_site_stays(minimal: Path) -> None:
    assert newsgen("build", cwd=minimal).code == 0
    before = {p: p.read_bytes() for p in (minimal / "public").rglob("*") if p.is_file()}
    write(minimal / "content" / "the-gioi" / "hong.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 200)
    article(minimal, "hong", "hong.jpg")
    run = newsgen("build", cwd=minimal)
    assert run.code == 1
    lines = [line for line in run.err.splitlines() if "hong.jpg" in line]
    assert lines == ["content/the-gioi/hong.md:7: image 'hong.jpg' cannot be read as a "
                     "picture (cannot identify image file); export it again"], run.err
    assert "Traceback" not in run.err
    assert {p: p.read_bytes() for p in (minimal / "public").rglob("*") if p.is_file()} == before


def test_a_picture_over_the_pixel_limit_is_refused(minimal: Path) -> None:
    # 8000x7000 is 56 MP; a PNG of one colour is a few hundred kilobytes on disk.
    buffer = io.BytesIO()
    Image.new("L", (8000, 7000), 0).save(buffer, "PNG")
    write(minimal / "content" / "the-gioi" / "lon.png", buffer.getvalue())
    article(minimal, "lon", "lon.png")
    run = newsgen("build", cwd=minimal)
    assert run.code == 1
    assert "content/the-gioi/lon.png: this picture is 8000x7000 pixels (56 MP), larger than " \
           "the 50 MP newsgen publishes; export it smaller" in run.err.splitlines()


def test_a_picture_is_made_once_for_every_build_and_output(minimal: Path) -> None:
    camera_jpeg(minimal / "content" / "the-gioi" / "hien-truong.jpg")
    article(minimal, "hien-truong", "hien-truong.jpg")
    assert newsgen("build", cwd=minimal).code == 0
    cache = minimal / ".newsgen-cache" / "pictures"
    made = sorted(p for p in cache.iterdir() if p.suffix != ".json")
    published_files = sorted(p.name for p in (minimal / "public" / "img").iterdir())
    assert sorted(p.name for p in made) == published_files
    stamps = {p.name: p.stat().st_mtime_ns for p in made}
    # Another output folder (a preview) uses the same made pictures, not new ones.
    assert newsgen("build", "-o", "preview", cwd=minimal).code == 0
    assert {p.name: p.stat().st_mtime_ns for p in made} == stamps
    assert hero_file(minimal, "hien-truong", "preview").read_bytes() == \
        (cache / hero_file(minimal, "hien-truong").name).read_bytes()
    # Pictures the output already holds, as made from the same file, are not made again.
    shutil.rmtree(cache)
    assert newsgen("build", cwd=minimal).code == 0
    assert not cache.exists() or not [p for p in cache.iterdir() if p.suffix != ".json"]
    assert_pixels_only(hero_file(minimal, "hien-truong"))
    # A new photo under the old name gets new files, and they are what is published.
    camera_jpeg(minimal / "content" / "the-gioi" / "hien-truong.jpg", (80, 40))
    assert newsgen("build", cwd=minimal).code == 0
    with Image.open(hero_file(minimal, "hien-truong")) as image:
        assert image.size == (80, 40)
    # Without the cache, pictures are made all the same, and nothing is left behind.
    shutil.rmtree(minimal / ".newsgen-cache")
    assert newsgen("build", "--no-cache", "-o", "fresh", cwd=minimal).code == 0
    assert_pixels_only(hero_file(minimal, "hien-truong", "fresh"))
    assert not (minimal / ".newsgen-cache" / "pictures").exists()


def test_an_animation_keeps_its_frames_and_timing_not_its_comment(minimal: Path) -> None:
    frames = [Image.new("RGB", (20, 20), (i * 60, 255 - i * 60, 0)) for i in range(4)]
    frames[0].save(minimal / "content" / "the-gioi" / "dong.gif", save_all=True,
                   append_images=frames[1:], duration=[100, 200, 300, 400], loop=0,
                   comment=b"Serial 0123456789")
    article(minimal, "dong", "dong.gif")
    assert newsgen("build", cwd=minimal).code == 0
    path = published(minimal, "the-gioi/anh-dong/dong.gif")
    assert b"0123456789" not in path.read_bytes()
    with Image.open(path) as image:
        timing = []
        for i in range(image.n_frames):
            image.seek(i)
            timing.append((image.info["duration"], image.convert("RGB").getpixel((5, 5))))
    assert [t for t, _ in timing] == [100, 200, 300, 400]
    assert [c[0] for _, c in timing] == [0, 60, 120, 180]


def test_a_static_file_that_does_not_decode_is_the_sites_own_and_published_as_it_is(
        minimal: Path) -> None:
    """static/ is the site's, as trusted as its templates: what published before still does."""
    odd = write(minimal / "static" / "images" / "la.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    article(minimal, "la", "/images/la.png", "Trong bài:\n\n![Hình lạ](/images/la.png)\n")
    run = newsgen("build", cwd=minimal)
    assert run.code == 0, run.err
    assert published(minimal, "images/la.png").read_bytes() == odd.read_bytes()
    page = html(minimal / "public" / "the-gioi" / "anh-la" / "index.html")
    assert [img["src"] for img in page.select("figure.article-hero img, .article-body img")] \
        == ["/images/la.png", "/images/la.png"]

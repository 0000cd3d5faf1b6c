"""Photos are published as the widths and formats a reader's screen needs, named by content.

Each test writes real pictures with Pillow, builds with the real command, then
reads the pages (parsed) and the published files (decoded) back.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pillow_heif
from PIL import Image

from conftest import REPO, html, largest, newsgen, write
from test_photos import assert_pixels_only, camera_exif, camera_jpeg

SECTION = "the-gioi"


def photo(path: Path, size: tuple[int, int], colour: tuple[int, int, int] = (40, 90, 160)
          ) -> Path:
    """A camera JPEG: one colour, a red stripe down its left edge, and the camera's EXIF."""
    image = Image.new("RGB", size, colour)
    image.paste((220, 20, 20), (0, 0, max(1, size[0] // 20), size[1]))
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=90, exif=camera_exif())
    return path


def story(site: Path, name: str, hero: str, extra: str = "", body: str = "Nội dung bài.",
          date: str = "2022-01-07T09:00:00+07:00") -> Path:
    return write(site / "content" / SECTION / f"{name}.md", f"""---
title: "Ảnh {name}"
date: {date}
section: {SECTION}
lead: "Bài có ảnh."
image:
  src: {hero}
  alt: "Toàn cảnh {name}"
  caption: "Chú thích {name}."
{extra}---
{body}
""")


def page_of(site: Path, name: str):
    return html(site / "public" / SECTION / f"anh-{name}" / "index.html")


def candidates(srcset: str) -> list[tuple[str, int]]:
    return [(url, int(width[:-1])) for url, width in
            (part.strip().split() for part in srcset.split(","))]


def served(site: Path, url: str) -> Path:
    path = site / "public" / url.lstrip("/")
    assert path.is_file(), f"{url} is in the page but not published"
    return path


def build(site: Path, *args: str) -> str:
    run = newsgen("build", *args, cwd=site)
    assert run.code == 0, run.err
    return run.err


def test_a_camera_photo_is_published_in_widths_and_formats_never_wider(minimal: Path) -> None:
    photo(minimal / "content" / SECTION / "hien-truong.jpg", (2000, 1333))
    story(minimal, "hien-truong", "hien-truong.jpg")
    build(minimal)
    hero = page_of(minimal, "hien-truong").select_one("figure.article-hero picture")
    source = hero.select_one("source")
    img = hero.select_one("img")
    assert source["type"] == "image/webp" and "44rem" in source["sizes"]
    webp = candidates(source["srcset"])
    assert [w for _, w in webp] == [240, 480, 720, 1080, 1600]
    # Every browser in use reads WebP: the JPEG fallback is one file, the <img>'s src.
    assert not img.has_attr("srcset") and not img.has_attr("sizes")
    for (url, width), kind in [*((c, "WEBP") for c in webp), ((img["src"], 720), "JPEG")]:
        assert re.fullmatch(r"/img/[0-9a-f]{12}-\d+\.(webp|jpg)", url), url
        with Image.open(served(minimal, url)) as image:
            assert (image.format, image.width) == (kind, width)
            assert image.height == round(1333 * width / 2000)
        assert_pixels_only(served(minimal, url))
    # The box has the shape of the photo, so nothing moves when it loads.
    assert (int(img["width"]), int(img["height"])) == (720, 480)
    assert img["loading"] == "eager" and img["alt"] == "Toàn cảnh hien-truong"
    # The camera's file itself is not published (pictures.publish_originals is off).
    assert not list((minimal / "public").rglob("hien-truong.jpg"))


def test_a_small_photo_is_never_upscaled_and_is_warned_about(minimal: Path) -> None:
    photo(minimal / "content" / SECTION / "nho.jpg", (500, 300))
    path = story(minimal, "nho", "nho.jpg")
    err = build(minimal)
    img = page_of(minimal, "nho").select_one("figure.article-hero img")
    webp = img.find_parent("picture").select_one("source")["srcset"]
    assert [w for _, w in candidates(webp)] == [240, 480, 500]
    assert img["src"].endswith("-500.jpg")
    line = path.read_text(encoding="utf-8").splitlines().index("  src: nho.jpg") + 1
    assert (f"content/{SECTION}/nho.md:{line}: warning: image 'nho.jpg' is 500 px wide; the page "
            "shows it up to 720 px wide, so it looks blurred: use a photo at least 1600 px "
            "wide") in err.splitlines()


def test_one_photo_in_two_articles_is_one_set_of_files(minimal: Path) -> None:
    first = photo(minimal / "content" / SECTION / "chung.jpg", (900, 600))
    write(minimal / "content" / SECTION / "chung-ban-sao.jpg", first.read_bytes())
    story(minimal, "mot", "chung.jpg")
    story(minimal, "hai", "chung-ban-sao.jpg")
    build(minimal)
    srcsets = [page_of(minimal, name).select_one("figure.article-hero source")["srcset"]
               for name in ("mot", "hai")]
    assert srcsets[0] == srcsets[1]
    key = candidates(srcsets[0])[0][0].split("/")[-1].split("-")[0]
    # Four widths in WebP, the JPEG fallback and three crops, once.
    assert len(list((minimal / "public" / "img").glob(f"{key}-*"))) == 4 + 1 + 3


def test_a_replaced_photo_gets_new_addresses(minimal: Path) -> None:
    path = photo(minimal / "content" / SECTION / "doi.jpg", (900, 600))
    story(minimal, "doi", "doi.jpg")
    build(minimal)
    before = page_of(minimal, "doi").select_one("figure.article-hero img")["src"]
    photo(path, (900, 600), colour=(200, 200, 40))
    build(minimal)
    after = page_of(minimal, "doi").select_one("figure.article-hero img")["src"]
    assert after != before
    assert not (minimal / "public" / before.lstrip("/")).exists()
    with Image.open(served(minimal, after)) as image:
        assert image.convert("RGB").getpixel((image.width - 5, 5))[2] < 100  # the new one


def test_cards_offer_small_widths_for_their_small_boxes(minimal: Path) -> None:
    photo(minimal / "content" / SECTION / "the.jpg", (1600, 1000))
    story(minimal, "the", "the.jpg")
    story(minimal, "moi", "the.jpg", date="2022-01-08T09:00:00+07:00")
    build(minimal)
    home = html(minimal / "public" / "index.html")
    card = next(img for img in home.select("img.card-image") if "/img/" in img["src"])
    assert card["alt"] == "" and card["loading"] == "lazy"
    assert (int(card["width"]), int(card["height"])) == (720, 450)
    source = card.find_parent("picture").select_one("source")
    assert source["type"] == "image/webp"
    assert [w for _, w in candidates(source["srcset"])][:2] == [240, 480]
    older = page_of(minimal, "moi")  # its "Tin cũ hơn" shows the other
    thumbs = [img.find_parent("picture").select_one("source") for img in
              older.select(".older-list img.card-image, .card-list img.card-image")
              if "/img/" in img["src"]]
    assert thumbs and all(s["sizes"] == "7rem" for s in thumbs)


def test_sharing_pictures_are_crops_at_1200_with_credit(minimal: Path) -> None:
    photo(minimal / "content" / SECTION / "chia-se.jpg", (2400, 1600))
    story(minimal, "chia-se", "chia-se.jpg", '  credit: "Ảnh: Reuters"\n')
    build(minimal)
    page = page_of(minimal, "chia-se")
    og = page.select_one('meta[property="og:image"]')["content"]
    assert og.startswith("https://") and og.endswith("-1200x675.jpg")
    assert page.select_one('meta[property="og:image:width"]')["content"] == "1200"
    assert page.select_one('meta[property="og:image:height"]')["content"] == "675"
    news = next(d for d in (json.loads(s.string) for s in
                            page.select('script[type="application/ld+json"]'))
                if d["@type"] == "NewsArticle")
    sizes = [(i["width"], i["height"]) for i in news["image"]]
    assert sizes == [(1200, 675), (1200, 900), (1200, 1200)]
    assert {i["creditText"] for i in news["image"]} == {"Ảnh: Reuters"}
    for item in news["image"]:
        path = served(minimal, "/" + item["url"].split("/", 3)[3])
        with Image.open(path) as image:
            assert image.size == (item["width"], item["height"])
    caption = page.select_one("figure.article-hero figcaption")
    assert caption.select_one(".credit").get_text() == "Ảnh: Reuters"
    assert caption.get_text(" ", strip=True) == "Chú thích chia-se. Ảnh: Reuters"


def test_the_focus_point_says_what_a_crop_keeps(minimal: Path) -> None:
    # The red stripe runs down the left edge; a square from the middle leaves it out.
    photo(minimal / "content" / SECTION / "giua.jpg", (2400, 1200))
    photo(minimal / "content" / SECTION / "trai.jpg", (2400, 1200), colour=(40, 90, 161))
    story(minimal, "giua", "giua.jpg")
    story(minimal, "trai", "trai.jpg", "  focus: 0% 50%\n")
    build(minimal)
    for name, red in (("giua", False), ("trai", True)):
        page = page_of(minimal, name)
        news = next(d for d in (json.loads(s.string) for s in
                                page.select('script[type="application/ld+json"]'))
                    if d["@type"] == "NewsArticle")
        square = news["image"][2]
        with Image.open(served(minimal, "/" + square["url"].split("/", 3)[3])) as image:
            assert image.size == (1200, 1200)
            pixel = image.convert("RGB").getpixel((5, 600))
        assert (pixel[0] > 150) is red, (name, pixel)


def test_a_bad_focus_is_one_problem_with_its_line(minimal: Path) -> None:
    photo(minimal / "content" / SECTION / "f.jpg", (900, 600))
    path = story(minimal, "f", "f.jpg", "  focus: giữa\n")
    run = newsgen("build", cwd=minimal)
    assert run.code == 1
    line = path.read_text(encoding="utf-8").splitlines().index("  focus: giữa") + 1
    assert (f"content/{SECTION}/f.md:{line}: image focus 'giữa' is not a point of the picture; "
            "write it across then down, like 50% 30% (the middle of the upper third)"
            ) in run.err.splitlines()


def test_a_body_picture_with_a_title_is_a_figure_with_its_caption(minimal: Path) -> None:
    photo(minimal / "content" / SECTION / "than-bai.jpg", (1200, 800))
    photo(minimal / "content" / SECTION / "ban-do.jpg", (800, 600))
    body = ("Mở đầu.\n\n![Người dân xếp hàng](than-bai.jpg \"Người dân xếp hàng bỏ phiếu.\")\n\n"
            "Giữa bài ![bản đồ](ban-do.jpg) trong câu.\n\n![](ban-do.jpg)\n")
    path = story(minimal, "than", "than-bai.jpg", body=body)
    err = build(minimal)
    article = page_of(minimal, "than").select_one(".article-body")
    figure = article.select_one("figure")
    assert figure.parent.name != "p"
    img = figure.select_one("picture img")
    webp = figure.select_one("picture source")["srcset"]
    assert img["alt"] == "Người dân xếp hàng" and img["loading"] == "lazy"
    assert (int(img["width"]), int(img["height"])) == (720, 480)
    assert figure.select_one("figcaption").get_text() == "Người dân xếp hàng bỏ phiếu."
    assert not img.has_attr("title")
    inline = [i for i in article.select("p img") if i["alt"] == "bản đồ"]
    assert len(inline) == 1 and inline[0].find_parent("picture") is not None
    offered = inline[0].find_parent("picture").select_one("source")["srcset"]
    assert [w for _, w in candidates(offered)] == [240, 480, 720, 800]
    line = path.read_text(encoding="utf-8").splitlines().index("![](ban-do.jpg)") + 1
    assert (f"content/{SECTION}/than.md:{line}: warning: picture 'ban-do.jpg' has no "
            "description; write what it shows between the brackets, ![like this](anh.jpg), "
            "for readers who cannot see it") in err.splitlines()
    for url, _ in candidates(webp):
        assert_pixels_only(served(minimal, url))


def test_a_phone_photo_in_heic_is_published_upright_and_turned_once(minimal: Path) -> None:
    """A phone stores its turn in HEIF's own transform, which libheif applies as it decodes;
    the EXIF orientation it also writes says the same turn again, and must not be obeyed
    a second time (as the HEIF standard says, and browsers do)."""
    upright = Image.new("RGB", (600, 900), (30, 30, 200))
    upright.paste((200, 30, 30), (0, 0, 600, 450))  # red on top
    pillow_heif.register_heif_opener()
    upright.save(minimal / "content" / SECTION / "dien-thoai.heic", quality=90,
                 exif=camera_exif(orientation=6))
    story(minimal, "dien-thoai", "dien-thoai.heic")
    build(minimal)
    img = page_of(minimal, "dien-thoai").select_one("figure.article-hero img")
    assert (int(img["width"]), int(img["height"])) == (600, 900)
    widest = largest(minimal / "public", img)
    with Image.open(widest) as image:
        assert image.size == (600, 900) and image.format == "WEBP"
        top, bottom = image.convert("RGB").getpixel((300, 100)), image.getpixel((300, 800))
    assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0]
    assert_pixels_only(widest)
    assert not list((minimal / "public").rglob("*.heic"))


def test_a_sideways_camera_photo_is_published_upright(minimal: Path) -> None:
    camera_jpeg(minimal / "content" / SECTION / "doc.jpg", (900, 600), orientation=6)
    story(minimal, "doc", "doc.jpg")
    build(minimal)
    img = page_of(minimal, "doc").select_one("figure.article-hero img")
    offered = img.find_parent("picture").select_one("source")["srcset"]
    assert [w for _, w in candidates(offered)] == [240, 480, 600]
    with Image.open(largest(minimal / "public", img)) as image:
        assert image.size == (600, 900)
        top, bottom = image.convert("RGB").getpixel((300, 50)), image.getpixel((300, 850))
    assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0]  # the left half went on top


def test_originals_are_published_only_when_the_site_asks_and_then_without_gps(
        minimal: Path) -> None:
    photo(minimal / "content" / SECTION / "goc.jpg", (900, 600))
    story(minimal, "goc", "goc.jpg")
    config = minimal / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8")
                      + "pictures:\n  publish_originals: true\n", encoding="utf-8")
    build(minimal)
    original = served(minimal, f"/{SECTION}/anh-goc/goc.jpg")
    assert_pixels_only(original)
    with Image.open(original) as image:
        assert image.size == (900, 600)


def test_picture_settings_change_widths_formats_and_sizes(minimal: Path) -> None:
    photo(minimal / "content" / SECTION / "cai-dat.jpg", (1600, 1000))
    story(minimal, "cai-dat", "cai-dat.jpg")
    config = minimal / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + (
        "pictures:\n  widths: [400, 800]\n  formats: [avif, webp, jpeg]\n  quality: 70\n"
        "  sizes:\n    hero: 90vw\n"), encoding="utf-8")
    build(minimal)
    picture = page_of(minimal, "cai-dat").select_one("figure.article-hero picture")
    assert [s["type"] for s in picture.select("source")] == ["image/avif", "image/webp"]
    assert {s["sizes"] for s in picture.select("source")} == {"90vw"}
    offered = picture.select_one("source")["srcset"]
    assert [w for _, w in candidates(offered)] == [400, 800]  # no wider than asked
    avif = candidates(picture.select_one("source")["srcset"])[0][0]
    with Image.open(served(minimal, avif)) as image:
        assert image.format == "AVIF" and image.width == 400


def test_bad_picture_settings_are_one_problem_each(minimal: Path) -> None:
    config = minimal / "site.yaml"
    lines = config.read_text(encoding="utf-8").splitlines()
    config.write_text("\n".join([*lines, "pictures:", "  formats: [webp]", "  qualty: 80"])
                      + "\n", encoding="utf-8")
    run = newsgen("build", cwd=minimal)
    assert run.code == 1
    assert run.err.splitlines()[:2] == [
        f"site.yaml:{len(lines) + 2}: pictures: formats must be a list of avif, webp and "
        "jpeg that ends with jpeg, the format every browser shows, like [avif, webp, jpeg]",
        f"site.yaml:{len(lines) + 3}: pictures: has no key 'qualty'; did you mean "
        "'quality'?"], run.err


def test_made_renditions_are_kept_and_a_new_photo_makes_only_its_own(minimal: Path) -> None:
    photo(minimal / "content" / SECTION / "a.jpg", (900, 600))
    story(minimal, "a", "a.jpg")
    build(minimal)
    cache = minimal / ".newsgen-cache" / "pictures"
    made = {p.name: p.stat().st_mtime_ns for p in cache.iterdir() if p.suffix != ".json"}
    photo(minimal / "content" / SECTION / "b.jpg", (900, 600), colour=(10, 200, 10))
    story(minimal, "b", "b.jpg")
    build(minimal)
    now = {p.name: p.stat().st_mtime_ns for p in cache.iterdir() if p.suffix != ".json"}
    assert {n: t for n, t in now.items() if n in made} == made
    assert len(set(now) - set(made)) == 4 + 1 + 3


def test_the_example_sites_photos_reach_readers_upright_and_without_gps(tmp_path: Path) -> None:
    """The example site's photos are real files: a camera JPEG with its GPS position, one
    the camera stored sideways, and a phone's HEIC."""
    with Image.open(REPO / "content" / SECTION / "cang-bien-hoang-hon.jpg") as sent:
        assert sent.getexif().get_ifd(0x8825), "the example photo has lost its GPS block"
    out = tmp_path / "public"
    run = newsgen("build", "-s", REPO, "-o", out, "--no-cache")
    assert run.code == 0, run.err
    made = sorted((out / "img").iterdir())
    assert len(made) >= 3 * (6 + 1 + 3)
    for path in made:
        assert_pixels_only(path)
        with Image.open(path) as image:
            assert image.width >= image.height  # all three are landscape, the sideways one too
    for name in ("cang-bien-hoang-hon.jpg", "canh-dong-bien-gioi.jpg", "phong-ten-lua.heic"):
        assert not list(out.rglob(name)), f"{name} itself was published"

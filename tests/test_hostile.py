"""Articles written to attack the site or the machine that builds it.

Writers, stringers and interns are not all trusted: what an article names
(pictures, links, other files) and what it holds (crafted Markdown and YAML)
must never publish a file that is not meant for the web, crash the build, take
more than linear time, or act on the terminal that shows the report.
The broken-site cases in sites_invalid/ hold the exact reports of the simple
cases; these are the ones that need links on disk, big inputs or a second build.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from PIL import Image

from conftest import html, largest, manifest, newsgen, write
from newsgen.render.markdown import _heading_id, make_markdown

ARTICLE = "content/the-gioi/hoi-nghi-ha-noi.md"
PAGE = Path("the-gioi", "hoi-nghi-thuong-dinh-tai-ha-noi")
PNG = (Path(__file__).parent / "sites" / "minimal" / "content" / "the-gioi" / "hoi-nghi.png")
SECRET = "AWS_SECRET=khong-duoc-lo"


def article(site: Path, name: str, body: str, front: str = "") -> Path:
    return write(site / "content" / "the-gioi" / f"{name}.md",
                 f"---\ntitle: \"Bài {name}\"\ndate: 2022-01-04T08:00:00+07:00\n"
                 f"section: the-gioi\n{front}---\n{body}\n")


def published(public: Path) -> str:
    """Every byte the site publishes, as text, to look for a leaked secret in."""
    return "".join(p.read_bytes().decode("utf-8", "replace")
                   for p in sorted(public.rglob("*")) if p.is_file())


def built(site: Path) -> Path:
    run = newsgen("build", "-s", site)
    assert run.code == 0, run.err
    return site / "public"


# --- links that stay inside the site ---------------------------------------


OUTSIDE = "outside the site's content/, static/ and templates/"


@pytest.mark.parametrize("target, shown", [
    (".env", f".env, {OUTSIDE}"),
    (".git/config", f".git/config, {OUTSIDE}"),
    ("ghi-chu/mat-khau.txt", f"ghi-chu/mat-khau.txt, {OUTSIDE}"),
    ("content/.ban-nhap/bi-mat.txt", "content/.ban-nhap/bi-mat.txt, a hidden file (a name "
     "starting with '.'), which is never published"),
])
def test_a_picture_linked_to_a_secret_is_refused(minimal: Path, target: str,
                                                 shown: str) -> None:
    public = built(minimal)
    before = manifest(public)
    write(minimal / target, SECRET + "\n")
    (minimal / "content" / "the-gioi" / "anh.png").symlink_to(minimal / target)
    article(minimal, "lo-bi-mat", "![ảnh](anh.png)")
    run = newsgen("build", "-s", minimal)
    assert run.code == 1
    assert run.err.splitlines()[0] == (
        f"content/the-gioi/lo-bi-mat.md:6: picture 'anh.png' is a link to {shown}; put the "
        "picture itself beside the article")
    assert manifest(public) == before
    assert SECRET not in published(public)


def test_static_articles_and_templates_linked_into_hidden_folders_are_refused(
        minimal: Path) -> None:
    write(minimal / ".git" / "config", SECRET + "\n")
    (minimal / "static" / "images").mkdir(parents=True, exist_ok=True)
    (minimal / "static" / "images" / "logo.png").symlink_to(minimal / ".git" / "config")
    (minimal / "content" / "the-gioi" / "ghi-chu.md").symlink_to(minimal / ".git" / "config")
    (minimal / "templates").mkdir(exist_ok=True)
    (minimal / "templates" / "bi-mat.html").symlink_to(minimal / ".git" / "config")
    run = newsgen("build", "-s", minimal)
    assert run.code == 1
    link = f"a link to .git/config, {OUTSIDE}; copy the file itself into"
    assert run.err.splitlines()[:3] == [
        f"content/the-gioi/ghi-chu.md: this file is {link} content/ instead",
        f"static/images/logo.png: this file is {link} static/ instead",
        f"templates/bi-mat.html: this file is {link} templates/ instead",
    ]
    assert not (minimal / "public").exists()


def test_a_link_between_the_sites_own_files_still_works(minimal: Path) -> None:
    (minimal / "content" / "the-gioi" / "ban-sao.png").symlink_to(
        minimal / "content" / "the-gioi" / "hoi-nghi.png")
    article(minimal, "ban-sao", "![bản sao](ban-sao.png)")
    public = built(minimal)
    page = public / "the-gioi" / "bai-ban-sao"
    img = html(page / "index.html").find(class_="article-body").find("img")
    with Image.open(largest(public, img)) as copy, Image.open(PNG) as original:
        assert copy.size == original.size


def test_a_picture_replaced_by_a_page_after_a_build_is_refused_on_the_next(
        minimal: Path) -> None:
    """The page that shows the picture is kept from the last build, its body comes from
    the cache: the file is looked at again all the same."""
    shutil.copyfile(PNG, minimal / "content" / "the-gioi" / "bieu-do.png")
    article(minimal, "bieu-do", "![biểu đồ](bieu-do.png)")
    public = built(minimal)
    before = manifest(public)
    write(minimal / "content" / "the-gioi" / "bieu-do.png", "<script>alert('gia-mao')</script>\n")
    run = newsgen("build", "-s", minimal)
    assert run.code == 1, run.err
    assert run.err.splitlines()[0] == (
        "content/the-gioi/bieu-do.md:6: picture 'bieu-do.png' is named .png but is not a PNG "
        "picture inside (nor a JPEG, PNG, GIF, WebP, AVIF or HEIC one); export it again "
        "as .png")
    assert manifest(public) == before
    assert "alert('gia-mao')" not in published(public)


def test_a_hero_replaced_by_a_page_after_a_build_is_refused_on_the_next(
        minimal: Path) -> None:
    """The verdict on a hero's bytes is remembered between builds, by their digest: other
    bytes under the same name are looked at again."""
    shutil.copyfile(PNG, minimal / "content" / "the-gioi" / "bieu-do.png")
    article(minimal, "bieu-do", "Nội dung.", "image:\n  src: bieu-do.png\n  alt: Biểu đồ\n")
    public = built(minimal)
    before = manifest(public)
    built(minimal)  # the verdict is on record now
    write(minimal / "content" / "the-gioi" / "bieu-do.png", "<script>alert('gia-mao')</script>\n")
    run = newsgen("build", "-s", minimal)
    assert run.code == 1, run.err
    assert run.err.splitlines()[0] == (
        "content/the-gioi/bieu-do.md:6: image 'bieu-do.png' is named .png but is not "
        "a PNG picture inside (nor a JPEG, PNG, GIF, WebP, AVIF or HEIC one); export it again "
        "as .png")
    assert manifest(public) == before
    assert "alert('gia-mao')" not in published(public)


def test_svg_beside_an_article_is_published_only_where_the_site_allows_it(
        minimal: Path) -> None:
    write(minimal / "content" / "the-gioi" / "ban-do.svg",
          "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 1 1'/>")
    article(minimal, "ban-do", "![bản đồ](ban-do.svg)")
    run = newsgen("build", "-s", minimal)
    assert run.code == 1
    assert "picture 'ban-do.svg' is an SVG drawing, which can hold scripts" in run.err
    config = minimal / "site.yaml"
    config.write_text("svg_pictures: true\n" + config.read_text(encoding="utf-8"),
                      encoding="utf-8")
    page = built(minimal) / "the-gioi" / "bai-ban-do"
    assert html(page / "index.html").find(class_="article-body").find("img")["src"] == \
        "ban-do.svg"
    assert (page / "ban-do.svg").is_file()


@pytest.mark.parametrize("name, kind", [
    ("a.jpg", "JPEG"), ("a.jpeg", "JPEG"), ("a.gif", "GIF"), ("a.webp", "WEBP"),
    ("a.avif", "AVIF"), ("A.PNG", "PNG"),
])
def test_every_kind_of_news_picture_is_published(minimal: Path, name: str, kind: str) -> None:
    Image.new("RGB", (16, 9), (20, 90, 200)).save(minimal / "content" / "the-gioi" / name, kind)
    article(minimal, "anh", f"![ảnh]({name})")
    public = built(minimal)
    img = html(public / "the-gioi" / "bai-anh" / "index.html").find(class_="article-body") \
        .find("img")
    with Image.open(largest(public, img)) as image, Image.open(public / img["src"][1:]) as jpeg:
        assert (image.format, image.size, jpeg.format, jpeg.size) == \
            ("WEBP", (16, 9), "JPEG", (16, 9))
        assert image.convert("RGB").getpixel((8, 4))[2] > 150


def test_a_picture_with_a_signature_and_nothing_after_it_is_refused(minimal: Path) -> None:
    """The first bytes are checked before anything is decoded; a file that has them and no
    picture after them is caught when it is decoded."""
    write(minimal / "content" / "the-gioi" / "a.jpg",
          b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\0" * 64)
    article(minimal, "anh", "![ảnh](a.jpg)")
    run = newsgen("build", "-s", minimal)
    assert run.code == 1
    assert run.err.splitlines()[0].startswith(
        "content/the-gioi/anh.md:6: picture 'a.jpg' cannot be read as a picture (")
    assert "/tmp" not in run.err and str(minimal) not in run.err


def test_a_video_in_an_image_container_is_not_a_picture(minimal: Path) -> None:
    write(minimal / "content" / "the-gioi" / "a.avif", b"\x00\x00\x00\x18ftypmp42" + b"\0" * 64)
    article(minimal, "anh", "![ảnh](a.avif)")
    run = newsgen("build", "-s", minimal)
    assert run.code == 1
    assert "picture 'a.avif' is named .avif but is not an AVIF picture inside" in run.err


# --- work and memory on crafted input ---------------------------------------


def _timed_build(site: Path) -> tuple[float, subprocess.CompletedProcess[str], int]:
    """Wall time, the run, and the peak memory (MB) of a build in a process of its own."""
    probe = ("import resource, subprocess, sys\n"
             "run = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
             "sys.stdout.write(run.stderr)\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)\n"
             "sys.exit(run.returncode)")
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "newsgen",
                          "build", "-s", str(site), "-j", "1"],
                         capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PYTHONUTF8": "1"})
    lines = run.stdout.splitlines()
    return time.perf_counter() - start, run, int(lines[-1])


def test_twenty_thousand_equal_headings_build_in_linear_time(minimal: Path) -> None:
    """60,000 '## a' took the heading-id rule 2.4 billion tries; now it is one pass."""
    article(minimal, "tieu-de", "## a\n\n" * 60_000)
    seconds, run, _ = _timed_build(minimal)
    assert run.returncode == 0, run.stdout
    assert seconds < 60  # a hang is the failure here, not a slow machine
    body = html(minimal / "public" / "the-gioi" / "bai-tieu-de" / "index.html")
    ids = [h["id"] for h in body.find(class_="article-body").find_all("h2")]
    assert ids[:3] == ["a", "a-1", "a-2"] and ids[-1] == "a-59999"
    assert len(set(ids)) == 60_000


@pytest.mark.parametrize("line", [
    'lead: "' + '" ' * 200_000 + "x",  # quotes in quotes, the mistake the hints look for
    "lead: " + " " * 400_000 + "x: y",  # ': ' after a run of spaces
    "image:\n  alt:" + " " * 400_000 + "# a" + " " * 400_000 + "b",  # a comment after spaces
])
def test_a_crafted_front_matter_line_is_explained_in_linear_time(minimal: Path,
                                                                 line: str) -> None:
    """The hints that rewrite a broken line read it with patterns whose parts never take
    the same characters: a line of 800,000 crafted characters is one pass, and the
    message stays one short line."""
    article(minimal, "dong-dai", "Nội dung.", front=line + "\n")
    seconds, run, _ = _timed_build(minimal)
    assert run.returncode == 1
    assert seconds < 60  # a hang is the failure here, not a slow machine
    problem = run.stdout.splitlines()[0]
    assert problem.startswith("content/the-gioi/dong-dai.md:") and len(problem) < 500


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["a", "a 1", "a-1", "a-1-1", "b", "Main", "main", "## x",
                                 "`code` a", "Đà Nẵng", "da nang"]), max_size=30))
def test_heading_ids_are_those_readers_already_link_to(titles: list[str]) -> None:
    """The same ids as mdit-py-plugins' anchors rule gave: published #fragments still lead
    to the same heading."""
    text = "".join(f"## {t}\n\n### {t}\n\n" for t in titles)
    old = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    old.use(anchors_plugin, min_level=2, max_level=6, slug_func=_heading_id)

    def ids(md: MarkdownIt) -> list[str]:
        return [str(t.attrGet("id")) for t in md.parse(text) if t.type == "heading_open"]

    assert ids(make_markdown(False)) == ids(old)


def test_an_article_over_the_size_limit_is_refused_before_it_is_read(minimal: Path) -> None:
    article(minimal, "lon", "| a | b |\n|---|---|\n" + "| a | b |\n" * 150_000)  # 1.4 MB
    run = newsgen("build", "-s", minimal)
    assert run.code == 1
    assert run.err.splitlines()[0] == (
        "content/the-gioi/lon.md: file is 1.4 MB, over the 1 MB limit (max_article_mb in "
        "site.yaml); is it really an article?")
    config = minimal / "site.yaml"
    config.write_text("max_article_mb: 2\n" + config.read_text(encoding="utf-8"),
                      encoding="utf-8")
    assert newsgen("build", "-s", minimal).code == 0


WORST = {  # the shapes of body that cost markdown-it the most memory per byte
    "bang": "| a | b |\n|---|---|\n" + "| a | b |\n" * 100_000,
    "nhan-manh": "*" * 480_000 + "a" + "*" * 480_000,
    "dong": "*a* " * 240_000,
}


def test_the_costliest_articles_the_limit_allows_fit_in_memory(minimal: Path) -> None:
    """Each body is just under the 1 MB limit; rendering one takes hundreds of times its
    size, so the limit is what keeps a build (times -j) within a laptop's memory."""
    for name, body in WORST.items():
        article(minimal, name, body)
        assert len(body.encode()) < 1024 * 1024
    seconds, run, peak = _timed_build(minimal)
    assert run.returncode == 0, run.stdout
    assert seconds < 120
    assert peak < 900, f"a build of crafted articles took {peak} MB"


# --- what the report shows ---------------------------------------------------


def test_control_characters_in_file_names_are_shown_escaped(minimal: Path) -> None:
    name = "tin\x1b]0;da xong\x07\rbuilt 99 pages.md"
    write(minimal / "content" / "the-gioi" / name, "---\ntitle: x\ndate: hôm qua\n"
          "section: the-gioi\n---\nx\n")
    run = newsgen("build", "-s", minimal)
    assert run.code == 1
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", run.err), repr(run.err)
    assert run.err.splitlines() == [
        "content/the-gioi/tin\\x1b]0;da xong\\x07\\x0dbuilt 99 pages.md:3: date 'hôm qua' is "
        "not a date; use 2022-01-06 or 2022-01-06T09:00:00+07:00",
        "build failed: 1 error; the output folder was not changed",
    ]


def test_a_crash_is_never_the_answer_to_a_strange_value(minimal: Path) -> None:
    for n, value in enumerate(['"\\u202e"', '"a\\u0085b"', "[" * 999 + "]" * 999]):
        article(minimal, f"la-{n}", "x", front=f"lead: {value}\n")
    run = newsgen("build", "-s", minimal)
    assert run.code == 1, run.err
    assert "internal error" not in run.err and "Traceback" not in run.err
    assert len(run.err.splitlines()) == 4, run.err


def test_peak_memory_probe_measures_the_build() -> None:
    """The memory figure above is the build's own: a run that allocates 300 MB says so."""
    probe = ("import resource, subprocess, sys\n"
             "subprocess.run([sys.executable, '-c', 'x = bytearray(300 * 1024 * 1024)'])\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    assert int(out) >= 300
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > 0


def test_check_finds_the_lines_of_many_broken_links_in_one_pass(minimal: Path) -> None:
    """Each broken link's line was looked for in the whole article again: 40,000 of them
    took minutes. Now the article is read once."""
    article(minimal, "lien-ket", "\n".join(f"[{i}](/khong-co-{i}/)" for i in range(40_000)))
    start = time.perf_counter()
    run = newsgen("check", "-s", minimal)
    assert time.perf_counter() - start < 100  # a hang is the failure, not a slow machine
    assert run.code == 1
    lines = run.err.splitlines()
    assert lines[-1] == "check failed: 40000 problems"
    assert lines[0].startswith("content/the-gioi/lien-ket.md:6: link to /khong-co-0/ ")
    assert lines[-2].startswith("content/the-gioi/lien-ket.md:40005: link to /khong-co-39999/ ")

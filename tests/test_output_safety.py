"""Where a build may write, and what a failed build leaves behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import manifest, newsgen, write


@pytest.mark.parametrize("output, why", [
    (".", "would replace the site folder itself"),
    ("..", "would replace the site folder itself"),
    ("content", "is inside the site's content"),
    ("content/out", "is inside the site's content"),
    ("static", "is inside the site's static"),
])
def test_output_that_would_destroy_sources_is_refused(minimal: Path, output: str,
                                                      why: str) -> None:
    before = manifest(minimal.parent)
    run = newsgen("build", "-s", minimal, "-o", minimal / output)
    assert run.code == 1
    assert why in run.err.splitlines()[0]
    assert manifest(minimal.parent) == before


def test_folder_not_made_by_newsgen_is_not_replaced(minimal: Path) -> None:
    write(minimal / "public" / "notes.txt", "bản thảo quan trọng")
    run = newsgen("build", "-s", minimal)
    assert run.code == 1 and "newsgen did not make" in run.err
    assert (minimal / "public" / "notes.txt").read_text(encoding="utf-8") == "bản thảo quan trọng"
    forced = newsgen("build", "-s", minimal, "--force")
    assert forced.code == 0 and not (minimal / "public" / "notes.txt").exists()


def test_failed_build_keeps_previous_output_and_leaves_no_debris(minimal: Path) -> None:
    assert newsgen("build", "-s", minimal).code == 0
    before = manifest(minimal / "public")
    write(minimal / "content" / "the-gioi" / "hong.md", "---\ntitle: [\n---\n")
    assert newsgen("build", "-s", minimal).code == 1
    assert manifest(minimal / "public") == before
    assert sorted(p.name for p in minimal.iterdir()) == \
        [".newsgen-cache", "addresses.txt", "content", "public", "site.yaml", "static"]


def test_deleted_article_disappears_and_nothing_else_is_left(minimal: Path) -> None:
    assert newsgen("build", "-s", minimal).code == 0
    (minimal / "content" / "the-gioi" / "dien-dan-da-nang.md").unlink()
    assert newsgen("build", "-s", minimal).code == 0
    assert not (minimal / "public" / "the-gioi" / "dien-dan-kinh-doanh-da-nang").exists()
    assert (minimal / "public" / "images" / "da-nang.svg").is_file()  # static files stay
    # .public.staging now holds the previous site, which the next build updates in place.
    assert sorted(p.name for p in minimal.iterdir()) == \
        [".newsgen-cache", ".public.staging", "addresses.txt", "content", "public", "site.yaml",
         "static"]


def test_links_out_of_the_site_are_refused(minimal: Path, tmp_path: Path) -> None:
    outside = write(tmp_path / "outside" / "secret.txt", "mật khẩu")
    (minimal / "static" / "leak.txt").symlink_to(outside)
    (minimal / "content" / "the-gioi" / "ngoai.md").symlink_to(outside)
    inside = minimal / "static" / "images" / "ban-sao.svg"
    inside.symlink_to(minimal / "static" / "images" / "da-nang.svg")  # inside: fine
    run = newsgen("build", "-s", minimal)
    assert run.code == 1
    assert run.err.splitlines()[:2] == [
        f"content/the-gioi/ngoai.md: this file is a link to {outside}, outside the site's "
        "content/, static/ and templates/; copy the file itself into content/ instead",
        f"static/leak.txt: this file is a link to {outside}, outside the site's content/, "
        "static/ and templates/; copy the file itself into static/ instead",
    ]
    (minimal / "static" / "leak.txt").unlink()
    (minimal / "content" / "the-gioi" / "ngoai.md").unlink()
    assert newsgen("build", "-s", minimal).code == 0
    assert (minimal / "public" / "images" / "ban-sao.svg").is_file()


def test_a_huge_file_is_refused_quickly_without_reading_it(minimal: Path) -> None:
    huge = minimal / "content" / "the-gioi" / "nhat-ky.md"
    with huge.open("wb") as file:  # 20 MB: a pasted log, not an article
        file.write(b"---\ntitle: x\n---\n" + b"a" * (20 * 1024 * 1024))
    run = newsgen("build", "-s", minimal)
    assert run.code == 1
    assert run.err.splitlines()[0] == ("content/the-gioi/nhat-ky.md: file is 20.0 MB, over the "
                                       "1 MB limit (max_article_mb in site.yaml); is it really "
                                       "an article?")


def test_a_symlinked_output_is_built_where_it_points(minimal: Path, tmp_path: Path) -> None:
    target = tmp_path / "www" / "bao"
    assert newsgen("build", "-s", minimal, "-o", target).code == 0
    (minimal / "public").symlink_to(target, target_is_directory=True)
    write(minimal / "content" / "the-gioi" / "moi.md",
          "---\ntitle: Tin mới\ndate: 2022-01-07\nsection: the-gioi\n---\nNội dung.\n")
    run = newsgen("build", "-s", minimal)
    assert run.code == 0, run.err
    assert (minimal / "public").is_symlink()
    assert (target / "the-gioi" / "tin-moi" / "index.html").is_file()
    assert (target / "index.html").is_file()
    # Staging happens beside the real folder, never beside the link.
    assert not [p.name for p in minimal.iterdir() if p.name.startswith(".public")]
    # Beside it only the previous site, kept (and marked) for the next build to update.
    # A cache made by another version of newsgen (its code saved between the two builds)
    # is discarded: this build then knows no previous site, like a first one, and
    # nothing is left beside the output.
    discarded = "was made by another version of newsgen" in run.err
    beside = sorted(p.name for p in target.parent.iterdir())
    assert beside == (["bao"] if discarded else [".bao.staging", "bao"]), run.err
    assert discarded or (target.parent / ".bao.staging" / ".newsgen-output").is_file()

"""`newsgen new`: the file it writes builds as it is, and every refusal says what to do."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
import yaml

from conftest import html, manifest, newsgen, text
from newsgen.content.source import parse_mapping
from newsgen.errors import Problems, control_character
from newsgen.scaffold import yaml_quoted

NOW = "2026-11-26T13:41:27Z"  # 20:41:27 in Hanoi; the file keeps the minute
ARTICLE = """\
---
title: "Tiêu đề bài viết"
date: 2026-11-26T20:41:00+07:00
section: the-gioi
lead: ""
authors: []
tags: []
draft: true
---

"""


def new(site: Path, *args: str, now: str | None = NOW, cwd: Path | None = None,
        env: dict[str, str] | None = None):
    clock = ("--now", now) if now else ()
    return newsgen("new", *args, "-s", site, *clock, cwd=cwd, env=env)


def build_drafts(site: Path):
    return newsgen("build", "-s", site, "--drafts", "--now", NOW)


def test_writes_a_draft_with_the_site_time_to_the_minute(minimal: Path) -> None:
    run = new(minimal, "Tiêu đề bài viết", "--section", "the-gioi", cwd=minimal.parent)
    assert (run.code, run.out, run.err) == (0, "site/content/the-gioi/tieu-de-bai-viet.md\n", "")
    written = minimal / "content" / "the-gioi" / "tieu-de-bai-viet.md"
    assert written.read_bytes() == ARTICLE.encode("utf-8")


def test_the_new_article_builds_as_a_draft(minimal: Path) -> None:
    assert new(minimal, "Tiêu đề bài viết", "--section", "the-gioi").code == 0
    run = build_drafts(minimal)
    assert run.code == 0, run.err
    page = html(minimal / "public" / "the-gioi" / "tieu-de-bai-viet" / "index.html")
    assert text(page.h1) == "Tiêu đề bài viết"
    assert page.find("time")["datetime"].startswith("2026-11-26T20:41:00")
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    held = newsgen("build", "-s", minimal, "--now", NOW)
    assert held.code == 0
    assert "content/the-gioi/tieu-de-bai-viet.md: draft, not published" in held.err


def test_path_is_relative_to_the_current_folder(minimal: Path, tmp_path: Path) -> None:
    inside = newsgen("new", "Bão số 3", "--section", "kinh-te", "--now", NOW, cwd=minimal)
    assert (inside.code, inside.out) == (0, "content/kinh-te/bao-so-3.md\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    outside = newsgen("new", "Bão số 4", "--section", "kinh-te", "-s", "../site", "--now", NOW,
                      cwd=elsewhere)
    assert (outside.code, outside.out) == (0, "../site/content/kinh-te/bao-so-4.md\n")
    assert (minimal / "content" / "kinh-te" / "bao-so-4.md").is_file()


def test_quiet_prints_nothing(minimal: Path) -> None:
    run = new(minimal, "Tin ngắn", "--section", "the-gioi", "-q")
    assert (run.code, run.out, run.err) == (0, "", "")
    assert (minimal / "content" / "the-gioi" / "tin-ngan.md").is_file()


@pytest.mark.parametrize("title", [
    'Hà Nội: "nóng" 40°C',
    "[Ảnh] Đà Nẵng # 1 {lễ hội} \\ 'pháo hoa' & <b>",
    "- yes: no",
    "true",
    "2024-06-08",
])
def test_any_title_is_written_as_valid_yaml_and_shown_exactly(minimal: Path,
                                                             title: str) -> None:
    run = new(minimal, title, "--section", "the-gioi", "--slug", "tieu-de")
    assert run.code == 0, run.err
    assert build_drafts(minimal).code == 0
    page = html(minimal / "public" / "the-gioi" / "tieu-de" / "index.html")
    assert text(page.h1) == title


def test_title_is_stored_as_the_pages_show_it(minimal: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "  Hà   Nội\n mưa lớn ")
    assert new(minimal, decomposed, "--section", "the-gioi").code == 0
    written = (minimal / "content" / "the-gioi" / "ha-noi-mua-lon.md").read_text("utf-8")
    assert 'title: "Hà Nội mưa lớn"\n' in written


def test_slug_option_names_the_file_and_the_address(minimal: Path) -> None:
    run = new(minimal, "Đà Nẵng: pháo hoa", "--section", "the-gioi", "--slug", "phao-hoa")
    assert (run.code, run.out.strip()) == (0, str(minimal / "content/the-gioi/phao-hoa.md"))
    written = (minimal / "content" / "the-gioi" / "phao-hoa.md").read_text("utf-8")
    assert written.splitlines()[1:5] == ['title: "Đà Nẵng: pháo hoa"',
                                         "date: 2026-11-26T20:41:00+07:00",
                                         "section: the-gioi", "slug: phao-hoa"]
    assert build_drafts(minimal).code == 0
    assert (minimal / "public" / "the-gioi" / "phao-hoa" / "index.html").is_file()


def test_section_folder_is_created(minimal: Path) -> None:
    config = minimal / "site.yaml"
    config.write_text(config.read_text("utf-8") + '  - slug: the-thao\n    title: "Thể thao"\n',
                      encoding="utf-8")
    assert new(minimal, "Chung kết", "--section", "the-thao").code == 0
    assert (minimal / "content" / "the-thao" / "chung-ket.md").is_file()
    assert build_drafts(minimal).code == 0


def test_clock_comes_from_source_date_epoch_unless_now_is_given(minimal: Path) -> None:
    epoch = {"SOURCE_DATE_EPOCH": "1795700519"}  # 2026-11-26T13:41:59Z
    assert new(minimal, "Một", "--section", "the-gioi", now=None, env=epoch).code == 0
    assert "date: 2026-11-26T20:41:00+07:00\n" in \
        (minimal / "content" / "the-gioi" / "mot.md").read_text("utf-8")
    run = new(minimal, "Hai", "--section", "the-gioi", now="2024-06-08 21:30:45", env=epoch)
    assert run.code == 0
    assert "date: 2024-06-08T21:30:00+07:00\n" in \
        (minimal / "content" / "the-gioi" / "hai.md").read_text("utf-8")


def test_time_follows_the_site_time_zone(minimal: Path) -> None:
    config = minimal / "site.yaml"
    config.write_text(config.read_text("utf-8") + "timezone: Europe/Paris\n", encoding="utf-8")
    assert new(minimal, "Paris", "--section", "the-gioi").code == 0
    assert "date: 2026-11-26T14:41:00+01:00\n" in \
        (minimal / "content" / "the-gioi" / "paris.md").read_text("utf-8")


REFUSALS = [
    (["Hội nghị", "--section", "the-gioj"], 1,
     "--section 'the-gioj' is not in site.yaml; did you mean 'the-gioi'? The sections are: "
     "the-gioi, kinh-te"),
    (["Hội nghị", "--section", "Kinh tế"], 1,
     "--section 'Kinh tế' is not in site.yaml; did you mean 'kinh-te'? The sections are: "
     "the-gioi, kinh-te"),
    (["Hội nghị", "--section", "van-hoa"], 1,
     "--section 'van-hoa' is not in site.yaml; the sections are: the-gioi, kinh-te"),
    (["?!…", "--section", "the-gioi"], 1,
     "the title '?!…' gives an empty slug; add --slug with a URL name, like --slug tin-moi"),
    (["  ", "--section", "the-gioi"], 1,
     'the title is empty; give the headline in quotes, like "Tiêu đề bài viết"'),
    (["Giá xăng", "--section", "kinh-te", "--slug", "Gia_Xang"], 1,
     "--slug 'Gia_Xang' must be lowercase ASCII letters, digits and '-'; use 'gia-xang'"),
    (["Giá xăng", "--section", "kinh-te", "--slug", "__"], 1,
     "--slug '__' must be lowercase ASCII letters, digits and '-', like tin-moi"),
    (["Diễn đàn Đà Nẵng", "--section", "the-gioi", "--slug", "dien-dan-da-nang"], 1,
     "content/the-gioi/dien-dan-da-nang.md already exists; choose another title or --slug"),
    (["Hội nghị thượng đỉnh tại Hà Nội", "--section", "kinh-te"], 1,
     "slug 'hoi-nghi-thuong-dinh-tai-ha-noi' is already used by "
     "content/the-gioi/hoi-nghi-ha-noi.md; choose another title or --slug"),
    (["Hội nghị", "--section", "the-gioi", "--now", "8/6"], 1,
     "--now '8/6' is not a date; use 2022-01-06 or 2022-01-06T09:00:00+07:00"),
]


@pytest.mark.parametrize("args, code, message", REFUSALS,
                         ids=[r[2].split(";")[0][:40] for r in REFUSALS])
def test_refusals_say_what_to_do_and_write_nothing(minimal: Path, args: list[str], code: int,
                                                   message: str) -> None:
    before = manifest(minimal)
    run = newsgen("new", *args, "-s", minimal)
    assert (run.code, run.out, run.err) == (code, "", message + "\n")
    assert manifest(minimal) == before


def test_every_problem_is_reported_at_once(minimal: Path) -> None:
    run = new(minimal, "Giá xăng", "--section", "kinh_te", "--slug", "Gia Xang")
    assert run.code == 1 and run.out == ""
    assert run.err.splitlines() == [
        "--section 'kinh_te' is not in site.yaml; did you mean 'kinh-te'? The sections are: "
        "the-gioi, kinh-te",
        "--slug 'Gia Xang' must be lowercase ASCII letters, digits and '-'; use 'gia-xang'",
    ]


def test_broken_site_yaml_is_reported_like_the_build_does(minimal: Path) -> None:
    (minimal / "site.yaml").write_text('base_url: "https://bao-thu.example/"\n'
                                       "sections: thoi-su\n", encoding="utf-8")
    run = new(minimal, "Tin mới", "--section", "the-gioi")
    assert run.code == 1 and run.out == "" and "Traceback" not in run.err
    assert run.err.splitlines() == [
        "site.yaml:1: 'title' is missing: The site's name, shown in every page's header "
        "and title.",
        "site.yaml:2: sections must be a list of sections, each with a slug and a title",
    ]
    assert not (minimal / "content" / "the-gioi" / "tin-moi.md").exists()


def test_missing_site_and_warnings_in_site_yaml(minimal: Path, tmp_path: Path) -> None:
    run = new(tmp_path / "nowhere", "Tin mới", "--section", "the-gioi")
    assert (run.code, run.err) == (1, f"no site.yaml in {tmp_path / 'nowhere'}; run newsgen in "
                                      "a site folder or name one with -s SITE_DIR\n")
    config = minimal / "site.yaml"
    config.write_text(config.read_text("utf-8") + 'desciption: "Tin nhanh"\n', encoding="utf-8")
    warned = new(minimal, "Tin mới", "--section", "the-gioi")
    assert warned.code == 0
    assert warned.err == ("site.yaml:9: warning: unknown setting 'desciption'; did you mean "
                          "'description'?\n")


def test_usage_errors_exit_2(minimal: Path) -> None:
    assert newsgen("new", "Tin mới", "-s", minimal).code == 2  # no --section
    assert newsgen("new", "--section", "the-gioi", "-s", minimal).code == 2  # no title
    bad_epoch = new(minimal, "Tin mới", "--section", "the-gioi", now=None,
                    env={"SOURCE_DATE_EPOCH": "hôm nay"})
    assert (bad_epoch.code, bad_epoch.err) == (
        2, "SOURCE_DATE_EPOCH 'hôm nay' must be a whole number of seconds since 1970-01-01 "
           "UTC\n")


@pytest.mark.parametrize("value", [
    'a "b": c \\ d', "line\nbreak\ttab", "\x07bell\x7fdel\x85nel\u2028ls\ufffe",
    "#[{*&!|>'%@`", "Đường sắt Bắc - Nam: 67 tỷ USD?",
])
def test_yaml_quoted_reads_back_exactly(value: str) -> None:
    written = f"title: {yaml_quoted(value)}"
    assert yaml.safe_load(written) == {"title": value}
    problems = Problems()
    fields = parse_mapping(written, "x.md", 1, problems, "front matter")
    if control_character(value):  # written exactly, and then refused as a title
        assert fields is None
        assert [str(p) for p in problems.items] == [
            f"x.md:1: front matter has a value holding the control character "
            f"{control_character(value)}; type the value again without it"]
    else:
        assert fields is not None and fields["title"].value == value

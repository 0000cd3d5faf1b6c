"""Front matter as journalists write it: Vietnamese dates, bylines with commas, their words
for the keys, and the YAML mistakes headlines invite, each answered with the line to write."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import html, newsgen, text, write
from test_build_features import article, build

REL = "content/the-gioi/bai.md"


def page_time(out: Path, slug: str) -> str:
    return html(out / "the-gioi" / slug / "index.html").find("article").find("time")["datetime"]


@pytest.mark.parametrize(("written", "iso"), [
    ("25/11/2026", "2026-11-25T00:00:00+07:00"),
    ("25/11/2026 06:00", "2026-11-25T06:00:00+07:00"),
    ("25/11/2026 6h00", "2026-11-25T06:00:00+07:00"),
    ("06:00 25/11/2026", "2026-11-25T06:00:00+07:00"),
    ("6h30 ngày 5/1/2026", "2026-01-05T06:30:00+07:00"),
])
def test_a_vietnamese_site_reads_dates_day_first(minimal: Path, written: str, iso: str) -> None:
    article(minimal, "bai", "Bài viết", written)
    out = build(minimal, "--now", "2026-12-01T00:00:00+07:00")
    assert page_time(out, "bai-viet") == iso


def failing(site: Path, *args: str) -> list[str]:
    run = newsgen("build", "-s", site, "--now", "2026-12-01T00:00:00+07:00", *args)
    assert run.code == 1, run.err
    assert "Traceback" not in run.err
    return run.err.splitlines()[:-1]


def test_an_english_site_is_told_the_iso_form_of_a_day_first_date(minimal: Path) -> None:
    config = minimal / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "language: en\n", encoding="utf-8")
    article(minimal, "bai", "Story", "25/11/2026 6h00")
    article(minimal, "hai", "Other story", "11/05/2026")
    assert failing(minimal) == [
        f"{REL}:3: date '25/11/2026 6h00' is not a date newsgen reads; write it as "
        "2026-11-25T06:00:00+07:00",
        "content/the-gioi/hai.md:3: date '11/05/2026' is not a date newsgen reads; write it "
        "as 2026-05-11 if 11 is the day, or 2026-11-05 if it is the month"]


def test_a_day_that_is_not_in_the_calendar_is_named(minimal: Path) -> None:
    article(minimal, "bai", "Bài viết", "31/02/2026 06:00")
    article(minimal, "hai", "Bài hai", "25/11/26")
    assert failing(minimal) == [
        f"{REL}:3: date '31/02/2026 06:00': 2/2026 has no day 31; check the date",
        "content/the-gioi/hai.md:3: date '25/11/26' is not a date newsgen reads; write it as "
        "2026-11-25"]


def test_a_byline_with_commas_is_several_authors(minimal: Path) -> None:
    article(minimal, "bai", "Bài viết", "2026-11-25", extra="authors: Minh Quân, Thanh Hà\n")
    out = build(minimal)
    byline = html(out / "the-gioi" / "bai-viet" / "index.html").find(class_="article-authors")
    assert [(text(a), a["href"]) for a in byline.find_all("a")] == [
        ("Minh Quân", "/authors/minh-quan/"), ("Thanh Hà", "/authors/thanh-ha/")]
    assert (out / "authors" / "minh-quan" / "index.html").is_file()
    assert not (out / "authors" / "minh-quan-thanh-ha").exists()


@pytest.mark.parametrize(("key", "meant"), [
    ("sapo", "lead"), ("Tóm tắt", "lead"), ("tác giả", "authors"), ("author", "authors"),
    ("ảnh", "image"), ("chuyên mục", "section"), ("category", "section"), ("tag", "tags"),
    ("autors", "authors"),
])
def test_a_newsroom_word_for_a_key_gets_the_key_newsgen_reads(minimal: Path, key: str,
                                                              meant: str) -> None:
    article(minimal, "bai", "Bài viết", "2026-11-25", extra=f"{key}: Minh Quân\n")
    run = newsgen("build", "-s", minimal, "--strict")
    assert run.code == 1
    assert run.err.splitlines()[0] == \
        f"{REL}:5: unknown key '{key}'; did you mean '{meant}'?"


HEAD = "---\n{line}\ndate: 2026-11-25\nsection: the-gioi\n---\nNội dung.\n"


@pytest.mark.parametrize(("line", "message"), [
    ('title: "Ông A: "Tôi không biết""',
     "front matter is not valid YAML: did not find expected key; the double quotes inside "
     "the text end it early; write it as: title: 'Ông A: \"Tôi không biết\"' (or use “ ” "
     "inside: title: \"Ông A: “Tôi không biết”\")"),
    ('title: "Tôi không biết" - ông A nói',
     "front matter is not valid YAML: block sequence entries are not allowed in this "
     "context; the text goes on after its closing quote; write it as: "
     "title: '\"Tôi không biết\" - ông A nói'"),
    ("title: #MeToo lan rộng",
     "the text after 'title:' starts with '#', which YAML reads as a comment, so title is "
     "empty; write it as: title: \"#MeToo lan rộng\""),
    ("title: Ông A: tôi không biết",
     "front matter is not valid YAML: mapping values are not allowed in this context; text "
     "with ': ' in it must be quoted; write it as: title: \"Ông A: tôi không biết\""),
    ('title:"Giá vàng tăng"',
     "front matter is not valid YAML: mapping values are not allowed in this context; put a "
     "space after "
     "'title:'; write it as: title: \"Giá vàng tăng\""),
])
def test_a_yaml_mistake_is_answered_with_the_line_to_write(minimal: Path, line: str,
                                                            message: str) -> None:
    write(minimal / REL, HEAD.format(line=line))
    assert failing(minimal) == [f"{REL}:2: {message}"]


def test_the_line_the_message_gives_builds(minimal: Path) -> None:
    """The rewritten lines are not only advice: pasted in, they give the headline meant."""
    for line, title in (("title: 'Ông A: \"Tôi không biết\"'", 'Ông A: "Tôi không biết"'),
                        ('title: "Ông A: “Tôi không biết”"', "Ông A: “Tôi không biết”"),
                        ("title: '\"Tôi không biết\" - ông A nói'", '"Tôi không biết" - ông A nói'),
                        ('title: "#MeToo lan rộng"', "#MeToo lan rộng")):
        write(minimal / REL, HEAD.format(line=line) .replace("---\n", "---\nslug: bai\n", 1))
        out = build(minimal)
        assert text(html(out / "the-gioi" / "bai" / "index.html").find("h1")) == title


def test_a_comment_in_site_yaml_is_still_a_comment(minimal: Path) -> None:
    config = minimal / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "tagline: # later\n",
                      encoding="utf-8")
    article(minimal, "bai", "Bài viết", "2026-11-25")
    build(minimal)


def test_a_comment_in_a_list_of_links_is_not_a_lost_title(minimal: Path) -> None:
    article(minimal, "bai", "Bài viết", "2026-11-25",
            extra="related:\n  - title: #MeToo ở Hàn Quốc\n    url: https://example.org/a\n")
    assert failing(minimal) == [
        f"{REL}:6: the text after 'title:' starts with '#', which YAML reads as a comment, "
        "so title is empty; write it as: title: \"#MeToo ở Hàn Quốc\""]

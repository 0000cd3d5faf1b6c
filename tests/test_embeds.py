"""Videos and posts in a body: a link alone on a line becomes a facade, not an iframe.

Built through the command line, read back from the HTML a reader gets. What
happens on the reader's click is in tests/browser/test_embeds.py.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from tests.conftest import html, newsgen, text, write

ARTICLE = "content/kinh-te/dong-tien-on-dinh.md"
PAGE = "public/kinh-te/dong-tien-on-dinh/index.html"
HEAD = """---
title: "Đồng tiền ổn định trong quý I"
date: 2022-01-04T08:00:00+07:00
section: kinh-te
slug: dong-tien-on-dinh
lead: "Tỷ giá giữ ổn định nhờ dòng vốn đầu tư nước ngoài."
---
"""


def body(site: Path, text_: str) -> None:
    write(site / ARTICLE, HEAD + text_)


def build(site: Path) -> tuple[object, object]:
    run = newsgen("build", cwd=site)
    assert run.code == 0, run.err
    return run, html(site / PAGE)


@pytest.mark.parametrize(("written", "provider", "frame"), [
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "YouTube",
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ("<https://youtu.be/dQw4w9WgXcQ>", "YouTube",
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ("[Xem clip](https://youtube.com/shorts/dQw4w9WgXcQ)", "YouTube",
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ("https://x.com/baothu/status/1234567890123456789", "X",
     "https://platform.twitter.com/embed/Tweet.html?id=1234567890123456789&dnt=true"),
    ("https://twitter.com/baothu/status/1234567890123456789", "X",
     "https://platform.twitter.com/embed/Tweet.html?id=1234567890123456789&dnt=true"),
    ("https://www.tiktok.com/@baothu/video/7234567890123456789", "TikTok",
     "https://www.tiktok.com/embed/v2/7234567890123456789"),
])
def test_a_link_alone_on_a_line_becomes_a_facade(minimal: Path, written: str, provider: str,
                                                 frame: str) -> None:
    body(minimal, f"Đoạn mở đầu.\n\n{written}\n\nĐoạn cuối.\n")
    _, page = build(minimal)
    box = page.select_one(".article-body figure.embed")
    assert box is not None
    assert box["data-embed-src"] == frame
    assert box["data-embed-sandbox"].split() == ["allow-scripts", "allow-same-origin",
                                                 "allow-popups", "allow-presentation"]
    assert box["data-embed-referrer"] == "strict-origin-when-cross-origin"
    assert text(box.select_one(".embed-provider")) == provider
    link = box.select_one(".embed-link a")
    assert urlsplit(link["href"]).netloc.removeprefix("www.") in (
        "youtube.com", "youtu.be", "x.com", "twitter.com", "tiktok.com")
    assert box.select_one("button.embed-load").has_attr("hidden")  # until the script runs
    assert provider in text(box.select_one("figcaption"))
    assert page.find("iframe") is None  # nothing from the provider before a click
    assert [s["src"].split("?")[0] for s in page.select("script[src]")
            if "embeds" in s["src"]] == ["/js/embeds.js"]
    paragraphs = [text(p) for p in page.select(".article-body > p")]
    assert paragraphs == ["Đoạn mở đầu.", "Đoạn cuối."]  # the others are kept around it


def test_facebook_and_maps_players_are_made_from_the_link(minimal: Path) -> None:
    post = "https://www.facebook.com/baothu/posts/pfbid0abc123"
    video = "https://www.facebook.com/baothu/videos/1234567890123"
    place = "https://www.google.com/maps/place/H%E1%BB%93+G%C6%B0%C6%A1m"
    body(minimal, f"{post}\n\n{video}\n\n{place}\n")
    _, page = build(minimal)
    frames = [box["data-embed-src"] for box in page.select("figure.embed")]
    assert len(frames) == 3
    assert frames[0].startswith("https://www.facebook.com/plugins/post.php?")
    assert parse_qs(urlsplit(frames[0]).query)["href"] == [
        "https://www.facebook.com/baothu/posts/pfbid0abc123"]
    assert frames[1].startswith("https://www.facebook.com/plugins/video.php?")
    assert urlsplit(frames[2]).netloc == "maps.google.com"
    assert parse_qs(urlsplit(frames[2]).query) == {"output": ["embed"], "q": ["Hồ Gươm"]}


def test_an_unknown_site_stays_a_link_and_nothing_is_loaded(minimal: Path) -> None:
    body(minimal, "https://vnexpress.net/bai-viet-123.html\n\n"
                  "[Báo cáo](https://example.org/bao-cao.pdf)\n")
    _, page = build(minimal)
    assert page.select("figure.embed") == []
    assert [a["href"] for a in page.select(".article-body a")] == [
        "https://vnexpress.net/bai-viet-123.html", "https://example.org/bao-cao.pdf"]
    assert not [s for s in page.select("script[src]") if "embeds" in s["src"]]


def test_a_link_inside_a_sentence_is_not_an_embed(minimal: Path) -> None:
    body(minimal, "Xem video https://www.youtube.com/watch?v=dQw4w9WgXcQ trên YouTube.\n\n"
                  "Hai link: <https://youtu.be/dQw4w9WgXcQ> và <https://youtu.be/dQw4w9WgXcQ>\n")
    _, page = build(minimal)
    assert page.select("figure.embed") == []


def test_a_malformed_embed_is_a_warning_on_its_line_and_stays_a_link(minimal: Path) -> None:
    body(minimal, "Mở đầu.\n\nhttps://www.youtube.com/watch?v=ngan\n\n"
                  "https://x.com/baothu\n")
    run, page = build(minimal)
    lines = [line for line in run.err.splitlines() if "shown as a plain link" in line]
    assert len(lines) == 2, run.err
    assert lines[0].startswith(f"{ARTICLE}:10: warning: ")
    assert "names its video" in lines[0]
    assert lines[1].startswith(f"{ARTICLE}:12: warning: ")
    assert page.select("figure.embed") == []
    assert [a["href"] for a in page.select(".article-body a")] == [
        "https://www.youtube.com/watch?v=ngan", "https://x.com/baothu"]


def test_an_iframe_written_in_the_body_is_a_warning(minimal: Path) -> None:
    body(minimal, 'Mở đầu.\n\n<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ">'
                  "</iframe>\n")
    run, page = build(minimal)
    assert f"{ARTICLE}:10: warning: an <iframe> is shown to readers as text" in run.err
    assert page.find("iframe") is None
    strict = newsgen("check", "--strict", cwd=minimal)
    assert strict.code != 0
    assert "<iframe>" in strict.err


def test_a_video_file_of_the_site_gets_the_browsers_player(minimal: Path) -> None:
    write(minimal / "static" / "media" / "phong-su.mp4", b"\x00\x00\x00\x18ftypmp42")
    body(minimal, "/media/phong-su.mp4\n\n/media/khong-co.mp3\n")
    run, page = build(minimal)
    video = page.select_one("figure.embed video")
    assert video is not None and video["src"] == "/media/phong-su.mp4"
    assert video.has_attr("controls") and video["preload"] == "none"
    assert (minimal / "public" / "media" / "phong-su.mp4").is_file()
    assert (f"{ARTICLE}:10: warning: '/media/khong-co.mp3' cannot be played: there is no "
            "static/media/khong-co.mp3") in run.err
    assert page.select("audio") == []


def test_english_sites_get_english_labels(minimal: Path) -> None:
    config = minimal / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "language: en\n", encoding="utf-8")
    body(minimal, "https://youtu.be/dQw4w9WgXcQ\n")
    _, page = build(minimal)
    box = page.select_one("figure.embed")
    assert text(box.select_one("button")) == "Play here"
    assert text(box.select_one("figcaption")) == (
        "Content from YouTube: loaded only when you press “Play here”.")

"""Breaking news: a banner on every page, up until the time the editor set."""

from __future__ import annotations

from pathlib import Path

from conftest import html, newsgen, text
from test_build_features import article

UNTIL = "2022-01-06T12:00:00+07:00"


def banner(page: Path) -> list[tuple[str, str]]:
    """(headline, link) of each story the page's breaking-news banner announces."""
    found = html(page).find("aside", attrs={"aria-label": "Tin nóng"})
    if found is None:
        return []
    assert text(found.find(class_="breaking-label")) == "Tin nóng"
    return [(text(a), a["href"]) for a in found.find_all("a")]


def build_at(site: Path, now: str) -> Path:
    run = newsgen("build", "-s", site, "--now", now)
    assert run.code == 0, run.err
    return site / "public"


def pages(out: Path) -> list[Path]:
    """Every page a reader reaches (redirect pages only send them on)."""
    return [p for p in sorted(out.rglob("*.html"))
            if 'http-equiv="refresh"' not in p.read_text(encoding="utf-8")]


def test_the_banner_is_on_every_page_until_its_end_time(minimal: Path) -> None:
    article(minimal, "bao", "Bão số 1 đổ bộ miền Trung", "2022-01-06T08:00:00+07:00",
            section="kinh-te", extra=f"breaking: {UNTIL}\n")
    out = build_at(minimal, "2022-01-06T10:00")
    story = ("Bão số 1 đổ bộ miền Trung", "/kinh-te/bao-so-1-do-bo-mien-trung/")
    shown = {p.relative_to(out).as_posix(): banner(p) for p in pages(out)}
    assert len(shown) > 5  # home, sections, articles, tags, the 404 page
    own = "kinh-te/bao-so-1-do-bo-mien-trung/index.html"
    assert shown.pop(own) == []  # the story's own page does not announce itself
    assert all(links == [story] for links in shown.values()), shown
    # Past its end time the banner comes down everywhere; the story stays.
    out = build_at(minimal, "2022-01-06T12:00")
    assert all(banner(p) == [] for p in pages(out))
    assert (out / own).is_file()


def test_several_stories_newest_first_and_only_published_ones(minimal: Path) -> None:
    article(minimal, "cu", "Động đất ở Nhật Bản", "2022-01-06T07:00:00+07:00",
            extra=f"breaking: {UNTIL}\n")
    article(minimal, "moi", "Cháy rừng ở Úc", "2022-01-06T09:00:00+07:00",
            extra=f"breaking: {UNTIL}\n")
    article(minimal, "nhap", "Tin chưa duyệt", "2022-01-06T09:30:00+07:00",
            extra=f"breaking: {UNTIL}\ndraft: true\n")
    article(minimal, "sap", "Tin hẹn giờ", "2022-01-06T11:00:00+07:00",
            extra=f"breaking: {UNTIL}\n")
    out = build_at(minimal, "2022-01-06T10:00")
    assert [title for title, _ in banner(out / "index.html")] == [
        "Cháy rừng ở Úc", "Động đất ở Nhật Bản"]
    # The scheduled story's banner goes up with the story, at the next build after it.
    out = build_at(minimal, "2022-01-06T11:30")
    assert [title for title, _ in banner(out / "index.html")] == [
        "Tin hẹn giờ", "Cháy rừng ở Úc", "Động đất ở Nhật Bản"]


def test_an_incremental_build_takes_the_banner_down_on_time(minimal: Path) -> None:
    article(minimal, "bao", "Bão số 1", "2022-01-06T08:00:00+07:00",
            extra=f"breaking: {UNTIL}\n")
    section = minimal / "public" / "kinh-te" / "index.html"
    assert banner(build_at(minimal, "2022-01-06T10:00") / "kinh-te" / "index.html")
    assert banner(build_at(minimal, "2022-01-06T11:59") / "kinh-te" / "index.html")
    build_at(minimal, "2022-01-06T12:01")
    assert banner(section) == []


def test_an_end_time_before_the_story_is_an_error_on_its_line(minimal: Path) -> None:
    article(minimal, "bao", "Bão số 1", "2022-01-06T08:00:00+07:00",
            extra="breaking: 2022-01-06T07:00:00+07:00\n")
    run = newsgen("build", "-s", minimal)
    assert run.code == 1
    assert "content/the-gioi/bao.md:5: breaking is not after date, so the banner would never " \
           "be shown" in run.err.splitlines()
    assert "Traceback" not in run.err

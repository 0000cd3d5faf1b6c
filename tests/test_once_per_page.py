"""A story is shown once on a page: the home page's blocks, related and older news."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from conftest import REPO, html, newsgen, text, write
from test_build_features import article, build


def stories(page: Path) -> list[str]:
    """The links of the story cards a page's main part shows, in order."""
    return [a["href"] for a in html(page).find("main").select("a.card-link")]


def block(page: Path, heading: str) -> list[str]:
    """The card links of the article page's block under `heading`."""
    title = html(page).find("h2", string=lambda s: s and heading in s)
    return [] if title is None else [a["href"] for a in
                                     title.find_parent("section").select("a.card-link")]


def test_no_page_of_the_example_site_shows_a_story_twice(tmp_path: Path) -> None:
    out = tmp_path / "public"
    run = newsgen("build", "-s", REPO, "-o", out, "--no-cache")
    assert run.code == 0, run.err
    walked = 0
    for page in sorted(out.rglob("*.html")):
        if html(page).find("main") is None:
            continue  # a redirect page
        walked += 1
        shown = stories(page)
        twice = {url: n for url, n in Counter(shown).items() if n > 1}
        assert not twice, f"{page.relative_to(out)} shows {twice}"
        own = "/" + page.relative_to(out).as_posix().removesuffix("index.html")
        assert own not in shown, f"{own} lists itself"
    assert walked > 30


def test_home_blocks_go_on_past_the_latest_list(minimal: Path) -> None:
    write(minimal / "site.yaml", (minimal / "site.yaml").read_text(encoding="utf-8")
          + "home_latest: 3\nhome_per_section: 2\n")
    for n in range(6):
        article(minimal, f"tg-{n}", f"Thế giới số {n}", f"2022-02-0{n + 1}T09:00:00+07:00",
                extra=f"slug: tg-{n}\n")
    doc = html(build(minimal) / "index.html")
    latest, *blocks = doc.find("main").find_all("section")
    assert [a["href"] for a in latest.select("a.card-link")] == [
        "/the-gioi/tg-5/", "/the-gioi/tg-4/", "/the-gioi/tg-3/"]
    by_section = {text(b.find("h2")): [a["href"] for a in b.select("a.card-link")]
                  for b in blocks}
    # Thế giới goes on where the latest list stopped; Kinh tế's one story is older.
    assert by_section["Thế giới"] == ["/the-gioi/tg-2/", "/the-gioi/tg-1/"]
    assert by_section["Kinh tế"] == ["/kinh-te/dong-tien-on-dinh/"]
    # Each block ends with the way to the rest of its section, named for a screen reader.
    more = [(b.find(class_="block-more").a["href"], text(b.find(class_="block-more")))
            for b in blocks]
    assert more == [("/the-gioi/", "Xem thêm Thế giới"), ("/kinh-te/", "Xem thêm Kinh tế")]


def section_of_five(site: Path, extra: str = "") -> Path:
    """Five stories of one section with one tag; the newest's lists are the test."""
    for n in range(4):
        article(site, f"cu-{n}", f"Tin cũ {n}", f"2022-02-2{n}T09:00:00+07:00",
                section="kinh-te", extra=f"slug: cu-{n}\ntags: [Giá lúa]\n")
    return article(site, "moi", "Tin mới", "2022-02-28T09:00:00+07:00", section="kinh-te",
                   extra=f"slug: moi\ntags: [Giá lúa]\n{extra}")


def test_older_news_leaves_out_the_related_stories_and_fills_up(minimal: Path) -> None:
    write(minimal / "site.yaml", (minimal / "site.yaml").read_text(encoding="utf-8")
          + "related_count: 2\nolder_news: 3\n")
    section_of_five(minimal)
    page = build(minimal) / "kinh-te" / "moi" / "index.html"
    related, older = block(page, "Tin liên quan"), block(page, "Tin cũ hơn")
    assert len(related) == 2 and len(older) == 3
    assert not set(related) & set(older)
    # Older news is still the newest earlier stories, once the related ones are out.
    everything = ["/kinh-te/cu-3/", "/kinh-te/cu-2/", "/kinh-te/cu-1/", "/kinh-te/cu-0/",
                  "/kinh-te/dong-tien-on-dinh/"]
    assert older == [url for url in everything if url not in related][:3]


def test_an_editors_older_list_wins_over_the_related_search(minimal: Path) -> None:
    write(minimal / "site.yaml", (minimal / "site.yaml").read_text(encoding="utf-8")
          + "related_count: 3\n")
    section_of_five(minimal, "older: [cu-3, cu-2]\n")
    page = build(minimal) / "kinh-te" / "moi" / "index.html"
    assert block(page, "Tin cũ hơn") == ["/kinh-te/cu-3/", "/kinh-te/cu-2/"]
    related = block(page, "Tin liên quan")
    assert related and "/kinh-te/cu-3/" not in related and "/kinh-te/cu-2/" not in related


def test_a_story_in_both_of_the_editors_lists_is_shown_once_with_a_warning(
        minimal: Path) -> None:
    path = section_of_five(minimal, "related: [cu-1]\nolder: [cu-3, cu-1]\n")
    run = newsgen("build", "-s", minimal)
    assert run.code == 0, run.err
    line = path.read_text(encoding="utf-8").splitlines().index("older: [cu-3, cu-1]") + 1
    assert (f"content/kinh-te/moi.md:{line}: warning: older lists 'cu-1', which related lists "
            "too; a story is shown once on a page, under related: remove it from one list"
            ) in run.err.splitlines()
    page = minimal / "public" / "kinh-te" / "moi" / "index.html"
    assert block(page, "Tin liên quan")[0] == "/kinh-te/cu-1/"
    assert block(page, "Tin cũ hơn") == ["/kinh-te/cu-3/"]
    # Builds that do not index again say it too: one that changes nothing, one that
    # changes a body only.
    assert newsgen("build", "-s", minimal, "--strict").code == 1
    other = minimal / "content" / "kinh-te" / "cu-0.md"
    other.write_text(other.read_text(encoding="utf-8") + "Thêm một câu.\n", encoding="utf-8")
    again = newsgen("build", "-s", minimal)
    assert again.code == 0 and "which related lists too" in again.err

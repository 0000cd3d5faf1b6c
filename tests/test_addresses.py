"""Published addresses stay: a headline edit does not move a page, and a page that does
move (slug edited, file renamed) keeps answering at its old address, on a fresh clone too."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import html, manifest, newsgen, text

ARTICLE = "content/the-gioi/hoi-nghi-ha-noi.md"
TITLE = 'title: "Hội nghị thượng đỉnh tại Hà Nội"'


def rule(site: Path, line: str | None) -> Path:
    """`minimal` with site.yaml's slugs: line replaced (None: taken out)."""
    config = site / "site.yaml"
    lines = [x for x in config.read_text(encoding="utf-8").splitlines()
             if not x.startswith("slugs:")]
    config.write_text("\n".join([*lines, *([line] if line else [])]) + "\n", encoding="utf-8")
    return site


def edit(site: Path, old: str, new: str, rel: str = ARTICLE) -> None:
    path = site / rel
    body = path.read_text(encoding="utf-8")
    assert old in body
    path.write_text(body.replace(old, new, 1), encoding="utf-8")


def built(site: Path) -> Path:
    run = newsgen("build", "-s", site)
    assert run.code == 0, run.err
    return site / "public"


def redirect_target(page: Path) -> str:
    """Where a redirect page sends the reader: its canonical link and its refresh agree."""
    doc = html(page)
    refresh = doc.find("meta", attrs={"http-equiv": "refresh"})["content"]
    target = doc.find("link", rel="canonical")["href"]
    assert refresh == f"0; url={urlsplit(target).path}", (refresh, target)
    return target


def git(site: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Tòa soạn", "-c", "user.email=ts@example.org",
                    *args], cwd=site, check=True, capture_output=True)


def test_a_headline_edit_keeps_the_address(minimal: Path) -> None:
    site = rule(minimal, "slugs: file")
    page = built(site) / "the-gioi" / "hoi-nghi-ha-noi" / "index.html"
    assert text(html(page).find("h1")) == "Hội nghị thượng đỉnh tại Hà Nội"
    edit(site, TITLE, 'title: "Hội nghị thượng đỉnh khai mạc tại Hà Nội"')
    out = built(site)
    assert text(html(page).find("h1")) == "Hội nghị thượng đỉnh khai mạc tại Hà Nội"
    assert not (out / "the-gioi" / "hoi-nghi-thuong-dinh-khai-mac-tai-ha-noi").exists()
    # addresses.txt holds the one address the article has had, for the next builds.
    assert f"{ARTICLE} /the-gioi/hoi-nghi-ha-noi/" in \
        (site / "addresses.txt").read_text(encoding="utf-8").splitlines()


def test_a_site_that_has_not_chosen_is_stopped_before_an_address_moves(minimal: Path) -> None:
    """A site made before file-name slugs published its pages at the headline's slug."""
    site = rule(minimal, "slugs: title")
    before = built(site)
    published = before / "the-gioi" / "hoi-nghi-thuong-dinh-tai-ha-noi" / "index.html"
    assert published.is_file()
    rule(site, None)
    run = newsgen("build", "-s", site)
    assert run.code == 1
    assert (f"{ARTICLE}:2: the address now comes from the file name ('hoi-nghi-ha-noi'), not "
            "the headline ('hoi-nghi-thuong-dinh-tai-ha-noi'); add the line "
            "slug: hoi-nghi-thuong-dinh-tai-ha-noi to keep the address") in run.err
    assert "Traceback" not in run.err and published.is_file()  # the last good output stays
    # The lines it names, added where it says, keep every page where it was.
    fixes = re.findall(r"^(content/\S+):(\d+): .* add the line (slug: \S+) to keep", run.err,
                       re.M)
    assert len(fixes) == 2  # the other article of the site whose file is named otherwise
    for rel, line, fix in fixes:
        lines = (site / rel).read_text(encoding="utf-8").splitlines(True)
        lines.insert(int(line), fix + "\n")
        (site / rel).write_text("".join(lines), encoding="utf-8")
    assert manifest(built(site)) == manifest(before)


def test_a_slug_edit_redirects_on_a_fresh_clone_without_a_cache(
        minimal: Path, tmp_path: Path) -> None:
    site = rule(minimal, "slugs: file")
    built(site)
    (site / ".gitignore").write_text("public/\n.newsgen-cache/\n", encoding="utf-8")
    git(site, "init", "-q")
    git(site, "add", "-A")
    git(site, "commit", "-qm", "Đăng bài")
    edit(site, TITLE, f"{TITLE}\nslug: hoi-nghi-thuong-dinh")
    git(site, "commit", "-qam", "Đổi slug")
    clone = tmp_path / "ci"
    subprocess.run(["git", "clone", "-q", str(site), str(clone)], check=True)
    out = built(clone)
    assert text(html(out / "the-gioi" / "hoi-nghi-thuong-dinh" / "index.html").find("h1")) \
        == "Hội nghị thượng đỉnh tại Hà Nội"
    old = out / "the-gioi" / "hoi-nghi-ha-noi" / "index.html"
    assert redirect_target(old) == "https://bao-thu.example/the-gioi/hoi-nghi-thuong-dinh/"
    lines = (clone / "addresses.txt").read_text(encoding="utf-8").splitlines()
    assert [x for x in lines if x.startswith(ARTICLE)] == [
        f"{ARTICLE} /the-gioi/hoi-nghi-ha-noi/", f"{ARTICLE} /the-gioi/hoi-nghi-thuong-dinh/"]


def test_a_renamed_file_is_stopped_with_the_aliases_line(minimal: Path) -> None:
    site = rule(minimal, "slugs: file")
    built(site)
    (site / ARTICLE).rename(site / "content" / "the-gioi" / "thuong-dinh.md")
    run = newsgen("build", "-s", site)
    assert run.code == 1
    line = next(n for n, x in enumerate((site / "addresses.txt").read_text(
        encoding="utf-8").splitlines(), 1) if x.startswith(ARTICLE))
    assert (f"addresses.txt:{line}: {ARTICLE} was published at /the-gioi/hoi-nghi-ha-noi/ "
            "and is gone: add the line aliases: [/the-gioi/hoi-nghi-ha-noi/] to the article "
            "that took its place") in run.err
    edit(site, TITLE, f"{TITLE}\naliases: [/the-gioi/hoi-nghi-ha-noi/]",
         "content/the-gioi/thuong-dinh.md")
    out = built(site)
    assert redirect_target(out / "the-gioi" / "hoi-nghi-ha-noi" / "index.html") == \
        "https://bao-thu.example/the-gioi/thuong-dinh/"
    # The alias now keeps the old address; the ledger lists the file that is there.
    ledger = (site / "addresses.txt").read_text(encoding="utf-8")
    assert ARTICLE not in ledger and "content/the-gioi/thuong-dinh.md /the-gioi/thuong-dinh/" \
        in ledger.splitlines()


def test_a_preview_of_drafts_records_no_address(minimal: Path) -> None:
    site = rule(minimal, "slugs: file")
    edit(site, TITLE, f"{TITLE}\ndraft: true")
    run = newsgen("build", "-s", site, "--drafts")
    assert run.code == 0, run.err
    assert not (site / "addresses.txt").exists()
    assert ARTICLE not in (built(site).parent / "addresses.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("line", ["content/a.md", "content/a.md the-gioi/a/",
                                  "content/a.md /the-gioi/../a/"])
def test_a_broken_ledger_line_is_named(minimal: Path, line: str) -> None:
    (minimal / "addresses.txt").write_text(f"# ghi chú\n{line}\n", encoding="utf-8")
    run = newsgen("build", "-s", minimal)
    assert run.code == 1 and f"addresses.txt:2: '{line}'" in run.err
    assert "Traceback" not in run.err


def test_a_story_taken_down_is_a_warning_until_its_line_goes(minimal: Path) -> None:
    site = rule(minimal, "slugs: file")
    built(site)
    (site / ARTICLE).unlink()
    run = newsgen("build", "-s", site)
    assert run.code == 0, run.err
    assert (f"{ARTICLE} was published at /the-gioi/hoi-nghi-ha-noi/ and is gone, so readers "
            "get the 404 page there: delete this line") in run.err
    assert not (site / "public" / "the-gioi" / "hoi-nghi-ha-noi").exists()
    ledger = site / "addresses.txt"
    ledger.write_text("".join(x for x in ledger.read_text(encoding="utf-8").splitlines(True)
                              if not x.startswith(ARTICLE)), encoding="utf-8")
    again = newsgen("build", "-s", site)
    assert again.code == 0 and "is gone" not in again.err


def test_a_reference_to_a_slug_that_moved_names_the_cause(minimal: Path) -> None:
    site = rule(minimal, "slugs: file")
    built(site)
    edit(site, TITLE, f"{TITLE}\nslug: hoi-nghi-thuong-dinh")
    # Written the day before, when the story still had its first slug.
    edit(site, "section: kinh-te\n", "section: kinh-te\nrelated: [hoi-nghi-ha-noi]\n",
         "content/kinh-te/dong-tien-on-dinh.md")
    run = newsgen("build", "-s", site)
    assert run.code == 1
    assert ("content/kinh-te/dong-tien-on-dinh.md:5: related article 'hoi-nghi-ha-noi' has a "
            f"new slug: {ARTICLE} is now 'hoi-nghi-thuong-dinh'; write hoi-nghi-thuong-dinh "
            "here") in run.err

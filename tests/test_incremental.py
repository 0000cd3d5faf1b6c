"""Incremental builds give exactly what a clean build gives, and touch nothing else.

The property test edits a small site at random, the way a newsroom does all
day (bodies, titles, dates, sections, tags, related picks, deleted and new
articles, templates, site.yaml, static files and pictures), and after every
edit compares the incremental build, made over the previous output with the
cache, with a clean build made from nothing. It also holds the incremental
build to its promise about the files it did not need to change: same bytes,
same file (inode and modification time), so rsync and caches see no change.
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, manifest, newsgen, write
from newsgen.build import BuildOptions, build
from newsgen.errors import NewsgenError

NOW = "2026-11-26T12:00:00+07:00"
SECTIONS = {"the-gioi": "Thế giới", "kinh-te": "Kinh tế", "the-thao": "Thể thao"}
TAGS = ["Hà Nội", "Đà Nẵng", "Ngoại giao", "Giá vàng", "Bóng đá", "Đối thoại 2+2"]
WORDS = ["đêm", "pháo", "hoa", "sông", "Hàn", "cầu", "Rồng", "khán", "giả", "doanh",
         "nghiệp", "thị", "trường", "đội", "tuyển"]
THEME = REPO / "templates"
EXAMPLES = int(os.environ.get("NEWSGEN_INCREMENTAL_EXAMPLES", "40"))


@dataclass
class Story:
    slug: str
    title: str
    section: str
    day: int  # minutes after the site's first story
    tags: list[str]
    related: list[str]
    body: str
    lead: str = ""
    picture: bool = False  # a picture beside the article, shown in its body


@dataclass
class Site:
    """The site as data; `save` writes only the files whose text changed, as an editor would."""

    root: Path
    rng: random.Random
    stories: dict[str, Story] = field(default_factory=dict)
    config: dict[str, object] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)  # site overrides of the theme
    statics: dict[str, str] = field(default_factory=dict)
    picture: str = "<svg xmlns='http://www.w3.org/2000/svg'><rect width='4' height='3'/></svg>"
    made: int = 0

    def new_story(self) -> Story:
        self.made += 1
        slug = f"bai-{self.made:03d}"
        story = Story(slug, self.sentence(4), self.rng.choice(list(SECTIONS)),
                      self.rng.randint(0, 60 * 24 * 20), self.rng.sample(TAGS, 2), [],
                      self.paragraphs(), self.sentence(8))
        self.stories[slug] = story
        return story

    def sentence(self, n: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(n)).capitalize()

    def paragraphs(self) -> str:
        return "\n\n".join(self.sentence(12) + "." for _ in range(self.rng.randint(1, 3)))

    def files(self) -> dict[str, str]:
        files: dict[str, str] = {"site.yaml": self.site_yaml()}
        for s in self.stories.values():
            day, minute = divmod(s.day, 60 * 24)
            related = "".join(f"  - {r}\n" for r in s.related if r in self.stories)
            body = s.body + ("\n\n![Bản đồ](ban-do.svg)\n" if s.picture else "\n")
            files[f"content/{s.section}/{s.slug}.md"] = (
                f'---\ntitle: "{s.title}"\nslug: {s.slug}\n'
                f"date: 2026-10-{1 + day:02d}T{minute // 60:02d}:{minute % 60:02d}:00+07:00\n"
                f"section: {s.section}\nlead: \"{s.lead}\"\n"
                f"tags: [{', '.join(s.tags)}]\nauthors: [Ngọc Hân]\n"
                f"image:\n  src: /images/anh.svg\n  alt: \"{s.title}\"\n"
                + (f"related:\n{related}" if related else "") + f"---\n{body}")
            if s.picture:
                files[f"content/{s.section}/ban-do.svg"] = self.picture
        files["static/images/anh.svg"] = self.picture
        files |= {f"templates/{name}": text for name, text in self.templates.items()}
        files |= {f"static/{name}": text for name, text in self.statics.items()}
        return files

    def site_yaml(self) -> str:
        c = self.config
        return (f'title: "{c["title"]}"\nbase_url: "https://bao.example/"\n'
                f"per_page: {c['per_page']}\nrelated_count: {c['related_count']}\n"
                f"older_news: {c['older_news']}\nhome_latest: 4\nhome_per_section: 2\n"
                "svg_pictures: true\n"  # the drawing beside an article, edited like the rest
                "sections:\n" + "".join(f'  - slug: {slug}\n    title: "{title}"\n'
                                        for slug, title in c["sections"].items()))

    def save(self) -> None:
        wanted = self.files()
        for folder in ("content", "templates", "static"):
            for path in sorted((self.root / folder).rglob("*")) if (self.root / folder).exists() \
                    else []:
                rel = path.relative_to(self.root).as_posix()
                if path.is_file() and rel not in wanted:
                    path.unlink()
        for rel, text in wanted.items():
            path = self.root / rel
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                write(path, text)


def start(root: Path, seed: int) -> Site:
    site = Site(root, random.Random(seed))
    site.config = {"title": "Báo Thử", "per_page": 3, "related_count": 2, "older_news": 3,
                   "sections": dict(SECTIONS)}
    for _ in range(9):
        site.new_story()
    first = next(iter(site.stories.values()))
    first.picture = True
    first.related = [s for s in site.stories if s != first.slug][:1]
    site.save()
    return site


# --- the edits: each changes the model, `save` then writes what changed ---

def edit_body(site: Site, story: Story) -> None:
    story.body += "\n\n" + site.sentence(10) + "."


def edit_title(site: Site, story: Story) -> None:
    story.title = site.sentence(5)


def edit_date(site: Site, story: Story) -> None:
    story.day = max(0, story.day + site.rng.randint(-60 * 24 * 5, 60 * 24 * 5))


def edit_section(site: Site, story: Story) -> None:
    story.section = site.rng.choice([s for s in SECTIONS if s != story.section])


def edit_tags(site: Site, story: Story) -> None:
    story.tags = site.rng.sample(TAGS, site.rng.randint(0, 3))


def edit_related(site: Site, story: Story) -> None:
    others = [s for s in site.stories if s != story.slug]
    story.related = site.rng.sample(others, min(len(others), site.rng.randint(0, 2)))


def delete(site: Site, story: Story) -> None:
    if len(site.stories) > 3:
        del site.stories[story.slug]
        for other in site.stories.values():
            other.related = [r for r in other.related if r != story.slug]


def add(site: Site, story: Story) -> None:
    site.new_story()


def edit_template(site: Site, story: Story) -> None:
    name = site.rng.choice(["article.html", "listing.html", "partials/card.html", "base.html"])
    if name in site.templates and site.rng.random() < 0.3:
        del site.templates[name]  # back to the theme's
        return
    original = (THEME / name).read_text(encoding="utf-8")
    site.templates[name] = original + f"\n{{# {site.sentence(3)} #}}\n"
    if name == "article.html":  # a visible change as well, on article pages only
        site.templates[name] = original.replace("</article>",
                                                f"<p>{site.sentence(2)}</p></article>", 1)
        if site.rng.random() < 0.5:  # pages that show their tags' counts depend on them
            site.templates[name] = site.templates[name].replace(
                "{{ tag.name }}</a>", "{{ tag.name }} ({{ tag.count }})</a>", 1)


def edit_config(site: Site, story: Story) -> None:
    key = site.rng.choice(["title", "per_page", "related_count", "older_news", "sections"])
    if key == "title":
        site.config["title"] = site.sentence(2)
    elif key == "sections":
        sections = dict(site.config["sections"])  # type: ignore[call-overload]
        slug = site.rng.choice(list(sections))
        sections[slug] = site.sentence(2)
        site.config["sections"] = sections
    else:
        site.config[key] = site.rng.randint(0 if key != "per_page" else 2, 4)


def edit_static(site: Site, story: Story) -> None:
    if site.rng.random() < 0.5:
        site.statics[f"tep-{site.rng.randint(1, 3)}.txt"] = site.sentence(3)
    else:
        site.picture = site.picture.replace("/>", f"/><!-- {site.sentence(1)} -->", 1)


EDITS: dict[str, Callable[[Site, Story], None]] = {
    f.__name__: f for f in (edit_body, edit_title, edit_date, edit_section, edit_tags,
                            edit_related, delete, add, edit_template, edit_config, edit_static)}


def build_site(site: Path, output: Path, cache: bool = True) -> tuple[int, int] | None:
    """(pages rendered, files changed), or None if the build failed."""
    try:
        result = build(site, BuildOptions(now=NOW, output=output, cache=cache))
    except NewsgenError:
        return None
    return result.rendered, result.written


def files_of(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def check_step(site: Path, tmp: Path, what: str) -> None:
    public, clean = site / "public", tmp / "clean"
    before = manifest(public) if public.exists() else {}
    stamps = files_of(public) if public.exists() else {}
    incremental = build_site(site, public)
    shutil.rmtree(clean, ignore_errors=True)
    fresh = build_site(site, clean, cache=False)
    assert (incremental is None) == (fresh is None), what
    if fresh is None:
        assert (manifest(public) if public.exists() else {}) == before, what
        return
    after = manifest(public)
    assert after == manifest(clean), f"{what}: the incremental build differs from a clean one"
    now = files_of(public)
    touched = sorted(rel for rel in after if rel in before and before[rel] == after[rel]
                     and now[rel] != stamps[rel])
    assert touched == [], f"{what}: files with the same bytes were written again"
    # Building again with nothing changed renders nothing and leaves the folder alone.
    folder = public.stat().st_ino
    assert build_site(site, public) == (0, 0), f"{what}: a no-change build wrote something"
    assert public.stat().st_ino == folder and files_of(public) == now


STEPS = st.lists(st.tuples(st.sampled_from(sorted(EDITS)), st.integers(0, 2**31)),
                 min_size=1, max_size=6)


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.integers(0, 2**31), STEPS)
def test_incremental_builds_equal_clean_builds(tmp_path_factory: pytest.TempPathFactory,
                                               seed: int, steps: list[tuple[str, int]]) -> None:
    tmp = tmp_path_factory.mktemp("incremental")
    site = start(tmp / "site", seed)
    check_step(site.root, tmp, "first build")
    done: list[str] = []
    for name, pick in steps:
        story = site.stories[sorted(site.stories)[pick % len(site.stories)]]
        EDITS[name](site, story)
        site.save()
        done.append(f"{name}({story.slug})")
        check_step(site.root, tmp, " -> ".join(done))


# --- what an editor sees ---

@pytest.fixture
def site(tmp_path: Path) -> Site:
    site = start(tmp_path / "site", 7)
    assert newsgen("build", "-s", site.root, "--now", NOW).code == 0
    return site


def changed_files(site: Site, edit: Callable[[], None]) -> tuple[str, list[str]]:
    """The build's summary line and the output files it wrote anew."""
    public = site.root / "public"
    before = files_of(public)
    edit()
    site.save()
    run = newsgen("build", "-s", site.root, "--now", NOW)
    assert run.code == 0, run.err
    after = files_of(public)
    return run.out, sorted(rel for rel in after if before.get(rel) != after[rel])


def test_a_body_edit_rewrites_only_its_page(site: Site) -> None:
    story = site.stories["bai-004"]
    out, changed = changed_files(site, lambda: edit_body(site, story))
    assert changed == [f"{story.section}/bai-004/index.html"]
    assert out.endswith(": 1 rendered, 1 file changed\n")


def test_a_title_edit_rewrites_the_pages_that_show_the_title(site: Site) -> None:
    story = site.stories["bai-004"]
    _, changed = changed_files(site, lambda: edit_title(site, story))
    assert f"{story.section}/bai-004/index.html" in changed
    assert f"{story.section}/feed.xml" in changed
    # Every page that shows the article's card changed, and no other page did.
    shows = {rel for rel in changed if rel.endswith(".html")}
    for page in (site.root / "public").rglob("index.html"):
        rel = page.relative_to(site.root / "public").as_posix()
        assert (story.title in page.read_text(encoding="utf-8")) == (rel in shows), rel


def test_a_template_edit_rerenders_the_pages_that_use_it(site: Site) -> None:
    def edit() -> None:
        site.templates["article.html"] = (THEME / "article.html").read_text(
            encoding="utf-8").replace("</article>", "<p>Bản in</p></article>", 1)
    out, changed = changed_files(site, edit)
    articles = len(site.stories)
    assert out.endswith(f": {articles} rendered, {articles} files changed\n")
    assert len(changed) == articles and all(rel.count("/") == 2 for rel in changed)


def test_publishing_an_article_renders_only_the_pages_that_change(site: Site) -> None:
    """A new article changes the count of its tags and author, which the theme's article
    pages do not show: the articles that merely share a tag are not rendered again."""
    out, changed = changed_files(site, lambda: add(site, next(iter(site.stories.values()))))
    pages = [rel for rel in changed if rel.endswith(".html")]
    assert out.endswith(f": {len(pages)} rendered, {len(changed)} files changed\n"), out


def test_a_page_that_shows_a_count_follows_it(site: Site) -> None:
    """With a theme that shows each tag's count on article pages, those pages change,
    even where nothing else on them does (no automatic related lists, another section)."""
    site.templates["article.html"] = (THEME / "article.html").read_text(
        encoding="utf-8").replace("{{ tag.name }}</a>", "{{ tag.name }} ({{ tag.count }})</a>")
    site.config["related_count"] = 0
    site.save()
    assert newsgen("build", "-s", site.root, "--now", NOW).code == 0
    _, changed = changed_files(site, lambda: add(site, next(iter(site.stories.values()))))
    new = site.stories[f"bai-{site.made:03d}"]
    elsewhere = [s for s in site.stories.values()
                 if s.section != new.section and set(s.tags) & set(new.tags)]
    assert elsewhere
    for story in elsewhere:
        assert f"{story.section}/{story.slug}/index.html" in changed, story.slug


def test_one_changed_page_is_renamed_into_the_live_folder(site: Site, tmp_path: Path) -> None:
    """A single page to change goes straight into public/, written beside it first: the
    folder stays the same folder, and nothing is left beside it."""
    public = site.root / "public"
    write(site.root / ".public.new", "left by a build that was killed")
    folder = public.stat().st_ino
    story = site.stories["bai-004"]
    out, changed = changed_files(site, lambda: edit_body(site, story))
    assert changed == [f"{story.section}/bai-004/index.html"]
    assert out.endswith(": 1 rendered, 1 file changed\n")
    assert public.stat().st_ino == folder
    assert sorted(p.name for p in site.root.iterdir() if p.name.startswith(".public")) == []
    assert manifest(public) == clean_build(site, tmp_path / "clean")


def test_a_file_added_by_hand_beside_the_changed_page_goes(site: Site, tmp_path: Path) -> None:
    """The rename takes only an output folder as the last build left it."""
    story = site.stories["bai-004"]
    extra = write(site.root / "public" / story.section / "bai-004" / "ghi-chu.txt", "tay")
    changed_files(site, lambda: edit_body(site, story))
    assert not extra.exists()
    assert manifest(site.root / "public") == clean_build(site, tmp_path / "clean")


def test_a_rebuild_with_nothing_changed_leaves_the_output_alone(site: Site) -> None:
    public = site.root / "public"
    folder, before = public.stat().st_ino, files_of(public)
    run = newsgen("build", "-s", site.root, "--now", NOW)
    assert run.code == 0 and run.out.endswith(": nothing changed\n")
    assert public.stat().st_ino == folder and files_of(public) == before


def test_a_file_changed_by_hand_in_the_output_is_made_again(site: Site) -> None:
    page = site.root / "public" / "index.html"
    expected = page.read_bytes()
    page.write_text("sửa tay", encoding="utf-8")
    assert newsgen("build", "-s", site.root, "--now", NOW).code == 0
    assert page.read_bytes() == expected


def test_no_cache_renders_everything_and_keeps_no_cache(site: Site) -> None:
    shutil.rmtree(site.root / ".newsgen-cache")
    run = newsgen("build", "-s", site.root, "--now", NOW, "--no-cache")
    assert run.code == 0 and f": {len(site.stories) + 0}" not in run.out
    assert "rendered" in run.out and not (site.root / ".newsgen-cache").exists()


CACHE = Path(".newsgen-cache") / "build.sqlite"


def clean_build(site: Site, tmp: Path) -> dict[str, str]:
    assert newsgen("build", "-s", site.root, "--now", NOW, "--no-cache", "-o", tmp).code == 0
    return manifest(tmp)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "other-version"])
def test_a_broken_cache_is_discarded_with_a_notice(site: Site, tmp_path: Path,
                                                    damage: str) -> None:
    import sqlite3
    path = site.root / CACHE
    if damage == "garbage":
        path.write_bytes(b"\x00 not a database \xff" * 100)
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:3000])
    else:
        with sqlite3.connect(path) as db:
            db.execute("UPDATE meta SET value = 'older' WHERE name = 'code'")
    edit_title(site, site.stories["bai-002"])
    site.save()
    run = newsgen("build", "-s", site.root, "--now", NOW)
    assert run.code == 0, run.err
    notice = run.err.strip()
    assert notice.startswith(".newsgen-cache/build.sqlite ") and "discarded" in notice
    assert len(run.err.splitlines()) == 1 and "Traceback" not in run.err
    assert manifest(site.root / "public") == clean_build(site, tmp_path / "clean")
    again = newsgen("build", "-s", site.root, "--now", NOW)
    assert (again.code, again.err) == (0, "")


def test_a_library_upgrade_discards_the_cache(site: Site, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Installed library versions are looked up again only when their folder changed; when
    they did change, pages made by the old versions are not trusted."""
    from newsgen.engine import store
    options = BuildOptions(now=NOW)
    assert build(site.root, options).notices == []
    # The folder is as it was: the versions recorded with the cache are taken as they are.
    looked_up: list[str] = []
    real = store.library_versions
    monkeypatch.setattr(store, "library_versions", lambda: looked_up.append("x") or real())
    assert build(site.root, options).notices == [] and looked_up == []
    # A package was upgraded: its folder changed, and so did a version.
    stamp = store.library_stamp()
    monkeypatch.setattr(store, "library_stamp", lambda: stamp + "\nupgraded")
    monkeypatch.setattr(store, "library_versions",
                        lambda: real().replace("jinja2=", "jinja2=99.") or "")
    result = build(site.root, options)
    assert result.notices == [f"{CACHE.as_posix()} was made by another version of newsgen; "
                              "it was discarded and is being made again"]
    assert result.rendered == result.pages
    assert manifest(site.root / "public") == clean_build(site, tmp_path / "clean")


def test_a_damaged_entry_is_not_trusted(site: Site, tmp_path: Path) -> None:
    """One flipped byte in a stored article: it is parsed again, and the build says so."""
    import sqlite3
    with sqlite3.connect(site.root / CACHE) as db:
        rel, data = db.execute("SELECT rel, head FROM parsed ORDER BY rel LIMIT 1").fetchone()
        flipped = data[:-5] + bytes([data[-5] ^ 1]) + data[-4:]
        db.execute("UPDATE parsed SET head = ? WHERE rel = ?", (flipped, rel))
    # Another article's tags change, so the index runs over every article again.
    other = next(s for s in site.stories.values() if not rel.endswith(f"/{s.slug}.md"))
    edit_tags(site, other)
    site.save()
    run = newsgen("build", "-s", site.root, "--now", NOW)
    assert run.code == 0, run.err
    assert run.err == (".newsgen-cache/build.sqlite had a damaged entry (a parsed article: "
                       "checksum mismatch); it was made again\n")
    assert manifest(site.root / "public") == clean_build(site, tmp_path / "clean")


def test_a_stored_value_cannot_name_code_to_run(site: Site) -> None:
    """A cache entry is unpickled with only newsgen's model classes allowed."""
    import hashlib
    import pickle

    from newsgen.engine.store import unpack

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, ("touch pwned",))

    payload = pickle.dumps(Evil())
    blob = hashlib.blake2b(payload, digest_size=8).digest() + payload
    with pytest.raises(ValueError, match="not allowed"):
        unpack(blob)
    assert not Path("pwned").exists()

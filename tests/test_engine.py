"""A rebuild remakes exactly the output files whose inputs changed, and gives a clean build.

Every output file is made from inputs: source files, site.yaml settings, build
options and the build clock. A rebuild over the previous output must leave
the same bytes a clean build leaves, and must remake exactly the files whose
inputs differ from those of the build that last filled that output folder:
anything less serves stale pages, anything more rewrites files that rsync and
CDN caches then send again. The property test holds every step of a random
newsroom day to that rule, with the settings, options and clock moves that a
cached build has to notice as well as file edits: a changed time zone, a
section removed or renamed, a scheduled article coming due, one expiring, a
switch of output folder.

The files of the site are dated as an editor leaves them: saved some time
before the build (so a build may trust a file whose size, time and inode it
has seen), or just before it.
"""

from __future__ import annotations

import os
import re
import shutil
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import html, manifest, newsgen, text
from newsgen.build import BuildOptions, BuildResult, build
from newsgen.errors import NewsgenError
from test_incremental import EDITS, NOW, SECTIONS, Site, Story, edit_body, files_of, start

EXAMPLES = int(os.environ.get("NEWSGEN_INCREMENTAL_EXAMPLES", "25"))
OFFSET = timezone(timedelta(hours=7))  # the offset the stories of test_incremental carry
FIRST = datetime(2026, 10, 1, tzinfo=OFFSET)  # Story.day counts minutes from here
CLOCK = int((datetime.fromisoformat(NOW) - FIRST).total_seconds()) // 60
HOUR, DAY = 60, 60 * 24
ZONES = [None, "Asia/Ho_Chi_Minh", "UTC", "Asia/Tokyo"]  # None: not in site.yaml
BASE_URLS = ["https://bao.example/", "https://bao.example/tin/", "https://tin.example/"]
PREVIEW = "https://preview.example/pr-7/"
NEW_SECTIONS = {"quoc-te": "Quốc tế", "tai-chinh": "Tài chính", "giai-tri": "Giải trí"}
TITLES = {**SECTIONS, **NEW_SECTIONS}
MARKER = ".newsgen-output"  # newsgen's mark on its output folder, not a page of the site


def stamp(minutes: int, offset: bool = True) -> str:
    """A front matter or --now time; without an offset it is read in the site's zone."""
    moment = (FIRST + timedelta(minutes=minutes)).isoformat()
    return moment if offset else moment.removesuffix("+07:00")


@dataclass
class EngineSite(Site):
    """test_incremental's site, with what the engine must also follow: the settings the
    stories do not carry, drafts, expiry, dates written without an offset, and the
    options and clock of the next build."""

    timezone: str | None = None
    base_url: str = BASE_URLS[0]
    drafts: set[str] = field(default_factory=set)
    expires: dict[str, int] = field(default_factory=dict)  # slug -> minutes, as Story.day
    naive: set[str] = field(default_factory=set)  # stories dated without an offset
    now: int = CLOCK
    naive_clock: bool = False  # --now without an offset: read in the site's zone
    future: bool = False
    with_drafts: bool = False
    strict: bool = False
    preview: bool = False  # --base-url
    outputs: tuple[Path, ...] = ()
    output: int = 0  # which of `outputs` the next build goes to
    saves: int = 0

    def files(self) -> dict[str, str]:
        files = super().files()
        for s in self.stories.values():
            rel = f"content/{s.section}/{s.slug}.md"
            head = files[rel].removeprefix("---\n")
            head = re.sub(r"^date: .*$", f"date: {stamp(s.day, s.slug not in self.naive)}",
                          head, count=1, flags=re.MULTILINE)
            for draft in self.drafts:  # a draft listed as related is an error: never listed
                head = head.replace(f"  - {draft}\n", "")
            head = head.replace("related:\n---\n", "---\n")
            extra = "draft: true\n" if s.slug in self.drafts else ""
            if s.slug in self.expires:
                extra += f"expires: {stamp(self.expires[s.slug])}\n"
            files[rel] = "---\n" + extra + head
        return files

    def site_yaml(self) -> str:
        yaml = super().site_yaml().replace(f'base_url: "{BASE_URLS[0]}"',
                                           f'base_url: "{self.base_url}"', 1)
        return yaml + (f"timezone: {self.timezone}\n" if self.timezone else "")

    def save(self, long_ago: bool = True) -> None:
        """Write what changed; `long_ago`: as if saved a while before the build, each save a
        second after the one before it."""
        wanted = self.files()
        changed = [rel for rel, body in wanted.items()
                   if not (self.root / rel).is_file()
                   or (self.root / rel).read_text(encoding="utf-8") != body]
        super().save()
        self.saves += 1
        if long_ago:
            moment = (int(time.time()) - 3600 + self.saves) * 10**9
            for rel in changed:
                os.utime(self.root / rel, ns=(moment, moment))

    def options(self, output: Path, cache: bool = True) -> BuildOptions:
        return BuildOptions(drafts=self.with_drafts, future=self.future,
                            now=stamp(self.now, not self.naive_clock), strict=self.strict,
                            output=output, base_url=PREVIEW if self.preview else None,
                            cache=cache)

    def args(self, *more: str) -> list[str | Path]:
        """The command line of a build of this site at its clock."""
        return ["build", "-s", self.root, "--now", stamp(self.now), *more]


def engine_site(root: Path, seed: int, naive: bool = False, timed: bool = False
                ) -> EngineSite:
    """test_incremental's starting site, saved long ago. `naive`: every story dated without
    an offset, in the site's zone, as editors usually write them. `timed`: one story due
    within two days, one expiring within two days and one draft, so that moving the clock
    or an option changes the site at once."""
    base = start(root, seed)
    site = EngineSite(**{f.name: getattr(base, f.name) for f in fields(Site)})
    site.outputs = (root / "public", root.parent / "www")
    if naive:
        site.naive = set(site.stories)
    if timed:  # stories that start() lists nowhere as related
        site.stories["bai-008"].day = site.now + site.rng.randint(HOUR, 2 * DAY)
        site.expires["bai-007"] = site.now + site.rng.randint(HOUR, 2 * DAY)
        site.drafts = {"bai-009"}
        site.future = site.rng.random() < 0.5
    site.save()
    for path in root.rglob("*"):  # the files start() wrote, as old as the first save
        if path.is_file():
            os.utime(path, ns=((int(time.time()) - 3600) * 10**9,) * 2)
    return site


# --- the steps the engine must follow besides test_incremental's EDITS ---

def edit_timezone(site: EngineSite, story: Story) -> None:
    site.timezone = site.rng.choice([z for z in ZONES if z != site.timezone])


def write_offset(site: EngineSite, story: Story) -> None:
    """A date with or without its offset: without, the site's zone says when it is."""
    site.naive ^= {story.slug}


def add_section(site: EngineSite, story: Story) -> None:
    """A new section; one that stories already name first, which mends their build."""
    sections = dict(site.config["sections"])  # type: ignore[call-overload]
    wanted = sorted({s.section for s in site.stories.values()} - set(sections))
    pool = wanted or [slug for slug in TITLES if slug not in sections]
    if pool:
        slug = site.rng.choice(pool)
        sections[slug] = TITLES.get(slug, site.sentence(2))
        site.config["sections"] = sections


def remove_section(site: EngineSite, story: Story) -> None:
    """The story's section leaves site.yaml, the story staying in it: the build fails."""
    sections = dict(site.config["sections"])  # type: ignore[call-overload]
    if len(sections) > 1:
        del sections[story.section if story.section in sections
                     else site.rng.choice(list(sections))]
        site.config["sections"] = sections


def rename_section(site: EngineSite, story: Story) -> None:
    """A section gets a new slug, in its place in the menu, and its stories move to it."""
    sections: dict[str, str] = dict(site.config["sections"])  # type: ignore[call-overload]
    used = {s.section for s in site.stories.values()}
    pool = [slug for slug in TITLES if slug not in sections and slug not in used]
    old = story.section
    if old not in sections or not pool:
        return
    new = site.rng.choice(pool)
    site.config["sections"] = {new if slug == old else slug: title
                               for slug, title in sections.items()}
    for s in site.stories.values():
        if s.section == old:
            s.section = new


def edit_counts(site: EngineSite, story: Story) -> None:
    key = site.rng.choice(["older_news", "related_count"])
    site.config[key] = site.rng.choice([n for n in range(5) if n != site.config[key]])


def edit_base_url(site: EngineSite, story: Story) -> None:
    site.base_url = site.rng.choice([url for url in BASE_URLS if url != site.base_url])


def schedule(site: EngineSite, story: Story) -> None:
    """Dated around the clock: due soon (held back without --future), or just out and in
    the news sitemap for two days."""
    story.day = site.now + site.rng.randint(-3 * DAY, 3 * DAY)
    if site.expires.get(story.slug, story.day + 1) <= story.day:
        del site.expires[story.slug]


def set_expires(site: EngineSite, story: Story) -> None:
    if story.slug in site.expires and site.rng.random() < 0.3:
        del site.expires[story.slug]
    else:
        site.expires[story.slug] = max(story.day, site.now) + site.rng.randint(10, 3 * DAY)


def toggle_draft(site: EngineSite, story: Story) -> None:
    site.drafts ^= {story.slug}


def _move_clock_past(site: EngineSite, moments: list[int]) -> None:
    ahead = [m for m in moments if m > site.now]
    site.now = (min(ahead) + site.rng.randint(0, 2 * HOUR) if ahead
                else site.now + site.rng.randint(HOUR, 3 * DAY))


def clock_past_schedule(site: EngineSite, story: Story) -> None:
    _move_clock_past(site, [s.day for s in site.stories.values()])


def clock_past_expiry(site: EngineSite, story: Story) -> None:
    _move_clock_past(site, list(site.expires.values()))


def clock_forward(site: EngineSite, story: Story) -> None:
    site.now += site.rng.randint(1, 3 * DAY)


def toggle_clock_offset(site: EngineSite, story: Story) -> None:
    site.naive_clock = not site.naive_clock


def toggle_drafts(site: EngineSite, story: Story) -> None:
    site.with_drafts = not site.with_drafts


def toggle_future(site: EngineSite, story: Story) -> None:
    site.future = not site.future


def toggle_strict(site: EngineSite, story: Story) -> None:
    site.strict = not site.strict


def toggle_preview(site: EngineSite, story: Story) -> None:
    site.preview = not site.preview


def switch_output(site: EngineSite, story: Story) -> None:
    site.output = 1 - site.output


STEPS: dict[str, Callable[[EngineSite, Story], None]] = {**EDITS, **{
    f.__name__: f for f in (
        edit_timezone, write_offset, add_section, remove_section, rename_section, edit_counts,
        edit_base_url, schedule, set_expires, toggle_draft, clock_past_schedule,
        clock_past_expiry, clock_forward, toggle_clock_offset, toggle_drafts, toggle_future,
        toggle_strict, toggle_preview, switch_output)}}


# --- the rule ---

def attempt(site: Path, options: BuildOptions) -> BuildResult | NewsgenError:
    try:
        return build(site, options)
    except NewsgenError as exc:
        return exc


def lines(exc: NewsgenError) -> list[str]:
    """The problems as an editor reads them."""
    return [str(problem) for problem in exc.problems]


def changed_inputs(new: BuildResult, old: BuildResult | None) -> tuple[str, ...]:
    """The output files whose inputs differ between two clean builds."""
    before = old.inputs if old is not None else {}
    return tuple(sorted(rel for rel, digest in new.inputs.items() if before.get(rel) != digest))


def outputs(result: BuildResult) -> set[str]:
    return set(result.inputs) - {MARKER}


def check_step(site: EngineSite, clean: Path, last: dict[Path, BuildResult], what: str
               ) -> None:
    """Build incrementally and clean, and hold the incremental build to the rule.

    `last` holds, for each output folder, the clean build of the state it holds.
    """
    out = site.outputs[site.output]
    before = manifest(out) if out.exists() else {}
    stamps = files_of(out) if out.exists() else {}
    incremental = attempt(site.root, site.options(out))
    shutil.rmtree(clean, ignore_errors=True)
    fresh = attempt(site.root, site.options(clean, cache=False))
    if isinstance(fresh, NewsgenError):
        assert isinstance(incremental, NewsgenError), f"{what}: built, but {lines(fresh)}"
        assert lines(incremental) == lines(fresh), what
        assert (manifest(out) if out.exists() else {}) == before, f"{what}: output changed"
        assert (files_of(out) if out.exists() else {}) == stamps, f"{what}: output touched"
        return
    assert not isinstance(incremental, NewsgenError), f"{what}: {lines(incremental)}"
    after = manifest(out)
    assert after == manifest(clean), f"{what}: the incremental build differs from a clean one"
    assert outputs(fresh) == outputs(incremental) == set(after) - {MARKER}, what
    expected = changed_inputs(fresh, last.get(out))
    assert incremental.remade == expected, (
        f"{what}: remade {sorted(set(incremental.remade) - set(expected))} without cause, "
        f"kept {sorted(set(expected) - set(incremental.remade))} whose inputs changed")
    now = files_of(out)
    rewritten = sorted(rel for rel in after if before.get(rel) == after[rel]
                       and now[rel] != stamps[rel])
    assert rewritten == [], f"{what}: files with the same bytes were written again"
    last[out] = fresh
    again = attempt(site.root, site.options(out))
    assert not isinstance(again, NewsgenError), what
    assert again.remade == (), f"{what}: a build with nothing changed remade {again.remade}"
    assert files_of(out) == now, f"{what}: a build with nothing changed touched the output"


PLAN = st.lists(st.tuples(st.sampled_from(sorted(STEPS)), st.integers(0, 2**31),
                          st.booleans()), min_size=1, max_size=8)


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.integers(0, 2**31), st.booleans(), PLAN)
def test_a_rebuild_remakes_what_a_clean_build_would_change(
        tmp_path_factory: pytest.TempPathFactory, seed: int, naive: bool,
        plan: list[tuple[str, int, bool]]) -> None:
    tmp = tmp_path_factory.mktemp("engine")
    site = engine_site(tmp / "site", seed, naive, timed=True)
    last: dict[Path, BuildResult] = {}
    check_step(site, tmp / "clean", last, "first build")
    done: list[str] = []
    for name, pick, long_ago in plan:
        story = site.stories[sorted(site.stories)[pick % len(site.stories)]]
        STEPS[name](site, story)
        site.save(long_ago)
        done.append(f"{name}({story.slug})")
        check_step(site, tmp / "clean", last, " -> ".join(done))


# --- known ways a cached build went wrong ---

@pytest.fixture
def site(tmp_path: Path) -> EngineSite:
    return engine_site(tmp_path / "site", 7)


@pytest.mark.parametrize("held_back", [False, True])
def test_a_removed_section_fails_the_cached_build_as_it_fails_a_clean_one(
        site: EngineSite, held_back: bool) -> None:
    """The articles parsed under the old site.yaml name a section it no longer has: the
    editor must get the same error lines, not an internal error, and keep the old site.
    So too when the section's one article is scheduled: not on the site yet, but the
    article is wrong all the same, and a clean build says so."""
    story = site.stories["bai-004"]
    if held_back:
        site.config["sections"] = {**site.config["sections"],  # type: ignore[dict-item]
                                   "quoc-te": NEW_SECTIONS["quoc-te"]}
        story.section, story.day = "quoc-te", site.now + 20 * HOUR
        site.save()
    first = newsgen(*site.args())
    assert first.code == 0, first.err
    assert ("scheduled for" in first.err) == held_back
    section = story.section
    site.config["sections"] = {slug: title for slug, title in site.config["sections"].items()
                               if slug != section}  # type: ignore[attr-defined]
    site.save()
    public = site.root / "public"
    before, stamps = manifest(public), files_of(public)
    cached = newsgen(*site.args())
    after = manifest(public), files_of(public)
    clean = newsgen(*site.args("--no-cache"))
    assert clean.code == 1
    left = sorted(s.slug for s in site.stories.values() if s.section == section)
    errors = [line for line in clean.err.splitlines() if ": section " in line]
    assert [line.split(".md:")[0] for line in errors] == [f"content/{section}/{slug}"
                                                          for slug in left]
    assert all(f"section '{section}' is not in site.yaml" in line for line in errors)
    assert cached.code == 1, cached.out + cached.err
    assert cached.err == clean.err
    assert after == (before, stamps)
    assert (manifest(public), files_of(public)) == (before, stamps)


def test_a_new_timezone_redates_every_page(tmp_path: Path) -> None:
    """Dates written without an offset are in the site's zone: a new `timezone:` moves
    them, and every page must show them at the time the editor wrote, in the new zone."""
    site = engine_site(tmp_path / "site", 7, naive=True)
    assert newsgen(*site.args()).code == 0
    site.timezone = "Asia/Tokyo"
    site.save()
    run = newsgen(*site.args())
    assert run.code == 0, run.err
    public = site.root / "public"
    shown: list[tuple[str, str, str]] = []
    wanted: list[tuple[str, str, str]] = []
    for story in site.stories.values():
        written = datetime.fromisoformat(stamp(story.day, offset=False))
        when = written.replace(tzinfo=ZoneInfo("Asia/Tokyo"))
        wanted.append((story.slug, when.isoformat(), f"{when:%d/%m/%Y %H:%M} (GMT+9)"))
        time_tag = html(public / story.section / story.slug / "index.html").find("time")
        assert time_tag is not None
        shown.append((story.slug, str(time_tag.get("datetime")), text(time_tag).split(", ", 1)[-1]))
    assert shown == wanted
    assert newsgen(*site.args("--no-cache", "-o", tmp_path / "clean")).code == 0
    assert manifest(public) == manifest(tmp_path / "clean")


def news_urls(path: Path) -> list[str]:
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    return [loc.text or "" for loc in ET.parse(path).getroot().findall("s:url/s:loc", ns)]


@pytest.mark.parametrize("future", [True, False])
def test_an_article_whose_date_passes_joins_the_news_sitemap(site: EngineSite, tmp_path: Path,
                                                            future: bool) -> None:
    """Google News must learn of an article once its time comes. With --future it was
    already on the site before then, but not in the news sitemap, which lists what has
    appeared; without, it was held back. Either way the clock alone brings it in."""
    story = site.stories["bai-004"]
    story.day = site.now + 21 * HOUR
    site.save()
    url = f"{site.base_url}{story.section}/{story.slug}/"
    page = site.root / "public" / story.section / story.slug / "index.html"
    extra = ["--future"] if future else []
    first = newsgen(*site.args(*extra))
    assert first.code == 0, first.err
    assert page.is_file() == future
    assert url not in news_urls(site.root / "public" / "news-sitemap.xml")
    site.now += 22 * HOUR
    run = newsgen(*site.args(*extra))
    assert run.code == 0, run.err
    assert page.is_file()
    assert url in news_urls(site.root / "public" / "news-sitemap.xml")
    clean = tmp_path / "clean"
    assert newsgen(*site.args(*extra, "--no-cache", "-o", clean)).code == 0
    assert (site.root / "public" / "news-sitemap.xml").read_text(encoding="utf-8") == \
        (clean / "news-sitemap.xml").read_text(encoding="utf-8")
    assert manifest(site.root / "public") == manifest(clean)


# --- what ran ---

def test_a_rebuild_with_nothing_changed_remakes_nothing(site: EngineSite) -> None:
    """A build with nothing to do is the one a newsroom runs most (every CI push, every
    cron tick): it must do nothing, and say so."""
    assert newsgen(*site.args()).code == 0
    public = site.root / "public"
    stamps = files_of(public)
    assert build(site.root, site.options(public)).remade == ()
    assert files_of(public) == stamps
    run = newsgen(*site.args())
    assert run.code == 0 and run.out.endswith(": nothing changed\n"), run.out
    assert files_of(public) == stamps


def test_a_body_edit_remakes_only_its_page(site: EngineSite) -> None:
    """A correction in the text of one article is the commonest edit: it must cost that
    page alone, not the lists and feeds that never show the body."""
    public = site.root / "public"
    assert build(site.root, site.options(public)).remade != ()
    story = site.stories["bai-004"]
    edit_body(site, story)
    site.save()
    stamps = files_of(public)
    page = f"{story.section}/{story.slug}/index.html"
    result = build(site.root, site.options(public))
    assert result.remade == (page,)
    added = story.body.rsplit("\n\n", 1)[1]
    assert added in text(html(public / page))
    now = files_of(public)
    assert sorted(rel for rel in now if now[rel] != stamps.get(rel)) == [page]

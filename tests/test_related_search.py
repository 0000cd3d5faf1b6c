"""The fast related search picks exactly what scoring every candidate picks.

`fill_related` stops visiting candidates once nothing farther in time can take
a place. These tests hold it to the plain definition, written out here: score
every article that shares a tag that pulls candidates in, or is among the
section neighbours, and take the best.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from newsgen.content.models import Article
from newsgen.content.related import (
    COMMON_TAG_SHARE,
    COMMON_TAG_SIZE,
    SECTION_NEIGHBOURS,
    _score,
    fill_related,
    rarity,
    update_related,
)
from newsgen.urls import slugify

START = datetime(2026, 1, 1, tzinfo=UTC)


def article(slug: str, section: str, minutes: int, tags: tuple[str, ...]) -> Article:
    return Article(source=f"content/{section}/{slug}.md", title=slug,
                   date=START + timedelta(minutes=minutes), section=section, slug=slug,
                   updated=None, lead="", authors=(), tags=tags, image=None, related=(),
                   older=None, draft=False, expires=None, breaking=None, aliases=(), body="",
                   body_line=1,
                   lines={})


def exhaustive(articles: list[Article], count: int, largest: int = COMMON_TAG_SIZE
               ) -> dict[str, tuple[Article, ...]]:
    """The definition, with every candidate scored (`largest`: the most articles a tag
    may have and still bring candidates in, beside its share of the site)."""
    total = len(articles)
    tags = {a.slug: frozenset(slugify(t) for t in a.tags) for a in articles}
    members: dict[str, list[Article]] = {}
    for a in articles:
        for t in tags[a.slug]:
            members.setdefault(t, []).append(a)
    idf = {t: rarity(len(m)) for t, m in members.items()}
    pulling = {t for t, m in members.items()
               if len(m) <= max(50, min(COMMON_TAG_SHARE * total, largest))}
    result = {}
    for a in articles:
        section = [b for b in articles if b.section == a.section]
        here = section.index(a)
        near = section[max(0, here - SECTION_NEIGHBOURS):here + SECTION_NEIGHBOURS + 1]
        candidates = {b.slug: b for t in tags[a.slug] & pulling for b in members[t]}
        candidates.update((b.slug, b) for b in near)
        candidates.pop(a.slug)
        own = (tags[a.slug], a.section, a.date.timestamp())
        ranked = sorted(candidates.values(), key=lambda b: (
            -_score(*own, tags[b.slug], b.section, b.date.timestamp(), idf), b.sort_key))
        result[a.slug] = tuple(ranked[:count])
    return result


def site(draws: list[tuple[int, int, list[int]]]) -> list[Article]:
    articles = [article(f"a{i}", f"s{section}", minutes, tuple(f"Chủ đề {t}" for t in tags))
                for i, (section, minutes, tags) in enumerate(draws)]
    return sorted(articles, key=lambda a: a.sort_key)


SITES = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 60 * 24 * 90),
                           st.lists(st.integers(0, 12), max_size=4)),
                 min_size=1, max_size=120)


@settings(max_examples=150, deadline=None)
@given(SITES, st.integers(1, 6))
def test_picks_are_those_of_scoring_every_candidate(draws, count):
    articles = site(draws)
    assert fill_related(articles, {}, count) == exhaustive(articles, count)


def test_a_large_site_with_common_and_rare_tags():
    """Past the 50-article floor, common tags stop pulling candidates in."""
    import random
    rng = random.Random(3)
    draws = [(i % 5, 37 * i + rng.randint(0, 30),
              sorted({int(rng.paretovariate(1.2)) % 40 for _ in range(3)})) for i in range(600)]
    articles = site(draws)
    assert fill_related(articles, {}, 4) == exhaustive(articles, 4)


def test_on_a_large_archive_big_tags_stop_pulling_candidates_in(monkeypatch):
    """Past COMMON_TAG_SIZE articles a tag pulls no candidates, whatever its share
    (made small here so that a test-sized site reaches it)."""
    import random

    import newsgen.content.related
    rng = random.Random(11)
    draws = [(i % 3, 41 * i + rng.randint(0, 30),
              sorted({int(rng.paretovariate(1.1)) % 12 for _ in range(3)})) for i in range(500)]
    articles = site(draws)
    monkeypatch.setattr(newsgen.content.related, "COMMON_TAG_SIZE", 60)
    capped = fill_related(articles, {}, 4)
    assert capped == exhaustive(articles, 4, largest=60)
    assert capped != exhaustive(articles, 4)  # the cap changed some lists


def test_the_editors_picks_come_first_and_are_not_repeated():
    articles = site([(0, 10 * i, [1]) for i in range(8)])
    pick = articles[5]
    related = fill_related(articles, {articles[0].slug: (pick,)}, 3)[articles[0].slug]
    assert related[0] is pick
    assert len(related) == 3 and pick not in related[1:]


def test_forked_search_picks_the_same(monkeypatch):
    """Split across processes, every list is as one process makes it, picks included."""
    import random

    import newsgen.content.related
    rng = random.Random(5)
    draws = [(i % 4, 23 * i + rng.randint(0, 40), sorted({rng.randint(0, 30) for _ in range(3)}))
             for i in range(300)]
    articles = site(draws)
    picks = {articles[7].slug: (articles[40],), articles[100].slug: (articles[3], articles[9])}
    alone = fill_related(articles, picks, 4)
    monkeypatch.setattr(newsgen.content.related, "PARALLEL_FROM", 10)
    forked = fill_related(articles, picks, 4, jobs=2)
    assert forked == alone
    assert forked[articles[7].slug][0] is articles[40]
    assert forked == {**exhaustive(articles, 4), **{slug: forked[slug] for slug in picks}}


EDITS = st.lists(st.tuples(st.sampled_from(["add", "remove", "retag", "redate", "move"]),
                           st.integers(0, 10_000), st.lists(st.integers(0, 12), max_size=4),
                           st.integers(0, 60 * 24 * 90)), min_size=1, max_size=5)


@settings(max_examples=150, deadline=None)
@given(SITES, EDITS, st.integers(1, 5))
def test_searching_again_only_where_a_change_reaches_gives_what_a_full_search_gives(
        draws, edits, count):
    """Publishing, unpublishing, retagging, redating or moving stories: the lists the
    next build keeps plus those it searches again are those of searching everything."""
    stories: list[tuple[int, int, list[int]] | None] = list(draws)  # a{i} is stories[i]

    def now() -> list[Article]:
        return sorted((article(f"a{i}", f"s{s[0]}", s[1], tuple(f"Chủ đề {t}" for t in s[2]))
                       for i, s in enumerate(stories) if s is not None),
                      key=lambda a: a.sort_key)

    _, state = update_related(None, now(), {}, count)
    for what, pick, tags, minutes in edits:
        i = pick % len(stories)
        if what == "add":
            stories.append((pick % 3, minutes, tags))
        elif stories[i] is not None and (what != "remove" or len(now()) > 1):
            section, old_minutes, old_tags = stories[i]  # type: ignore[misc]
            stories[i] = {"remove": None, "retag": (section, old_minutes, tags),
                          "redate": (section, minutes, old_tags),
                          "move": ((section + 1) % 3, old_minutes, old_tags)}[what]
        articles = now()
        found, state = update_related(state, articles, {}, count)
        assert found == fill_related(articles, {}, count)

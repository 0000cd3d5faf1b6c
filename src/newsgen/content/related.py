"""Automatic related articles: the editor's picks first, then the best neighbours.

A score per candidate, from three signals:
- shared tags, each weighted by its rarity: a tag on thousands of stories
  ("Thế giới") says little, a rare one ("Đối thoại 2+2") a lot. The weight
  comes from the order of magnitude of how many articles carry the tag (its
  power of two), not from its share of the site, so it moves only when a tag
  doubles or halves: publishing a story rescores the stories it can appear
  beside (those sharing a tag small enough to bring candidates in, and its
  neighbours in its section), never the whole archive, and gives exactly what
  a clean build gives;
- the same section, a small bonus;
- closeness in time, fading over about a month, in either direction, so a
  newer follow-up counts as much as an older background piece.
Only articles that share a tag or a section are candidates, so a list is never
filled with unrelated junk (the failure of naive "related" lists); ties go to
the newer article, then the slug, so the result is deterministic.
"""

from __future__ import annotations

import bisect
import heapq
import logging
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from newsgen.content.models import Article, Link
from newsgen.urls import slugify

log = logging.getLogger(__name__)

RARITY_SCALE = 1024.0  # a tag on this many articles weighs log(2); on one, log(1025)
SECTION_BONUS = 0.25
TIME_WEIGHT = 0.5
TIME_SCALE_DAYS = 30.0
SECTION_NEIGHBOURS = 20  # same-section candidates without a shared tag, nearest in time
COMMON_TAG_SHARE = 0.2  # tags on more than this share of articles do not pull candidates in
COMMON_TAG_SIZE = 2000  # nor tags on more articles than this: years of unrelated stories


def _score(tags_a: frozenset[str], section_a: str, time_a: float,
           tags_b: frozenset[str], section_b: str, time_b: float,
           idf: Mapping[str, float]) -> float:
    """The score from plain values: called millions of times on a large site."""
    days = abs(time_a - time_b) / 86400
    return (math.fsum(idf[t] for t in tags_a & tags_b)  # exact: the same in any set order
            + (SECTION_BONUS if section_a == section_b else 0.0)
            + TIME_WEIGHT * math.exp(-days / TIME_SCALE_DAYS))


def rarity(size: int) -> float:
    """The weight of a tag on `size` articles, by its power of two."""
    return math.log(1 + RARITY_SCALE / (1 << (size.bit_length() - 1))) if size else 0.0


def pulling_limit(total: int) -> float:
    """The most articles a tag may have and still bring candidates in.

    A tag shared by a fifth of the site says little; on a large archive, so
    does one shared by thousands of stories over years, and following it from
    every article would make the search grow with the square of the archive.
    Such tags still count in the score of a candidate found another way.
    """
    return max(50, min(COMMON_TAG_SHARE * total, COMMON_TAG_SIZE))


def fill_related(articles: Sequence[Article], picks: Mapping[str, tuple[Article | Link, ...]],
                 count: int, jobs: int = 1, only: Sequence[str] | None = None
                 ) -> dict[str, tuple[Article | Link, ...]]:
    """slug -> related items: the editor's picks, then the best-scoring others up to `count`,
    for every article, or for the slugs in `only`.

    On a large site the search runs in `jobs` forked processes, each taking a
    share of the articles; every list is the same whatever their number.
    """
    global _SEARCH
    by_slug = {a.slug: a for a in articles}
    _SEARCH = (_Scorer(articles), picks, count)
    try:
        slugs = [a.slug for a in articles] if only is None else list(only)
        import multiprocessing  # only large sites use processes
        forkable = "fork" in multiprocessing.get_all_start_methods()
        if jobs > 1 and len(slugs) >= PARALLEL_FROM and forkable:
            share = -(-len(slugs) // (jobs * 4))  # a few shares each, to even out
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                found = [best for part in pool.map(
                    _search, [slugs[i:i + share] for i in range(0, len(slugs), share)])
                    for best in part]
        else:
            found = _search(slugs)
    finally:
        _SEARCH = None
    return {slug: (*picks.get(slug, ()), *(by_slug[s] for s in best))
            for slug, best in zip(slugs, found, strict=True)}


PARALLEL_FROM = 2000  # below this many articles, starting processes costs more than it saves
_SEARCH: tuple[_Scorer, Mapping[str, tuple[Article | Link, ...]], int] | None = None


def _search(slugs: Sequence[str]) -> list[tuple[str, ...]]:
    """The automatic picks of each article in `slugs`, as slugs (cheap to send back)."""
    assert _SEARCH is not None
    scorer, picks, count = _SEARCH
    found = []
    for slug in slugs:
        chosen = picks.get(slug, ())
        room = count - len(chosen)
        taken = {slug} | {c.slug for c in chosen if isinstance(c, Article)}
        found.append(tuple(c.slug for c in scorer.best(scorer.articles[slug], room, taken))
                     if room > 0 else ())
    return found


class _Scorer:
    """The best neighbours of each article, found without scoring every candidate.

    Candidates are visited nearest in time first, and the visit stops once the
    best so far beat the most any farther candidate could score (every tag
    shared, same section, at that distance). The result is exactly what scoring
    them all gives; on a large archive, where a mid-frequency tag is shared by
    thousands of articles, it takes tens of scores per article instead of thousands.
    """

    def __init__(self, articles: Sequence[Article]) -> None:
        total = len(articles)
        self.articles = {a.slug: a for a in articles}
        self.tags = {a.slug: frozenset(slugify(t) for t in a.tags) for a in articles}
        self.order = {a.slug: a.sort_key for a in articles}  # a property: computed once here
        self.stamp = {a.slug: -key[0] for a, key in zip(articles, self.order.values(),
                                                         strict=True)}
        self.by_tag: dict[str, list[Article]] = defaultdict(list)
        for article in articles:  # newest first, as given: each tag's list is in time order
            for tag in self.tags[article.slug]:
                self.by_tag[tag].append(article)
        self.idf = {tag: rarity(len(members)) for tag, members in self.by_tag.items()}
        pulling = pulling_limit(total)  # larger tags do not bring candidates in
        # Each pulling tag's articles, split by section (a same-section one can score more),
        # with their sort keys beside them for bisecting.
        self.streams: dict[str, dict[str, tuple[list[Article], list[tuple[float, str]]]]] = \
            defaultdict(dict)
        for tag, members in self.by_tag.items():
            if len(members) <= pulling:
                split: dict[str, list[Article]] = defaultdict(list)
                for a in members:
                    split[a.section].append(a)
                for section, part in split.items():
                    self.streams[tag][section] = (part, [self.order[a.slug] for a in part])
        self.by_section: dict[str, list[Article]] = defaultdict(list)
        for article in articles:
            self.by_section[article.section].append(article)
        self.position = {a.slug: i for members in self.by_section.values()
                         for i, a in enumerate(members)}

    def best(self, article: Article, room: int, taken: set[str]) -> list[Article]:
        own_tags, own_time = self.tags[article.slug], self.stamp[article.slug]
        tags, stamp, order, idf = self.tags, self.stamp, self.order, self.idf
        seen = set(taken)
        scored: list[tuple[float, tuple[float, str], Article]] = []
        top: list[float] = []  # the `room` highest scores so far, lowest first

        def consider(c: Article) -> None:
            seen.add(c.slug)
            score = _score(own_tags, article.section, own_time, tags[c.slug], c.section,
                           stamp[c.slug], idf)
            scored.append((-score, order[c.slug], c))
            if len(top) < room:
                heapq.heappush(top, score)
            elif score > top[0]:
                heapq.heapreplace(top, score)

        section = self.by_section[article.section]
        here = self.position[article.slug]
        for c in section[max(0, here - SECTION_NEIGHBOURS):here + SECTION_NEIGHBOURS + 1]:
            if c.slug not in seen:
                consider(c)
        ceiling = math.fsum(idf[t] for t in own_tags)
        # Every stream, both ways from the article's time: (distance, order, list, step, i).
        frontier: list[tuple[float, int, list[Article], int, int]] = []

        def push(members: list[Article], i: int, step: int, rank: int) -> None:
            if 0 <= i < len(members):
                distance = abs(own_time - stamp[members[i].slug])
                heapq.heappush(frontier, (distance, rank, members, step, i))

        rank = 0
        own_key = order[article.slug]
        for tag in sorted(t for t in own_tags if t in self.streams):
            for _, (members, keys) in sorted(self.streams[tag].items()):
                at = bisect.bisect_left(keys, own_key)
                push(members, at - 1, -1, rank)  # newer
                push(members, at, 1, rank + 1)  # older (the article itself is skipped as seen)
                rank += 2
        while frontier:
            distance, rank, members, step, i = heapq.heappop(frontier)
            c = members[i]
            # The same arithmetic as _score, so the bound is never below a real score.
            reach = ceiling + (SECTION_BONUS if c.section == article.section else 0.0) \
                + TIME_WEIGHT * math.exp(-(distance / 86400) / TIME_SCALE_DAYS)
            if len(top) == room and top[0] > reach:
                continue  # nothing further along this stream can take a place
            if c.slug not in seen:
                consider(c)
            push(members, i + step, step, rank)
        scored.sort(key=lambda item: item[:2])
        return [c for _, _, c in scored[:room]]


@dataclass(frozen=True, slots=True)
class RelatedState:
    """What one related search read and found, for the next build to redo only what changed.

    For each article: what its list is made from (tags, section, time order, the
    editor's picks) and the automatic picks found.
    """

    count: int
    inputs: dict[str, tuple[frozenset[str], str, tuple[float, str], tuple[str, ...]]]
    found: dict[str, tuple[str, ...]]


def _inputs(article: Article, picks: tuple[Article | Link, ...]
            ) -> tuple[frozenset[str], str, tuple[float, str], tuple[str, ...]]:
    return (frozenset(slugify(t) for t in article.tags), article.section, article.sort_key,
            tuple(p.slug if isinstance(p, Article) else f"link:{p.url}" for p in picks))


def update_related(before: RelatedState | None, articles: Sequence[Article],
                   picks: Mapping[str, tuple[Article | Link, ...]], count: int, jobs: int = 1
                   ) -> tuple[dict[str, tuple[Article | Link, ...]], RelatedState]:
    """fill_related, searching again only for the articles a change can reach.

    A list depends on its article's candidates and their scores. Between two
    builds those change only for an article that changed itself, one that
    carries a tag of a changed article (the tag's weight and members moved), one
    near a changed article in its section (the same-section neighbours), or one
    with a tag that crossed the size limit for pulling candidates in.
    """
    inputs = {a.slug: _inputs(a, picks.get(a.slug, ())) for a in articles}
    if before is None or before.count != count:
        found = fill_related(articles, picks, count, jobs)
        return found, RelatedState(count, inputs, _automatic(found, picks))
    old = before.inputs
    changed = {s for s in old.keys() | inputs.keys() if old.get(s) != inputs.get(s)}
    touched = _touched(changed, old, inputs, articles)
    by_slug = {a.slug: a for a in articles}
    automatic = {s: before.found[s] for s in inputs if s not in touched and s in before.found}
    redo = [a.slug for a in articles if a.slug not in automatic]
    if redo:
        log.debug("related: %d of %d searched again", len(redo), len(articles))
        fresh = fill_related(articles, picks, count, jobs, only=redo)
        automatic.update(_automatic(fresh, picks))
    found = {a.slug: (*picks.get(a.slug, ()), *(by_slug[s] for s in automatic[a.slug]))
             for a in articles}
    return found, RelatedState(count, inputs, {a.slug: automatic[a.slug] for a in articles})


def _automatic(found: Mapping[str, tuple[Article | Link, ...]],
               picks: Mapping[str, tuple[Article | Link, ...]]) -> dict[str, tuple[str, ...]]:
    return {slug: tuple(i.slug for i in items[len(picks.get(slug, ())):]
                        if isinstance(i, Article)) for slug, items in found.items()}


def _touched(changed: set[str], old: Mapping[str, tuple], new: Mapping[str, tuple],
             articles: Sequence[Article]) -> set[str]:
    """The articles whose related list a change to the articles `changed` can reach."""
    if not changed:
        return set()
    members: dict[str, list[str]] = defaultdict(list)
    sections: dict[str, list[str]] = defaultdict(list)
    for a in articles:  # newest first, as the search sees them
        for tag in new[a.slug][0]:
            members[tag].append(a.slug)
        sections[a.section].append(a.slug)
    old_sections: dict[str, list[str]] = defaultdict(list)
    old_sizes: dict[str, int] = defaultdict(int)
    for slug, (tags, section, _, _) in sorted(old.items(), key=lambda kv: kv[1][2]):
        old_sections[section].append(slug)
        for tag in tags:
            old_sizes[tag] += 1
    touched = set(changed)
    limits = pulling_limit(len(old)), pulling_limit(len(new))
    tags = {t for s in changed for side in (old, new) if s in side for t in side[s][0]}
    for tag in tags:  # a changed article may enter or leave these lists of candidates
        before, now = old_sizes.get(tag, 0), len(members.get(tag, ()))
        if before <= limits[0] or now <= limits[1] or rarity(before) != rarity(now):
            touched.update(members.get(tag, ()))
    for tag, slugs in members.items():  # tags that start or stop bringing candidates in
        if (old_sizes.get(tag, 0) <= limits[0]) != (len(slugs) <= limits[1]):
            touched.update(slugs)
    reach = SECTION_NEIGHBOURS + 1
    for side, lists in ((old, old_sections), (new, sections)):
        where = {slug: (section, i) for section, slugs in lists.items()
                 for i, slug in enumerate(slugs)}
        for slug in changed:
            if slug in side and slug in where:
                section, i = where[slug]
                touched.update(lists[section][max(0, i - reach):i + reach + 1])
    return touched & new.keys()

"""Automatic related articles: the editor's picks first, then the best neighbours.

A score per candidate, from three signals:
- shared tags, each weighted by its rarity (inverse document frequency): a tag
  on half the site ("Thế giới") says little, a rare one ("Đối thoại 2+2") a lot;
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
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence

from newsgen.models import Article, Link
from newsgen.urls import slugify

SECTION_BONUS = 0.25
TIME_WEIGHT = 0.5
TIME_SCALE_DAYS = 30.0
SECTION_NEIGHBOURS = 20  # same-section candidates without a shared tag, nearest in time
COMMON_TAG_SHARE = 0.2  # tags on more than this share of articles do not pull candidates in


def _score(tags_a: frozenset[str], section_a: str, time_a: float,
           tags_b: frozenset[str], section_b: str, time_b: float,
           idf: Mapping[str, float]) -> float:
    """The score from plain values: called millions of times on a large site."""
    days = abs(time_a - time_b) / 86400
    return (math.fsum(idf[t] for t in tags_a & tags_b)  # exact: the same in any set order
            + (SECTION_BONUS if section_a == section_b else 0.0)
            + TIME_WEIGHT * math.exp(-days / TIME_SCALE_DAYS))


def fill_related(articles: Sequence[Article], picks: Mapping[str, tuple[Article | Link, ...]],
                 count: int) -> dict[str, tuple[Article | Link, ...]]:
    """slug -> related items: the editor's picks, then the best-scoring others up to `count`."""
    scorer = _Scorer(articles)
    result: dict[str, tuple[Article | Link, ...]] = {}
    for article in articles:
        chosen = picks.get(article.slug, ())
        room = count - len(chosen)
        taken = {article.slug} | {c.slug for c in chosen if isinstance(c, Article)}
        result[article.slug] = (*chosen, *scorer.best(article, room, taken)) if room > 0 \
            else tuple(chosen)
    return result


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
        self.tags = {a.slug: frozenset(slugify(t) for t in a.tags) for a in articles}
        self.by_tag: dict[str, list[Article]] = defaultdict(list)
        for article in articles:  # newest first, as given: each tag's list is in time order
            for tag in self.tags[article.slug]:
                self.by_tag[tag].append(article)
        self.idf = {tag: math.log(1 + total / len(members))
                    for tag, members in self.by_tag.items()}
        pulling = max(50, COMMON_TAG_SHARE * total)  # larger tags do not bring candidates in
        # Each pulling tag's articles, split by section (a same-section one can score more).
        self.streams: dict[str, dict[str, list[Article]]] = defaultdict(
            lambda: defaultdict(list))
        for tag, members in self.by_tag.items():
            if len(members) <= pulling:
                for a in members:
                    self.streams[tag][a.section].append(a)
        self.by_section: dict[str, list[Article]] = defaultdict(list)
        for article in articles:
            self.by_section[article.section].append(article)
        self.position = {a.slug: i for members in self.by_section.values()
                         for i, a in enumerate(members)}
        self.stamp = {a.slug: a.date.timestamp() for a in articles}

    def best(self, article: Article, room: int, taken: set[str]) -> list[Article]:
        own_tags, own_time = self.tags[article.slug], self.stamp[article.slug]
        seen = set(taken)
        scored: list[tuple[float, Article]] = []
        top: list[float] = []  # the `room` highest scores so far, lowest first

        def consider(c: Article) -> None:
            seen.add(c.slug)
            score = _score(own_tags, article.section, own_time, self.tags[c.slug], c.section,
                           self.stamp[c.slug], self.idf)
            scored.append((score, c))
            heapq.heappush(top, score)
            if len(top) > room:
                heapq.heappop(top)

        section = self.by_section[article.section]
        here = self.position[article.slug]
        for c in section[max(0, here - SECTION_NEIGHBOURS):here + SECTION_NEIGHBOURS + 1]:
            if c.slug not in seen:
                consider(c)
        ceiling = math.fsum(self.idf[t] for t in own_tags)
        # Every stream, both ways from the article's time: (distance, order, list, step, i).
        frontier: list[tuple[float, int, list[Article], int, int]] = []

        def push(members: list[Article], i: int, step: int, order: int) -> None:
            if 0 <= i < len(members):
                distance = abs(own_time - self.stamp[members[i].slug])
                heapq.heappush(frontier, (distance, order, members, step, i))

        order = 0
        for tag in sorted(t for t in own_tags if t in self.streams):
            for _, members in sorted(self.streams[tag].items()):
                at = bisect.bisect_left(members, article.sort_key, key=lambda a: a.sort_key)
                push(members, at - 1, -1, order)  # newer
                push(members, at, 1, order + 1)  # older (the article itself is skipped as seen)
                order += 2
        while frontier:
            distance, order, members, step, i = heapq.heappop(frontier)
            c = members[i]
            # The same arithmetic as _score, so the bound is never below a real score.
            reach = ceiling + (SECTION_BONUS if c.section == article.section else 0.0) \
                + TIME_WEIGHT * math.exp(-(distance / 86400) / TIME_SCALE_DAYS)
            if len(top) == room and top[0] > reach:
                continue  # nothing further along this stream can take a place
            if c.slug not in seen:
                consider(c)
            push(members, i + step, step, order)
        scored.sort(key=lambda sc: (-sc[0], sc[1].sort_key))
        return [c for _, c in scored[:room]]

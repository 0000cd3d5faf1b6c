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
    total = len(articles)
    tags = {a.slug: frozenset(slugify(t) for t in a.tags) for a in articles}
    by_tag: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        for tag in tags[article.slug]:
            by_tag[tag].append(article)
    idf = {tag: math.log(1 + total / len(members)) for tag, members in by_tag.items()}
    by_section: dict[str, list[Article]] = defaultdict(list)
    for article in articles:  # newest first, as given
        by_section[article.section].append(article)
    position = {a.slug: i for members in by_section.values() for i, a in enumerate(members)}
    stamp = {a.slug: a.date.timestamp() for a in articles}

    result: dict[str, tuple[Article | Link, ...]] = {}
    for article in articles:
        chosen = list(picks.get(article.slug, ()))
        room = count - len(chosen)
        if room <= 0:
            result[article.slug] = tuple(chosen)
            continue
        taken = {article.slug} | {c.slug for c in chosen if isinstance(c, Article)}
        candidates: dict[str, Article] = {}
        for tag in tags[article.slug]:
            if len(by_tag[tag]) <= max(50, COMMON_TAG_SHARE * total):
                candidates.update((c.slug, c) for c in by_tag[tag])
        section = by_section[article.section]
        here = position[article.slug]
        for c in section[max(0, here - SECTION_NEIGHBOURS):here + SECTION_NEIGHBOURS + 1]:
            candidates[c.slug] = c
        own = (tags[article.slug], article.section, stamp[article.slug])
        ranked = sorted((c for slug, c in candidates.items() if slug not in taken),
                        key=lambda c: (-_score(*own, tags[c.slug], c.section, stamp[c.slug],
                                               idf), c.sort_key))
        result[article.slug] = (*chosen, *ranked[:room])
    return result

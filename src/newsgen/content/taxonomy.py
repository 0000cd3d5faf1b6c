"""Tags and authors: grouping articles under the names editors write.

Editors spell a tag more than one way ("Nhật Bản", "nhật bản"); every
spelling with the same ASCII slug is one tag, shown under its most used
spelling, so one topic never splits into two pages.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from newsgen.content.models import Article
from newsgen.urls import slugify


@dataclass(frozen=True, slots=True)
class Term:
    slug: str
    name: str
    articles: tuple[Article, ...]  # newest first


def group_terms(articles: Sequence[Article],
                values: Callable[[Article], tuple[str, ...]]) -> dict[str, Term]:
    """slug -> Term for every tag (or author) of `articles`, which are newest first."""
    members: dict[str, list[Article]] = defaultdict(list)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for article in articles:
        for value in values(article):
            slug = slugify(value)
            members[slug].append(article)
            spellings[slug][value] += 1
    # Most used spelling; among equals the alphabetically first, so the choice is stable.
    return {slug: Term(slug, min(spellings[slug].items(), key=lambda kv: (-kv[1], kv[0]))[0],
                       tuple(members[slug]))
            for slug in sorted(members)}

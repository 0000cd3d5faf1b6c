"""The one configured Markdown renderer, and rendering of article bodies.

CommonMark plus tables, strikethrough, footnotes and heading ids (made by our
own slugify, so Vietnamese headings get readable ASCII ids). Raw HTML is
escaped unless the site turns `raw_html` on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

from newsgen.errors import Problems
from newsgen.library import Asset, Library
from newsgen.models import Article
from newsgen.urls import href, join, slugify


def _heading_id(text: str) -> str:
    return slugify(text) or "h"


def make_markdown(raw_html: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": raw_html, "xhtmlOut": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.use(anchors_plugin, min_level=2, max_level=6, slug_func=_heading_id)
    return md


@dataclass(slots=True)
class BodyRenderer:
    """Renders bodies against a library: checks local pictures and base-path links."""

    library: Library
    md: MarkdownIt = field(init=False)

    def __post_init__(self) -> None:
        self.md = make_markdown(self.library.config.raw_html)

    def render(self, article: Article, problems: Problems) -> tuple[str, list[Asset]]:
        tokens = self.md.parse(article.body)
        assets = self._fix_urls(article, tokens, problems)
        return self.md.renderer.render(tokens, self.md.options, {}), assets

    def _fix_urls(self, article: Article, tokens: list[Token], problems: Problems
                  ) -> list[Asset]:
        """Point local links under the base path; find pictures that sit next to the article."""
        config = self.library.config
        page_url = self.library.urls[article.slug]
        assets: list[Asset] = []
        for block in tokens:
            line = article.body_line + (block.map[0] if block.map else 0)
            for token in _walk(block.children or []):
                attr = "src" if token.type == "image" else "href" if token.type == "link_open" \
                    else None
                url = str(token.attrGet(attr) or "") if attr else ""
                if not url or url.startswith(("#", "mailto:", "tel:")) or "://" in url:
                    continue
                if url.startswith("/"):
                    token.attrSet(attr, href(config.base_path, url))
                    if token.type == "image" and url.lstrip("/") not in self.library.static:
                        problems.error(f"picture '{url}' not found: there is no static{url}",
                                       article.source, line)
                elif token.type == "image":
                    token.attrSet("loading", "lazy")
                    clean = PurePosixPath(url.split("?")[0])
                    source = (config.site_dir / article.source).parent / clean
                    if ".." in clean.parts or not source.is_file():
                        problems.error(f"picture '{url}' not found next to the article; put it "
                                       "beside the .md file or under static/", article.source,
                                       line)
                        continue
                    assets.append(Asset(Path(source), join(page_url, str(clean)),
                                        article.source))
        return assets


def _walk(tokens: list[Token]):
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)

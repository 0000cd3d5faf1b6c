"""The one configured Markdown renderer, and rendering of article bodies.

CommonMark plus tables, strikethrough, footnotes and heading ids (made by our
own slugify, so Vietnamese headings get readable ASCII ids). Raw HTML is
escaped unless the site turns `raw_html` on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from newsgen.content.config import SiteConfig
from newsgen.content.models import Article
from newsgen.content.pictures import beside_article_problem
from newsgen.content.renditions import Measures, Placed, ladder
from newsgen.engine.store import by_fields
from newsgen.engine.tracker import read
from newsgen.errors import Problems
from newsgen.messages import _
from newsgen.render.embeds import Malformed, embed_for, embed_html
from newsgen.render.figures import image_view, picture_html
from newsgen.urls import href, is_external, join, output_path, slugify

# Ids the default theme gives its own elements; a body heading must not take them.
THEME_IDS = frozenset({"main", "related-heading", "older-heading", "article-tags-label"})


def _heading_id(text: str) -> str:
    slug = slugify(text) or "h"
    return f"h-{slug}" if slug in THEME_IDS else slug


def heading_ids(state: StateCore) -> None:
    """Give every heading from level 2 an id readers can link to, each id once.

    The same ids as mdit-py-plugins' anchors rule (a repeat gets -1, -2...),
    without its cost: that rule tries every suffix from -1 again for each
    repeat, so 20,000 '## a' headings took 200 million tries. Here each
    heading text keeps the next suffix to try, and no suffix is tried twice.
    """
    used: set[str] = set()
    next_suffix: dict[str, int] = {}
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or token.tag == "h1":
            continue
        children = tokens[index + 1].children or []
        base = _heading_id("".join(child.content for child in children
                                   if child.type in ("text", "code_inline")))
        slug, suffix = base, next_suffix.get(base, 0)
        if suffix:
            slug = f"{base}-{suffix}"
        while slug in used:
            suffix += 1
            slug = f"{base}-{suffix}"
        next_suffix[base] = suffix + 1
        used.add(slug)
        token.attrSet("id", slug)


@cache
def make_markdown(raw_html: bool) -> MarkdownIt:
    """One renderer per setting, made once: a renderer keeps no state between bodies."""
    md = MarkdownIt("commonmark", {"html": raw_html, "xhtmlOut": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.core.ruler.push("heading_ids", heading_ids)
    md.add_render_rule("image", render_image)
    return md


@dataclass(frozen=True, slots=True)
class Picture:
    """A picture in a body that is a file of the site: beside the article, or in static/."""

    source: Path
    name: str  # as written: relative to the article, or /images/... for a static file
    token: Token
    static: bool = False
    line: int = 0


def _is_local(url: str) -> bool:
    return bool(url) and not url.startswith(("#", "mailto:", "tel:")) and not is_external(url) \
        and "://" not in url


def _links(article: Article, tokens: list[Token]) -> Iterator[tuple[Token, str, str, int]]:
    """(token, attribute, url, file line) for every local link and picture in a body."""
    for block in tokens:
        line = article.body_line + (block.map[0] if block.map else 0)
        for token in _walk(block.children or []):
            if token.type in ("softbreak", "hardbreak"):
                line += 1  # inline tokens carry no line; count the breaks instead
            attr = "src" if token.type == "image" else "href" if token.type == "link_open" \
                else None
            url = str(token.attrGet(attr) or "") if attr else ""
            if attr and _is_local(url):
                yield token, attr, url, line


def check_pictures(article: Article, tokens: list[Token], config: SiteConfig,
                   static: Mapping[str, Path], roots: tuple[Path, ...], problems: Problems,
                   statics: list[str] | None = None) -> list[Picture]:
    """Report pictures of a body that do not exist; return those to copy beside the page.

    `statics` collects the static files the body shows, which the page needs; `roots`
    are the folders a picture's file must really be in (`theme.source_roots`).
    """
    pictures: list[Picture] = []
    folder = (config.site_dir / article.source).parent
    for token, _attr, url, line in _links(article, tokens):
        if token.type != "image":
            continue
        url = unquote(url)  # markdown-it %-encodes: 'ảnh 2.svg' arrives as '%E1%BA%A3nh%202.svg'
        if url.startswith("/"):
            if statics is not None:
                statics.append(url.lstrip("/"))
            if url.lstrip("/") not in static:
                problems.error(_("picture '{url}' not found: there is no static{url}", url=url),
                               article.source, line)
            else:
                pictures.append(Picture(static[url.lstrip("/")], url, token, True, line))
            continue
        name = PurePosixPath(url.split("?")[0].split("#")[0])
        source = folder / name
        where = (PurePosixPath(article.source).parent / name).as_posix()
        read(f"file:{where}")  # its kind is judged by its bytes: a new file, a new answer
        if ".." in name.parts or not source.is_file():
            problems.error(_("picture '{url}' not found: there is no {where}; put it beside "
                             "the .md file or under static/", url=url, where=where),
                           article.source, line)
            continue
        if why := beside_article_problem(config, roots, source, str(name)):
            problems.error(_("picture {problem}", problem=why), article.source, line)
            continue
        if not token.children and not token.content:
            problems.warn(_("picture '{url}' has no description; write what it shows between "
                            "the brackets, ![like this](anh.jpg), for readers who cannot see it",
                            url=url), article.source, line)
        pictures.append(Picture(source, str(name), token, line=line))
    return pictures


def scan_pictures(article: Article, config: SiteConfig, static: Mapping[str, Path],
                  roots: tuple[Path, ...], problems: Problems) -> None:
    """Check a body's pictures without rendering it, when a build fails before rendering."""
    check_pictures(article, make_markdown(False).parse(article.body), config, static, roots,
                   problems)


def figures(tokens: list[Token]) -> None:
    """A paragraph that is one picture with a title, `![alt](anh.jpg "Chú thích")`, becomes
    a figure with that caption (the paragraph's own tags are left out around it)."""
    for i in range(len(tokens) - 2):
        opening, inline, closing = tokens[i:i + 3]
        if opening.type != "paragraph_open" or closing.type != "paragraph_close":
            continue
        children = [c for c in inline.children or [] if c.type != "text" or c.content.strip()]
        if len(children) == 1 and children[0].type == "image" and children[0].attrGet("title"):
            opening.hidden = closing.hidden = True
            children[0].meta["figure"] = True


def render_image(renderer: object, tokens: list[Token], idx: int, options: object,
                 env: dict) -> str:
    """A body picture: `<picture>` with its widths when it is a file of the site, in a
    `<figure>` when it has a title."""
    token = tokens[idx]
    view = token.meta.get("picture")
    if view is None:
        html = renderer.image(tokens, idx, options, env)  # type: ignore[attr-defined]
    else:
        html = str(picture_html(view, env.get("sizes", "100vw")))
    if not token.meta.get("figure"):
        return html
    caption = escapeHtml(str(token.attrGet("title") or ""))
    if view is None:  # the title is the caption now, not a tooltip as well
        html = html.replace(f' title="{caption}"', "", 1)
    return f'<figure class="article-figure">{html}<figcaption>{caption}</figcaption></figure>\n'


_BARE_URL = re.compile(r"https?://[^\s<>\"]+|/[^\s<>\"/][^\s<>\"]*")  # or a path of the site


def _lone_link(inline: Token) -> str | None:
    """The address of a paragraph that is one link and nothing else (a bare address too)."""
    children = [c for c in inline.children or [] if c.type != "text" or c.content.strip()]
    if len(children) == 1 and children[0].type == "text" \
            and _BARE_URL.fullmatch(children[0].content.strip()):
        return children[0].content.strip()
    if len(children) >= 2 and children[0].type == "link_open" \
            and children[-1].type == "link_close" \
            and not any(c.type == "link_open" for c in children[1:]):
        return str(children[0].attrGet("href") or "")
    return None


def embeds(tokens: list[Token], article: Article, config: SiteConfig,
           static: Mapping[str, Path], problems: Problems) -> list[Token]:
    """Each paragraph that is only a link to a known provider (render.embeds) becomes its
    embed; a bare address to anywhere else becomes a link. A link to a known provider that
    names nothing to show, and an <iframe> written as text, are warnings on their line."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        opening = tokens[i]
        if opening.type != "paragraph_open" or i + 2 >= len(tokens) \
                or tokens[i + 2].type != "paragraph_close":
            out.append(opening)
            i += 1
            continue
        inline = tokens[i + 1]
        line = article.body_line + (opening.map[0] if opening.map else 0)
        url = _lone_link(inline)
        made = None
        if url is None:
            if not config.raw_html and inline.content.lstrip().lower().startswith("<iframe"):
                problems.warn(_("an <iframe> is shown to readers as text, not as a player; put "
                                "the link of the video or post alone on a line instead "
                                "(YouTube, Facebook, X, TikTok and Google Maps are shown that "
                                "way)"), article.source, line)
        else:
            try:
                made = embed_for(url)
            except Malformed as why:
                problems.warn(_("'{url}' is shown as a plain link: {why}", url=url,
                                why=why.message), article.source, line)
            if made is not None and made.media and url.lstrip("/") not in static:
                problems.warn(_("'{url}' cannot be played: there is no static{url}", url=url),
                              article.source, line)
                made = None
        if made is not None:
            block = Token("html_block", "", 0, map=opening.map, block=True)
            block.content = embed_html(made, config.strings,
                                       href(config.base_path, url) if made.media else "")
            out.append(block)
            i += 3
            continue
        if url is not None and url.startswith("http") and inline.children \
                and inline.children[0].type == "text" and len(inline.children) == 1:
            link = Token("link_open", "a", 1, attrs={"href": url})
            inline.children = [link, Token("text", "", 0, content=url),
                               Token("link_close", "a", -1)]
        out.extend(tokens[i:i + 3])
        i += 3
    return out


@dataclass(slots=True)
class BodyRenderer:
    """Renders bodies: local links go under the base path, pictures are checked."""

    config: SiteConfig
    static: Mapping[str, Path]
    roots: tuple[Path, ...]
    measures: Measures
    def render(self, article: Article, page_url: str, problems: Problems) -> Body:
        md = make_markdown(self.config.raw_html)  # read here, so the body depends on it
        tokens = md.parse(article.body)
        statics: list[str] = []
        pictures = check_pictures(article, tokens, self.config, self.static, self.roots,
                                  problems, statics)
        files = self.place(pictures, page_url, problems, article)
        figures(tokens)
        tokens = embeds(tokens, article, self.config, self.static, problems)
        base = self.config.base_path
        for token in _walk(tokens):  # one pass: a body has thousands of tokens
            if token.type == "image":
                token.attrSet("loading", "lazy")  # the hero is above the fold, body pictures not
                attr = "src"
            elif token.type == "link_open":
                attr = "href"
            else:
                continue
            url = str(token.attrGet(attr) or "")
            if url.startswith("/") and _is_local(url):
                token.attrSet(attr, href(base, url))
        html = md.renderer.render(tokens, md.options, {"sizes": self.config.pictures.size("body")})
        return Body(html, tuple(files), tuple(sorted(set(statics))))

    def place(self, pictures: list[Picture], page_url: str, problems: Problems,
              article: Article) -> list[tuple[str, str]]:
        """Give each picture's token the view it is shown with; the files to publish for
        them, as (source in the site, output path)."""
        site, settings = self.config.site_dir, self.config.pictures.renditions
        originals = self.config.pictures.publish_originals
        files: dict[tuple[str, str], None] = {}
        for picture in pictures:
            facts = self.measures.facts(picture.source)
            if isinstance(facts, str):
                if not picture.static:  # the site's own static/ is trusted: shown as it is
                    problems.error(_("picture '{name}' {problem}", name=picture.name,
                                     problem=facts), article.source, picture.line)
                continue
            rel = _site_rel(picture.source, site)
            whole = picture.name if picture.static else join(page_url, picture.name)
            if facts.resized:
                picture.token.meta["picture"] = image_view(
                    Placed(whole, facts), settings, self.config.base_path, picture.token.content)
                files.update(((rel, output_path(r.url(facts))), None)
                             for r in ladder(facts, settings))
            if not picture.static and (not facts.resized or originals):
                files[(rel, output_path(whole))] = None
        return list(files)


@dataclass(frozen=True, slots=True)
class Body:
    """A rendered body and the files it shows, which its page depends on."""

    __reduce__ = by_fields
    html: str
    pictures: tuple[tuple[str, str], ...]  # (file beside the article; its output path)
    statics: tuple[str, ...]  # static files shown, as paths under static/


def _site_rel(path: Path, site: Path) -> str:
    """A picture's file as the build copies it: in the site, or the theme's static/."""
    try:
        return path.relative_to(site).as_posix()
    except ValueError:
        return str(path)


def _walk(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)

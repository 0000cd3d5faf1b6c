"""The search index: every published article, for Pagefind's search in the reader's browser.

Pagefind makes the index as files of the site (no server, no outside request), and
folds tones away, so "ha noi" finds "Hà Nội". It keeps đ, a letter of its own and not d
with a mark, so each record also carries a folded twin of its text ("Đảng" -> "Dang"):
"dang" then finds "Đảng" and "đang". The twin stands after TWIN in the record's content,
so the search page can tell a match of the words as written (ranked first) from a match
of the twin.

Records are made from the articles as the library has them, so the index is a query like
the feeds: rebuilt when an article changes, kept otherwise. The UI files Pagefind offers
are left out: the theme's search page draws the results in the site's language.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import unicodedata
from collections.abc import Mapping
from html import escape
from pathlib import Path

from newsgen.content.library import Library
from newsgen.engine.tracker import read
from newsgen.i18n import format_datetime
from newsgen.render.xmldoc import OutputFile
from newsgen.urls import href, output_path

FOLDER = "pagefind"
TWIN = "⁂"  # between the text as written and its folded twin; search.js splits on it
# What the search page loads; the rest (Pagefind's own UI) is not published.
KEPT = ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json", "wasm.", "index/",
        "fragment/", "pagefind.")
# One article as Pagefind reads it: the meta in attributes (a comma in a section's
# name would split a literal value), the words, then their folded twin.
RECORD = """<!doctype html><html lang="{language}"><head><meta charset="utf-8"></head><body>
<main data-pagefind-body data-pagefind-meta="title[data-title], section[data-section], \
date[data-date], datetime[data-datetime], lead[data-lead]" data-title="{title}" \
data-section="{section}" data-date="{date}" data-datetime="{datetime}" data-lead="{lead}">
<p>{text}</p><p>{twin_mark} {twin}</p></main></body></html>
"""
_LETTERS = str.maketrans({"đ": "d", "Đ": "D"})
_MARKUP = (
    (re.compile(r"\]\([^()\s]*(?:\s+\"[^\"]*\")?\)"), "]"),  # [text](address "title")
    (re.compile(r"https?://\S*"), " "),  # a bare address, as embeds are written
    (re.compile(r"<[^<>]*>"), " "),  # raw HTML, where a site allows it
)


def folded(text: str) -> str:
    """`text` without tones and with đ as d: how a reader types without a Vietnamese
    keyboard."""
    bare = unicodedata.normalize("NFD", text.translate(_LETTERS))
    return unicodedata.normalize("NFC", "".join(c for c in bare if not unicodedata.combining(c)))


def plain_text(markdown: str) -> str:
    """The words of a Markdown body, as the index needs them: without the addresses of
    links and pictures and without HTML tags (Pagefind takes the rest of the markup for
    the punctuation it is). Each pattern reads the text once: no crafted body is slow."""
    for pattern, instead in _MARKUP:
        markdown = pattern.sub(instead, markdown)
    return " ".join(markdown.split())


def search_files(library: Library, texts: Mapping[str, tuple[str, int]]) -> list[OutputFile]:
    """The index of every article the site publishes, as files under pagefind/;
    `texts`: each article file's body text and its first line, as the body query reads
    them."""
    config = library.config
    language = config.language.split("-")[0].lower()
    with tempfile.TemporaryDirectory(prefix="newsgen-search-") as folder:
        root = Path(folder)
        for slug in library.order():
            article = library.article(slug)
            read(f"text:{article.source}")
            text = " ".join(filter(None, (article.title, article.lead,
                                          plain_text(texts[article.source][0]))))
            section = config.section_by_slug[article.section]
            local = article.date.astimezone(config.timezone)
            page = root / "site" / output_path(href(config.base_path, library.url(slug)))
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(RECORD.format(
                language=language, title=escape(article.title), section=escape(section.title),
                date=escape(format_datetime(local, config.strings, "date_format")),
                datetime=local.isoformat(), lead=escape(article.lead), text=escape(text),
                twin_mark=TWIN, twin=escape(folded(text))), encoding="utf-8")
        _run_pagefind(root / "site", root / FOLDER, language)
        return [OutputFile(f"{FOLDER}/{path.relative_to(root / FOLDER).as_posix()}",
                           path.read_bytes())
                for path in sorted((root / FOLDER).rglob("*"))
                if path.is_file() and path.relative_to(root / FOLDER).as_posix().startswith(KEPT)]


def _run_pagefind(site: Path, output: Path, language: str) -> None:
    """Pagefind's own binary over the records: one run, all its cores. (Its Python API
    answers one record per tenth of a second, minutes for a newsroom's archive.)"""
    from pagefind_bin import get_executable

    done = subprocess.run([str(get_executable()), "--site", str(site), "--output-path",
                           str(output), "--force-language", language, "--silent"],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"pagefind failed ({done.returncode}): {done.stderr.strip()}")

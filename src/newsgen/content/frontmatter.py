"""Splitting an article file into its YAML front matter and its Markdown body."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from newsgen.content.source import MAX_FILE_BYTES, Field, decode_text, parse_mapping, read_bytes
from newsgen.errors import Problems
from newsgen.messages import _

FENCE = "---"
CLOSERS = ("---", "...")


@dataclass(frozen=True, slots=True)
class SourceFile:
    rel: str  # path relative to the site, forward slashes
    fields: dict[str, Field]
    body: str
    body_line: int  # file line the body starts on
    head: str = ""  # the front matter as written


def read_article(path: Path, rel: str, problems: Problems,
                 limit: int = MAX_FILE_BYTES) -> SourceFile | None:
    """Read and split one article, or report why it cannot be and return None."""
    data = read_bytes(path, rel, problems, limit)
    return None if data is None else split_article(data, rel, problems)


def split_article(data: bytes, rel: str, problems: Problems) -> SourceFile | None:
    text = decode_text(data, rel, problems)
    if text is None:
        return None
    if not text.strip():
        problems.error(_("the file is empty; an article starts with a '---' line, then its "
                         "front matter (title, date, section), then '---' and the text"), rel, 1)
        return None
    parts = split_text(text)
    if parts is None:
        if text.split("\n", 1)[0].rstrip() != FENCE:
            problems.error(_("no front matter found; did you forget the '---' line at the "
                             "top? An article starts with '---', then title/date/section, "
                             "then '---'"), rel, 1)
        else:
            problems.error(_("the front matter is not closed; add a '---' line after its "
                             "last key"), rel, 1)
        return None
    head, body, body_line = parts
    fields = parse_mapping(head, rel, 2, problems, _("front matter"))
    if fields is None:
        return None
    return SourceFile(rel, fields, body, body_line, head)


def split_text(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, file line of the body), or None without a closed front matter."""
    lines = text.split("\n")
    if lines[0].rstrip() != FENCE:
        return None
    end = next((i for i, line in enumerate(lines[1:], 1) if line.rstrip() in CLOSERS), None)
    if end is None:
        return None
    return "\n".join(lines[1:end]), "\n".join(lines[end + 1:]), end + 2

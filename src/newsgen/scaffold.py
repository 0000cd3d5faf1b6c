"""`newsgen new`: start an article as a file that already builds.

Editors who copy an old article to start a new one carry over its date, slug
and tags by mistake. A fresh file has the current time, empty fields and
`draft: true`, so it cannot go live half-written. Everything the build would
later refuse (an unknown section, an unusable or taken slug) is refused here
instead, while the editor is still at the keyboard.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from datetime import datetime
from pathlib import Path

from newsgen.build import build_clock
from newsgen.content.config import SiteConfig, load_config
from newsgen.content.frontmatter import read_article
from newsgen.content.library import find_articles
from newsgen.content.models import rule_slug, title_slug
from newsgen.errors import ContentError, Problem, Problems
from newsgen.messages import _
from newsgen.urls import is_slug, slugify

# Characters JSON leaves raw but YAML does not accept raw inside a double-quoted
# scalar: DEL and the C1 controls, the line and paragraph separators (which YAML
# would fold into spaces), surrogates and the two non-characters.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def yaml_quoted(text: str) -> str:
    """`text` as a YAML double-quoted scalar that reads back as exactly `text`.

    JSON's string syntax is a subset of YAML's double-quoted style, so quotes,
    backslashes, colons and a leading '[' or '#' are all safe in it.
    """
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m[0]):04x}",
                            json.dumps(text, ensure_ascii=False))


def front_matter(title: str, date: datetime, section: str, slug: str | None = None) -> str:
    """The new file: every key an editor usually fills, in the README's order, and no body."""
    lines = ["---", f"title: {yaml_quoted(title)}", f"date: {date.isoformat()}",
             f"section: {section}"]
    if slug is not None:
        lines.append(f"slug: {slug}")
    lines += ['lead: ""', "authors: []", "tags: []", "draft: true", "---", "", ""]
    return "\n".join(lines)


def new_article(site_dir: Path, title: str, section: str, *, slug: str | None = None,
                now: str | None = None) -> tuple[Path, list[Problem]]:
    """Write `content/<section>/<slug>.md`; return its path and site.yaml's warnings.

    Raise NewsgenError with every problem found; nothing is written then.
    """
    problems = Problems()
    config = load_config(site_dir, problems)
    date = build_clock(now, config).astimezone(config.timezone).replace(second=0,
                                                                         microsecond=0)
    # The build reads files as NFC with whitespace folded; writing the title that
    # way keeps the file equal to what the pages will show.
    title = " ".join(unicodedata.normalize("NFC", title).split())
    _check_section(section, config, problems)
    name = _check_slug(title, slug, problems)
    problems.check(ContentError)
    assert name is not None

    path = config.content_dir / section / f"{name}.md"
    rel = path.relative_to(site_dir).as_posix()
    exists = _("{path} already exists; choose another title or --slug", path=rel)
    if path.exists():
        problems.error(exists)
    elif taken := _slug_owner(config, name):
        problems.error(_("slug '{slug}' is already used by {path}; choose another title or "
                         "--slug", slug=name, path=taken))
    problems.check(ContentError)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # "x": a file that appeared since the check above is still never overwritten.
        with path.open("x", encoding="utf-8", newline="\n") as file:
            file.write(front_matter(title, date, section, slug))
    except OSError as exc:
        # mkdir also raises FileExistsError, when a file stands where the folder goes.
        if isinstance(exc, FileExistsError) and exc.filename == str(path):
            problems.error(exists)
        else:
            problems.error(_("cannot write {path}: {reason}", path=rel, reason=exc.strerror))
    problems.check(ContentError)
    return path, problems.warnings


def _check_section(section: str, config: SiteConfig, problems: Problems) -> None:
    slugs = list(config.section_by_slug)
    if section in slugs:
        return
    # Editors often type the section's title ("Thế giới"); its slug is the likely match.
    close = difflib.get_close_matches(slugify(section) or section, slugs, n=1)
    listed = ", ".join(slugs)
    if close:
        problems.error(_("--section '{section}' is not in site.yaml; did you mean '{close}'? "
                         "The sections are: {sections}", section=section, close=close[0],
                         sections=listed))
    else:
        problems.error(_("--section '{section}' is not in site.yaml; the sections are: "
                         "{sections}", section=section, sections=listed))


def _check_slug(title: str, slug: str | None, problems: Problems) -> str | None:
    """The file and URL name, or None after reporting why there is none."""
    if not title:
        problems.error(_('the title is empty; give the headline in quotes, like '
                         '"Tiêu đề bài viết"'))
    elif any("\ud800" <= ch <= "\udfff" for ch in title):
        # Bytes that are not UTF-8 reach Python as lone surrogates and cannot be saved.
        problems.error(_("the title is not UTF-8 text; check the terminal's encoding"))
    if slug is not None:
        if is_slug(slug):
            return slug
        suggestion = slugify(slug)
        hint = _("; use '{slug}'", slug=suggestion) if suggestion else _(", like tin-moi")
        problems.error(_("--slug '{slug}' must be lowercase ASCII letters, digits and "
                         "'-'{hint}", slug=slug, hint=hint))
        return None
    name = title_slug(title)
    if title and not name:
        problems.error(_("the title '{title}' gives an empty slug; add --slug with a URL "
                         "name, like --slug tin-moi", title=title))
    return name or None


def _slug_owner(config: SiteConfig, slug: str) -> str | None:
    """The article that already has `slug`, wherever it is: slugs are unique site-wide."""
    site = config.site_dir
    for path in find_articles(config.content_dir):
        rel = path.relative_to(site).as_posix()
        # A broken article is the build's business; here it only must not stop `new`.
        src = read_article(path, rel, Problems())
        if src is None:
            continue
        given = src.fields["slug"].value if "slug" in src.fields else None
        title = src.fields["title"].value if "title" in src.fields else None
        if given is None:
            given = rule_slug(rel, title if isinstance(title, str) else "", config)
        if given == slug:
            return rel
    return None

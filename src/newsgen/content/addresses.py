"""The addresses the site's articles were published at, kept in the site's repository.

A build knows where each article is now; only a record kept beside the articles
knows where it was. With `addresses.txt` committed, a build on a fresh clone (CI,
a new laptop) sees that a slug was edited, a section changed or the permalink
pattern moved, and keeps the old address working with a redirect, instead of
leaving every link already shared on Facebook or Zalo to a 404. One line per
article and address, sorted by file, so that git merges two editors' changes
line by line.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from newsgen.errors import Problems
from newsgen.messages import _
from newsgen.urls import path_problem

LEDGER = "addresses.txt"
HEADER = (
    "# The addresses this site's articles were published at, one article file and one\n"
    "# address a line, oldest first. newsgen adds to this file when it builds; commit it, so\n"
    "# that every build, on CI too, keeps each address working (a redirect to where the\n"
    "# article is now). Delete an article's lines only when the article is taken down.\n"
)


@dataclass(frozen=True, slots=True)
class Ledger:
    entries: dict[str, tuple[str, ...]] = field(default_factory=dict)  # file -> addresses
    lines: dict[tuple[str, str], int] = field(default_factory=dict)  # (file, address) -> line


def read_ledger(site_dir: Path, problems: Problems) -> Ledger:
    """The site's ledger (empty if it has none); a line that is not 'file address' is an
    error on that line, since a lost address is a broken link."""
    try:
        text = (site_dir / LEDGER).read_text(encoding="utf-8")
    except FileNotFoundError:
        return Ledger()
    except (OSError, UnicodeDecodeError) as exc:
        problems.error(_("cannot be read: {reason}", reason=str(exc)), LEDGER)
        return Ledger()
    entries: dict[str, list[str]] = {}
    lines: dict[tuple[str, str], int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        rel, _space, address = line.rpartition(" ")
        rel = rel.strip()
        why = _("must be an article file and an address, like content/the-gioi/tin.md "
                "/the-gioi/tin/") if not rel or not address.startswith("/") \
            else path_problem(address)
        if why:
            problems.error(_("'{line}' {why}", line=line, why=why), LEDGER, number)
            continue
        if address not in entries.setdefault(rel, []):
            entries[rel].append(address)
            lines[(rel, address)] = number
    return Ledger({rel: tuple(found) for rel, found in entries.items()}, lines)


def ledger_text(entries: Mapping[str, Iterable[str]]) -> str:
    return HEADER + "".join(f"{rel} {address}\n" for rel in sorted(entries)
                            for address in entries[rel])


def write_ledger(site_dir: Path, entries: Mapping[str, Iterable[str]]) -> None:
    """Write the ledger atomically: a half-written ledger loses addresses. The caller
    writes only what differs from what it read."""
    path = site_dir / LEDGER
    text = ledger_text(entries)
    handle, temporary = tempfile.mkstemp(prefix=".addresses-", dir=site_dir)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

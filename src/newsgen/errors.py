"""Problems an editor must fix, and the one exception type that carries them.

Every check in newsgen reports into a `Problems` collector instead of raising at
the first mistake, so an editor sees every problem of a build in one run (the
MkDocs way) and fixes them in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from newsgen.messages import _, say

Severity = Literal["error", "warning"]

# What a terminal or a log would obey rather than show: C0 and C1 controls (ESC
# and CSI start escape sequences, BEL and CR fake or hide output, LF splits one
# problem over two lines), Unicode's line and paragraph separators, and the
# bidirectional overrides that make text read in another order than it is.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f"
                          "\u202a-\u202e\u2066-\u2069]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with every control character written as an escape (ESC as \\x1b).

    File names and values in messages come from editors, who are not all
    trusted: what newsgen prints must show them, never let them act on the
    terminal, the CI log or the line structure of the report.
    """
    return _UNPRINTABLE.sub(_escaped, text)


def control_character(text: str) -> str | None:
    """The first control character of a value, shown escaped. Tabs and line breaks,
    which YAML text may hold, and the left-to-right and right-to-left marks that
    quoted Arabic or Hebrew names need, are not counted. A title with ESC or NUL
    in it came from a paste or an attack, never from an editor's intent."""
    for match in _UNPRINTABLE.finditer(text):
        if match[0] not in "\t\n\u200e\u200f":
            return _escaped(match)
    return None


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One line an editor reads: where, and what to do about it."""

    path: str = ""  # relative to the site folder, with forward slashes
    line: int = 0  # 1-based; 0 when the problem has no line
    message: str = ""
    severity: Severity = "error"

    def __str__(self) -> str:
        """The line as printed, in the language messages are shown in."""
        where = say(self.path)  # a page with no file of its own: "the home page"
        if where and self.line:
            where = f"{where}:{self.line}"
        message = say(_("warning: {message}", message=self.message)
                      if self.severity == "warning" else self.message)
        return printable(f"{where}: {message}" if where else message)


class BadValue(ValueError):
    """A value an editor wrote that cannot be used; the message says what to write instead.

    Parsers of site.yaml and front matter raise it; their caller turns it into
    a Problem with the file and line.
    """

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message  # a Message keeps its translations; str(self) would not
        self.line = line


class NewsgenError(Exception):
    """Raised once with every problem found, never for a single one mid-way."""

    kind = "build"

    def __init__(self, problems: Iterable[Problem] | str, path: str = "", line: int = 0) -> None:
        if isinstance(problems, str):
            problems = [Problem(path, line, problems)]
        self.problems: list[Problem] = list(problems)
        self.notices: list[str] = []  # not problems: about the cache, told all the same
        super().__init__("\n".join(str(p) for p in self.problems))


class ConfigError(NewsgenError):
    kind = "config"


class ContentError(NewsgenError):
    kind = "content"


class TemplateError(NewsgenError):
    kind = "template"


class BuildError(NewsgenError):
    kind = "build"


@dataclass(slots=True)
class Problems:
    """Collects problems; `check()` raises them all at once as `error_type`."""

    items: list[Problem] = field(default_factory=list)

    def error(self, message: str, path: str = "", line: int = 0) -> None:
        self.items.append(Problem(path, line, message, "error"))

    def warn(self, message: str, path: str = "", line: int = 0) -> None:
        self.items.append(Problem(path, line, message, "warning"))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def check(self, error_type: type[NewsgenError], strict: bool = False) -> None:
        """Raise every problem if there is an error (or, when strict, a warning)."""
        if self.errors or (strict and self.items):
            if strict:
                items = [Problem(p.path, p.line, p.message, "error") for p in self.items]
            else:
                items = self.items
            raise error_type(sorted(items, key=_reading_order))


def _reading_order(p: Problem) -> tuple[str, int]:
    """Files in path order, lines top to bottom: the order an editor fixes them in."""
    return (p.path, p.line)

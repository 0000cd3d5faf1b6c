"""Reading what editors write: text files and YAML that keeps its line numbers.

Both `site.yaml` and article front matter go through here, so every value an
editor wrote can be traced back to its line, and every way a file can be broken
(not UTF-8, tabs, duplicate keys, alias bombs) is reported the same way.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from newsgen.errors import Problems, control_character
from newsgen.messages import _

try:  # libyaml is about 8x faster; fall back to pure Python where it is missing.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MEGABYTE = 1024 * 1024
MAX_FILE_BYTES = MEGABYTE
"""Larger files are refused unless site.yaml allows more (max_article_mb): no real
article is a megabyte, a pasted binary or log is, and rendering a crafted one
takes hundreds of times its size in memory."""


class _Constructor(yaml.constructor.SafeConstructor):
    """Safe constructor that leaves timestamps as text.

    Dates are parsed by newsgen itself, so `2022-01-06`, `2022-01-06 09:15` and
    `2022-01-06T09:15:00+07:00` follow one rule and give one kind of error
    (PyYAML would crash on an offset like +25:00 and silently differ on others).
    """


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_str)


@dataclass(frozen=True, slots=True)
class Field:
    """A YAML value together with the file line it was written on."""

    node: yaml.Node
    line: int  # 1-based file line of the key (or list item) that holds the value
    offset: int  # file line of the YAML text's first line, minus one

    @property
    def value(self) -> object:
        return _Constructor().construct_document(self.node)

    @property
    def is_list(self) -> bool:
        return isinstance(self.node, yaml.SequenceNode)

    @property
    def is_mapping(self) -> bool:
        return isinstance(self.node, yaml.MappingNode)

    @property
    def kind(self) -> str:
        """What the value is, in an editor's words: 'a list', 'a number', 'text'..."""
        if self.is_mapping:
            return _("'key: value' lines")
        if self.is_list:
            return _("a list")
        return _describe(self.value)

    @property
    def shown(self) -> str:
        """The value as the editor wrote it, for quoting back in a message."""
        if self.is_mapping:
            return ", ".join(f"{k.value}: {getattr(v, 'value', '...')}" for k, v in self.node.value)
        if self.is_list:
            return "[...]"
        return str(self.value)

    def items(self) -> list[Field]:
        """The items of a list, each with its own line."""
        assert isinstance(self.node, yaml.SequenceNode)
        return [Field(item, self.offset + item.start_mark.line, self.offset)
                for item in self.node.value]

    def entries(self) -> dict[str, Field]:
        """The entries of a mapping (keys already checked to be text and unique)."""
        assert isinstance(self.node, yaml.MappingNode)
        return {str(k.value): Field(v, self.offset + k.start_mark.line, self.offset)
                for k, v in self.node.value}


def _describe(value: object) -> str:
    if value is None:
        return _("nothing")
    if isinstance(value, bool):
        return _("true/false")
    if isinstance(value, int | float):
        return _("a number")
    if isinstance(value, str):
        return _("text")
    return type(value).__name__


def unsafe_source(path: Path, site: Path, roots: Iterable[Path],
                  hidden_ok: Collection[str] = (), folders: dict[str, str] | None = None
                  ) -> str | None:
    """Why the file at `path`, links followed, must not go into the site, as the end of
    a sentence ("a link to .env, a hidden file..."); None if it may.

    A file may only come from the folders a site is made of (`roots`, resolved:
    content/, static/, templates/ and the theme's), and never from a hidden file or
    folder in them. A link named anh.png that points at ../../.env, or into
    .git/, is otherwise published as a picture; a link that stays inside the
    site is no safer than one that leaves it.

    `folders`: the real place of each folder met so far in this build (a folder
    for every file, not every folder of every file's path, is then looked up: a
    photo beside each of 1,000 articles is 13 folders).
    """
    # Strings, not Paths: this runs for every picture of every article.
    real = str(path.resolve()) if folders is None else _real(path, folders)
    for root in roots:
        top = str(root)
        if real.startswith(top + os.sep):
            if not any(part.startswith(".") and part not in hidden_ok
                       for part in real[len(top) + 1:].split(os.sep)):  # noqa: PTH206
                return None
            return _("a link to {path}, a hidden file (a name starting with '.'), which is "
                     "never published", path=_shown(Path(real), site))
    return _("a link to {path}, outside the site's content/, static/ and templates/",
             path=_shown(Path(real), site))


def _real(path: Path, folders: dict[str, str]) -> str:
    """`path.resolve()` for a path without '..', through the real places of its folders."""
    if os.path.islink(path):  # noqa: PTH114 (strings throughout)
        return str(path.resolve())
    parent, name = os.path.split(path)
    real = folders.get(parent)
    if real is None:
        real = folders[parent] = os.path.realpath(parent or os.curdir)
    return os.path.join(real, name)  # noqa: PTH118


def _shown(real: Path, site: Path) -> str:
    base = site.resolve()
    return real.relative_to(base).as_posix() if real.is_relative_to(base) else str(real)


def read_text(path: Path, rel: str, problems: Problems) -> str | None:
    """The file as NFC text with LF line endings, or None after reporting why not."""
    data = read_bytes(path, rel, problems, MAX_FILE_BYTES)
    return None if data is None else decode_text(data, rel, problems)


def read_bytes(path: Path, rel: str, problems: Problems, limit: int) -> bytes | None:
    """The file's bytes, unless it is larger than `limit` bytes: then it is not read."""
    try:
        size = path.stat().st_size
        if size > limit:
            problems.error(_("file is {size:.1f} MB, over the {limit:g} MB limit "
                             "(max_article_mb in site.yaml); is it really an article?",
                             size=size / MEGABYTE, limit=limit / MEGABYTE), rel)
            return None
        return path.read_bytes()
    except OSError as exc:
        problems.error(_("cannot read the file: {reason}", reason=str(exc.strerror)), rel)
        return None


def decode_text(data: bytes, rel: str, problems: Problems) -> str | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.error(_("the file is not UTF-8 text (byte 0x{byte:02X}); save it with UTF-8 "
                         "encoding", byte=data[exc.start]), rel, line)
        return None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        problems.error(_("the file contains a NUL byte; is it a binary file?"), rel, line)
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def parse_mapping(text: str, rel: str, first_line: int, problems: Problems,
                  what: str) -> dict[str, Field] | None:
    """Parse YAML `text` (which starts on file line `first_line`) into top-level fields.

    Returns None after reporting a problem; `what` names the document for
    messages ("front matter", "site.yaml").
    """
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        line, message = _explain(exc, text.split("\n"))
        problems.error(_("{what} is not valid YAML: {message}", what=what, message=message),
                       rel, first_line + line)
        return None
    except yaml.YAMLError as exc:
        problems.error(_("{what} is not valid YAML: {message}", what=what, message=str(exc)),
                       rel, first_line)
        return None
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        kind = _("a list") if isinstance(node, yaml.SequenceNode) else _("a single value")
        lines = text.split("\n")
        fix = rewrite(lines[node.start_mark.line]) if node.start_mark.line < len(lines) else None
        if fix:
            message = _("{what} must be 'key: value' lines, but it is {kind}; {fix}",
                        what=what, kind=kind, fix=fix)
        else:
            message = _("{what} must be 'key: value' lines, but it is {kind}", what=what,
                        kind=kind)
        problems.error(message, rel, first_line + node.start_mark.line)
        return None
    if not _check_tree(node, rel, first_line, problems, what):
        return None
    if what == "front matter" and not _no_lost_text(node, text.split("\n"), rel, first_line,
                                                    problems):
        return None
    return Field(node, first_line, first_line).entries()


def _explain(exc: yaml.MarkedYAMLError, lines: list[str]) -> tuple[int, str]:
    """The 0-based line to point at and the parser's complaint with a hint how to fix it.

    libyaml's messages name the symptom, not the editor's mistake; the hints
    cover the mistakes editors make most (quotes inside a quoted headline, text
    after a quoted part, ': ' or a leading '[' in unquoted text, a tab, a
    missing space after the colon) and show the line as it should be written.
    """
    mark = exc.problem_mark or exc.context_mark
    line = mark.line if mark else 0
    problem = exc.problem or exc.context or _("invalid YAML")
    near = [lines[i] for i in (line - 1, line) if 0 <= i < len(lines)]
    for index in (line, line - 1):
        if 0 <= index < len(lines) and (fix := rewrite(lines[index])):
            return index, _("{problem}; {fix}", problem=problem, fix=fix)
    if "quoted scalar" in (exc.context or "") and exc.context_mark:
        return exc.context_mark.line, _("{problem}; the quote opened on this line is never "
                                        "closed", problem=problem)
    if "flow" in (exc.context or "") and exc.context_mark:
        # An unclosed '[' or '{': usually a headline like "[Video] ..." written unquoted.
        fix = rewrite(lines[exc.context_mark.line], brackets=True) \
            if exc.context_mark.line < len(lines) else None
        return exc.context_mark.line, _("{problem}; {fix}", problem=problem, fix=fix or _(
            "the '[' or '{{' on this line is never closed (put text that starts with it in "
            "double quotes)"))
    if any("\t" in text[:len(text) - len(text.lstrip())] for text in near) \
            or "'\\t'" in problem or "tab" in problem:
        return line, _("{problem}; indent with spaces, not tabs", problem=problem)
    for index in (line, line - 1):
        if 0 <= index < len(lines) and (fix := rewrite(lines[index], brackets=True)):
            return index, _("{problem}; {fix}", problem=problem, fix=fix)
    return line, problem


# One pass over the line whatever it holds (a line is written by anyone): no two parts
# can take the same characters, and trailing spaces are stripped in code, not matched.
MAX_REWRITTEN = 400  # characters of a line the message may show rewritten
_LINE = re.compile(r"(?P<indent>[ \t]*(?:-[ \t]+)?)(?P<key>[^\s:#\-\[{\"'][^:]*?):"
                   r"(?P<space>[ \t]*)(?P<value>.*)")


def rewrite(text: str, brackets: bool = False) -> str | None:
    """What is wrong with one `key: value` line, and the line as it should be written;
    None if it is none of the usual mistakes (`brackets`: text starting with '[' or '{').

    A line longer than any headline is no headline: it gets no rewrite, which would
    only make the message as long as the line.
    """
    if len(text) > MAX_REWRITTEN:
        return None
    if text[:len(text) - len(text.lstrip())].count("\t"):
        fixed = text.replace("\t", "  ").rstrip()
        return _("indent with spaces, not tabs; write it as '{fixed}'", fixed=fixed)
    match = _LINE.fullmatch(text.rstrip())
    if match is None:
        return None
    key, value = match["key"], match["value"]
    if not match["space"] and value and not value.startswith(("/", "\\")) \
            and not key.isdigit():
        return _("put a space after '{key}:'; write it as: {key}: {value}", key=key, value=value)
    if value.startswith('"'):
        body = value[1:-1] if value.endswith('"') and len(value) > 1 else value
        if value.endswith('"') and '"' in body:
            return _("the double quotes inside the text end it early; write it as: "
                     "{key}: {single} (or use “ ” inside: {key}: \"{curly}\")",
                     key=key, single=_single(body), curly=_curly(body))
        if '"' in value[1:] and not value.endswith('"'):
            return _("the text goes on after its closing quote; write it as: {key}: {single}",
                     key=key, single=_single(value))
        return None
    if value.startswith("'"):
        return None
    if ": " in value or value.endswith(":"):
        return _("text with ': ' in it must be quoted; write it as: {key}: {quoted}", key=key,
                 quoted=_quoted(value))
    if brackets and value and value[0] in "[{" and not _closed(value):
        end = "]" if value[0] == "[" else "}"
        if "," in value and end not in value:  # a list that is never closed
            return _("the list is never closed; write it as: {key}: {value}{end}", key=key,
                     value=value, end=end)
        return _("text that starts with '{start}' must be quoted; write it as: {key}: {quoted}",
                 start=value[0], key=key, quoted=_quoted(value))
    return None


def _quoted(text: str) -> str:
    """`text` quoted as YAML reads it back: in double quotes when nothing in it needs an
    escape there, else in single quotes."""
    return f'"{text}"' if '"' not in text and "\\" not in text else _single(text)


_COMMENTED = re.compile(r"[ \t]*(?:-[ \t]+)?([^\s:][^:]*):[ \t]+(#.*)")


def _no_lost_text(node: yaml.Node, lines: list[str], rel: str, first_line: int,
                  problems: Problems) -> bool:
    """False after saying where a value starts with '#': YAML reads it as a comment and
    the key as empty (`title: #MeToo lan rộng`), and the editor's text would be lost.

    A walk with a stack of its own, as `_check_tree`'s: YAML nests deeper than
    Python's recursion goes. The problems are said in the order of their lines.
    """
    found: list[tuple[int, str]] = []
    todo = [node]
    while todo:
        current = todo.pop()
        if isinstance(current, yaml.SequenceNode):  # the mappings of a list: related: - ...
            todo += current.value
            continue
        if not isinstance(current, yaml.MappingNode):
            continue
        for key, value in current.value:
            if isinstance(value, yaml.MappingNode | yaml.SequenceNode):
                todo.append(value)
                continue
            if value.tag != "tag:yaml.org,2002:null" or value.value:
                continue
            line = key.start_mark.line
            written = _COMMENTED.fullmatch(lines[line].rstrip()) if line < len(lines) else None
            if written:
                name, rest = written.groups()
                fix = _("write it as: {name}: {quoted}", name=name, quoted=_quoted(rest)) \
                    if len(rest) <= MAX_REWRITTEN else _("put the text in quotes")
                found.append((first_line + line, _(
                    "the text after '{name}:' starts with '#', which YAML reads as a comment, "
                    "so {name} is empty; {fix}", name=name, fix=fix)))
    for line, message in sorted(found):
        problems.error(message, rel, line)
    return not found


def _closed(value: str) -> bool:
    return (value.startswith("[") and value.endswith("]")) or \
        (value.startswith("{") and value.endswith("}"))


def _single(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _curly(text: str) -> str:
    """Straight double quotes made into typographic ones, opening and closing in turn."""
    parts = text.split('"')
    return "".join(part + ("“" if i % 2 == 0 else "”") for i, part in enumerate(parts[:-1])) \
        + parts[-1]


# What plain YAML resolves to. Anything else came from an explicit tag (!!set,
# !!python/object, !foo), which front matter has no use for.
PLAIN_TAGS = {
    kind: {f"tag:yaml.org,2002:{name}" for name in names}
    for kind, names in ((yaml.ScalarNode, ("str", "int", "float", "bool", "null", "timestamp")),
                        (yaml.SequenceNode, ("seq",)), (yaml.MappingNode, ("map",)))
}


def _short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def _check_tree(root: yaml.Node, rel: str, first_line: int, problems: Problems,
                what: str) -> bool:
    """Refuse aliases, tags, control characters, non-text keys and duplicate keys anywhere
    in the tree.

    Aliases are refused outright: front matter has no use for them, and they are
    how a few lines of YAML expand to gigabytes (the "billion laughs"). The walk
    keeps its own stack: YAML nests as deep as libyaml allows (1,000 levels),
    deeper than Python's recursion goes.
    """
    seen: set[int] = set()
    alias_reported = False  # once per file: a bomb has thousands of them
    ok = True
    stack: list[tuple[yaml.Node, int]] = [(root, first_line)]  # (node, line of its key)
    while stack:
        node, at = stack.pop()
        if id(node) in seen:
            if not alias_reported:
                alias_reported = True
                problems.error(_("{what} uses a YAML alias (*name); write the value out "
                                 "instead", what=what), rel, at)
            ok = False
            continue
        seen.add(id(node))
        line = first_line + node.start_mark.line
        if node.tag not in PLAIN_TAGS[type(node)]:
            problems.error(_("{what} uses the YAML tag '{tag}'; write a plain value without "
                             "'!!'", what=what, tag=_short_tag(node.tag)), rel, line)
            ok = False
        elif isinstance(node, yaml.ScalarNode):
            ok = _check_scalar(node, rel, line, problems, what) and ok
        elif isinstance(node, yaml.MappingNode):
            keys: dict[str, int] = {}
            children: list[tuple[yaml.Node, int]] = []
            for key, value in node.value:
                key_line = first_line + key.start_mark.line
                if not isinstance(key, yaml.ScalarNode) or key.tag != "tag:yaml.org,2002:str":
                    problems.error(_("{what} keys must be plain names, not '{key}'", what=what,
                                     key=str(getattr(key, "value", "?"))), rel, key_line)
                    ok = False
                    continue
                if char := control_character(key.value):
                    problems.error(_("{what} has a key holding the control character {char}; "
                                     "type the key again", what=what, char=char), rel, key_line)
                    ok = False
                    continue
                if key.value in keys:
                    problems.error(_("key '{key}' is written twice (first on line {first}); "
                                     "keep one", key=key.value, first=keys[key.value]),
                                   rel, key_line)
                    ok = False
                keys.setdefault(key.value, key_line)
                children.append((value, key_line))
            stack.extend(reversed(children))
        else:
            # An alias item is the anchored node itself, with the anchor's position:
            # the line of the key holding the list is where the alias is written.
            stack.extend((item, at) for item in reversed(node.value))
    return ok


def _check_scalar(node: yaml.ScalarNode, rel: str, line: int, problems: Problems,
                  what: str) -> bool:
    try:
        _Constructor().construct_object(node)
    except (yaml.YAMLError, ValueError, KeyError, IndexError, TypeError, OverflowError):
        problems.error(_("{what} has a value that cannot be read: '{text}' is not a {tag}",
                         what=what, text=node.value, tag=_short_tag(node.tag)), rel, line)
        return False
    if char := control_character(node.value):
        # YAML's escapes ("\0", "\e") let text hold what no editor types; in a file
        # name it is an error of the operating system, in a title a trap for readers.
        problems.error(_("{what} has a value holding the control character {char}; type the "
                         "value again without it", what=what, char=char), rel, line)
        return False
    return True

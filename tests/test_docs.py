"""The README documents every setting, front-matter key, label and option there is."""

from __future__ import annotations

import re

import pytest

from conftest import REPO
from newsgen.cli import _parser
from newsgen.content.config import OPTIONS
from newsgen.content.models import FIELDS
from newsgen.i18n import STRINGS

README = (REPO / "README.md").read_text(encoding="utf-8")


def table_keys(heading: str) -> set[str]:
    """The first-column `keys` of the table right under a README heading."""
    section = README.split(f"## {heading}", 1)[1]
    return set(re.findall(r"^\| `([a-z_.]+)`", section.split("\n## ", 1)[0], re.M))


def test_the_two_commands_come_first() -> None:
    quick = README.split("## ", 2)[1]
    assert quick.startswith("Quick start") and "make build" in quick and "make test" in quick


@pytest.mark.parametrize("heading, keys", [
    ("Front-matter reference", set(FIELDS) | {"image.src", "image.alt", "image.caption"}),
    ("site.yaml reference", set(OPTIONS) | set(STRINGS["vi"])),
])
def test_reference_tables_list_every_key(heading: str, keys: set[str]) -> None:
    assert table_keys(heading) >= keys


@pytest.mark.parametrize("command", ["build", "check", "serve", "new", "init"])
def test_every_command_line_option_is_documented(command: str) -> None:
    parser = _parser()._subparsers._group_actions[0].choices[command]
    flags = {s for a in parser._actions for s in a.option_strings if s.startswith("--")}
    documented = set(re.findall(r"(--[a-z-]+)", README.split("## Command line", 1)[1]))
    assert flags - {"--help"} <= documented


def test_modules_import_only_modules_listed_above_them() -> None:
    """The README's module table is the import order, packages (the layers) included; a
    module reaching down it is a cycle waiting to happen."""
    table = README.split("| module | owns |", 1)[1].split("\n\n", 1)[0]
    order = [name.replace("/", ".")
             for name in re.findall(r"^\| `((?:\w+/)?\w+)\.py` \|", table, re.M)]
    package = REPO / "src" / "newsgen"
    assert sorted(order) == sorted(
        p.relative_to(package).with_suffix("").as_posix().replace("/", ".")
        for p in package.rglob("*.py") if not p.stem.startswith("__"))
    for position, module in enumerate(order):
        source = (package / f"{module.replace('.', '/')}.py").read_text(encoding="utf-8")
        imported = set(re.findall(r"^from newsgen\.([\w.]+) import", source, re.M))
        above = set(order[:position])
        assert imported <= above, f"{module} imports {imported - above} from below it"

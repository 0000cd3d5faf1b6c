"""The README documents every setting, front-matter key, label and option there is."""

from __future__ import annotations

import re

import pytest

from conftest import REPO
from newsgen.cli import _parser
from newsgen.config import OPTIONS
from newsgen.i18n import STRINGS
from newsgen.models import FIELDS

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


def test_every_command_line_option_is_documented() -> None:
    build = _parser()._subparsers._group_actions[0].choices["build"]
    flags = {s for a in build._actions for s in a.option_strings if s.startswith("--")}
    documented = set(re.findall(r"`(--[a-z-]+)", README.split("## Command line", 1)[1]))
    assert flags - {"--help"} <= documented

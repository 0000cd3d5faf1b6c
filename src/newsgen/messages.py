"""What newsgen says to the people who write a site, in their language.

A message is made where a problem is found, long before newsgen knows which
language to print it in: site.yaml, which names the language, may be the broken
file; a worker process finds it; a later build says a kept warning again, maybe
with `--messages` set otherwise. So a message is made in English, the source
language of the gettext catalogs (`locale/`), and keeps its template and values:
as a `str` it is the English text (what the cache, the logs and comparisons see),
and `in_language` says it again from the catalog when it is shown.

The one piece of module state here is the language messages are shown in, chosen
once by the command that prints them (`use`): like `gettext.install`, it belongs to
the process, and every printed line of one run is in one language.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

DOMAIN = "newsgen"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("vi", "en")  # catalogs newsgen ships; English is the source language
DEFAULT = "vi"


class Message(str):
    """English text that can say itself in another language.

    Values that are messages themselves (a kind of value, a hint) are said in the
    same language as the message around them; every other value (a file name, what
    an editor wrote) is shown as it is.
    """

    template: str
    plural: str | None
    count: int | None
    values: Mapping[str, Any]

    def __new__(cls, template: str, values: Mapping[str, Any], plural: str | None = None,
                count: int | None = None) -> Message:
        chosen = template if plural is None or count == 1 else plural
        self = super().__new__(cls, _fill(chosen, values, "en"))
        self.template, self.plural, self.count, self.values = template, plural, count, values
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        # str's own pickling would rebuild it from the English text alone.
        return (Message, (self.template, dict(self.values), self.plural, self.count))

    def in_language(self, language: str) -> str:
        catalog = _catalog(language)
        if self.plural is None:
            text = catalog.gettext(self.template)
        else:
            text = catalog.ngettext(self.template, self.plural, self.count or 0)
        return _fill(text, self.values, language)


def _(template: str, /, **values: Any) -> Message:
    """A message; `{name}` in the template is filled from `values`."""
    return Message(template, values)


def ngettext(singular: str, plural: str, count: int, /, **values: Any) -> Message:
    """A message that counts: `{n}` is the count, and the language picks the form."""
    return Message(singular, {"n": count, **values}, plural, count)


def _fill(template: str, values: Mapping[str, Any], language: str) -> str:
    return template.format_map({
        name: value.in_language(language) if isinstance(value, Message) else value
        for name, value in values.items()})


@cache
def _catalog(language: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def choose(requested: str | None, site_language: str | None) -> str:
    """The language of messages: the one asked for, else the site's own when newsgen
    speaks it (vi-VN is vi), else English."""
    if requested:
        return requested
    base = (site_language or DEFAULT).split("-")[0].lower()
    return base if base in LANGUAGES else "en"


_shown_in = "en"


def use(language: str) -> None:
    """Show every message of this process in `language` from now on."""
    global _shown_in
    _shown_in = language


def language() -> str:
    return _shown_in


def say(text: str) -> str:
    """`text` as it is shown: a message in the chosen language, other text as it is."""
    return text.in_language(_shown_in) if isinstance(text, Message) else text

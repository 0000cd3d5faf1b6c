"""XML files newsgen writes (feeds, sitemaps): one way to build them, always well-formed.

ElementTree escapes every text and attribute. Namespaces are written as plain
`xmlns` attributes with prefixed names instead of `ET.register_namespace`:
that registry is global to the process, and another module registering a
different prefix for the same namespace would change our output.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, tzinfo

# XML 1.0 cannot carry these at all, not even as character references, so one
# stray control character pasted into a headline would make the whole file
# unreadable; they are dropped instead.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True, slots=True)
class OutputFile:
    path: str  # relative to the site root, with forward slashes: "the-gioi/feed.xml"
    text: str | bytes  # the whole file; text is written as UTF-8, bytes as they are


def w3c(value: datetime, tz: tzinfo) -> str:
    """RFC 3339 / W3C Datetime in the site's time zone, as article pages show it."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(tz).isoformat(timespec="seconds")


def clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def add(parent: ET.Element, tag: str, text: str | None = None,
         attrs: dict[str, str] | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: clean(v) for k, v in (attrs or {}).items()})
    if text is not None:
        element.text = clean(text)
    return element


def document(root: ET.Element) -> str:
    # ET's own declaration names the locale's encoding when writing str; ours is fixed.
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"

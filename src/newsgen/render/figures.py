"""A picture as readers' browsers get it: `<picture>` with every width, and its shape.

`srcset` lists the renditions and `sizes` says how wide the theme shows the
picture in each slot (`pictures.sizes`), so a phone fetches a 360 px WebP and
a wide screen a 1080 px one; `width` and `height` give the box its shape
before a byte arrives, so nothing on the page moves when the picture loads.
The same markup serves heroes and cards (through templates) and the pictures
of a body (through the Markdown renderer).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from markupsafe import Markup, escape

from newsgen.content.renditions import (
    IMG_DIR,
    MIME,
    Facts,
    Placed,
    Settings,
    crops,
    fallback_width,
    formats,
    ladder,
)
from newsgen.engine.store import by_fields
from newsgen.urls import href


@dataclass(frozen=True, slots=True)
class SourceView:
    __reduce__ = by_fields

    type: str  # image/webp
    srcset: str


@dataclass(frozen=True, slots=True)
class ImageView:
    __reduce__ = by_fields

    src: str
    alt: str
    caption: str
    credit: str
    width: int  # of `src`; 0 when not known (a picture outside the site)
    height: int
    srcset: str  # the fallback format's widths; "" for a picture published whole
    sources: tuple[SourceView, ...]  # better formats, best first


@functools.lru_cache(maxsize=8192)
def image_view(placed: Placed, settings: Settings, base: str, alt: str, caption: str = "",
               credit: str = "") -> ImageView:
    """The view of a placed picture; `base`: the site's base path for hrefs. Made once per
    picture and text: a card's picture is on a hundred pages."""
    facts = placed.facts
    if facts is None:  # outside the site, or a file of the site's own that is no picture
        return ImageView(href(base, placed.url), alt, caption, credit, 0, 0, "", ())
    if not facts.resized:
        return ImageView(href(base, placed.url), alt, caption, credit, facts.width,
                         facts.height, "", ())
    folder = href(base, f"/{IMG_DIR}/")  # names are hex digits and a width: nothing to quote
    every = ladder(facts, settings)
    chosen = formats(facts, settings)
    sets = {fmt: ", ".join(f"{folder}{r.name(facts)} {r.width}w" for r in every
                           if r.format == fmt) for fmt in chosen}
    width = fallback_width(facts, settings)
    plain = next(r for r in every if r.format == chosen[-1] and r.width == width)
    only = len(chosen) == 1  # JPEG alone: the <img> offers every width itself
    return ImageView(f"{folder}{plain.name(facts)}", alt, caption, credit, plain.width,
                     plain.height, sets[chosen[-1]] if only else "",
                     tuple(SourceView(MIME[fmt], sets[fmt]) for fmt in chosen[:-1]))


@functools.lru_cache(maxsize=8192)
def picture_html(image: ImageView, sizes: str, css_class: str = "", loading: str = "lazy",
                 alt: str | None = None) -> Markup:
    """The `<picture>` element; `alt` replaces the picture's own (a card's is "")."""
    text = image.alt if alt is None else alt
    size = f' width="{image.width}" height="{image.height}"' if image.width else ""
    css = f' class="{escape(css_class)}"' if css_class else ""
    priority = ' fetchpriority="high"' if loading == "eager" else ""
    tail = (f' alt="{escape(text)}"{size}{css} loading="{escape(loading)}" '
            f'decoding="async"{priority}>')
    if not image.srcset and not image.sources:
        return Markup(f'<img src="{escape(image.src)}"{tail}')
    sources = "".join(f'<source type="{s.type}" srcset="{escape(s.srcset)}" '
                      f'sizes="{escape(sizes)}">' for s in image.sources)
    offered = f' srcset="{escape(image.srcset)}" sizes="{escape(sizes)}"' if image.srcset else ""
    return Markup(f'<picture>{sources}<img src="{escape(image.src)}"{offered}{tail}</picture>')


def shared(placed: Placed | None, settings: Settings, focus: tuple[int, int]
           ) -> list[tuple[str, int, int]]:
    """(site-relative or outside URL, width, height) of the pictures for og:image and
    JSON-LD: the 16x9, 4x3 and 1x1 crops, or the picture whole."""
    if placed is None:
        return []
    facts: Facts | None = placed.facts
    if facts is None or not facts.resized:
        return [(placed.url, facts.width if facts else 0, facts.height if facts else 0)] \
            if placed.url else []
    return [(r.url(facts), r.width, r.height) for r in crops(facts, settings, focus)]
